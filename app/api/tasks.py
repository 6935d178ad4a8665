"""The signed-in person's tasks. Someone else's task is a 404, exactly like a missing one.

Every task response names its version as a weak `ETag: W/"<version>"`; PATCH, toggle and DELETE
honour `If-Match` with that tag, so two clients editing one task never silently overwrite each
other: the stale one gets 412 with the task as it is now. Without `If-Match` the last write wins.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel

from app.api.deps import NOT_FOUND, UNAUTHORIZED, CurrentSession, Responses
from app.api.schemas import TaskCreateRequest, TaskUpdateRequest
from app.db import session_scope
from app.errors import AppError
from app.models import TaskPage, TaskQuery, TaskRead
from services import tasks

router = APIRouter(prefix='/tasks', tags=['tasks'], responses=UNAUTHORIZED)

INVALID: Responses = {422: {'description': 'A field or parameter is invalid'}}
_ETAG_HEADER = {
    'ETag': {
        'description': 'The task\'s version as a weak tag, `W/"<version>"`: send it back in '
        '`If-Match` to change the task only if nobody changed it since',
        'schema': {'type': 'string'},
    }
}
_MAX_VERSION = 2**31 - 1  # the version column is a 32-bit integer on PostgreSQL


class PreconditionFailedBody(BaseModel):
    detail: str
    current: TaskRead


class BadIfMatchBody(BaseModel):
    detail: str


CONDITIONAL: Responses = {
    400: {
        'model': BadIfMatchBody,
        'description': 'If-Match is not `W/"<version>"`, `"<version>"` or `*`',
    },
    412: {
        'model': PreconditionFailedBody,
        'description': 'If-Match names a version that is no longer current; `current` is the '
        'task as it is now (its ETag is `W/"<current.version>"`)',
    },
}
IF_MATCH_DOC = (
    'Change the task only if it is still at this version: `W/"<version>"` or `"<version>"` '
    'from an ETag, or `*` for any. Without it the last write wins.'
)
IfMatch = Annotated[str | None, Header(alias='If-Match', description=IF_MATCH_DOC)]


class BadIfMatch(AppError):
    status_code = 400
    default_message = 'If-Match must be W/"<version>", "<version>" or *.'


_TAG = re.compile(r'(?:W/)?"([0-9]{1,10})"')


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header names; None for no header or `*` (any version).

    A list of tags or anything else is refused (400) rather than guessed at: a client that
    sends If-Match means to be careful, so a typo must not quietly turn into "any version"."""
    if if_match is None or if_match.strip() == '*':
        return None
    match = _TAG.fullmatch(if_match.strip())
    if match is None or not 1 <= int(match.group(1)) <= _MAX_VERSION:
        raise BadIfMatch()
    return int(match.group(1))


def _tagged(response: Response, task: TaskRead) -> TaskRead:
    response.headers['ETag'] = f'W/"{task.version}"'
    return task


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


@router.post(
    '',
    status_code=201,
    responses={**INVALID, 201: {'description': 'The new task', 'headers': _ETAG_HEADER}},
)
def create_task(current: CurrentSession, body: TaskCreateRequest, response: Response) -> TaskRead:
    """Add a task. The title is trimmed and must then be 1–200 characters."""
    with session_scope() as session:
        task = tasks.create_task(
            session, actor_id=current.user.id, title=body.title, description=body.description
        )
    response.headers['Location'] = f'/api/tasks/{task.id}'
    return _tagged(response, task)


@router.get(
    '/{task_id}',
    responses={**NOT_FOUND, 200: {'description': 'The task', 'headers': _ETAG_HEADER}},
)
def get_task(current: CurrentSession, task_id: int, response: Response) -> TaskRead:
    with session_scope() as session:
        task = tasks.get_task(session, actor_id=current.user.id, task_id=task_id)
    return _tagged(response, task)


@router.patch(
    '/{task_id}',
    responses={
        **NOT_FOUND,
        **INVALID,
        **CONDITIONAL,
        200: {'description': 'The task as changed', 'headers': _ETAG_HEADER},
    },
)
def update_task(
    current: CurrentSession,
    task_id: int,
    body: TaskUpdateRequest,
    response: Response,
    if_match: IfMatch = None,
) -> TaskRead:
    """Change only the fields you send; with If-Match, only if the task is still at that
    version (412 with the task as it is now otherwise)."""
    version = expected_version(if_match)
    with session_scope() as session:
        task = tasks.update_task(
            session,
            actor_id=current.user.id,
            task_id=task_id,
            title=body.title,
            description=body.description,
            completed=body.completed,
            expected_version=version,
        )
    return _tagged(response, task)


@router.patch(
    '/{task_id}/toggle',
    responses={
        **NOT_FOUND,
        **CONDITIONAL,
        200: {'description': 'The task as changed', 'headers': _ETAG_HEADER},
    },
)
def toggle_task(
    current: CurrentSession, task_id: int, response: Response, if_match: IfMatch = None
) -> TaskRead:
    """Flip `completed`, setting or clearing `completed_at`; If-Match as for PATCH."""
    version = expected_version(if_match)
    with session_scope() as session:
        task = tasks.toggle_task(
            session, actor_id=current.user.id, task_id=task_id, expected_version=version
        )
    return _tagged(response, task)


@router.delete(
    '/{task_id}',
    status_code=204,
    response_class=Response,
    responses={**NOT_FOUND, **CONDITIONAL},
)
def delete_task(current: CurrentSession, task_id: int, if_match: IfMatch = None) -> Response:
    """Delete the task; with If-Match, only if nobody changed it since that version."""
    version = expected_version(if_match)
    with session_scope() as session:
        tasks.delete_task(
            session, actor_id=current.user.id, task_id=task_id, expected_version=version
        )
    return Response(status_code=204)
