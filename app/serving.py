"""How uvicorn serves Tasklight: bounded idle and slow-header connections, a graceful SIGTERM.

Measured on uvicorn 0.54 (httptools and h11 alike): the keep-alive timer (`timeout_keep_alive`)
is armed only after a response. A connection that never sends a byte, or sends half a request
line and then nothing, has no timer at all and stays open until the client leaves; the
`slow headers` test held 200 of them for as long as it liked. No ASGI middleware can see such a
connection (there is no request yet), so the bound lives in the protocol: `HeaderDeadline` closes
a connection that has not finished its request headers `HEADER_TIMEOUT` seconds after it opened,
or after the first byte of its next request.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover - httptools is a dependency; h11 is uvicorn's fallback
    _Base = H11Protocol  # type: ignore[misc, assignment]

HEADER_TIMEOUT = 10.0  # seconds to send a request line and headers (nginx: 60, Apache: 20–40)
KEEP_ALIVE_TIMEOUT = 5.0  # idle seconds between requests on one connection


class HeaderDeadline(_Base):
    """uvicorn's HTTP protocol, closing connections that are slow to send their headers."""

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._watch_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def _awaiting_headers(self) -> bool:
        # A request cycle exists from the end of its headers until its response is complete.
        return self.cycle is None or bool(self.cycle.response_complete)

    def _watch_headers(self) -> None:
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            self._stop_header_timer()  # closed, or upgraded to a websocket
        elif not self._awaiting_headers():
            self._stop_header_timer()
        elif self._header_timer is None and self.timeout_keep_alive_task is None:
            # While idle after a response, uvicorn's keep-alive timer is the bound.
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return
        if self._awaiting_headers() and self.timeout_keep_alive_task is None:
            self.transport.close()


def header_deadline(seconds: float) -> type[HeaderDeadline]:
    """The protocol with another deadline (tests use a short one)."""
    return type('HeaderDeadline', (HeaderDeadline,), {'header_timeout': seconds})


def uvicorn_options(*, shutdown_grace_seconds: float) -> dict[str, Any]:
    """What `ui.run` passes on to uvicorn for Tasklight."""
    return {
        'http': HeaderDeadline,
        'timeout_keep_alive': KEEP_ALIVE_TIMEOUT,
        'timeout_graceful_shutdown': shutdown_grace_seconds,
        'log_config': None,  # app.logs configures every logger, uvicorn's included
        'access_log': False,  # app.logs.RequestId writes the access log (ACCESS_LOG=true)
    }


def on_exit_signal(callback: Callable[[], None]) -> None:
    """Run `callback` the moment uvicorn receives SIGTERM or SIGINT, before it drains."""
    original = uvicorn.Server.handle_exit
    original = getattr(original, 'tasklight_original', original)

    def handle_exit(self: uvicorn.Server, sig: int, frame: FrameType | None) -> None:
        callback()
        original(self, sig, frame)

    handle_exit.tasklight_original = original  # type: ignore[attr-defined]
    uvicorn.Server.handle_exit = handle_exit  # type: ignore[method-assign]


def exit_quietly_on_signals() -> None:
    """After its graceful shutdown uvicorn re-raises the signal it caught: with Python's default
    handlers Ctrl+C then prints a KeyboardInterrupt traceback and SIGTERM ends the process with
    -15. A stop that was asked for is a clean exit, before serving as well as after."""

    def stop(_sig: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
