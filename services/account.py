"""A person's own account: settings, email and password, where they are signed in, and deleting
it all. Every function acts on the actor's own rows only; a session id that is not theirs is
NotFound, like a missing one."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Final, cast

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Table, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from app.models import (
    PASSWORD_MAX,
    AuthSession,
    Email,
    Invitation,
    Schema,
    Task,
    TaskList,
    Theme,
    User,
    UserRead,
    WeekStart,
    utcnow,
)
from app.security import verify_password
from services import auth, clock, lists
from services.events import mark_changed, mark_session_ended
from services.throttle import get_throttle

_USER = cast(Table, User.__table__)  # type: ignore[attr-defined]
_SESSION = cast(Table, AuthSession.__table__)  # type: ignore[attr-defined]
_LIST = cast(Table, TaskList.__table__)  # type: ignore[attr-defined]
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]
_INVITATION = cast(Table, Invitation.__table__)  # type: ignore[attr-defined]

_email = TypeAdapter(Email)
_week_start = TypeAdapter(WeekStart)
_theme = TypeAdapter(Theme)
WRONG_PASSWORD = 'Password is incorrect.'  # noqa: S105 - a message


class _Unset:
    def __repr__(self) -> str:
        return 'UNSET'


UNSET: Final = _Unset()


class AccountRead(UserRead):
    """The signed-in person with their settings (`GET /api/me`, the settings page)."""

    week_start: WeekStart = 'monday'
    theme: Theme = 'system'
    default_list_id: int | None = None
    calendar_feed: bool = False  # whether a calendar feed URL exists (shown by its own call)


class SessionRead(Schema):
    """One place the person is signed in, as the settings page lists it."""

    id: uuid.UUID
    kind: str  # 'browser' or 'api'
    device: str  # e.g. 'Firefox on Linux', from the User-Agent
    address: str  # the client address: the only "place" we know, no geolocation
    created_at: datetime
    last_seen_at: datetime
    current: bool  # the session asking


# ---------------------------------------------------------------- reading


def get_account(session: Session, *, actor_id: uuid.UUID) -> AccountRead:
    """The actor with their settings; NotAuthenticated when the account is gone."""
    row = (
        session.connection()
        .execute(
            select(
                _USER.c.id,
                _USER.c.email,
                _USER.c.created_at,
                _USER.c.time_zone,
                _USER.c.week_start,
                _USER.c.theme,
                _USER.c.default_list_id,
                _USER.c.calendar_feed_id,
                _USER.c.is_admin,
            ).where(_USER.c.id == actor_id)
        )
        .first()
    )
    if row is None:
        raise NotAuthenticated()
    values = dict(row._mapping)
    values['calendar_feed'] = values.pop('calendar_feed_id') is not None
    return AccountRead.model_validate(values)


def _throttled(actor_id: uuid.UUID, address: str) -> str:
    """Spend a password check from the sign-in budgets (per account, per address, server-wide)
    before it runs: a stolen access token must not become a way to guess the password."""
    key = f'account:{actor_id.hex}'  # never an email: it has no @
    get_throttle().reserve_password_check(email=key, address=address)
    return key


def _password_matches(
    session: Session, actor_id: uuid.UUID, password: str, address: str = 'local'
) -> str:
    """The actor's email when `password` is theirs; InvalidInput naming `password` otherwise."""
    key = _throttled(actor_id, address)
    row = (
        session.connection()
        .execute(select(_USER.c.email, _USER.c.password_hash).where(_USER.c.id == actor_id))
        .first()
    )
    if row is None:
        raise NotAuthenticated()
    ok = (
        isinstance(password, str)
        and 0 < len(password) <= PASSWORD_MAX
        and '\x00' not in password
        and password.encode('utf-8', 'replace').decode('utf-8') == password
        and verify_password(password, row[1])[0]
    )
    if not ok:
        raise InvalidInput(f'Password: {WRONG_PASSWORD}', field='password', reason=WRONG_PASSWORD)
    get_throttle().forgive(email=key)
    return str(row[0])


# ---------------------------------------------------------------- settings


