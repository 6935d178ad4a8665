"""What every page needs: the browser session cookie, and service calls off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from app.config import SESSION_COOKIE
from app.errors import AppError, NotAuthenticated
from app.models import SessionInfo
from services import auth, uow

COOKIE = SESSION_COOKIE
R = TypeVar('R')


async def call(fn: Callable[..., R], /, **kwargs: Any) -> R:
    """A service call as its own unit of work, in a worker thread so the event loop stays free."""
    return await run.io_bound(uow.call, fn, **kwargs)


async def session_of(token: str | None) -> SessionInfo | None:
    if not token:
        return None
    try:
        return await call(auth.validate_browser_session, token=token)
    except NotAuthenticated:
        return None


async def signed_in(request: Request) -> SessionInfo | None:
    """Who is signed in on this browser, decided on the server from the opaque cookie."""
    return await session_of(request.cookies.get(COOKIE))


def safe_next(target: str | None) -> str:
    """Follow only same-site relative paths after sign-in (never `//evil.example` or a URL)."""
    if not target or not target.startswith('/') or target.startswith('//') or '\\' in target:
        return '/tasks'
    return target


def to_login(request: Request) -> RedirectResponse:
    """Back to sign-in; 'expired' when this browser had a session that is no longer valid."""
    reason = '&reason=expired' if request.cookies.get(COOKIE) else ''
    target = quote(request.url.path, safe='/')
    response = RedirectResponse(f'/login?next={target}{reason}', status_code=303)
    response.delete_cookie(COOKIE, path='/')
    return response


def client_address(request: Request) -> str:
    return request.client.host if request.client else 'unknown'


def show_error(error: AppError) -> None:
    ui.notify(error.message, type='negative', position='top')


def sign_out_browser() -> None:
    """Leave after Sign out: the browser forgets its cookie and lands on the sign-in page."""
    ui.navigate.to('/auth/signout')


def leave_ended_session() -> None:
    """This sign-in was ended elsewhere (another tab, a password change): go to sign-in now."""
    ui.navigate.to('/auth/signout')
