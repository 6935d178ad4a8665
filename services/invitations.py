"""Invitations: single-use, expiring links to join a deployment whose REGISTRATION is `invite`.

A link is `/signup?invite=<token>`, the token being the invitation's id signed with itsdangerous
(SECRET_KEY, a salt of its own, at most INVITATION_DAYS old). The row decides the rest: it may be
bound to one email, revoked by an admin, and is used up (`used_at`) in the unit of work that
creates the account, by one conditional UPDATE, so two sign-ups with one link cannot both win.
Admins create, list and revoke them; anyone may ask what a token is good for (the sign-up page).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import quote

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Email, Invitation, Schema, User, utcnow
from services.admin import require_admin

SALT = 'tasklight.invitation'
TOKEN_MAX = 200
INVALID = 'This invitation link is not valid. Ask an admin for a new one.'
EXPIRED = 'This invitation has expired. Ask an admin for a new one.'
USED = 'This invitation has already been used.'
REVOKED = 'This invitation was withdrawn. Ask an admin for a new one.'
WRONG_EMAIL = 'This invitation is for a different email address.'
_email = TypeAdapter(Email)

Status = Literal['pending', 'used', 'expired', 'revoked']


class InvitationRead(Schema):
    """An invitation as the Admin page and `/api/admin/invitations` show it."""

    id: str
    email: str | None  # None: anyone with the link
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by_email: str | None
    revoked_at: datetime | None
    status: Status
    link: str | None  # only while it can still be used


class InvitationCheck(Schema):
    """What a good link offers the person who opened it."""

    email: str | None
    expires_at: datetime


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().signing_key, salt=SALT)


def token_for(invitation_id: str) -> str:
    return str(_serializer().dumps(invitation_id))


def link_for(invitation_id: str, base_url: str) -> str:
    return f'{base_url.rstrip("/")}/signup?invite={quote(token_for(invitation_id))}'


def _id_of(token: str) -> str:
    """The invitation id a token we signed names; Forbidden with the reason otherwise."""
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        raise Forbidden(INVALID)
    max_age = get_settings().invitation_days * 86_400
    try:
        value = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise Forbidden(EXPIRED) from None
    except BadData:
        raise Forbidden(INVALID) from None
    if not isinstance(value, str):
        raise Forbidden(INVALID)
    return value


def _status(row: Invitation, now: datetime) -> Status:
    if row.used_at is not None:
        return 'used'
    if row.revoked_at is not None:
        return 'revoked'
    if row.expires_at <= now:
        return 'expired'
    return 'pending'


_REFUSALS = {'used': USED, 'revoked': REVOKED, 'expired': EXPIRED}


def _usable_row(session: Session, token: str, email: str | None) -> Invitation:
    row = session.get(Invitation, _id_of(token))
    if row is None:
        raise Forbidden(INVALID)
    status = _status(row, utcnow())
    if status != 'pending':
        raise Forbidden(_REFUSALS[status])
    if email is not None and row.email is not None and row.email != email.strip().lower():
        raise Forbidden(WRONG_EMAIL)
    return row


# ---------------------------------------------------------------- anyone with a link


def check(session: Session, *, token: str) -> InvitationCheck:
    """What a link is good for (its bound email, if any); Forbidden with the reason if none."""
    row = _usable_row(session, token, None)
    return InvitationCheck(email=row.email, expires_at=row.expires_at)


def usable(session: Session, *, token: str, email: str) -> str:
    """The id of the invitation `token` names if `email` may join with it now; Forbidden
    with the reason (invalid, expired, used, withdrawn, another address) otherwise."""
    return _usable_row(session, token, email).id


def claim(session: Session, *, invitation_id: str, email: str) -> None:
    """Use the invitation up, once: of two claims at once one finds it used (Forbidden)."""
    now = utcnow()
    claimed = session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
            (col(Invitation.email).is_(None)) | (col(Invitation.email) == email),
        )
        .values(used_at=now)
        .returning(col(Invitation.id))
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        session.expire_all()
        _usable_row(session, token_for(invitation_id), email)  # says why
        raise Forbidden(USED)  # it was usable a moment ago: a parallel sign-up took it


def record_use(session: Session, *, invitation_id: str, user_id: uuid.UUID) -> None:
    """Who the claimed invitation made an account for (once that account is written)."""
    session.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation_id)
        .values(used_by=user_id)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- admins


def _read(
    row: Invitation, used_by_email: str | None, base_url: str, now: datetime
) -> InvitationRead:
    status = _status(row, now)
    return InvitationRead(
        id=row.id,
        email=row.email,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        used_by_email=used_by_email,
        revoked_at=row.revoked_at,
        status=status,
        link=link_for(row.id, base_url) if status == 'pending' else None,
    )


def create_invitation(
    session: Session, *, actor_id: uuid.UUID, base_url: str, email: str | None = None
) -> InvitationRead:
    """An admin's new invitation, good for INVITATION_DAYS, for anyone or for one email (which
    must be a domain that may join and not have an account yet)."""
    require_admin(session, actor_id=actor_id)
    bound: str | None = None
    if email is not None and email.strip():
        try:
            bound = _email.validate_python(email)
        except ValidationError as error:
            reason = InvalidInput.from_validation(error).reason
            raise InvalidInput(f'Email: {reason}', field='email', reason=reason) from None
        if not get_settings().email_domain_allowed(bound):
            reason = 'That address is not at a domain that may join (ALLOWED_EMAIL_DOMAINS).'
            raise InvalidInput(f'Email: {reason}', field='email', reason=reason)
        if session.exec(select(User.id).where(User.email == bound)).first() is not None:
            raise Conflict('An account with this email already exists.')
    now = utcnow()
    row = Invitation(
        id=secrets.token_hex(16),
        email=bound,
        created_by=actor_id,
        created_at=now,
        expires_at=now + timedelta(days=get_settings().invitation_days),
    )
    session.add(row)
    session.flush()
    return _read(row, None, base_url, now)


def list_invitations(
    session: Session, *, actor_id: uuid.UUID, base_url: str
) -> list[InvitationRead]:
    """Every invitation, newest first, each with its status (and its link while pending)."""
    require_admin(session, actor_id=actor_id)
    rows = session.exec(
        select(Invitation, User.email)
        .join(User, col(User.id) == col(Invitation.used_by), isouter=True)
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id))
    ).all()
    now = utcnow()
    return [_read(row, used_by, base_url, now) for row, used_by in rows]


def revoke_invitation(session: Session, *, actor_id: uuid.UUID, invitation_id: str) -> None:
    """Withdraw an invitation that has not been used; NotFound if there is no such one,
    Conflict once it has been used."""
    require_admin(session, actor_id=actor_id)
    row = session.get(Invitation, invitation_id[:64])
    if row is None:
        raise NotFound('No such invitation.')
    if row.used_at is not None:
        raise Conflict('This invitation has already been used.')
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
