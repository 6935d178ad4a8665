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
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get('TASKLIGHT_BINARY', ROOT / 'dist' / 'Tasklight'))
ENABLED = os.environ.get('TASKLIGHT_DESKTOP_TESTS') == '1'
SKIP_REASON = (
    'desktop tests need the packaged binary and Xvfb: run scripts/test-desktop '
    '(it sets TASKLIGHT_DESKTOP_TESTS=1)'
)
# The task list's Add button (theme colour), in window coordinates: the page's column is
# 768 px wide and centred, the button sits 74 px in from its right edge.
ADD_BUTTON_Y = 156
PRIMARY = '#4f46e5'


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


@dataclass
class Desktop:
    """One person's desktop: a home folder of their own on the virtual screen."""

    display: str
    home: Path
    launched: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.home / '.local' / 'share' / 'Tasklight'

    def launch(self) -> subprocess.Popen[bytes]:
        """Start the binary as a double-click would: no configuration in the environment."""
        env = {'DISPLAY': self.display, 'HOME': str(self.home), 'PATH': '/usr/bin:/bin'}
        log = (self.home / f'launch-{len(self.launched)}.log').open('wb')
        process = subprocess.Popen(
            [str(BINARY)], env=env, stdout=log, stderr=log, cwd=self.home, start_new_session=True
        )
        self.launched.append(process)
        return process

    def x(self, *args: str) -> str:
        result = subprocess.run(
            args, env={**os.environ, 'DISPLAY': self.display}, capture_output=True, text=True
        )
        return result.stdout.strip()

    def windows(self) -> list[str]:
        return self.x('xdotool', 'search', '--onlyvisible', '--classname', 'tasklight').split()

    def window(self, width: int = 1100) -> str:
        """The one Tasklight window, once it shows the task list (its Add button is painted)."""
        found = wait_for(
            lambda: len(self.windows()) == 1 and self.windows(), 90, 'the Tasklight window'
        )
        window = str(found[0])  # type: ignore[index]
        add = ((width + 768) // 2 - 74, ADD_BUTTON_Y)
        wait_for(lambda: self.pixel(window, *add) == PRIMARY, 60, 'the task list')
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
