"""`python main.py` with bad configurations: one line naming the cause and a non-zero exit,
never a server that answers 503 forever; and a good start that stops quietly on a signal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[1]
START = 60  # seconds: a generous bound for a busy machine, not a benchmark


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """No PYTEST_* (NiceGUI would think it is under test), no inherited Tasklight settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith('PYTEST')}
    for key in ('ENV', 'SECRET_KEY', 'DATABASE_URL', 'DATA_DIR', 'PORT', 'HOST'):
        env.pop(key, None)
    for key in [k for k in env if k.startswith(('RATE_LIMIT', 'DB_', 'LOG_', 'NICEGUI'))]:
        env.pop(key)
    env.update({'DATA_DIR': str(data_dir), 'PORT': str(free_port()), **settings})
    return env


def start_fails(data_dir: Path, **settings: str) -> tuple[int, str, str]:
    finished = subprocess.run(
        [sys.executable, 'main.py'],
        cwd=ROOT,
        env=server_env(data_dir, **settings),
        capture_output=True,
        text=True,
        timeout=START,
        check=False,
    )
    return finished.returncode, finished.stdout, finished.stderr


def database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def admin(sql: str) -> None:
    url = make_url(POSTGRES_URL).set(drivername='postgresql', database='postgres')
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ('url', 'reason'),
    [
        ('nonsense', 'Could not parse SQLAlchemy URL from given URL string'),
        ('mysql://user:secret-password@db/tasks', "No module named 'MySQLdb'"),
        (
            'postgresql://user:secret-password@db:port/tasks',
            "invalid literal for int() with base 10: 'port'",
        ),
    ],
)
def test_a_database_url_that_cannot_work_is_a_configuration_error(
    tmp_path: Path, url: str, reason: str
) -> None:
    code, _, err = start_fails(tmp_path, DATABASE_URL=url)
    line = f'configuration: DATABASE_URL: use sqlite:///path or postgresql://…: {reason}'
    assert (code, err) == (2, f'tasklight: {line}\n')


@pytest.mark.parametrize(
    ('settings', 'line'),
    [
        ({'PORT': '99999'}, 'configuration: PORT: Input should be less than or equal to 65535'),
        ({'SECRET_KEY': 'short'}, 'configuration: SECRET_KEY must be at least 32 characters'),
        (
            {'CORS_ORIGINS': '*'},
            'configuration: CORS_ORIGINS: CORS_ORIGINS must list explicit origins; '
            '"*" is not allowed',
        ),
        (
            {'ENV': 'production'},
            'configuration: ENV=production needs SECRET_KEY and DATABASE_URL to be set',
        ),
    ],
)
def test_a_configuration_error_is_one_line_and_exit_2(
    tmp_path: Path, settings: dict[str, str], line: str
) -> None:
    code, out, err = start_fails(tmp_path, **settings)
    assert (code, err) == (2, f'tasklight: {line}\n')
    assert 'ready to go' not in out


def test_an_unwritable_data_dir_is_named(tmp_path: Path) -> None:
    (tmp_path / 'file').write_text('a file, not a folder')
    target = tmp_path / 'file' / 'sub'
    code, _, err = start_fails(tmp_path, DATA_DIR=str(target))
    assert (code, err) == (1, f'tasklight: DATA_DIR {target} is not writable: Not a directory\n')


def test_a_closed_postgresql_port_is_named(tmp_path: Path) -> None:
    port = free_port()
    url = f'postgresql://postgres:secret-password@127.0.0.1:{port}/tasklight'
    code, out, err = start_fails(tmp_path, DATABASE_URL=url)
    assert code == 1
    assert err == (
        f'tasklight: cannot reach PostgreSQL at 127.0.0.1:{port}/tasklight: '
        f'connection to server at "127.0.0.1", port {port} failed: Connection refused\n'
    )
    assert 'ready to go' not in out


def test_a_host_that_accepts_and_never_answers_times_out(tmp_path: Path) -> None:
    with closing(socket.socket()) as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        url = f'postgresql://postgres:postgres@127.0.0.1:{port}/tasklight'
        started = time.monotonic()
        code, _, err = start_fails(tmp_path, DATABASE_URL=url, DB_CONNECT_TIMEOUT='1')
        elapsed = time.monotonic() - started
    assert (code, err) == (
        1,
        f'tasklight: cannot reach PostgreSQL at 127.0.0.1:{port}/tasklight: '
        'connection timeout expired\n',
    )
    assert elapsed < START / 2


