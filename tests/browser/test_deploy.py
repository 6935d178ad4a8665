"""The deployment kit as an operator runs it: two `python main.py` instances on one PostgreSQL
database and one Redis, behind nginx started from the shipped deploy/nginx.conf, all on
loopback, and real Chromium through nginx.

Which instance a browser reaches is decided by nginx's routing cookie (`tasklight_route`): the
test finds one value that nginx sends to each instance and gives each browser context one of
them. Where a page lives is read from each instance's own /metrics (connected dashboards), with
the bearer token that turns it on (it is off by default).
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from tests.browser.test_flows import PASSWORD, add, sign_up
from tests.browser.test_organize import nav, new_list, row
from tests.deploy.kit import (
    CADDY,
    NGINX,
    NOT_INSTALLED,
    ROOT,
    free_port,
    running_caddy,
    running_nginx,
)

pytestmark = pytest.mark.skipif(NGINX is None, reason=NOT_INSTALLED)

ROUTE_COOKIE = 'tasklight_route'  # set by deploy/nginx.conf
LIVE = 2000  # ms: a change must show on the other instance within this
METRICS_TOKEN = 'deploy-test-metrics-token'
_numbers = itertools.count(1)


def eventually(condition: Callable[[], bool], *, seconds: float, what: str) -> float:
    """Wait until `condition()` holds; the seconds it took. Fails with `what` after `seconds`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f'not within {seconds} s: {what}')
        time.sleep(0.05)
    return time.monotonic() - started


@dataclass
class Instance:
    """One `python main.py`, restartable on its port, its output in `server.log`."""

    name: str
    data_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def start(self) -> None:
        # NiceGUI believes it is under test when it sees PYTEST_* variables; the server is not.
        env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST')}
        for key in ('ENV', 'SECRET_KEY', 'DATABASE_URL', 'REDIS_URL', 'RATE_LIMIT_LOGIN'):
            env.pop(key, None)
        env.pop('METRICS', None)  # the token below turns /metrics on
        env.update(self.env, PORT=str(self.port), DATA_DIR=str(self.data_dir))
        log = (self.data_dir / 'server.log').open('a')
        self.process = subprocess.Popen(
            [sys.executable, 'main.py'], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f'{self.url}/login', timeout=2).close()  # noqa: S310
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    raise RuntimeError((self.data_dir / 'server.log').read_text()) from None
                time.sleep(0.2)

    def stop(self) -> int | None:
        """SIGTERM, as an orchestrator stops it; its exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.terminate()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def metric(self, name: str, **labels: str) -> float:
        """A sample from this instance's own /metrics (read directly, as Prometheus would)."""
        text = (
            httpx.get(
                f'{self.url}/metrics',
                headers={'Authorization': f'Bearer {METRICS_TOKEN}'},
                timeout=5,
            )
            .raise_for_status()
            .text
        )
        total = 0.0
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    total += sample.value
        return total

    def dashboards(self) -> int:
        return int(self.metric('tasklight_dashboards_connected'))


@dataclass
class Deployment:
    a: Instance
    b: Instance
    proxy: str
    routes: dict[str, str] = field(default_factory=dict)  # instance name: a cookie value for it

    def owner(self, route: str) -> str:
        """Which instance nginx sends a browser with this routing cookie to."""

        def healthz(instance: Instance) -> float:
            return instance.metric('tasklight_http_requests_total', route='/healthz', status='200')

        before = {i.name: healthz(i) for i in (self.a, self.b)}
        httpx.get(f'{self.proxy}/healthz', cookies={ROUTE_COOKIE: route}).raise_for_status()
        moved = [i.name for i in (self.a, self.b) if healthz(i) > before[i.name]]
        assert len(moved) == 1, moved
        return moved[0]

    def context(self, browser: Browser, instance: str) -> BrowserContext:
        """A browser whose every request through nginx reaches `instance`."""
        context = browser.new_context(base_url=self.proxy)
        context.add_cookies(
            [{'name': ROUTE_COOKIE, 'value': self.routes[instance], 'url': self.proxy}]
        )
        return context

    def expect_dashboards(self, *, a: int, b: int) -> None:
        eventually(
            lambda: (self.a.dashboards(), self.b.dashboards()) == (a, b),
            seconds=15,
            what=f'{a} page(s) live on instance a and {b} on b',
        )