def update_settings(
    session: Session,
    *,
    actor_id: uuid.UUID,
    week_start: str | _Unset = UNSET,
    theme: str | _Unset = UNSET,
    default_list_id: int | _Unset | None = UNSET,
    time_zone: str | _Unset = UNSET,
) -> AccountRead:
    """Change only the settings given. The default list must be one of the actor's lists
    (NotFound otherwise); None means the Inbox."""
    values: dict[str, Any] = {}
    try:
        if not isinstance(week_start, _Unset):
            values['week_start'] = _week_start.validate_python(week_start)
    except ValidationError:
        raise InvalidInput(
            'Week start: must be monday, saturday or sunday.', field='week_start'
        ) from None
    try:
        if not isinstance(theme, _Unset):
            values['theme'] = _theme.validate_python(theme)
    except ValidationError:
        raise InvalidInput('Theme: must be system, light or dark.', field='theme') from None
    if not isinstance(default_list_id, _Unset):
        # One of the person's own lists: a shared one may be taken from them at any time.
        if (
            default_list_id is not None
            and lists.get_list(session, actor_id=actor_id, list_id=default_list_id).role != 'owner'
        ):
            raise lists.not_found()
        values['default_list_id'] = default_list_id
    if not isinstance(time_zone, _Unset):
        clock.set_time_zone(session, actor_id=actor_id, time_zone=time_zone)
    if values:
        session.connection().execute(update(_USER).where(_USER.c.id == actor_id).values(**values))
    if values or not isinstance(time_zone, _Unset):
        mark_changed(session, actor_id)  # open pages pick up the theme, week start, zone
    return get_account(session, actor_id=actor_id)


# ---------------------------------------------------------------- email and password


def change_email(
    session: Session,
    *,
    actor_id: uuid.UUID,
    password: str,
    new_email: str,
    address: str = 'local',
) -> AccountRead:
    """Replace the actor's email after checking their password; an email is taken
    case-insensitively (Conflict). Sessions stay: the person proved who they are."""
    _password_matches(session, actor_id, password, address)
    try:
        email = _email.validate_python(new_email)
    except ValidationError as error:
        reason = InvalidInput.from_validation(error).reason
        raise InvalidInput(f'Email: {reason}', field='email', reason=reason) from None
    taken = (
        session.connection()
        .execute(select(_USER.c.id).where(_USER.c.email == email, _USER.c.id != actor_id))
        .first()
    )
    if taken is not None:
        raise Conflict('An account with this email already exists.')
    try:
        with session.begin_nested():
            session.connection().execute(
                update(_USER).where(_USER.c.id == actor_id).values(email=email)
            )
    except IntegrityError:  # a concurrent change took it between the check and here
        raise Conflict('An account with this email already exists.') from None
    mark_changed(session, actor_id)
    return get_account(session, actor_id=actor_id)


def change_password(
    session: Session,
    *,
    actor_id: uuid.UUID,
    current_password: str,
    new_password: str,
    keep_session_id: uuid.UUID | None,
    address: str = 'local',
) -> None:
    """Replace the password (checked as any new one: length, leaked-password list, not the
    email) after checking the current one; every session but `keep_session_id` ends, and its
    open pages are told at once (on every instance)."""
    key = _throttled(actor_id, address)
    auth.change_password(
        session,
        actor_id=actor_id,
        current_password=current_password,
        new_password=new_password,
        keep_session_id=keep_session_id,
    )
    get_throttle().forgive(email=key)


# ---------------------------------------------------------------- sessions

_BROWSERS = (  # order matters: Edge and Opera say "Chrome", Chrome says "Safari"
    ('Tasklight desktop', re.compile(r'^Tasklight desktop\b')),  # services/local.py's window
    ('Edge', re.compile(r'\bEdg(?:e|A|iOS)?/')),
    ('Opera', re.compile(r'\b(?:OPR|Opera)/')),
    ('Samsung Internet', re.compile(r'\bSamsungBrowser/')),
    ('Vivaldi', re.compile(r'\bVivaldi/')),
    ('Firefox', re.compile(r'\b(?:Firefox|FxiOS)/')),
    ('Chrome', re.compile(r'\b(?:Chrome|Chromium|CriOS)/')),
    ('Safari', re.compile(r'\bVersion/[\d.]+.*\bSafari/')),
    ('curl', re.compile(r'^curl/')),
    ('Python', re.compile(r'^(?:python-requests|python-httpx|Python-urllib|aiohttp)/')),
)
_SYSTEMS = (
    ('iOS', re.compile(r'\b(?:iPhone|iPad|iPod)\b')),
    ('Android', re.compile(r'\bAndroid\b')),
    ('ChromeOS', re.compile(r'\bCrOS\b')),
    ('Windows', re.compile(r'\bWindows\b')),
    ('macOS', re.compile(r'\bMac OS X\b|\bMacintosh\b')),
    ('Linux', re.compile(r'\bLinux\b|\bX11\b')),
)


API_TOKEN_DEVICE = 'Tasklight API token'  # noqa: S105 - the device name of a settings-page token


def describe_device(user_agent: str, kind: str = 'browser') -> str:
    """'Firefox on Linux' from a User-Agent: enough to recognise one's own devices."""
    if user_agent == API_TOKEN_DEVICE:
        return 'API token (settings page)'
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f'{browser} on {system}'
    if browser or system:
        return str(browser or system)
    return 'Unknown browser' if kind == 'browser' else 'API client'


