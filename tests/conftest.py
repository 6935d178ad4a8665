"""Shared test set-up: an isolated data folder, and the service/API layers on both databases."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

# Before anything imports the settings: tests never touch a developer's ./data or .env values.
_DATA_DIR = tempfile.mkdtemp(prefix='tasklight-test-')
os.environ.update(
    ENV='test',
    DATA_DIR=_DATA_DIR,
    SECRET_KEY='test-secret-key-that-is-long-enough-for-hs256',
    DATABASE_URL=f'sqlite:///{_DATA_DIR}/ui.db',
    RATE_LIMIT_LOGIN='5/minute',
    RATE_LIMIT_REGISTER='1000/hour',
    ALLOWED_HOSTS='testserver,test',  # the API test client's and NiceGUI's simulated User's
)
os.environ.pop('REDIS_URL', None)


def _per_worker(name: str, worker: str) -> None:
    """Under pytest-xdist each worker gets a PostgreSQL database and a Redis db of its own, so
    one worker's truncations and counter resets never reach another's tests."""
    value = os.environ.get(name)
    if not value:
        return
    base, _, last = value.rpartition('/')
    if name == 'TEST_REDIS_URL' and last.isdigit():
        os.environ[name] = f'{base}/{max(0, int(last) - int(worker.removeprefix("gw") or 0))}'
    elif name == 'TEST_POSTGRES_URL':
        os.environ[name] = f'{base}/{last}_{worker}'


_WORKER = os.environ.get('PYTEST_XDIST_WORKER')
if _WORKER:
    os.environ.setdefault(
        'TEST_POSTGRES_URL', 'postgresql+psycopg://postgres:postgres@127.0.0.1:5432/tasklight_test'
    )
    for _name in ('TEST_POSTGRES_URL', 'TEST_REDIS_URL'):
        _per_worker(_name, _WORKER)
# Under `coverage run` (scripts/test), late in the suite the simulated-user tests started their
# app about 640 frames deep and hit Python's default limit of 1000 (RecursionError in NiceGUI's
# startup). Where the depth comes from is not found yet; until it is, give the suite headroom.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 4000))

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from app import db  # noqa: E402
from app.config import get_settings  # noqa: E402
from services import auth  # noqa: E402
from services.throttle import set_throttle  # noqa: E402
from tests.mailbox import Mailbox, smtp_server  # noqa: E402

POSTGRES_URL = os.environ.get(
    'TEST_POSTGRES_URL', 'postgresql+psycopg://postgres:postgres@127.0.0.1:5432/tasklight_test'
)
TABLES = (
    'list_member',
    'user_identity',
    'invitation',
    'task',
    'task_list',
    'auth_session',
    'user_account',
)


def _recreate_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = db.make_engine(
        target.set(database='postgres').render_as_string(hide_password=False), pool_size=1
    ).execution_options(isolation_level='AUTOCOMMIT')
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope='session', params=['sqlite', 'postgresql'])
def database_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A freshly migrated database of each kind, shared by the tests of that kind."""
    if request.param == 'sqlite':
        url = f'sqlite:///{tmp_path_factory.mktemp("sqlite") / "tasklight.db"}'
    else:
        url = POSTGRES_URL
        _recreate_postgres_database(url)
    db.migrate(url)
    engine = db.make_engine(url)
    yield engine
    db.set_engine(None)
    engine.dispose()


@pytest.fixture
def database(database_engine: Engine) -> Iterator[str]:
    """Point the app at this test's database (its dialect name) and empty every table afterwards."""
    engine = database_engine
    db.set_engine(engine)
    try:
        yield engine.dialect.name
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == 'postgresql':
                connection.execute(text(f'TRUNCATE {", ".join(TABLES)} CASCADE'))
            else:
                for table in TABLES:
                    connection.execute(text(f'DELETE FROM {table}'))


@pytest.fixture(autouse=True)
def _patient_simulated_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """NiceGUI's `should_see` gives up after 0.3 s, which a busy machine easily overruns: wait
    up to 10 s by default (it returns as soon as the element shows, so a passing test costs
    nothing). A test that passes its own `retries` keeps them."""
    from nicegui.testing import User

    original = User.should_see

    async def should_see(self: User, *args: Any, retries: int = 100, **kwargs: Any) -> None:
        await original(self, *args, retries=retries, **kwargs)

    monkeypatch.setattr(User, 'should_see', should_see)


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Rate-limit counters, cached sessions and settings start over in every test."""
    get_settings.cache_clear()
    set_throttle(None)
    auth.clear_session_cache()
    yield
    get_settings.cache_clear()
    set_throttle(None)
    auth.clear_session_cache()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set environment variables for this test and read the settings again (undone after)."""

    def apply(**env: str) -> None:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    return apply


@pytest.fixture
def mailbox(configure: Callable[..., None]) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on a free port, and the settings that send mail to it."""
    with smtp_server() as box:
        configure(**box.settings())
        yield box
