"""Task rows (kept by id across refreshes), the new-task form, filters and the task dialogs."""

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


CompleteHandler = Callable[[TaskRead, bool], Awaitable[None]]
TaskHandler = Callable[[TaskRead], Awaitable[None]]


def task_row(
    task: TaskRead,
    *,
    on_complete: CompleteHandler,
    on_edit: TaskHandler,
    on_delete: TaskHandler,
    now: datetime | None = None,
) -> ui.card:
    now = now or datetime.now(UTC)
    # One grid card: checkbox | Edit | Delete, then description and times across. Four or five
    # elements a row (a dashboard holds 25 rows per open tab: each element costs server memory).
    card = ui.card().props('flat bordered').classes('w-full px-3 py-2 tl-task')
    with card.mark(f'task-{task.id}'):
        # The checkbox's label is the title, so its accessible name is the title too.
        ui.checkbox(
            task.title,
            value=task.completed,
            on_change=lambda event: on_complete(task, bool(event.value)),
        ).classes('min-w-0 text-base' + (' tl-done' if task.completed else '')).mark(
            f'toggle-{task.id}'
        )
        ui.button('Edit', icon='edit', on_click=lambda: on_edit(task)).props(
            'flat dense no-caps size=sm color=grey-8'
        ).mark(f'edit-{task.id}')
        ui.button('Delete', icon='delete', on_click=lambda: on_delete(task)).props(
            'flat dense no-caps size=sm color=negative'
        ).mark(f'delete-{task.id}')
        if task.description:
            ui.label(task.description).classes(
                'tl-wide pl-10 text-sm text-slate-600 whitespace-pre-wrap break-words'
            )
    # The times line is drawn by CSS from data-meta (see frame.py): text, one element fewer a row.
    card.props['data-meta'] = row_meta(task, now)
    card.props['title'] = f'Created {absolute(task.created_at)}'
    return card


def row_meta(task: TaskRead, now: datetime) -> str:
    meta = f'Added {relative(task.created_at, now)}'
    if task.completed_at:
        meta += f' · done {relative(task.completed_at, now)}'
    elif task.updated_at > task.created_at:
        meta += f' · edited {relative(task.updated_at, now)}'
    return meta


class TaskRows:
    """The tasks on screen, one row per task, kept by id.

    `show` rebuilds only the rows whose task changed, drops the ones gone and moves the rest into
    place: a live update caused by one toggle in another tab costs one row, not a page of them,
    and leaves the other rows (and whatever the person is pointing at) alone.
    """

    def __init__(
        self, *, on_complete: CompleteHandler, on_edit: TaskHandler, on_delete: TaskHandler
    ) -> None:
        self.container = ui.column().classes('w-full gap-2')
        self._rows: dict[int, tuple[ui.card, TaskRead]] = {}
        self._handlers = {'on_complete': on_complete, 'on_edit': on_edit, 'on_delete': on_delete}

    def _build(self, task: TaskRead, now: datetime, index: int) -> ui.card:
        known = self._rows.pop(task.id, None)
        if known is not None:
            known[0].delete()
        with self.container:
            card = task_row(task, now=now, **self._handlers)
        card.move(self.container, target_index=index)
        self._rows[task.id] = (card, task)
        return card

    def show(self, items: list[TaskRead]) -> None:
        now = datetime.now(UTC)
        wanted = {task.id for task in items}
        for task_id in [task_id for task_id in self._rows if task_id not in wanted]:
            self._rows.pop(task_id)[0].delete()
        for index, task in enumerate(items):
            known = self._rows.get(task.id)
            if known is None or known[1] != task:
                self._build(task, now, index)
            elif self.container.default_slot.children.index(known[0]) != index:
                known[0].move(self.container, target_index=index)

    def update(self, task: TaskRead) -> None:
        """Show a change this tab just made, in place, before the list is re-sorted."""
        known = self._rows.get(task.id)
        if known is not None and known[1] != task:
            index = self.container.default_slot.children.index(known[0])
            self._build(task, datetime.now(UTC), index)


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
            button = ui.button(label, on_click=lambda v=value: on_status(v)).props(
                'no-caps dense rounded ' + ('unelevated' if value == status else 'flat')
            )
            button.classes('px-3' + ('' if value == status else ' text-slate-600'))
            button.mark(f'filter-{value}')
            with button:
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
