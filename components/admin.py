"""Widgets of the Admin page: a person's row, an invitation's row, the dialog that shows a link
to copy, and the typed confirmation before deleting someone. They take data and callbacks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from components.settings import form_error, when

Action = Callable[[Any], Awaitable[None]]


def person_row(
    person: Any,
    *,
    me: bool,
    zone: Any,
    on_deactivate: Action,
    on_admin: Action,
    on_reset_link: Action,
    on_delete: Action,
) -> None:
    """Email, badges, when they joined and were last seen, their live sessions, and what an
    admin may do (nothing to their own account here but a reset link)."""
    with (
        ui.row()
        .classes('w-full items-center gap-3 py-2 border-b last:border-b-0')
        .mark(f'person-{person.email}')
    ):
        with ui.column().classes('gap-0 min-w-0 flex-1'):
            with ui.row().classes('items-center gap-2'):
                ui.label(person.email).classes('font-medium break-all')
                if me:
                    ui.badge('You', color='primary').props('outline')
                if person.is_admin:
                    ui.badge('Admin', color='primary')
                if person.deactivated:
                    ui.badge('Deactivated', color='negative')
            seen = when(person.last_seen_at, zone) if person.last_seen_at else 'never'
            sessions = person.active_sessions
            ui.label(
                f'Joined {when(person.created_at, zone)} · last seen {seen} · '
                f'{sessions} active session{"s" if sessions != 1 else ""}'
            ).classes('text-xs text-slate-500')
        with ui.row().classes('gap-1 items-center'):
            if not me:
                toggle = 'Reactivate' if person.deactivated else 'Deactivate'
                _action(toggle, person, on_deactivate, 'negative' if not person.deactivated else '')
                admin = 'Remove admin' if person.is_admin else 'Make admin'
                _action(admin, person, on_admin)
            if not person.deactivated:
                _action('Reset link', person, on_reset_link)
            if not me:
                _action('Delete…', person, on_delete, 'negative')


def _action(text: str, person: Any, handler: Action, colour: str = '') -> None:
    button = ui.button(text, on_click=lambda: handler(person)).props('flat dense no-caps')
    if colour:
        button.props(f'color={colour}')
    button.props(f'aria-label="{text.rstrip("…")} {person.email}"')
    button.mark(f'{text.rstrip("…").lower().replace(" ", "-")}-{person.email}')


def invitation_row(invitation: Any, *, zone: Any, on_copy: Action, on_revoke: Action) -> None:
    who = invitation.email or 'anyone with the link'
    status = {
        'pending': f'good until {when(invitation.expires_at, zone)}',
        'used': f'used by {invitation.used_by_email or "a deleted account"}',
        'expired': 'expired',
        'revoked': 'withdrawn',
    }[invitation.status]
    with (
        ui.row()
        .classes('w-full items-center gap-3 py-2 border-b last:border-b-0')
        .mark(f'invitation-{invitation.id}')
    ):
        with ui.column().classes('gap-0 min-w-0 flex-1'):
            ui.label(f'For {who}').classes('font-medium break-all')
            ui.label(f'Made {when(invitation.created_at, zone)} · {status}').classes(
                'text-xs text-slate-500'
            )
        if invitation.status == 'pending':
            ui.button(icon='content_copy', on_click=lambda: on_copy(invitation)).props(
                f'flat round dense aria-label="Copy the invitation link for {who}"'
            ).mark(f'copy-invitation-{invitation.id}')
            ui.button('Withdraw', on_click=lambda: on_revoke(invitation)).props(
                f'flat dense no-caps color=negative aria-label="Withdraw the invitation for {who}"'
            ).mark(f'withdraw-{invitation.id}')


def link_dialog(*, title: str, hint: str, link: str, on_copy: Callable[[str], None]) -> ui.dialog:
    """A link to hand over: shown once, readonly, with a Copy button."""
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-lg gap-3'):
        dialog.props(f'aria-label="{title}"')
        ui.label(title).classes('text-lg font-semibold')
        ui.label(hint).classes('text-sm text-slate-600')
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            field = (
                ui.input('Link', value=link)
                .props('outlined dense readonly')
                .classes('flex-1 min-w-0')
                .mark('shown-link')
            )
            field.props(f'aria-label="{title}"')
            ui.button(icon='content_copy', on_click=lambda: on_copy(link)).props(
                'flat round dense aria-label="Copy the link"'
            ).mark('copy-link')
        with ui.row().classes('w-full justify-end'):
            ui.button('Done', on_click=dialog.close).props('flat no-caps')
    return dialog


class DeletePersonDialog:
    """Typed confirmation (the person's email); stays open with the error beside the field."""

    def __init__(self, *, email: str, on_delete: Callable[[str], Awaitable[str | None]]) -> None:
        self._on_delete = on_delete
        with ui.dialog() as self.dialog, ui.card().classes('w-full max-w-md gap-3'):
            self.dialog.props(f'aria-label="Delete {email}"')
            ui.label(f'Delete {email}?').classes('text-lg font-semibold break-all')
            ui.label(
                'Their lists, tasks and sessions are deleted at once and for good; they are '
                'signed out everywhere.'
            ).classes('text-sm text-slate-600')
            self.confirmation = (
                ui.input(f'Type “{email}” to confirm')
                .props('outlined dense autocomplete=off autofocus maxlength=320')
                .classes('w-full')
                .mark('delete-person-confirmation')
            )
            self.error = form_error('delete-person-error')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=self.dialog.close).props('flat no-caps')
                self.button = (
                    ui.button('Delete', on_click=self.submit)
                    .props('unelevated no-caps color=negative')
                    .mark('delete-person-submit')
                )
            self.confirmation.on('keydown.enter', self.submit)

    async def submit(self) -> None:
        self.confirmation.error = None
        self.button.disable()
        try:
            problem = await self._on_delete(self.confirmation.value or '')
        finally:
            self.button.enable()
        if problem is None:
            self.dialog.close()
        else:
            self.confirmation.error = problem
