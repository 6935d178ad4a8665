"""The schema comes from migrations, and the migrations agree with the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import alembic_config, migrate


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
