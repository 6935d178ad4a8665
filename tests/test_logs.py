"""Request ids (believed only from a trusted proxy), log formats, the access log, bursts."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import web
from app import logs
from app.config import get_settings


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the configured handler writes, in the text format."""
    stream = io.StringIO()
    logs.configure(level='INFO', fmt='text', stream=stream)
    yield stream
    _unconfigure()


def _unconfigure() -> None:
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, 'tasklight', False)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def make_client(monkeypatch: pytest.MonkeyPatch, *, peer: str, **env: str) -> TestClient:
    for key, val in env.items():
        monkeypatch.setenv(key, val)
    get_settings.cache_clear()
    application = FastAPI()
    api_application = web.configure(application)  # /api/* is served by the API application

    @api_application.get('/api/echo')
    def echo() -> dict[str, str]:
        logging.getLogger('tasklight.test').info('inside the request')
        return {'request_id': logs.request_id.get()}

    return TestClient(application, client=(peer, 50000))


def test_a_request_gets_a_generated_id_echoed_and_seen_by_the_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = make_client(monkeypatch, peer='203.0.113.9')
    response = client.get('/api/echo')
    ident = response.headers['x-request-id']
    assert re.fullmatch(r'[0-9a-f]{32}', ident)
    assert response.json() == {'request_id': ident}
    assert client.get('/api/echo').headers['x-request-id'] != ident
    assert logs.request_id.get() == '-'  # nothing leaks out of the request


def test_a_trusted_proxy_may_name_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(monkeypatch, peer='10.0.0.5', FORWARDED_ALLOW_IPS='10.0.0.0/8')
    response = client.get('/api/echo', headers={'X-Request-ID': 'edge-7f3a.2_b'})
    assert response.headers['x-request-id'] == 'edge-7f3a.2_b'
    assert response.json() == {'request_id': 'edge-7f3a.2_b'}


@pytest.mark.parametrize('sent', ['x' * 65, 'has space', 'new\nline', 'ünï', ''])
def test_an_odd_id_from_a_trusted_proxy_is_replaced(
    monkeypatch: pytest.MonkeyPatch, sent: str
) -> None:
    client = make_client(monkeypatch, peer='10.0.0.5', FORWARDED_ALLOW_IPS='10.0.0.0/8')
    response = client.get('/api/echo', headers={'X-Request-ID': sent.encode('utf-8')})
    assert re.fullmatch(r'[0-9a-f]{32}', response.headers['x-request-id'])


def test_anyone_else_cannot_name_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    # The peer is untrusted, even when it claims to forward for a trusted address.
    client = make_client(monkeypatch, peer='198.51.100.7', FORWARDED_ALLOW_IPS='10.0.0.0/8')
    response = client.get(
        '/api/echo', headers={'X-Request-ID': 'chosen-id', 'X-Forwarded-For': '10.0.0.5'}
    )
    assert response.headers['x-request-id'] != 'chosen-id'


def test_text_lines_carry_time_level_logger_and_request_id(
    monkeypatch: pytest.MonkeyPatch, lines: io.StringIO
) -> None:
    client = make_client(monkeypatch, peer='10.0.0.5', FORWARDED_ALLOW_IPS='10.0.0.5')
    client.get('/api/echo', headers={'X-Request-ID': 'req-42'})
    line = next(x for x in lines.getvalue().splitlines() if 'inside the request' in x)
    stamp = r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z'
    assert re.fullmatch(stamp + r' INFO tasklight\.test \[req-42\] inside the request', line)


