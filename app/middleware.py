"""Plain ASGI middleware: security headers, request size limit, and same-origin websockets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CSP_APP = (
    "default-src 'self'; "
    # NiceGUI boots its page with an inline script and Vue compiles templates at run time.
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' ws: wss:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc load their bundles from a CDN.
_CSP_DOCS = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src blob:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
_COMMON = [
    (b'x-content-type-options', b'nosniff'),
    (b'x-frame-options', b'DENY'),
    (b'referrer-policy', b'same-origin'),
    (b'cross-origin-opener-policy', b'same-origin'),
    (b'permissions-policy', b'camera=(), microphone=(), geolocation=()'),
]
_HSTS = (b'strict-transport-security', b'max-age=31536000; includeSubDomains')


class _TooLarge(Exception):
    pass


def header_value(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (name in lower case), or None."""
    for key, value in scope.get('headers', ()):
        if key == name:
            return str(value.decode('latin-1'))
    return None


class SecurityMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, trusted_origins: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.trusted_origins = {origin.rstrip('/') for origin in trusted_origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] not in ('http', 'websocket'):
            await self.app(scope, receive, send)
            return
        path: str = scope.get('path', '')
        if path.startswith('/_nicegui_ws') and not self._same_origin(scope):
            await self._refuse(scope, receive, send)
            return
        if scope['type'] == 'websocket':
            await self.app(scope, receive, send)
            return

        length = header_value(scope, b'content-length')
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            await _json(send, 413, 'Request body too large.')
            return

        extra = list(_COMMON)
        csp = _CSP_DOCS if path in ('/docs', '/redoc', '/docs/oauth2-redirect') else _CSP_APP
        extra.append((b'content-security-policy', csp.encode()))
        if scope.get('scheme') == 'https':
            extra.append(_HSTS)
        if path.startswith('/api/'):
            extra.append((b'cache-control', b'no-store'))

        started = False
        too_large = False
        received = 0

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message['type'] == 'http.request':
                received += len(message.get('body', b''))
                if received > self.max_body_bytes:
                    too_large = True
                    raise _TooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if too_large:  # whatever the app made of the aborted read, the answer is 413
                if not started:
                    started = True
                    await _json(send, 413, 'Request body too large.')
                return
            if message['type'] == 'http.response.start':
                started = True
                present = {key.lower() for key, _ in message.get('headers', ())}
                headers = list(message.get('headers', ()))
                headers.extend(item for item in extra if item[0] not in present)
                message = {**message, 'headers': headers}
            await send(message)

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _json(send, 413, 'Request body too large.')

    def _same_origin(self, scope: Scope) -> bool:
        origin = header_value(scope, b'origin')
        if origin is None:  # not a browser: the unguessable client id is the protection
            return True
        if origin.rstrip('/') in self.trusted_origins:
            return True
        host = header_value(scope, b'host')
        return host is not None and urlsplit(origin).netloc.lower() == host.lower()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'websocket':
            await receive()  # websocket.connect
            await send({'type': 'websocket.close', 'code': 1008})
        else:
            await _json(send, 403, 'Cross-origin connection refused.')


async def _json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({'detail': detail}).encode()
    await send(
        {
            'type': 'http.response.start',
            'status': status,
            'headers': [
                (b'content-type', b'application/json'),
                (b'content-length', str(len(body)).encode()),
                *_COMMON,
            ],
        }
    )
    await send({'type': 'http.response.body', 'body': body})
