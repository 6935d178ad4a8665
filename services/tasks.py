"""Tasks. Every query is scoped to the acting user in SQL, through services/access.py: a
person's own tasks, and those in lists shared with them (to change only as an editor)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any, Final, cast

from sqlalchemy import (
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    not_,
    null,
    or_,
    update,
)
from sqlmodel import Session, select

from app.errors import AppError, InvalidInput, NotFound, PreconditionFailed
from app.models import (
    Task,
    TaskCounts,
    TaskCreate,
    TaskList,
    TaskPage,
    TaskQuery,
    TaskRead,
    TaskSort,
    TaskStatus,
    TaskUpdate,
    User,
    UTCDateTime,
    utcnow,
)
from services import access, clock, lists, positions
from services.validation import validated as _validated


class _Unset:
    """A keyword left out, as opposed to one given as None (which clears a due date)."""

    def __repr__(self) -> str:
        return 'UNSET'


UNSET: Final = _Unset()
UPCOMING_DAYS = 14

_MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
# No zone is a day or more away from UTC, so instants within these days convert in any zone.
_FIRST_TIMED_DAY = date.min + timedelta(days=1)
_LAST_TIMED_DAY = date.max - timedelta(days=1)

# Reads and writes go through SQLAlchemy Core on the table, one statement each, returning the
# columns a TaskRead needs: no ORM instances to build, no flush, and a write is a single atomic
# UPDATE ... RETURNING (so two concurrent toggles cannot both read the same state).
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]
_LIST = cast(Table, TaskList.__table__)  # type: ignore[attr-defined]
_USER = cast(Table, User.__table__)  # type: ignore[attr-defined]
_READ_COLUMNS = [
    _TASK.c.id,
    _TASK.c.list_id,
    _TASK.c.title,
    _TASK.c.description,
    _TASK.c.completed,
    _TASK.c.created_at,
    _TASK.c.updated_at,
    _TASK.c.completed_at,
    _TASK.c.version,
    _TASK.c.position,
    _TASK.c.due_date,
    _TASK.c.due_time,
    _TASK.c.due_at,
    _TASK.c.priority,
    _TASK.c.assignee_id,
]


def _not_found() -> NotFound:
    return NotFound('Task not found.')


def _seen(session: Session, actor_id: uuid.UUID, task_id: int) -> Any:
    """The access rule for reading one task, as SQL: this id, if the actor may see it."""
    if not 1 <= task_id <= _MAX_ID:
        raise _not_found()
    return and_(_TASK.c.id == task_id, access.visible_tasks(session, actor_id))


def _changeable(session: Session, actor_id: uuid.UUID, task_id: int) -> Any:
    """The access rule for changing one task, as SQL: this id, if the actor may change it."""
    if not 1 <= task_id <= _MAX_ID:
        raise _not_found()
    return and_(_TASK.c.id == task_id, access.editable_tasks(session, actor_id))


def _one(session: Session, statement: Any) -> TaskRead:
    row = session.connection().execute(statement).first()
    if row is None:
        raise _not_found()
    return TaskRead.model_validate(row._mapping)


def _due_values(
    session: Session, actor_id: uuid.UUID, due_date: date | None, due_time: time | None
) -> dict[str, Any]:
    """The due columns for a date and an optional wall-clock time in the actor's zone."""
    if due_time is not None and due_date is None:
        raise InvalidInput(
            'Due time: needs a due date.', field='due_time', reason='needs a due date'
        )
    if due_date is None:
        return {'due_date': None, 'due_time': None, 'due_at': None}
    if due_time is None:
        return {'due_date': due_date, 'due_time': None, 'due_at': None}
    due_time = due_time.replace(second=0, microsecond=0, tzinfo=None)
    try:
        instant = clock.due_instant(due_date, due_time, clock.zone_of(session, actor_id=actor_id))
    except OverflowError:
        instant = None
    # A timed due date must stay a valid instant in every zone the person may move to later
    # (set_time_zone converts it), so the first and last day of the calendar take no time.
    if instant is None or not _FIRST_TIMED_DAY <= instant.date() <= _LAST_TIMED_DAY:
        raise InvalidInput(
            'Due date: too far in the past or future for a due time.',
            field='due_date',
            reason='is too far in the past or future for a due time',
        )
    return {'due_date': due_date, 'due_time': due_time, 'due_at': instant}


