"""A task row, the new-task form, filters and the task dialogs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from nicegui import ui

from app.models import DESCRIPTION_MAX, TITLE_MAX, TaskCounts, TaskRead
from components.timefmt import absolute, relative

# Returns an error message to show, or None when the change was saved.
SaveHandler = Callable[[str, str], Awaitable[str | None]]

TITLE_RULES = {
    'Enter a title for the task.': lambda value: bool((value or '').strip()),
    f'A title can be at most {TITLE_MAX} characters.': lambda value: (
        len((value or '').strip()) <= TITLE_MAX
    ),
}
DESCRIPTION_RULES = {
    f'A description can be at most {DESCRIPTION_MAX} characters.': lambda value: (
        len((value or '').strip()) <= DESCRIPTION_MAX
    ),
}


def task_row(
    task: TaskRead,
    *,
    on_complete: Callable[[TaskRead, bool], Awaitable[None]],
    on_edit: Callable[[TaskRead], Awaitable[None]],
    on_delete: Callable[[TaskRead], Awaitable[None]],
    now: datetime | None = None,
) -> None:
    now = now or datetime.now(UTC)
    card = ui.card().props('flat bordered').classes('w-full px-3 py-2 gap-1')
    with card.mark(f'task-{task.id}'):
        with ui.row().classes('w-full items-start no-wrap gap-1'):
            # The checkbox's label is the title, so its accessible name is the title too.
            checkbox = ui.checkbox(
                task.title,
                value=task.completed,
                on_change=lambda event: on_complete(task, bool(event.value)),
            ).classes('flex-1 min-w-0 text-base' + (' tl-done' if task.completed else ''))
            checkbox.mark(f'toggle-{task.id}')
            with ui.row().classes('no-wrap gap-0 shrink-0'):
                ui.button('Edit', icon='edit', on_click=lambda: on_edit(task)).props(
                    'flat dense no-caps size=sm'
                ).classes('text-slate-600').mark(f'edit-{task.id}')
                ui.button('Delete', icon='delete', on_click=lambda: on_delete(task)).props(
                    'flat dense no-caps size=sm'
                ).classes('text-red-600').mark(f'delete-{task.id}')
        if task.description:
            ui.label(task.description).classes(
                'pl-10 text-sm text-slate-600 whitespace-pre-wrap break-words w-full'
            )
        meta = f'Added {relative(task.created_at, now)}'
        if task.completed_at:
            meta += f' · done {relative(task.completed_at, now)}'
        elif task.updated_at > task.created_at:
            meta += f' · edited {relative(task.updated_at, now)}'
        stamp = ui.label(meta).classes('pl-10 text-xs text-slate-400')
        stamp.props['title'] = f'Created {absolute(task.created_at)}'


def new_task_form(on_add: SaveHandler) -> None:
    """Title with counter, optional description; Enter or Add saves and clears, errors stay put."""
    with ui.card().props('flat bordered').classes('w-full p-3 gap-2'):
        with ui.row().classes('w-full items-start no-wrap gap-2'):
            title = (
                ui.input('New task', placeholder='What needs doing?', validation=TITLE_RULES)
                .without_auto_validation()
                .props(f'outlined dense counter maxlength={TITLE_MAX}')
                .classes('flex-1 min-w-0')
                .mark('new-title')
            )
            add = ui.button('Add', icon='add').props('unelevated no-caps').classes('mt-[2px]')
        with (
            ui.expansion('Add a description')
            .props('dense')
            .classes('w-full text-sm text-slate-600') as more
        ):
            description = (
                ui.textarea('Description (optional)', validation=DESCRIPTION_RULES)
                .without_auto_validation()
                .props(f'outlined dense autogrow counter maxlength={DESCRIPTION_MAX}')
                .classes('w-full')
                .mark('new-description')
            )

    async def submit() -> None:
        if not (title.validate() and description.validate()):
            return
        add.disable()
        try:
            error = await on_add(title.value or '', description.value or '')
        finally:
            add.enable()
        if error:
            title.error = error
            return
        title.value = ''
        description.value = ''
        title.error = None
        more.close()
        title.run_method('focus')

    add.on_click(submit)
    title.on('keydown.enter', submit)


def filter_bar(
    *,
    status: str,
    counts: TaskCounts,
    on_status: Callable[[str], Awaitable[None]],
) -> None:
    with ui.row().classes('gap-1 items-center'):
        for value, label in (('all', 'All'), ('active', 'Active'), ('completed', 'Completed')):
            count = getattr(counts, value)
            button = ui.button(on_click=lambda v=value: on_status(v)).props(
                'no-caps dense rounded ' + ('unelevated' if value == status else 'flat')
            )
            button.classes('px-3' + ('' if value == status else ' text-slate-600'))
            button.mark(f'filter-{value}')
            with button:
                ui.label(label)
                active = value == status
                colours = 'white text-color=primary' if active else 'grey-3 text-color=grey-9'
                ui.badge(str(count)).props(f'rounded color={colours}').classes('ml-1')


def edit_dialog(task: TaskRead, on_save: SaveHandler) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-lg gap-3'):
        ui.label('Edit task').classes('text-lg font-semibold')
        title = (
            ui.input('Title', value=task.title, validation=TITLE_RULES)
            .props(f'outlined counter maxlength={TITLE_MAX} autofocus')
            .classes('w-full')
            .mark('edit-title')
        )
        description = (
            ui.textarea('Description', value=task.description, validation=DESCRIPTION_RULES)
            .props(f'outlined autogrow counter maxlength={DESCRIPTION_MAX}')
            .classes('w-full')
            .mark('edit-description')
        )

        async def save() -> None:
            if not (title.validate() and description.validate()):
                return
            error = await on_save(title.value or '', description.value or '')
            if error:
                title.error = error
            else:
                dialog.close()

        title.on('keydown.enter', save)
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancel', on_click=dialog.close).props('flat no-caps')
            ui.button('Save', on_click=save).props('unelevated no-caps').mark('edit-save')
    return dialog


def confirm_dialog(*, title: str, message: str, confirm: str) -> ui.dialog:
    """Resolves to True only when the confirm button is pressed."""
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-sm gap-3'):
        ui.label(title).classes('text-lg font-semibold')
        ui.label(message).classes('text-sm text-slate-600 break-words w-full')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat no-caps')
            ui.button(confirm, on_click=lambda: dialog.submit(True)).props(
                'unelevated no-caps color=negative'
            ).mark('confirm')
    return dialog
