"""Who may see and change a list and its tasks: the one rule, as SQL, for every list and task
query.

A list belongs to its owner; the owner may share it with other people of the deployment as
`editor` (may change its tasks) or `viewer` (may only read them). Every task belongs to the
owner of its list (`task.owner_id`), so a person's own tasks stay one indexed condition. A row
the actor may not see is NotFound, exactly like a missing one; a row they may see but not
change is Forbidden.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Literal, cast

from sqlalchemy import Table, and_, or_, select, union
from sqlmodel import Session

from app.errors import Forbidden, NotFound
from app.models import ListMember, Task, TaskList
from services.events import mark_changed

Role = Literal['owner', 'editor', 'viewer']
ROLES = ('editor', 'viewer')
_MAX_ID = 2**31 - 1

_LIST = cast(Table, TaskList.__table__)  # type: ignore[attr-defined]
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]
_MEMBER = cast(Table, ListMember.__table__)  # type: ignore[attr-defined]

_SHARED_KEY = 'tasklight.shared_lists'  # per unit of work: {actor_id: [(list_id, role)]}


def list_not_found() -> NotFound:
    return NotFound('List not found.')


def task_not_found() -> NotFound:
    return NotFound('Task not found.')


def viewer_forbidden(what: str = 'this list') -> Forbidden:
    return Forbidden(f'You can view {what} but not change it.')


def check_id(value: int, error: NotFound) -> None:
    if not 1 <= value <= _MAX_ID:
        raise error


def shared_with(session: Session, actor_id: uuid.UUID) -> list[tuple[int, str]]:
    """The lists others share with the actor and the actor's role in each (one indexed read,
    remembered for the rest of the unit of work)."""
    cache: dict[uuid.UUID, list[tuple[int, str]]] = session.info.setdefault(_SHARED_KEY, {})
    found = cache.get(actor_id)
    if found is None:
        rows = session.connection().execute(
            select(_MEMBER.c.list_id, _MEMBER.c.role).where(_MEMBER.c.user_id == actor_id)
        )
        found = cache[actor_id] = [(int(row[0]), str(row[1])) for row in rows]
    return found


def forget_shares(session: Session) -> None:
    """After a change of membership inside this unit of work."""
    session.info.pop(_SHARED_KEY, None)


def visible_tasks(session: Session, actor_id: uuid.UUID) -> Any:
    """The tasks the actor may see: their own, and those in lists shared with them. Someone
    with no shared lists (most people) gets the plain owner condition and its index."""
    shared = [list_id for list_id, _ in shared_with(session, actor_id)]
    if not shared:
        return _TASK.c.owner_id == actor_id
    return or_(_TASK.c.owner_id == actor_id, _TASK.c.list_id.in_(shared))


def agenda_tasks(session: Session, actor_id: uuid.UUID) -> Any:
    """What Today, Upcoming and the calendar of the actor hold: their own tasks, and tasks in
    lists shared with them that are assigned to them (a team list's other work is not theirs
    to do today)."""
    shared = [list_id for list_id, _ in shared_with(session, actor_id)]
    if not shared:
        return _TASK.c.owner_id == actor_id
    return or_(
        _TASK.c.owner_id == actor_id,
        and_(_TASK.c.list_id.in_(shared), _TASK.c.assignee_id == actor_id),
    )


def editable_tasks(session: Session, actor_id: uuid.UUID) -> Any:
    """The tasks the actor may change: their own, and those in lists they edit."""
    editing = [list_id for list_id, role in shared_with(session, actor_id) if role == 'editor']
    if not editing:
        return _TASK.c.owner_id == actor_id
    return or_(_TASK.c.owner_id == actor_id, _TASK.c.list_id.in_(editing))


def visible_lists(session: Session, actor_id: uuid.UUID) -> Any:
    shared = [list_id for list_id, _ in shared_with(session, actor_id)]
    if not shared:
        return _LIST.c.owner_id == actor_id
    return or_(_LIST.c.owner_id == actor_id, _LIST.c.id.in_(shared))


def list_role(session: Session, *, actor_id: uuid.UUID, list_id: int) -> tuple[Role, uuid.UUID]:
    """The actor's role in a list and the list's owner; NotFound when they may not see it."""
    check_id(list_id, list_not_found())
    owner = (
        session.connection().execute(select(_LIST.c.owner_id).where(_LIST.c.id == list_id)).first()
    )
    if owner is None:
        raise list_not_found()
    owner_id = cast(uuid.UUID, owner[0])
    if owner_id == actor_id:
        return 'owner', owner_id
    for shared_id, role in shared_with(session, actor_id):
        if shared_id == list_id:
            return cast(Role, role), owner_id
    raise list_not_found()


def writable_list(session: Session, *, actor_id: uuid.UUID, list_id: int) -> uuid.UUID:
    """The owner of a list the actor may put tasks into; NotFound when they may not see it,
    Forbidden when they only view it."""
    role, owner_id = list_role(session, actor_id=actor_id, list_id=list_id)
    if role == 'viewer':
        raise viewer_forbidden()
    return owner_id


def owned_list(session: Session, *, actor_id: uuid.UUID, list_id: int) -> None:
    """Only the owner changes a list itself (name, colour, order, sharing, deletion): a member
    gets Forbidden, anyone else NotFound."""
    role, _ = list_role(session, actor_id=actor_id, list_id=list_id)
    if role != 'owner':
        raise Forbidden('Only the owner of this list can change that.')


def task_denial(session: Session, *, actor_id: uuid.UUID, task_id: int) -> NotFound | Forbidden:
    """Why a write of a task matched nothing: it is not there for the actor (NotFound) or the
    actor only views its list (Forbidden)."""
    row = (
        session.connection()
        .execute(
            select(_TASK.c.list_id).where(_TASK.c.id == task_id, visible_tasks(session, actor_id))
        )
        .first()
    )
    if row is None:
        return task_not_found()
    return viewer_forbidden('the tasks of this list')


def audience(session: Session, *, list_ids: Iterable[int]) -> set[uuid.UUID]:
    """Everyone whose pages show these lists: their owners and members."""
    ids = sorted(set(list_ids))
    if not ids:
        return set()
    people = union(
        select(_LIST.c.owner_id).where(_LIST.c.id.in_(ids)),
        select(_MEMBER.c.user_id).where(_MEMBER.c.list_id.in_(ids)),
    )
    return set(session.connection().execute(people).scalars())


def announce(session: Session, *, actor_id: uuid.UUID, list_ids: Iterable[int] = ()) -> None:
    """Tell the actor's pages, and every page of the lists' owners and members, once this unit
    of work commits. A list nobody shares costs one indexed read."""
    mark_changed(session, actor_id)
    ids = set(list_ids)
    if not ids:
        return
    for person in audience(session, list_ids=ids) - {actor_id}:
        mark_changed(session, person)
