"""Your account: settings, email, password, where you are signed in, the calendar feed, and
deleting it all. `GET /api/me` is `/api/auth/me` with the settings added."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import INVALID, UNAUTHORIZED, ClientAddress, CurrentSession, Responses
from api.schemas import (
    DeleteAccountRequest,
    EmailChangeRequest,
    ErrorResponse,
    PasswordChangeRequest,
    SettingsRequest,
    TimeZoneRequest,
)
from app.db import session_scope
from app.errors import InvalidInput
from app.models import UserRead
from services import account, auth, calendar, clock
from services.account import AccountRead, SessionRead

router = APIRouter(prefix='/me', tags=['account'], responses=UNAUTHORIZED)
calendar_router = APIRouter(tags=['account'])

# Answers of these routes alone (outside api/schemas.py, which holds what clients send).


class CalendarFeed(BaseModel):
    url: str | None = Field(description='The private feed URL; `null` when there is none')


class SessionsEnded(BaseModel):
    ended: int


WRONG_PASSWORD: Responses = {
    422: {'description': 'The password is wrong, or a field is invalid'},
    429: {'model': ErrorResponse, 'description': 'Too many password checks; see Retry-After'},
}
SESSION_NOT_FOUND: Responses = {404: {'description': 'No such live session of yours'}}


def _account(current_session_id: uuid.UUID, fn: Any, /, **kwargs: Any) -> Any:
    with session_scope() as session:
        result = fn(session, **kwargs)
    # This session's cached copy carries the old email or zone: /api/auth/me must show the new.
    auth.forget_cached_session(current_session_id)
    return result


@router.get('')
def get_me(current: CurrentSession) -> AccountRead:
    """You, with your settings."""
    with session_scope() as session:
        return account.get_account(session, actor_id=current.user.id)


@router.patch('', responses={**INVALID, 404: {'description': 'default_list_id is not yours'}})
def update_me(current: CurrentSession, body: SettingsRequest) -> AccountRead:
    """Change settings: only the fields sent change; `default_list_id: null` means the Inbox."""
    sent = body.model_fields_set
    kwargs: dict[str, Any] = {
        name: getattr(body, name)
        for name in ('week_start', 'theme', 'time_zone')
        if name in sent and getattr(body, name) is not None
    }
    if 'default_list_id' in sent:
        kwargs['default_list_id'] = body.default_list_id
    return _account(  # type: ignore[no-any-return]
        current.session_id, account.update_settings, actor_id=current.user.id, **kwargs
    )


@router.put('/time-zone', responses=INVALID)
def set_time_zone(current: CurrentSession, body: TimeZoneRequest) -> UserRead:
    """Set the time zone your due times and "today" mean (an IANA name such as
    `Europe/Berlin`; 422 for an unknown one). Timed due dates keep their instant and show the
    date and time it is in the new zone."""
    name = _account(
        current.session_id,
        clock.set_time_zone,
        actor_id=current.user.id,
        time_zone=body.time_zone,
    )
    return current.user.model_copy(update={'time_zone': name})


@router.put(
    '/email',
    responses={**WRONG_PASSWORD, 409: {'model': ErrorResponse, 'description': 'Email taken'}},
)
async def change_email(
    current: CurrentSession, body: EmailChangeRequest, address: ClientAddress
) -> AccountRead:
    """Change your email (your password confirms it). Taken case-insensitively: 409."""
    return await run_in_threadpool(
        _account,
        current.session_id,
        account.change_email,
        actor_id=current.user.id,
        password=body.password,
        new_email=body.email,
        address=address,
    )


@router.put('/password', status_code=204, response_class=Response, responses=WRONG_PASSWORD)
async def change_password(
    current: CurrentSession, body: PasswordChangeRequest, address: ClientAddress
) -> Response:
    """Change your password; every other session (browser or API) ends at once, this one
    stays. The new one is checked like at sign-up (422 saying why)."""
    await run_in_threadpool(
        _account,
        current.session_id,
        account.change_password,
        actor_id=current.user.id,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_session_id=current.session_id,
        address=address,
    )
    return Response(status_code=204)


@router.get('/sessions')
def list_sessions(current: CurrentSession) -> list[SessionRead]:
    """Where you are signed in: browsers and API clients, most recently active first; `current`
    marks the one asking. `address` is the client address, the only place we know."""
    with session_scope() as session:
        return account.list_sessions(
            session, actor_id=current.user.id, current_session_id=current.session_id
        )


@router.delete(
    '/sessions/{session_id}',
    status_code=204,
    response_class=Response,
    responses=SESSION_NOT_FOUND,
)
def revoke_session(current: CurrentSession, session_id: uuid.UUID) -> Response:
    """Sign that session out; its tabs leave at once, its tokens stop working."""
    with session_scope() as session:
        account.revoke_session(session, actor_id=current.user.id, session_id=session_id)
    return Response(status_code=204)


@router.delete('/sessions', responses=INVALID)
def revoke_other_sessions(
    current: CurrentSession,
    others: Annotated[bool, Query(description='Must be true: every session but this one')],
) -> SessionsEnded:
    """Sign out everywhere else."""
    if not others:
        raise InvalidInput('Others: must be true.', field='others')
    with session_scope() as session:
        ended = account.revoke_other_sessions(
            session, actor_id=current.user.id, keep_session_id=current.session_id
        )
    return SessionsEnded(ended=ended)


@router.delete('', status_code=204, response_class=Response, responses=WRONG_PASSWORD)
async def delete_me(
    current: CurrentSession, body: DeleteAccountRequest, address: ClientAddress
) -> Response:
    """Delete your account and everything in it, at once and for good: send your password and
    `"confirmation": "delete my account"` (or your email). Every session ends."""

    def run() -> None:
        with session_scope() as session:
            account.delete_account(
                session,
                actor_id=current.user.id,
                password=body.password,
                confirmation=body.confirmation,
                address=address,
            )

    await run_in_threadpool(run)
    return Response(status_code=204)


# ---------------------------------------------------------------- calendar feed


def _feed_url(request: Request, token: str | None) -> CalendarFeed:
    if token is None:
        return CalendarFeed(url=None)
    return CalendarFeed(url=str(request.url_for('calendar_feed', token=token)))


@router.get('/calendar')
def get_calendar(current: CurrentSession, request: Request) -> CalendarFeed:
    """Your calendar feed's URL (for Google Calendar, Outlook, Thunderbird), or null."""
    with session_scope() as session:
        token = calendar.feed_token(session, actor_id=current.user.id)
    return _feed_url(request, token)