@pytest.fixture(scope='module')
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    base = make_url(
        os.environ.get(
            'TEST_POSTGRES_URL',
            'postgresql+psycopg://postgres:postgres@127.0.0.1:5432/tasklight_test',
        )
    )
    name = f'{base.database}_deploy'  # the checkout's own, beside its other test databases
    admin = base.set(drivername='postgresql', database='postgres')
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    redis_url = os.environ.get('TEST_REDIS_URL', 'redis://127.0.0.1:6379/15')
    redis.Redis.from_url(redis_url).flushdb()  # this checkout's test db only: fresh counters
    shared = {
        'DATABASE_URL': base.set(database=name).render_as_string(hide_password=False),
        'REDIS_URL': redis_url,
        'SECRET_KEY': 'deploy-test-secret-shared-by-both-instances',
        'RATE_LIMIT_LOGIN': '5/minute',
        'RATE_LIMIT_REGISTER': '100/minute',
        'ACCESS_LOG': 'true',
        'METRICS_TOKEN': METRICS_TOKEN,
    }
    a = Instance('a', tmp_path_factory.mktemp('instance-a'), shared)
    b = Instance('b', tmp_path_factory.mktemp('instance-b'), shared)
    a.start()
    try:
        b.start()
        with running_nginx(tmp_path_factory.mktemp('nginx'), upstreams=(a.port, b.port)) as proxy:
            deployment = Deployment(a, b, proxy)
            for candidate in (f'route-{n}' for n in range(64)):
                deployment.routes.setdefault(deployment.owner(candidate), candidate)
                if len(deployment.routes) == 2:
                    break
            assert set(deployment.routes) == {'a', 'b'}
            yield deployment
    finally:
        b.stop()
        a.stop()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto('/login')
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password').fill(password)
    page.get_by_role('button', name='Sign in', exact=True).click()


def test_nginx_routes_by_its_cookie_and_gives_one_to_a_new_browser(
    deployment: Deployment,
) -> None:
    first = httpx.get(f'{deployment.proxy}/login', follow_redirects=False)
    cookie = first.cookies.get(ROUTE_COOKIE)
    assert cookie is not None
    again = httpx.get(f'{deployment.proxy}/healthz', cookies={ROUTE_COOKIE: cookie})
    assert ROUTE_COOKIE not in again.cookies  # issued once, then kept
    owner = deployment.owner(cookie)
    assert [deployment.owner(cookie) for _ in range(5)] == [owner] * 5
    assert httpx.get(f'{deployment.proxy}/metrics').status_code == 404  # each instance's own
    assert httpx.get(f'{deployment.a.url}/metrics').status_code == 401  # the token, even here


def test_a_change_on_one_instance_shows_live_on_the_other(
    deployment: Deployment, browser: Browser
) -> None:
    on_a, on_b = deployment.context(browser, 'a'), deployment.context(browser, 'b')
    page_a, page_b = on_a.new_page(), on_b.new_page()
    email = sign_up(page_a)
    sign_in(page_b, email)
    expect(page_b).to_have_url(re.compile(r'/tasks$'))
    expect(page_b.get_by_label('New task')).to_be_visible()
    deployment.expect_dashboards(a=1, b=1)  # one person, a tab on each instance

    page_a.get_by_label('New task').fill('Made on instance a')
    started = time.monotonic()
    page_a.get_by_label('New task').press('Enter')
    expect(page_b.get_by_role('checkbox', name='Made on instance a')).to_be_visible(timeout=LIVE)
    a_to_b = time.monotonic() - started

    started = time.monotonic()
    page_b.get_by_role('checkbox', name='Made on instance a').click()
    expect(page_a.get_by_role('checkbox', name='Made on instance a')).to_have_count(0, timeout=LIVE)
    b_to_a = time.monotonic() - started
    print(f'\nlive update through nginx: a→b {a_to_b * 1000:.0f} ms, b→a {b_to_a * 1000:.0f} ms')
    assert deployment.b.metric('tasklight_events_received_total', kind='tasks') >= 1
    on_a.close()
    on_b.close()


