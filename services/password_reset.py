"""Password reset links: asked for by email ("Forgot password?", with SMTP) or issued by an admin.

A link is `/reset?token=<token>`: the person's id and a fingerprint of their current password
hash, signed with itsdangerous (SECRET_KEY, a salt of its own) and good for
PASSWORD_RESET_MINUTES. Once the password changes the fingerprint no longer matches, so a link
works once. Setting the new password ends every session of the person at once, everywhere.

Asking never tells whether an address has an account: the answer is the same, the work on the
request's path is the same (one lookup; the email goes out afterwards, off that path), and the
budget (RATE_LIMIT_PASSWORD_RESET per address asked about and per client) is spent either way.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from itsdangerous import BadData, URLSafeTimedSerializer
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, select

from app import mail
from app.config import get_settings
from app.errors import InvalidInput, NotFound
from app.models import Email, User, utcnow
from app.models import Password as PasswordText
from app.security import hash_password
from services import auth
from services.throttle import get_throttle

log = logging.getLogger(__name__)

SALT = 'tasklight.password-reset'
TOKEN_MAX = 400
SENT = "If an account exists for that address, we've sent a link to reset its password."
INVALID = (
    'This reset link is not valid any more: it has expired, was already used, or the password '
    'was changed since. Ask for a new one.'
)
NO_EMAIL = 'Password reset by email is not set up here. Ask an admin for a reset link.'
SUBJECT = 'Reset your Tasklight password'
_email = TypeAdapter(Email)
_new_password = TypeAdapter(PasswordText)


@dataclass(frozen=True)
class ResetMail:
    """A reset email to send (after the request has been answered)."""

    to: str
    link: str
    minutes: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().signing_key, salt=SALT)


def _fingerprint(password_hash: str) -> str:
    """Changes whenever the password does; reveals nothing of the hash (keyed)."""
    key = get_settings().signing_key.encode('utf-8')
    return hmac.new(key, password_hash.encode('utf-8'), hashlib.sha256).hexdigest()[:32]


def base_url(fallback: str) -> str:
    """Where links point: PUBLIC_URL when set (never a Host header a client chose), else the
    address this request came to."""
    return (get_settings().public_url or fallback).rstrip('/')


def link_for(user: User, base: str) -> tuple[str, datetime]:
    """A reset link for this person as they are now, and when it stops working."""
    token = _serializer().dumps({'u': user.id.hex, 'f': _fingerprint(user.password_hash)})
    minutes = get_settings().password_reset_minutes
    return f'{base_url(base)}/reset?token={quote(str(token))}', utcnow() + timedelta(
        minutes=minutes
    )


def request_reset(session: Session, *, email: str, address: str, base: str) -> ResetMail | None:
    """The email to send when an active account has this address, else None; callers answer
    SENT either way. NotFound without SMTP; RateLimited past the budget; 422 for no email."""
    settings = get_settings()
    if not settings.smtp_enabled:
        raise NotFound(NO_EMAIL)
    try:
        key = _email.validate_python(email)
    except ValidationError as error:
        reason = InvalidInput.from_validation(error).reason
        raise InvalidInput(f'Email: {reason}', field='email', reason=reason) from None
    get_throttle().hit_password_reset(email=key, address=address)
    user = session.exec(select(User).where(User.email == key)).first()
    if user is None or user.deactivated_at is not None:
        return None
    link, _ = link_for(user, base)
    return ResetMail(to=user.email, link=link, minutes=settings.password_reset_minutes)


def deliver(message: ResetMail) -> bool:
    """Send it; a failure is logged (without the link) and reported as False, never raised:
    nobody is waiting for it."""
    body = (
        'Someone (hopefully you) asked to reset the password of your Tasklight account.\n\n'
        f'Choose a new password here (the link works once, for {message.minutes} minutes):\n\n'
        f'{message.link}\n\n'
        'If you did not ask for this, ignore this email: your password stays as it is.\n'
    )
    try:
        mail.send(to=message.to, subject=SUBJECT, body=body)
    except (OSError, smtplib.SMTPException) as error:
        log.warning('password reset email not sent: %s', error)
        return False
    return True


def _user_of(session: Session, token: str) -> User:
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        raise InvalidInput(INVALID, field='token')
    max_age = get_settings().password_reset_minutes * 60
    try:
        data = _serializer().loads(token, max_age=max_age)
        user_id = uuid.UUID(hex=str(data['u']))
        fingerprint = str(data['f'])
    except (BadData, ValueError, TypeError, KeyError):
        raise InvalidInput(INVALID, field='token') from None
    user = session.get(User, user_id)
    if (
        user is None
        or user.deactivated_at is not None
        or not hmac.compare_digest(fingerprint, _fingerprint(user.password_hash))
    ):
        raise InvalidInput(INVALID, field='token')
    return user


def check_link(session: Session, *, token: str) -> str:
    """The email of the account a reset link is good for now; InvalidInput otherwise."""
    return _user_of(session, token).email


def reset_password(session: Session, *, token: str, new_password: str) -> str:
    """Set a new password (length, leaked-password list, not the email: as at sign-up) with a
    good link, which then stops working; every session of the person ends at once, on every
    instance, and the failed sign-ins counted against the address are forgiven. Their email."""
    user = _user_of(session, token)
    try:
        password = _new_password.validate_python(new_password, context={'email': user.email})
    except ValidationError as error:
        reason = InvalidInput.from_validation(error).reason
        raise InvalidInput(f'New password: {reason}', field='new_password', reason=reason) from None
    user.password_hash = hash_password(password)
    session.add(user)
    auth.end_all_sessions(session, user_id=user.id)
    get_throttle().forgive(email=user.email)
    return user.email
