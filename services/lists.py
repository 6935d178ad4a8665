"""A person's lists. Every query is scoped to the acting user in SQL; someone else's list is
NotFound, exactly like a missing one. Every account has one Inbox, which cannot go away."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal, cast

from sqlalchemy import Table, and_, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from app.models import (
    INBOX,
    ListCreate,
    ListMember,
    ListRead,
    ListSummary,
    ListUpdate,
    MemberRead,
    Schema,
    Task,
    TaskList,
    User,
    utcnow,
)
from services import access, positions
from services.clock import today_for
from services.events import mark_changed
from services.validation import validated

MAX_LISTS = 300  # a person's lists, Inbox included: enough for anyone, not for a script gone wild
_MAX_ID = 2**31 - 1

_LIST = cast(Table, TaskList.__table__)  # type: ignore[attr-defined]
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]
_MEMBER = cast(Table, ListMember.__table__)  # type: ignore[attr-defined]
_USER = cast(Table, User.__table__)  # type: ignore[attr-defined]
_READ_COLUMNS = [
    _LIST.c.id,
    _LIST.c.name,
    _LIST.c.colour,
    _LIST.c.position,
    _LIST.c.is_inbox,
    _LIST.c.sort,
    _LIST.c.created_at,
    _LIST.c.updated_at,
    _LIST.c.version,
]


class Overview(Schema):
    """What the sidebar shows: the lists with their open counts, and the views' counts."""

    lists: list[ListSummary]
    today: int  # open tasks due today or overdue
    overdue: int
    upcoming: int  # open tasks due in the next 14 days, today included
    completed: int
    today_date: date


def not_found() -> NotFound:
    return access.list_not_found()


def owned(actor_id: uuid.UUID, list_id: int) -> Any:
    """The ownership rule for lists, as SQL: this id, and only if the actor owns it."""
    if not 1 <= list_id <= _MAX_ID:
        raise not_found()
    return and_(_LIST.c.id == list_id, _LIST.c.owner_id == actor_id)


def lock(session: Session, *, actor_id: uuid.UUID, list_id: int) -> uuid.UUID:
    """Take a list the actor may put tasks into (theirs, or one they edit) for this unit of
    work: moves into it then run one at a time (a row lock on PostgreSQL, the write lock on
    SQLite). Returns its owner. NotFound if they may not see it, Forbidden if they only view it."""
    owner_id = access.writable_list(session, actor_id=actor_id, list_id=list_id)
    result = session.connection().execute(
        update(_LIST)
        .where(_LIST.c.id == list_id, _LIST.c.owner_id == owner_id)
        .values(id=_LIST.c.id)
    )
    if result.rowcount == 0:
        raise not_found()
    return owner_id


