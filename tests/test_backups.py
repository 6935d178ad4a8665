"""The backup, restore and rolling-upgrade procedures of docs/operations.md, run for real:
`pg_dump` / `pg_restore` on PostgreSQL, SQLite's online backup, and the previous release's
statements against today's schema (what an old instance does while a new one has migrated)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from app import db
from app.db import session_scope
from services import lists, sharing, tasks
from tests.factories import make_user


def _everything(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table that holds people's data, in a stable order."""
    tables = {
        'user_account': 'SELECT id, email, password_hash, time_zone, is_admin FROM user_account',
        'task_list': 'SELECT id, owner_id, name, colour, position, version FROM task_list',
        'list_member': 'SELECT list_id, user_id, role FROM list_member',
        'task': 'SELECT id, owner_id, list_id, title, position, due_date, assignee_id FROM task',
    }
    with engine.connect() as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(text(query))), key=repr)
            for name, query in tables.items()
        }


def _some_data() -> None:
    owner, member = make_user(), make_user()
    with session_scope() as s:
        team = lists.create_list(s, actor_id=owner.id, name='Team', colour='teal')
        sharing.share_list(s, actor_id=owner.id, list_id=team.id, email=member.email, role='editor')
        for number in range(5):
            tasks.create_task(s, actor_id=owner.id, title=f'Task {number}', list_id=team.id)
        tasks.create_task(s, actor_id=member.id, title='Own', assignee_id=member.id)


def test_pg_dump_and_pg_restore_bring_back_every_row(database: str, tmp_path: Path) -> None:
    if database != 'postgresql':
        pytest.skip('pg_dump is the PostgreSQL procedure; SQLite has its own test')
    if shutil.which('pg_dump') is None or shutil.which('pg_restore') is None:
        pytest.skip('pg_dump and pg_restore are not installed (apt-get install postgresql-client)')
    _some_data()
    engine = db.get_engine()
    before = _everything(engine)
    url = make_url(engine.url.render_as_string(hide_password=False))
    plain = url.set(drivername='postgresql')
    dump = tmp_path / 'tasklight.dump'
    # As in docs/operations.md: a custom-format dump, consistent while the instances run.
    subprocess.run(
        [
            'pg_dump',
            '--format=custom',
            '--no-owner',
            f'--file={dump}',
            plain.render_as_string(hide_password=False),
        ],
        check=True,
        timeout=120,
    )
    restored_name = f'{url.database}_restored'
    admin = db.make_engine(
        url.set(database='postgres').render_as_string(hide_password=False), pool_size=1
    ).execution_options(isolation_level='AUTOCOMMIT')
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{restored_name}"'))
    restored_url = url.set(database=restored_name).render_as_string(hide_password=False)
    try:
        subprocess.run(
            [
                'pg_restore',
                '--no-owner',
                '--exit-on-error',
                f'--dbname={plain.set(database=restored_name).render_as_string(hide_password=False)}',
                str(dump),
            ],
            check=True,
            timeout=120,
        )
        db.migrate(restored_url)  # already at head: a no-op, as after any restore
        restored = db.make_engine(restored_url)
        try:
            assert _everything(restored) == before
            with restored.connect() as connection:  # ids go on where they left off
                next_id = connection.execute(text("SELECT nextval('task_id_seq')")).scalar_one()
            assert next_id > max(row[0] for row in before['task'])
        finally:
            restored.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)'))
        admin.dispose()


def test_sqlite_online_backup_is_a_complete_database(database: str, tmp_path: Path) -> None:
    if database != 'sqlite':
        pytest.skip('the SQLite procedure')
    _some_data()
    engine = db.get_engine()
    before = _everything(engine)
    source_path = engine.url.database
    assert source_path is not None
    copy = tmp_path / 'backup.db'
    # What `sqlite3 data/tasklight.db ".backup backup.db"` does, safe while the server writes.
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    url = f'sqlite:///{copy}'
    db.migrate(url)
    restored = db.make_engine(url)
    try:
        assert _everything(restored) == before
    finally:
        restored.dispose()


def test_the_previous_releases_statements_still_run_on_the_new_schema(database: str) -> None:
    """A rolling upgrade: the first new instance migrates while old ones still serve. Migration
    0005 only adds (nullable columns, columns with defaults, tables), so what the 0004 release
    writes and reads keeps working, and its rows get the new columns' defaults."""
    engine = db.get_engine()
    sqlite = engine.dialect.name == 'sqlite'
    person = uuid.uuid4()
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    stamp = now.replace(tzinfo=None) if sqlite else now
    who = person.hex if sqlite else person
    with engine.begin() as connection:  # the INSERTs of the 0004 release, column for column
        connection.execute(
            text(
                'INSERT INTO user_account (id, email, password_hash, created_at, time_zone, '
                "week_start, theme) VALUES (:id, 'old@example.com', 'x', :now, 'UTC', 'monday', "
                "'system')"
            ),
            {'id': who, 'now': stamp},
        )
        list_id = connection.execute(
            text(
                'INSERT INTO task_list (owner_id, name, colour, position, is_inbox, sort, '
                "created_at, updated_at, version) VALUES (:owner, 'Inbox', 'grey', 0, :yes, "
                "'manual', :now, :now, 1) RETURNING id"
            ),
            {'owner': who, 'yes': True, 'now': stamp},
        ).scalar_one()
        connection.execute(
            text(
                'INSERT INTO task (owner_id, list_id, position, title, description, completed, '
                'created_at, updated_at, version, priority) VALUES '
                "(:owner, :list, 1, 'From an old instance', '', :no, :now, :now, 1, 0)"
            ),
            {'owner': who, 'list': list_id, 'no': False, 'now': stamp},
        )
        old_read = connection.execute(
            text(
                'SELECT id, list_id, title, completed, version, position, due_date, due_time, '
                'due_at, priority FROM task WHERE owner_id = :owner'
            ),
            {'owner': who},
        ).one()
    assert old_read.title == 'From an old instance'
    with session_scope() as s:  # and the new release reads it, with the new columns' defaults
        found = tasks.list_tasks(s, actor_id=person).items
        mine = lists.list_lists(s, actor_id=person)
    assert [(t.title, t.assignee_id) for t in found] == [('From an old instance', None)]
    assert [(entry.name, entry.role, entry.members) for entry in mine] == [('Inbox', 'owner', [])]
    with engine.connect() as connection:
        flags = connection.execute(
            text('SELECT is_admin, deactivated_at FROM user_account WHERE id = :id'),
            {'id': who},
        ).one()
    assert tuple(flags) == (False, None)
