"""The signed-in person's lists, the lists shared with them, sharing, and the sidebar overview.

A list nobody shared with you is a 404, exactly like a missing one; a list shared with you
answers what only its owner may do (rename, recolour, reorder, delete, share) with 403, and a
viewer's writes with 403 too. Lists are versioned like tasks:
every list response names its version as `ETag: W/"<version>"`, and PATCH and DELETE honour
`If-Match`. Every account has one Inbox: first, not renamable, not deletable, not movable.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.exceptions import RequestValidationError

from api.deps import (
    INVALID,
    LIST_NOT_FOUND,
    UNAUTHORIZED,
    VIEW_ONLY,
    CurrentSession,
    IfMatch,
    Responses,
    conditional,
    etag_header,
    expected_version,
    tagged,
)
from api.schemas import (
    ErrorResponse,
    ListCreateRequest,
    ListMoveRequest,
    ListPreconditionFailedBody,
    ListUpdateRequest,
    MemberRoleRequest,
    ShareRequest,
)
from app.db import session_scope
from app.errors import InvalidInput
from app.models import ListRead, ListSummary, MemberRead
from services import lists, sharing
from services.lists import Overview

router = APIRouter(tags=['lists'], responses=UNAUTHORIZED)

_ETAG_HEADER = etag_header('list')
CONDITIONAL: Responses = conditional('list', ListPreconditionFailedBody)


@router.get('/lists')
def list_lists(current: CurrentSession) -> list[ListSummary]:
    """All your lists, the Inbox first and then in your order, then the lists others share with
    you (by name; `role` is `editor` or `viewer`), each with `open_count`: how many of its
    tasks are not completed, and for a shared list its `members` (owner first)."""
    with session_scope() as session:
        return lists.list_lists(session, actor_id=current.user.id)


@router.post(
    '/lists',
    status_code=201,
    responses={
        **INVALID,
        409: {'model': ErrorResponse, 'description': f'You already have {lists.MAX_LISTS} lists'},
        201: {'description': 'The new list, last in your order', 'headers': _ETAG_HEADER},
    },
)
def create_list(current: CurrentSession, body: ListCreateRequest, response: Response) -> ListRead:
    """Add a list after your others. The name is trimmed and must then be 1–100 characters."""
    with session_scope() as session:
        created = lists.create_list(
            session, actor_id=current.user.id, name=body.name, colour=body.colour
        )
    response.headers['Location'] = f'/api/lists/{created.id}'
    return tagged(response, created)


@router.get(
    '/lists/{list_id}',
    responses={**LIST_NOT_FOUND, 200: {'description': 'The list', 'headers': _ETAG_HEADER}},
)
def get_list(current: CurrentSession, list_id: int, response: Response) -> ListRead:
    with session_scope() as session:
        found = lists.get_list(session, actor_id=current.user.id, list_id=list_id)
    return tagged(response, found)


@router.patch(
    '/lists/{list_id}',
    responses={
        **LIST_NOT_FOUND,
        **INVALID,
        **VIEW_ONLY,
        **CONDITIONAL,
        200: {'description': 'The list as changed', 'headers': _ETAG_HEADER},
    },
)
def update_list(
    current: CurrentSession,
    list_id: int,
    body: ListUpdateRequest,
    response: Response,
    if_match: IfMatch = None,
) -> ListRead:
    """Rename, recolour or re-sort the list: only the fields you send change (an editor of a
    shared list may re-sort it). Renaming the Inbox is 422 naming `name`. With If-Match, only
    if the list is still at that version."""
    version = expected_version(if_match)
    with session_scope() as session:
        changed = lists.update_list(
            session,
            actor_id=current.user.id,
            list_id=list_id,
            name=body.name,
            colour=body.colour,
            sort=body.sort,
            expected_version=version,
        )
    return tagged(response, changed)


@router.post(
    '/lists/{list_id}/move',
    responses={
        **LIST_NOT_FOUND,
        **INVALID,
        **VIEW_ONLY,
        200: {'description': 'The list where it now is', 'headers': _ETAG_HEADER},
    },
)
def move_list(
    current: CurrentSession, list_id: int, body: ListMoveRequest, response: Response
) -> ListRead:
    """Put the list right before `before_id` or right after `after_id` (another of your lists;
    422 naming the field otherwise), or first after the Inbox. The Inbox itself is not moved
    (422)."""
    try:
        with session_scope() as session:
            moved = lists.move_list(
                session,
                actor_id=current.user.id,
                list_id=list_id,
                before_id=body.before_id,
                after_id=body.after_id,
            )
    except InvalidInput as error:
        if error.field != 'list_id':
            raise
        # The list to move is named in the path, not the body: say so (the Inbox stays first).
        raise RequestValidationError(
            [{'type': 'value_error', 'loc': ('path', 'list_id'), 'msg': error.message}]
        ) from None
    return tagged(response, moved)


TASKS_DOC = (
    'What happens to the tasks still in the list: `delete` deletes them, `move` moves them to '
    'the end of the Inbox in their order. Required when the list has any (409 otherwise).'
)


@router.delete(
    '/lists/{list_id}',
    status_code=204,
    response_class=Response,
    responses={
        **LIST_NOT_FOUND,
        **INVALID,
        **VIEW_ONLY,
        **CONDITIONAL,
        409: {
            'model': ErrorResponse,
            'description': 'The list still has tasks and `tasks` was not given, or it is the Inbox',
        },
    },
)
def delete_list(
    current: CurrentSession,
    list_id: int,
    tasks: Annotated[Literal['delete', 'move'] | None, Query(description=TASKS_DOC)] = None,
    if_match: IfMatch = None,
) -> Response:
    """Delete the list (never the Inbox); with If-Match, only if nobody changed it since."""
    version = expected_version(if_match)
    with session_scope() as session:
        lists.delete_list(
            session,
            actor_id=current.user.id,
            list_id=list_id,
            tasks=tasks,
            expected_version=version,
        )
    return Response(status_code=204)


@router.get('/lists/{list_id}/members', responses=LIST_NOT_FOUND)
def list_members(current: CurrentSession, list_id: int) -> list[MemberRead]:
    """Everyone who has the list: its owner first, then its members by email."""
    with session_scope() as session:
        return sharing.members(session, actor_id=current.user.id, list_id=list_id)


@router.post(
    '/lists/{list_id}/members',
    responses={
        **LIST_NOT_FOUND,
        **INVALID,
        **VIEW_ONLY,
        409: {'model': ErrorResponse, 'description': 'The Inbox, or too many members'},
    },
)
def share_list(current: CurrentSession, list_id: int, body: ShareRequest) -> MemberRead:
    """Share your list with someone who has an account here, by email, as `editor` or
    `viewer`; someone who has it already gets the new role. 422 naming `email` when nobody
    here has that address. Their pages show the list at once."""
    with session_scope() as session:
        return sharing.share_list(
            session, actor_id=current.user.id, list_id=list_id, email=body.email, role=body.role
        )


@router.patch(
    '/lists/{list_id}/members/{user_id}',
    responses={**LIST_NOT_FOUND, **INVALID, **VIEW_ONLY},
)
def change_member(
    current: CurrentSession, list_id: int, user_id: uuid.UUID, body: MemberRoleRequest
) -> MemberRead:
    """Make a member of your list an editor or a viewer."""
    with session_scope() as session:
        return sharing.change_role(
            session, actor_id=current.user.id, list_id=list_id, user_id=user_id, role=body.role
        )


@router.delete(
    '/lists/{list_id}/members/{user_id}',
    status_code=204,
    response_class=Response,
    responses={**LIST_NOT_FOUND, **VIEW_ONLY},
)
def remove_member(current: CurrentSession, list_id: int, user_id: uuid.UUID) -> Response:
    """Stop sharing your list with someone, or leave a list shared with you (your own user
    id). Their tasks there are no longer assigned to them."""
    with session_scope() as session:
        sharing.remove_member(session, actor_id=current.user.id, list_id=list_id, user_id=user_id)
    return Response(status_code=204)


@router.get('/overview')
def overview(current: CurrentSession) -> Overview:
    """What a sidebar shows, in one call: your lists with their open counts, and how many open
    tasks are due today or before (`today`), overdue, due in the next 14 days (`upcoming`),
    and completed; `today_date` is today in your time zone."""
    with session_scope() as session:
        return lists.overview(session, actor_id=current.user.id)
