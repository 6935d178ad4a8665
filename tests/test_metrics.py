"""/metrics: off by default, who may read it once on, route templates as labels, counts that
move, live values."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from api import web
from app import db, metrics
from app.config import ConfigError, get_settings
from services.events import INSTANCE, ChangeFeed, CrossInstanceListener
from tests.factories import make_task, make_user
from tests.services.test_events import wait_for

TOKEN = 'a-metrics-token-for-tests'


def _client(monkeypatch: pytest.MonkeyPatch, *, peer: str, **env: str) -> TestClient:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    application = FastAPI()
    web.configure(application)
    return TestClient(application, client=(peer, 50000))


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """A scraper on the instance's own host, where METRICS=local serves it."""
    return _client(monkeypatch, peer='127.0.0.1', METRICS='local')


def _count(route: str, status: str, method: str = 'GET') -> float:
    value = metrics.REGISTRY.get_sample_value(
        'tasklight_http_requests_total', {'method': method, 'route': route, 'status': status}
    )
    return value or 0.0


def test_counts_move_by_route_template_not_by_path(local: TestClient) -> None:
    route = '/api/tasks/{task_id}'
    before = _count(route, '401')
    for task_id in (1, 2, 3):
        assert local.get(f'/api/tasks/{task_id}').status_code == 401
    assert _count(route, '401') == before + 3
    latency = metrics.REGISTRY.get_sample_value(
        'tasklight_http_request_duration_seconds_count', {'method': 'GET', 'route': route}
    )
    assert latency is not None
    assert latency >= 3

    text = local.get('/metrics').text
    assert 'route="/api/tasks/{task_id}"' in text
    assert '/api/tasks/1"' not in text
    assert '/api/tasks/2"' not in text


