"""Database trouble on SQLite and PostgreSQL: a fast `Unavailable` (503), never a long wait or a
500, and recovery as soon as the trouble ends."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine

from app import db
from app.errors import Unavailable
from services import tasks, uow
from tests.factories import make_task, make_user

# Correctness bounds, not benchmarks: a busy machine may be slow, never 30 s slow.
FAST = 5.0


def _url(engine: Engine, **query: str) -> str:
    return engine.url.update_query_dict(query).render_as_string(hide_password=False)


@contextmanager
def app_engine(url: str, **limits: float) -> Iterator[Engine]:
    """Point the app at an engine with these limits for the duration."""
    engine = db.make_engine(url, pool_size=int(limits.pop('pool_size', 2)), **limits)  # type: ignore[arg-type]
    previous = db.get_engine()
    db.set_engine(engine)
    try:
        yield engine
    finally:
        db.set_engine(previous)
        engine.dispose()


@contextmanager
def writer_holding_the_task_table(engine: Engine) -> Iterator[None]:
    """Another connection holds a write lock until the block ends."""
    with engine.connect() as connection:
        if engine.dialect.name == 'postgresql':
            connection.execute(text('LOCK TABLE task IN ACCESS EXCLUSIVE MODE'))
        else:
            connection.exec_driver_sql('BEGIN IMMEDIATE')  # SQLite: the one writer's lock
        try:
            yield
        finally:
            connection.rollback()


def test_a_held_row_lock_is_a_fast_unavailable_then_the_write_goes_through(
    database: str, database_engine: Engine
) -> None:
    owner = make_user()
    task = make_task(owner, title='Before')
    with app_engine(_url(database_engine), lock_timeout=0.3) as engine:
        with database_engine.connect() as other:
            if database == 'postgresql':
                other.execute(
                    text('SELECT id FROM task WHERE id = :id FOR UPDATE'), {'id': task.id}
                )
            else:
                other.exec_driver_sql('BEGIN IMMEDIATE')
            started = time.monotonic()
            with pytest.raises(Unavailable):
                uow.call(tasks.update_task, actor_id=owner.id, task_id=task.id, title='During')
            assert time.monotonic() - started < FAST
            other.rollback()
        changed = uow.call(tasks.update_task, actor_id=owner.id, task_id=task.id, title='After')
        assert changed.title == 'After'
        assert engine.pool.checkedout() == 0  # the failed unit of work gave its connection back


def test_sqlite_locked_by_another_writer_is_unavailable_never_an_error(
    database: str, database_engine: Engine
) -> None:
    owner = make_user()
    with app_engine(_url(database_engine), lock_timeout=0.3):
        with writer_holding_the_task_table(database_engine), pytest.raises(Unavailable):
            uow.call(tasks.create_task, actor_id=owner.id, title='Blocked', description='')
        created = uow.call(tasks.create_task, actor_id=owner.id, title='Free', description='')
    assert created.title == 'Free'
    with db.session_scope() as session:
        titles = [t.title for t in tasks.list_tasks(session, actor_id=owner.id).items]
    assert titles == ['Free']  # nothing half-written by the blocked attempt


def test_an_exhausted_pool_is_unavailable_within_the_pool_timeout(
    database: str, database_engine: Engine
) -> None:
    owner = make_user()
    with app_engine(_url(database_engine), pool_size=1, pool_timeout=0.5) as engine:
        with engine.connect():  # the only connection, held by someone else
            started = time.monotonic()
            with pytest.raises(Unavailable):
                uow.call(tasks.count_tasks, actor_id=owner.id)
            elapsed = time.monotonic() - started
        assert 0.4 <= elapsed < FAST
        assert uow.call(tasks.count_tasks, actor_id=owner.id).all == 0


def test_statement_timeout_cuts_a_long_statement_short(
    database: str, database_engine: Engine
) -> None:
    if database != 'postgresql':
        pytest.skip('SQLite has no statement timeout')

    def slow(session: object, **_: object) -> None:
        session.execute(text('SELECT pg_sleep(3)'))  # type: ignore[attr-defined]

    with app_engine(_url(database_engine), statement_timeout=0.2):
        started = time.monotonic()
        with pytest.raises(Unavailable):
            uow.call(slow)
        assert time.monotonic() - started < 2.5


def test_terminated_connections_are_unavailable_once_then_recover(
    database: str, database_engine: Engine
) -> None:
    if database != 'postgresql':
        pytest.skip('pg_terminate_backend is PostgreSQL')
    owner = make_user()
    name = f'tasklight-fault-{uuid.uuid4().hex[:8]}'
    with app_engine(_url(database_engine, application_name=name), pool_size=2) as engine:
        assert uow.call(tasks.count_tasks, actor_id=owner.id).all == 0  # a pooled connection
        with database_engine.connect() as admin:
            killed = admin.execute(
                text(
                    'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity '
                    'WHERE application_name = :name'
                ),
                {'name': name},
            ).scalar_one()
        assert killed >= 1
        outcomes = []
        for _ in range(2):
            try:
                outcomes.append(uow.call(tasks.count_tasks, actor_id=owner.id).all)
            except Unavailable:
                outcomes.append('503')
        # The stale connection fails its one request (or is already replaced); then all is well.
        assert outcomes in ([0, 0], ['503', 0])
        assert engine.pool.checkedout() == 0


def test_unreachable_database_is_unavailable_fast() -> None:
    with app_engine('postgresql+psycopg://tasklight:secret@127.0.0.1:1/nowhere'):
        started = time.monotonic()
        with pytest.raises(Unavailable):
            uow.call(tasks.count_tasks, actor_id=uuid.uuid4())
        assert time.monotonic() - started < FAST


def test_the_log_names_the_cause_once_per_burst_and_never_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    db._trouble_log.reset()
    url = 'postgresql+psycopg://tasklight:hunter2secret@127.0.0.1:1/nowhere'
    with app_engine(url), caplog.at_level('WARNING', logger='app.db'):
        for _ in range(5):
            with pytest.raises(Unavailable):
                uow.call(tasks.count_tasks, actor_id=uuid.uuid4())
    lines = [r.getMessage() for r in caplog.records if r.name == 'app.db']
    assert len(lines) == 1
    assert lines[0].startswith('database unavailable: OperationalError: ')
    assert lines[0].endswith('(127.0.0.1:1/nowhere)')
    assert 'hunter2secret' not in caplog.text
    db._trouble_log.reset()


@pytest.mark.parametrize(
    'error',
    [
        exc.OperationalError('SELECT 1', {}, Exception('database is locked')),
        exc.InterfaceError('SELECT 1', {}, Exception('connection already closed')),
        exc.DisconnectionError('gone'),
        exc.TimeoutError('QueuePool limit reached'),
    ],
)
def test_database_trouble_is_recognised(error: Exception) -> None:
    assert db.is_trouble(error)


@pytest.mark.parametrize(
    'error',
    [
        exc.IntegrityError('INSERT', {}, Exception('duplicate key')),
        exc.ProgrammingError('SELECT', {}, Exception('syntax error')),
        ValueError('a bug'),
    ],
)
def test_bugs_are_not_database_trouble(error: Exception) -> None:
    assert not db.is_trouble(error)


def test_application_name_is_set_on_postgresql_connections(
    database: str, database_engine: Engine
) -> None:
    if database != 'postgresql':
        pytest.skip('PostgreSQL only')
    engine = db.make_engine(_url(database_engine), pool_size=1)
    try:
        with engine.connect() as connection:
            name = connection.execute(text('SHOW application_name')).scalar_one()
            limits = connection.execute(
                text("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")
            ).one()
    finally:
        engine.dispose()
    assert name == db.application_name()
    assert name.startswith('tasklight-')
    assert tuple(limits) == ('3s', '15s')  # DB_LOCK_TIMEOUT, DB_STATEMENT_TIMEOUT defaults


def test_sqlite_synchronous_follows_the_setting(
    database: str, database_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database != 'sqlite':
        pytest.skip('SQLite only')
    from app.config import get_settings

    answers = {}
    for value, expected in (('FULL', 2), ('NORMAL', 1)):
        monkeypatch.setenv('SQLITE_SYNCHRONOUS', value)
        get_settings.cache_clear()
        engine = db.make_engine(_url(database_engine))
        with engine.connect() as connection:
            answers[value] = connection.exec_driver_sql('PRAGMA synchronous').scalar()
        engine.dispose()
        assert answers[value] == expected
    monkeypatch.delenv('SQLITE_SYNCHRONOUS')
    get_settings.cache_clear()
    engine = db.make_engine(_url(database_engine))
    with engine.connect() as connection:
        assert connection.exec_driver_sql('PRAGMA synchronous').scalar() == 2  # FULL by default
    engine.dispose()


def test_the_listen_connection_carries_the_application_name(
    database: str, database_engine: Engine
) -> None:
    if database != 'postgresql':
        pytest.skip('PostgreSQL only')
    from services.events import ChangeFeed, CrossInstanceListener

    listener = CrossInstanceListener(
        _url(database_engine), instance='elsewhere', changes=ChangeFeed(), ends=ChangeFeed()
    )
    listener.start()
    try:
        assert listener.listening.wait(10)
        with database_engine.connect() as connection:
            names = connection.execute(
                text(
                    'SELECT application_name FROM pg_stat_activity '
                    "WHERE datname = current_database() AND query LIKE 'LISTEN%%'"
                )
            ).scalars()
            assert set(names) == {db.application_name()}
    finally:
        listener.stop()


def test_an_in_memory_sqlite_engine_still_works() -> None:
    engine = db.make_engine('sqlite://')  # one shared connection: no queue to time out on
    with engine.connect() as connection:
        assert connection.execute(text('SELECT 1')).scalar_one() == 1
    engine.dispose()
