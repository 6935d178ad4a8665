"""What every page needs: the browser session cookie, and service calls off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from app import db
from app.config import SESSION_COOKIE
from app.errors import AppError, NotAuthenticated
from app.models import SessionInfo
from services import auth, uow

COOKIE = SESSION_COOKIE
# Set by the sign-in pages before the form is shown; a sign-in ticket only works beside it.
NONCE_COOKIE = 'tasklight_signin'
# Signed note that an account signed in on this browser: it may still sign in under attack.
DEVICE_COOKIE = 'tasklight_device'
R = TypeVar('R')


def _boxed(fn: Callable[..., R], kwargs: dict[str, Any]) -> tuple[R]:
    return (uow.call(fn, **kwargs),)


async def call(fn: Callable[..., R], /, **kwargs: Any) -> R:
    """A service call as its own unit of work, in a worker thread so the event loop stays free.

    NiceGUI answers None instead of running it while it shuts down: stop quietly there (as
    NiceGUI 4 will, by cancelling) rather than hand None to code that expects a result."""
    boxed = await run.io_bound(_boxed, fn, kwargs)
    if boxed is None:
        raise asyncio.CancelledError
    return boxed[0]


def stream(fn: Callable[..., Iterator[str]], /, **kwargs: Any) -> Iterator[bytes]:
    """A streaming service call (an export) as one read-only unit of work held open while the
    download runs, UTF-8 encoded. For a StreamingResponse, which iterates it in a worker thread:
    the whole document is consistent and never all in memory."""
    with db.session_scope() as session:
        for piece in fn(session, **kwargs):
            yield piece.encode('utf-8')


async def session_of(token: str | None) -> SessionInfo | None:
    if not token:
        return None
    try:
        return await call(auth.validate_browser_session, token=token)
    except NotAuthenticated:
        return None


async def signed_in(request: Request) -> SessionInfo | None:
    """Who is signed in on this browser, decided on the server from the opaque cookie.

    Why a session ended is kept on the request, so `to_login` can say so."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return await call(auth.validate_browser_session, token=token)
    except auth.SessionIdle:
        request.state.session_end = 'idle'
    except NotAuthenticated:
        request.state.session_end = 'expired'
    return None


def safe_next(target: str | None) -> str:
    """Follow only same-site relative paths after sign-in (never `//evil.example` or a URL)."""
    if not target or not target.startswith('/') or target.startswith('//') or '\\' in target:
        return '/tasks'
    return target


def to_login(request: Request) -> RedirectResponse:
    """Back to sign-in, saying why when this browser had a session that is no longer valid."""
    ended = getattr(request.state, 'session_end', None)
    if ended is None and request.cookies.get(COOKIE):
        ended = 'expired'
    reason = f'&reason={ended}' if ended else ''
    target = quote(request.url.path, safe='/')
    response = RedirectResponse(f'/login?next={target}{reason}', status_code=303)
    response.delete_cookie(COOKIE, path='/')
    return response


def client_address(request: Request) -> str:
    return request.client.host if request.client else 'unknown'


def show_error(error: AppError) -> None:
    ui.notify(error.message, type='negative', position='top')


def sign_out_browser() -> None:
    """Leave after Sign out. The caller has already ended the session on the server, so the
    sign-in page finds the cookie dead and drops it: no cross-site-callable GET ends anything."""
    ui.navigate.to('/login?reason=signed-out')


def leave_ended_session() -> None:
    """This sign-in was ended elsewhere (another tab, a password change): go to sign-in now."""
    ui.navigate.to('/login?reason=signed-out')
