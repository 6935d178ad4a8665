"""The engine, one unit of work per user action, and schema migrations."""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from app.config import get_settings
from app.errors import Unavailable
from app.logs import Burst

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / 'migrations'

_engine: Engine | None = None
_engine_lock = threading.Lock()
_after_commit_hooks: list[Callable[[Session], None]] = []
# Set while migrating: schema changes may wait for other instances (advisory lock, table locks),
# so the per-statement limits meant for requests do not apply to them.
_migrating: ContextVar[bool] = ContextVar('tasklight_migrating', default=False)

# What "the database is in trouble" looks like: unreachable, restarting, a connection cut, the
# pool exhausted, a statement or lock wait cut short. Integrity and programming errors are bugs
# (or the caller's fault) and stay out of this list.
TROUBLE: tuple[type[Exception], ...] = (
    exc.OperationalError,  # psycopg OperationalError (QueryCanceled, LockNotAvailable, …), SQLite
    exc.InterfaceError,
    exc.DisconnectionError,
    exc.TimeoutError,  # no pooled connection free within DB_POOL_TIMEOUT
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
)


def is_trouble(error: BaseException) -> bool:
    """Whether `error` means the database cannot serve right now (503), not a bug (500)."""
    return isinstance(error, TROUBLE)


_trouble_log = Burst(log)


def unavailable(error: BaseException, *, url: str | None = None) -> Unavailable:
    """The 503 for database trouble, logged with its cause once per burst (never the password)."""
    where = describe(url) if url else _engine_location()
    cause = getattr(error, 'orig', None) or error
    first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    _trouble_log.warning(
        'database unavailable: %s: %s (%s)', type(cause).__name__, first_line, where
    )
    return Unavailable()


def _engine_location() -> str:
    engine = _engine
    return describe(engine.url.render_as_string()) if engine is not None else 'no engine'


def application_name() -> str:
    """How this instance's connections show in `pg_stat_activity` (≤ 63 bytes)."""
    return f'tasklight-{socket.gethostname()}-{os.getpid()}'[:63]


def describe(url: str) -> str:
    """`host:port/database` of a URL, for messages: never the user or the password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == 'sqlite':
        return parsed.database or ':memory:'
    return f'{parsed.host or "localhost"}:{parsed.port or 5432}/{parsed.database or ""}'


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    pool_timeout: float | None = None,
    connect_timeout: int | None = None,
    statement_timeout: float | None = None,
    lock_timeout: float | None = None,
) -> Engine:
    """An engine that gives up fast: each limit defaults to its DB_* setting (0 = no limit)."""
    settings = get_settings()
    lock_wait = settings.db_lock_timeout if lock_timeout is None else lock_timeout
    if url.startswith('sqlite'):
        # SQLite's busy timeout is its lock wait: another writer holds the file.
        busy = lock_wait if lock_wait > 0 and not _migrating.get() else 30.0
        pooling: dict[str, Any] = {}
        if make_url(url).database not in (None, '', ':memory:'):  # a file: a queue of connections
            pooling = {
                'pool_size': pool_size,
                'max_overflow': 0,
                'pool_timeout': settings.db_pool_timeout if pool_timeout is None else pool_timeout,
            }
        engine = create_engine(
            url, connect_args={'check_same_thread': False, 'timeout': busy}, **pooling
        )
        event.listen(
            engine, 'connect', partial(_sqlite_pragmas, synchronous=settings.sqlite_synchronous)
        )
        return engine
    parsed = make_url(url)
    connect_args: dict[str, Any] = {
        'connect_timeout': connect_timeout or settings.db_connect_timeout,
    }
    if 'application_name' not in parsed.query:
        connect_args['application_name'] = application_name()
    options = []
    statement_limit = (
        settings.db_statement_timeout if statement_timeout is None else statement_timeout
    )
    if not _migrating.get():
        if statement_limit > 0:
            options.append(f'-c statement_timeout={round(statement_limit * 1000)}')
        if lock_wait > 0:
            options.append(f'-c lock_timeout={round(lock_wait * 1000)}')
    if options:
        given = parsed.query.get('options')
        connect_args['options'] = ' '.join([*([given] if isinstance(given, str) else []), *options])
    # A fixed pool: overflow connections would be opened and closed per burst, and a new
    # PostgreSQL backend costs milliseconds. No pre-ping either (a round trip per checkout): a
    # connection broken by a database restart fails its request with 503, and SQLAlchemy then
    # replaces every pooled connection older than the failure.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout if pool_timeout is None else pool_timeout,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, synchronous: str = 'FULL') -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA journal_mode=WAL')
    # FULL: a commit is on disk before it is acknowledged; NORMAL (in WAL mode) may lose the
    # last commits on power loss. Measured cost: docs/performance.md, "SQLite durability".
    cursor.execute(f'PRAGMA synchronous={"NORMAL" if synchronous == "NORMAL" else "FULL"}')
    cursor.close()


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                settings = get_settings()
                url = settings.sqlalchemy_url
                if url.startswith('sqlite'):
                    settings.data_dir.mkdir(parents=True, exist_ok=True)
                _engine = make_engine(url, pool_size=settings.db_pool_size)
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Replace the process-wide engine (tests and tools that pick their own database)."""
    global _engine
    with _engine_lock:
        _engine = engine


def on_commit(hook: Callable[[Session], None]) -> None:
    """Run `hook(session)` after every successful commit made through `session_scope()`."""
    _after_commit_hooks.append(hook)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commit at the end, roll back on any exception."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        for hook in _after_commit_hooks:
            hook(session)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS_DIR))
    config.set_main_option('sqlalchemy.url', url.replace('%', '%%'))
    return config


def schema_filter(dialect: str) -> Callable[..., bool]:
    """Alembic's include_object on this kind of database: a model's object meant for another
    kind only (its `info['dialect']`, e.g. PostgreSQL's trigram indexes) is not compared."""

    def include(item: Any, _name: Any, _type: Any, reflected: bool, _compare_to: Any) -> bool:
        wanted = getattr(item, 'info', {}).get('dialect')
        return reflected or wanted is None or wanted == dialect

    return include


def migrate(url: str | None = None) -> None:
    """Bring the database up to the newest schema (safe to run from several instances at once)."""
    target = url or get_settings().sqlalchemy_url
    if target.startswith('sqlite'):
        get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    token = _migrating.set(True)
    try:
        command.upgrade(alembic_config(target), 'head')
    finally:
        _migrating.reset(token)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration in this build."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config('sqlite://')).get_current_head()
