"""The installable app: its manifest, icons, offline page and service worker.

The worker keeps only the app shell, which is the same for everyone: NiceGUI's versioned files,
our content-named `/assets/` files, the icons and the offline page. Pages, the API, sign-in,
settings and exports are never stored, so on a shared computer nothing of one person's reaches
the next (docs/operations.md, "The installable app"). The desktop app registers no worker: its
window is no browser tab to install.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from nicegui import Client, ui
from nicegui.version import __version__ as NICEGUI_VERSION

from app.config import APP_NAME
from components.frame import BACKGROUND, SURFACE, SURFACE_DARK

ASSETS = Path(__file__).resolve().parent / 'assets'
ICONS = ASSETS / 'icons'
FAVICON = ICONS / 'favicon.ico'

MANIFEST_URL = '/manifest.webmanifest'
WORKER_URL = '/sw.js'
OFFLINE_URL = '/offline.html'
ICONS_URL = '/assets/icons'
START_URL = '/tasks'
# The icon files served under ICONS_URL, and their types.
ICON_FILES = {
    'icon-192.png': 'image/png',
    'icon-512.png': 'image/png',
    'icon-maskable-512.png': 'image/png',
    'apple-touch-icon.png': 'image/png',
    'icon.svg': 'image/svg+xml',
    'favicon.ico': 'image/x-icon',
}
ICON_SECONDS = 86_400  # not named by content: a day, and the worker's cache is versioned anyway

# What the worker may keep: the same bytes for everyone, and named by version or by content.
SHELL_PREFIXES = (f'/_nicegui/{NICEGUI_VERSION}/', '/assets/')
# ... except NiceGUI's dynamic resources, which are made on request.
NEVER_PREFIXES = (f'/_nicegui/{NICEGUI_VERSION}/dynamic_resources/',)
# Never touched by the worker, navigation or not: data, sign-in, downloads, sockets, probes.
PASS_THROUGH = (
    '/api/',
    '/auth/',
    '/settings/export/',
    '/cal/',
    '/_nicegui_ws/',
    '/_nicegui/client/',
    '/_nicegui/auto/',
    '/desktop/',
    '/docs',
    '/redoc',
    '/openapi.json',
    '/healthz',
    '/readyz',
    '/metrics',
)
PRECACHE = (OFFLINE_URL, *(f'{ICONS_URL}/{name}' for name in ICON_FILES if name.endswith('.png')))


def manifest() -> dict[str, object]:
    """The web app manifest: what an installed Tasklight is called, opens and looks like."""
    return {
        'id': '/',
        'name': APP_NAME,
        'short_name': APP_NAME,
        'description': 'Your tasks, lists and due dates, on your own server.',
        'lang': 'en-US',
        'dir': 'ltr',
        'start_url': START_URL,
        'scope': '/',
        'display': 'standalone',
        'theme_color': SURFACE,
        'background_color': BACKGROUND,
        'categories': ['productivity'],
        'icons': [
            {'src': f'{ICONS_URL}/icon-192.png', 'sizes': '192x192', 'type': 'image/png'},
            {'src': f'{ICONS_URL}/icon-512.png', 'sizes': '512x512', 'type': 'image/png'},
            {
                'src': f'{ICONS_URL}/icon-maskable-512.png',
                'sizes': '512x512',
                'type': 'image/png',
                'purpose': 'maskable',
            },
        ],
    }


@lru_cache(maxsize=1)
def version() -> str:
    """Changes with NiceGUI's version and any file under assets/: a new worker, a fresh cache."""
    digest = hashlib.sha256(NICEGUI_VERSION.encode())
    for path in sorted(ASSETS.rglob('*')):
        if path.is_file():
            digest.update(path.relative_to(ASSETS).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def worker_script() -> str:
    values = {
        '__VERSION__': version(),
        '__OFFLINE_URL__': OFFLINE_URL,
        '__PRECACHE__': json.dumps(PRECACHE),
        '__SHELL_PREFIXES__': json.dumps(SHELL_PREFIXES),
        '__NEVER_PREFIXES__': json.dumps(NEVER_PREFIXES),
        '__PASS_THROUGH__': json.dumps(PASS_THROUGH),
    }
    script = (ASSETS / 'sw.js').read_text(encoding='utf-8')
    for key, value in values.items():
        script = script.replace(key, value)
    return script


# The worker registers once the page has loaded, so it never competes with the page's start.
_REGISTER = (
    "<script>if ('serviceWorker' in navigator) { window.addEventListener('load', () => {"
    f" navigator.serviceWorker.register('{WORKER_URL}', {{ scope: '/' }}).catch(() => {{}});"
    ' }); }</script>'
)
HEAD_HTML = '\n'.join(
    (
        f'<link rel="manifest" href="{MANIFEST_URL}">',
        f'<meta name="theme-color" media="(prefers-color-scheme: light)" content="{SURFACE}">',
        f'<meta name="theme-color" media="(prefers-color-scheme: dark)" content="{SURFACE_DARK}">',
        f'<link rel="apple-touch-icon" href="{ICONS_URL}/apple-touch-icon.png">',
        f'<meta name="apple-mobile-web-app-title" content="{APP_NAME}">',
        _REGISTER,
    )
)
_NO_CACHE = {'Cache-Control': 'no-cache'}  # always asked again (a 304 when unchanged)


async def _manifest() -> Response:
    return Response(
        json.dumps(manifest(), indent=2),
        media_type='application/manifest+json',
        headers=_NO_CACHE,
    )


async def _worker() -> Response:
    # A worker held in a cache would hold back every fix to it: browsers must ask each time.
    return Response(worker_script(), media_type='text/javascript', headers=_NO_CACHE)


async def _offline() -> HTMLResponse:
    return HTMLResponse((ASSETS / 'offline.html').read_text(encoding='utf-8'), headers=_NO_CACHE)


def _icon(name: str, media_type: str) -> Callable[[], Awaitable[FileResponse]]:
    async def icon() -> FileResponse:
        return FileResponse(
            ICONS / name,
            media_type=media_type,
            headers={'Cache-Control': f'public, max-age={ICON_SECONDS}'},
        )

    return icon


def install(app: FastAPI, *, worker: bool = True) -> None:
    """The manifest, worker, offline page and icons; with `worker`, every page links the
    manifest and registers the worker (the desktop app passes False). Safe to call again."""
    routes = {
        MANIFEST_URL: _manifest,
        WORKER_URL: _worker,
        OFFLINE_URL: _offline,
        **{f'{ICONS_URL}/{name}': _icon(name, kind) for name, kind in ICON_FILES.items()},
        # Ahead of NiceGUI's own /favicon.ico, which sends no Cache-Control: a day, as the icons.
        '/favicon.ico': _icon('favicon.ico', ICON_FILES['favicon.ico']),
    }
    app.router.routes[:] = [
        route for route in app.router.routes if getattr(route, 'path', None) not in routes
    ]
    for path, endpoint in routes.items():
        app.add_api_route(path, endpoint, methods=['GET', 'HEAD'], include_in_schema=False)
    if worker and HEAD_HTML not in Client.shared_head_html:
        ui.add_head_html(HEAD_HTML, shared=True)
