"""The packaged desktop app in a real X display (Xvfb and the openbox window manager).

These tests need the built binary (`scripts/build-desktop`) and run from `scripts/test-desktop`,
which sets TASKLIGHT_DESKTOP_TESTS=1; in the main test run they skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get('TASKLIGHT_BINARY', ROOT / 'dist' / 'Tasklight'))
ENABLED = os.environ.get('TASKLIGHT_DESKTOP_TESTS') == '1'
SKIP_REASON = (
    'desktop tests need the packaged binary and Xvfb: run scripts/test-desktop '
    '(it sets TASKLIGHT_DESKTOP_TESTS=1)'
)
PRIMARY = '#4f46e5'
# Every X tool and every DevTools call answers within this, or the test fails saying so (a tool
# waiting on a window that went away must not hold the run).
TOOL_SECONDS = 20
# JavaScript that picks an element of the page, for Desktop.rect.
# A button's innerText starts with its icon's ligature ("add\\nAdd"): match its last line.
ADD_BUTTON = (
    "[...document.querySelectorAll('button')].find(b => b.innerText.split('\\n').pop() === 'Add')"
)
NEW_TASK_FIELD = 'document.querySelector(\'input[aria-label="New task"]\')'
SIGN_IN_BUTTON = (
    "[...document.querySelectorAll('button')]"
    ".find(b => b.innerText.split('\\n').pop() === 'Sign in')"
)


@pytest.fixture(autouse=True)
def _only_when_asked() -> None:
    if not ENABLED:
        pytest.skip(SKIP_REASON)
    assert BINARY.exists(), f'{BINARY} is missing: run scripts/build-desktop first'


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> object:
    """Poll until `condition()` is truthy; the machine may be busy, so waits are generous."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out after {seconds:.0f}s waiting for {what}')
        time.sleep(0.2)


