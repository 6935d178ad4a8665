"""Plain ASGI middleware: security headers, request size limit, same-origin websockets, and
the host names this server answers to."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import _TrustedHosts

from app.config import get_settings

_CSP_APP = (
    "default-src 'self'; "
    # NiceGUI boots its page with an inline script and Vue compiles templates at run time.
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; "
    # 'self' covers ws:/wss: to this host and port (CSP Level 3; Chromium, Firefox, WebKit).
    "connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_COMMON = [
    (b'x-content-type-options', b'nosniff'),
    (b'x-frame-options', b'DENY'),
    (b'referrer-policy', b'same-origin'),
    (b'cross-origin-opener-policy', b'same-origin'),
    (b'permissions-policy', b'camera=(), microphone=(), geolocation=()'),
]
_HSTS = (b'strict-transport-security', b'max-age=31536000; includeSubDomains')

log = logging.getLogger(__name__)


def docs_policy(*inline_scripts: str) -> str:
    """The API docs' policy: the app's, less inline and eval'd script, except the given scripts
    (Swagger UI's start-up script) by hash. Narrower than the app's, never wider."""
    hashes = ' '.join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in inline_scripts
    )
    return _CSP_APP.replace(
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'", f"script-src 'self' {hashes}".rstrip()
    )


class _TooLarge(Exception):
    pass


def header_value(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (name in lower case), or None."""
    for key, value in scope.get('headers', ()):
        if key == name:
            return str(value.decode('latin-1'))
    return None


class SecurityMiddleware:
    """Security headers, same-origin UI sockets, and a cap on every request body: announced
    (Content-Length) or streamed, a body over the cap is a 413 before the app reads past it.

    `larger_bodies` raises the cap for the paths that take files (an import, its upload on the
    settings page): each a pattern matched against the whole path and its own cap."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        larger_bodies: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.larger_bodies = [(re.compile(pattern), limit) for pattern, limit in larger_bodies]

    def body_limit(self, path: str) -> int:
        """The most a request to `path` may send."""
        for pattern, limit in self.larger_bodies:
            if pattern.fullmatch(path):
                return max(limit, self.max_body_bytes)
        return self.max_body_bytes

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

        limit = self.body_limit(path)
        length = header_value(scope, b'content-length')
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _json(send, 413, 'Request body too large.')
            return

        extra = list(_COMMON)
        extra.append((b'content-security-policy', _CSP_APP.encode()))  # unless a page sets its own
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
                if received > limit:
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
        """The UI's socket only from its own pages. CORS_ORIGINS are for the API's bearer-token
        calls and open nothing here: the socket rides the session cookie."""
        origin = header_value(scope, b'origin')
        if origin is None:
            # Browsers send Origin on every websocket handshake and every cross-origin request;
            # only a same-origin polling GET may lack it. Without Origin the caller is that, or
            # not a browser, and then it holds no victim's cookie to ride.
            return True
        host = header_value(scope, b'host')
        return host is not None and urlsplit(origin).netloc.lower() == host.lower()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'websocket':
            await receive()  # websocket.connect
            await send({'type': 'websocket.close', 'code': 1008})
        else:
            await _json(send, 403, 'Cross-origin connection refused.')


# One or more non-empty segments of RFC 3986 path characters: no `//`, scheme, backslash,
# query, fragment, space or control character can get through.
_PLAIN_PATH = re.compile(r"(?:/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+)+/?")
_PREFIX_HEADER = b'x-forwarded-prefix'


def plain_path_prefix(value: str) -> str | None:
    """The prefix without its trailing `/` when `value` is a plain absolute path, else None."""
    if not _PLAIN_PATH.fullmatch(value):
        return None
    segments = value.rstrip('/').split('/')[1:]
    return None if any(segment in ('.', '..') for segment in segments) else value.rstrip('/')


class PrefixedRedirects:
    """NiceGUI's RedirectWithPrefixMiddleware as plain ASGI (components/nicegui_tuning.py
    swaps it in): a relative `Location` gets the `X-Forwarded-Prefix` in front, without
    BaseHTTPMiddleware's per-request task and stream (measured at a tenth of an API request's
    server time).

    Unlike NiceGUI's, the header counts only from a direct peer in FORWARDED_ALLOW_IPS and only
    as a plain path; any other is removed from the request, so that NiceGUI's pages (which put
    it into script URLs) never see it. `ui.run` adds this last, outside the proxy-headers
    middleware, so the peer here is still the direct one; so does the API application (api.web)."""

    def __init__(self, app: ASGIApp, *, trusted_hosts: str | None = None) -> None:
        self.app = app
        self.trusted = _TrustedHosts(
            get_settings().forwarded_allow_ips if trusted_hosts is None else trusted_hosts
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = (
            header_value(scope, _PREFIX_HEADER) if scope['type'] in ('http', 'websocket') else None
        )
        if raw is None:  # nothing to judge: pass straight through
            await self.app(scope, receive, send)
            return
        peer = scope.get('client')
        prefix = plain_path_prefix(raw) if peer and peer[0] in self.trusted else None
        headers = [(key, value) for key, value in scope['headers'] if key != _PREFIX_HEADER]
        if prefix:
            headers.append((_PREFIX_HEADER, prefix.encode('latin-1')))
        scope = {**scope, 'headers': headers}
        if not prefix or scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        encoded = prefix.encode('latin-1')

        async def send_prefixed(message: Message) -> None:
            if message['type'] == 'http.response.start':
                message['headers'] = [
                    (key, encoded + value if key == b'location' and value[:1] == b'/' else value)
                    for key, value in message.get('headers', [])
                ]
            await send(message)

        await self.app(scope, receive, send_prefixed)


LOOPBACK_NAMES = frozenset({'localhost', '127.0.0.1', '[::1]'})
_WILDCARD_BINDS = frozenset({'', '0.0.0.0', '::', '[::]'})  # noqa: S104 - names, not a bind


def _host_name(value: str) -> str:
    """`Name:port`, `[v6]:port` or a bare v6 address, as the lower-case name without the port."""
    value = value.strip().lower()
    if value.startswith('['):
        return value[: value.find(']') + 1] if ']' in value else value
    if value.count(':') > 1:  # a bare IPv6 address, as HOST or ALLOWED_HOSTS may give it
        return f'[{value}]'
    return value.partition(':')[0]


def allowed_host_names(host: str, allowed_hosts: Iterable[str]) -> frozenset[str] | None:
    """The Host names to answer: loopback names, HOST when it is one address, ALLOWED_HOSTS.
    None (any name) when HOST is a wildcard and ALLOWED_HOSTS is empty."""
    extra = {_host_name(name) for name in allowed_hosts if name.strip()}
    bound = _host_name(host)
    if bound in _WILDCARD_BINDS or host.strip() in _WILDCARD_BINDS:
        if not extra:
            return None
    else:
        extra.add(bound)
    return LOOPBACK_NAMES | extra


# Health probes reveal nothing and carry no cookie: answered whatever Host a checker sends.
# Prometheus scrapes each instance by its address; /metrics guards itself (app/metrics.py).
PROBES = frozenset({'/healthz', '/readyz', '/metrics'})


class AllowedHosts:
    """Refuses requests and websockets for a Host this server is not (DNS rebinding: a page on
    evil.example whose name now points at 127.0.0.1 would otherwise be same-origin with us).

    Plain ASGI, not BaseHTTPMiddleware (see components/nicegui_tuning.py)."""

    def __init__(
        self, app: ASGIApp, *, host: str, allowed_hosts: Iterable[str], warn: bool = True
    ) -> None:
        self.app = app
        self.names = allowed_host_names(host, allowed_hosts)
        if self.names is None and warn:  # one warning per server, not one per application
            log.warning(
                'HOST=%s answers to any host name, which leaves DNS rebinding open: '
                'set ALLOWED_HOSTS to the names this server is reached by',
                host or '(all interfaces)',
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.names is None or scope['type'] not in ('http', 'websocket'):
            await self.app(scope, receive, send)
            return
        if scope.get('path') in PROBES:  # a proxy's health check names the upstream's address
            await self.app(scope, receive, send)
            return
        host = header_value(scope, b'host')
        if host is not None and _host_name(host) in self.names:
            await self.app(scope, receive, send)
            return
        if scope['type'] == 'websocket':
            await receive()  # websocket.connect
            await send({'type': 'websocket.close', 'code': 1008})
        else:
            await _json(
                send,
                400,
                'Unknown host: this server does not answer to that name (see ALLOWED_HOSTS).',
            )


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
