"""The installable app (manifest, icons, service worker, offline page) and the site's own 404
and 500 pages, through the whole app as main.py builds it (NiceGUI's simulated User)."""

from __future__ import annotations

import json
import re
import struct

import pytest
from fastapi import FastAPI, HTTPException
from nicegui import Client, ui
from nicegui.testing import User
from nicegui.version import __version__ as nicegui_version

from components import pwa
from components.frame import BACKGROUND, SURFACE, SURFACE_DARK
from tests.ui.helpers import headings, way_back

NOT_FOUND = "This page doesn't exist."
SERVER_ERROR = 'Something went wrong.'
# Addresses with someone's data, or that sign people in and out: never the worker's to keep.
PRIVATE = (
    '/api/tasks',
    '/api/export',
    '/tasks',
    '/',
    '/login',
    '/settings',
    '/settings/export/json',
    '/admin',
    '/auth/complete',
    '/auth/begin',
    '/cal/secret-token.ics',
    '/_nicegui/client/abc/upload/1',
    '/_nicegui/auto/static/abc/file.txt',
    f'/_nicegui/{nicegui_version}/dynamic_resources/codehilite.css',
)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    assert data[12:16] == b'IHDR'
    width, height = struct.unpack('>II', data[16:24])
    return width, height


def is_shell(path: str) -> bool:
    """The worker's rule (components/assets/sw.js `isShell`), on the lists it is given."""
    return any(path.startswith(prefix) for prefix in pwa.SHELL_PREFIXES) and not any(
        path.startswith(prefix) for prefix in pwa.NEVER_PREFIXES
    )


async def test_the_manifest_names_the_app_and_its_icons(user: User) -> None:
    response = await user.http_client.get('/manifest.webmanifest')
    assert response.status_code == 200
    assert response.headers['content-type'] == 'application/manifest+json'
    assert response.headers['cache-control'] == 'no-cache'
    manifest = response.json()
    assert manifest['name'] == 'Tasklight'
    assert manifest['short_name'] == 'Tasklight'
    assert (manifest['start_url'], manifest['scope'], manifest['display']) == (
        '/tasks',
        '/',
        'standalone',
    )
    assert (manifest['theme_color'], manifest['background_color']) == (SURFACE, BACKGROUND)
    icons = {(icon['sizes'], icon.get('purpose', 'any')): icon for icon in manifest['icons']}
    assert set(icons) == {('192x192', 'any'), ('512x512', 'any'), ('512x512', 'maskable')}
    for (sizes, _), icon in icons.items():
        served = await user.http_client.get(icon['src'])
        assert served.status_code == 200, icon
        assert served.headers['content-type'] == icon['type'] == 'image/png'
        assert 'max-age=' in served.headers['cache-control']
        width, height = png_size(served.content)
        assert f'{width}x{height}' == sizes


async def test_apple_touch_icon_and_favicon(user: User) -> None:
    touch = await user.http_client.get('/assets/icons/apple-touch-icon.png')
    assert touch.status_code == 200
    assert png_size(touch.content) == (180, 180)
    favicon = await user.http_client.get('/favicon.ico')
    assert favicon.status_code == 200
    assert favicon.content == pwa.FAVICON.read_bytes()
    assert favicon.content[:4] == b'\x00\x00\x01\x00'  # an ICO file


async def test_every_page_links_the_manifest_and_registers_the_worker(user: User) -> None:
    for path, status in (('/login', 200), ('/signup', 200), ('/no-such-page', 404)):
        response = await user.http_client.get(path, follow_redirects=True)
        assert response.status_code == status, path
        page = response.text
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page, path
        assert 'rel="apple-touch-icon" href="/assets/icons/apple-touch-icon.png"' in page
        assert f'content="{SURFACE}"' in page
        assert f'content="{SURFACE_DARK}"' in page
        assert "'serviceWorker' in navigator" in page
        assert "navigator.serviceWorker.register('/sw.js', { scope: '/' })" in page
        assert '<link href="/favicon.ico" rel="shortcut icon" />' in page


def test_the_desktop_app_registers_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Client, 'shared_head_html', '')
    app = FastAPI()
    pwa.install(app, worker=False)
    assert Client.shared_head_html == ''
    pwa.install(app, worker=True)
    pwa.install(app, worker=True)  # twice: still once on every page
    assert Client.shared_head_html.count("register('/sw.js'") == 1


