"""What an admin may do to people: list them, deactivate and reactivate, make and remove admins,
issue a one-time password-reset link, delete someone with all their data.

Every function starts with `require_admin`: for anyone who is not an active admin the whole of
it is NotFound, worded as for an address that does not exist, so nobody learns it is there. An
admin never acts on themselves here (their own account is on the settings page), and there is
always at least one admin: the admins' rows are locked, in one order, by every admin action, so
two admins removing each other at once are serialized and the second finds itself no admin.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Conflict, InvalidInput, NotFound
from app.models import AuthSession, Schema, User, utcnow
from services import account, auth, password_reset

# The same words as for an address nobody serves (api.errors' 404 and NiceGUI's page).
HIDDEN = 'Not Found'
NO_SUCH_PERSON = 'No such person.'


class PersonRead(Schema):
    """One person as the Admin page and `/api/admin/users` list them."""

    id: uuid.UUID
    email: str
    created_at: datetime
    last_seen_at: datetime | None  # the latest activity of any of their sessions
    active_sessions: int  # browser and API sessions that are signed in now
    is_admin: bool
    admin_by_setting: bool  # listed in ADMIN_EMAILS: admin again at their next sign-in
    deactivated: bool
    deactivated_at: datetime | None


class ResetLink(Schema):
    link: str
    expires_at: datetime


def require_admin(session: Session, *, actor_id: uuid.UUID) -> None:
    """NotFound (as for a missing page) unless the actor is an active admin. Locks the admins'
    rows until the unit of work ends, so admin changes happen one after another."""
    admins = session.exec(
        select(User.id)
        .where(col(User.is_admin).is_(True), col(User.deactivated_at).is_(None))
        .order_by(col(User.id))
        .with_for_update()
    ).all()
    if actor_id not in admins:
        raise NotFound(HIDDEN)


def is_admin(session: Session, *, actor_id: uuid.UUID) -> bool:
    """Whether the actor may see the Admin page (no lock: for showing the link)."""
    found = session.exec(
        select(User.id).where(
            col(User.id) == actor_id,
            col(User.is_admin).is_(True),
            col(User.deactivated_at).is_(None),
        )
    ).first()
    return found is not None


def _people(session: Session, *, user_id: uuid.UUID | None = None) -> list[PersonRead]:
    now = utcnow()
    live = (
        col(AuthSession.revoked_at).is_(None)
        & col(AuthSession.pending).is_(False)
        & (col(AuthSession.expires_at) > now)
    )
    last_seen = (
        select(func.max(AuthSession.last_seen_at))
        .where(col(AuthSession.user_id) == col(User.id), col(AuthSession.pending).is_(False))
        .correlate(User)
        .scalar_subquery()
    )
    active = (
        select(func.count())
        .select_from(AuthSession)
        .where(col(AuthSession.user_id) == col(User.id), live)
        .correlate(User)
        .scalar_subquery()
    )
    query = select(User, last_seen, active).order_by(col(User.email))
    if user_id is not None:
        query = query.where(col(User.id) == user_id)
    listed = {email.lower() for email in get_settings().admin_emails}
    people = []
    for user, seen, count in session.exec(query).all():
        people.append(
            PersonRead(
                id=user.id,
                email=user.email,
                created_at=user.created_at,
                last_seen_at=_aware(seen),
                active_sessions=int(count or 0),
                is_admin=user.is_admin,
                admin_by_setting=user.email in listed,
                deactivated=user.deactivated_at is not None,
                deactivated_at=user.deactivated_at,
            )
        )
    return people


def _aware(value: datetime | str | None) -> datetime | None:
    """max() over a column comes back without the column's type (SQLite: naive or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=utcnow().tzinfo)


def list_people(session: Session, *, actor_id: uuid.UUID) -> list[PersonRead]:
    """Everyone with an account, by email."""
    require_admin(session, actor_id=actor_id)
    return _people(session)