def test_a_mounted_app_is_one_label(monkeypatch: pytest.MonkeyPatch) -> None:
    """NiceGUI serves its static files and socket.io from mounts."""

    async def files(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse('file')(scope, receive, send)

    get_settings.cache_clear()
    application = FastAPI()
    application.mount('/_static', files)
    web.configure(application)
    client = TestClient(application, client=('127.0.0.1', 50000))
    before = _count('/_static/{path}', '200')
    assert client.get('/_static/a.js').text == 'file'
    assert client.get('/_static/b/c.css').text == 'file'
    assert _count('/_static/{path}', '200') == before + 2


def test_unknown_paths_share_one_label(local: TestClient) -> None:
    before = _count(metrics.UNMATCHED, '404')
    probe = f'/wp-admin/{uuid.uuid4().hex}'
    assert local.get(probe).status_code == 404
    assert _count(metrics.UNMATCHED, '404') == before + 1
    assert probe not in local.get('/metrics').text


@pytest.fixture
def three_dashboards() -> Iterator[None]:
    """main.py counts NiceGUI's connected clients; the real count is checked in the browser
    test of two instances (tests/browser/test_deploy.py)."""
    metrics.count_dashboards(lambda: 3)
    yield
    metrics.count_dashboards(None)


@pytest.mark.usefixtures('three_dashboards')
def test_live_values_and_process_metrics_are_exported(local: TestClient, database: str) -> None:
    response = local.get('/metrics')
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/plain; version=')
    assert response.headers['cache-control'] == 'no-store'
    text = response.text
    assert 'tasklight_dashboards_connected 3.0' in text
    pool = db.get_engine().pool
    assert f'tasklight_db_pool_size {float(pool.size())}' in text  # type: ignore[attr-defined]
    assert 'tasklight_db_pool_checked_out 0.0' in text
    assert 'process_resident_memory_bytes' in text
    assert 'tasklight_events_listening' in text


def test_off_by_default_like_any_unknown_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting, no route: even a scraper on loopback gets the 404 of a path that isn't."""
    for peer in ('127.0.0.1', '10.0.0.9', '203.0.113.7'):
        client = _client(monkeypatch, peer=peer, FORWARDED_ALLOW_IPS='10.0.0.0/24')
        before = _count(metrics.UNMATCHED, '404')
        response = client.get('/metrics')
        assert response.status_code == 404
        assert 'tasklight_http_requests' not in response.text
        assert _count(metrics.UNMATCHED, '404') == before + 1  # no route answered
        assert response.json() == client.get(f'/{uuid.uuid4().hex}').json()


def test_local_serves_loopback_scrapers_that_reach_it_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_the_host = _client(monkeypatch, peer='127.0.0.1', METRICS='local')
    assert on_the_host.get('/metrics').status_code == 200
    assert _client(monkeypatch, peer='::1', METRICS='local').get('/metrics').status_code == 200
    # nginx on the same host is a loopback peer; what it forwards is someone else's request.
    proxied = on_the_host.get('/metrics', headers={'X-Forwarded-For': '127.0.0.1'})
    assert proxied.status_code == 404
    assert 'tasklight_http_requests' not in proxied.text
    outside = _client(monkeypatch, peer='203.0.113.7', METRICS='local')
    assert outside.get('/metrics').status_code == 404
    # A trusted proxy's network is not loopback: without a token it scrapes nothing.
    network = _client(
        monkeypatch, peer='10.0.0.9', METRICS='local', FORWARDED_ALLOW_IPS='10.0.0.0/24'
    )
    assert network.get('/metrics').status_code == 404


def test_a_token_is_required_from_everyone_once_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for peer in ('203.0.113.7', '127.0.0.1'):  # loopback too: the token is the only way in
        client = _client(monkeypatch, peer=peer, METRICS_TOKEN=TOKEN)
        refused = client.get('/metrics')
        assert refused.status_code == 401
        assert refused.headers['www-authenticate'] == 'Bearer'
        assert 'tasklight_http_requests' not in refused.text
        for wrong in (f'Bearer {TOKEN}x', f'Bearer {TOKEN[:-1]}', TOKEN, f'Basic {TOKEN}'):
            assert client.get('/metrics', headers={'Authorization': wrong}).status_code == 401
        proxied = client.get(
            '/metrics',
            headers={'Authorization': f'Bearer {TOKEN}', 'X-Forwarded-For': '198.51.100.1'},
        )
        assert proxied.status_code == 200
        assert 'tasklight_http_requests_total' in proxied.text


def test_the_settings_turn_it_on_one_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('METRICS_TOKEN', 'short')
    get_settings.cache_clear()
    with pytest.raises(ValueError, match='metrics_token'):
        get_settings()
    monkeypatch.setenv('METRICS_TOKEN', '')  # an empty line in .env: no token
    monkeypatch.setenv('METRICS', '')
    get_settings.cache_clear()
    assert get_settings().metrics_token is None
    assert not get_settings().metrics_enabled
    monkeypatch.setenv('METRICS', 'everyone')
    get_settings.cache_clear()
    with pytest.raises(ValueError, match='metrics'):
        get_settings()
    monkeypatch.setenv('METRICS', 'Local')
    monkeypatch.setenv('METRICS_TOKEN', TOKEN)
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match='set only one of them'):
        get_settings()


@pytest.fixture
def listener(database: str) -> Iterator[CrossInstanceListener]:
    if database != 'postgresql':
        pytest.skip('the cross-instance channel is PostgreSQL LISTEN/NOTIFY')
    running = CrossInstanceListener(
        db.get_engine().url.render_as_string(hide_password=False),
        instance='metrics-' + INSTANCE,
        changes=ChangeFeed(),
        ends=ChangeFeed(),
    )
    running.start()
    assert running.listening.wait(10)
    yield running
    running.stop()


def test_the_channel_reports_its_lag_and_deliveries(listener: CrossInstanceListener) -> None:
    def sample(name: str, labels: dict[str, str] | None = None) -> float:
        return metrics.REGISTRY.get_sample_value(name, labels or {}) or 0.0

    assert sample('tasklight_events_listening') == 1.0
    # The listener probes its own channel as soon as it listens.
    assert wait_for(lambda: sample('tasklight_events_round_trip_seconds_count') >= 1)
    assert 0 < sample('tasklight_events_round_trip_seconds_sum') < 5
    received = sample('tasklight_events_received_total', {'kind': 'tasks'})
    make_task(make_user())  # this process's change reaches the "other instance" listener
    assert wait_for(lambda: sample('tasklight_events_received_total', {'kind': 'tasks'}) > received)
