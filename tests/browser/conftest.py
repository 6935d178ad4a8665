"""Real Chromium against a real `python main.py` on a free port, with its own data folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bench.common import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get('CHROMIUM_PATH', '/usr/bin/chromium')


@pytest.fixture(scope='session')
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        'executable_path': CHROMIUM,
        'args': CHROMIUM_ARGS,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_main(data_dir: Path, *, port: int | None = None, **settings: str) -> Iterator[str]:
    """`python main.py` on `port` (else a free one) with its own data folder; yields its URL.
    Its output is added to `server.log` in the data folder, across restarts."""
    port = port or _free_port()
    # NiceGUI believes it is under test when it sees PYTEST_* variables; the server is not.
    env = {key: value for key, value in os.environ.items() if not key.startswith('PYTEST')}
    for key in ('ENV', 'SECRET_KEY', 'DATABASE_URL', 'RATE_LIMIT_LOGIN', 'RATE_LIMIT_REGISTER'):
        env.pop(key, None)
    env.update(PORT=str(port), DATA_DIR=str(data_dir), RATE_LIMIT_REGISTER='100/minute')
    env.update(settings)
    log = (data_dir / 'server.log').open('a')
    process = subprocess.Popen(
        [sys.executable, 'main.py'], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f'{url}/login', timeout=1).close()  # noqa: S310 - local
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError((data_dir / 'server.log').read_text()) from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope='session')
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Tasklight as a newcomer runs it: `python main.py`, SQLite, no other configuration."""
    with running_main(tmp_path_factory.mktemp('browser-data')) as url:
        yield url


@pytest.fixture(scope='session')
def two_instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A team deployment in miniature: two instances on one fresh PostgreSQL database."""
    base = make_url(
        os.environ.get(
            'TEST_POSTGRES_URL',
            'postgresql+psycopg://postgres:postgres@127.0.0.1:5432/tasklight_test',
        )
    )
    # Named after the test database, so that two checkouts testing at once never share it.
    name = f'{base.database}_browser'
    target = base.set(database=name)
    admin = base.set(drivername='postgresql', database='postgres')
    try:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.skip(f'PostgreSQL is not reachable: {error}')
    shared = {
        'DATABASE_URL': target.render_as_string(hide_password=False),
        'SECRET_KEY': 'browser-test-secret-shared-by-both-instances',
    }
    with (
        running_main(tmp_path_factory.mktemp('instance-a'), **shared) as first,
        running_main(tmp_path_factory.mktemp('instance-b'), **shared) as second,
    ):
        yield first, second


@pytest.fixture(scope='session')
def base_url(server: str) -> str:
    return server
