"""Regenerate the screenshots in docs/: `.venv/bin/python scripts/screenshots.py`.

Starts `python main.py` on a scratch data folder, signs up a demo person through the API, adds
lists and tasks with due dates and priorities, and captures the sign-in page, the dashboard at
desktop and phone width, and the phone's list drawer, in Chromium.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / 'docs'
sys.path.insert(0, str(ROOT))
from bench.common import CHROMIUM_ARGS  # noqa: E402 - the browser flags the tests use

LISTS = [('Home', 'green'), ('Work', 'blue'), ('Trip to Lyon', 'orange')]
# (title, description, list name or None for the Inbox, due in days or None, time, priority, done)
TASKS = [
    ('Pay electricity bill', '', 'Home', -1, None, 3, False),
    ('Call the plumber about the kitchen sink', '', 'Home', 0, '17:30', 2, False),
    ('Water the plants', '', 'Home', 2, None, 0, False),
    (
        'Write the Q3 report',
        'Numbers from finance are in the shared folder',
        'Work',
        0,
        None,
        3,
        False,
    ),
    ('Prepare slides for Monday', '', 'Work', 4, '09:00', 2, False),
    ('Review the budget draft', '', 'Work', None, None, 1, False),
    ('Book train to Lyon', '', 'Trip to Lyon', 1, None, 2, False),
    (
        'Renew passport',
        'Appointment at the town hall, bring two photos',
        None,
        6,
        '10:15',
        1,
        False,
    ),
    ('Buy a birthday present for Alex', '', None, 3, None, 0, False),
    ('Send the invoice to the client', '', 'Work', None, None, 0, True),
]


def _send(
    url: str, body: dict[str, object], token: str | None = None, method: str = 'POST'
) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310 - local server
        url,
        data=json.dumps(body).encode(),
        headers={'Content-Type': 'application/json'},
        method=method,
    )
    if token:
        request.add_header('Authorization', f'Bearer {token}')
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return dict(json.loads(response.read() or b'{}'))


def main() -> None:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    data = tempfile.mkdtemp(prefix='tasklight-shots-')
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST')}
    env.update(PORT=str(port), DATA_DIR=data)
    server = subprocess.Popen([sys.executable, 'main.py'], cwd=ROOT, env=env)
    base = f'http://127.0.0.1:{port}'
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f'{base}/login').close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        email, password = 'sam@example.com', 'correct horse battery'
        tokens = _send(f'{base}/api/auth/register', {'email': email, 'password': password})
        token = str(tokens['access_token'])
        _send(f'{base}/api/me/time-zone', {'time_zone': 'Europe/Paris'}, token, 'PUT')
        list_ids = {
            name: _send(f'{base}/api/lists', {'name': name, 'colour': colour}, token)['id']
            for name, colour in LISTS
        }
        today = date.today()
        for title, description, list_name, days, at, priority, done in reversed(TASKS):
            body: dict[str, object] = {'title': title, 'description': description}
            if list_name:
                body['list_id'] = list_ids[list_name]
            if days is not None:
                body['due_date'] = (today + timedelta(days=days)).isoformat()
            if at:
                body['due_time'] = at
            if priority:
                body['priority'] = priority
            task = _send(f'{base}/api/tasks', body, token)
            if done:
                _send(f'{base}/api/tasks/{task["id"]}/toggle', {}, token, 'PATCH')
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get('CHROMIUM_PATH', '/usr/bin/chromium'),
                args=CHROMIUM_ARGS,
            )
            for name, viewport in (
                ('desktop', {'width': 1280, 'height': 800}),
                ('phone', {'width': 390, 'height': 844}),
            ):
                page = browser.new_context(viewport=viewport, base_url=base).new_page()
                page.goto('/login')
                page.wait_for_timeout(500)
                if name == 'desktop':
                    page.screenshot(path=DOCS / 'signin.png')
                page.get_by_label('Email').fill(email)
                page.get_by_label('Password').fill(password)
                page.get_by_role('button', name='Sign in').click()
                page.wait_for_url('**/tasks')
                page.goto(f'/lists/{list_ids["Work"]}' if name == 'desktop' else '/tasks/today')
                page.get_by_role('checkbox').first.wait_for()
                page.wait_for_timeout(800)
                page.screenshot(path=DOCS / f'dashboard-{name}.png', full_page=name == 'phone')
                if name == 'phone':
                    page.get_by_role('button', name='Menu').click()
                    page.get_by_text('Upcoming').first.wait_for()
                    page.wait_for_timeout(600)
                    page.screenshot(path=DOCS / 'drawer-phone.png')
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == '__main__':
    main()