@pytest.fixture(scope='session')
def display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A virtual screen of its own (Xvfb picks a free display number) with a window manager."""
    if not ENABLED:
        pytest.skip(SKIP_REASON)
    for tool in ('Xvfb', 'openbox', 'xdotool', 'wmctrl', 'import', 'xmessage'):
        assert shutil.which(tool), f'{tool} is missing: scripts/test-desktop installs it'
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ['Xvfb', '-displayfd', str(write), '-screen', '0', '1400x1000x24', '-nolisten', 'tcp'],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as numbers:
        name = f':{numbers.readline().strip()}'
    wm = subprocess.Popen(
        ['openbox'], env={**os.environ, 'DISPLAY': name}, stderr=subprocess.DEVNULL
    )
    try:
        yield name
    finally:
        for process in (wm, xvfb):
            process.terminate()
            process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return int(probe.getsockname()[1])


@dataclass
class Desktop:
    """One person's desktop: a home folder of their own on the virtual screen.

    What the window shows is read through QtWebEngine's DevTools port (the one variable a
    launch gets beyond a double-click's), so the tests find controls by their accessible names
    instead of by pixel positions that move with every layout change; every click and key still
    goes through the X server, as a person's would, and what is painted is checked in pixels.
    """

    display: str
    home: Path
    launched: list[subprocess.Popen[bytes]] = field(default_factory=list)
    devtools_port: int = 0

    @property
    def data_dir(self) -> Path:
        return self.home / '.local' / 'share' / 'Tasklight'

    def launch(self) -> subprocess.Popen[bytes]:
        """Start the binary as a double-click would: no configuration in the environment."""
        self.devtools_port = _free_port()
        env = {
            'DISPLAY': self.display,
            'HOME': str(self.home),
            'PATH': '/usr/bin:/bin',
            'QTWEBENGINE_REMOTE_DEBUGGING': f'127.0.0.1:{self.devtools_port}',
        }
        log = (self.home / f'launch-{len(self.launched)}.log').open('wb')
        process = subprocess.Popen(
            [str(BINARY)], env=env, stdout=log, stderr=log, cwd=self.home, start_new_session=True
        )
        self.launched.append(process)
        return process

    def x(self, *args: str) -> str:
        try:
            result = subprocess.run(
                args,
                env={**os.environ, 'DISPLAY': self.display},
                capture_output=True,
                text=True,
                timeout=TOOL_SECONDS,
            )
        except subprocess.TimeoutExpired as error:
            raise AssertionError(f'{" ".join(args)} did not answer in {TOOL_SECONDS}s') from error
        return result.stdout.strip()

    def windows(self) -> list[str]:
        return self.x('xdotool', 'search', '--onlyvisible', '--classname', 'tasklight').split()

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the window's page (None while none is open)."""
        base = f'http://127.0.0.1:{self.devtools_port}'
        try:
            with urllib.request.urlopen(f'{base}/json', timeout=TOOL_SECONDS) as answer:  # noqa: S310
                pages = [page for page in json.load(answer) if page.get('type') == 'page']
            if not pages:
                return None
            with connect(
                pages[0]['webSocketDebuggerUrl'], open_timeout=TOOL_SECONDS, max_size=None
            ) as devtools:
                devtools.send(
                    json.dumps(
                        {
                            'id': 1,
                            'method': 'Runtime.evaluate',
                            'params': {'expression': expression, 'returnByValue': True},
                        }
                    )
                )
                reply = json.loads(devtools.recv(timeout=TOOL_SECONDS))
        except (OSError, TimeoutError, ValueError, KeyError):
            return None  # the page is loading, navigating or closing: ask again
        result = reply.get('result', {})
        if 'exceptionDetails' in result:
            return None
        return result.get('result', {}).get('value')

    def rect(self, find: str) -> tuple[int, int, int, int] | None:
        """Where the element that the expression `find` picks is, in window pixels: x, y, width,
        height (None while there is none, or it is not displayed)."""
        found = self.evaluate(
            f'(() => {{ const e = {find}; if (!e || !e.getClientRects().length) return null;'
            ' const r = e.getBoundingClientRect(); const s = devicePixelRatio;'
            ' return [r.x, r.y, r.width, r.height].map(v => Math.round(v * s)); })()'
        )
        return (int(found[0]), int(found[1]), int(found[2]), int(found[3])) if found else None

    def centre(self, find: str) -> tuple[int, int] | None:
        found = self.rect(find)
        return (found[0] + found[2] // 2, found[1] + found[3] // 2) if found else None

    def shows(self, text: str) -> bool:
        return text in (self.evaluate('document.body ? document.body.innerText : ""') or '')

    def ready(self) -> bool:
        """The page is built and its websocket is up: what the window shows is live."""
        return bool(self.evaluate('!!(window.socket && window.socket.connected)'))

    def window(self) -> str:
        """The one Tasklight window, once it shows the task list: the page is live and its Add
        button is painted in the theme's colour where the page says it is."""
        found = wait_for(
            lambda: len(self.windows()) == 1 and self.windows(), 90, 'the Tasklight window'
        )
        window = str(found[0])  # type: ignore[index]
        add = wait_for(lambda: self.ready() and self.rect(ADD_BUTTON), 60, 'the task list')
        x, y, _width, height = add  # type: ignore[misc]
        # Just inside the button's left edge, half-way down: its fill, not its label.
        wait_for(
            lambda: self.pixel(window, x + 4, y + height // 2) == PRIMARY,
            30,
            'the Add button painted',
        )
        return window

    def pixel(self, window: str, x: int, y: int) -> str:
        """The colour at (x, y) in the window, as #rrggbb."""
        text = self.x('import', '-window', window, '-crop', f'1x1+{x}+{y}', '-depth', '8', 'txt:-')
        match = re.search(r'#[0-9A-Fa-f]{6}', text)
        return match.group(0).lower() if match else ''

    def instance(self) -> dict[str, object]:
        path = self.data_dir / 'instance.json'
        wait_for(path.exists, 60, 'instance.json')
        return dict(json.loads(path.read_text()))

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.data_dir / 'tasklight.db') as connection:
            return connection.execute(sql).fetchall()

    def log(self) -> str:
        return '\n'.join(path.read_text(errors='replace') for path in self.home.glob('*.log'))


@pytest.fixture
def desktop(display: str, tmp_path: Path) -> Iterator[Desktop]:
    home = tmp_path / 'home'
    home.mkdir()
    person = Desktop(display=display, home=home)
    try:
        yield person
    finally:
        for process in person.launched:
            # Its own process group: the window process goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
