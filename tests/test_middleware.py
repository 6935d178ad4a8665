from __future__ import annotations

import os
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app import web
from app.errors import RateLimited
from services.throttle import Throttle

WS_PATH = '/_nicegui_ws/socket.io/?EIO=4&transport=polling'


@pytest.fixture
def client() -> TestClient:
    application = FastAPI()
    web.configure(application)
    return TestClient(application, base_url='http://tasks.example')


@pytest.mark.parametrize(
    'origin', ['https://evil.example', 'null', 'http://tasks.example.evil.com']
)
def test_websocket_handshake_from_a_foreign_origin_is_refused(
    client: TestClient, origin: str
) -> None:
    response = client.get(WS_PATH, headers={'Origin': origin})
    assert response.status_code == 403
    assert response.json() == {'detail': 'Cross-origin connection refused.'}


@pytest.mark.parametrize('headers', [{'Origin': 'http://tasks.example'}, {}])
def test_websocket_handshake_from_this_site_passes(
    client: TestClient, headers: dict[str, str]
) -> None:
    # Passes the middleware: this bare app has no socket.io behind it, hence 404.
    assert client.get(WS_PATH, headers=headers).status_code == 404


def test_websocket_upgrade_from_a_foreign_origin_is_closed(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(
            '/_nicegui_ws/socket.io/?EIO=4&transport=websocket',
            headers={'Origin': 'https://evil.example'},
        ),
    ):
        pass
    assert closed.value.code == 1008


@pytest.mark.skipif(
    not os.environ.get('TEST_REDIS_URL'), reason='needs TEST_REDIS_URL (scripts/test sets it)'
)
def test_redis_counters_are_shared_between_instances() -> None:
    """Two instances with the same REDIS_URL enforce one budget, as a team deployment needs."""
    url = os.environ['TEST_REDIS_URL']
    first, second = (
        Throttle(login='2/minute', login_per_address='100/minute', register='1/hour', redis_url=url)
        for _ in range(2)
    )
    email = f'{uuid.uuid4()}@example.com'
    first.record_failed_login(email=email, address='a')
    second.record_failed_login(email=email, address='b')
    with pytest.raises(RateLimited):
        first.check_login(email=email, address='c')
    with pytest.raises(RateLimited):
        second.check_login(email=email, address='d')


def _nicegui_like_app() -> TestClient:
    """The two plain-ASGI stand-ins for NiceGUI's BaseHTTPMiddlewares, on a tiny app."""
    from fastapi.responses import PlainTextResponse, RedirectResponse
    from nicegui.version import __version__

    from components.nicegui_tuning import PrefixedRedirects, StaticCacheControl

    application = FastAPI()

    @application.get('/go')
    def go(to: str) -> RedirectResponse:
        return RedirectResponse(to, status_code=303)

    @application.get('/_nicegui/{rest:path}')
    def static(rest: str) -> PlainTextResponse:
        return PlainTextResponse(rest, headers={'Cache-Control': 'no-store'})

    application.add_middleware(PrefixedRedirects)
    application.add_middleware(StaticCacheControl)
    client = TestClient(application)
    client.version = __version__  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(
    ('prefix', 'target', 'location'),
    [
        ('/tasklight', '/login', '/tasklight/login'),
        ('', '/login', '/login'),
        ('/tasklight', 'https://elsewhere.example/x', 'https://elsewhere.example/x'),
    ],
)
def test_relative_redirects_get_the_forwarded_prefix_as_nicegui_does(
    prefix: str, target: str, location: str
) -> None:
    client = _nicegui_like_app()
    headers = {'X-Forwarded-Prefix': prefix} if prefix else {}
    response = client.get('/go', params={'to': target}, headers=headers, follow_redirects=False)
    assert response.headers['location'] == location


def test_versioned_static_files_get_nicegui_cache_headers_and_nothing_else_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nicegui import core

    # ui.run sets it; this test never calls ui.run.
    monkeypatch.setattr(core.app.config, 'cache_control_directives', 'public, max-age=9', False)
    client = _nicegui_like_app()
    version = client.version  # type: ignore[attr-defined]
    cached = client.get(f'/_nicegui/{version}/static/nicegui.js')
    assert cached.headers.get_list('cache-control') == ['public, max-age=9']
    dynamic = client.get(f'/_nicegui/{version}/dynamic_resources/x.js')
    assert dynamic.headers['cache-control'] == 'no-store'
    assert client.get('/_nicegui/0.0.1/static/old.js').headers['cache-control'] == 'no-store'


def test_tuning_swaps_nicegui_middlewares_for_the_plain_asgi_ones() -> None:
    from nicegui import ui_run

    from components import nicegui_tuning
    from components.nicegui_tuning import PrefixedRedirects, StaticCacheControl

    nicegui_tuning.apply()
    assert ui_run.RedirectWithPrefixMiddleware is PrefixedRedirects  # type: ignore[attr-defined]
    assert ui_run.SetCacheControlMiddleware is StaticCacheControl  # type: ignore[attr-defined]
