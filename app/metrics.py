"""`/metrics` for Prometheus: requests and latencies by route template, connected dashboards,
the database pool, the cross-instance channel, and the process.

Each instance serves its own `/metrics` (one process per instance: no multiprocess mode). It is
off by default: no route, a 404 like any unknown path. `METRICS_TOKEN` turns it on for scrapers
sending `Authorization: Bearer <METRICS_TOKEN>` (and nobody else: 401); `METRICS=local` turns it
on without a token for a scraper on the instance's own host that reaches it directly (a loopback
peer and no `X-Forwarded-For`: what a proxy on the same host forwards is someone else's request).

Plain ASGI middleware (see components/nicegui_tuning.py for why not BaseHTTPMiddleware). Route
labels are the matched route's template (`/api/tasks/{task_id}`), never the raw path, so that
`/api/tasks/1`, `/api/tasks/2`, … and scanners' random paths make no new series.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings

PATH = '/metrics'
UNMATCHED = '(unmatched)'  # no route: a 404, or refused before routing (host, size)
_LOOPBACK = frozenset({'127.0.0.1', '::1'})

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # CPU, memory, open files, start time
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

REQUESTS = Counter(
    'tasklight_http_requests',
    'HTTP requests answered, by method, route template and status.',
    ['method', 'route', 'status'],
    registry=REGISTRY,
)
LATENCY = Histogram(
    'tasklight_http_request_duration_seconds',
    'Time to answer an HTTP request (until the response is complete), by route template.',
    ['method', 'route'],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
EVENTS_RECEIVED = Counter(
    'tasklight_events_received',
    'Announcements from other instances delivered here (kind: tasks, session_end).',
    ['kind'],
    registry=REGISTRY,
)
EVENTS_LISTENING = Gauge(
    'tasklight_events_listening',
    '1 while the cross-instance channel (PostgreSQL LISTEN) is connected, else 0.',
    registry=REGISTRY,
)
EVENTS_ROUND_TRIP = Histogram(
    'tasklight_events_round_trip_seconds',
    'Live-update lag: a probe NOTIFY from this instance until PostgreSQL delivers it back.',
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)

_dashboards: Callable[[], int] | None = None


def count_dashboards(counter: Callable[[], int] | None) -> None:
    """Where the number of connected dashboards comes from (the UI wiring knows NiceGUI)."""
    global _dashboards
    _dashboards = counter


class _Live(Collector):
    """Values read at scrape time: connected dashboards and the database pool."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        dashboards = GaugeMetricFamily(
            'tasklight_dashboards_connected',
            'Pages (NiceGUI clients) with an open websocket on this instance.',
        )
        if _dashboards is not None:
            dashboards.add_metric([], _dashboards())
        yield dashboards
        from app import db  # the engine module imports the settings; read it when asked

        size = GaugeMetricFamily(
            'tasklight_db_pool_size', 'Connections the database pool keeps (DB_POOL_SIZE).'
        )
        used = GaugeMetricFamily(
            'tasklight_db_pool_checked_out', 'Pooled database connections in use right now.'
        )
        pool = db.get_engine().pool
        if isinstance(pool, QueuePool):
            size.add_metric([], pool.size())
            used.add_metric([], pool.checkedout())
        yield size
        yield used

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())


REGISTRY.register(_Live())


def route_label(scope: Scope) -> str:
    """The template of the route that answered (`/api/tasks/{task_id}`), or UNMATCHED.

    FastAPI 0.16x keeps an included router's routes with their own paths (`/tasks/{task_id}`)
    and puts that route into the scope: its prefix is the part of the path before where the
    route's pattern matches. Prefixes are fixed strings here, so no value reaches a label."""
    route = scope.get('route')
    template = getattr(route, 'path_format', None) or getattr(route, 'path', None)
    if not isinstance(template, str):
        # FastAPI's router names no route for a mount (static files, socket.io); the mount's
        # fixed path is then the root path it set.
        root = scope.get('root_path')
        if scope.get('endpoint') is not None and isinstance(root, str) and root:
            return root + '/{path}'
        return UNMATCHED
    if isinstance(route, Mount):  # static files, the socket.io endpoint
        template = route.path + '/{path}'
    pattern = getattr(route, 'path_regex', None)
    path = str(scope.get('path', ''))
    if pattern is None or isinstance(route, Mount) or pattern.fullmatch(path):
        return template or '/'
    for index in range(1, len(path)):
        if path[index] == '/' and pattern.fullmatch(path[index:]):
            return path[:index] + template
    return template


class RequestMetrics:
    """Counts and times every HTTP request, labelled by the route the router matched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':  # a websocket is a dashboard, counted as one
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception reached the server

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message['type'] == 'http.response.start':
                status = message['status']
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            # The router put the matched route into this same scope on the way in.
            route = route_label(scope)
            method = scope.get('method', 'GET')
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)


router = APIRouter(include_in_schema=False)


def serve(app: FastAPI) -> None:
    """Add the route when a setting turns metrics on; otherwise there is none (a plain 404)."""
    if get_settings().metrics_enabled:
        app.include_router(router)


def _same(given: str, expected: str) -> bool:
    # Digests first: equal lengths, so the comparison's time says nothing about the token.
    return hmac.compare_digest(
        hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest()
    )


def allowed(request: Request) -> bool | None:
    """True: may read; None: needs the token (401); False: not served to this request (404)."""
    settings = get_settings()
    if settings.metrics_token:
        given = request.headers.get('authorization', '')
        return True if _same(given, f'Bearer {settings.metrics_token}') else None
    if settings.metrics != 'local' or 'x-forwarded-for' in request.headers:
        return False  # off, or it came through the proxy
    return request.client is not None and request.client.host in _LOOPBACK


@router.get(PATH)
async def metrics(request: Request) -> Response:
    verdict = allowed(request)
    if verdict is None:
        return JSONResponse(
            {'detail': 'Send Authorization: Bearer <METRICS_TOKEN>.'},
            status_code=401,
            headers={'WWW-Authenticate': 'Bearer', 'Cache-Control': 'no-store'},
        )
    if not verdict:
        raise HTTPException(status_code=404)
    return Response(
        generate_latest(REGISTRY),
        media_type=CONTENT_TYPE_LATEST,
        headers={'Cache-Control': 'no-store'},
    )
