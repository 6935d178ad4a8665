"""Task rows (kept by id across refreshes), the new-task form, filters and the task dialogs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from nicegui import ui

from app.errors import AppError, InvalidInput, NotFound, PreconditionFailed
from app.models import DESCRIPTION_MAX, TITLE_MAX, TaskCounts, TaskRead
from components.drafts import EDIT, NEW, keep_typing
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


class NewTaskForm:
    """Title with counter, optional description; Enter or Add saves and clears, errors stay put.

    What is typed goes to the browser's drafts as it is typed (see components.drafts)."""

    def __init__(self, on_add: SaveHandler) -> None:
        self._on_add = on_add
        with ui.card().props('flat bordered').classes('w-full p-3 gap-2'):
            with ui.row().classes('w-full items-start no-wrap gap-2'):
                self.title = (
                    ui.input('New task', placeholder='What needs doing?', validation=TITLE_RULES)
                    .without_auto_validation()
                    .props(f'outlined dense counter maxlength={TITLE_MAX}')
                    .classes('flex-1 min-w-0')
                    .mark('new-title')
                )
                self.add = (
                    ui.button('Add', icon='add').props('unelevated no-caps').classes('mt-[2px]')
                )
            with (
                ui.expansion('Add a description')
                .props('dense')
                .classes('w-full text-sm text-slate-600') as self.more
            ):
                self.description = (
                    ui.textarea('Description (optional)', validation=DESCRIPTION_RULES)
                    .without_auto_validation()
                    .props(f'outlined dense autogrow counter maxlength={DESCRIPTION_MAX}')
                    .classes('w-full')
                    .mark('new-description')
                )
        keep_typing(self.title, NEW, 'title')
        keep_typing(self.description, NEW, 'description')
        self.add.on_click(self.submit)
        self.title.on('keydown.enter', self.submit)

    async def submit(self) -> None:
        if not (self.title.validate() and self.description.validate()):
            return
        self.add.disable()
        try:
            error = await self._on_add(self.title.value or '', self.description.value or '')
        finally:
            self.add.enable()
        if error:
            self.title.error = error
            return
        self.title.value = ''
        self.description.value = ''
        self.title.error = None
        self.more.close()
        self.title.run_method('focus')

    def restore(self, typed: dict[str, str]) -> bool:
        """Put back text typed before a reload, into fields still empty; True if any was."""
        restored = False
        for name, field in (('title', self.title), ('description', self.description)):
            if typed.get(name) and not field.value:
                field.value = typed[name]
                restored = True
        if self.description.value:
            self.more.open()
        return restored


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


# Sends the fields the person changed with the version the dialog holds; returns the saved task
# or raises the service's AppError (PreconditionFailed with the task now, NotFound when gone).
SaveChanges = Callable[[dict[str, str], int], Awaitable[TaskRead]]
FIELDS = ('title', 'description')
STALE = (
    'Someone changed this task while you were editing it (another tab or device). Fields you did '
    'not touch now show the new values; where you both changed a field, choose which to keep.'
)
GONE = 'This task was deleted while you were editing it (another tab or device). Your text is kept.'
RESOLVE = 'Choose “Keep mine” or “Use theirs” for each highlighted field, then Save.'


