from __future__ import annotations

import base64
import hashlib
import os
import re
import uuid

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from api import web
from app.config import get_settings
from app.errors import RateLimited
from services.throttle import Throttle

WS_PATH = '/_nicegui_ws/socket.io/?EIO=4&transport=polling'


@pytest.fixture
def client() -> TestClient:
    application = FastAPI()
    web.configure(application)
    return TestClient(application, base_url='http://testserver')


@pytest.mark.parametrize('origin', ['https://evil.example', 'null', 'http://testserver.evil.com'])
def test_websocket_handshake_from_a_foreign_origin_is_refused(
    client: TestClient, origin: str
) -> None:
    response = client.get(WS_PATH, headers={'Origin': origin})
    assert response.status_code == 403
    assert response.json() == {'detail': 'Cross-origin connection refused.'}


@pytest.mark.parametrize('headers', [{'Origin': 'http://testserver'}, {}])
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


def _configured(monkeypatch: pytest.MonkeyPatch, **env: str) -> TestClient:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    application = FastAPI()
    web.configure(application)
    return TestClient(application, base_url='http://testserver')


def test_cors_origins_serve_the_api_but_never_open_the_ui_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = _configured(monkeypatch, CORS_ORIGINS='https://app.example')
    origin = {'Origin': 'https://app.example'}
    api = client.get('/api/auth/me', headers=origin)
    assert api.headers['access-control-allow-origin'] == 'https://app.example'
    refused = client.get(WS_PATH, headers=origin)
    assert refused.status_code == 403
    assert refused.json() == {'detail': 'Cross-origin connection refused.'}


def _policy(header: str) -> dict[str, set[str]]:
    directives = (part.split() for part in header.split(';') if part.strip())
    return {name: set(sources) for name, *sources in directives}


def test_the_app_may_connect_to_its_own_origin_only(client: TestClient) -> None:
    policy = _policy(client.get('/api/auth/me').headers['content-security-policy'])
    assert policy['connect-src'] == {"'self'"}


@pytest.mark.parametrize('path', ['/docs', '/redoc'])
def test_api_docs_come_from_this_origin_under_a_policy_no_wider_than_the_apps(
    client: TestClient, path: str
) -> None:
    app_policy = _policy(client.get('/api/auth/me').headers['content-security-policy'])
    page = client.get(path)
    assert page.status_code == 200
    assert 'http://' not in page.text  # no CDN, no web fonts
    assert 'https://' not in page.text
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert asset.startswith('/docs/assets/'), asset
        assert client.get(asset).status_code == 200, asset
    docs_policy = _policy(page.headers['content-security-policy'])
    assert docs_policy.keys() == app_policy.keys()
    for name, sources in docs_policy.items():
        hashes = {source for source in sources if source.startswith("'sha256-")}
        assert sources - hashes <= app_policy[name], name  # a hash is narrower than inline
    assert not {"'unsafe-inline'", "'unsafe-eval'"} & docs_policy['script-src']
    for script in re.findall(r'<script>(.*?)</script>', page.text, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in docs_policy['script-src']
    assert client.get('/openapi.json').json()['info']['title'] == 'Tasklight'


def test_redoc_runs_without_its_search_worker(client: TestClient) -> None:
    """Its worker would need `worker-src blob:`, which the app's policy does not grant."""
    assert '<redoc disable-search spec-url="/openapi.json">' in client.get('/redoc').text


def test_redoc_asks_no_other_site_for_its_logo(client: TestClient) -> None:
    bundle = client.get('/docs/assets/redoc.standalone.js')
    assert bundle.status_code == 200
    assert 'javascript' in bundle.headers['content-type']
    assert 'Redocly' in bundle.text  # the real bundle, footer and all
    assert 'cdn.redoc.ly' not in bundle.text


@pytest.mark.parametrize(
    ('env', 'served'),
    [
        ({'ENV': 'production'}, False),
        ({'ENV': 'production', 'API_DOCS': 'true'}, True),
        ({'ENV': 'development', 'API_DOCS': 'false'}, False),
        ({'ENV': 'development'}, True),
    ],
)
def test_api_docs_are_off_in_production_unless_asked_for(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], served: bool
) -> None:
    monkeypatch.delenv('API_DOCS', raising=False)
    client = _configured(monkeypatch, **env)
    for path in ('/docs', '/redoc', '/openapi.json', '/docs/assets/swagger-ui-bundle.js'):
        assert client.get(path).status_code == (200 if served else 404), path
    assert client.get('/docs/oauth2-redirect').status_code == 404  # the password flow needs none


