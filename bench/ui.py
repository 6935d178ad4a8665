"""The NiceGUI side under load: `python -m bench.ui` (after `python -m bench.seed`).

Starts `python main.py` on the benchmark database and measures three things:

1. dashboard ready: in Chromium, signed in, from `goto('/tasks')` until the first task's checkbox
   is on screen, for people with 10, 1,000 and 10,000 tasks (the first, cold load reported apart);
2. memory per connected dashboard: the server's resident memory with 1, 50 and 200 dashboards
   open, each a real page request plus its socket.io connection (acknowledging messages as the
   browser does), every one a different person with a full first page of tasks;
3. toggle round trip: with 100 such dashboards connected, a person clicks a checkbox in Chromium;
   the time from the click until the server's re-rendered list shows the task done (or undone).
   Measured twice: the 100 others being other people, and 10 of them being this person's other
   tabs (each toggle then refreshes those 10 live as well);
4. memory per waiting dashboard: what the server holds for pages whose connection dropped (a
   closed lid, a tunnel, a tab closed), kept for the reconnect window so a returning browser
   finds its page: resident memory before, with the dashboards connected, and once they have all
   disconnected; with --after-window, again once the window has passed and as many new
   dashboards have opened (memory reused means the waiting pages were let go). The window is the
   server's RECONNECT_TIMEOUT_SECONDS (docs/operations.md, "Reconnect window").

Dashboards other than Chromium's are socket.io clients, not browsers: a browser tab per dashboard
would measure Chromium, not the server.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
import socketio
from playwright.async_api import Browser, Page, async_playwright

from app.db import make_engine, set_engine
from app.security import hash_password
from bench.common import (
    BENCH_DB_URL,
    CHROMIUM_ARGS,
    HEAVY_EMAIL,
    LIGHT_EMAIL,
    PASSWORD,
    phase,
    progress,
    running_server,
    summary_ms,
    table,
    wait_until_up,
    write_result,
)
from bench.seed import TASK_COPY, list_rows, organized, plain_url
from services import auth, uow

SIZED_EMAIL = 'ui{size}@bench.example'
TOGGLER_EMAIL = 'ui-toggle@bench.example'
TOGGLE_TITLE = 'Round trip'
CLIENT_ID_RE = re.compile(r"""['"]client_id['"]: ['"]([0-9a-f-]+)['"]""")
NEXT_ID_RE = re.compile(r"""['"]next_message_id['"]: (\d+)""")


def heavy_people(database_url: str, most: int = 10) -> int:
    """How many of the seed's heavy users there are (the smoke test seeds fewer), up to `most`."""
    with psycopg.connect(plain_url(database_url)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM user_account WHERE email LIKE 'heavy%@bench.example'"
        ).fetchone()
    return min(most, int(row[0]) if row else 0)


def prepare_people(database_url: str, sizes: list[int]) -> None:
    """People with exactly 10, 1,000, … tasks, and one for the toggle: made afresh each run.
    Each sized person has ten lists like bench.seed's heavy users, their tasks dealt round the
    lists (the Inbox first, so even the smallest has one there) with due dates and priorities
    like the seed's; the toggler has five plain tasks in the Inbox."""
    password_hash = hash_password(PASSWORD)
    now = datetime.now(UTC)
    today = now.date()
    rng = random.Random(11)
    people = [(SIZED_EMAIL.format(size=size), size) for size in sizes] + [(TOGGLER_EMAIL, 5)]
    with psycopg.connect(plain_url(database_url)) as connection:
        connection.execute("DELETE FROM user_account WHERE email LIKE 'ui%@bench.example'")
        for email, size in people:
            user_id = uuid.uuid4()
            connection.execute(
                'INSERT INTO user_account (id, email, password_hash, created_at)'
                ' VALUES (%s, %s, %s, %s)',
                (user_id, email, password_hash, now - timedelta(days=30)),
            )
            list_id = connection.execute(
                'INSERT INTO task_list (owner_id, name, colour, position, is_inbox, sort,'
                " created_at, updated_at, version) VALUES (%s, 'Inbox', 'grey', 0, true,"
                " 'manual', %s, %s, 1) RETURNING id",
                (user_id, now, now),
            ).fetchone()[0]
            owned = [list_id]
            if email != TOGGLER_EMAIL:
                for row in list_rows(user_id, 0, now):
                    owned.append(
                        connection.execute(
                            'INSERT INTO task_list (owner_id, name, colour, position, is_inbox,'
                            ' sort, created_at, updated_at, version)'
                            ' VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id',
                            row[1:],
                        ).fetchone()[0]
                    )
            with (
                connection.cursor() as cursor,
                cursor.copy(TASK_COPY) as copy,
            ):
                for i in range(size):
                    created = now - timedelta(seconds=rng.randrange(30 * 86_400))
                    # The toggler has one done task, so that the Completed section shows.
                    done = i == size - 1 if email == TOGGLER_EMAIL else rng.random() < 0.4
                    title = f'{TOGGLE_TITLE} {i}' if email == TOGGLER_EMAIL else f'Task {i}'
                    finished = created if done else None
                    due = (None, None, None, 0) if email == TOGGLER_EMAIL else organized(rng, today)
                    copy.write_row(
                        (
                            user_id,
                            owned[i % len(owned)],
                            float(i // len(owned)),
                            title,
                            'Notes',
                            done,
                            created,
                            created,
                            finished,
                            *due,
                        )
                    )
        connection.commit()


# -- real Chromium -------------------------------------------------------------------------------


async def browser_sign_in(browser: Browser, url: str, email: str) -> Page:
    context = await browser.new_context(base_url=url, viewport={'width': 1280, 'height': 900})
    page = await context.new_page()
    await page.goto('/login')
    await page.get_by_label('Email').fill(email)
    await page.get_by_label('Password').fill(PASSWORD)
    await page.get_by_role('button', name='Sign in').click()
    await page.wait_for_url('**/tasks')
    await page.locator('.q-checkbox').first.wait_for()
    return page


async def time_load(page: Page) -> tuple[float, float]:
    """(seconds from goto to the first task on screen, seconds until the HTML had arrived)."""
    start = time.perf_counter()
    await page.goto('/tasks')
    await page.locator('.q-checkbox').first.wait_for()
    elapsed = time.perf_counter() - start
    html_ms = await page.evaluate("() => performance.getEntriesByType('navigation')[0].responseEnd")
    return elapsed, html_ms / 1000


async def dashboard_ready(
    browser: Browser, url: str, sizes: list[int], runs: int, cold_runs: int
) -> dict[str, Any]:
    """Per size: `cold_runs` loads in a fresh browser profile (nothing cached, as on a first
    visit), then `runs` reloads with the cache warm, as someone coming back to the tab."""
    results: dict[str, Any] = {}
    for size in sizes:
        page = await browser_sign_in(browser, url, SIZED_EMAIL.format(size=size))
        state = await page.context.storage_state()
        cold: list[float] = []
        for _ in range(cold_runs):
            context = await browser.new_context(base_url=url, storage_state=state)
            cold.append((await time_load(await context.new_page()))[0])
            await context.close()
        warm: list[float] = []
        html: list[float] = []
        for _ in range(runs):
            elapsed, html_seconds = await time_load(page)
            warm.append(elapsed)
            html.append(html_seconds)
        results[str(size)] = {
            'cold': summary_ms(cold),
            'warm': summary_ms(warm),
            'html_received': summary_ms(html),
        }
        await page.context.close()
    return results


# -- dashboards as socket.io clients -------------------------------------------------------------


class Dashboard:
    """One open /tasks page: the page request, then the websocket that keeps it alive."""

    def __init__(self, url: str, cookie: str) -> None:
        self.url = url
        self.cookie = cookie
        self.sio = socketio.AsyncClient(reconnection=False)
        self.client_id = ''
        self.next_message_id = 0
        self.messages = 0
        self.sio.on('*', self._on_message)

    async def _on_message(self, event: str, data: Any = None) -> None:
        self.messages += 1
        if isinstance(data, dict) and '_id' in data:
            self.next_message_id = max(self.next_message_id, int(data['_id']) + 1)
            await self.sio.emit(
                'ack', {'client_id': self.client_id, 'next_message_id': self.next_message_id}
            )

    async def open(self, http: aiohttp.ClientSession) -> None:
        async with http.get(
            f'{self.url}/tasks', headers={'Cookie': self.cookie}, allow_redirects=False
        ) as response:
            if response.status != 200:
                raise RuntimeError(f'/tasks answered {response.status}')
            page = await response.text()
        client_id, next_id = CLIENT_ID_RE.search(page), NEXT_ID_RE.search(page)
        if not client_id or not next_id:
            raise RuntimeError('no socket.io query in the page')
        self.client_id = client_id.group(1)
        self.next_message_id = int(next_id.group(1))
        params = {
            'client_id': self.client_id,
            'next_message_id': str(self.next_message_id),
            'implicit_handshake': 'true',
            'tab_id': str(uuid.uuid4()),
            'document_id': str(uuid.uuid4()),
        }
        await self.sio.connect(
            f'{self.url}?{"&".join(f"{k}={v}" for k, v in params.items())}',
            socketio_path='/_nicegui_ws/socket.io',
            transports=['websocket'],
            headers={'Cookie': self.cookie},
            wait_timeout=20,
        )

    async def close(self) -> None:
        await self.sio.disconnect()


def _ticket(session: Any, *, email: str, nonce: str) -> auth.IssuedSession:
    # Past the sign-in limits (every password check counts per address): the bench signs in
    # hundreds of people from one process and measures dashboards, not the throttle.
    user = auth.authenticate(session, email=email, password=PASSWORD)
    return auth.start_session(session, user=user, kind='browser', nonce=nonce)


async def cookie_for(http: aiohttp.ClientSession, url: str, email: str) -> str:
    """Sign in through the service and trade the ticket for the cookie as the login page does,
    beside the nonce cookie the ticket is bound to."""
    nonce = secrets.token_urlsafe(16)
    issued = await asyncio.to_thread(uow.call, _ticket, email=email, nonce=nonce)
    async with http.get(
        f'{url}/auth/complete',
        params={'ticket': issued.token},
        headers={'Cookie': f'tasklight_signin={nonce}'},
        allow_redirects=False,
    ) as response:
        morsel = response.cookies.get('tasklight_session')
        if response.status != 303 or morsel is None:
            raise RuntimeError(f'ticket exchange failed: {response.status}')
        return f'tasklight_session={morsel.value}'


def resident_kib(pid: int) -> int:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    raise RuntimeError('no VmRSS')


async def open_dashboards(
    http: aiohttp.ClientSession, url: str, cookies: list[str]
) -> list[Dashboard]:
    dashboards = [Dashboard(url, cookie) for cookie in cookies]
    for start in range(0, len(dashboards), 10):
        await asyncio.gather(*(d.open(http) for d in dashboards[start : start + 10]))
    return dashboards


async def settle(pid: int, seconds: float = 3.0) -> int:
    await asyncio.sleep(seconds)
    return resident_kib(pid)


async def memory(
    http: aiohttp.ClientSession, url: str, pid: int, cookies: list[str], levels: list[int]
) -> dict[str, Any]:
    """Resident memory of the server as dashboards connect, cumulatively up to max(levels)."""
    warm = await open_dashboards(http, url, cookies[:5])  # import and cache whatever a page needs
    for dashboard in warm:
        await dashboard.close()
    await asyncio.sleep(1)
    baseline = await settle(pid)
    open_now: list[Dashboard] = []
    results: dict[str, Any] = {'baseline_mib': round(baseline / 1024, 1)}
    previous = (0, baseline)
    for level in levels:
        open_now += await open_dashboards(http, url, cookies[len(open_now) : level])
        rss = await settle(pid)
        results[str(level)] = {
            'rss_mib': round(rss / 1024, 1),
            'per_client_mib': round((rss - baseline) / 1024 / level, 3),
            'marginal_per_client_mib': round(
                (rss - previous[1]) / 1024 / max(1, level - previous[0]), 3
            ),
        }
        previous = (level, rss)
    for dashboard in open_now:
        await dashboard.close()
    return results


async def waiting_memory(
    http: aiohttp.ClientSession, url: str, pid: int, cookies: list[str], count: int, window: float
) -> dict[str, Any]:
    """Resident memory held for `count` dashboards after their connections dropped (see 4.).

    Run on a server of its own: memory Python freed but kept from earlier steps would be reused
    here and hide the cost."""
    people = [cookies[n % len(cookies)] for n in range(count)]  # tabs, not necessarily people
    warm = await open_dashboards(http, url, people[:5])  # import and cache what a page needs
    for dashboard in warm:
        await dashboard.close()
    before = await settle(pid)
    dashboards = await open_dashboards(http, url, people)
    connected = await settle(pid)
    for dashboard in dashboards:
        await dashboard.close()  # the server cannot tell this from a drop: it waits either way
    waiting = await settle(pid)
    result: dict[str, Any] = {
        'dashboards': count,
        'before_mib': round(before / 1024, 1),
        'connected_mib': round(connected / 1024, 1),
        'waiting_mib': round(waiting / 1024, 1),
        'per_waiting_mib': round((waiting - before) / 1024 / count, 3),
    }
    if window > 0:
        await asyncio.sleep(window + 2)  # every waiting page is deleted by now
        released = await settle(pid)
        again = await open_dashboards(http, url, people)
        reopened = await settle(pid)
        for dashboard in again:
            await dashboard.close()
        result |= {
            'after_window_mib': round(released / 1024, 1),
            'reopened_after_window_mib': round(reopened / 1024, 1),
        }
    return result


async def run_waiting(args: argparse.Namespace, url: str, pid: int) -> dict[str, Any]:
    count = (
        args.waiting if args.waiting is not None else max(int(n) for n in args.clients.split(','))
    )
    people = min(count, max([*(int(n) for n in args.clients.split(',')), args.toggle_clients]))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as http:
        emails = [LIGHT_EMAIL.format(n=n) for n in range(people)]
        cookies: list[str] = []
        for start in range(0, len(emails), 4):
            cookies += await asyncio.gather(
                *(cookie_for(http, url, email) for email in emails[start : start + 4])
            )
        return await waiting_memory(http, url, pid, cookies, count, args.after_window)


TOGGLE_SCRIPT = """async ([title, limit]) => {
    const box = () => [...document.querySelectorAll('.q-checkbox')]
        .find((el) => el.textContent.trim() === title);
    // Click only once the page has been still for 150 ms: a click on a row that a refresh is
    // replacing lands on a detached element and is lost (not part of the round trip timed).
    await new Promise((resolve) => {
        let timer = setTimeout(done, 150);
        const observer = new MutationObserver(() => {
            clearTimeout(timer);
            timer = setTimeout(done, 150);
        });
        observer.observe(document.body, {subtree: true, childList: true, attributes: true});
        function done() { observer.disconnect(); resolve(); }
    });
    const first = box();
    if (!first) return {error: `no task titled ${title} on the page`};
    const before = first.classList.contains('tl-done');
    const start = performance.now();
    first.click();
    return await new Promise((resolve) => {
        const check = () => {
            const el = box();
            if (el && el.classList.contains('tl-done') !== before) {
                finish({ms: performance.now() - start});
            }
        };
        const observer = new MutationObserver(check);
        const timer = setTimeout(() => finish({error: `no refresh within ${limit} ms`}), limit);
        function finish(result) { clearTimeout(timer); observer.disconnect(); resolve(result); }
        observer.observe(document.body, {subtree: true, childList: true, attributes: true});
        check();
    });
}"""


async def toggle_round_trips(page: Page, samples: int, lost: list[str]) -> list[float]:
    """Click the task's checkbox; wait in the page until the server's refresh shows it toggled.

    A click that brings no refresh within 15 s is recorded in `lost` (and the results) and tried
    again, instead of waiting for ever; more than a few lost clicks fail the bench."""
    title = f'{TOGGLE_TITLE} 0'
    times: list[float] = []
    while len(times) < samples:
        outcome = await page.evaluate(TOGGLE_SCRIPT, [title, 15_000])
        if 'error' in outcome:
            lost.append(outcome['error'])
            if len(lost) > 3:
                raise RuntimeError(f'toggle clicks lost: {lost}')
            continue
        times.append(outcome['ms'] / 1000)
        await asyncio.sleep(0.05)
    return times


async def run(args: argparse.Namespace, url: str, pid: int) -> dict[str, Any]:
    sizes = [int(s) for s in args.sizes.split(',')]
    levels = [int(n) for n in args.clients.split(',')]
    others_needed = max([*levels, args.toggle_clients])
    results: dict[str, Any] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=args.chromium, args=CHROMIUM_ARGS
        )
        limit = args.phase_timeout
        results['ready'] = await phase(
            'dashboard ready',
            dashboard_ready(browser, url, sizes, args.runs, args.cold_runs),
            limit,
        )

        connector = aiohttp.TCPConnector(limit=32)
        async with aiohttp.ClientSession(connector=connector) as http:
            emails = [LIGHT_EMAIL.format(n=n) for n in range(others_needed)]
            cookies: list[str] = []
            progress('signing in')
            for start in range(0, len(emails), 4):  # argon2 verifies, a few at a time
                cookies += await asyncio.gather(
                    *(cookie_for(http, url, email) for email in emails[start : start + 4])
                )
            # The issue 11 bar: people with ten lists, 10,000 tasks and due dates over a year
            # (the seed's heavy users; dashboards beyond ten are more tabs of theirs).
            heavy = [
                await cookie_for(http, url, HEAVY_EMAIL.format(n=n))
                for n in range(heavy_people(args.database_url))
            ]
            organized = [heavy[n % len(heavy)] for n in range(max(levels))]
            results['memory_organized'] = await phase(
                'memory, organized people', memory(http, url, pid, organized, levels), limit
            )
            results['memory'] = await phase(
                'memory, one list each', memory(http, url, pid, cookies, levels), limit
            )

            progress('toggle round trips')
            page = await browser_sign_in(browser, url, TOGGLER_EMAIL)
            # A ticked task moves to the list's Completed section: open it, so that the toggled
            # row stays on screen in one section or the other.
            await page.get_by_role('button', name='Completed (1)').click()
            await page.locator('.q-checkbox.tl-done, .tl-done').first.wait_for()
            own = [await cookie_for(http, url, TOGGLER_EMAIL) for _ in range(args.own_tabs)]
            results['toggle'] = {}
            lost: list[str] = []
            for label, crowd in (
                ('others', cookies[: args.toggle_clients]),
                (f'{args.own_tabs} own tabs', own + cookies[: args.toggle_clients - args.own_tabs]),
            ):
                dashboards = await open_dashboards(http, url, crowd)
                await asyncio.sleep(1)
                await phase(f'warm-up toggles, {label}', toggle_round_trips(page, 4, lost), limit)
                times = await phase(
                    f'toggles, {label}', toggle_round_trips(page, args.toggles, lost), limit
                )
                results['toggle'][label] = {'clients': len(dashboards), **summary_ms(times)}
                for dashboard in dashboards:
                    await dashboard.close()
            results['toggle_lost_clicks'] = lost
        await browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--database-url', default=BENCH_DB_URL)
    parser.add_argument('--port', type=int, default=8766)
    parser.add_argument('--sizes', default='10,1000,10000', help='tasks of the people timed')
    parser.add_argument('--runs', type=int, default=10, help='warm loads timed per size')
    parser.add_argument('--cold-runs', type=int, default=3, help='first visits timed per size')
    parser.add_argument('--clients', default='1,50,200', help='dashboards open for memory')
    parser.add_argument('--toggle-clients', type=int, default=100)
    parser.add_argument('--own-tabs', type=int, default=10)
    parser.add_argument('--toggles', type=int, default=40)
    parser.add_argument('--chromium', default='/usr/bin/chromium')
    parser.add_argument(
        '--phase-timeout', type=float, default=3600, help='seconds before a phase counts as stalled'
    )
    parser.add_argument(
        '--waiting', type=int, default=None, help='dropped dashboards (default: max of --clients)'
    )
    parser.add_argument(
        '--after-window',
        type=float,
        default=0.0,
        help='seconds to wait for the waiting pages to go (the reconnect window); 0: skip',
    )
    parser.add_argument(
        '--reconnect-window', default=None, help='RECONNECT_TIMEOUT_SECONDS for the server'
    )
    args = parser.parse_args()

    prepare_people(args.database_url, [int(s) for s in args.sizes.split(',')])
    set_engine(make_engine(args.database_url, pool_size=4))
    extra = {}
    if args.reconnect_window is not None:
        extra['RECONNECT_TIMEOUT_SECONDS'] = str(args.reconnect_window)
    with running_server(args.database_url, args.port, **extra) as server:
        url = f'http://127.0.0.1:{args.port}'
        asyncio.run(wait_until_up(url, '/healthz', 200))
        results = asyncio.run(run(args, url, server.pid))
    with running_server(args.database_url, args.port, **extra) as server:
        url = f'http://127.0.0.1:{args.port}'
        asyncio.run(wait_until_up(url, '/healthz', 200))
        results['waiting'] = asyncio.run(
            phase('waiting dashboards', run_waiting(args, url, server.pid), args.phase_timeout)
        )

    print('Dashboard ready (Chromium, goto → first task visible)')
    rows = [
        [size, r['cold']['p50'], r['warm']['p50'], r['warm']['p95'], r['html_received']['p50']]
        for size, r in results['ready'].items()
    ]
    print(table(['tasks', 'first visit p50 ms', 'p50 ms', 'p95 ms', 'HTML in, p50 ms'], rows))
    for key, who in (
        ('memory_organized', 'people with 10 lists and 10,000 tasks'),
        ('memory', 'people with one list of ~100 tasks'),
    ):
        measured = dict(results[key])
        print(f'\nServer memory, {who} (baseline {measured.pop("baseline_mib")} MiB)')
        rows = [
            [level, r['rss_mib'], r['per_client_mib'], r['marginal_per_client_mib']]
            for level, r in measured.items()
        ]
        print(table(['dashboards', 'RSS MiB', 'MiB/client', 'marginal MiB/client'], rows))
    print('\nToggle round trip (click → re-rendered list shows it)')
    rows = [
        [label, r['clients'], r['n'], r['p50'], r['p95'], r['p99']]
        for label, r in results['toggle'].items()
    ]
    print(table(['connected', 'clients', 'toggles', 'p50 ms', 'p95 ms', 'p99 ms'], rows))
    if results['toggle_lost_clicks']:
        print(f'clicks that brought no refresh (tried again): {results["toggle_lost_clicks"]}')
    w = results['waiting']
    print(f'\nWaiting for a reconnect ({w["dashboards"]} dashboards dropped)')
    row = [w['before_mib'], w['connected_mib'], w['waiting_mib'], w['per_waiting_mib']]
    heads = ['before MiB', 'connected MiB', 'dropped, waiting MiB', 'MiB/waiting client']
    if 'after_window_mib' in w:
        row += [w['after_window_mib'], w['reopened_after_window_mib']]
        heads += ['after the window MiB', 'as many reopened MiB']
    print(table(heads, [row]))
    print(f'wrote {write_result("ui", results)}')


if __name__ == '__main__':
    main()