def test_signing_out_on_one_instance_ends_the_tab_on_the_other(
    deployment: Deployment, browser: Browser
) -> None:
    context = deployment.context(browser, 'a')
    page = context.new_page()
    sign_up(page)
    # The same browser (its sign-in cookie) with a tab served by instance b directly.
    other = context.new_page()
    other.goto(f'{deployment.b.url}/tasks')
    expect(other.get_by_label('New task')).to_be_visible()
    deployment.expect_dashboards(a=1, b=1)

    left: dict[str, float] = {}

    def leaving(name: str) -> Callable[[Frame], None]:
        def record(frame: Frame) -> None:
            if frame.parent_frame is None and '/login' in frame.url:
                left.setdefault(name, time.monotonic())

        return record

    page.on('framenavigated', leaving('here'))
    other.on('framenavigated', leaving('other'))
    # Playwright's click returns once the navigation it caused (this tab's, to /login) commits:
    # the session has ended by then, and the other instance's tab must follow within 2 s.
    page.get_by_role('button', name='Sign out').click()
    expect(other).to_have_url(re.compile(r'/login'), timeout=LIVE)  # without touching it
    expect(page).to_have_url(re.compile(r'/login'))
    lag = (left['other'] - left['here']) * 1000
    print(f"\nsign-out: the other instance's tab left {lag:+.0f} ms from the signing-out tab")
    expect(other.get_by_text('You have been signed out.')).to_be_visible()
    other.goto(f'{deployment.b.url}/tasks')
    expect(other).to_have_url(re.compile(r'/login'))
    context.close()


def test_failed_sign_ins_are_counted_across_instances(
    deployment: Deployment, browser: Browser
) -> None:
    joining = deployment.context(browser, 'a')
    email = sign_up(joining.new_page())
    joining.close()  # that browser is trusted now; the guesses come from new ones
    on_a, on_b = deployment.context(browser, 'a'), deployment.context(browser, 'b')
    page_a, page_b = on_a.new_page(), on_b.new_page()
    # RATE_LIMIT_LOGIN=5/minute per email: 3 wrong guesses on a and 2 on b spend it all.
    for page in (page_a, page_a, page_a, page_b, page_b):
        sign_in(page, email, 'not the password')
        expect(page.get_by_text('Invalid email or password')).to_be_visible()
    deployment.expect_dashboards(a=1, b=1)
    # Each instance alone has seen at most 3; the shared count in Redis says 5.
    for page in (page_a, page_b):
        sign_in(page, email)
        expect(page.get_by_text(re.compile(r'Too many attempts\. Try again in'))).to_be_visible()
        expect(page).to_have_url(re.compile(r'/login'))
    on_a.close()
    on_b.close()


def test_a_list_shared_across_instances_is_live_in_both_directions(
    deployment: Deployment, browser: Browser
) -> None:
    """The owner, served by instance a, shares a list with a colleague served by instance b: the
    owner's new task shows in the colleague's tab, and the colleague's edit of it in the
    owner's, each within 2 s and without a reload."""
    on_a, on_b = deployment.context(browser, 'a'), deployment.context(browser, 'b')
    owner, colleague = on_a.new_page(), on_b.new_page()
    their_email = sign_up(colleague)
    sign_up(owner)
    new_list(owner, 'Across instances')
    owner.get_by_role('button', name='Options for Across instances').click()
    owner.locator('.q-menu').get_by_text('Share…', exact=True).click()
    dialog = owner.get_by_role('dialog', name='Share Across instances')
    dialog.get_by_label('Email').fill(their_email)
    dialog.get_by_role('button', name='Share', exact=True).click()
    expect(dialog.get_by_text(their_email)).to_be_visible()
    dialog.get_by_role('button', name='Done').click()
    # It arrives in the colleague's sidebar on the other instance, without a reload.
    expect(nav(colleague, 'Across instances')).to_be_visible(timeout=LIVE)
    nav(colleague, 'Across instances').click()
    expect(colleague.get_by_role('heading', name='Across instances')).to_be_visible()
    deployment.expect_dashboards(a=1, b=1)  # the owner's tab on a, the colleague's on b

    owner.get_by_label('New task').fill('Added on instance a')
    started = time.monotonic()
    owner.get_by_label('New task').press('Enter')
    arrived = colleague.get_by_role('checkbox', name='Added on instance a')
    expect(arrived).to_be_visible(timeout=LIVE)
    a_to_b = time.monotonic() - started

    row(colleague, 'Added on instance a').get_by_role('button', name='Edit').click()
    edit = colleague.get_by_role('dialog')
    edit.get_by_label('Title').fill('Edited on instance b')
    started = time.monotonic()
    edit.get_by_role('button', name='Save').click()
    edited = owner.get_by_role('checkbox', name='Edited on instance b')
    expect(edited).to_be_visible(timeout=LIVE)
    b_to_a = time.monotonic() - started
    expect(owner.get_by_role('checkbox', name='Added on instance a')).to_have_count(0)
    print(f'\nshared list across instances: a→b {a_to_b * 1000:.0f} ms, b→a {b_to_a * 1000:.0f} ms')
    deployment.expect_dashboards(a=1, b=1)  # neither tab moved to get there
    on_a.close()
    on_b.close()