def _default_list(session: Session, actor_id: uuid.UUID) -> int:
    """Where a task goes when no list is named: the person's default list while it is still
    theirs (a deleted list's id is cleared, but the check costs one indexed read), else the
    Inbox."""
    chosen = (
        session.connection()
        .execute(
            select(_LIST.c.id)
            .select_from(_USER.join(_LIST, _LIST.c.id == _USER.c.default_list_id))
            .where(_USER.c.id == actor_id, _LIST.c.owner_id == actor_id)
        )
        .scalar()
    )
    return int(chosen) if chosen is not None else lists.inbox_id(session, actor_id=actor_id)


def create_task(
    session: Session,
    *,
    actor_id: uuid.UUID,
    title: str,
    description: str = '',
    list_id: int | None = None,
    due_date: date | None = None,
    due_time: time | None = None,
    priority: int = 0,
    assignee_id: uuid.UUID | None = None,
) -> TaskRead:
    """Add a task on top of one of the actor's lists or a list they edit (when none is given,
    their default list, else the Inbox); the title is trimmed and must be 1–200 characters.
    NotFound for a list they cannot see, Forbidden for one they only view. The task belongs to
    the list's owner."""
    data: TaskCreate = _validated(
        TaskCreate,
        title=title,
        description=description,
        due_date=due_date,
        due_time=due_time,
        priority=priority,
    )
    if list_id is None:
        list_id = _default_list(session, actor_id)
    owner_id = lists.lock(session, actor_id=actor_id, list_id=list_id)
    if assignee_id is not None:
        _check_assignee(session, list_id, assignee_id)
    now = utcnow()
    task = _one(
        session,
        insert(_TASK)
        .values(
            owner_id=owner_id,
            assignee_id=assignee_id,
            list_id=list_id,
            position=positions.first(session, _TASK, [_TASK.c.list_id == list_id]),
            title=data.title,
            description=data.description,
            priority=data.priority,
            completed=False,
            created_at=now,
            updated_at=now,
            **_due_values(session, actor_id, data.due_date, data.due_time),
        )
        .returning(*_READ_COLUMNS),
    )
    access.announce(session, actor_id=actor_id, list_ids=[list_id])
    return task


def _check_assignee(session: Session, list_id: int, assignee_id: uuid.UUID) -> None:
    """Only someone who has the list (its owner or a member) may be assigned its tasks."""
    if assignee_id not in access.audience(session, list_ids=[list_id]):
        raise InvalidInput(
            'Assignee: must be someone this list is shared with.',
            field='assignee_id',
            reason='must be someone this list is shared with',
        )


def get_task(session: Session, *, actor_id: uuid.UUID, task_id: int) -> TaskRead:
    """A task the actor may see (theirs, or in a list shared with them); NotFound otherwise."""
    return _one(session, select(*_READ_COLUMNS).where(_seen(session, actor_id, task_id)))


_EMPTY: Any = literal_column("''")  # inline, not a parameter: the planner matches it to the indexes


def _search_filter(q: str) -> Any:
    """Title or description contains `q` (not empty), in any case. Only non-empty text can
    contain it: saying so (as a literal) lets PostgreSQL use its partial trigram indexes."""
    pattern = '%' + q.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
    return or_(
        and_(_TASK.c.title != _EMPTY, _TASK.c.title.ilike(pattern, escape='\\')),
        and_(_TASK.c.description != _EMPTY, _TASK.c.description.ilike(pattern, escape='\\')),
    )


