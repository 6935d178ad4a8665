"""/admin: the people of this deployment and the invitations to join it, for admins only.

For anyone else (signed out, or signed in and no admin) the address answers exactly as one that
does not exist. Every action is a service call as the signed-in admin (services/admin.py checks
again each time); the tab leaves when its sign-in ends, and shows "not found" once its person is
no admin any more."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from nicegui import Client, app, run, ui
from nicegui.elements.mixins.text_element import TextElement
from starlette.exceptions import HTTPException

from app.config import get_settings
from app.errors import AppError, InvalidInput, NotAuthenticated, NotFound
from app.models import SessionInfo
from components.admin import DeletePersonDialog, invitation_row, link_dialog, person_row
from components.frame import page_frame
from components.settings import form_error, section
from pages.common import COOKIE, leave_ended_session, show_error, sign_out_browser, signed_in
from services import account, admin, auth, clock, invitations, password_reset, uow
from services.admin import PersonRead
from services.events import session_ends
from services.invitations import InvitationRead

R = TypeVar('R')
REFRESH_SECONDS = 30  # sessions and sign-ins elsewhere show up within this


@dataclass
class Snapshot:
    people: list[PersonRead]
    invitations: list[InvitationRead]
    theme: str


def _read(session: Any, *, actor_id: uuid.UUID, base_url: str) -> Snapshot:
    return Snapshot(
        people=admin.list_people(session, actor_id=actor_id),
        invitations=invitations.list_invitations(session, actor_id=actor_id, base_url=base_url),
        theme=account.get_account(session, actor_id=actor_id).theme,
    )


async def not_found(request: Request) -> Response:
    """The answer of an address nobody serves (pages/errors.py's 404 page, through api.errors)."""
    handler = app.exception_handlers[404]
    response: Response = await handler(request, HTTPException(status_code=404))  # type: ignore[misc]
    return response


class AdminPage:
    """One tab's Admin page for one signed-in admin."""

    def __init__(self, *, info: SessionInfo, token: str, base_url: str) -> None:
        self.info = info
        self.token = token
        self.base_url = password_reset.base_url(base_url)
        self.user_id = info.user.id
        self.client: Client = ui.context.client
        self.zone = clock.zone(info.user.time_zone)

    async def as_admin(self, fn: Callable[..., R], /, **kwargs: Any) -> R:
        outcome = await run.io_bound(uow.call_as_browser, self.token, fn, **kwargs)
        if outcome is None:  # NiceGUI is shutting down
            raise asyncio.CancelledError
        return outcome[1]

    async def act(self, fn: Callable[..., R], /, **kwargs: Any) -> tuple[bool, R | None]:
        """(succeeded, result). An ended sign-in leaves; no admin any more: off to the tasks."""
        try:
            return True, await self.as_admin(fn, **kwargs)
        except NotAuthenticated:
            self.leave('/login?reason=expired')
        except NotFound as error:
            if error.message == admin.HIDDEN:
                self.leave('/tasks')
            else:
                self._notify(error)
                await self.refresh()
        except AppError as error:
            self._notify(error)
        return False, None

    def _notify(self, error: AppError) -> None:
        if not self.client.is_deleted:
            with self.client:
                show_error(error)

    def leave(self, target: str) -> None:
        if not self.client.is_deleted:
            with self.client:
                ui.navigate.to(target)

    # ---------------------------------------------------------------- building

    async def build(self, first: Snapshot) -> None:
        with page_frame(
            email=self.info.user.email,
            on_sign_out=self.sign_out,
            admin=True,
            theme=first.theme,
            on_theme=self.set_theme,
        ):
            self.dialogs = ui.element('div').classes('hidden')
            TextElement(tag='h1', text='Admin').classes('text-2xl font-semibold tracking-tight m-0')
            with section(
                'People',
                'Everyone with an account. Deactivating someone signs them out everywhere at once.',
                'people-section',
            ):
                self.people_box = ui.column().classes('w-full gap-0')
            with section(
                'Invitations',
                self._invitation_hint(),
                'invitations-section',
            ):
                with ui.row().classes('w-full items-start no-wrap gap-2'):
                    self.invite_email = (
                        ui.input('Email (optional)')
                        .props('outlined dense type=email autocomplete=off maxlength=320')
                        .classes('flex-1 min-w-0')
                        .mark('invite-email')
                    )
                    ui.button('Create invitation', on_click=self.create_invitation).props(
                        'unelevated no-caps'
                    ).mark('create-invitation')
                self.invite_error = form_error('invite-error')
                self.invitations_box = ui.column().classes('w-full gap-0')
        self.show(first)
        self.client.on_delete(session_ends.subscribe(self.info.session_id, self._ended))
        with self.client.layout:
            # Not at once: the page was just built from a fresh read, and rebuilding the rows as it
            # connects would swallow a click on a button that is being replaced.
            ui.timer(REFRESH_SECONDS, self.refresh, immediate=False)

    async def set_theme(self, theme: str) -> bool:
        ok, _ = await self.act(account.update_settings, theme=theme)
        return ok

    @staticmethod
    def _invitation_hint() -> str:
        mode = get_settings().registration
        if mode == 'invite':
            return 'New people join only with an invitation link: single-use, and it expires.'
        if mode == 'closed':
            return 'Registration is closed (REGISTRATION=closed): invitation links do not work.'
        return 'Anyone may sign up (REGISTRATION=open); an invitation link is not needed.'

    def _ended(self, _: uuid.UUID) -> None:
        if not self.client.is_deleted:
            with self.client:
                leave_ended_session()

    def show(self, data: Snapshot) -> None:
        self.data = data
        self.people_box.clear()
        with self.people_box:
            for person in data.people:
                person_row(
                    person,
                    me=person.id == self.user_id,
                    zone=self.zone,
                    on_deactivate=self.toggle_active,
                    on_admin=self.toggle_admin,
                    on_reset_link=self.reset_link,
                    on_delete=self.open_delete,
                )
        self.invitations_box.clear()
        with self.invitations_box:
            if not data.invitations:
                ui.label('No invitations yet.').classes('text-sm text-slate-500 py-2')
            for invitation in data.invitations:
                invitation_row(
                    invitation, zone=self.zone, on_copy=self.copy_invitation, on_revoke=self.revoke
                )

    async def refresh(self) -> None:
        ok, data = await self.act(_read, base_url=self.base_url)
        if ok and data is not None and not self.client.is_deleted and data != self.data:
            with self.client:  # unchanged: the rows stay, and so does focus on one of them
                self.show(data)

    # ---------------------------------------------------------------- people

    async def toggle_active(self, person: PersonRead) -> None:
        ok, _ = await self.act(
            admin.set_deactivated, user_id=person.id, deactivated=not person.deactivated
        )
        if ok:
            done = 'reactivated' if person.deactivated else 'deactivated and signed out everywhere'
            self._done(f'{person.email} {done}.')
        await self.refresh()

    async def toggle_admin(self, person: PersonRead) -> None:
        ok, _ = await self.act(admin.set_admin, user_id=person.id, admin=not person.is_admin)
        if ok:
            done = 'is no longer an admin' if person.is_admin else 'is now an admin'
            self._done(f'{person.email} {done}.')
        await self.refresh()

    async def reset_link(self, person: PersonRead) -> None:
        ok, issued = await self.act(admin.reset_link, user_id=person.id, base_url=self.base_url)
        if not ok or issued is None or self.client.is_deleted:
            return
        minutes = get_settings().password_reset_minutes
        with self.client, self.dialogs:
            dialog = link_dialog(
                title=f'Password reset link for {person.email}',
                hint=f'Give it to them yourself. It works once, for {minutes} minutes, and '
                'setting a new password with it signs them out everywhere.',
                link=issued.link,
                on_copy=self.copy,
            )
            dialog.on('hide', dialog.delete)
            dialog.open()

    def open_delete(self, person: PersonRead) -> None:
        async def delete(confirmation: str) -> str | None:
            try:
                await self.as_admin(
                    admin.delete_person, user_id=person.id, confirmation=confirmation
                )
            except InvalidInput as caught:
                return caught.reason
            except NotAuthenticated:
                self.leave('/login?reason=expired')
                return None
            except AppError as caught:
                return caught.message
            self._done(f'{person.email} and everything of theirs have been deleted.')
            await self.refresh()
            return None

        with self.dialogs:
            dialog = DeletePersonDialog(email=person.email, on_delete=delete)
        dialog.dialog.on('hide', dialog.dialog.delete)
        dialog.dialog.open()

    # ---------------------------------------------------------------- invitations

    async def create_invitation(self) -> None:
        self.invite_email.error = None
        self.invite_error.set_visibility(False)
        email = (self.invite_email.value or '').strip() or None
        try:
            made = await self.as_admin(
                invitations.create_invitation, base_url=self.base_url, email=email
            )
        except NotAuthenticated:
            self.leave('/login?reason=expired')
            return
        except InvalidInput as caught:
            self.invite_email.error = caught.reason
            return
        except NotFound:
            self.leave('/tasks')
            return
        except AppError as caught:
            self.invite_error.text = caught.message
            self.invite_error.set_visibility(True)
            return
        self.invite_email.value = ''
        await self.refresh()
        if made.link is not None and not self.client.is_deleted:
            days = get_settings().invitation_days
            who = made.email or 'anyone who has it'
            with self.client, self.dialogs:
                dialog = link_dialog(
                    title='Invitation link',
                    hint=f'For {who}: it works once, for {days} days.',
                    link=made.link,
                    on_copy=self.copy,
                )
                dialog.on('hide', dialog.delete)
                dialog.open()

    async def copy_invitation(self, invitation: InvitationRead) -> None:
        if invitation.link:
            self.copy(invitation.link)

    async def revoke(self, invitation: InvitationRead) -> None:
        ok, _ = await self.act(invitations.revoke_invitation, invitation_id=invitation.id)
        if ok:
            self._done('Invitation withdrawn: its link no longer works.')
        await self.refresh()

    # ---------------------------------------------------------------- small things

    def copy(self, text: str) -> None:
        ui.clipboard.write(text)
        ui.notify('Copied.', position='bottom', timeout=1500)

    def _done(self, message: str) -> None:
        if not self.client.is_deleted:
            with self.client:
                ui.notify(message, type='positive', position='top')

    async def sign_out(self) -> None:
        try:
            await self.as_admin(auth.revoke_session, session_id=self.info.session_id)
        except NotAuthenticated:
            pass
        except AppError as error:
            show_error(error)
            return
        sign_out_browser()


@ui.page('/admin', title='Admin · Tasklight')
async def admin_page(request: Request) -> Response | None:
    info = await signed_in(request)
    if info is None or not info.user.is_admin:
        return await not_found(request)
    page = AdminPage(info=info, token=request.cookies[COOKIE], base_url=str(request.base_url))
    try:
        first = await page.as_admin(_read, base_url=page.base_url)
    except NotFound:
        return await not_found(request)
    except NotAuthenticated:
        return await not_found(request)
    except AppError as error:
        show_error(error)
        return None
    await page.build(first)
    return None
