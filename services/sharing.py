"""Sharing a list with other people of the deployment: the owner adds them by email as
`editor` (may change the list's tasks) or `viewer` (may only read them), changes their role,
or stops sharing; a member may leave. Who sees what is decided in services/access.py."""

from __future__ import annotations

import uuid
from typing import cast

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Table, delete, func, insert, select, update
from sqlmodel import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.models import Email, ListMember, MemberRead, Task, TaskList, User, utcnow
from services import access, lists

MAX_MEMBERS = 100  # people a list is shared with, besides its owner

_LIST = cast(Table, TaskList.__table__)  # type: ignore[attr-defined]
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]
_MEMBER = cast(Table, ListMember.__table__)  # type: ignore[attr-defined]
_USER = cast(Table, User.__table__)  # type: ignore[attr-defined]

_ROLE_ERROR = 'Role: must be editor or viewer.'
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


def _role(role: str) -> str:
    if role not in access.ROLES:
        raise InvalidInput(_ROLE_ERROR, field='role', reason='must be editor or viewer')
    return role


def members(session: Session, *, actor_id: uuid.UUID, list_id: int) -> list[MemberRead]:
    """Everyone who has a list the actor can see: its owner first, then its members by
    email. NotFound for a list they cannot see."""
    access.list_role(session, actor_id=actor_id, list_id=list_id)
    found = lists.members_of(session, [list_id]).get(list_id)
    if found:
        return found
    owner = (
        session.connection()
        .execute(
            select(_LIST.c.owner_id, _USER.c.email)
            .join(_USER, _USER.c.id == _LIST.c.owner_id)
            .where(_LIST.c.id == list_id)
        )
        .one()
    )
    return [MemberRead(user_id=owner.owner_id, email=owner.email, role='owner')]


def share_list(
    session: Session, *, actor_id: uuid.UUID, list_id: int, email: str, role: str
) -> MemberRead:
    """Share the actor's list with the person who has this email here, in this role (or give
    someone who has it already the new role). Only the owner shares; the Inbox stays private."""
    role = _role(role)
    access.owned_list(session, actor_id=actor_id, list_id=list_id)
    the_list = lists.get_list(session, actor_id=actor_id, list_id=list_id)
    if the_list.is_inbox:
        raise Conflict('The Inbox is yours alone; share another list.')
    address = _email(email)
    person = (
        session.connection()
        .execute(
            select(_USER.c.id, _USER.c.email).where(
                func.lower(_USER.c.email) == address, _USER.c.deactivated_at.is_(None)
            )
        )
        .first()
    )
    if person is None:
        raise InvalidInput(
            'Email: nobody with this email has an account here.',
            field='email',
            reason='nobody with this email has an account here',
        )
    if person.id == actor_id:
        raise InvalidInput(
            'Email: this list is already yours.', field='email', reason='is your own'
        )
    connection = session.connection()
    existing = connection.execute(
        select(_MEMBER.c.role).where(_MEMBER.c.list_id == list_id, _MEMBER.c.user_id == person.id)
    ).first()
    if existing is None:
        count = connection.execute(
            select(func.count()).select_from(_MEMBER).where(_MEMBER.c.list_id == list_id)
        ).scalar_one()
        if count >= MAX_MEMBERS:
            raise Conflict(f'A list can be shared with at most {MAX_MEMBERS} people.')
        connection.execute(
            insert(_MEMBER).values(
                list_id=list_id, user_id=person.id, role=role, created_at=utcnow()
            )
        )
    elif existing.role != role:
        connection.execute(
            update(_MEMBER)
            .where(_MEMBER.c.list_id == list_id, _MEMBER.c.user_id == person.id)
            .values(role=role)
        )
    access.forget_shares(session)
    access.announce(session, actor_id=actor_id, list_ids=[list_id])
    return MemberRead(user_id=person.id, email=person.email, role=cast(access.Role, role))


def change_role(
    session: Session, *, actor_id: uuid.UUID, list_id: int, user_id: uuid.UUID, role: str
) -> MemberRead:
    """The owner makes a member an editor or a viewer. NotFound for someone not a member."""
    role = _role(role)
    access.owned_list(session, actor_id=actor_id, list_id=list_id)
    result = session.connection().execute(
        update(_MEMBER)
        .where(_MEMBER.c.list_id == list_id, _MEMBER.c.user_id == user_id)
        .values(role=role)
    )
    if result.rowcount == 0:
        raise NotFound('No such member of this list.')
    access.forget_shares(session)
    access.announce(session, actor_id=actor_id, list_ids=[list_id])
    email = session.connection().execute(select(_USER.c.email).where(_USER.c.id == user_id))
    return MemberRead(user_id=user_id, email=email.scalar_one(), role=cast(access.Role, role))


def remove_member(
    session: Session, *, actor_id: uuid.UUID, list_id: int, user_id: uuid.UUID
) -> None:
    """The owner stops sharing with someone, or a member leaves. Their assignments in the list
    are cleared. NotFound for a list the actor cannot see or someone not a member of it."""
    role, _ = access.list_role(session, actor_id=actor_id, list_id=list_id)
    if role != 'owner' and user_id != actor_id:
        access.owned_list(session, actor_id=actor_id, list_id=list_id)  # Forbidden
    access.announce(session, actor_id=actor_id, list_ids=[list_id])  # while they still have it
    connection = session.connection()
    result = connection.execute(
        delete(_MEMBER).where(_MEMBER.c.list_id == list_id, _MEMBER.c.user_id == user_id)
    )
    if result.rowcount == 0:
        raise NotFound('No such member of this list.')
    connection.execute(
        update(_TASK)
        .where(_TASK.c.list_id == list_id, _TASK.c.assignee_id == user_id)
        .values(assignee_id=None, version=_TASK.c.version + 1, updated_at=utcnow())
    )
    access.forget_shares(session)


def _email(value: str) -> str:
    try:
        return _EMAIL.validate_python(value)
    except ValidationError as error:
        raise InvalidInput(
            'Email: must be an email address.', field='email', reason='must be an email address'
        ) from error
