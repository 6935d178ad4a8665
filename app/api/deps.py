"""Who is calling: the bearer token, checked against its live server-side session."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer

from app.errors import NotAuthenticated
from app.models import SessionInfo
from services import auth

bearer = OAuth2PasswordBearer(tokenUrl='/api/auth/login', auto_error=False)


async def current_session(token: Annotated[str | None, Depends(bearer)]) -> SessionInfo:
    """Answered on the event loop when the session was checked recently (no thread hop, no
    query); otherwise the database is asked in a worker thread."""
    if not token:
        raise NotAuthenticated('Not authenticated.')
    cached = auth.cached_access_session(token)
    if cached is not None:
        return cached
    return await run_in_threadpool(auth.authenticate_access_token, token)


CurrentSession = Annotated[SessionInfo, Depends(current_session)]


def client_address(request: Request) -> str:
    """The caller's address; X-Forwarded-For counts only from FORWARDED_ALLOW_IPS (see app.web)."""
    return request.client.host if request.client else 'unknown'


ClientAddress = Annotated[str, Depends(client_address)]

Responses = dict[int | str, dict[str, Any]]

UNAUTHORIZED: Responses = {
    401: {'description': 'Missing, invalid, expired or revoked bearer token'}
}
NOT_FOUND: Responses = {404: {'description': 'No such task among yours'}}
