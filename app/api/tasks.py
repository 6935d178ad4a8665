"""The signed-in person's tasks. Someone else's task is a 404, exactly like a missing one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import NOT_FOUND, UNAUTHORIZED, CurrentSession, Responses
from app.api.schemas import TaskCreateRequest, TaskUpdateRequest
from app.db import session_scope
from app.models import TaskPage, TaskQuery, TaskRead
from services import tasks

router = APIRouter(prefix='/tasks', tags=['tasks'], responses=UNAUTHORIZED)

INVALID: Responses = {422: {'description': 'A field or parameter is invalid'}}


@router.get('', responses=INVALID)
def list_tasks(current: CurrentSession, query: Annotated[TaskQuery, Query()]) -> TaskPage:
    """A page of your tasks: incomplete first, then newest first, optionally filtered by status
    and by text in title or description."""
    with session_scope() as session:
        return tasks.list_tasks(
            session,
            actor_id=current.user.id,
            status=query.status,
            q=query.q,
            limit=query.limit,
            offset=query.offset,
        )


@router.post('', status_code=201, responses=INVALID)
def create_task(current: CurrentSession, body: TaskCreateRequest, response: Response) -> TaskRead:
    """Add a task. The title is trimmed and must then be 1–200 characters."""
    with session_scope() as session:
        task = tasks.create_task(
            session, actor_id=current.user.id, title=body.title, description=body.description
        )
    response.headers['Location'] = f'/api/tasks/{task.id}'
    return task


@router.get('/{task_id}', responses=NOT_FOUND)
def get_task(current: CurrentSession, task_id: int) -> TaskRead:
    with session_scope() as session:
        return tasks.get_task(session, actor_id=current.user.id, task_id=task_id)


@router.patch('/{task_id}', responses={**NOT_FOUND, **INVALID})
def update_task(current: CurrentSession, task_id: int, body: TaskUpdateRequest) -> TaskRead:
    """Change only the fields you send."""
    with session_scope() as session:
        return tasks.update_task(
            session,
            actor_id=current.user.id,
            task_id=task_id,
            title=body.title,
            description=body.description,
            completed=body.completed,
        )


@router.patch('/{task_id}/toggle', responses=NOT_FOUND)
def toggle_task(current: CurrentSession, task_id: int) -> TaskRead:
    """Flip `completed`, setting or clearing `completed_at`."""
    with session_scope() as session:
        return tasks.toggle_task(session, actor_id=current.user.id, task_id=task_id)


@router.delete('/{task_id}', status_code=204, response_class=Response, responses=NOT_FOUND)
def delete_task(current: CurrentSession, task_id: int) -> Response:
    with session_scope() as session:
        tasks.delete_task(session, actor_id=current.user.id, task_id=task_id)
    return Response(status_code=204)