async def test_the_worker_is_never_cached_and_keeps_only_the_shell(user: User) -> None:
    response = await user.http_client.get('/sw.js')
    assert response.status_code == 200
    assert response.headers['content-type'] == 'text/javascript; charset=utf-8'
    assert response.headers['cache-control'] == 'no-cache'
    assert "default-src 'self'" in response.headers['content-security-policy']
    script = response.text
    assert '__' not in re.sub(r'//.*', '', script)  # every value filled in
    assert f"const CACHE = 'tasklight-shell-{pwa.version()}';" in script
    precache = json.loads(re.search(r'const PRECACHE = (\[.*?\]);', script).group(1))  # type: ignore[union-attr]
    assert precache == list(pwa.PRECACHE)
    for path in precache:
        assert (await user.http_client.get(path)).status_code == 200, path
    assert pwa.OFFLINE_URL in precache
    shell = json.loads(re.search(r'const SHELL_PREFIXES = (\[.*?\]);', script).group(1))  # type: ignore[union-attr]
    assert shell == [f'/_nicegui/{nicegui_version}/', '/assets/']
    for path in PRIVATE:
        assert not is_shell(path), path
    for path in ('/api/', '/auth/', '/settings/export/', '/cal/'):
        assert path in pwa.PASS_THROUGH
    # Everything a page loads from under /assets/ is the same for everyone.
    assert is_shell(f'/_nicegui/{nicegui_version}/static/nicegui.js')
    assert is_shell('/assets/icons/icon-192.png')


async def test_the_offline_page_needs_no_server(user: User) -> None:
    response = await user.http_client.get('/offline.html')
    assert response.status_code == 200
    assert response.headers['content-type'] == 'text/html; charset=utf-8'
    assert response.headers['cache-control'] == 'no-cache'
    page = response.text
    assert '<html lang="en-US">' in page
    assert page.count('<h1>') == 1
    assert 'src=' not in page  # nothing to load: it shows when nothing can be loaded
    assert '@media (prefers-color-scheme: dark)' in page


async def test_an_unknown_address_is_the_404_page_and_the_api_stays_json(user: User) -> None:
    page = await user.http_client.get('/no-such-page')
    assert page.status_code == 404
    assert page.headers['content-type'].startswith('text/html')
    assert '<html lang="en-US"' in page.text
    assert '<title>Page not found · Tasklight</title>' in page.text
    assert headings(page) == [NOT_FOUND]
    assert way_back(page) == ('Sign in', '/login')
    assert 'HTTPException' not in page.text
    api = await user.http_client.get('/api/no/such/thing')
    assert (api.status_code, api.json()) == (404, {'detail': 'Not Found'})
    assert api.headers['content-type'] == 'application/json'
    # A missing file under a route of its own is FastAPI's JSON, as NiceGUI answers it.
    library = await user.http_client.get(f'/_nicegui/{nicegui_version}/libraries/nothing.js')
    assert library.status_code == 404
    assert library.headers['content-type'] == 'application/json'


@pytest.mark.parametrize('kind', ['sync', 'async'])
async def test_a_page_that_fails_shows_the_500_page_and_logs_the_traceback(
    user: User, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    secret = 'password=hunter2 in a failing query'

    if kind == 'sync':

        @ui.page('/test-fails')
        def fails() -> None:
            ui.label('half a page')
            raise RuntimeError(secret)
    else:

        @ui.page('/test-fails')
        async def fails_later() -> None:
            ui.label('half a page')
            await user.http_client.get('/healthz')
            raise RuntimeError(secret)

    response = await user.http_client.get('/test-fails')
    assert response.status_code == 500
    assert response.headers['content-type'].startswith('text/html')
    assert response.headers['x-frame-options'] == 'DENY'  # through the security headers
    assert '<html lang="en-US"' in response.text
    assert headings(response) == [SERVER_ERROR]
    assert way_back(response) == ('Sign in', '/login')
    for leak in (secret, 'RuntimeError', 'Traceback', 'half a page', 'test_pwa'):
        assert leak not in response.text
    failures = [r for r in caplog.records if r.levelname == 'ERROR' and r.exc_info]
    assert len(failures) == 1
    assert failures[0].exc_info is not None
    assert str(failures[0].exc_info[1]) == secret
    caplog.clear()  # logged on purpose: the User fixture fails a test on unexpected ERRORs


async def test_a_page_that_says_not_found_gets_the_404_page(user: User) -> None:
    @ui.page('/test-missing')
    def missing() -> None:
        raise HTTPException(status_code=404)

    response = await user.http_client.get('/test-missing')
    assert response.status_code == 404
    assert headings(response) == [NOT_FOUND]
