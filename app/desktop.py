"""The desktop app's plumbing that needs no NiceGUI: a free loopback port, the per-launch secret
and the gate that requires it, one running instance per data folder, and the window's place.

Only the window this process opens knows the launch secret (it is handed to the window process
through a pipe, never on a command line). The window trades it once at `/desktop/open` for an
HttpOnly cookie; every other request without that cookie is refused, so other local accounts
and web pages that find the port get nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import socket
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeGuard

from starlette.types import ASGIApp, Receive, Scope, Send

LAUNCH_COOKIE = 'tasklight_launch'
OPEN_PATH = '/desktop/open'
FOCUS_PATH = '/desktop/focus'
LOCK_FILE = 'instance.lock'
INSTANCE_FILE = 'instance.json'
WINDOW_FILE = 'window.json'
DEFAULT_WINDOW = {'width': 1100, 'height': 800}
MIN_WIDTH, MIN_HEIGHT = 420, 360


def free_port() -> int:
    """A port nobody listens on right now, on loopback only (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Launch:
    """One run of the desktop app: where it listens and the secret only its window knows."""

    port: int
    secret: str

    @classmethod
    def new(cls, port: int | None = None) -> Launch:
        return cls(port=port or free_port(), secret=secrets.token_urlsafe(32))

    @property
    def cookie(self) -> str:
        """The launch cookie's value: derived, so the URL's secret never sits in a cookie jar."""
        return hmac.new(self.secret.encode(), b'launch-cookie', hashlib.sha256).hexdigest()

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}{OPEN_PATH}?launch={self.secret}'

    def secret_matches(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(
            candidate.encode('utf-8', 'replace'), self.secret.encode()
        )

    def cookie_matches(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(
            candidate.encode('utf-8', 'replace'), self.cookie.encode()
        )


_current: Launch | None = None


def set_current(launch: Launch | None) -> None:
    global _current
    _current = launch


def current() -> Launch | None:
    """This process's launch, or None when it is not the desktop app."""
    return _current


# ---------------------------------------------------------------- the gate


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get('headers', ()):
        if key != b'cookie':
            continue
        text: str = value.decode('latin-1')
        for part in text.split(';'):
            cookie_name, sep, cookie_value = part.strip().partition('=')
            if sep and cookie_name == name:
                return cookie_value
    return None


class LaunchGate:
    """Plain ASGI: every http and websocket request needs this launch's cookie, except the two
    doors that check the secret themselves (the window's first page and the focus signal).

    With one local person (`no_accounts`) there is no password to type, so the sign-in pages,
    reached when a session ends, lead back through the window's door instead."""

    OPEN_DOORS = (OPEN_PATH, FOCUS_PATH)
    SIGN_IN_PAGES = ('/login', '/signup')

    def __init__(self, app: ASGIApp, *, launch: Launch, no_accounts: bool = False) -> None:
        self.app = app
        self.launch = launch
        self.no_accounts = no_accounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] not in ('http', 'websocket'):
            await self.app(scope, receive, send)
            return
        path = scope.get('path')
        if path in self.OPEN_DOORS:
            await self.app(scope, receive, send)
            return
        if self.launch.cookie_matches(_cookie(scope, LAUNCH_COOKIE)):
            if self.no_accounts and scope['type'] == 'http' and path in self.SIGN_IN_PAGES:
                await _send_plain(send, 303, b'', [(b'location', OPEN_PATH.encode())])
                return
            await self.app(scope, receive, send)
            return
        if scope['type'] == 'websocket':
            await receive()  # websocket.connect; closing before accepting answers 403
            await send({'type': 'websocket.close', 'code': 1008})
            return
        await _send_plain(
            send, 403, b'This Tasklight belongs to a desktop window; open it from the app.\n'
        )


async def _send_plain(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [
        (b'content-type', b'text/plain; charset=utf-8'),
        (b'content-length', str(len(body)).encode()),
        (b'cache-control', b'no-store'),
        *(extra or []),
    ]
    await send({'type': 'http.response.start', 'status': status, 'headers': headers})
    await send({'type': 'http.response.body', 'body': body})


# ---------------------------------------------------------------- one instance per data folder


class InstanceLock:
    """An OS lock on a file in the data folder, held for the life of the process and released by
    the OS however the process ends, so a crash never leaves a stale lock behind."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._handle: IO[bytes] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open('a+b')
        try:
            _lock(handle)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock
            self._handle = None


if sys.platform == 'win32':  # pragma: no cover - only Linux is tested here
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def write_private(path: Path, text: str) -> None:
    """Write atomically, readable by this account only (the file may hold the launch secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f'.{path.name}.{os.getpid()}')
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.replace(temporary, path)


def publish_instance(data_dir: Path, launch: Launch) -> None:
    """Tell a second launch where this instance listens and how to prove it is the same person."""
    write_private(
        data_dir / INSTANCE_FILE,
        json.dumps({'pid': os.getpid(), 'port': launch.port, 'secret': launch.secret}),
    )


def withdraw_instance(data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (data_dir / INSTANCE_FILE).unlink()


def ask_running_instance_to_focus(data_dir: Path, *, wait_seconds: float = 30.0) -> bool:
    """Ask the instance that holds the lock to bring its window forward; True once it has.

    It may still be starting, so keep asking until it answers or the time is up."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            info = json.loads((data_dir / INSTANCE_FILE).read_text(encoding='utf-8'))
            request = urllib.request.Request(
                f'http://127.0.0.1:{int(info["port"])}{FOCUS_PATH}',
                data=json.dumps({'launch': info['secret']}).encode(),
                headers={'Content-Type': 'application/json'},
                method='POST',
            )
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 204:
                    return True
        except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


# ---------------------------------------------------------------- the window's place


def load_window_state(data_dir: Path) -> dict[str, int]:
    """The size and position the window had when it was last closed (or a default size)."""
    try:
        saved: Any = json.loads((data_dir / WINDOW_FILE).read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return dict(DEFAULT_WINDOW)
    if not isinstance(saved, dict):
        return dict(DEFAULT_WINDOW)
    state = dict(DEFAULT_WINDOW)
    width, height = saved.get('width'), saved.get('height')
    if _int_between(width, MIN_WIDTH, 20_000) and _int_between(height, MIN_HEIGHT, 20_000):
        state.update(width=width, height=height)
    x, y = saved.get('x'), saved.get('y')
    # A position far outside any screen (a monitor since unplugged) would hide the window.
    if _int_between(x, -200, 20_000) and _int_between(y, 0, 20_000):
        state.update(x=x, y=y)
    return state


def save_window_state(data_dir: Path, state: dict[str, int]) -> None:
    write_private(data_dir / WINDOW_FILE, json.dumps(state))


def _int_between(value: object, low: int, high: int) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
