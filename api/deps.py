"""Who is calling (the bearer token, checked against its live server-side session), and the
conditional-write helpers every versioned resource shares (ETag out, If-Match in)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel

from app.errors import AppError, NotAuthenticated
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
    """The caller's address; X-Forwarded-For counts only from FORWARDED_ALLOW_IPS (see api.web)."""
    return request.client.host if request.client else 'unknown'


ClientAddress = Annotated[str, Depends(client_address)]

Responses = dict[int | str, dict[str, Any]]

UNAUTHORIZED: Responses = {
    401: {'description': 'Missing, invalid, expired or revoked bearer token'}
}
INVALID: Responses = {422: {'description': 'A field or parameter is invalid'}}
NOT_FOUND: Responses = {404: {'description': 'No such task among those you can see'}}
LIST_NOT_FOUND: Responses = {404: {'description': 'No such list among those you can see'}}
TASK_OR_LIST_NOT_FOUND: Responses = {
    404: {'description': 'No such task or list among those you can see'}
}
VIEW_ONLY: Responses = {
    403: {'description': 'The list is shared with you to view only, or only its owner may'}
}

# ---------------------------------------------------------------- versions: ETag and If-Match

_MAX_VERSION = 2**31 - 1  # the version columns are 32-bit integers on PostgreSQL


def etag_header(noun: str) -> dict[str, Any]:
    """The documented `ETag` response header of a versioned resource."""
    return {
        'ETag': {
            'description': f'The {noun}\'s version as a weak tag, `W/"<version>"`: send it back '
            f'in `If-Match` to change the {noun} only if nobody changed it since',
            'schema': {'type': 'string'},
        }
    }


class BadIfMatchBody(BaseModel):
    detail: str


def conditional(noun: str, stale_body: type[BaseModel]) -> Responses:
    """The answers a write with `If-Match` adds: 400 for a malformed tag, 412 for a stale one."""
    return {
        400: {
            'model': BadIfMatchBody,
            'description': 'If-Match is not `W/"<version>"`, `"<version>"` or `*`',
        },
        412: {
            'model': stale_body,
            'description': f'If-Match names a version that is no longer current; `current` is the '
            f'{noun} as it is now (its ETag is `W/"<current.version>"`)',
        },
    }


IF_MATCH_DOC = (
    'Change it only if it is still at this version: `W/"<version>"` or `"<version>"` '
    'from an ETag, or `*` for any. Without it the last write wins.'
)
IfMatch = Annotated[str | None, Header(alias='If-Match', description=IF_MATCH_DOC)]


class BadIfMatch(AppError):
    status_code = 400
    default_message = 'If-Match must be W/"<version>", "<version>" or *.'


_TAG = re.compile(r'(?:W/)?"([0-9]{1,10})"')


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header names; None for no header or `*` (any version).

    A list of tags or anything else is refused (400) rather than guessed at: a client that
    sends If-Match means to be careful, so a typo must not quietly turn into "any version"."""
    if if_match is None or if_match.strip() == '*':
        return None
    match = _TAG.fullmatch(if_match.strip())
    if match is None or not 1 <= int(match.group(1)) <= _MAX_VERSION:
        raise BadIfMatch()
    return int(match.group(1))


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


V = TypeVar('V', bound=Versioned)


def tagged(response: Response, item: V) -> V:
    """`item`, with its version set as the response's weak ETag."""
    response.headers['ETag'] = f'W/"{item.version}"'
    return item


def built(
    item: BaseModel, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A model the services built, as JSON bytes from pydantic's serialiser: the bytes FastAPI
    would send, without it validating the model again first (for a sync endpoint that is a
    second hop to the thread pool). The route names the model in `response_model` for the
    schema."""
    return Response(
        item.__pydantic_serializer__.to_json(item, by_alias=True),
        status_code=status_code,
        media_type='application/json',
        headers=headers,
    )


def built_tagged(
    item: Versioned, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """`built`, with the item's version as the weak ETag."""
    assert isinstance(item, BaseModel)
    return built(
        item, status_code=status_code, headers={**(headers or {}), 'ETag': f'W/"{item.version}"'}
    )
