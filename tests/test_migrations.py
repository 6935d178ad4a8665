"""The schema comes from migrations, and the migrations agree with the models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    Uuid,
    column,
    insert,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import alembic_config, migrate
from app.models import Task

USER_0001 = table(
    'user_account',
    column('id', Uuid()),
    column('email', String()),
    column('password_hash', String()),
    column('created_at', DateTime(timezone=True)),
)
TASK_0001 = table(
    'task',
    column('id', Integer()),
    column('owner_id', Uuid()),
    column('title', String()),
    column('description', String()),
    column('completed', Boolean()),
    column('created_at', DateTime(timezone=True)),
    column('updated_at', DateTime(timezone=True)),
    column('completed_at', DateTime(timezone=True)),
)


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={'compare_type': True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_empty_database_upgrades_to_head_matching_the_models(database_engine: Engine) -> None:
    url = database_engine.url.render_as_string(hide_password=False)
    command.downgrade(alembic_config(url), 'base')
    assert set(inspect(database_engine).get_table_names()) == {'alembic_version'}
    migrate(url)
    assert {'user_account', 'task', 'auth_session'} <= set(
        inspect(database_engine).get_table_names()
    )
    assert _differences(database_engine) == []
    indexes = {ix['name'] for ix in inspect(database_engine).get_indexes('task')}
    assert 'ix_task_owner_list' in indexes


def test_upgrading_a_database_with_data_keeps_every_task_at_version_1(
    database_engine: Engine,
) -> None:
    url = database_engine.url.render_as_string(hide_password=False)
    command.downgrade(alembic_config(url), '0001')
    owner = uuid.uuid4()
    created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    done = created + timedelta(hours=1)
    rows = [
        {'id': 1, 'title': 'Open', 'description': 'words', 'completed': False, 'at': None},
        {'id': 2, 'title': 'Done', 'description': '', 'completed': True, 'at': done},
    ]
    try:
        with database_engine.begin() as connection:  # the tables as 0001 left them
            connection.execute(
                insert(USER_0001),
                {
                    'id': owner,
                    'email': 'kept@example.com',
                    'password_hash': 'x',
                    'created_at': created,
                },
            )
            connection.execute(
                insert(TASK_0001),
                [
                    {
                        'id': row['id'],
                        'owner_id': owner,
                        'title': row['title'],
                        'description': row['description'],
                        'completed': row['completed'],
                        'created_at': created,
                        'updated_at': created,
                        'completed_at': row['at'],
                    }
                    for row in rows
                ],
            )
        migrate(url)
        with database_engine.connect() as connection:
            kept = connection.execute(
                select(
                    Task.id,  # type: ignore[arg-type]
                    Task.owner_id,  # type: ignore[arg-type]
                    Task.title,  # type: ignore[arg-type]
                    Task.description,  # type: ignore[arg-type]
                    Task.completed,  # type: ignore[arg-type]
                    Task.created_at,  # type: ignore[arg-type]
                    Task.completed_at,  # type: ignore[arg-type]
                    Task.version,  # type: ignore[arg-type]
                ).order_by(Task.id)  # type: ignore[arg-type]
            ).all()
        assert [tuple(row) for row in kept] == [
            (1, owner, 'Open', 'words', False, created, None, 1),
            (2, owner, 'Done', '', True, created, done, 1),
        ]
        assert _differences(database_engine) == []
    finally:
        migrate(url)
        with database_engine.begin() as connection:
            connection.execute(text('DELETE FROM task'))
            connection.execute(text('DELETE FROM user_account'))
