"""Admins' routes: people (list, deactivate, admin, delete, reset links) and invitations.

For anyone who is not an active admin every route answers 404, as for an address that does not
exist (services/admin.py decides)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.deps import INVALID, UNAUTHORIZED, CurrentSession, Responses
from api.schemas import (
    AdminDeleteRequest,
    AdminUserUpdate,
    ErrorResponse,
    InvitationCreateRequest,
)
from app.db import session_scope
from services import admin, invitations, password_reset
from services.admin import PersonRead, ResetLink
from services.invitations import InvitationRead

HIDDEN: Responses = {
    404: {'model': ErrorResponse, 'description': 'Not an admin, or no such person / invitation'}
}
REFUSED: Responses = {
    409: {
        'model': ErrorResponse,
        'description': 'Not allowed for yourself, for the last admin, or in this state',
    }
}
router = APIRouter(prefix='/admin', tags=['admin'], responses={**UNAUTHORIZED, **HIDDEN})
InvitationId = Annotated[str, Path(max_length=64, pattern='^[0-9a-f]{1,64}$')]


def _base(request: Request) -> str:
    return password_reset.base_url(str(request.base_url))


@router.get('/users')
def list_users(current: CurrentSession) -> list[PersonRead]:
    """Everyone with an account: created, last seen, live sessions, admin, deactivated."""
    with session_scope() as session:
        return admin.list_people(session, actor_id=current.user.id)


@router.patch('/users/{user_id}', responses={**REFUSED, **INVALID})
def update_user(user_id: uuid.UUID, body: AdminUserUpdate, current: CurrentSession) -> PersonRead:
    """Deactivate or reactivate someone (deactivating ends all their sessions at once), make
    them an admin or no longer one. Not yourself; never the last admin."""
    with session_scope() as session:
        person = None
        if body.deactivated is not None:
            person = admin.set_deactivated(
                session, actor_id=current.user.id, user_id=user_id, deactivated=body.deactivated
            )
        if body.is_admin is not None:
            person = admin.set_admin(
                session, actor_id=current.user.id, user_id=user_id, admin=body.is_admin
            )
        if person is None:
            person = admin.get_person(session, actor_id=current.user.id, user_id=user_id)
        return person


@router.delete(
    '/users/{user_id}', status_code=204, response_class=Response, responses={**REFUSED, **INVALID}
)
def delete_user(user_id: uuid.UUID, body: AdminDeleteRequest, current: CurrentSession) -> Response:
    """Delete someone and everything they own, for good: `confirmation` is their email."""
    with session_scope() as session:
        admin.delete_person(
            session, actor_id=current.user.id, user_id=user_id, confirmation=body.confirmation
        )
    return Response(status_code=204)


@router.post('/users/{user_id}/reset-link', responses=REFUSED)
def reset_link(user_id: uuid.UUID, current: CurrentSession, request: Request) -> ResetLink:
    """A one-time password-reset link to hand to the person (good for
    PASSWORD_RESET_MINUTES, and only until their password changes)."""
    with session_scope() as session:
        return admin.reset_link(
            session, actor_id=current.user.id, user_id=user_id, base_url=_base(request)
        )


@router.post('/invitations', status_code=201, responses={**REFUSED, **INVALID})
def create_invitation(
    body: InvitationCreateRequest, current: CurrentSession, request: Request
) -> InvitationRead:
    """A single-use sign-up link, good for INVITATION_DAYS, optionally for one email only."""
    with session_scope() as session:
        return invitations.create_invitation(
            session, actor_id=current.user.id, base_url=_base(request), email=body.email
        )


@router.get('/invitations')
def list_invitations(current: CurrentSession, request: Request) -> list[InvitationRead]:
    """Every invitation, newest first, with its status and (while pending) its link."""
    with session_scope() as session:
        return invitations.list_invitations(
            session, actor_id=current.user.id, base_url=_base(request)
        )


@router.delete(
    '/invitations/{invitation_id}',
    status_code=204,
    response_class=Response,
    responses={**REFUSED, **INVALID},
)
def revoke_invitation(invitation_id: InvitationId, current: CurrentSession) -> Response:
    """Withdraw an unused invitation: its link stops working at once."""
    with session_scope() as session:
        invitations.revoke_invitation(
            session, actor_id=current.user.id, invitation_id=invitation_id
        )
    return Response(status_code=204)
