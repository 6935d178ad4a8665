"""Accounts, sign-in and server-side sessions for browsers and API clients."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Literal, NoReturn

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import db
from app.config import get_settings
from app.errors import AuthFailed, Conflict, Forbidden, InvalidInput, NotAuthenticated
from app.models import (
    ADDRESS_MAX,
    PASSWORD_MAX,
    USER_AGENT_MAX,
    AuthSession,
    Credentials,
    IssuedSession,
    SessionInfo,
    User,
    UserRead,
    utcnow,
)
from app.models import Password as PasswordText
from app.security import (
    AccessClaims,
    compose_token,
    create_access_token,
    decode_access_token,
    device_user,
    hash_password,
    hash_secret,
    hash_ticket,
    new_secret,
    secrets_match,
    split_token,
    verify_password,
)
from services import lists
from services.events import mark_session_ended
from services.throttle import get_throttle

SessionKind = Literal['api', 'browser']
TICKET_EXPIRED = 'The sign-in link has expired. Please sign in again.'
REFRESH_INVALID = 'Invalid or expired refresh token.'
REFRESH_IDLE = 'The session ended after a period of inactivity. Please sign in again.'
BROWSER_TICKET_SECONDS = 60
LAST_SEEN_GRANULARITY = timedelta(minutes=1)
_new_password = TypeAdapter(PasswordText)


class SessionIdle(NotAuthenticated):
    """The session went unused for longer than SESSION_IDLE_MINUTES (ASVS 7.3.1)."""

    default_message = 'You were signed out after a period of inactivity.'


class Deactivated(AuthFailed):
    """The right password for an account an admin deactivated (services/admin.py)."""

    default_message = 'This account has been deactivated. Ask an admin to reactivate it.'


REGISTRATION_CLOSED = 'New accounts cannot be made here. Ask an admin for one.'
PASSWORDS_OFF = 'Passwords are not used here: sign in with your organisation instead.'


def _passwords_on() -> None:
    """PASSWORD_LOGIN=false: single sign-on is the only way in (pages/sso.py)."""
    if not get_settings().password_login:
        raise Forbidden(PASSWORDS_OFF)


INVITATION_NEEDED = 'Joining needs an invitation. Ask an admin for an invitation link.'


def domain_refused(email: str) -> InvalidInput | None:
    """ALLOWED_EMAIL_DOMAINS as a 422 on the email field, or None when the domain may join."""
    settings = get_settings()
    if settings.email_domain_allowed(email):
        return None
    domains = ', '.join(settings.allowed_email_domains)
    reason = f'Only addresses at {domains} can join.'
    return InvalidInput(f'Email: {reason}', field='email', reason=reason)


def listed_admin(email: str) -> bool:
    """Whether ADMIN_EMAILS names this address (any case)."""
    return normalize_email(email) in get_settings().admin_emails


def device_text(value: str | None, limit: int) -> str:
    """What a session keeps of a header a client chose: printable text, one line, cut short."""
    if not value:
        return ''
    kept = ''.join(ch if ch.isprintable() else ' ' for ch in value[: limit * 2])
    kept = ' '.join(kept.split())
    return kept.encode('utf-8', 'ignore').decode('utf-8')[:limit]


def _device(user_agent: str | None, address: str | None) -> dict[str, str]:
    return {
        'user_agent': device_text(user_agent, USER_AGENT_MAX),
        'address': device_text(address, ADDRESS_MAX),
    }


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _storable(value: str) -> bool:
    """No NUL and no lone surrogate: text every database (and argon2) accepts."""
    if '\x00' in value:
        return False
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True


def _validate_credentials(email: str, password: str) -> Credentials:
    if not _storable(email):
        reason = 'Must not contain NUL characters or invalid Unicode.'
        raise InvalidInput(f'Email: {reason}', field='email', reason=reason)
    try:
        return Credentials(email=email, password=password)
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


# ---------------------------------------------------------------- accounts


def sign_up_problems(*, email: str, password: str) -> dict[str, str]:
    """Everything wrong with a sign-up's email and password at once (field -> reason), with
    nothing read or stored; `register` checks the same, and what only the database knows."""
    if not (_storable(email) and _storable(password)):
        return {'email': 'Must not contain NUL characters or invalid Unicode.'}
    try:
        Credentials(email=email, password=password)
    except ValidationError as error:
        return InvalidInput.every_problem(error)
    return {}


def register(
    session: Session,
    *,
    email: str,
    password: str,
    address: str = 'local',
    invitation: str | None = None,
) -> UserRead:
    """Create an account; an email is taken case-insensitively, the password is never truncated.

    REGISTRATION decides who may: anyone (`open`), only with a good invitation link (`invite`:
    the invitation is used up in this same unit of work), nobody (`closed`: Forbidden); the
    email's domain must be allowed (ALLOWED_EMAIL_DOMAINS). ADMIN_EMAILS join as admins.
    Only well-formed attempts spend the address's registration budget: a person who misses the
    password rules a few times is not locked out, while every look at whether an email is taken
    still counts."""
    _passwords_on()
    mode = get_settings().registration
    if mode == 'closed':
        raise Forbidden(REGISTRATION_CLOSED)
    credentials = _validate_credentials(email, password)
    refused = domain_refused(credentials.email)
    if refused is not None:
        raise refused
    # Imported here: services.invitations reaches this module through services.admin.
    from services import invitations

    if mode == 'invite':
        if not invitation:
            raise Forbidden(INVITATION_NEEDED)
        invitation_id = invitations.usable(session, token=invitation, email=credentials.email)
    get_throttle().hit_register(address=address)
    existing = session.exec(select(User.id).where(User.email == credentials.email)).first()
    if existing is not None:
        raise Conflict('An account with this email already exists.')
    user = User(
        email=credentials.email,
        password_hash=hash_password(credentials.password),
        is_admin=listed_admin(credentials.email),
    )
    if mode == 'invite':
        # Claimed before the account is written: of two sign-ups with one link, the second
        # waits for the first's row lock and then finds it used (and this one rolls back whole).
        invitations.claim(session, invitation_id=invitation_id, email=credentials.email)
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # a concurrent registration won the race
        session.rollback()
        raise Conflict('An account with this email already exists.') from None
    if mode == 'invite':
        invitations.record_use(session, invitation_id=invitation_id, user_id=user.id)
    lists.inbox_id(session, actor_id=user.id)  # every account starts with its Inbox
    return UserRead.model_validate(user)


def authenticate(session: Session, *, email: str, password: str) -> UserRead:
    """The user with this email and password; one AuthFailed, in similar time, for any miss."""
    if not (_storable(email) and _storable(password)):
        raise AuthFailed()  # no account can have it: stored emails and passwords are clean text
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    return _check_password(session, user, password)


def _check_password(session: Session, user: User | None, password: str) -> UserRead:
    if len(password) > PASSWORD_MAX:
        verify_password('', None)
        raise AuthFailed()
    ok, upgraded_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not ok:
        raise AuthFailed()
    if user.deactivated_at is not None:
        raise Deactivated()
    if upgraded_hash:
        user.password_hash = upgraded_hash
        session.add(user)
    return UserRead.model_validate(user)


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    kind: SessionKind,
    address: str = 'local',
    device: str | None = None,
    nonce: str = '',
    user_agent: str | None = None,
) -> IssuedSession:
    """Spend the attempt from the sign-in budgets first (per email unless `device` is this
    account's trusted-browser cookie, per address, server-wide), then check the password and
    open a new session; a browser's ticket is bound to `nonce`. Forbidden when PASSWORD_LOGIN
    is false."""
    _passwords_on()
    if not (_storable(email) and _storable(password)):
        raise AuthFailed()  # never a database error: no account can have such an email
    key = normalize_email(email)[:320]
    user = session.exec(select(User).where(User.email == key)).first()
    trusted = user is not None and device_user(device) == user.id
    throttle = get_throttle()
    throttle.reserve_password_check(email=None if trusted else key, address=address)
    checked = _check_password(session, user, password)
    if not trusted:
        throttle.forgive(email=key)
    return start_session(
        session, user=checked, kind=kind, nonce=nonce, user_agent=user_agent, address=address
    )


def get_user(session: Session, *, user_id: uuid.UUID) -> UserRead:
    """The account behind a session; NotAuthenticated when it is gone or deactivated."""
    user = session.get(User, user_id)
    if user is None or user.deactivated_at is not None:
        raise NotAuthenticated()
    return UserRead.model_validate(user)


def change_password(
    session: Session,
    *,
    actor_id: uuid.UUID,
    current_password: str,
    new_password: str,
    keep_session_id: uuid.UUID | None = None,
) -> None:
    """Replace the actor's password after checking the current one; every other session ends."""
    user = session.get(User, actor_id)
    if user is None:
        raise NotAuthenticated()
    ok = (
        _storable(current_password)
        and verify_password(current_password[:PASSWORD_MAX], user.password_hash)[0]
    )
    if not ok:
        raise InvalidInput('Current password is incorrect.', field='current_password')
    try:
        new_password = _new_password.validate_python(new_password, context={'email': user.email})
    except ValidationError as error:
        reason = InvalidInput.from_validation(error).reason
        raise InvalidInput(f'New password: {reason}', field='new_password', reason=reason) from None
    user.password_hash = hash_password(new_password)
    session.add(user)
    others = [AuthSession.user_id == actor_id]
    if keep_session_id is not None:
        others.append(AuthSession.id != keep_session_id)
    _revoke_where(session, *others)


# ---------------------------------------------------------------- sessions


def _info(row: AuthSession, user: UserRead) -> SessionInfo:
    return SessionInfo(session_id=row.id, user=user, expires_at=row.expires_at)


def start_session(
    session: Session,
    *,
    user: UserRead,
    kind: SessionKind,
    nonce: str = '',
    user_agent: str | None = None,
    address: str | None = None,
) -> IssuedSession:
    """A new server-side session. A browser session starts pending: its token is a one-time
    ticket, bound to the asking browser's `nonce` and exchanged within a minute for the cookie
    by `activate_browser_session`. An API session's family lives at most API_SESSION_MAX_DAYS."""
    settings = get_settings()
    if not user.is_admin and listed_admin(user.email):  # ADMIN_EMAILS: admin from this sign-in on
        session.execute(
            update(User)
            .where(col(User.id) == user.id)
            .values(is_admin=True)
            .execution_options(synchronize_session='fetch')
        )
        user = user.model_copy(update={'is_admin': True})
    now = utcnow()
    secret = new_secret()
    if kind == 'browser':
        expires_at = now + timedelta(seconds=BROWSER_TICKET_SECONDS)
        secret_hash = hash_ticket(secret, nonce)
    else:
        expires_at = now + timedelta(
            days=min(settings.refresh_token_days, settings.api_session_max_days)
        )
        secret_hash = hash_secret(secret)
    row = AuthSession(
        user_id=user.id,
        kind=kind,
        secret_hash=secret_hash,
        pending=kind == 'browser',
        created_at=now,
        expires_at=expires_at,
        last_seen_at=now,
        user_agent=device_text(user_agent, USER_AGENT_MAX),
        address=device_text(address, ADDRESS_MAX),
    )
    session.add(row)
    session.flush()
    return IssuedSession(token=compose_token(row.id, secret), info=_info(row, user))


def _idle_limit() -> timedelta:
    return timedelta(minutes=get_settings().session_idle_minutes)


def _load(session: Session, token: str, kind: SessionKind) -> tuple[AuthSession, str] | None:
    parts = split_token(token)
    if parts is None:
        return None
    session_id, secret = parts
    row = session.get(AuthSession, session_id)
    if row is None or row.kind != kind or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row, secret


def activate_browser_session(
    session: Session,
    *,
    ticket: str,
    nonce: str = '',
    user_agent: str | None = None,
    address: str | None = None,
) -> IssuedSession:
    """Exchange a fresh sign-in ticket, once and only from the browser whose `nonce` it was
    bound to, for a cookie token of a new session (the ticket's id never becomes a session id).
    The device is the one exchanging the ticket, else what the ticket's sign-in recorded."""
    parts = split_token(ticket)
    if parts is None:
        raise NotAuthenticated(TICKET_EXPIRED)
    ticket_id, secret = parts
    now = utcnow()
    # One statement finds and consumes the ticket: two exchanges at once cannot both succeed.
    used = session.execute(
        delete(AuthSession)
        .where(
            col(AuthSession.id) == ticket_id,
            col(AuthSession.kind) == 'browser',
            col(AuthSession.pending).is_(True),
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.expires_at) > now,
            col(AuthSession.secret_hash) == hash_ticket(secret, nonce),
        )
        .returning(col(AuthSession.user_id), col(AuthSession.user_agent), col(AuthSession.address))
        .execution_options(synchronize_session=False)
    ).first()
    if used is None:
        raise NotAuthenticated(TICKET_EXPIRED)
    user = get_user(session, user_id=used[0])

    cookie_secret = new_secret()
    row = AuthSession(
        user_id=user.id,
        kind='browser',
        secret_hash=hash_secret(cookie_secret),
        pending=False,
        created_at=now,
        expires_at=now + timedelta(days=get_settings().browser_session_days),
        last_seen_at=now,
        user_agent=device_text(user_agent or used[1], USER_AGENT_MAX),
        address=device_text(address or used[2], ADDRESS_MAX),
    )
    session.add(row)
    session.flush()
    return IssuedSession(token=compose_token(row.id, cookie_secret), info=_info(row, user))