def _conditions(
    session: Session, actor_id: uuid.UUID, query: TaskQuery, *, by_status: bool = True
) -> list[Any]:
    conditions: list[Any] = [access.visible_tasks(session, actor_id)]
    if query.assigned_to_me:
        conditions.append(_TASK.c.assignee_id == actor_id)
    if by_status and query.status == 'active':
        conditions.append(_TASK.c.completed.is_(False))
    elif by_status and query.status == 'completed':
        conditions.append(_TASK.c.completed.is_(True))
    if query.q:
        conditions.append(_search_filter(query.q))
    if query.list_id is not None:
        conditions.append(_TASK.c.list_id == query.list_id)
    if query.due_before is not None:
        conditions.append(_TASK.c.due_date <= query.due_before)
    if query.due_after is not None:
        conditions.append(_TASK.c.due_date >= query.due_after)
    if query.priority is not None:
        conditions.append(_TASK.c.priority == query.priority)
    if query.overdue is not None:
        today = clock.today_for(session, actor_id=actor_id)
        late = and_(_TASK.c.completed.is_(False), _TASK.c.due_date < today)
        conditions.append(late if query.overdue else not_(func.coalesce(late, False)))
    return conditions


def _order(sort: TaskSort | str) -> list[Any]:
    """Open tasks first (in a list's sections), then the chosen order, ties broken by id."""
    if sort == 'completed':  # most recently completed first; open ones after, newest first
        return [
            _TASK.c.completed.desc(),
            _TASK.c.completed_at.desc(),
            _TASK.c.created_at.desc(),
            _TASK.c.id.desc(),
        ]
    head = [_TASK.c.completed]
    if sort == 'due':
        no_date = case((_TASK.c.due_date.is_(None), 1), else_=0)
        no_time = case((_TASK.c.due_time.is_(None), 0), else_=1)
        return [
            *head,
            no_date,
            _TASK.c.due_date,
            no_time,
            _TASK.c.due_time,
            _TASK.c.priority.desc(),
            _TASK.c.position,
            _TASK.c.id,
        ]
    if sort == 'priority':
        return [*head, _TASK.c.priority.desc(), _TASK.c.position, _TASK.c.id]
    if sort == 'manual':
        return [*head, _TASK.c.position, _TASK.c.id]
    return [*head, _TASK.c.created_at.desc(), _TASK.c.id.desc()]


def _sort_for(session: Session, actor_id: uuid.UUID, query: TaskQuery) -> str:
    """The order asked for; else the list's own choice (checking the list is the actor's);
    else newest first, the order the API has always had."""
    if query.list_id is not None:
        chosen = lists.get_list(session, actor_id=actor_id, list_id=query.list_id)
        return query.sort or chosen.sort
    return query.sort or 'newest'


def list_statements(session: Session, actor_id: uuid.UUID, query: TaskQuery) -> tuple[Any, Any]:
    """The page and count queries behind `list_tasks` (also what bench.micro explains)."""
    conditions = _conditions(session, actor_id, query)
    page = (
        select(*_READ_COLUMNS)
        .where(*conditions)
        .order_by(*_order(_sort_for(session, actor_id, query)))
        .limit(query.limit)
        .offset(query.offset)
    )
    return page, select(func.count()).select_from(_TASK).where(*conditions)


