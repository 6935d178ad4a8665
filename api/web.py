"""The API as its own application in front of NiceGUI's, with its error mapping and the
middleware each needs; the docs, probes and calendar feed on NiceGUI's app."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import api
from api import account, errors
from app import health, logs, metrics
from app.config import get_settings
from app.middleware import AllowedHosts, PrefixedRedirects, SecurityMiddleware, docs_policy
from services import transfer

OPENAPI_URL = '/openapi.json'
SWAGGER_URL = '/docs'
REDOC_URL = '/redoc'
DOCS_ASSETS_URL = '/docs/assets'
# Swagger UI and ReDoc bundles shipped inside the fastapi-offline package: no CDN, no wider CSP.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / 'static'
# Everything FastAPI or an earlier configure() may have put at these paths (FastAPI's own docs
# pages fetch their scripts from a CDN).
_DOCS_PATHS = {OPENAPI_URL, SWAGGER_URL, f'{SWAGGER_URL}/oauth2-redirect', REDOC_URL}
_INLINE_SCRIPT = re.compile(r'<script>(.*?)</script>', re.DOTALL)


# Files coming in may be as large as an import may be, whatever MAX_BODY_BYTES says: the import
# route itself, and NiceGUI's upload route (the settings page's drop zone; its form encoding
# adds a few hundred bytes around the file).
LARGER_BODIES = (
    (r'/api/import', transfer.MAX_IMPORT_BYTES),
    (r'/_nicegui/client/[^/]+/upload/[^/]+', transfer.MAX_IMPORT_BYTES + 64 * 1024),
)

REDOC_BUNDLE = 'redoc.standalone.js'
# ReDoc's footer shows Redocly's logo from their CDN: the docs' one request to another site (and
# a policy violation on every visit). The image hides itself when it cannot load: point it nowhere.
_REDOC_LOGO = b'https://cdn.redoc.ly/redoc/logo-mini.svg'


@lru_cache(maxsize=1)
def _redoc_bundle() -> bytes:
    return (DOCS_ASSETS / REDOC_BUNDLE).read_bytes().replace(_REDOC_LOGO, b'data:,')


def _with_own_policy(page: HTMLResponse) -> HTMLResponse:
    """The page's inline scripts are allowed by hash; nothing else inline or eval'd runs."""
    body = bytes(page.body).decode()
    page.headers['Content-Security-Policy'] = docs_policy(*_INLINE_SCRIPT.findall(body))
    return page


def _api_docs(app: FastAPI, *, enabled: bool) -> None:
    """/openapi.json, /docs (Swagger UI) and /redoc, from this origin, only when enabled."""
    app.router.routes[:] = [
        route
        for route in app.router.routes
        if getattr(route, 'path', None) not in _DOCS_PATHS | {DOCS_ASSETS_URL}
    ]
    app.docs_url = app.redoc_url = app.swagger_ui_oauth2_redirect_url = None
    app.openapi_url = OPENAPI_URL if enabled else None
    if not enabled:
        return

    async def openapi(_request: Request) -> JSONResponse:
        return JSONResponse(app.openapi())

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get('root_path', '').rstrip('/')
        return _with_own_policy(
            get_swagger_ui_html(
                openapi_url=root + OPENAPI_URL,
                title=f'{app.title} - API',
                swagger_js_url=f'{root}{DOCS_ASSETS_URL}/swagger-ui-bundle.js',
                swagger_css_url=f'{root}{DOCS_ASSETS_URL}/swagger-ui.css',
                swagger_favicon_url=f'{root}{DOCS_ASSETS_URL}/favicon.png',
                # Only the OAuth2 password flow is offered: no redirect page is needed.
                oauth2_redirect_url=None,
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )

    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get('root_path', '').rstrip('/')
        page = get_redoc_html(
            openapi_url=root + OPENAPI_URL,
            title=f'{app.title} - API',
            redoc_js_url=f'{root}{DOCS_ASSETS_URL}/redoc.standalone.js',
            redoc_favicon_url=f'{root}{DOCS_ASSETS_URL}/favicon.png',
            with_google_fonts=False,
        )
        # ReDoc searches in a worker started from a blob: URL, which the policy does not allow
        # (allowing it would widen the app's): without search rather than with a broken one.
        html = (
            bytes(page.body).decode().replace('<redoc spec-url=', '<redoc disable-search spec-url=')
        )
        return _with_own_policy(HTMLResponse(html))

    async def redoc_bundle(_request: Request) -> Response:
        return Response(
            _redoc_bundle(),
            media_type='text/javascript',
            headers={'Cache-Control': 'public, max-age=86400'},
        )

    app.add_route(OPENAPI_URL, openapi, include_in_schema=False)
    app.add_route(f'{DOCS_ASSETS_URL}/{REDOC_BUNDLE}', redoc_bundle, include_in_schema=False)
    app.add_route(SWAGGER_URL, swagger_ui, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name='docs-assets')


API_PREFIX = '/api/'
# zlib's default level: as small for JSON and pages as Starlette's level 9, at half the CPU.
# Bodies under a kilobyte (one task, most errors) go out as they are.
GZIP_MINIMUM_SIZE = 1000
GZIP_LEVEL = 6


def gzip(app: ASGIApp) -> GZipMiddleware:
    """The compression both applications use (main.py hands this to `ui.run` for the site)."""
    return GZipMiddleware(app, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=GZIP_LEVEL)


class ApiFirst:
    """In front of everything: `/api/*` goes straight to the API application, past the site's
    routes and middleware (NiceGUI's routes are matched first there, and `ui.run` wraps them in
    its own); everything else, websockets and the lifespan included, goes to the site."""

    def __init__(self, site: ASGIApp, api_app: ASGIApp) -> None:
        self.site = site
        self.api = api_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http':
            path: str = scope['path']
            root: str = scope.get('root_path', '')
            if root and path.startswith(root):  # uvicorn puts a --root-path in front of path
                path = path[len(root) :]
            if path.startswith(API_PREFIX):
                await self.api(scope, receive, send)
                return
        await self.site(scope, receive, send)


def _guard(app: FastAPI, *, site: bool) -> None:
    """The middleware both applications need, from the innermost out: security headers and the
    body limit, CORS, allowed host names, proxy headers, request ids and the access log, and
    the request metrics."""
    settings = get_settings()
    app.add_middleware(
        SecurityMiddleware, max_body_bytes=settings.max_body_bytes, larger_bodies=LARGER_BODIES
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,  # bearer tokens, not cookies, cross origins
            allow_methods=['GET', 'POST', 'PATCH', 'DELETE'],
            allow_headers=['Authorization', 'Content-Type', 'If-Match'],
            expose_headers=['ETag', 'Location', 'Retry-After', 'X-Request-ID'],
            max_age=600,
        )
    # Before anything else runs: a request for a host name that is not ours (DNS rebinding).
    app.add_middleware(
        AllowedHosts, host=settings.host, allowed_hosts=settings.allowed_hosts, warn=site
    )
    # Outside those, so rate limits see the client's address, taken from X-Forwarded-For only
    # when the direct peer is a trusted proxy.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    # Request ids and the access log, outside the proxy-headers middleware: it sees the direct
    # peer before that rewrites it, and believes X-Request-ID only from a trusted proxy.
    app.add_middleware(
        logs.RequestId, trusted_hosts=settings.forwarded_allow_ips, access=settings.access_log
    )
    # Outermost of ours: it times what the client waits for, refusals included; the router
    # writes the matched route into the scope this middleware reads back.
    app.add_middleware(metrics.RequestMetrics)


def build_api() -> FastAPI:
    """The API application: `/api/*` and nothing else, with only the middleware it needs."""
    app = FastAPI(
        title='Tasklight',
        version='0.1.0',
        description=(
            'Your tasks over HTTP. Sign in at `/api/auth/login` and send the access token as '
            '`Authorization: Bearer …`; refresh it at `/api/auth/refresh`. See docs/api.md.'
        ),
        docs_url=None,  # the site serves the docs (see configure)
        redoc_url=None,
        openapi_url=None,
    )
    app.include_router(api.router)
    # Never reached here (ApiFirst sends only /api/* to this app): present so that
    # `url_for('calendar_feed')` can name the feed's address in /api/me/calendar.
    app.include_router(account.calendar_router)
    errors.install(app)
    _guard(app, site=False)
    app.add_middleware(gzip)
    # A relative Location (a new task's) gets a trusted proxy's X-Forwarded-Prefix, as the
    # site's redirects do; outermost, where the peer is still the direct one.
    app.add_middleware(PrefixedRedirects)
    return app


def _api_first(site: FastAPI, api_app: FastAPI) -> None:
    """Put ApiFirst in front of the site's whole stack. `ui.run` serves NiceGUI's app object
    itself, so the dispatcher goes in where Starlette builds that app's stack."""
    build_site = site.__dict__.get('_tasklight_build_site', site.build_middleware_stack)
    site.__dict__['_tasklight_build_site'] = build_site  # configuring twice must not nest
    site.build_middleware_stack = lambda: ApiFirst(build_site(), api_app)  # type: ignore[method-assign]


def configure(app: FastAPI) -> FastAPI:
    """Serve the API from its own application in front of `app` (NiceGUI's), which keeps the
    pages, the calendar feed, the docs and the health probes. Returns the API application.

    Idempotent per app instance; NiceGUI's test harness resets the app between tests."""
    settings = get_settings()
    api_app = build_api()
    app.title = api_app.title
    app.include_router(account.calendar_router)  # /cal/<token>.ics: no session, no /api
    errors.install(app)
    # The docs stay on the site; the schema they show is the API application's.
    app.openapi = api_app.openapi  # type: ignore[method-assign]
    _api_docs(app, enabled=settings.docs_enabled)
    # Health probes: no session, no access-log line (app.health).
    app.include_router(health.router)
    metrics.serve(app)  # only when METRICS_TOKEN or METRICS=local turns it on
    _guard(app, site=True)
    _api_first(app, api_app)
    return api_app
