"""The engine, one unit of work per user action, and schema migrations."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.config import get_settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / 'migrations'

_engine: Engine | None = None
_engine_lock = threading.Lock()
_after_commit_hooks: list[Callable[[Session], None]] = []


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith('sqlite'):
        engine = create_engine(url, connect_args={'check_same_thread': False, 'timeout': 30})
        event.listen(engine, 'connect', _sqlite_pragmas)
        return engine
    # A fixed pool: overflow connections would be opened and closed per burst, and a new
    # PostgreSQL backend costs milliseconds. No pre-ping either (a round trip per checkout): a
    # connection broken by a database restart fails its request with 503 and is replaced.
    return create_engine(
        url, pool_size=pool_size, max_overflow=0, pool_timeout=30, pool_recycle=1800
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
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


def migrate(url: str | None = None) -> None:
    """Bring the database up to the newest schema (safe to run from several instances at once)."""
    target = url or get_settings().sqlalchemy_url
    if target.startswith('sqlite'):
        get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(target), 'head')
