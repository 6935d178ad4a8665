"""Accounts, sign-in and server-side sessions for browsers and API clients."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from typing import Literal

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import db
from app.config import get_settings
from app.errors import AuthFailed, Conflict, InvalidInput, NotAuthenticated
from app.models import (
    PASSWORD_MAX,
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
    hash_password,
    hash_secret,
    new_secret,
    secrets_match,
    split_token,
    verify_password,
)
from services.events import mark_session_ended
from services.throttle import get_throttle

SessionKind = Literal['api', 'browser']
BROWSER_TICKET_SECONDS = 60
LAST_SEEN_GRANULARITY = timedelta(minutes=1)
_new_password = TypeAdapter(PasswordText)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _validate_credentials(email: str, password: str) -> Credentials:
    try:
        return Credentials(email=email, password=password)
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


# ---------------------------------------------------------------- accounts


def register(session: Session, *, email: str, password: str, address: str = 'local') -> UserRead:
    """Create an account; an email is taken case-insensitively, the password is never truncated."""
    get_throttle().hit_register(address=address)
    credentials = _validate_credentials(email, password)
    existing = session.exec(select(User.id).where(User.email == credentials.email)).first()
    if existing is not None:
        raise Conflict('An account with this email already exists.')
    user = User(email=credentials.email, password_hash=hash_password(credentials.password))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # a concurrent registration won the race
        session.rollback()
        raise Conflict('An account with this email already exists.') from None
    return UserRead.model_validate(user)


def authenticate(session: Session, *, email: str, password: str) -> UserRead:
    """The user with this email and password; one AuthFailed, in similar time, for any miss."""
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if len(password) > PASSWORD_MAX:
        verify_password('', None)
        raise AuthFailed()
    ok, upgraded_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not ok:
        raise AuthFailed()
    if upgraded_hash:
        user.password_hash = upgraded_hash
        session.add(user)
    return UserRead.model_validate(user)


def sign_in(
    session: Session, *, email: str, password: str, kind: SessionKind, address: str = 'local'
) -> IssuedSession:
    """Check the password under the failed-sign-in limits and open a new session on success."""
    throttle = get_throttle()
    key = normalize_email(email)[:320]
    throttle.check_login(email=key, address=address)
    try:
        user = authenticate(session, email=email, password=password)
    except AuthFailed:
        throttle.record_failed_login(email=key, address=address)
        raise
    return start_session(session, user=user, kind=kind)


def get_user(session: Session, *, user_id: uuid.UUID) -> UserRead:
    user = session.get(User, user_id)
    if user is None:
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
    ok, _ = verify_password(current_password[:PASSWORD_MAX], user.password_hash)
    if not ok:
        raise InvalidInput('Current password is incorrect.', field='current_password')
    try:
        new_password = _new_password.validate_python(new_password)
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


def start_session(session: Session, *, user: UserRead, kind: SessionKind) -> IssuedSession:
    """A new server-side session. A browser session starts pending: its token is a one-time
    ticket, exchanged within a minute for the cookie by `activate_browser_session`."""
    settings = get_settings()
    now = utcnow()
    if kind == 'browser':
        expires_at = now + timedelta(seconds=BROWSER_TICKET_SECONDS)
    else:
        expires_at = now + timedelta(days=settings.refresh_token_days)
    secret = new_secret()
    row = AuthSession(
        user_id=user.id,
        kind=kind,
        secret_hash=hash_secret(secret),
        pending=kind == 'browser',
        created_at=now,
        expires_at=expires_at,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return IssuedSession(token=compose_token(row.id, secret), info=_info(row, user))


def _load(session: Session, token: str, kind: SessionKind) -> tuple[AuthSession, str] | None:
    parts = split_token(token)
    if parts is None:
        return None
    session_id, secret = parts
    row = session.get(AuthSession, session_id)
    if row is None or row.kind != kind or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row, secret


def _rotate(session: Session, row: AuthSession, lifetime: timedelta) -> IssuedSession:
    secret = new_secret()
    now = utcnow()
    row.secret_hash = hash_secret(secret)
    row.pending = False
    row.expires_at = now + lifetime
    row.last_seen_at = now
    session.add(row)
    session.flush()
    user = get_user(session, user_id=row.user_id)
    return IssuedSession(token=compose_token(row.id, secret), info=_info(row, user))


def activate_browser_session(session: Session, *, ticket: str) -> IssuedSession:
    """Exchange a fresh sign-in ticket, once, for a long-lived browser cookie token."""
    loaded = _load(session, ticket, 'browser')
    if (
        loaded is None
        or not loaded[0].pending
        or not secrets_match(loaded[1], loaded[0].secret_hash)
    ):
        raise NotAuthenticated('The sign-in link has expired. Please sign in again.')
    lifetime = timedelta(days=get_settings().browser_session_days)
    return _rotate(session, loaded[0], lifetime)


def validate_browser_session(session: Session, *, token: str) -> SessionInfo:
    """The signed-in browser behind a cookie token; NotAuthenticated if ended, expired or forged."""
    loaded = _load(session, token, 'browser')
    if loaded is None or loaded[0].pending or not secrets_match(loaded[1], loaded[0].secret_hash):
        raise NotAuthenticated()
    row = loaded[0]
    now = utcnow()
    if now - row.last_seen_at > LAST_SEEN_GRANULARITY:
        row.last_seen_at = now
        session.add(row)
    return _info(row, get_user(session, user_id=row.user_id))


def refresh(session: Session, *, refresh_token: str) -> IssuedSession:
    """Rotate an API session's refresh token; presenting a used one ends the whole session."""
    loaded = _load(session, refresh_token, 'api')
    if loaded is None:
        raise NotAuthenticated('Invalid or expired refresh token.')
    row, secret = loaded
    if not secrets_match(secret, row.secret_hash):
        # An older token of this chain came back: it was copied. End the session for everyone,
        # and commit now: the error raised next would otherwise roll the revocation back.
        _revoke_where(session, AuthSession.id == row.id)
        session.commit()
        raise NotAuthenticated('Invalid or expired refresh token.')
    return _rotate(session, row, timedelta(days=get_settings().refresh_token_days))


def revoke_session(session: Session, *, actor_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """End one of the actor's own sessions (sign-out); someone else's is left alone."""
    _revoke_where(session, AuthSession.id == session_id, AuthSession.user_id == actor_id)


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
    return _info(row, get_user(session, user_id=row.user_id))


def clear_session_cache() -> None:
    _cache.clear()
    _verified_tokens.clear()