def test_configuring_twice_leaves_one_set_of_docs_routes() -> None:
    application = FastAPI()
    web.configure(application)
    web.configure(application)
    paths = [getattr(route, 'path', None) for route in application.router.routes]
    for path in ('/docs', '/redoc', '/openapi.json', '/docs/assets'):
        assert paths.count(path) == 1, path


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
    first.reserve_password_check(email=email, address='a')
    second.reserve_password_check(email=email, address='b')  # the budget of 2 is spent
    with pytest.raises(RateLimited):
        first.reserve_password_check(email=email, address='c')
    with pytest.raises(RateLimited):
        second.reserve_password_check(email=email, address='d')


def _nicegui_like_app(**prefix_options: str) -> TestClient:
    """The two plain-ASGI stand-ins for NiceGUI's BaseHTTPMiddlewares, on a tiny app."""
    from fastapi.responses import PlainTextResponse, RedirectResponse
    from nicegui.version import __version__

    from components.nicegui_tuning import PrefixedRedirects, StaticCacheControl

    application = FastAPI()

    @application.get('/go')
    def go(to: str) -> RedirectResponse:
        return RedirectResponse(to, status_code=303)

    @application.get('/seen')
    def seen(request: Request) -> PlainTextResponse:
        """What NiceGUI's pages would put in front of their script URLs."""
        return PlainTextResponse(request.headers.get('x-forwarded-prefix', '(none)'))

    @application.get('/_nicegui/{rest:path}')
    def static(rest: str) -> PlainTextResponse:
        return PlainTextResponse(rest, headers={'Cache-Control': 'no-store'})

    application.add_middleware(PrefixedRedirects, **prefix_options)
    application.add_middleware(StaticCacheControl)
    client = TestClient(application)  # its requests come from the peer `testclient`
    client.version = __version__  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(
    ('prefix', 'target', 'location'),
    [
        ('/tasklight', '/login', '/tasklight/login'),
        ('/tasklight/', '/login', '/tasklight/login'),
        ('/apps/task%20light', '/login', '/apps/task%20light/login'),
        ('', '/login', '/login'),
        ('/tasklight', 'https://elsewhere.example/x', 'https://elsewhere.example/x'),
    ],
)
def test_a_trusted_proxys_prefix_goes_in_front_of_relative_redirects(
    prefix: str, target: str, location: str
) -> None:
    client = _nicegui_like_app(trusted_hosts='testclient')
    headers = {'X-Forwarded-Prefix': prefix} if prefix else {}
    response = client.get('/go', params={'to': target}, headers=headers, follow_redirects=False)
    assert response.headers['location'] == location
    seen = client.get('/seen', headers=headers).text
    assert seen == (prefix.rstrip('/') or '(none)')


@pytest.mark.parametrize(
    'prefix',
    [
        '//evil.example',
        '//evil.example/x',
        'https://evil.example',
        'evil.example',
        '/\\evil.example',
        '/ok//evil.example',
        '/../evil',
        '/ok/./x',
        '/a b',
        '/ok?x=1',
        '/ok#x',
        '/ok%2',
        '/ok"><script>',
        '/',
    ],
)
def test_a_prefix_that_is_not_a_plain_path_is_dropped_even_from_a_trusted_proxy(
    prefix: str,
) -> None:
    client = _nicegui_like_app(trusted_hosts='testclient')
    headers = {'X-Forwarded-Prefix': prefix}
    response = client.get('/go', params={'to': '/login'}, headers=headers, follow_redirects=False)
    assert response.headers['location'] == '/login'
    assert client.get('/seen', headers=headers).text == '(none)'


def test_a_prefix_from_an_untrusted_peer_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('FORWARDED_ALLOW_IPS', '127.0.0.1,10.0.0.0/8')
    get_settings.cache_clear()
    client = _nicegui_like_app()  # trusts FORWARDED_ALLOW_IPS, which `testclient` is not in
    headers = {'X-Forwarded-Prefix': '/tasklight'}
    response = client.get('/go', params={'to': '/login'}, headers=headers, follow_redirects=False)
    assert response.headers['location'] == '/login'
    assert client.get('/seen', headers=headers).text == '(none)'
    monkeypatch.setenv('FORWARDED_ALLOW_IPS', '127.0.0.1,testclient')
    get_settings.cache_clear()
    trusted = _nicegui_like_app()
    assert trusted.get('/seen', headers=headers).text == '/tasklight'


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


def _echo_app(**limits: object) -> TestClient:
    """SecurityMiddleware in front of a route that reads the whole body and says how long."""
    from app.middleware import SecurityMiddleware

    application = FastAPI()

    @application.post('/{path:path}')
    async def read_all(request: Request) -> dict[str, int]:
        return {'read': len(await request.body())}

    application.add_middleware(SecurityMiddleware, **limits)  # type: ignore[arg-type]
    return TestClient(application, base_url='http://testserver')


