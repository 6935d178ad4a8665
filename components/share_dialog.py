"""The Share dialog of a list: who has it, and for its owner, sharing it by email as "can
edit" or "can view", changing that, and stopping; a member sees who has it and may leave."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from nicegui import ui

from app.models import MemberRead
from components.people import initials

ROLES = {'editor': 'Can edit', 'viewer': 'Can view'}

# Each returns an error message to show, or None when it was done.
Load = Callable[[], Awaitable[list[MemberRead] | None]]
Share = Callable[[str, str], Awaitable[str | None]]
Change = Callable[[uuid.UUID, str], Awaitable[str | None]]
Remove = Callable[[uuid.UUID], Awaitable[str | None]]


class ShareDialog:
    def __init__(
        self,
        *,
        name: str,
        me: uuid.UUID,
        owner: bool,
        load: Load,
        share: Share,
        change: Change,
        remove: Remove,
    ) -> None:
        self._me = me
        self._owner = owner
        self._load = load
        self._share = share
        self._change = change
        self._remove = remove
        with ui.dialog() as self.dialog, ui.card().classes('w-full max-w-md gap-3'):
            self.dialog.props['aria-label'] = f'Share {name}'
            ui.label(f'Share “{name}”' if owner else f'People in “{name}”').classes(
                'text-lg font-semibold break-words w-full'
            )
            if owner:
                ui.label(
                    'People with an account here. Editors can add, change and delete its '
                    'tasks; viewers can only read them.'
                ).classes('text-sm text-slate-600')
                with ui.row().classes('w-full items-start no-wrap gap-2'):
                    self.email = (
                        ui.input('Email')
                        .props('outlined dense type=email maxlength=320 autofocus')
                        .classes('flex-1')
                        .mark('share-email')
                    )
                    self.email.on('keydown.enter', self.add)
                    self.role = (
                        ui.select(ROLES, value='editor')
                        .props('outlined dense options-dense aria-label="Permission"')
                        .classes('w-32')
                        .mark('share-role')
                    )
                    self.add_button = (
                        ui.button('Share', on_click=self.add)
                        .props('unelevated no-caps')
                        .mark('share-add')
                    )
            self.error = ui.label().classes('text-sm text-negative').props('role=alert')
            self.error.mark('share-error').set_visibility(False)
            self.people = ui.column().classes('w-full gap-1').mark('share-people')
            with ui.row().classes('w-full justify-end gap-2'):
                if not owner:
                    ui.button('Leave list', on_click=self.leave).props(
                        'flat no-caps color=negative'
                    ).mark('leave-list')
                ui.button('Done', on_click=lambda: self.dialog.submit(None)).props(
                    'flat no-caps'
                ).mark('share-done')

    async def open(self) -> None:
        await self.refresh()
        self.dialog.open()

    def _say(self, message: str | None) -> None:
        self.error.text = message or ''
        self.error.set_visibility(bool(message))

    async def refresh(self) -> None:
        members = await self._load()
        if members is None:
            return
        self.people.clear()
        with self.people:
            for member in members:
                self._person(member)

    def _person(self, member: MemberRead) -> None:
        with ui.row().classes('w-full items-center no-wrap gap-2').mark(f'member-{member.email}'):
            ui.label(initials(member.email)).classes(
                'tl-avatar shrink-0 rounded-full bg-primary text-white text-xs font-semibold'
                ' w-8 h-8 flex items-center justify-center'
            ).props('aria-hidden=true')
            you = ' (you)' if member.user_id == self._me else ''
            ui.label(member.email + you).classes('flex-1 min-w-0 truncate')
            if member.role == 'owner':
                ui.label('Owner').classes('text-sm text-slate-500')
            elif self._owner:
                role = ui.select(
                    ROLES,
                    value=member.role,
                    on_change=lambda e, m=member: self.change(m, e.value),
                ).props('dense borderless options-dense')
                role.props['aria-label'] = f'Permission of {member.email}'
                role.mark(f'member-role-{member.email}')
                remove = ui.button(icon='close', on_click=lambda m=member: self.remove(m))
                remove.props('flat round dense size=sm').mark(f'member-remove-{member.email}')
                remove.props['aria-label'] = f'Stop sharing with {member.email}'
            else:
                ui.label(ROLES[member.role]).classes('text-sm text-slate-500')

    async def add(self) -> None:
        email = (self.email.value or '').strip()
        if not email:
            self._say('Enter the email of someone with an account here.')
            return
        self.add_button.disable()
        try:
            error = await self._share(email, self.role.value or 'editor')
        finally:
            self.add_button.enable()
        self._say(error)
        if error is None:
            self.email.value = ''
            await self.refresh()

    async def change(self, member: MemberRead, role: str | None) -> None:
        if role is None or role == member.role:
            return
        error = await self._change(member.user_id, role)
        self._say(error)
        await self.refresh()

    async def remove(self, member: MemberRead) -> None:
        error = await self._remove(member.user_id)
        self._say(error)
        await self.refresh()

    async def leave(self) -> None:
        error = await self._remove(self._me)
        self._say(error)
        if error is None:
            self.dialog.submit('left')