def validate_browser_session(session: Session, *, token: str) -> SessionInfo:
    """The signed-in browser behind a cookie token; NotAuthenticated if ended, expired or forged,
    SessionIdle if unused for longer than SESSION_IDLE_MINUTES."""
    loaded = _load(session, token, 'browser')
    if loaded is None or loaded[0].pending or not secrets_match(loaded[1], loaded[0].secret_hash):
        raise NotAuthenticated()
    row = loaded[0]
    now = utcnow()
    if now - row.last_seen_at > _idle_limit():
        raise SessionIdle()
    if now - row.last_seen_at > LAST_SEEN_GRANULARITY:
        row.last_seen_at = now
        session.add(row)
    return _info(row, get_user(session, user_id=row.user_id))


def end_browser_session(session: Session, *, token: str) -> None:
    """Sign-out by cookie: end the session the token proves; a forged or dead token ends nothing."""
    loaded = _load(session, token, 'browser')
    if loaded is None or loaded[0].pending or not secrets_match(loaded[1], loaded[0].secret_hash):
        return
    _revoke_where(session, col(AuthSession.id) == loaded[0].id)


def refresh(
    session: Session,
    *,
    refresh_token: str,
    user_agent: str | None = None,
    address: str | None = None,
) -> IssuedSession:
    """Rotate an API session's refresh token, atomically: of two uses of one token (a copy, or
    two at once) only one wins and the other ends the whole session. The family ends
    API_SESSION_MAX_DAYS after sign-in, or after SESSION_IDLE_MINUTES without a refresh or use."""
    parts = split_token(refresh_token)
    if parts is None:
        raise NotAuthenticated(REFRESH_INVALID)
    session_id, secret = parts
    settings = get_settings()
    now = utcnow()
    new = new_secret()
    # The conditional UPDATE comes first: it takes the row's write lock, so a parallel refresh of
    # the same token waits here and then finds the old hash gone (zero rows: treated as reuse).
    rotated = session.execute(
        update(AuthSession)
        .where(
            col(AuthSession.id) == session_id,
            col(AuthSession.kind) == 'api',
            col(AuthSession.secret_hash) == hash_secret(secret),
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.expires_at) > now,
            col(AuthSession.last_seen_at) >= now - _idle_limit(),
            col(AuthSession.created_at) > now - timedelta(days=settings.api_session_max_days),
        )
        .values(secret_hash=hash_secret(new), last_seen_at=now)
        .returning(col(AuthSession.user_id), col(AuthSession.created_at))
        .execution_options(synchronize_session=False)
    ).first()
    if rotated is None:
        _refused_refresh(session, session_id, now)
    user_id, created_at = rotated
    # Never past the family's absolute end: rotation does not restart the clock (created_at).
    expires_at = min(
        now + timedelta(days=settings.refresh_token_days),
        created_at + timedelta(days=settings.api_session_max_days),
    )
    # The device as it is now (a laptop moves between networks), when the caller knows it.
    device = {k: v for k, v in _device(user_agent, address).items() if v}
    session.execute(
        update(AuthSession)
        .where(col(AuthSession.id) == session_id)
        .values(expires_at=expires_at, **device)
        .execution_options(synchronize_session=False)
    )
    info = SessionInfo(
        session_id=session_id, user=get_user(session, user_id=user_id), expires_at=expires_at
    )
    return IssuedSession(token=compose_token(session_id, new), info=info)