def get_person(session: Session, *, actor_id: uuid.UUID, user_id: uuid.UUID) -> PersonRead:
    require_admin(session, actor_id=actor_id)
    found = _people(session, user_id=user_id)
    if not found:
        raise NotFound(NO_SUCH_PERSON)
    return found[0]


def _target(session: Session, actor_id: uuid.UUID, user_id: uuid.UUID, doing: str) -> User:
    require_admin(session, actor_id=actor_id)
    if user_id == actor_id:
        raise Conflict(f'You cannot {doing} yourself here.')
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(NO_SUCH_PERSON)
    return user


def _person(session: Session, user_id: uuid.UUID) -> PersonRead:
    session.flush()
    return _people(session, user_id=user_id)[0]


def set_deactivated(
    session: Session, *, actor_id: uuid.UUID, user_id: uuid.UUID, deactivated: bool
) -> PersonRead:
    """Deactivate someone (every session of theirs ends at once, everywhere; they cannot sign in
    and their API tokens stop working) or reactivate them. Not oneself."""
    user = _target(session, actor_id, user_id, 'deactivate' if deactivated else 'reactivate')
    if deactivated and user.deactivated_at is None:
        session.execute(
            update(User)
            .where(col(User.id) == user_id)
            .values(deactivated_at=utcnow())
            .execution_options(synchronize_session='fetch')
        )
        auth.end_all_sessions(session, user_id=user_id)
    elif not deactivated and user.deactivated_at is not None:
        session.execute(
            update(User)
            .where(col(User.id) == user_id)
            .values(deactivated_at=None)
            .execution_options(synchronize_session='fetch')
        )
    return _person(session, user_id)


def set_admin(
    session: Session, *, actor_id: uuid.UUID, user_id: uuid.UUID, admin: bool
) -> PersonRead:
    """Make someone an admin or no longer one. Not oneself; not someone ADMIN_EMAILS lists (the
    setting would make them admin again); never the last admin."""
    user = _target(session, actor_id, user_id, 'make admin' if admin else 'remove admin from')
    if admin and user.deactivated_at is not None:
        raise Conflict('Reactivate them first.')
    if not admin and auth.listed_admin(user.email):
        raise Conflict('ADMIN_EMAILS lists this address: remove it there first.')
    session.execute(
        update(User)
        .where(col(User.id) == user_id)
        .values(is_admin=admin)
        .execution_options(synchronize_session='fetch')
    )
    _at_least_one_admin(session)
    return _person(session, user_id)


def _at_least_one_admin(session: Session) -> None:
    remaining = session.exec(
        select(func.count())
        .select_from(User)
        .where(col(User.is_admin).is_(True), col(User.deactivated_at).is_(None))
    ).one()
    if not remaining:
        raise Conflict('There must always be at least one admin.')


def delete_person(
    session: Session, *, actor_id: uuid.UUID, user_id: uuid.UUID, confirmation: str
) -> None:
    """Delete someone and everything they own, after the admin typed their email; every
    session of theirs ends and their open pages leave. Not oneself."""
    user = _target(session, actor_id, user_id, 'delete')
    typed = ' '.join((confirmation or '').split()).lower()
    if typed != user.email.lower():
        reason = f'Type their email, {user.email}, to confirm.'
        raise InvalidInput(f'Confirmation: {reason}', field='confirmation', reason=reason)
    account.erase(session, user_id=user_id)
    _at_least_one_admin(session)


def reset_link(
    session: Session, *, actor_id: uuid.UUID, user_id: uuid.UUID, base_url: str
) -> ResetLink:
    """A one-time link (good for PASSWORD_RESET_MINUTES, until the password changes) for the
    admin to hand to someone. For oneself too; not for a deactivated person."""
    require_admin(session, actor_id=actor_id)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(NO_SUCH_PERSON)
    if user.deactivated_at is not None:
        raise Conflict('Reactivate them first.')
    link, expires_at = password_reset.link_for(user, base_url)
    return ResetLink(link=link, expires_at=expires_at)
