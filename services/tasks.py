"""A person's own tasks. Every query is scoped to the acting user in SQL."""

from __future__ import annotations

import uuid
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, and_, case, delete, func, insert, literal, not_, null, or_, update
from sqlmodel import Session, select

from app.errors import InvalidInput, NotFound, PreconditionFailed
from app.models import (
    Task,
    TaskCounts,
    TaskCreate,
    TaskPage,
    TaskQuery,
    TaskRead,
    TaskStatus,
    TaskUpdate,
    UTCDateTime,
    utcnow,
)
from services.events import mark_changed

_MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL

# Reads and writes go through SQLAlchemy Core on the table, one statement each, returning the
# columns a TaskRead needs: no ORM instances to build, no flush, and a write is a single atomic
# UPDATE ... RETURNING (so two concurrent toggles cannot both read the same state).
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]
_READ_COLUMNS = [
    _TASK.c.id,
    _TASK.c.title,
    _TASK.c.description,
    _TASK.c.completed,
    _TASK.c.created_at,
    _TASK.c.updated_at,
    _TASK.c.completed_at,
    _TASK.c.version,
]


def _validated(model: type[Any], **values: Any) -> Any:
    try:
        return model(**values)
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


def _not_found() -> NotFound:
    return NotFound('Task not found.')


def _mine(actor_id: uuid.UUID, task_id: int) -> Any:
    """The ownership rule, as SQL: this id, and only if the actor owns it."""
    if not 1 <= task_id <= _MAX_ID:
        raise _not_found()
    return and_(_TASK.c.id == task_id, _TASK.c.owner_id == actor_id)


def _one(session: Session, statement: Any) -> TaskRead:
    row = session.connection().execute(statement).first()
    if row is None:
        raise _not_found()
    return TaskRead.model_validate(row._mapping)


def create_task(
    session: Session, *, actor_id: uuid.UUID, title: str, description: str = ''
) -> TaskRead:
    """Add a task owned by the actor; the title is trimmed and must be 1–200 characters."""
    data: TaskCreate = _validated(TaskCreate, title=title, description=description)
    now = utcnow()
    task = _one(
        session,
        insert(_TASK)
        .values(
            owner_id=actor_id,
            title=data.title,
            description=data.description,
            completed=False,
            created_at=now,
            updated_at=now,
        )
        .returning(*_READ_COLUMNS),
    )
    mark_changed(session, actor_id)
    return task


def get_task(session: Session, *, actor_id: uuid.UUID, task_id: int) -> TaskRead:
    """One of the actor's tasks; NotFound for anyone else's."""
    return _one(session, select(*_READ_COLUMNS).where(_mine(actor_id, task_id)))


def _search_filter(q: str) -> Any:
    pattern = '%' + q.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
    return or_(
        _TASK.c.title.ilike(pattern, escape='\\'),
        _TASK.c.description.ilike(pattern, escape='\\'),
    )


def _conditions(actor_id: uuid.UUID, query: TaskQuery, *, by_status: bool = True) -> list[Any]:
    conditions: list[Any] = [_TASK.c.owner_id == actor_id]
    if by_status and query.status == 'active':
        conditions.append(_TASK.c.completed.is_(False))
    elif by_status and query.status == 'completed':
        conditions.append(_TASK.c.completed.is_(True))
    if query.q:
        conditions.append(_search_filter(query.q))
    return conditions