def _live(actor_id: uuid.UUID) -> list[Any]:
    return [
        _SESSION.c.user_id == actor_id,
        _SESSION.c.revoked_at.is_(None),
        _SESSION.c.pending.is_(False),
        _SESSION.c.expires_at > utcnow(),
    ]


def list_sessions(
    session: Session, *, actor_id: uuid.UUID, current_session_id: uuid.UUID | None = None
) -> list[SessionRead]:
    """Where the actor is signed in: each live browser and API session, most recently active
    first, the asking one marked `current`."""
    rows = session.connection().execute(
        select(
            _SESSION.c.id,
            _SESSION.c.kind,
            _SESSION.c.user_agent,
            _SESSION.c.address,
            _SESSION.c.created_at,
            _SESSION.c.last_seen_at,
        )
        .where(*_live(actor_id))
        .order_by(_SESSION.c.last_seen_at.desc(), _SESSION.c.id)
    )
    return [
        SessionRead(
            id=row.id,
            kind=row.kind,
            device=describe_device(row.user_agent, row.kind),
            address=row.address or 'unknown',
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=row.id == current_session_id,
        )
        for row in rows
    ]


def create_api_token(session: Session, *, actor_id: uuid.UUID, address: str = 'local') -> str:
    """A new API session for the actor's scripts, made from a signed-in page (the way in when
    PASSWORD_LOGIN is false): its refresh token, shown once. It is listed and revocable like
    any session, and lives by the same idle and absolute limits."""
    user = auth.get_user(session, user_id=actor_id)
    issued = auth.start_session(
        session, user=user, kind='api', user_agent=API_TOKEN_DEVICE, address=address
    )
    return issued.token


def revoke_session(session: Session, *, actor_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """Sign out one of the actor's sessions; its tabs leave at once. NotFound for a session
    that is not theirs or has already ended."""
    found = session.connection().execute(
        select(_SESSION.c.id).where(_SESSION.c.id == session_id, *_live(actor_id))
    )
    if found.first() is None:
        raise NotFound('Session not found.')
    auth.revoke_session(session, actor_id=actor_id, session_id=session_id)


def revoke_other_sessions(
    session: Session, *, actor_id: uuid.UUID, keep_session_id: uuid.UUID
) -> int:
    """Sign out everywhere but here; how many sessions ended."""
    ids = list(
        session.connection()
        .execute(select(_SESSION.c.id).where(*_live(actor_id), _SESSION.c.id != keep_session_id))
        .scalars()
    )
    for session_id in ids:
        auth.revoke_session(session, actor_id=actor_id, session_id=session_id)
    return len(ids)


# ---------------------------------------------------------------- deleting the account

DELETE_CONFIRMATION = 'delete my account'


def delete_account(
    session: Session,
    *,
    actor_id: uuid.UUID,
    password: str,
    confirmation: str,
    address: str = 'local',
) -> None:
    """Remove the person and everything they own (tasks, lists, sessions) in this one unit of
    work, after their password and the typed confirmation (`delete my account`, or their
    email). Every session ends and every open tab is told, on every instance."""
    email = _password_matches(session, actor_id, password, address)
    typed = ' '.join((confirmation or '').split()).lower()
    if typed not in (DELETE_CONFIRMATION, email.lower()):
        reason = f'Type "{DELETE_CONFIRMATION}" to confirm.'
        raise InvalidInput(f'Confirmation: {reason}', field='confirmation', reason=reason)
    erase(session, user_id=actor_id)


def erase(session: Session, *, user_id: uuid.UUID) -> None:
    """Remove a person and everything they own in this unit of work; every session ends and
    every open tab is told, on every instance. NotAuthenticated if there is no such person.
    The callers decide who may: the person themselves (above) or an admin (services/admin.py)."""
    connection = session.connection()
    ended = list(
        connection.execute(select(_SESSION.c.id).where(_SESSION.c.user_id == user_id)).scalars()
    )
    # Children first and explicitly: correct on a database whose foreign keys are not enforced.
    connection.execute(update(_USER).where(_USER.c.id == user_id).values(default_list_id=None))
    connection.execute(delete(_TASK).where(_TASK.c.owner_id == user_id))
    connection.execute(delete(_LIST).where(_LIST.c.owner_id == user_id))
    connection.execute(delete(_SESSION).where(_SESSION.c.user_id == user_id))
    connection.execute(
        update(_INVITATION).where(_INVITATION.c.created_by == user_id).values(created_by=None)
    )
    connection.execute(
        update(_INVITATION).where(_INVITATION.c.used_by == user_id).values(used_by=None)
    )
    gone = connection.execute(delete(_USER).where(_USER.c.id == user_id))
    if gone.rowcount != 1:
        raise NotAuthenticated()
    for session_id in ended:
        auth.forget_cached_session(session_id)
        mark_session_ended(session, session_id)
    mark_changed(session, user_id)
