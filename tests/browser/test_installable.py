"""The installable app in Chromium: the manifest parses, the app can be installed, the service
worker keeps nothing but the app shell, and the 404 page leads back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, BrowserType, Error, Page, expect

from bench.common import CHROMIUM_ARGS
from tests.browser.conftest import CHROMIUM
from tests.browser.test_flows import sign_up

# Resolves once this page's worker is active, whatever state it was in when asked.
WORKER_ACTIVATED = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (worker.state !== 'activated') {
    await new Promise((resolve) => worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
    }));
  }
  return [worker.state, new URL(worker.scriptURL).pathname, new URL(registration.scope).pathname];
}"""
CACHED = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) found.push(new URL(request.url).pathname);
  }
  return found;
}"""
# What the worker may keep (components/pwa.py SHELL_PREFIXES and its precache).
SHELL = re.compile(r'/(_nicegui/\d+\.\d+\.\d+/(?!dynamic_resources/)|assets/)|/offline\.html$')


@pytest.fixture
def installed(browser_type: BrowserType, base_url: str, tmp_path: Path) -> Iterator[BrowserContext]:
    """A browser profile of its own: Chromium offers no installing in an incognito context."""
    context = browser_type.launch_persistent_context(
        tmp_path / 'profile', executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=base_url
    )
    yield context
    context.close()


def test_the_app_installs_and_its_worker_keeps_nothing_of_anyone(installed: BrowserContext) -> None:
    page = installed.pages[0] if installed.pages else installed.new_page()
    page.goto('/login')
    assert page.evaluate(WORKER_ACTIVATED) == ['activated', '/sw.js', '/']

    cdp = installed.new_cdp_session(page)
    manifest = cdp.send('Page.getAppManifest')
    assert manifest['url'].endswith('/manifest.webmanifest')
    assert manifest['errors'] == []
    assert manifest['manifest']['name'] == 'Tasklight'
    assert manifest['manifest']['startUrl'].endswith('/tasks')
    assert manifest['manifest']['display'] == 'kStandalone'
    try:
        installability = cdp.send('Page.getInstallabilityErrors')
    except Error:  # an older Chromium without the method: the manifest's check stands
        installability = {'installabilityErrors': []}
    assert installability['installabilityErrors'] == []

    sign_up(page)
    page.reload()  # a navigation through the worker, as every later one
    expect(page.get_by_label('New task')).to_be_visible()
    assert page.evaluate('navigator.serviceWorker.controller !== null')
    page.get_by_label('New task').fill('Private errand')
    page.get_by_label('New task').press('Enter')
    expect(page.get_by_role('checkbox', name='Private errand')).to_be_visible()
    with page.expect_response(re.compile(r'/api/tasks$')) as answered:
        status = page.evaluate("fetch('/api/tasks').then((response) => response.status)")
    assert not answered.value.from_service_worker
    assert status == answered.value.status
    page.goto('/settings')
    expect(page.get_by_role('heading', name='Settings').first).to_be_visible()

    cached = page.evaluate(CACHED)
    assert '/offline.html' in cached
    assert any(path.startswith('/_nicegui/') for path in cached)  # the shell is kept
    assert [path for path in cached if not SHELL.match(path)] == []
    for private in ('/api/', '/tasks', '/settings', '/auth/', '/login', '/signup'):
        assert not any(path.startswith(private) for path in cached), private

    # Offline, a page is the offline page, and nothing of the dashboard.
    installed.set_offline(True)
    page.goto('/tasks')
    expect(page.get_by_role('heading', name="Tasklight can't be reached")).to_be_visible()
    expect(page.get_by_text('Private errand')).to_have_count(0)
    expect(page.get_by_role('link', name='Try again')).to_have_attribute('href', '')
    installed.set_offline(False)  # the page tries again by itself (on `online`, or within 10 s)
    expect(page.get_by_role('checkbox', name='Private errand')).to_be_visible(timeout=30_000)


@pytest.mark.parametrize('scheme', ['light', 'dark'])
def test_the_404_page_leads_back(page: Page, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)  # signed out: the page follows the device
    page.goto('/no-such-page')
    expect(page.get_by_role('heading', level=1)).to_have_text("This page doesn't exist.")
    expect(page.locator('body')).to_have_class(re.compile(rf'\bbody--{scheme}\b'))
    assert page.evaluate('document.documentElement.lang') == 'en-US'
    page.get_by_role('link', name='Sign in').click()
    expect(page).to_have_url(re.compile(r'/login'))
    expect(page.get_by_role('button', name='Sign in')).to_be_visible()

    sign_up(page)
    page.goto('/no-such-page')
    page.get_by_role('link', name='Go to your tasks').click()
    expect(page).to_have_url(re.compile(r'/tasks$'))
    expect(page.get_by_label('New task')).to_be_visible()
