"""Wires the API, error mapping and middleware onto NiceGUI's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import api
from app.api import errors
from app.config import get_settings
from app.middleware import SecurityMiddleware


def configure(app: FastAPI) -> None:
    """Idempotent per app instance; NiceGUI's test harness resets the app between tests."""
    settings = get_settings()
    app.title = 'Tasklight'
    app.version = '0.1.0'
    app.description = (
        'Your tasks over HTTP. Sign in at `/api/auth/login` and send the access token as '
        '`Authorization: Bearer …`; refresh it at `/api/auth/refresh`. See docs/api.md.'
    )
    app.include_router(api.router)
    errors.install(app)
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.max_body_bytes,
        trusted_origins=settings.cors_origins,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,  # bearer tokens, not cookies, cross origins
            allow_methods=['GET', 'POST', 'PATCH', 'DELETE'],
            allow_headers=['Authorization', 'Content-Type'],
            max_age=600,
        )
    # Outermost, so rate limits see the client's address, taken from X-Forwarded-For only when
    # the direct peer is a trusted proxy.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)

    # ---- Health probes, request ids and the access log (app.health, app.logs).
    # Added last, so outermost: the request id middleware sees the direct peer before the
    # proxy-headers middleware rewrites it, and believes X-Request-ID only from a trusted proxy.
    from app import health, logs  # here, to keep this block apart from the wiring above

    app.include_router(health.router)
    app.add_middleware(
        logs.RequestId, trusted_hosts=settings.forwarded_allow_ips, access=settings.access_log
    )