def _streamed(size: int, piece: int = 256 * 1024) -> object:
    return iter([b'x' * min(piece, size - start) for start in range(0, size, piece)])


def test_file_routes_take_bodies_up_to_their_own_limit_announced_or_streamed() -> None:
    client = _echo_app(
        max_body_bytes=1024 * 1024, larger_bodies=[(r'/api/import', 3 * 1024 * 1024)]
    )
    two_mib = 2 * 1024 * 1024
    assert client.post('/api/import', content=b'x' * two_mib).json() == {'read': two_mib}
    streamed = client.post('/api/import', content=_streamed(two_mib))  # type: ignore[arg-type]
    assert streamed.json() == {'read': two_mib}
    # Still checked while streaming: past the route's own limit is a 413.
    too_much = client.post('/api/import', content=_streamed(3 * 1024 * 1024 + 1))  # type: ignore[arg-type]
    assert too_much.status_code == 413
    assert client.post('/api/import', content=b'x' * (3 * 1024 * 1024 + 1)).status_code == 413
    # Every other path keeps the general limit, including ones the pattern only starts.
    for path in ('/api/tasks', '/api/import/more', '/x/api/import'):
        assert client.post(path, content=b'x' * two_mib).status_code == 413
        assert client.post(path, content=_streamed(two_mib)).status_code == 413  # type: ignore[arg-type]


def test_a_file_route_never_takes_less_than_the_general_limit() -> None:
    client = _echo_app(max_body_bytes=2 * 1024 * 1024, larger_bodies=[(r'/api/import', 1024)])
    assert client.post('/api/import', content=b'x' * 4096).json() == {'read': 4096}


def test_the_app_lets_imports_and_their_uploads_through_up_to_the_import_limit(
    client: TestClient,
) -> None:
    from services.transfer import MAX_IMPORT_BYTES

    big = b'x' * (2 * 1024 * 1024)  # over MAX_BODY_BYTES (1 MiB), under the import limit
    # Past the middleware: the import route asks who is sending (401), NiceGUI's upload route
    # does not exist on this bare app (404); an ordinary route is refused for size.
    assert client.post('/api/import', content=big).status_code == 401
    assert client.post('/_nicegui/client/abc/upload/7', content=big).status_code in (404, 405)
    assert client.post('/api/tasks', content=big).status_code == 413
    over = {'content-length': str(MAX_IMPORT_BYTES + 1)}
    assert client.post('/api/import', content=b'', headers=over).status_code == 413


def test_api_requests_go_past_the_sites_routes_and_middleware() -> None:
    """ApiFirst: /api/* reaches the API application without running the site's stack (where
    `ui.run` and NiceGUI add theirs); every other path, and the docs, stay on the site."""
    application = FastAPI()
    api_application = web.configure(application)
    seen: list[str] = []

    class SiteOnly:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            seen.append(scope.get('path', ''))
            await self.app(scope, receive, send)

    application.add_middleware(SiteOnly)

    @application.get('/api/shadowed')
    def shadowed() -> dict[str, str]:
        return {'served_by': 'site'}

    @application.get('/apiary')
    def apiary() -> dict[str, str]:
        return {'served_by': 'site'}

    client = TestClient(application, base_url='http://testserver')
    me = client.get('/api/auth/me')
    assert me.status_code == 401
    assert me.headers['cache-control'] == 'no-store'
    assert me.headers['x-content-type-options'] == 'nosniff'
    assert client.get('/api/shadowed').json() == {'detail': 'Not Found'}
    assert seen == []
    assert client.get('/apiary').json() == {'served_by': 'site'}
    assert client.get('/openapi.json').status_code == 200
    assert seen == ['/apiary', '/openapi.json']
    assert client.get('/openapi.json').json() == api_application.openapi()


def test_behind_a_root_path_the_api_is_still_dispatched_to_the_api() -> None:
    application = FastAPI()
    web.configure(application)
    client = TestClient(application, base_url='http://testserver', root_path='/tasklight')
    response = client.get('/tasklight/api/auth/me')
    assert response.status_code == 401
    assert response.json() == {'detail': 'Not authenticated.'}


def test_large_api_bodies_are_compressed_small_ones_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = _configured(monkeypatch)
    small = client.get('/api/auth/me', headers={'Accept-Encoding': 'gzip'})
    assert 'content-encoding' not in small.headers
    schema = client.get('/api/export/schema', headers={'Accept-Encoding': 'gzip'})
    assert schema.status_code == 200
    assert len(schema.content) > web.GZIP_MINIMUM_SIZE
    assert schema.headers['content-encoding'] == 'gzip'
    assert schema.json()['$schema'].startswith('https://json-schema.org/')
