"""Lighthouse 12 (mobile profile) against /login and a signed-in /tasks with a few tasks.

    python -m bench.lighthouse [--runs 3] [--port 8931]

Starts `python main.py` as production runs it (SQLite in a temp folder), signs a person up in
headless Chromium to get a session cookie, and runs Lighthouse from the npm registry (installed
on first use into bench/results/lighthouse, which git ignores) against /usr/bin/chromium
(CHROME_PATH). Prints the accessibility, best-practices and performance scores of each run, the
median, and every audit of the first two categories that did not score 100, so a regression says
what it is. Then, from the last run of each page, the figures that machine load does not distort:
bytes transferred per resource type, the biggest files, and the render-blocking ones. Results go
to bench/results/lighthouse-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

from bench.common import (
    CHROMIUM_ARGS,
    ROOT,
    machine,
    progress,
    running_server,
    table,
    wait_until_up,
    write_result,
)

LIGHTHOUSE_VERSION = '12'
TOOLS = ROOT / 'bench' / 'results' / 'lighthouse'
CHROMIUM = os.environ.get('CHROMIUM_PATH', '/usr/bin/chromium')
CATEGORIES = ('accessibility', 'best-practices', 'performance')
PASSWORD = 'correct horse battery'  # noqa: S105 - a throwaway bench account


def lighthouse_binary() -> Path:
    binary = TOOLS / 'node_modules' / '.bin' / 'lighthouse'
    if not binary.exists():
        progress(f'installing lighthouse@{LIGHTHOUSE_VERSION} into {TOOLS}')
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ['npm', 'install', '--no-audit', '--no-fund', '--prefix', str(TOOLS),
             f'lighthouse@{LIGHTHOUSE_VERSION}'],
            check=True,
        )  # fmt: skip
    return binary


def signed_in_cookie(url: str) -> str:
    """A new person with a handful of tasks; their session cookie as a Cookie header."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=url)
        page.goto('/signup')
        page.wait_for_function('window.did_handshake === true')
        page.get_by_label('Email').fill('lighthouse@example.com')
        page.get_by_label('Password', exact=True).fill(PASSWORD)
        page.get_by_label('Confirm password').fill(PASSWORD)
        page.get_by_role('button', name='Sign up').click()
        page.wait_for_url('**/tasks')
        cookies = page.context.cookies()
        browser.close()
    token = httpx.post(
        f'{url}/api/auth/login',
        json={'email': 'lighthouse@example.com', 'password': PASSWORD},
        timeout=10,
    ).json()['access_token']
    for title, priority in (('Pay the rent', 3), ('Water the plants', 0), ('Plan the trip', 1)):
        httpx.post(
            f'{url}/api/tasks',
            json={'title': title, 'priority': priority},
            headers={'Authorization': f'Bearer {token}'},
            timeout=10,
        ).raise_for_status()
    return '; '.join(f'{c["name"]}={c["value"]}' for c in cookies)


def run_lighthouse(binary: Path, url: str, cookie: str | None, out: Path) -> dict[str, Any]:
    command = [
        str(binary),
        url,
        '--quiet',
        '--output=json',
        f'--output-path={out}',
        f'--only-categories={",".join(CATEGORIES)}',
        '--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run',
    ]
    if cookie:
        command.append('--extra-headers=' + json.dumps({'Cookie': cookie}))
    env = {**os.environ, 'CHROME_PATH': CHROMIUM}
    subprocess.run(command, check=True, env=env, timeout=300)
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def misses(report: dict[str, Any]) -> list[str]:
    found = []
    for category in ('accessibility', 'best-practices'):
        for ref in report['categories'][category]['auditRefs']:
            audit = report['audits'][ref['id']]
            if ref['weight'] and audit['score'] is not None and audit['score'] < 1:
                found.append(f'{category}: {audit["id"]} — {audit["title"]}')
    return found


def weights(report: dict[str, Any]) -> dict[str, Any]:
    """Bytes transferred (by type and the biggest files) and the render-blocking files."""
    audits = report['audits']
    by_type = {
        item['resourceType']: {'requests': item['requestCount'], 'bytes': item['transferSize']}
        for item in audits['resource-summary']['details']['items']
    }
    biggest = [
        {'url': item['url'], 'bytes': item['totalBytes']}
        for item in audits['total-byte-weight']['details']['items'][:8]
    ]
    blocking = audits.get('render-blocking-resources') or audits.get('render-blocking-insight')
    items = ((blocking or {}).get('details') or {}).get('items') or []
    return {
        'by_type': by_type,
        'biggest': biggest,
        'render_blocking': [
            {'url': i.get('url'), 'bytes': i.get('totalBytes'), 'wasted_ms': i.get('wastedMs')}
            for i in items
            if i.get('url')
        ],
    }


def short(url: str) -> str:
    return url.split('/', 3)[-1] if url.startswith('http') else url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--port', type=int, default=8931)
    args = parser.parse_args()
    binary = lighthouse_binary()
    url = f'http://127.0.0.1:{args.port}'
    folder = Path(tempfile.mkdtemp(prefix='tasklight-lighthouse-'))
    results: dict[str, Any] = {'machine': machine(), 'runs': {}}
    with running_server(f'sqlite:///{folder}/tasklight.db', args.port):
        asyncio.run(wait_until_up(url, '/healthz', 200))
        cookie = signed_in_cookie(url)
        rows = []
        for path, with_cookie in (('/login', False), ('/tasks', True)):
            scores: dict[str, list[int]] = {name: [] for name in CATEGORIES}
            fcp: list[float] = []
            missed: set[str] = set()
            for number in range(1, args.runs + 1):
                progress(f'lighthouse {path} run {number}/{args.runs}')
                report = run_lighthouse(
                    binary, url + path, cookie if with_cookie else None, folder / 'report.json'
                )
                if with_cookie and not report['finalDisplayedUrl'].endswith(path):
                    raise RuntimeError(f'{path} ended at {report["finalDisplayedUrl"]}')
                for name in CATEGORIES:
                    scores[name].append(round(report['categories'][name]['score'] * 100))
                fcp.append(report['audits']['first-contentful-paint']['numericValue'])
                missed.update(misses(report))
            results['runs'][path] = {
                'scores': scores,
                'fcp_ms': fcp,
                'missed': sorted(missed),
                **weights(report),
            }
            rows.append(
                [path]
                + [f'{statistics.median(scores[n]):.0f} ({min(scores[n])}–{max(scores[n])})'
                   for n in CATEGORIES]
                + [f'{statistics.median(fcp) / 1000:.2f} s']
            )  # fmt: skip
    print(table(['page', *CATEGORIES, 'FCP'], rows))
    for path, data in results['runs'].items():
        for line in data['missed']:
            print(f'{path}: {line}')
    for path, data in results['runs'].items():
        kinds = ', '.join(
            f'{kind} {v["bytes"] / 1024:.1f} KiB ({v["requests"]})'
            for kind, v in data['by_type'].items()
            if v['requests']
        )
        print(f'{path} transferred: {kinds}')
        for item in data['biggest']:
            print(f'{path}   {item["bytes"] / 1024:7.1f} KiB  {short(item["url"])}')
        for item in data['render_blocking']:
            size = (item['bytes'] or 0) / 1024
            print(f'{path} render-blocking: {short(item["url"])} ({size:.1f} KiB)')
    print(f'saved {write_result("lighthouse", results)}')


if __name__ == '__main__':
    main()
