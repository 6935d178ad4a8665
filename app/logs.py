"""Log lines an operator can use: one line per event, each with the request it belongs to.

- `configure()` sets the format (text or one JSON object per line) for every logger, uvicorn's
  and NiceGUI's included; uvicorn's own access log is off in favour of `AccessLog`.
- `RequestId` gives every HTTP request an id (the trusted proxy's `X-Request-ID`, or a new one),
  echoes it in the response and puts it on every line logged while the request runs.
- `Burst` says a recurring problem once per window instead of once per request.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import _TrustedHosts

request_id: ContextVar[str] = ContextVar('tasklight_request_id', default='-')

HEADER = b'x-request-id'
_SANE_ID = re.compile(r'[A-Za-z0-9._-]{1,64}')
# Probes and scrapers ask every few seconds; a line each would bury everything else.
QUIET_PATHS = frozenset({'/healthz', '/readyz', '/metrics'})
access_log = logging.getLogger('tasklight.access')


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def _utc(record: logging.LogRecord) -> str:
    stamp = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(record.created))
    return f'{stamp}.{int(record.msecs):03d}Z'


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__('%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s')

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc(record)

    def format(self, record: logging.LogRecord) -> str:
        # A traceback stays on this line's record but its newlines would split the event.
        return super().format(record).replace('\n', '\n    ')


class JsonFormatter(logging.Formatter):
    """One object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            'time': _utc(record),
            'level': record.levelname,
            'logger': record.name,
            'request_id': getattr(record, 'request_id', request_id.get()),
            'message': record.getMessage(),
        }
        if record.exc_info:
            entry['exception'] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(*, level: str = 'INFO', fmt: str = 'text', stream: Any = None) -> None:
    """Route every logger through one stderr handler in the chosen format (idempotent)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == 'json' else TextFormatter())
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, 'tasklight', False)]:
        root.removeHandler(old)
    handler.tasklight = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for name in ('uvicorn', 'uvicorn.error', 'nicegui'):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(level)
    uvicorn_access = logging.getLogger('uvicorn.access')
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True  # AccessLog says it, without the query string


class RequestId:
    """Plain ASGI, outside the proxy-headers middleware: `scope['client']` is still the direct
    peer here, so only a trusted proxy's `X-Request-ID` is believed."""

    def __init__(self, app: ASGIApp, *, trusted_hosts: str, access: bool = False) -> None:
        self.app = app
        self.trusted = _TrustedHosts(trusted_hosts)
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] not in ('http', 'websocket'):
            await self.app(scope, receive, send)
            return
        ident = self._incoming(scope) or uuid.uuid4().hex
        token = request_id.set(ident)
        encoded = ident.encode('ascii')
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message['type'] == 'http.response.start':
                status = message['status']
                headers = [(k, v) for k, v in message.get('headers', ()) if k != HEADER]
                message = {**message, 'headers': [*headers, (HEADER, encoded)]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access and scope['type'] == 'http' and scope['path'] not in QUIET_PATHS:
                # The path without its query: a one-time sign-in ticket travels in one.
                client = scope.get('client')  # rewritten from X-Forwarded-For by then, if trusted
                access_log.info(
                    '%s %s %s %.1fms %s',
                    scope['method'],
                    scope['path'],
                    status or '-',
                    (time.perf_counter() - started) * 1000,
                    client[0] if client else '-',
                )
            request_id.reset(token)

    def _incoming(self, scope: Scope) -> str | None:
        client = scope.get('client')
        if not client or client[0] not in self.trusted:
            return None
        for key, value in scope.get('headers', ()):
            if key == HEADER:
                text = value.decode('latin-1')
                return text if _SANE_ID.fullmatch(text) else None
        return None


class Burst:
    """Log a recurring problem at most once per `window` seconds, with how often it recurred."""

    def __init__(self, logger: logging.Logger, *, window: float = 30.0) -> None:
        self.logger = logger
        self.window = window
        self._lock = threading.Lock()
        self._last: float | None = None
        self._suppressed = 0

    def warning(self, message: str, *args: object) -> bool:
        """True when this one was logged, False when it was only counted."""
        now = time.monotonic()
        with self._lock:
            if self._last is not None and now - self._last < self.window:
                self._suppressed += 1
                return False
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
        if suppressed:
            message += f' (and {suppressed} more since the last such line)'
        self.logger.warning(message, *args)
        return True

    def reset(self) -> None:
        with self._lock:
            self._last, self._suppressed = None, 0