def test_json_format_is_one_object_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    logs.configure(level='INFO', fmt='json', stream=stream)
    try:
        client = make_client(monkeypatch, peer='10.0.0.5', FORWARDED_ALLOW_IPS='10.0.0.5')
        client.get('/api/echo', headers={'X-Request-ID': 'req-43'})
        try:
            raise ValueError('two\nlines')
        except ValueError:
            logging.getLogger('tasklight.test').exception('it failed')
    finally:
        _unconfigure()
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    inside = next(e for e in entries if e['message'] == 'inside the request')
    assert set(inside) == {'time', 'level', 'logger', 'request_id', 'message'}
    assert (inside['level'], inside['logger'], inside['request_id']) == (
        'INFO',
        'tasklight.test',
        'req-43',
    )
    failed = next(e for e in entries if e['message'] == 'it failed')
    assert 'ValueError: two\nlines' in failed['exception']


def test_access_log_has_the_path_without_its_query_and_skips_probes(
    monkeypatch: pytest.MonkeyPatch, lines: io.StringIO
) -> None:
    client = make_client(monkeypatch, peer='10.0.0.5', ACCESS_LOG='true')
    client.get('/api/echo?ticket=one-time-secret', headers={'X-Request-ID': 'r1'})
    client.get('/healthz')
    client.get('/readyz')
    access = [x for x in lines.getvalue().splitlines() if ' tasklight.access ' in x]
    assert len(access) == 1
    assert re.search(r'\[\w+\] GET /api/echo 200 \d+\.\dms 10\.0\.0\.5$', access[0])
    server = [x for x in lines.getvalue().splitlines() if ' httpx' not in x]  # not the client's
    assert not [x for x in server if 'one-time-secret' in x]


def test_access_log_is_off_by_default(monkeypatch: pytest.MonkeyPatch, lines: io.StringIO) -> None:
    client = make_client(monkeypatch, peer='10.0.0.5')
    client.get('/api/echo')
    assert ' tasklight.access ' not in lines.getvalue()


def test_uvicorn_access_log_is_silenced(lines: io.StringIO) -> None:
    logging.getLogger('uvicorn.access').info('GET /login?ticket=secret HTTP/1.1 200')
    logging.getLogger('uvicorn.error').warning('uvicorn says this')
    assert 'ticket=secret' not in lines.getvalue()
    assert 'WARNING uvicorn.error [-] uvicorn says this' in lines.getvalue()


def test_a_burst_is_logged_once_then_counted(caplog: pytest.LogCaptureFixture) -> None:
    clock = [1000.0]
    monkey = logs.time
    burst = logs.Burst(logging.getLogger('tasklight.test'), window=30)
    original = monkey.monotonic
    monkey.monotonic = lambda: clock[0]  # type: ignore[assignment]
    try:
        with caplog.at_level('WARNING', logger='tasklight.test'):
            assert burst.warning('database unavailable: %s', 'down')
            for _ in range(4):
                clock[0] += 5
                assert not burst.warning('database unavailable: %s', 'down')
            clock[0] += 30
            assert burst.warning('database unavailable: %s', 'down')
    finally:
        monkey.monotonic = original
    assert [r.getMessage() for r in caplog.records] == [
        'database unavailable: down',
        'database unavailable: down (and 4 more since the last such line)',
    ]


def test_behind_a_trusted_proxy_the_id_is_kept_and_the_client_is_the_forwarded_one(
    monkeypatch: pytest.MonkeyPatch, lines: io.StringIO
) -> None:
    # The request id is decided on the proxy's address (before X-Forwarded-For is applied);
    # the access log names the client the proxy forwarded for (after it is applied).
    client = make_client(
        monkeypatch, peer='10.0.0.5', FORWARDED_ALLOW_IPS='10.0.0.5', ACCESS_LOG='true'
    )
    response = client.get(
        '/api/echo', headers={'X-Request-ID': 'from-proxy', 'X-Forwarded-For': '203.0.113.7'}
    )
    assert response.headers['x-request-id'] == 'from-proxy'
    access = [x for x in lines.getvalue().splitlines() if ' tasklight.access ' in x]
    assert len(access) == 1
    assert re.search(r'\[from-proxy\] GET /api/echo 200 \d+\.\dms 203\.0\.113\.7$', access[0])