def test_a_port_in_use_is_named_before_anything_says_ready(tmp_path: Path) -> None:
    with closing(socket.socket()) as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, out, err = start_fails(tmp_path, PORT=str(port))
    assert (code, err) == (1, f'tasklight: port {port} is in use: set PORT\n')
    assert 'ready to go' not in out


@contextmanager
def serving(data_dir: Path, **settings: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = server_env(data_dir, **settings)
    process = subprocess.Popen(
        [sys.executable, 'main.py'],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f'http://127.0.0.1:{env["PORT"]}'
    try:
        deadline = time.monotonic() + START
        while True:
            assert process.poll() is None, process.communicate()
            try:
                with urllib.request.urlopen(f'{url}/healthz', timeout=1) as response:  # noqa: S310
                    assert response.read() == b'{"status":"ok"}'
                break
            except OSError:
                assert time.monotonic() < deadline, 'the server did not come up'
                time.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def stop(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str]:
    process.send_signal(sig)
    _, err = process.communicate(timeout=START)
    return process.returncode, err


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_a_good_start_serves_and_a_signal_stops_it_quietly(
    tmp_path: Path, sig: signal.Signals
) -> None:
    with serving(tmp_path) as (process, url):
        with urllib.request.urlopen(f'{url}/readyz', timeout=5) as response:  # noqa: S310
            assert response.status == 200
        code, err = stop(process, sig)
    assert code == 0
    assert 'Traceback' not in err
    assert 'Error' not in err


def test_a_database_created_after_a_failed_start_is_used_on_the_next(tmp_path: Path) -> None:
    name = f'tasklight_start_{uuid.uuid4().hex[:8]}'
    url = database_url(name)
    code, _, err = start_fails(tmp_path, DATABASE_URL=url)
    assert code == 1
    assert err.endswith(
        f'database "{name}" does not exist (create it, then start Tasklight again)\n'
    )
    admin(f'CREATE DATABASE "{name}"')
    try:
        with serving(tmp_path, DATABASE_URL=url) as (process, base):
            with urllib.request.urlopen(f'{base}/readyz', timeout=5) as response:  # noqa: S310
                assert response.status == 200  # migrated by the start
            assert stop(process, signal.SIGTERM)[0] == 0
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sigterm_lets_a_request_in_flight_finish(tmp_path: Path) -> None:
    with serving(tmp_path, SHUTDOWN_GRACE_SECONDS='20') as (process, url):
        port = int(url.rsplit(':', 1)[1])
        body = b'{"email": "nobody@example.com", "password": "wrong password"}'
        with socket.create_connection(('127.0.0.1', port)) as sock:
            sock.sendall(
                b'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                b'Content-Type: application/json\r\n'
                b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body[:10]
            )
            time.sleep(0.3)  # the request is in flight, waiting for the rest of its body
            process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            assert process.poll() is None  # still draining
            sock.sendall(body[10:])
            sock.settimeout(START)
            answer = sock.recv(65536)
        assert answer.startswith(b'HTTP/1.1 401 ')
        _, err = process.communicate(timeout=START)
    assert process.returncode == 0
    assert 'Traceback' not in err


def test_sigterm_stops_waiting_after_the_grace_period(tmp_path: Path) -> None:
    with serving(tmp_path, SHUTDOWN_GRACE_SECONDS='1') as (process, url):
        port = int(url.rsplit(':', 1)[1])
        with socket.create_connection(('127.0.0.1', port)) as sock:
            sock.sendall(
                b'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em'
            )
            time.sleep(0.3)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=START)
            elapsed = time.monotonic() - started
    assert process.returncode == 0
    assert 1 <= elapsed < START / 2


def test_ctrl_c_while_waiting_for_the_database_exits_quietly(tmp_path: Path) -> None:
    with closing(socket.socket()) as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(8)
        silent.settimeout(START)
        port = silent.getsockname()[1]
        env = server_env(
            tmp_path,
            DATABASE_URL=f'postgresql://postgres:postgres@127.0.0.1:{port}/tasklight',
            DB_CONNECT_TIMEOUT='30',
        )
        process = subprocess.Popen(
            [sys.executable, 'main.py'], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            connection, _ = silent.accept()  # the pre-flight is waiting for an answer
            with connection:
                process.send_signal(signal.SIGINT)
                _, err = process.communicate(timeout=START)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert (process.returncode, err) == (0, '')