def inbox_id(session: Session, *, actor_id: uuid.UUID) -> int:
    """The actor's Inbox, created on first need (an account made before lists had one)."""
    connection = session.connection()
    found = connection.execute(
        select(_LIST.c.id).where(_LIST.c.owner_id == actor_id, _LIST.c.is_inbox.is_(True))
    ).scalar()
    if found is not None:
        return int(found)
    now = utcnow()
    try:
        with session.begin_nested():  # a concurrent first use may create it first
            created = connection.execute(
                insert(_LIST)
                .values(
                    owner_id=actor_id,
                    name=INBOX,
                    colour='grey',
                    position=0.0,
                    is_inbox=True,
                    sort='manual',
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .returning(_LIST.c.id)
            ).scalar_one()
    except IntegrityError:
        created = connection.execute(
            select(_LIST.c.id).where(_LIST.c.owner_id == actor_id, _LIST.c.is_inbox.is_(True))
        ).scalar_one()
    return int(created)


def _role(session: Session, actor_id: uuid.UUID, list_id: int, owner_id: uuid.UUID) -> str:
    if owner_id == actor_id:
        return 'owner'
    return next(role for shared, role in access.shared_with(session, actor_id) if shared == list_id)


def get_list(session: Session, *, actor_id: uuid.UUID, list_id: int) -> ListRead:
    """A list the actor may see (theirs or shared with them), with their role in it;
    NotFound for anyone else's."""
    access.check_id(list_id, not_found())
    row = session.connection().execute(
        select(*_READ_COLUMNS, _LIST.c.owner_id).where(
            _LIST.c.id == list_id, access.visible_lists(session, actor_id)
        )
    )
    found = row.first()
    if found is None:
        raise not_found()
    return ListRead.model_validate(
        {**found._mapping, 'role': _role(session, actor_id, list_id, found.owner_id)}
    )


def members_of(session: Session, list_ids: list[int]) -> dict[int, list[MemberRead]]:
    """Everyone who has each of these lists, owner first then members by email; lists that
    nobody shares are left out. Callers check that the actor may see the lists."""
    if not list_ids:
        return {}
    connection = session.connection()
    rows = connection.execute(
        select(_MEMBER.c.list_id, _MEMBER.c.user_id, _USER.c.email, _MEMBER.c.role)
        .join(_USER, _USER.c.id == _MEMBER.c.user_id)
        .where(_MEMBER.c.list_id.in_(list_ids))
        .order_by(_MEMBER.c.list_id, _USER.c.email)
    ).all()
    shared = sorted({row.list_id for row in rows})
    if not shared:
        return {}
    owners = connection.execute(
        select(_LIST.c.id, _LIST.c.owner_id, _USER.c.email)
        .join(_USER, _USER.c.id == _LIST.c.owner_id)
        .where(_LIST.c.id.in_(shared))
    ).all()
    found: dict[int, list[MemberRead]] = {
        row.id: [MemberRead(user_id=row.owner_id, email=row.email, role='owner')] for row in owners
    }
    for row in rows:
        found[row.list_id].append(MemberRead(user_id=row.user_id, email=row.email, role=row.role))
    return found


def list_lists(session: Session, *, actor_id: uuid.UUID) -> list[ListSummary]:
    """The actor's lists, Inbox first then in their order, each with its open-task count;
    then the lists others share with them, by name. Shared lists carry their members."""
    inbox_id(session, actor_id=actor_id)
    connection = session.connection()
    open_counts = (
        select(_TASK.c.list_id, func.count().label('open_count'))
        .where(_TASK.c.owner_id == actor_id, _TASK.c.completed.is_(False))
        .group_by(_TASK.c.list_id)
        .subquery()
    )
    rows = connection.execute(
        select(*_READ_COLUMNS, func.coalesce(open_counts.c.open_count, 0).label('open_count'))
        .select_from(_LIST.outerjoin(open_counts, open_counts.c.list_id == _LIST.c.id))
        .where(_LIST.c.owner_id == actor_id)
        .order_by(_LIST.c.is_inbox.desc(), _LIST.c.position, _LIST.c.id)
    ).all()
    found = [ListSummary.model_validate(row._mapping) for row in rows]
    roles = dict(access.shared_with(session, actor_id))
    if roles:
        theirs_open = (
            select(_TASK.c.list_id, func.count().label('open_count'))
            .where(_TASK.c.list_id.in_(roles), _TASK.c.completed.is_(False))
            .group_by(_TASK.c.list_id)
            .subquery()
        )
        shared_rows = connection.execute(
            select(*_READ_COLUMNS, func.coalesce(theirs_open.c.open_count, 0).label('open_count'))
            .select_from(_LIST.outerjoin(theirs_open, theirs_open.c.list_id == _LIST.c.id))
            .where(_LIST.c.id.in_(roles))
            .order_by(func.lower(_LIST.c.name), _LIST.c.id)
        ).all()
        found += [
            ListSummary.model_validate({**row._mapping, 'role': roles[row.id]})
            for row in shared_rows
        ]
    members = members_of(session, [summary.id for summary in found if not summary.is_inbox])
    for summary in found:
        summary.members = members.get(summary.id, [])
    return found


def overview(session: Session, *, actor_id: uuid.UUID) -> Overview:
    """The sidebar in two queries: the lists with open counts, and the views' counts."""
    lists = list_lists(session, actor_id=actor_id)
    today = today_for(session, actor_id=actor_id)
    from datetime import timedelta

    horizon = today + timedelta(days=14)
    due = _TASK.c.due_date
    is_open = _TASK.c.completed.is_(False)

    def counted(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # Today and Upcoming hold the actor's agenda (their own tasks and what is assigned to them
    # in shared lists); Completed shows every completed task they can see.
    agenda = access.agenda_tasks(session, actor_id)
    visible = access.visible_tasks(session, actor_id)
    row = (
        session.connection()
        .execute(
            select(
                counted(and_(agenda, is_open, due <= today)),
                counted(and_(agenda, is_open, due < today)),
                counted(and_(agenda, is_open, due >= today, due < horizon)),
                counted(_TASK.c.completed.is_(True)),
            ).where(visible)
        )
        .one()
    )
    return Overview(
        lists=lists,
        today=row[0],
        overdue=row[1],
        upcoming=row[2],
        completed=row[3],
        today_date=today,
    )


def create_list(
    session: Session, *, actor_id: uuid.UUID, name: str, colour: str = 'grey'
) -> ListRead:
    """Add a list at the end of the actor's lists; the name is trimmed, 1–100 characters."""
    data: ListCreate = validated(ListCreate, name=name, colour=colour)
    inbox_id(session, actor_id=actor_id)
    count = session.connection().execute(
        select(func.count()).select_from(_LIST).where(_LIST.c.owner_id == actor_id)
    )
    if count.scalar_one() >= MAX_LISTS:
        raise Conflict(f'You already have {MAX_LISTS} lists; delete one to add another.')
    now = utcnow()
    row = session.connection().execute(
        insert(_LIST)
        .values(
            owner_id=actor_id,
            name=data.name,
            colour=data.colour,
            position=positions.last(session, _LIST, [_LIST.c.owner_id == actor_id]),
            is_inbox=False,
            sort='manual',
            created_at=now,
            updated_at=now,
            version=1,
        )
        .returning(*_READ_COLUMNS)
    )
    mark_changed(session, actor_id)
    return ListRead.model_validate(row.one()._mapping)


def _stale_or_gone(session: Session, actor_id: uuid.UUID, list_id: int) -> PreconditionFailed:
    current = get_list(session, actor_id=actor_id, list_id=list_id)  # NotFound when not theirs
    return PreconditionFailed('This list was changed meanwhile.', current=current)


def _write(
    session: Session,
    actor_id: uuid.UUID,
    list_id: int,
    values: dict[str, Any],
    expected_version: int | None,
) -> ListRead:
    """Change a list whose access the caller has checked."""
    condition = _LIST.c.id == list_id
    if expected_version is not None:
        condition = and_(condition, _LIST.c.version == expected_version)
    row = (
        session.connection()
        .execute(
            update(_LIST)
            .where(condition)
            .values(**values, updated_at=utcnow(), version=_LIST.c.version + 1)
            .returning(*_READ_COLUMNS, _LIST.c.owner_id)
        )
        .first()
    )
    if row is None:
        if expected_version is None:
            raise not_found()
        raise _stale_or_gone(session, actor_id, list_id)
    access.announce(session, actor_id=actor_id, list_ids=[list_id])
    return ListRead.model_validate(
        {**row._mapping, 'role': _role(session, actor_id, list_id, row.owner_id)}
    )


def update_list(
    session: Session,
    *,
    actor_id: uuid.UUID,
    list_id: int,
    name: str | None = None,
    colour: str | None = None,
    sort: str | None = None,
    expected_version: int | None = None,
) -> ListRead:
    """Rename, recolour or re-sort the actor's list (the Inbox keeps its name); an editor of a
    shared list may re-sort it, a viewer nothing (Forbidden); NotFound for a list the actor
    cannot see, PreconditionFailed when `expected_version` is no longer current."""
    given = {
        key: value
        for key, value in (('name', name), ('colour', colour), ('sort', sort))
        if value is not None
    }
    changes: ListUpdate = validated(ListUpdate, **given)
    current = get_list(session, actor_id=actor_id, list_id=list_id)
    if current.role == 'viewer' or (
        current.role == 'editor' and (changes.name is not None or changes.colour is not None)
    ):
        raise Forbidden(
            'Only the owner of this list can rename or recolour it.'
            if current.role == 'editor'
            else 'You can view this list but not change it.'
        )
    if changes.name is not None and current.is_inbox and changes.name != current.name:
        raise InvalidInput('The Inbox cannot be renamed.', field='name', reason='cannot be renamed')
    values = changes.model_dump(exclude_none=True)
    if not values:
        if expected_version is not None and current.version != expected_version:
            raise PreconditionFailed('This list was changed meanwhile.', current=current)
        return current
    return _write(session, actor_id, list_id, values, expected_version)


def move_list(
    session: Session,
    *,
    actor_id: uuid.UUID,
    list_id: int,
    before_id: int | None = None,
    after_id: int | None = None,
) -> ListRead:
    """Put the actor's list right before or after another of theirs (first when neither is
    given). The Inbox always stays on top and is not moved."""
    if before_id is not None and after_id is not None:
        raise InvalidInput('Give before_id or after_id, not both.', field='before_id')
    current = get_list(session, actor_id=actor_id, list_id=list_id)
    if current.role != 'owner':
        raise Forbidden('Lists shared with you stay in the order of their names.')
    if current.is_inbox:
        raise InvalidInput('The Inbox always comes first.', field='list_id')
    scope = [_LIST.c.owner_id == actor_id, _LIST.c.is_inbox.is_(False)]
    position = positions.between(
        session, _LIST, scope, moving=list_id, before=before_id, after=after_id
    )
    if position is None:
        field = 'before_id' if before_id is not None else 'after_id'
        raise InvalidInput(
            'That list is not one of yours.', field=field, reason='is not a list of yours'
        )
    return _write(session, actor_id, list_id, {'position': position}, None)


TaskFate = Literal['delete', 'move']


def delete_list(
    session: Session,
    *,
    actor_id: uuid.UUID,
    list_id: int,
    tasks: TaskFate | None = None,
    expected_version: int | None = None,
) -> int:
    """Delete the actor's list (never the Inbox). A list that still has tasks needs a choice:
    `tasks='delete'` deletes them, `tasks='move'` moves them to the Inbox (at its end, in their
    order). Returns how many tasks were deleted or moved."""
    # Take the list first: a move into it then either lands before the count (and is moved or
    # deleted with the rest) or waits and finds the list gone, never cascading away unseen; and
    # the version checked below is the one being deleted.
    access.owned_list(session, actor_id=actor_id, list_id=list_id)
    lock(session, actor_id=actor_id, list_id=list_id)
    current = get_list(session, actor_id=actor_id, list_id=list_id)
    if current.is_inbox:
        raise Conflict('The Inbox cannot be deleted.')
    if expected_version is not None and current.version != expected_version:
        raise PreconditionFailed('This list was changed meanwhile.', current=current)
    connection = session.connection()
    in_list = and_(_TASK.c.list_id == list_id, _TASK.c.owner_id == actor_id)
    count = connection.execute(select(func.count()).select_from(_TASK).where(in_list)).scalar_one()
    if count and tasks is None:
        raise Conflict(
            f'This list has {count} task{"s" if count != 1 else ""}: choose whether to delete '
            'them or move them to the Inbox.'
        )
    if count and tasks == 'move':
        inbox = inbox_id(session, actor_id=actor_id)
        lock(session, actor_id=actor_id, list_id=inbox)
        offset = positions.last(session, _TASK, [_TASK.c.list_id == inbox])
        lowest = connection.execute(select(func.min(_TASK.c.position)).where(in_list)).scalar_one()
        connection.execute(
            update(_TASK)
            .where(in_list)
            .values(
                list_id=inbox,
                position=_TASK.c.position - float(lowest) + offset,
                version=_TASK.c.version + 1,
                updated_at=utcnow(),
            )
        )
    elif count:
        connection.execute(delete(_TASK).where(in_list))
    access.announce(session, actor_id=actor_id, list_ids=[list_id])  # before its members go
    connection.execute(delete(_LIST).where(owned(actor_id, list_id)))
    return int(count)
