"""The tasks the signed-in person can see: their own, and those in lists shared with them.
Any other task is a 404, exactly like a missing one; so is any other list, wherever a list id
is sent. A list shared to view only answers a write with 403.

Every task response names its version as a weak `ETag: W/"<version>"`; PATCH, toggle, move and
DELETE honour `If-Match` with that tag, so two clients editing one task never silently overwrite
each other: the stale one gets 412 with the task as it is now. Without `If-Match` the last write
wins.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import (
    INVALID,
    NOT_FOUND,
    TASK_OR_LIST_NOT_FOUND,
    UNAUTHORIZED,
    VIEW_ONLY,
    CurrentSession,
    IfMatch,
    Responses,
    built,
    built_tagged,
    conditional,
    etag_header,
    expected_version,
)
from api.schemas import (
    PreconditionFailedBody,
    TaskCreateRequest,
    TaskMoveRequest,
    TaskUpdateRequest,
)
from app.db import session_scope
from app.models import TaskPage, TaskQuery, TaskRead
from services import tasks

router = APIRouter(prefix='/tasks', tags=['tasks'], responses=UNAUTHORIZED)
_WRITE: Responses = VIEW_ONLY

_ETAG_HEADER = etag_header('task')
CONDITIONAL: Responses = conditional('task', PreconditionFailedBody)
_CHANGED: Responses = {200: {'description': 'The task as changed', 'headers': _ETAG_HEADER}}


@router.get(
    '',
    response_model=TaskPage,
    responses={**INVALID, 404: {'description': '`list_id` is not one of your lists'}},
)
def list_tasks(current: CurrentSession, query: Annotated[TaskQuery, Query()]) -> Response:
    """A page of your tasks and those of lists shared with you, incomplete first. Without
    `sort`: a list's own order when `list_id` is given, otherwise newest first across all of
    them. Filters combine: status, text in title or description, list, due dates (inclusive),
    overdue (open and due before today in your time zone), priority, assigned to you."""
    with session_scope() as session:
        page = tasks.list_tasks(
            session,
            actor_id=current.user.id,
            status=query.status,
            q=query.q,
            limit=query.limit,
            offset=query.offset,
            list_id=query.list_id,
            due_before=query.due_before,
            due_after=query.due_after,
            overdue=query.overdue,
            priority=query.priority,
            sort=query.sort,
            assigned_to_me=query.assigned_to_me,
        )
    return built(page)


@router.post(
    '',
    status_code=201,
    response_model=TaskRead,
    responses={
        **INVALID,
        **_WRITE,
        404: {'description': '`list_id` is not a list you can see'},
        201: {'description': 'The new task', 'headers': _ETAG_HEADER},
    },
)
def create_task(current: CurrentSession, body: TaskCreateRequest) -> Response:
    """Add a task on top of one of your lists or a list you edit (the Inbox when `list_id` is
    left out). The title is trimmed and must then be 1–200 characters; a `due_time` needs a
    `due_date`; an `assignee_id` must be someone who has the list."""
    with session_scope() as session:
        task = tasks.create_task(
            session,
            actor_id=current.user.id,
            title=body.title,
            description=body.description,
            list_id=body.list_id,
            due_date=body.due_date,
            due_time=body.due_time,
            priority=body.priority,
            assignee_id=body.assignee_id,
        )
    return built_tagged(task, status_code=201, headers={'Location': f'/api/tasks/{task.id}'})


@router.get(
    '/{task_id}',
    response_model=TaskRead,
    responses={**NOT_FOUND, 200: {'description': 'The task', 'headers': _ETAG_HEADER}},
)
def get_task(current: CurrentSession, task_id: int) -> Response:
    with session_scope() as session:
        task = tasks.get_task(session, actor_id=current.user.id, task_id=task_id)
    return built_tagged(task)


@router.patch(
    '/{task_id}',
    response_model=TaskRead,
    responses={**NOT_FOUND, **INVALID, **_WRITE, **CONDITIONAL, **_CHANGED},
)
def update_task(
    current: CurrentSession,
    task_id: int,
    body: TaskUpdateRequest,
    if_match: IfMatch = None,
) -> Response:
    """Change only the fields you send (`"due_date": null` clears the due date); with If-Match,
    only if the task is still at that version (412 with the task as it is now otherwise)."""
    version = expected_version(if_match)
    due: dict[str, Any] = {
        name: getattr(body, name)
        for name in ('due_date', 'due_time', 'assignee_id')
        if name in body.model_fields_set
    }
    with session_scope() as session:
        task = tasks.update_task(
            session,
            actor_id=current.user.id,
            task_id=task_id,
            title=body.title,
            description=body.description,
            completed=body.completed,
            priority=body.priority,
            expected_version=version,
            **due,
        )
    return built_tagged(task)


@router.patch(
    '/{task_id}/toggle',
    response_model=TaskRead,
    responses={**NOT_FOUND, **_WRITE, **CONDITIONAL, **_CHANGED},
)
def toggle_task(current: CurrentSession, task_id: int, if_match: IfMatch = None) -> Response:
    """Flip `completed`, setting or clearing `completed_at`; If-Match as for PATCH."""
    version = expected_version(if_match)
    with session_scope() as session:
        task = tasks.toggle_task(
            session, actor_id=current.user.id, task_id=task_id, expected_version=version
        )
    return built_tagged(task)


@router.post(
    '/{task_id}/move',
    response_model=TaskRead,
    responses={
        **TASK_OR_LIST_NOT_FOUND,
        **INVALID,
        **_WRITE,
        **CONDITIONAL,
        200: {'description': 'The task where it now is', 'headers': _ETAG_HEADER},
    },
)
def move_task(
    current: CurrentSession,
    task_id: int,
    body: TaskMoveRequest,
    if_match: IfMatch = None,
) -> Response:
    """Put the task into one of your lists or a list you edit (its own when `list_id` is left
    out): right before `before_id` or right after `after_id` (tasks in that list; 422 naming
    the field otherwise), or on top. A list you cannot see is 404. A task moved into someone
    else's list becomes theirs, and loses an assignee who does not have that list. If-Match
    as for PATCH."""
    version = expected_version(if_match)
    with session_scope() as session:
        task = tasks.move_task(
            session,
            actor_id=current.user.id,
            task_id=task_id,
            list_id=body.list_id,
            before_id=body.before_id,
            after_id=body.after_id,
            expected_version=version,
        )
    return built_tagged(task)


@router.delete(
    '/{task_id}',
    status_code=204,
    response_class=Response,
    responses={**NOT_FOUND, **_WRITE, **CONDITIONAL},
)
def delete_task(current: CurrentSession, task_id: int, if_match: IfMatch = None) -> Response:
    """Delete the task; with If-Match, only if nobody changed it since that version."""
    version = expected_version(if_match)
    with session_scope() as session:
        tasks.delete_task(
            session, actor_id=current.user.id, task_id=task_id, expected_version=version
        )
    return Response(status_code=204)
