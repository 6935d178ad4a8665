"""Real Chromium against a real `python main.py` on a free port, with its own data folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture(scope='session')
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Tasklight as a newcomer runs it: `python main.py`, SQLite, no other configuration."""
    port = _free_port()
    data_dir = tmp_path_factory.mktemp('browser-data')
    # NiceGUI believes it is under test when it sees PYTEST_* variables; the server is not.
    env = {key: value for key, value in os.environ.items() if not key.startswith('PYTEST')}
    for key in ('ENV', 'SECRET_KEY', 'DATABASE_URL', 'RATE_LIMIT_LOGIN', 'RATE_LIMIT_REGISTER'):
        env.pop(key, None)
    env.update(PORT=str(port), DATA_DIR=str(data_dir), RATE_LIMIT_REGISTER='100/minute')
    log = (data_dir / 'server.log').open('w')
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
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope='session')
def base_url(server: str) -> str:
    return server
