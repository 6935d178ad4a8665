"""/metrics: who may read it, route templates as labels, counts that move, live values."""

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
from app.config import get_settings
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
    """A scraper on the instance's own host."""
    return _client(monkeypatch, peer='127.0.0.1')


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


def test_refused_from_outside_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    outside = _client(monkeypatch, peer='203.0.113.7')
    response = outside.get('/metrics')
    assert response.status_code == 403
    assert 'tasklight_http_requests' not in response.text


def test_refused_through_the_proxy_even_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """nginx on the same host is a loopback peer; what it forwards is someone else's request."""
    local = _client(monkeypatch, peer='127.0.0.1')
    response = local.get('/metrics', headers={'X-Forwarded-For': '203.0.113.7'})
    assert response.status_code == 403


def test_the_proxys_network_may_scrape_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    scraper = _client(monkeypatch, peer='10.0.0.9', FORWARDED_ALLOW_IPS='10.0.0.0/24')
    assert scraper.get('/metrics').status_code == 200
    everyone = _client(monkeypatch, peer='10.0.0.9', FORWARDED_ALLOW_IPS='*')
    assert everyone.get('/metrics').status_code == 403  # "trust every proxy" opens nothing here


def test_a_token_opens_it_from_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    outside = _client(monkeypatch, peer='203.0.113.7', METRICS_TOKEN=TOKEN)
    refused = outside.get('/metrics')
    assert refused.status_code == 401
    assert refused.headers['www-authenticate'] == 'Bearer'
    wrong = outside.get('/metrics', headers={'Authorization': f'Bearer {TOKEN}x'})
    assert wrong.status_code == 401
    proxied = outside.get(
        '/metrics',
        headers={'Authorization': f'Bearer {TOKEN}', 'X-Forwarded-For': '198.51.100.1'},
    )
    assert proxied.status_code == 200
    assert 'tasklight_http_requests_total' in proxied.text


def test_a_short_token_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('METRICS_TOKEN', 'short')
    get_settings.cache_clear()
    with pytest.raises(ValueError, match='metrics_token'):
        get_settings()
    monkeypatch.setenv('METRICS_TOKEN', '')  # an empty line in .env: no token
    get_settings.cache_clear()
    assert get_settings().metrics_token is None


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