def list_statements(actor_id: uuid.UUID, query: TaskQuery) -> tuple[Any, Any]:
    """The page and count queries behind `list_tasks` (also what bench.micro explains)."""
    conditions = _conditions(actor_id, query)
    page = (
        select(*_READ_COLUMNS)
        .where(*conditions)
        .order_by(_TASK.c.completed, _TASK.c.created_at.desc(), _TASK.c.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    return page, select(func.count()).select_from(_TASK).where(*conditions)


def _page(session: Session, actor_id: uuid.UUID, query: TaskQuery, total: int | None) -> TaskPage:
    """A page of rows; counted only when neither `total` nor the page itself tells the total."""
    page_query, count_query = list_statements(actor_id, query)
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
) -> TaskPage:
    """A page of the actor's tasks, incomplete first, then newest first, with the total count."""
    query: TaskQuery = _validated(TaskQuery, status=status, q=q, limit=limit, offset=offset)
    return _page(session, actor_id, query, None)


def _counts(session: Session, actor_id: uuid.UUID, query: TaskQuery) -> TaskCounts:
    conditions = _conditions(actor_id, query, by_status=False)
    done = func.coalesce(func.sum(case((_TASK.c.completed.is_(True), 1), else_=0)), 0)
    total, completed = (
        session.connection()
        .execute(select(func.count(), done).select_from(_TASK).where(*conditions))
        .one()
    )
    return TaskCounts(all=total, active=total - completed, completed=completed)


def count_tasks(session: Session, *, actor_id: uuid.UUID, q: str = '') -> TaskCounts:
    """How many of the actor's tasks match `q`: all, active and completed."""
    return _counts(session, actor_id, _validated(TaskQuery, q=q))


def list_tasks_with_counts(
    session: Session,
    *,
    actor_id: uuid.UUID,
    status: TaskStatus | str = 'all',
    q: str = '',
    limit: int = 50,
    offset: int = 0,
) -> tuple[TaskPage, TaskCounts]:
    """What a dashboard shows: a page and the per-filter counts, with one count query (the
    page's total is the count for its filter)."""
    query: TaskQuery = _validated(TaskQuery, status=status, q=q, limit=limit, offset=offset)
    counts = _counts(session, actor_id, query)
    return _page(session, actor_id, query, getattr(counts, query.status)), counts


def _stale_or_gone(session: Session, actor_id: uuid.UUID, task_id: int) -> PreconditionFailed:
    """After a versioned write matched nothing: the actor's task at another version is a
    PreconditionFailed carrying it as it is now; gone or someone else's is NotFound."""
    current = get_task(session, actor_id=actor_id, task_id=task_id)  # NotFound when not theirs
    return PreconditionFailed('This task was changed meanwhile.', current=current)


def _target(actor_id: uuid.UUID, task_id: int, expected_version: int | None) -> Any:
    condition = _mine(actor_id, task_id)
    if expected_version is not None:
        condition = and_(condition, _TASK.c.version == expected_version)
    return condition


def _write(
    session: Session,
    actor_id: uuid.UUID,
    task_id: int,
    values: dict[str, Any],
    expected_version: int | None,
) -> TaskRead:
    # Every write moves the version in the same statement, so a client holding the old one can
    # never overwrite this change unseen.
    statement = (
        update(_TASK)
        .where(_target(actor_id, task_id, expected_version))
        .values(**values, version=_TASK.c.version + 1)
        .returning(*_READ_COLUMNS)
    )
    row = session.connection().execute(statement).first()
    if row is None:
        if expected_version is None:
            raise _not_found()
        raise _stale_or_gone(session, actor_id, task_id)
    mark_changed(session, actor_id)
    return TaskRead.model_validate(row._mapping)


def update_task(
    session: Session,
    *,
    actor_id: uuid.UUID,
    task_id: int,
    title: str | None = None,
    description: str | None = None,
    completed: bool | None = None,
    expected_version: int | None = None,
) -> TaskRead:
    """Change only the given fields of the actor's task; NotFound for anyone else's, and
    PreconditionFailed when `expected_version` is given and no longer current."""
    given = {
        name: value
        for name, value in (
            ('title', title),
            ('description', description),
            ('completed', completed),
        )
        if value is not None
    }
    changes: TaskUpdate = _validated(TaskUpdate, **given)
    if not given:  # nothing to change, but a stale version is still reported as stale
        task = get_task(session, actor_id=actor_id, task_id=task_id)
        if expected_version is not None and task.version != expected_version:
            raise PreconditionFailed('This task was changed meanwhile.', current=task)
        return task
    now = utcnow()
    values: dict[str, Any] = {'updated_at': now}
    if changes.title is not None:
        values['title'] = changes.title
    if changes.description is not None:
        values['description'] = changes.description
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
    """Flip completion of the actor's own task, setting or clearing completed_at;
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
) -> None:
    """Remove the actor's own task; NotFound for anyone else's, PreconditionFailed when
    `expected_version` is given and no longer current."""
    statement = delete(_TASK).where(_target(actor_id, task_id, expected_version))
    result = session.connection().execute(statement)
    if result.rowcount == 0:
        if expected_version is None:
            raise _not_found()
        raise _stale_or_gone(session, actor_id, task_id)
    mark_changed(session, actor_id)
