"""A person's own tasks. Every query is scoped to the acting user in SQL."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import case, delete, func, or_
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.models import (
    Task,
    TaskCounts,
    TaskCreate,
    TaskPage,
    TaskQuery,
    TaskRead,
    TaskStatus,
    TaskUpdate,
    utcnow,
)
from services.events import mark_changed

_MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


def _validated(model: type[Any], **values: Any) -> Any:
    try:
        return model(**values)
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


def _owned(session: Session, *, actor_id: uuid.UUID, task_id: int, lock: bool = False) -> Task:
    """The actor's task with this id. Anyone else's is NotFound: its existence is not revealed."""
    if not 1 <= task_id <= _MAX_ID:
        raise NotFound('Task not found.')
    query = select(Task).where(Task.id == task_id, Task.owner_id == actor_id)
    if lock:  # two concurrent toggles must not both read the same state
        query = query.with_for_update()
    task = session.exec(query).first()
    if task is None:
        raise NotFound('Task not found.')
    return task


def _touch(session: Session, task: Task) -> TaskRead:
    session.add(task)
    session.flush()
    mark_changed(session, task.owner_id)
    return TaskRead.model_validate(task)


def create_task(
    session: Session, *, actor_id: uuid.UUID, title: str, description: str = ''
) -> TaskRead:
    """Add a task owned by the actor; the title is trimmed and must be 1–200 characters."""
    data: TaskCreate = _validated(TaskCreate, title=title, description=description)
    now = utcnow()
    task = Task(
        owner_id=actor_id,
        title=data.title,
        description=data.description,
        created_at=now,
        updated_at=now,
    )
    return _touch(session, task)


def get_task(session: Session, *, actor_id: uuid.UUID, task_id: int) -> TaskRead:
    """One of the actor's tasks; NotFound for anyone else's."""
    return TaskRead.model_validate(_owned(session, actor_id=actor_id, task_id=task_id))


def _search_filter(q: str) -> Any:
    pattern = '%' + q.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
    return or_(
        col(Task.title).ilike(pattern, escape='\\'),
        col(Task.description).ilike(pattern, escape='\\'),
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
    conditions: list[Any] = [Task.owner_id == actor_id]
    if query.status == 'active':
        conditions.append(col(Task.completed).is_(False))
    elif query.status == 'completed':
        conditions.append(col(Task.completed).is_(True))
    if query.q:
        conditions.append(_search_filter(query.q))
    rows = session.exec(
        select(Task)
        .where(*conditions)
        .order_by(col(Task.completed), col(Task.created_at).desc(), col(Task.id).desc())
        .limit(query.limit)
        .offset(query.offset)
    ).all()
    if query.offset == 0 and len(rows) < query.limit:
        total = len(rows)  # the whole result is on this page: no need to count again
    else:
        total = session.exec(select(func.count()).select_from(Task).where(*conditions)).one()
    return TaskPage(
        items=[TaskRead.model_validate(row) for row in rows],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


def count_tasks(session: Session, *, actor_id: uuid.UUID, q: str = '') -> TaskCounts:
    """How many of the actor's tasks match `q`: all, active and completed."""
    query: TaskQuery = _validated(TaskQuery, q=q)
    conditions: list[Any] = [Task.owner_id == actor_id]
    if query.q:
        conditions.append(_search_filter(query.q))
    done = func.coalesce(func.sum(case((col(Task.completed).is_(True), 1), else_=0)), 0)
    total, completed = session.exec(
        select(func.count(), done).select_from(Task).where(*conditions)
    ).one()
    return TaskCounts(all=total, active=total - completed, completed=completed)


def _set_completed(task: Task, completed: bool) -> None:
    if completed != task.completed:
        task.completed = completed
        task.completed_at = utcnow() if completed else None


def update_task(
    session: Session,
    *,
    actor_id: uuid.UUID,
    task_id: int,
    title: str | None = None,
    description: str | None = None,
    completed: bool | None = None,
) -> TaskRead:
    """Change only the given fields of the actor's task; NotFound for anyone else's."""
    values = {
        name: value
        for name, value in (
            ('title', title),
            ('description', description),
            ('completed', completed),
        )
        if value is not None
    }
    changes: TaskUpdate = _validated(TaskUpdate, **values)
    task = _owned(session, actor_id=actor_id, task_id=task_id, lock=bool(values))
    if not values:
        return TaskRead.model_validate(task)  # nothing asked to change: no write, no event
    if changes.title is not None:
        task.title = changes.title
    if changes.description is not None:
        task.description = changes.description
    if changes.completed is not None:
        _set_completed(task, changes.completed)
    task.updated_at = utcnow()
    return _touch(session, task)


def toggle_task(session: Session, *, actor_id: uuid.UUID, task_id: int) -> TaskRead:
    """Flip completion of the actor's own task, setting or clearing completed_at."""
    task = _owned(session, actor_id=actor_id, task_id=task_id, lock=True)
    _set_completed(task, not task.completed)
    task.updated_at = utcnow()
    return _touch(session, task)


def delete_task(session: Session, *, actor_id: uuid.UUID, task_id: int) -> None:
    """Remove the actor's own task; NotFound for anyone else's."""
    if not 1 <= task_id <= _MAX_ID:
        raise NotFound('Task not found.')
    result = session.execute(
        delete(Task).where(col(Task.id) == task_id, col(Task.owner_id) == actor_id)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound('Task not found.')
    mark_changed(session, actor_id)
