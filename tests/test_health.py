"""Probes, the SIGTERM readiness flip, and bounded idle and slow-header connections."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import web
from app import db, health, serving
from tests.test_db_faults import FAST, app_engine

UNREACHABLE = 'postgresql+psycopg://postgres:postgres@127.0.0.1:1/nowhere'


@pytest.fixture
def client() -> Iterator[TestClient]:
    application = FastAPI()
    web.configure(application)
    health.reset()
    yield TestClient(application)
    health.reset()


def test_healthz_answers_without_the_database(client: TestClient) -> None:
    with app_engine(UNREACHABLE):
        response = client.get('/healthz')
        assert client.head('/healthz').status_code == 200  # uptime checkers that probe with HEAD
    assert response.status_code == 200
    assert response.json() == {'status': 'ok'}
    assert response.headers['cache-control'] == 'no-store'


def test_readyz_is_ready_on_a_migrated_database(client: TestClient, database: str) -> None:
    assert client.get('/readyz').json() == {'status': 'ready'}
    assert client.get('/readyz').status_code == 200  # and again, from the remembered check


def test_readyz_is_a_fast_503_when_the_database_is_unreachable(client: TestClient) -> None:
    with app_engine(UNREACHABLE):
        started = time.monotonic()
        response = client.get('/readyz')
        assert time.monotonic() - started < FAST
    assert response.status_code == 503
    assert response.json() == {'status': 'unavailable', 'detail': 'database unavailable'}
    assert response.headers['retry-after'] == '5'


def test_readyz_is_503_until_the_database_is_migrated(
    client: TestClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = f'sqlite:///{tmp_path_factory.mktemp("empty") / "empty.db"}'
    with app_engine(url):
        assert client.get('/readyz').json() == {
            'status': 'unavailable',
            'detail': 'database not migrated',
        }
        db.migrate(url)
        assert client.get('/readyz').status_code == 200


def test_readyz_turns_503_the_moment_an_exit_signal_arrives(
    client: TestClient, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uvicorn.Server, 'handle_exit', uvicorn.Server.handle_exit)  # restored
    assert client.get('/readyz').status_code == 200
    server = uvicorn.Server(uvicorn.Config(FastAPI()))
    serving.on_exit_signal(health.mark_stopping)
    serving.on_exit_signal(health.mark_stopping)  # installing twice does not stack
    server.handle_exit(signal.SIGTERM, None)
    assert server.should_exit
    response = client.get('/readyz')
    assert response.status_code == 503
    assert response.json() == {'status': 'unavailable', 'detail': 'stopping'}
    assert client.get('/healthz').status_code == 200  # the process still answers


def test_probes_are_not_in_the_api_schema(client: TestClient) -> None:
    paths = client.get('/openapi.json').json()['paths']
    assert '/healthz' not in paths
    assert '/readyz' not in paths


# ---- Connections that never finish their headers (raw sockets against a real uvicorn).


async def _hello(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
    assert scope['type'] == 'http'
    headers = [(b'content-length', b'5')]
    await send({'type': 'http.response.start', 'status': 200, 'headers': headers})  # type: ignore[operator]
    await send({'type': 'http.response.body', 'body': b'hello'})  # type: ignore[operator]


@contextmanager
def uvicorn_on_a_free_port(**options: object) -> Iterator[int]:
    config = uvicorn.Config(
        _hello, host='127.0.0.1', port=0, log_level='warning', lifespan='off', **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, 'uvicorn did not start'
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds` (reading whatever it sends)."""
    sock.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if sock.recv(4096) == b'':
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return False


@pytest.mark.parametrize('protocol', ['httptools', 'h11'])
def test_plain_uvicorn_keeps_a_half_sent_request_open(protocol: str) -> None:
    """What was measured: neither idle nor half-sent connections have any deadline."""
    with (
        uvicorn_on_a_free_port(timeout_keep_alive=0.3, http=protocol) as port,
        socket.create_connection(('127.0.0.1', port)) as idle,
        socket.create_connection(('127.0.0.1', port)) as half,
    ):
        half.sendall(b'GET /slow HTT')
        assert not closed_within(half, 1.5)
        assert not closed_within(idle, 0.1)


@pytest.mark.parametrize('sent', [b'', b'GET / HTT', b'GET / HTTP/1.1\r\nHost: x\r\n'])
def test_a_connection_that_does_not_finish_its_headers_is_closed(sent: bytes) -> None:
    with (
        uvicorn_on_a_free_port(http=serving.header_deadline(0.5)) as port,
        socket.create_connection(('127.0.0.1', port)) as sock,
    ):
        started = time.monotonic()
        sock.sendall(sent)
        assert closed_within(sock, FAST)
        assert time.monotonic() - started >= 0.4


def test_keep_alive_connections_answer_and_then_close_when_idle() -> None:
    options = {'http': serving.header_deadline(0.5), 'timeout_keep_alive': 0.5}
    with uvicorn_on_a_free_port(**options) as port:
        with socket.create_connection(('127.0.0.1', port)) as sock:
            for _ in range(2):  # a slow but timely client, twice on one connection
                sock.sendall(b'GET / HTTP/1.1\r\n')
                time.sleep(0.2)
                sock.sendall(b'Host: x\r\n\r\n')
                assert read_response(sock).endswith(b'hello')
            sock.sendall(b'GET / HT')  # the next request starts and stalls
            assert closed_within(sock, FAST)
        with socket.create_connection(('127.0.0.1', port)) as sock:
            sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
            assert read_response(sock).endswith(b'hello')
            assert closed_within(sock, FAST)  # idle after a response: the keep-alive bound


def read_response(sock: socket.socket) -> bytes:
    sock.settimeout(FAST)
    data = b''
    while not data.endswith(b'hello'):
        chunk = sock.recv(4096)
        assert chunk, f'closed early after {data!r}'
        data += chunk
    return data


def test_the_server_runs_with_the_deadline_and_bounded_keep_alive() -> None:
    options = serving.uvicorn_options(shutdown_grace_seconds=7)
    assert options['http'] is serving.HeaderDeadline
    assert serving.HeaderDeadline.header_timeout == serving.HEADER_TIMEOUT
    assert options['timeout_keep_alive'] == serving.KEEP_ALIVE_TIMEOUT
    assert options['timeout_graceful_shutdown'] == 7
    assert options['access_log'] is False