@pytest.mark.skipif(CADDY is None, reason='caddy is not installed (scripts/test installs it)')
def test_caddy_in_front_of_the_same_instances(
    deployment: Deployment, browser: Browser, tmp_path: Path
) -> None:
    """The shipped Caddyfile: its cookie pins the browser, websockets pass, Host keeps its port."""
    with running_caddy(tmp_path, upstreams=(deployment.a.port, deployment.b.port)) as caddy:
        context = browser.new_context(base_url=caddy)
        page = context.new_page()
        sign_up(page)
        assert ROUTE_COOKIE in {cookie['name'] for cookie in context.cookies()}
        eventually(
            lambda: deployment.a.dashboards() + deployment.b.dashboards() == 1,
            seconds=15,
            what='the page through Caddy is live on one instance',
        )
        here, there = (
            (deployment.a, deployment.b)
            if deployment.a.dashboards() == 1
            else (deployment.b, deployment.a)
        )
        page.reload()  # the cookie keeps it on the same instance
        expect(page.get_by_label('New task')).to_be_visible()
        eventually(lambda: here.dashboards() == 1, seconds=15, what='still on the same instance')
        other = context.new_page()  # the same sign-in, on the other instance directly
        other.goto(f'{there.url}/tasks')
        expect(other.get_by_label('New task')).to_be_visible()
        page.get_by_label('New task').fill('Through Caddy')
        started = time.monotonic()
        page.get_by_label('New task').press('Enter')
        expect(other.get_by_role('checkbox', name='Through Caddy')).to_be_visible(timeout=LIVE)
        print(
            f'\nthrough Caddy to the other instance: {(time.monotonic() - started) * 1000:.0f} ms'
        )
        context.close()


def test_a_stopped_instances_tab_moves_to_the_other_and_keeps_working(
    deployment: Deployment, browser: Browser
) -> None:
    """Last in this module: instance a is stopped (and started again) here."""
    context = deployment.context(browser, 'a')
    page = context.new_page()
    sign_up(page)
    add(page, 'Before the stop')
    deployment.expect_dashboards(a=1, b=0)

    started = time.monotonic()
    assert deployment.a.stop() == 0  # SIGTERM: a clean exit
    # The page's websocket drops; it reconnects through nginx, which fails over to b, where
    # NiceGUI does not know the page and reloads it: still signed in (sessions are in the
    # database), now live on b.
    eventually(lambda: deployment.b.dashboards() == 1, seconds=30, what='the tab is live on b')
    moved = time.monotonic() - started
    print(f'\nafter SIGTERM the tab was live on the other instance in {moved:.1f} s')
    assert page.url.startswith(deployment.proxy)  # still through nginx
    expect(page.get_by_role('checkbox', name='Before the stop')).to_be_visible()
    add(page, 'After the stop')
    page.reload()
    expect(page.get_by_role('checkbox', name='Before the stop')).to_be_visible()
    expect(page.get_by_role('checkbox', name='After the stop')).to_be_visible()
    assert deployment.b.dashboards() == 1

    # Started again, instance a gets its browsers back once nginx retries it (fail_timeout).
    deployment.a.start()
    cookie = deployment.routes['a']
    eventually(lambda: deployment.owner(cookie) == 'a', seconds=30, what='nginx routes to a again')
    context.close()