class EditDialog:
    """Edits one task against the version it was opened with, and loses nothing to a race.

    Save sends only the fields the person changed, naming that version. When the task changed
    meanwhile, fields the person left alone take the new values, and a field both changed shows
    the other value with "Keep mine" / "Use theirs"; with no such field it saves at once on top of
    the new version. A task deleted meanwhile keeps the text and offers "Save as new task"."""

    def __init__(
        self,
        task: TaskRead,
        *,
        on_save: SaveChanges,
        on_save_as_new: SaveHandler,
        on_version: Callable[[int, int], None] | None = None,
        on_discard_field: Callable[[str], None] | None = None,
    ) -> None:
        self.base: TaskRead = task
        self._on_save = on_save
        self._on_save_as_new = on_save_as_new
        self._on_version = on_version or (lambda task_id, version: None)
        self._on_discard_field = on_discard_field or (lambda field: None)
        self.theirs: dict[str, str] = {}  # field -> the other value, while undecided
        self.gone = False
        with ui.dialog() as self.dialog, ui.card().classes('w-full max-w-lg gap-3'):
            ui.label('Edit task').classes('text-lg font-semibold')
            self.banner = ui.label().classes(
                'w-full rounded px-3 py-2 text-sm bg-warning text-black'
            )
            self.banner.props('role=alert').mark('edit-banner').set_visibility(False)
            self.title = (
                ui.input('Title', value=task.title, validation=TITLE_RULES)
                .props(f'outlined counter maxlength={TITLE_MAX} autofocus')
                .classes('w-full')
                .mark('edit-title')
            )
            self.title_conflict = ui.column().classes('w-full gap-1').mark('conflict-title')
            self.description = (
                ui.textarea('Description', value=task.description, validation=DESCRIPTION_RULES)
                .props(f'outlined autogrow counter maxlength={DESCRIPTION_MAX}')
                .classes('w-full')
                .mark('edit-description')
            )
            self.description_conflict = (
                ui.column().classes('w-full gap-1').mark('conflict-description')
            )
            self.title.on('keydown.enter', self.save)
            keep_typing(self.title, EDIT, 'title')
            keep_typing(self.description, EDIT, 'description')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=self.dialog.close).props('flat no-caps')
                self.save_button = (
                    ui.button('Save', on_click=self.save)
                    .props('unelevated no-caps')
                    .mark('edit-save')
                )
                self.save_new_button = (
                    ui.button('Save as new task', on_click=self.save_as_new)
                    .props('unelevated no-caps')
                    .mark('edit-save-new')
                )
                self.save_new_button.set_visibility(False)
        for field in (self.title_conflict, self.description_conflict):
            field.set_visibility(False)
        # However it closes (saved, Cancel, Escape), the browser's copy of this edit is done with.
        self.dialog.on('hide', js_handler=f'() => window.tasklight?.clear("{EDIT}")')

    @property
    def fields(self) -> dict[str, ui.input | ui.textarea]:
        return {'title': self.title, 'description': self.description}

    def changes(self) -> dict[str, str]:
        """The fields the person changed from the version the dialog holds."""
        return {
            name: field.value or ''
            for name, field in self.fields.items()
            if (field.value or '') != getattr(self.base, name)
        }

    def open(self) -> None:
        self._on_version(self.base.id, self.base.version)
        self.dialog.open()

    def _say(self, message: str | None) -> None:
        self.banner.text = message or ''
        self.banner.set_visibility(bool(message))

    def merge(self, current: TaskRead) -> None:
        """Take in what the task is now: untouched fields follow it, shared changes ask."""
        for name, field in self.fields.items():
            mine, base, theirs = field.value or '', getattr(self.base, name), getattr(current, name)
            if mine == base:
                field.value = theirs
            elif theirs not in (base, mine):
                self._ask(name, theirs)
        self.base = current
        self._on_version(current.id, current.version)

    def restore(self, typed: dict[str, str], *, version: int | None) -> None:
        """Put back text typed before a reload. Typed against another version than the task's
        now, a field that differs from it asks, since what was there before is unknown."""
        for name, value in typed.items():
            self.fields[name].value = value
            theirs = getattr(self.base, name)
            if version != self.base.version and value != theirs:
                self._ask(name, theirs)
        if self.theirs:
            self._say(STALE)

    def _ask(self, name: str, theirs: str) -> None:
        self.theirs[name] = theirs
        box = self.title_conflict if name == 'title' else self.description_conflict
        box.clear()
        with box:
            ui.label('Changed meanwhile to:').classes('text-xs font-medium')
            ui.label(theirs or '(empty)').classes(
                'w-full text-sm whitespace-pre-wrap break-words rounded px-2 py-1 bg-warning'
            ).mark(f'theirs-{name}')
            with ui.row().classes('gap-2'):
                ui.button('Keep mine', on_click=lambda: self._decide(name, keep=True)).props(
                    'outline dense no-caps size=sm'
                ).mark(f'keep-mine-{name}')
                ui.button('Use theirs', on_click=lambda: self._decide(name, keep=False)).props(
                    'outline dense no-caps size=sm'
                ).mark(f'use-theirs-{name}')
        box.set_visibility(True)

    def _decide(self, name: str, *, keep: bool) -> None:
        theirs = self.theirs.pop(name, None)
        if theirs is not None and not keep:
            self.fields[name].value = theirs
            self._on_discard_field(name)
        (self.title_conflict if name == 'title' else self.description_conflict).set_visibility(
            False
        )
        if not self.theirs:
            self._say(None)

    async def save(self) -> None:
        if self.gone:
            return
        if self.theirs:
            self._say(RESOLVE)
            return
        if not (self.title.validate() and self.description.validate()):
            return
        self.save_button.disable()
        try:
            await self._save()
        finally:
            self.save_button.enable()

    async def _save(self) -> None:
        for _ in range(3):  # another change can land between merge and save: try again, briefly
            changes = self.changes()
            if not changes:
                self.dialog.close()
                return
            try:
                await self._on_save(changes, self.base.version)
            except PreconditionFailed as error:
                if not isinstance(error.current, TaskRead):
                    self._say(error.message)
                    return
                self.merge(error.current)
                if self.theirs:
                    self._say(STALE)
                    return
            except NotFound:
                self.deleted()
                return
            except InvalidInput as error:
                field = self.fields.get(error.field or '', self.title)
                field.error = error.reason if error.field in self.fields else error.message
                return
            except AppError as error:
                self._say(error.message)
                return
            else:
                self.dialog.close()
                return
        self._say(PreconditionFailed.default_message)

    def follow(self, current: TaskRead | None) -> None:
        """The task as a live update found it (None: deleted): say so now, not only at Save."""
        if self.gone:
            return
        if current is None:
            self.deleted()
        elif current.version != self.base.version:
            self.merge(current)
            if self.theirs:
                self._say(STALE)

    def deleted(self) -> None:
        self.gone = True
        for name in list(self.theirs):
            self._decide(name, keep=True)
        self._say(GONE)
        self.save_button.set_visibility(False)
        self.save_new_button.set_visibility(True)

    async def save_as_new(self) -> None:
        if not (self.title.validate() and self.description.validate()):
            return
        self.save_new_button.disable()
        try:
            error = await self._on_save_as_new(self.title.value or '', self.description.value or '')
        finally:
            self.save_new_button.enable()
        if error:
            self.title.error = error
        else:
            self.dialog.close()


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
