"""Only requests for our own host names are answered (DNS rebinding), on HTTP and websockets."""

from __future__ import annotations

import asyncio
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message
from starlette.websockets import WebSocketDisconnect

from api import web
from app.config import get_settings
from app.middleware import AllowedHosts, allowed_host_names

LOOPBACK = {'localhost', '127.0.0.1', '[::1]'}


@pytest.mark.parametrize(
    ('host', 'allowed_hosts', 'expected'),
    [
        ('127.0.0.1', [], LOOPBACK),
        ('localhost', [], LOOPBACK),
        ('192.168.1.20', [], {*LOOPBACK, '192.168.1.20'}),
        ('fe80::1', [], {*LOOPBACK, '[fe80::1]'}),
        (
            '127.0.0.1',
            ['Tasks.Example.com', 'tasks.example.com:8443'],
            {*LOOPBACK, 'tasks.example.com'},
        ),
        ('0.0.0.0', ['tasks.example.com'], {*LOOPBACK, 'tasks.example.com'}),  # noqa: S104
        ('::', ['tasks.example.com'], {*LOOPBACK, 'tasks.example.com'}),
        ('0.0.0.0', [], None),  # noqa: S104
        ('::', [], None),
        ('', [], None),
    ],
)
def test_the_allowed_names_follow_host_and_allowed_hosts(
    host: str, allowed_hosts: list[str], expected: set[str] | None
) -> None:
    assert allowed_host_names(host, allowed_hosts) == expected


def _client(monkeypatch: pytest.MonkeyPatch, base_url: str, **env: str) -> TestClient:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    application = FastAPI()
    web.configure(application)
    return TestClient(application, base_url=base_url)


@pytest.mark.parametrize(
    'base_url',
    ['http://localhost:8080', 'http://127.0.0.1', 'http://[::1]:8080', 'http://LOCALHOST:1'],
)
def test_loopback_names_with_any_port_are_answered(
    monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    client = _client(monkeypatch, base_url, HOST='127.0.0.1', ALLOWED_HOSTS='')
    response = client.get('/api/auth/me')
    assert response.status_code == 401  # reached the API, which asks for a token


@pytest.mark.parametrize('base_url', ['http://evil.example', 'http://127.0.0.1.evil.example'])
def test_a_foreign_host_name_is_refused_with_400(
    monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    client = _client(monkeypatch, base_url, HOST='127.0.0.1', ALLOWED_HOSTS='')
    response = client.get('/api/auth/me')
    assert response.status_code == 400
    assert response.json() == {
        'detail': 'Unknown host: this server does not answer to that name (see ALLOWED_HOSTS).'
    }
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect('/_nicegui_ws/socket.io/?EIO=4&transport=websocket'),
    ):
        pass
    assert closed.value.code == 1008


def test_health_probes_are_answered_whatever_host_the_checker_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A proxy or orchestrator checks an upstream by its address (Host: 10.0.0.7:8080).
    client = _client(monkeypatch, 'http://10.0.0.7:8080', HOST='127.0.0.1', ALLOWED_HOSTS='')
    assert client.get('/healthz').status_code == 200
    assert client.get('/readyz').status_code in (200, 503)  # whatever the database says
    assert client.get('/login').status_code == 400  # everything else is still refused


def test_allowed_hosts_and_a_specific_host_are_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {'HOST': '192.168.1.20', 'ALLOWED_HOSTS': 'tasks.example.com'}
    for base_url in ('http://tasks.example.com', 'https://tasks.example.com:8443'):
        assert _client(monkeypatch, base_url, **env).get('/api/auth/me').status_code == 401
    assert (
        _client(monkeypatch, 'http://192.168.1.20:8080', **env).get('/api/auth/me').status_code
        == 401
    )
    assert _client(monkeypatch, 'http://evil.example', **env).get('/api/auth/me').status_code == 400


def test_a_wildcard_bind_without_allowed_hosts_answers_all_and_warns_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger='app.middleware'):
        client = _client(monkeypatch, 'http://evil.example', HOST='0.0.0.0', ALLOWED_HOSTS='')  # noqa: S104
        assert client.get('/api/auth/me').status_code == 401
        assert client.get('/api/auth/me').status_code == 401
    warnings = [record for record in caplog.records if 'ALLOWED_HOSTS' in record.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING


def test_no_warning_when_the_names_are_known(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger='app.middleware'):
        _client(monkeypatch, 'http://x', HOST='0.0.0.0', ALLOWED_HOSTS='tasks.example.com')  # noqa: S104
        _client(monkeypatch, 'http://x', HOST='127.0.0.1', ALLOWED_HOSTS='')
    assert [r for r in caplog.records if 'ALLOWED_HOSTS' in r.getMessage()] == []


def test_a_request_without_a_host_header_is_refused() -> None:
    reached = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        reached.append(scope)

    guard = AllowedHosts(app, host='127.0.0.1', allowed_hosts=[])
    sent: list[Message] = []

    async def receive() -> Message:
        return {'type': 'http.request', 'body': b''}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {'type': 'http', 'method': 'GET', 'path': '/', 'headers': []}
    asyncio.run(guard(scope, receive, send))
    assert reached == []
    assert sent[0]['status'] == 400
