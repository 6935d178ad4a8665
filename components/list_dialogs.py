"""Dialogs for lists: new / rename / colour, delete (with what to do about its tasks), and the
"Move to list…" picker for a task."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence

from nicegui import ui

from app.models import LIST_COLOURS, LIST_NAME_MAX, ListSummary, MemberRead
from components.people import initials

# Returns an error message to show, or None when the list was saved.
ListSave = Callable[[str, str], Awaitable[str | None]]

NAME_RULES = {
    'Enter a name for the list.': lambda value: bool((value or '').strip()),
    f'A name can be at most {LIST_NAME_MAX} characters.': lambda value: (
        len((value or '').strip()) <= LIST_NAME_MAX
    ),
}


class ListDialog:
    """Name and/or colour of a list. Save keeps the dialog open with the error when refused."""

    def __init__(
        self,
        *,
        title: str,
        on_save: ListSave,
        name: str = '',
        colour: str = 'grey',
        ask_name: bool = True,
        ask_colour: bool = True,
        confirm: str = 'Save',
    ) -> None:
        self._on_save = on_save
        self.colour = colour if colour in LIST_COLOURS else 'grey'
        self._swatches: dict[str, ui.button] = {}
        with ui.dialog() as self.dialog, ui.card().classes('w-full max-w-sm gap-3'):
            self.dialog.props['aria-label'] = title
            ui.label(title).classes('text-lg font-semibold')
            self.name = (
                ui.input('Name', value=name, validation=NAME_RULES)
                .without_auto_validation()
                .props(f'outlined dense counter maxlength={LIST_NAME_MAX} autofocus')
                .classes('w-full')
                .mark('list-name')
            )
            self.name.set_visibility(ask_name)
            self.name.on('keydown.enter', self.save)
            with ui.row().classes('gap-1').props('role=radiogroup aria-label=Colour') as swatches:
                for choice in LIST_COLOURS:
                    swatch = ui.button(icon='circle', on_click=lambda c=choice: self.pick(c)).props(
                        f'flat round dense color={choice} role=radio aria-label={choice}'
                    )
                    swatch.mark(f'list-colour-{choice}')
                    self._swatches[choice] = swatch
            swatches.set_visibility(ask_colour)
            self.error = ui.label().classes('text-sm text-negative').props('role=alert')
            self.error.mark('list-error').set_visibility(False)
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=lambda: self.dialog.submit(None)).props('flat no-caps')
                self.save_button = (
                    ui.button(confirm, on_click=self.save)
                    .props('unelevated no-caps')
                    .mark('list-save')
                )
        self.pick(self.colour)

    def pick(self, colour: str) -> None:
        self.colour = colour
        for choice, swatch in self._swatches.items():
            chosen = choice == colour
            swatch.props(f'aria-checked={"true" if chosen else "false"}')
            swatch.props['icon'] = 'check_circle' if chosen else 'circle'

    async def save(self) -> None:
        if self.name.visible and not self.name.validate():
            return
        self.save_button.disable()
        try:
            error = await self._on_save((self.name.value or '').strip(), self.colour)
        finally:
            self.save_button.enable()
        if error:
            self.error.text = error
            self.error.set_visibility(True)
            return
        self.dialog.submit(True)


def delete_list_dialog(name: str, count: int) -> ui.dialog:
    """Resolves to 'delete' (the list and its tasks), 'move' (tasks to the Inbox) or None."""
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-sm gap-3'):
        dialog.props['aria-label'] = 'Delete list'
        ui.label('Delete list?').classes('text-lg font-semibold')
        if count:
            tasks = f'{count} task{"s" if count != 1 else ""}'
            ui.label(f'“{name}” has {tasks}. What should happen to them?').classes(
                'text-sm text-slate-600 break-words w-full'
            )
        else:
            ui.label(f'“{name}” will be deleted.').classes(
                'text-sm text-slate-600 break-words w-full'
            )
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat no-caps')
            if count:
                ui.button('Move them to Inbox', on_click=lambda: dialog.submit('move')).props(
                    'outline no-caps'
                ).mark('move-to-inbox')
                ui.button(f'Delete {tasks}', on_click=lambda: dialog.submit('delete')).props(
                    'unelevated no-caps color=negative'
                ).mark('delete-tasks')
            else:
                ui.button('Delete', on_click=lambda: dialog.submit('delete')).props(
                    'unelevated no-caps color=negative'
                ).mark('confirm')
    return dialog


def pick_list_dialog(lists: Sequence[ListSummary], *, current: int) -> ui.dialog:
    """The "Move to list…" picker: resolves to the chosen list's id, or None."""
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-xs gap-1 p-2'):
        dialog.props['aria-label'] = 'Move to list'
        ui.label('Move to list').classes('text-base font-semibold px-2 pt-1')
        with ui.list().props('dense').classes('w-full'):
            for entry in lists:
                here = entry.id == current
                with ui.item(on_click=lambda i=entry.id: dialog.submit(i)) as item:
                    with ui.item_section().props('avatar'):
                        if entry.is_inbox:
                            ui.icon('inbox', size='20px')
                        else:
                            ui.icon('circle', size='12px').classes(f'text-{entry.colour}')
                    with ui.item_section():
                        ui.item_label(entry.name + (' (here now)' if here else ''))
                item.mark(f'pick-list-{entry.id}')
                if here:
                    item.props('disable')
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat no-caps')
    return dialog


def assign_dialog(
    people: Sequence[MemberRead], *, current: uuid.UUID | None, me: uuid.UUID
) -> ui.dialog:
    """Who is to do a task: resolves to a person's user id, 'nobody', or None (cancelled)."""
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-xs gap-1 p-2'):
        dialog.props['aria-label'] = 'Assign task'
        ui.label('Assign to').classes('text-base font-semibold px-2 pt-1')
        with ui.list().props('dense').classes('w-full'):
            with ui.item(on_click=lambda: dialog.submit('nobody')) as nobody:
                with ui.item_section().props('avatar'):
                    ui.icon('person_off', size='20px')
                with ui.item_section():
                    ui.item_label('Nobody' + (' (now)' if current is None else ''))
            nobody.mark('assign-nobody')
            for person in people:
                with ui.item(on_click=lambda p=person.user_id: dialog.submit(p)) as item:
                    with ui.item_section().props('avatar'):
                        ui.label(initials(person.email)).classes('text-xs font-semibold')
                    with ui.item_section():
                        you = ' (you)' if person.user_id == me else ''
                        now = ' (now)' if person.user_id == current else ''
                        ui.item_label(person.email + you + now)
                item.mark(f'assign-to-{person.email}')
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat no-caps')
    return dialog