@router.post('/calendar')
def regenerate_calendar(current: CurrentSession, request: Request) -> CalendarFeed:
    """A new calendar feed URL; the previous one stops working at once."""
    with session_scope() as session:
        token = calendar.regenerate_feed(session, actor_id=current.user.id)
    return _feed_url(request, token)


@router.delete('/calendar', status_code=204, response_class=Response)
def disable_calendar(current: CurrentSession) -> Response:
    """No calendar feed: its URL is a 404 from now on."""
    with session_scope() as session:
        calendar.disable_feed(session, actor_id=current.user.id)
    return Response(status_code=204)


# Not in the OpenAPI schema: a calendar app's URL, not part of the API (docs/api.md has it).
@calendar_router.get(
    '/cal/{token}.ics', name='calendar_feed', response_class=Response, include_in_schema=False
)
def calendar_feed(token: str, request: Request) -> Response:
    """Your open tasks with due dates as iCalendar events; the URL is the secret, no cookie or
    token is needed. Calendar apps poll: answered from one indexed query, with an ETag."""
    with session_scope() as session:
        body = calendar.render_feed(session, token=token[:100])
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        'ETag': tag,
        'Cache-Control': 'private, max-age=300',
        'Referrer-Policy': 'no-referrer',
        'X-Robots-Tag': 'noindex',
    }
    if request.headers.get('if-none-match') == tag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type='text/calendar; charset=utf-8', headers=headers)