def _refused_refresh(session: Session, session_id: uuid.UUID, now: datetime) -> NoReturn:
    row = session.get(AuthSession, session_id)
    if (
        row is None
        or row.kind != 'api'
        or row.revoked_at is not None
        or row.expires_at <= now
        or now - row.created_at >= timedelta(days=get_settings().api_session_max_days)
    ):
        raise NotAuthenticated(REFRESH_INVALID)
    if now - row.last_seen_at > _idle_limit():
        raise SessionIdle(REFRESH_IDLE)
    # The session lives but this token is not its current one: an older token came back (it was
    # copied) or a parallel refresh won. End the session for everyone, and commit now: the error
    # raised next would otherwise roll the revocation back.
    _revoke_where(session, AuthSession.id == session_id)
    session.commit()
    raise NotAuthenticated(REFRESH_INVALID)


def revoke_session(session: Session, *, actor_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """End one of the actor's own sessions (sign-out); someone else's is left alone."""
    _revoke_where(session, AuthSession.id == session_id, AuthSession.user_id == actor_id)


def end_all_sessions(session: Session, *, user_id: uuid.UUID) -> None:
    """End every session of this person (browser, API, a pending sign-in): their tokens stop
    working and their open pages leave at once, on every instance."""
    _revoke_where(session, AuthSession.user_id == user_id)


def _revoke_where(session: Session, *conditions: object) -> None:
    ids = session.exec(
        select(AuthSession.id).where(AuthSession.revoked_at.is_(None), *conditions)  # type: ignore[union-attr, arg-type]
    ).all()
    if not ids:
        return
    session.execute(
        update(AuthSession).where(AuthSession.id.in_(ids)).values(revoked_at=utcnow())  # type: ignore[attr-defined]
    )
    for session_id in ids:
        _cache.forget(session_id)
        mark_session_ended(session, session_id)


def forget_cached_session(session_id: uuid.UUID) -> None:
    """Another instance revoked this session: stop trusting the cached copy at once."""
    _cache.forget(session_id)


# ---------------------------------------------------------------- access tokens


def issue_access_token(info: SessionInfo) -> tuple[str, int]:
    """A short-lived bearer token bound to the session, so ending the session ends the token."""
    return create_access_token(user_id=info.user.id, session_id=info.session_id)


class _SessionCache:
    """Recently confirmed API sessions. A revocation drops the entry at once, in this process
    and (on PostgreSQL, through the cross-instance channel) in the others; should that channel
    be down, the entry still lapses within `SESSION_CACHE_SECONDS`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[uuid.UUID, tuple[float, SessionInfo]] = {}

    def get(self, session_id: uuid.UUID, ttl: float) -> SessionInfo | None:
        entry = self._entries.get(session_id)
        if entry is None or time.monotonic() - entry[0] > ttl:
            return None
        return entry[1]

    def put(self, info: SessionInfo) -> None:
        with self._lock:
            if len(self._entries) > 50_000:
                self._entries.clear()
            self._entries[info.session_id] = (time.monotonic(), info)

    def forget(self, session_id: uuid.UUID) -> None:
        with self._lock:
            self._entries.pop(session_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _VerifiedTokens:
    """Tokens whose signature was checked, so a client's next request skips the HMAC and JSON
    work. Bounded; expiry is still checked on every use."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._entries: dict[str, AccessClaims] = {}

    def get(self, token: str) -> AccessClaims | None:
        return self._entries.get(token)

    def put(self, token: str, claims: AccessClaims) -> None:
        if len(self._entries) >= self._size:
            self._entries.clear()
        self._entries[token] = claims

    def clear(self) -> None:
        self._entries.clear()


_cache = _SessionCache()
_verified_tokens = _VerifiedTokens()


def _verified_claims(token: str) -> AccessClaims:
    claims = _verified_tokens.get(token)
    if claims is None or claims.expires_at <= time.time():
        claims = decode_access_token(token)
        if claims is None:
            raise NotAuthenticated()
        _verified_tokens.put(token, claims)
    return claims


def cached_access_session(token: str) -> SessionInfo | None:
    """The session behind a bearer token if it was confirmed within SESSION_CACHE_SECONDS;
    None when the database must be asked. Raises NotAuthenticated for a bad token."""
    claims = _verified_claims(token)
    ttl = get_settings().session_cache_seconds
    cached = _cache.get(claims.session_id, ttl) if ttl > 0 else None
    if cached is not None and cached.user.id == claims.user_id:
        return cached
    return None


def authenticate_access_token(token: str) -> SessionInfo:
    """The live session behind a bearer token; NotAuthenticated for a forged, expired or ended one.

    Unlike other services it opens its own unit of work, and only on a cache miss: this check
    runs on every API request and must not cost a database round trip when nothing changed.
    """
    cached = cached_access_session(token)
    if cached is not None:
        return cached
    claims = _verified_claims(token)
    with db.session_scope() as session:
        info = _live_api_session(session, claims)
    _cache.put(info)
    return info


def _live_api_session(session: Session, claims: AccessClaims) -> SessionInfo:
    row = session.get(AuthSession, claims.session_id)
    if (
        row is None
        or row.kind != 'api'
        or row.user_id != claims.user_id
        or row.revoked_at is not None
        or row.expires_at <= utcnow()
    ):
        raise NotAuthenticated()
    now = utcnow()
    if now - row.last_seen_at > _idle_limit():
        raise SessionIdle()
    if now - row.last_seen_at > LAST_SEEN_GRANULARITY:  # use counts as activity, like a refresh
        row.last_seen_at = now
        session.add(row)
    return _info(row, get_user(session, user_id=row.user_id))


def clear_session_cache() -> None:
    _cache.clear()
    _verified_tokens.clear()