def _page(session: Session, actor_id: uuid.UUID, query: TaskQuery, total: int | None) -> TaskPage:
    """A page of rows; counted only when neither `total` nor the page itself tells the total."""
    page_query, count_query = list_statements(session, actor_id, query)
    connection = session.connection()
    rows = connection.execute(page_query).all()
    if total is None:
        if query.offset == 0 and len(rows) < query.limit:
            total = len(rows)  # the whole result is on this page: no need to count again
        else:
            total = connection.execute(count_query).scalar_one()
    return TaskPage(
        items=[TaskRead.model_validate(row._mapping) for row in rows],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


def list_tasks(
    session: Session,
    *,
    actor_id: uuid.UUID,
    status: TaskStatus | str = 'all',
    q: str = '',
    limit: int = 50,
    offset: int = 0,
    list_id: int | None = None,
    due_before: date | None = None,
    due_after: date | None = None,
    overdue: bool | None = None,
    priority: int | None = None,
    sort: TaskSort | str | None = None,
    assigned_to_me: bool | None = None,
) -> TaskPage:
    """A page of the tasks the actor may see (or of one list), incomplete first, then in the
    chosen order (a list's own choice, or newest first across lists), with the total count.
    NotFound for a list the actor cannot see."""
    query: TaskQuery = _validated(
        TaskQuery,
        status=status,
        q=q,
        limit=limit,
        offset=offset,
        list_id=list_id,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        priority=priority,
        sort=sort,
        assigned_to_me=assigned_to_me,
    )
    return _page(session, actor_id, query, None)


def _counts(session: Session, actor_id: uuid.UUID, query: TaskQuery) -> TaskCounts:
    conditions = _conditions(session, actor_id, query, by_status=False)
    done = func.coalesce(func.sum(case((_TASK.c.completed.is_(True), 1), else_=0)), 0)
    total, completed = (
        session.connection()
        .execute(select(func.count(), done).select_from(_TASK).where(*conditions))
        .one()
    )
    return TaskCounts(all=total, active=total - completed, completed=completed)


def count_tasks(
    session: Session, *, actor_id: uuid.UUID, q: str = '', list_id: int | None = None
) -> TaskCounts:
    """How many of the actor's tasks (in one of their lists) match `q`: all, active, completed."""
    query: TaskQuery = _validated(TaskQuery, q=q, list_id=list_id)
    if list_id is not None:
        lists.get_list(session, actor_id=actor_id, list_id=list_id)
    return _counts(session, actor_id, query)


def list_tasks_with_counts(
    session: Session,
    *,
    actor_id: uuid.UUID,
    status: TaskStatus | str = 'all',
    q: str = '',
    limit: int = 50,
    offset: int = 0,
    list_id: int | None = None,
    sort: TaskSort | str | None = None,
    assigned_to_me: bool | None = None,
) -> tuple[TaskPage, TaskCounts]:
    """What a dashboard shows: a page and the per-filter counts, with one count query (the
    page's total is the count for its filter)."""
    query: TaskQuery = _validated(
        TaskQuery,
        status=status,
        q=q,
        limit=limit,
        offset=offset,
        list_id=list_id,
        sort=sort,
        assigned_to_me=assigned_to_me,
    )
    counts = _counts(session, actor_id, query)
    return _page(session, actor_id, query, getattr(counts, query.status)), counts


def due_view(
    session: Session,
    *,
    actor_id: uuid.UUID,
    view: str,
    limit: int = 100,
    offset: int = 0,
) -> tuple[date, TaskPage]:
    """The actor's open tasks for a view, by due date then time then priority, with their
    today: `today` is everything due today or earlier (overdue first); `upcoming` is what is
    due from today through the next 13 days."""
    if view not in ('today', 'upcoming'):
        raise InvalidInput('View: must be today or upcoming.', field='view')
    query: TaskQuery = _validated(TaskQuery, limit=limit, offset=offset)
    today = clock.today_for(session, actor_id=actor_id)
    conditions = [access.agenda_tasks(session, actor_id), _TASK.c.completed.is_(False)]
    if view == 'today':
        conditions.append(_TASK.c.due_date <= today)
    else:
        conditions += [
            _TASK.c.due_date >= today,
            _TASK.c.due_date < today + timedelta(days=UPCOMING_DAYS),
        ]
    connection = session.connection()
    rows = connection.execute(
        select(*_READ_COLUMNS)
        .where(*conditions)
        .order_by(*_order('due'))
        .limit(query.limit)
        .offset(query.offset)
    ).all()
    if query.offset == 0 and len(rows) < query.limit:
        total = len(rows)
    else:
        total = connection.execute(
            select(func.count()).select_from(_TASK).where(*conditions)
        ).scalar_one()
    page = TaskPage(
        items=[TaskRead.model_validate(row._mapping) for row in rows],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )
    return today, page


def _why_not(
    session: Session, actor_id: uuid.UUID, task_id: int, expected_version: int | None
) -> AppError:
    """After a write matched nothing: gone or not the actor's to see is NotFound; in a list
    they only view, Forbidden; else it is at another version, a PreconditionFailed carrying the
    task as it is now."""
    current = get_task(session, actor_id=actor_id, task_id=task_id)  # NotFound when not seen
    editable = (
        session.connection()
        .execute(select(_TASK.c.id).where(_changeable(session, actor_id, task_id)))
        .first()
    )
    if editable is None:
        return access.viewer_forbidden('the tasks of this list')
    if expected_version is None:  # changed between the two reads: still not a silent success
        return _not_found()
    return PreconditionFailed('This task was changed meanwhile.', current=current)


def _target(
    session: Session, actor_id: uuid.UUID, task_id: int, expected_version: int | None
) -> Any:
    condition = _changeable(session, actor_id, task_id)
    if expected_version is not None:
        condition = and_(condition, _TASK.c.version == expected_version)
    return condition


def _write(
    session: Session,
    actor_id: uuid.UUID,
    task_id: int,
    values: dict[str, Any],
    expected_version: int | None,
    also_tell: Sequence[int] = (),
) -> TaskRead:
    # Every write moves the version in the same statement, so a client holding the old one can
    # never overwrite this change unseen.
    statement = (
        update(_TASK)
        .where(_target(session, actor_id, task_id, expected_version))
        .values(**values, version=_TASK.c.version + 1)
        .returning(*_READ_COLUMNS)
    )
    row = session.connection().execute(statement).first()
    if row is None:
        raise _why_not(session, actor_id, task_id, expected_version)
    access.announce(session, actor_id=actor_id, list_ids={row.list_id, *also_tell})
    return TaskRead.model_validate(row._mapping)


def update_task(
    session: Session,
    *,
    actor_id: uuid.UUID,
    task_id: int,
    title: str | None = None,
    description: str | None = None,
    completed: bool | None = None,
    priority: int | None = None,
    due_date: date | _Unset | None = UNSET,
    due_time: time | _Unset | None = UNSET,
    assignee_id: uuid.UUID | _Unset | None = UNSET,
    expected_version: int | None = None,
) -> TaskRead:
    """Change only the given fields of a task the actor may change (a due date, time or
    assignee given as None is cleared; clearing the date clears the time); NotFound for one
    they cannot see, Forbidden in a list they only view, and PreconditionFailed when
    `expected_version` is given and no longer current. An assignee must have the list."""
    given = {
        name: value
        for name, value in (
            ('title', title),
            ('description', description),
            ('completed', completed),
            ('priority', priority),
        )
        if value is not None
    }
    changes: TaskUpdate = _validated(TaskUpdate, **given)
    due: dict[str, Any] = {}
    if not (isinstance(due_date, _Unset) and isinstance(due_time, _Unset)):
        if isinstance(due_date, _Unset):  # a new time on the date the task already has
            due_date = get_task(session, actor_id=actor_id, task_id=task_id).due_date
        if isinstance(due_time, _Unset):
            # a new date keeps the task's time of day; no date at all drops it
            due_time = (
                get_task(session, actor_id=actor_id, task_id=task_id).due_time
                if due_date is not None
                else None
            )
        checked: TaskCreate = _validated(
            TaskCreate, title='x', due_date=due_date, due_time=due_time
        )
        due = _due_values(session, actor_id, checked.due_date, checked.due_time)
    if not isinstance(assignee_id, _Unset):
        due['assignee_id'] = assignee_id
        if assignee_id is not None:
            _check_assignee(
                session, get_task(session, actor_id=actor_id, task_id=task_id).list_id, assignee_id
            )
    if not given and not due:  # nothing to change, but a stale version is still reported
        task = get_task(session, actor_id=actor_id, task_id=task_id)
        if expected_version is not None and task.version != expected_version:
            raise PreconditionFailed('This task was changed meanwhile.', current=task)
        return task
    now = utcnow()
    values: dict[str, Any] = {'updated_at': now, **due}
    if changes.title is not None:
        values['title'] = changes.title
    if changes.description is not None:
        values['description'] = changes.description
    if changes.priority is not None:
        values['priority'] = changes.priority
    if changes.completed is not None:
        values['completed'] = changes.completed
        # completed_at moves only when completion actually changes
        values['completed_at'] = case(
            (_TASK.c.completed == changes.completed, _TASK.c.completed_at),
            else_=literal(now if changes.completed else None, type_=UTCDateTime),
        )
    return _write(session, actor_id, task_id, values, expected_version)


def toggle_task(
    session: Session, *, actor_id: uuid.UUID, task_id: int, expected_version: int | None = None
) -> TaskRead:
    """Flip completion of a task the actor may change, setting or clearing completed_at;
    PreconditionFailed when `expected_version` is given and no longer current."""
    now = utcnow()
    values = {
        'completed': not_(_TASK.c.completed),
        'completed_at': case(
            (_TASK.c.completed.is_(False), literal(now, type_=UTCDateTime)), else_=null()
        ),
        'updated_at': now,
    }
    return _write(session, actor_id, task_id, values, expected_version)


def delete_task(
    session: Session, *, actor_id: uuid.UUID, task_id: int, expected_version: int | None = None
) -> TaskRead:
    """Remove a task the actor may change and return it as it was (what Undo puts back);
    NotFound for one they cannot see, Forbidden in a list they only view, PreconditionFailed
    when `expected_version` is given and no longer current."""
    statement = (
        delete(_TASK)
        .where(_target(session, actor_id, task_id, expected_version))
        .returning(*_READ_COLUMNS)
    )
    row = session.connection().execute(statement).first()
    if row is None:
        raise _why_not(session, actor_id, task_id, expected_version)
    access.announce(session, actor_id=actor_id, list_ids=[row.list_id])
    return TaskRead.model_validate(row._mapping)


def move_task(
    session: Session,
    *,
    actor_id: uuid.UUID,
    task_id: int,
    list_id: int | None = None,
    before_id: int | None = None,
    after_id: int | None = None,
    position: float | None = None,
    expected_version: int | None = None,
) -> TaskRead:
    """Put a task the actor may change into a list they may change (its own when `list_id` is
    None): right before `before_id` or after `after_id` there, at an exact `position` (Undo),
    or on top. Moves into one list run one at a time, so two tabs moving at once end in one
    order. NotFound for a task or list they cannot see, Forbidden where they only view; the
    neighbour must be in the target list. A task moved into someone else's list becomes
    theirs (it belongs to its list's owner), and keeps its assignee only if they have it."""
    if sum(value is not None for value in (before_id, after_id, position)) > 1:
        raise InvalidInput(
            'Give at most one of before_id, after_id and position.', field='before_id'
        )
    task = get_task(session, actor_id=actor_id, task_id=task_id)
    if expected_version is not None and task.version != expected_version:
        raise PreconditionFailed('This task was changed meanwhile.', current=task)
    target = task.list_id if list_id is None else list_id
    if target != task.list_id:  # a viewer's move into their own list is still a change
        access.writable_list(session, actor_id=actor_id, list_id=task.list_id)
    owner_id = lists.lock(session, actor_id=actor_id, list_id=target)
    if position is None:
        position = positions.between(
            session,
            _TASK,
            [_TASK.c.list_id == target],
            moving=task_id,
            before=before_id,
            after=after_id,
        )
        if position is None:
            field = 'before_id' if before_id is not None else 'after_id'
            raise InvalidInput(
                'That task is not in the list.', field=field, reason='is not in that list'
            )
    elif not -1e15 < position < 1e15:
        raise InvalidInput('Position: out of range.', field='position', reason='is out of range')
    values: dict[str, Any] = {
        'list_id': target,
        'owner_id': owner_id,
        'position': float(position),
        'updated_at': utcnow(),
    }
    if (
        target != task.list_id
        and task.assignee_id is not None
        and task.assignee_id not in access.audience(session, list_ids=[target])
    ):
        values['assignee_id'] = None
    return _write(session, actor_id, task_id, values, expected_version, also_tell=[task.list_id])


def clear_completed(
    session: Session, *, actor_id: uuid.UUID, list_id: int | None = None
) -> list[TaskRead]:
    """Delete the completed tasks the actor may change (in one list, or everywhere) and return
    them as they were, for Undo. NotFound for a list they cannot see, Forbidden for one they
    only view."""
    conditions = [access.editable_tasks(session, actor_id), _TASK.c.completed.is_(True)]
    if list_id is not None:
        access.writable_list(session, actor_id=actor_id, list_id=list_id)
        conditions.append(_TASK.c.list_id == list_id)
    rows = (
        session.connection()
        .execute(delete(_TASK).where(*conditions).returning(*_READ_COLUMNS))
        .all()
    )
    if rows:
        access.announce(session, actor_id=actor_id, list_ids={row.list_id for row in rows})
    return [TaskRead.model_validate(row._mapping) for row in rows]


def restore_tasks(
    session: Session, *, actor_id: uuid.UUID, snapshots: Sequence[TaskRead]
) -> list[TaskRead]:
    """Undo a delete: put the actor's deleted tasks back exactly as they were (id, list,
    position, dates), into the Inbox when their list has gone meanwhile or is no longer one
    they may change. A task already back is left as it is.

    The snapshots must be ones a service returned to this actor (a page keeps them in server
    memory); never build them from what a client sends."""
    if not snapshots:
        return []
    connection = session.connection()
    ids = [snapshot.id for snapshot in snapshots]
    present = set(connection.execute(select(_TASK.c.id).where(_TASK.c.id.in_(ids))).scalars())
    wanted_lists = {snapshot.list_id for snapshot in snapshots}
    editing = [shared for shared, role in access.shared_with(session, actor_id) if role == 'editor']
    alive: dict[int, uuid.UUID] = {
        int(row.id): row.owner_id
        for row in connection.execute(
            select(lists._LIST.c.id, lists._LIST.c.owner_id).where(
                lists._LIST.c.id.in_(wanted_lists),
                or_(lists._LIST.c.owner_id == actor_id, lists._LIST.c.id.in_(editing)),
            )
        )
    }
    inbox = None
    restored: list[TaskRead] = []
    for snapshot in snapshots:
        if snapshot.id in present:
            continue
        list_id = snapshot.list_id
        owner_id = alive.get(list_id)
        if owner_id is None:
            inbox = inbox or lists.inbox_id(session, actor_id=actor_id)
            list_id, owner_id = inbox, actor_id
        values = snapshot.model_dump(exclude={'list_id', 'version', 'updated_at'})
        if values['assignee_id'] is not None and values['assignee_id'] not in access.audience(
            session, list_ids=[list_id]
        ):
            values['assignee_id'] = None
        restored.append(
            _one(
                session,
                insert(_TASK)
                .values(
                    **values,
                    owner_id=owner_id,
                    list_id=list_id,
                    version=snapshot.version + 1,
                    updated_at=utcnow(),
                )
                .returning(*_READ_COLUMNS),
            )
        )
    if restored:
        access.announce(session, actor_id=actor_id, list_ids={task.list_id for task in restored})
    return restored
