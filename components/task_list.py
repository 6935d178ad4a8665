"""Task rows (kept by id across refreshes), the new-task form, filters and the task dialogs."""

from __future__ import annotations

import html
import uuid
import weakref
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from nicegui import Client, background_tasks, ui
from nicegui.events import GenericEventArguments

from app.errors import AppError, InvalidInput, NotFound, PreconditionFailed
from app.models import DESCRIPTION_MAX, TITLE_MAX, TaskCounts, TaskRead
from app.quickadd import Kind
from components.drafts import EDIT, NEW, keep_typing
from components.people import initials
from components.quick_add import QuickAdd
from components.timefmt import absolute, due_text, due_words, is_overdue, relative, until

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
# The person put a task before (or after) the row with that id: exactly one of the two is set.
MoveHandler = Callable[[TaskRead, int | None, int | None], Awaitable[None]]

PRIORITY_NAMES = {0: 'none', 1: 'low', 2: 'medium', 3: 'high'}
PRIORITY_COLOURS = {1: 'info', 2: 'warning', 3: 'negative'}
PRIORITY_OPTIONS = {0: 'No priority', 1: 'Low', 2: 'Medium', 3: 'High'}
TASK_TYPE = 'text/x-tasklight-task'  # what a dragged row carries; the sidebar accepts it too

# Rows are one card each with a handful of children; everything else (the times line, the drop
# indicator, the list chip's dot) is CSS, and the row menu is built only when opened.
ROW_CSS = """
.nicegui-card.tl-row { flex-direction: row; flex-wrap: wrap; align-items: center;
  column-gap: 0.25rem; row-gap: 0.125rem; }
.tl-row > .q-checkbox { flex: 1 1 10rem; min-width: 0; }
.tl-parts { display: contents; }
.tl-row > .tl-parts > .tl-wide, .tl-row::after { flex-basis: 100%; }
.tl-row::after { content: attr(data-meta); padding-left: 2.5rem; font-size: 0.75rem;
  line-height: 1rem; color: #64748b; }
.body--dark .tl-row::after { color: #94a3b8; }
.tl-row .tl-done .q-checkbox__label { text-decoration: line-through; }
/* The title fills its part of the row, so a right-to-left title sits at the row's right. */
.tl-row .q-checkbox__label { flex: 1 1 auto; min-width: 0; }
.tl-row:focus-visible { outline: 2px solid var(--q-primary); outline-offset: 2px; }
.tl-row[draggable="true"] { cursor: grab; }
.tl-row.tl-dragging { opacity: 0.45; }
.tl-row.tl-drop-before { box-shadow: 0 -4px 0 0 var(--q-primary) !important; }
.tl-row.tl-drop-after { box-shadow: 0 4px 0 0 var(--q-primary) !important; }
.tl-chip { font-size: 0.75rem; line-height: 1rem; white-space: nowrap; border-radius: 9999px;
  padding: 0.125rem 0.5rem; border: 1px solid currentColor; }
.tl-list { opacity: 0.85; }
.tl-list::before { content: ''; display: inline-block; width: 0.5rem; height: 0.5rem;
  border-radius: 9999px; margin-right: 0.25rem; background: var(--tl-dot, #9e9e9e); }
.tl-dot-grey { --tl-dot: #9e9e9e; } .tl-dot-red { --tl-dot: #f44336; }
.tl-dot-orange { --tl-dot: #ff9800; } .tl-dot-yellow { --tl-dot: #fbc02d; }
.tl-dot-green { --tl-dot: #4caf50; } .tl-dot-teal { --tl-dot: #009688; }
.tl-dot-blue { --tl-dot: #2196f3; } .tl-dot-purple { --tl-dot: #9c27b0; }
.tl-dot-pink { --tl-dot: #e91e63; }
.tl-side { display: inline-flex; align-items: center; gap: 0.25rem; flex-wrap: wrap;
  justify-content: flex-end; }
.tl-flag { font-size: 20px; }
.tl-act { width: 2rem; height: 2rem; border: 0; border-radius: 9999px; background: transparent;
  color: inherit; opacity: 0.7; cursor: pointer; display: inline-flex; align-items: center;
  justify-content: center; padding: 0; }
.tl-act .q-icon { font-size: 20px; }
/* Phones: the title gets the row (Edit and Delete live in the row's menu) and each button is a
   44 px touch target; a touch screen of any width gets the same targets. Wide screens: the times
   line sits on the title's line, so a one-line task is one line. */
@media (max-width: 599px) { .tl-act.tl-wide-only { display: none; } }
@media (max-width: 599px), (pointer: coarse) { .tl-act { width: 44px; height: 44px; } }
@media (min-width: 768px) {
  .tl-row::after { flex-basis: auto; order: 1; padding-left: 0; white-space: nowrap; }
  .tl-row > .tl-parts > .tl-side { order: 2; }
  .tl-row > .tl-parts > .tl-wide { order: 3; }
}
.tl-wide { unicode-bidi: plaintext; text-align: start; }
.tl-act:hover { opacity: 1; background: rgba(127, 127, 127, 0.15); }
.tl-act:focus-visible { opacity: 1; outline: 2px solid var(--q-primary); outline-offset: 1px; }
"""

# Client-side halves of drag and drop and of Alt+Arrow, on the rows' container (one listener
# each, not one per row). Only ids and the side of the drop travel to the server.
_CLEAR = (
    "c.querySelectorAll('.tl-drop-before,.tl-drop-after,.tl-dragging').forEach("
    "x => x.classList.remove('tl-drop-before', 'tl-drop-after', 'tl-dragging'))"
)
DRAG_START_JS = f"""(e) => {{
  const row = e.target.closest && e.target.closest('[data-task]');
  if (!row || row !== e.target) return;
  e.dataTransfer.setData('{TASK_TYPE}', row.dataset.task);
  e.dataTransfer.setData('text/plain', row.dataset.task);
  e.dataTransfer.effectAllowed = 'move';
  row.classList.add('tl-dragging');
}}"""
DRAG_END_JS = f'(e) => {{ const c = e.currentTarget; {_CLEAR}; }}'
DRAG_OVER_JS = f"""(e) => {{
  if (!Array.from(e.dataTransfer.types).includes('{TASK_TYPE}')) return;
  const c = e.currentTarget;
  const row = e.target.closest && e.target.closest('[data-task]');
  if (!row || !c.contains(row)) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'move';
  const box = row.getBoundingClientRect();
  const after = e.clientY > box.top + box.height / 2;
  c.querySelectorAll('.tl-drop-before,.tl-drop-after').forEach(x => {{
    if (x !== row) x.classList.remove('tl-drop-before', 'tl-drop-after');
  }});
  row.classList.toggle('tl-drop-after', after);
  row.classList.toggle('tl-drop-before', !after);
}}"""
DRAG_LEAVE_JS = """(e) => {
  const c = e.currentTarget;
  if (e.relatedTarget && c.contains(e.relatedTarget)) return;
  c.querySelectorAll('.tl-drop-before,.tl-drop-after').forEach(
    x => x.classList.remove('tl-drop-before', 'tl-drop-after'));
}"""
DROP_JS = f"""(e) => {{
  const c = e.currentTarget;
  const id = e.dataTransfer.getData('{TASK_TYPE}');
  const row = e.target.closest && e.target.closest('[data-task]');
  {_CLEAR};
  if (!id || !row || !c.contains(row)) return;
  e.preventDefault();
  const box = row.getBoundingClientRect();
  emit({{id: Number(id), target: Number(row.dataset.task),
        after: e.clientY > box.top + box.height / 2}});
}}"""
# A row's buttons are plain HTML inside one element per row (no server element, no listener
# each): a click on any of them reaches the server once, as the action and the row's id.
ACTION_JS = """(e) => {
  const button = e.target.closest && e.target.closest('[data-action]');
  if (!button || !e.currentTarget.contains(button)) return;
  const row = button.closest('[data-task]');
  if (!row) return;
  emit({action: button.dataset.action, id: Number(row.dataset.task)});
}"""
ACTIONS = ('edit', 'delete', 'more')
KEY_JS = """(e) => {
  if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
  const row = e.target.closest && e.target.closest('[data-task]');
  if (!row) return;
  e.preventDefault();
  emit({id: Number(row.dataset.task), up: e.key === 'ArrowUp'});
}"""


_styled: weakref.WeakKeyDictionary[Client, set[str]] = weakref.WeakKeyDictionary()


def style_once(client: Client, name: str, css: str) -> None:
    """Add a stylesheet once per page (each TaskRows or form would otherwise add its own)."""
    seen = _styled.setdefault(client, set())
    if name not in seen:
        ui.add_css(css)
        seen.add(name)


def row_meta(task: TaskRead, now: datetime) -> str:
    meta = f'Added {relative(task.created_at, now)}'
    if task.completed_at:
        meta += f' · done {relative(task.completed_at, now)}'
    elif task.updated_at > task.created_at:
        meta += f' · edited {relative(task.updated_at, now)}'
    return meta


def _due_colour(task: TaskRead, today: date, now: datetime) -> str:
    if task.completed:
        return 'text-slate-500'
    if is_overdue(task, today, now=now):
        return 'text-negative'
    if task.due_date == today:
        return 'text-positive'
    return 'text-slate-600'


def _due_title(task: TaskRead, now: datetime) -> str:
    if task.due_date is None:
        return ''
    text = f'Due {task.due_date:%A} {task.due_date.day} {task.due_date:%B %Y}'
    if task.due_time is not None:
        text += f' at {task.due_time:%H:%M}'
        if task.due_at is not None and not task.completed:
            text += f' ({until(task.due_at, now)})'
    return text


@dataclass
class _Row:
    card: ui.card
    task: TaskRead
    look: tuple[Any, ...]
    side: ui.html
    box: ui.checkbox


def icon_html(name: str, extra: str = '', label: str | None = None) -> str:
    named = (
        f' role="img" aria-label="{html.escape(label)}" title="{html.escape(label)}"'
        if label
        else ' aria-hidden="true"'
    )
    return f'<i class="q-icon notranslate material-icons {extra}"{named}>{name}</i>'


def _button(action: str, icon: str, label: str, extra: str = '') -> str:
    popup = ' aria-haspopup="menu"' if action == 'more' else ''
    return (
        f'<button type="button" class="tl-act {extra}" data-action="{action}"'
        f' aria-label="{label}" title="{label}"{popup}>{icon_html(icon)}</button>'
    )


class TaskRows:
    """The tasks on screen, one row per task, kept by id.

    `show` rebuilds only the rows whose task looks different, drops the ones gone and moves the
    rest into place: a live update caused by one toggle in another tab costs one row, not a page
    of them, and leaves the other rows (and whatever the person is pointing at) alone. Buttons
    find their task by id when pressed, so a row whose task only got a new version or position
    stays as it is (and keeps focus).

    With `on_move`, rows can be dragged into another place, moved with Alt+ArrowUp/Down, or with
    the row menu's Move up/down (touch screens have no drag and drop). With `on_move_to_list`
    the menu offers Move to list…, and a row can be dragged onto a list in the sidebar."""

    def __init__(
        self,
        on_complete: CompleteHandler,
        on_edit: TaskHandler,
        on_delete: TaskHandler,
        *,
        on_move: MoveHandler | None = None,
        on_move_to_list: TaskHandler | None = None,
        on_assign: TaskHandler | None = None,
        on_refused: Callable[[TaskRead], None] | None = None,
    ) -> None:
        self._on_complete = on_complete
        self._on_assign = on_assign
        self._on_refused = on_refused  # an action on a view-only task came anyway: say why not
        # Shared lists: the ones this person may only view (their rows take no action), the
        # ones whose tasks may be assigned, and who is who (user id -> email).
        self._locked: frozenset[int] = frozenset()
        self._shared: frozenset[int] = frozenset()
        self._people: dict[uuid.UUID, str] = {}
        self._on_edit = on_edit
        self._on_delete = on_delete
        self._on_move = on_move
        self._on_move_to_list = on_move_to_list
        self._rows: dict[int, _Row] = {}
        self._today = datetime.now(UTC).date()
        self._lists: dict[int, tuple[str, str]] | None = None
        self._menu: ui.menu | None = None
        self.container = ui.column().classes('w-full gap-2').mark('task-rows')
        style_once(self.container.client, 'rows', ROW_CSS)
        self.container.on('click', self._clicked, js_handler=ACTION_JS)
        if self.draggable:
            self.container.on('dragstart', js_handler=DRAG_START_JS)
            self.container.on('dragend', js_handler=DRAG_END_JS)
        if on_move is not None:
            self.container.on('dragover', js_handler=DRAG_OVER_JS)
            self.container.on('dragleave', js_handler=DRAG_LEAVE_JS)
            self.container.on('drop', self._dropped, js_handler=DROP_JS)
            self.container.on('keydown', self._key, js_handler=KEY_JS)

    @property
    def draggable(self) -> bool:
        return self._on_move is not None or self._on_move_to_list is not None

    # ------------------------------------------------------------------ rows

    def _look(self, task: TaskRead) -> tuple[Any, ...]:
        """What a row shows that only a rebuild changes (times and colours change in place)."""
        chip = self._lists.get(task.list_id) if self._lists is not None else None
        return (
            task.title,
            task.description,
            task.completed,
            due_text(task, self._today),
            task.priority,
            chip,
            task.list_id in self._locked,
            self._people.get(task.assignee_id) if task.assignee_id is not None else None,
        )

    def locked(self, task: TaskRead) -> bool:
        """In a list shared with this person to view only."""
        return task.list_id in self._locked

    def _row(self, task: TaskRead, now: datetime) -> _Row:
        task_id = task.id
        card = ui.card().props('flat bordered').classes('w-full px-3 py-1 tl-row')
        card.props['data-task'] = str(task_id)
        card.props['tabindex'] = '0'
        card.props['aria-label'] = task.title
        locked = self.locked(task)
        if self.draggable and not locked:
            card.props['draggable'] = 'true'
        if self._on_move is not None and not locked:
            card.props['aria-keyshortcuts'] = 'Alt+ArrowUp Alt+ArrowDown'
        with card.mark(f'task-{task_id}'):
            # The checkbox's label is the title, so its accessible name is the title too.
            box = ui.checkbox(
                task.title,
                value=task.completed,
                on_change=lambda event: self._complete(task_id, bool(event.value)),
            )
            box.classes('text-base' + (' tl-done' if task.completed else '')).mark(
                f'toggle-{task_id}'
            )
            if locked:
                box.disable()
            # List chip, due chip, priority flag and the buttons: one element, drawn as HTML
            # (escaped here, sanitized again in the browser), so a row costs three server
            # elements instead of nine. Its buttons reach the server through the
            # container's one click listener (ACTION_JS).
            # The description is in it too, below the title (the element's box is `display:
            # contents`, so its two parts are the card's own flex items).
            side = ui.html('', tag='span').classes('tl-parts').mark(f'side-{task_id}')
        row = _Row(card=card, task=task, look=self._look(task), side=side, box=box)
        self._paint(row, now)
        return row

    def _side(self, task: TaskRead, now: datetime) -> str:
        parts: list[str] = []
        if self._lists is not None and task.list_id in self._lists:
            name, colour = self._lists[task.list_id]
            parts.append(
                f'<span class="tl-chip tl-list tl-dot-{html.escape(colour)}" data-part="list">'
                f'{html.escape(name)}</span>'
            )
        if task.due_date is not None:
            parts.append(
                f'<span class="tl-chip {_due_colour(task, self._today, now)}" data-part="due"'
                f' title="{html.escape(_due_title(task, now))}">'
                f'{html.escape(due_text(task, self._today))}</span>'
            )
        if task.priority in PRIORITY_COLOURS:
            colour = PRIORITY_COLOURS[task.priority]
            flag = icon_html(
                'flag', f'tl-flag text-{colour}', f'Priority: {PRIORITY_NAMES[task.priority]}'
            )
            parts.append(flag.replace('<i ', '<i data-part="priority" ', 1))
        if task.assignee_id is not None and task.assignee_id in self._people:
            email = html.escape(self._people[task.assignee_id])
            parts.append(
                f'<span class="tl-chip tl-person" data-part="assignee" role="img"'
                f' aria-label="Assigned to {email}" title="Assigned to {email}">'
                f'{html.escape(initials(self._people[task.assignee_id]))}</span>'
            )
        if self.locked(task):
            parts.append(icon_html('visibility', 'tl-flag text-slate-500', 'View only'))
        else:
            parts.append(_button('edit', 'edit', 'Edit', 'tl-wide-only'))
            parts.append(_button('delete', 'delete', 'Delete', 'text-negative tl-wide-only'))
            parts.append(_button('more', 'more_vert', 'More actions'))  # phones: Edit, Delete
        side = f'<span class="tl-side">{"".join(parts)}</span>'
        if task.description:
            side += (
                '<div class="tl-wide pl-10 text-sm opacity-80 whitespace-pre-wrap break-words"'
                f' data-part="description">{html.escape(task.description)}</div>'
            )
        return side

    def _paint(self, row: _Row, now: datetime) -> None:
        """The parts of a row that time changes: the times line and the due chip."""
        task = row.task
        row.card.props['data-meta'] = row_meta(task, now)
        row.card.props['title'] = f'Created {absolute(task.created_at)}'
        side = self._side(task, now)
        if row.side.content != side:
            row.side.content = side

    def _build(self, task: TaskRead, now: datetime, index: int) -> None:
        known = self._rows.pop(task.id, None)
        if known is not None:
            known.card.delete()
        with self.container:
            row = self._row(task, now)
        row.card.move(self.container, target_index=index)
        self._rows[task.id] = row

    def show(
        self,
        items: list[TaskRead],
        *,
        today: date | None = None,
        lists: Mapping[int, tuple[str, str]] | None = None,
        locked: Collection[int] = (),
        shared: Collection[int] = (),
        people: Mapping[uuid.UUID, str] | None = None,
    ) -> None:
        """Show `items` in this order. `today` is the person's date (due chips say 'Today' by
        it); `lists` (list id -> (name, colour)) adds a chip naming each task's list. Tasks in
        `locked` lists are shown without actions (shared to view only); those in `shared` lists
        can be assigned to one of `people` (user id -> email), whose initials the row shows."""
        now = datetime.now(UTC)
        self._today = today or self._today
        self._lists = dict(lists) if lists is not None else None
        self._locked = frozenset(locked)
        self._shared = frozenset(shared)
        self._people = dict(people or {})
        wanted = {task.id for task in items}
        for task_id in [task_id for task_id in self._rows if task_id not in wanted]:
            self._rows.pop(task_id).card.delete()
        children = self.container.default_slot.children
        for index, task in enumerate(items):
            known = self._rows.get(task.id)
            if known is None or known.look != self._look(task):
                self._build(task, now, index)
                continue
            if known.task != task:
                known.task = task
                self._paint(known, now)
            if children.index(known.card) != index:
                known.card.move(self.container, target_index=index)

    def update(self, task: TaskRead) -> None:
        """Show a change this tab just made, in place, before the list is re-sorted."""
        known = self._rows.get(task.id)
        if known is None or known.task == task:
            return
        if known.look != self._look(task):
            index = self.container.default_slot.children.index(known.card)
            self._build(task, datetime.now(UTC), index)
        else:
            known.task = task
            self._paint(known, datetime.now(UTC))

    def tick(self, now: datetime | None = None) -> None:
        """Bring every relative time ('added 5 min ago', 'in 3 h') up to `now`."""
        now = now or datetime.now(UTC)
        for row in self._rows.values():
            self._paint(row, now)

    def order(self) -> list[int]:
        """The task ids on screen, top to bottom."""
        return [int(card.props['data-task']) for card in self.container.default_slot.children]

    # ------------------------------------------------------------------ actions

    def _task(self, task_id: int) -> TaskRead | None:
        row = self._rows.get(task_id)
        return row.task if row is not None else None

    async def _call(self, handler: TaskHandler, task_id: int) -> None:
        task = self._task(task_id)
        if task is not None:
            await handler(task)

    def _refused(self, task: TaskRead) -> bool:
        """Whether an action on `task` is refused here: its list is shared to view only. Its
        controls are absent or disabled, so only a crafted event gets this far; it is told why."""
        if not self.locked(task):
            return False
        if self._on_refused is not None:
            self._on_refused(task)
        return True

    async def _complete(self, task_id: int, value: bool) -> None:
        task = self._task(task_id)
        if task is None or value == task.completed:
            return
        if self._refused(task):
            self._rows[task_id].box.value = task.completed  # the box shows what is true
            return
        await self._on_complete(task, value)

    def _clicked(self, event: GenericEventArguments) -> None:
        args = event.args
        if isinstance(args, dict) and args.get('action') in ACTIONS and _whole(args.get('id')):
            self.act(args['id'], args['action'])

    def act(self, task_id: int, action: str) -> None:
        """A row's button was pressed: Edit or Delete (handled by the page), or More (its
        menu, opened at once)."""
        task = self._task(task_id)
        if task is None or self._refused(task):
            return
        if action in ('edit', 'delete'):
            handler = self._on_edit if action == 'edit' else self._on_delete

            async def run() -> None:
                with self.container:  # as NiceGUI runs an async handler: in its element's slot
                    await self._call(handler, task_id)

            background_tasks.create(run(), name=f'tasklight {action}')
        elif action == 'more' and task_id in self._rows:
            self._open_menu(task_id)

    def _open_menu(self, task_id: int) -> None:
        """The row's menu, built when opened (one at a time): rows stay cheap."""
        if self._menu is not None and not self._menu.is_deleted:
            self._menu.delete()
        order = self.order()
        index = order.index(task_id) if task_id in order else -1
        card = self._rows[task_id].card
        with card, ui.menu().props('no-parent-event') as menu:
            # First, for phones, where the row shows only this menu's button.
            ui.menu_item('Edit', on_click=lambda: self.act(task_id, 'edit')).mark(
                f'menu-edit-{task_id}'
            )
            ui.menu_item('Delete', on_click=lambda: self.act(task_id, 'delete')).mark(
                f'menu-delete-{task_id}'
            )
            if self._on_move is not None:
                up = ui.menu_item('Move up', on_click=lambda: self.step(task_id, up=True))
                up.mark(f'move-up-{task_id}').set_enabled(index > 0)
                down = ui.menu_item('Move down', on_click=lambda: self.step(task_id, up=False))
                down.mark(f'move-down-{task_id}').set_enabled(0 <= index < len(order) - 1)
            if self._on_move_to_list is not None:
                ui.menu_item(
                    'Move to list…', on_click=lambda: self._call(self._to_list, task_id)
                ).mark(f'move-to-list-{task_id}')
            if self._on_assign is not None and self._rows[task_id].task.list_id in self._shared:
                ui.menu_item('Assign…', on_click=lambda: self._call(self._assign, task_id)).mark(
                    f'assign-{task_id}'
                )
        for item in menu.descendants():
            if isinstance(item, ui.menu_item):
                item.props['role'] = 'menuitem'
        menu.props['target'] = f'#c{card.id} [data-action="more"]'
        menu.mark(f'menu-{task_id}')
        self._menu = menu
        menu.open()

    async def _to_list(self, task: TaskRead) -> None:
        if self._on_move_to_list is not None:
            await self._on_move_to_list(task)

    async def _assign(self, task: TaskRead) -> None:
        if self._on_assign is not None:
            await self._on_assign(task)

    async def step(self, task_id: int, *, up: bool) -> None:
        """Move a task one place up or down (the row menu, Alt+ArrowUp/Down)."""
        order = self.order()
        if task_id not in order:
            return
        index = order.index(task_id)
        if up and index > 0:
            await self.move(task_id, before_id=order[index - 1])
        elif not up and index < len(order) - 1:
            await self.move(task_id, after_id=order[index + 1])
        else:
            self._focus(task_id)  # at the end already: stay put, focus too

    async def move(
        self, task_id: int, *, before_id: int | None = None, after_id: int | None = None
    ) -> None:
        """Put the row in its new place at once, keep focus on it, and tell the page."""
        task = self._task(task_id)
        target = before_id if before_id is not None else after_id
        if self._on_move is None or task is None or target is None or target == task_id:
            return
        if self._refused(task):
            return
        if (before_id is None) == (after_id is None) or target not in self._rows:
            return
        order = self.order()
        order.remove(task_id)
        index = order.index(target) + (1 if after_id is not None else 0)
        if self.order().index(task_id) == index:
            return  # dropped where it already is
        self._rows[task_id].card.move(self.container, target_index=index)
        self._focus(task_id)
        await self._on_move(task, before_id, after_id)

    def _focus(self, task_id: int) -> None:
        row = self._rows.get(task_id)
        if row is not None:
            # After the browser has moved the row (moving a node drops its focus).
            with self.container:
                ui.run_javascript(
                    f'requestAnimationFrame(() => getHtmlElement({row.card.id})?.focus())'
                )

    async def _dropped(self, event: GenericEventArguments) -> None:
        args = event.args
        if not isinstance(args, dict):
            return
        task_id, target, after = args.get('id'), args.get('target'), args.get('after')
        if not (_whole(task_id) and _whole(target) and isinstance(after, bool)):
            return
        if after:
            await self.move(task_id, after_id=target)  # type: ignore[arg-type]
        else:
            await self.move(task_id, before_id=target)  # type: ignore[arg-type]

    async def _key(self, event: GenericEventArguments) -> None:
        args = event.args
        if isinstance(args, dict) and _whole(args.get('id')) and isinstance(args.get('up'), bool):
            await self.step(args['id'], up=args['up'])


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


class AddHandler(Protocol):
    """A new task: title, description, due date, due time, priority, and `list_id` only when
    the person named a list (else the caller's own choice); an error message or None."""

    def __call__(
        self,
        title: str,
        description: str,
        due_date: date | None,
        due_time: time | None,
        priority: int,
        /,
        *,
        list_id: int | None = None,
    ) -> Awaitable[str | None]: ...


Today = Callable[[], date]
TIME_ERROR = 'Enter a time like 14:30, or clear it.'


def _utc_today() -> date:
    return datetime.now(UTC).date()


def parse_day(value: Any) -> date | None:
    """A ui.date value ('YYYY-MM-DD') as a date; anything else (cleared, garbled) is None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_time(value: Any) -> time | None:
    """'14:30' as a time; '' or None is no time. ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    parsed = time.fromisoformat(value.strip())
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def _time_ok(value: Any) -> bool:
    try:
        parse_time(value)
    except ValueError:
        return False
    return True


# The person's week start as Quasar's date picker counts it (0 is Sunday).
FIRST_DAY = {'sunday': 0, 'monday': 1, 'saturday': 6}


class DuePicker:
    """A due-date button: its menu holds quick picks (Today, Tomorrow, Next week, No date), a
    calendar and an optional time. The button says the choice ('Tomorrow 09:00').

    With `lazy`, the menu is built when the button first opens it (the new-task form on every
    dashboard: nine server elements that most visits never use); the choice lives here, so
    reading and setting it does not build anything.

    Marks (with the given prefix): `<p>-due` (the calendar, its value 'YYYY-MM-DD'), `<p>-time`,
    `<p>-due-button`, `<p>-due-today`, `<p>-due-tomorrow`, `<p>-due-next-week`, `<p>-due-none`."""

    def __init__(
        self,
        prefix: str,
        *,
        today: Today,
        due_date: date | None = None,
        due_time: time | None = None,
        week_start: str = 'monday',
        lazy: bool = False,
    ) -> None:
        self._prefix = prefix
        self._today = today
        self._first_day = FIRST_DAY.get(week_start, 1)
        self._day: str | None = due_date.isoformat() if due_date else None
        self._at: str = f'{due_time:%H:%M}' if due_time else ''
        self._listeners: list[Callable[[], None]] = []
        self.menu: ui.menu | None = None
        self.date: ui.date | None = None
        self.time: ui.input | None = None
        self.button = ui.button(icon='event', on_click=self.open).props('outline dense no-caps')
        self.button.classes('px-2 text-slate-700').mark(f'{prefix}-due-button')
        self.button.props['aria-haspopup'] = 'dialog'
        if not lazy:
            self._build()
        self._say()

    def _build(self) -> ui.menu:
        if self.menu is not None:
            return self.menu
        prefix = self._prefix
        with (
            self.button,
            ui.menu().props('no-parent-event') as menu,
            ui.column().classes('p-3 gap-2'),
        ):
            with ui.row().classes('gap-1'):
                for label, key, days in (
                    ('Today', 'today', 0),
                    ('Tomorrow', 'tomorrow', 1),
                    ('Next week', 'next-week', None),
                    ('No date', 'none', -1),
                ):
                    ui.button(label, on_click=lambda d=days: self._quick(d)).props(
                        'flat dense no-caps size=sm color=primary'
                    ).mark(f'{prefix}-due-{key}')
            self.date = (
                ui.date(value=self._day, on_change=self._changed)
                .props(f'minimal flat bordered first-day-of-week={self._first_day}')
                .mark(f'{prefix}-due')
            )
            self.date.props['aria-label'] = 'Due date'
            self.time = (
                ui.input(
                    'Time (optional)',
                    value=self._at,
                    validation={TIME_ERROR: _time_ok},
                    on_change=self._time_changed,
                )
                .props('type=time dense outlined clearable')
                .classes('w-full')
                .mark(f'{prefix}-time')
            )
        self.menu = menu
        return menu

    def open(self) -> None:
        self._build().open()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever the date or the time changes (chosen or set)."""
        self._listeners.append(callback)

    @property
    def due_date(self) -> date | None:
        return parse_day(self._day)

    @property
    def due_time(self) -> time | None:
        """The time chosen; ValueError when what is in the field is not a time."""
        return parse_time(self._at)

    @property
    def time_text(self) -> str:
        """The time field as typed (a time that does not parse stays text)."""
        return self._at

    def set(self, due_date: date | None, due_time: time | None) -> None:
        self._choose(
            due_date.isoformat() if due_date else None, f'{due_time:%H:%M}' if due_time else ''
        )
        if self.time is not None:
            self.time.error = None
        self._say()

    def set_date(self, due_date: date | None) -> None:
        """As the calendar does: no date drops the time of day too."""
        day = due_date.isoformat() if due_date else None
        self._choose(day, self._at if day else '')

    def set_time(self, due_time: time | None) -> None:
        self._choose(self._day, f'{due_time:%H:%M}' if due_time else '')

    def validate(self) -> bool:
        """Whether the time is a time; if not, the menu opens with the error shown."""
        if self.time is None and _time_ok(self._at):
            return True  # nothing typed in a field that is not built yet
        self._build()
        assert self.time is not None
        if self.time.validate():
            return True
        self.open()
        return False

    def show_error(self, message: str) -> None:
        self.open()
        assert self.time is not None
        self.time.error = message

    def _choose(self, day: str | None, at: str) -> None:
        changed = (day, at) != (self._day, self._at)
        self._day, self._at = day, at
        if self.date is not None and self.time is not None:
            self.time.value = at
            self.date.value = day
        if changed:
            self._say()
            self._changes()

    def _changes(self) -> None:
        for callback in self._listeners:
            callback()

    def _quick(self, days: int | None) -> None:
        today = self._today()
        if days == -1:
            self.set(None, None)
        elif days is None:  # next week: its first day (the person's week start)
            ahead = (self._first_day - (today.weekday() + 1)) % 7 or 7
            self.set_date(today + timedelta(days=ahead))
        else:
            self.set_date(today + timedelta(days=days))
        if self.menu is not None:
            self.menu.close()

    def _changed(self) -> None:
        assert self.date is not None
        day = self.date.value or None
        self._choose(day, self._at if day else '')  # no date, no time of day

    def _time_changed(self) -> None:
        assert self.time is not None
        at = self.time.value or ''
        day = self._day
        if at and _time_ok(at) and day is None:
            day = self._today().isoformat()  # a time alone means today
        self._choose(day, at)

    def _say(self) -> None:
        try:
            at = self.due_time
        except ValueError:
            at = None
        words = due_words(self.due_date, at, self._today())
        self.button.text = words or 'Due date'
        self.button.props['aria-label'] = f'Due date: {words}' if words else 'Due date: none'


def priority_select(prefix: str, value: int = 0) -> ui.select:
    """None / Low / Medium / High, with a flag in the priority's colour. Mark `<p>-priority`."""
    select = (
        ui.select(PRIORITY_OPTIONS, value=value, label='Priority')
        .props('dense outlined options-dense')
        .classes('min-w-[9rem]')
        .mark(f'{prefix}-priority')
    )
    with select.add_slot('prepend'):
        flag = ui.icon('flag', size='20px')

    def paint() -> None:
        colour = PRIORITY_COLOURS.get(select.value or 0)
        flag.props(f'color={colour}' if colour else 'color=grey-5')

    select.on_value_change(paint)
    paint()
    return select


async def _send_task(form: Any, button: ui.button, handler: AddHandler) -> str | None:
    """A whole task from a form's fields (a dialog whose task was deleted) to `handler`."""
    return await _send(
        button,
        handler,
        (
            form.title.value or '',
            form.description.value or '',
            form.due.due_date,
            form.due.due_time,
            int(form.priority.value or 0),
        ),
    )


async def _send(
    button: ui.button,
    handler: AddHandler,
    values: tuple[str, str, date | None, time | None, int],
    list_id: int | None = None,
) -> str | None:
    """`values` to `handler` with `button` disabled meanwhile; the handler's error or None."""
    button.disable()
    try:
        if list_id is None:
            return await handler(*values)
        return await handler(*values, list_id=list_id)
    finally:
        button.enable()


EMPTY_TITLE = 'Enter a title for the task.'
ONLY_PARTS = 'Enter a title besides the date, priority and list.'


class NewTaskForm:
    """Title with counter; optional due date and time, priority and description. Enter or Add
    saves and clears (back to `default_due`), errors stay put, and go as soon as the title is
    put right.

    The title is read as it is typed (components.quick_add): a date, a time, `!1`…`!4` and
    `#List` in it set those, shown as chips that can be undone. What the person did last wins:
    choosing a due date (or time) or a priority with the form's own controls after the text said
    one undoes what the text said (the words stay in the title); a phrase typed after that wins
    again. A date in the text replaces the picker's date and time; a time alone keeps the
    picker's date (else today).

    What is typed goes to the browser's drafts as it is typed (see components.drafts)."""

    def __init__(
        self,
        on_add: AddHandler,
        *,
        default_due: date | None = None,
        today: Today | None = None,
        week_start: str = 'monday',
        lists: Sequence[tuple[int, str]] = (),
    ) -> None:
        self._on_add = on_add
        self._added = False
        self._default_due = default_due
        self._today = today or _utc_today
        self._resetting = False  # the form itself sets the picker and select: not the person
        style_once(ui.context.client, 'rows', ROW_CSS)
        rules = {
            EMPTY_TITLE: lambda value: bool((value or '').strip()),
            ONLY_PARTS: lambda value: bool(self.quick.text_says(value).title),
            **{message: rule for message, rule in TITLE_RULES.items() if message != EMPTY_TITLE},
        }
        with ui.card().props('flat bordered').classes('w-full p-3 gap-2') as self.card:
            with ui.row().classes('w-full items-start no-wrap gap-2'):
                self.title = (
                    ui.input('New task', placeholder='What needs doing?', validation=rules)
                    .without_auto_validation()
                    .props(f'outlined dense counter maxlength={TITLE_MAX}')
                    .classes('flex-1 min-w-0')
                    .mark('new-title')
                )
                self.add = (
                    ui.button('Add', icon='add')
                    .props('unelevated no-caps')
                    .classes('mt-[2px]')
                    .mark('new-add')
                )
            self.quick = QuickAdd(self.title, today=self._today, week_start=week_start, lists=lists)
            with ui.row().classes('w-full items-center gap-2'):
                self.due = DuePicker(
                    'new', today=self._today, due_date=default_due, week_start=week_start, lazy=True
                )
                self.priority = priority_select('new')
            with (
                ui.expansion('Add a description')
                .props('dense')
                .classes('w-full text-sm opacity-80') as self.more
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
        self.title.on_value_change(self._typed)
        self.due.on_change(lambda: self._chose('date', 'time'))
        self.priority.on_value_change(lambda: self._chose('priority'))
        self.add.on_click(self.submit)
        self.title.on('keydown.enter', self.submit)

    def set_lists(self, lists: Sequence[tuple[int, str]]) -> None:
        """The lists `#Name` may name: (id, name) of those the person may add to."""
        self.quick.set_lists(lists)

    def _typed(self) -> None:
        """An error shown goes as soon as the title is put right (no new one while typing)."""
        if self.title.error is not None:
            self.title.validate()

    def _chose(self, *kinds: Kind) -> None:
        if not self._resetting:
            self.quick.undo_kinds(kinds)

    def values(self) -> tuple[tuple[str, str, date | None, time | None, int], int | None]:
        """What Add sends: the text's reading, and the form's controls for what it does not say.
        ValueError when the picker's time is not a time."""
        said = self.quick.read()
        due_date, due_time = self.due.due_date, self.due.due_time
        if said.due_date is not None:
            due_date, due_time = said.due_date, said.due_time
        elif said.due_time is not None:
            due_date, due_time = due_date or self._today(), said.due_time
        priority = said.priority if said.priority is not None else int(self.priority.value or 0)
        values = (said.title, self.description.value or '', due_date, due_time, priority)
        return values, said.list_id

    async def submit(self) -> None:
        if not (self.title.validate() and self.description.validate()):
            return
        if not self.due.validate():
            return
        values, list_id = self.values()
        error = await _send(self.add, self._on_add, values, list_id)
        if error:
            self.title.error = error
            return
        self._added = True
        self._resetting = True
        try:
            self.quick.keep.clear()
            self.title.value = ''
            self.description.value = ''
            self.title.error = None
            self.due.set(self._default_due, None)
            self.priority.value = 0
        finally:
            self._resetting = False
        self.more.close()
        self.title.run_method('focus')

    def restore(self, typed: dict[str, str]) -> bool:
        """Put back text typed before a reload, into fields still empty; True if any was.

        Not once a task has been added from this form: the browser's copy, read while the page
        connected, is then most likely that task's text (typed at once into the focused field)."""
        if self._added:
            return False
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
# The changes may hold 'title', 'description' (str), 'due_date' (date | None), 'due_time'
# (time | None) and 'priority' (int), each only when changed.
SaveChanges = Callable[[dict[str, Any], int], Awaitable[TaskRead]]
TEXT_FIELDS = ('title', 'description')
FIELDS = ('title', 'description', 'due_date', 'due_time', 'priority')
STALE = (
    'Someone changed this task while you were editing it (another tab or device). Fields you did '
    'not touch now show the new values; where you both changed a field, choose which to keep.'
)
GONE = 'This task was deleted while you were editing it (another tab or device). Your text is kept.'
RESOLVE = 'Choose “Keep mine” or “Use theirs” for each highlighted field, then Save.'


def shown(name: str, value: Any) -> str:
    """A field's value as the conflict box shows it."""
    if name == 'due_date':
        return f'{value:%a} {value.day} {value:%b %Y}' if isinstance(value, date) else 'No date'
    if name == 'due_time':
        return f'{value:%H:%M}' if isinstance(value, time) else 'No time'
    if name == 'priority':
        return PRIORITY_OPTIONS.get(value, str(value))
    return str(value) if value else '(empty)'


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
        on_save_as_new: AddHandler,
        on_version: Callable[[int, int], None] | None = None,
        on_discard_field: Callable[[str], None] | None = None,
        today: Today | None = None,
        week_start: str = 'monday',
    ) -> None:
        self.base: TaskRead = task
        self._on_save = on_save
        self._on_save_as_new = on_save_as_new
        self._on_version = on_version or (lambda task_id, version: None)
        self._on_discard_field = on_discard_field or (lambda field: None)
        self.theirs: dict[str, Any] = {}  # field -> the other value, while undecided
        self.gone = False
        self.conflicts: dict[str, ui.column] = {}
        with ui.dialog() as self.dialog, ui.card().classes('w-full max-w-lg gap-3'):
            self.dialog.props['aria-label'] = 'Edit task'
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
            self._conflict_box('title')
            self.description = (
                ui.textarea('Description', value=task.description, validation=DESCRIPTION_RULES)
                .props(f'outlined autogrow counter maxlength={DESCRIPTION_MAX}')
                .classes('w-full')
                .mark('edit-description')
            )
            self._conflict_box('description')
            with ui.row().classes('w-full items-center gap-2'):
                self.due = DuePicker(
                    'edit',
                    today=today or _utc_today,
                    due_date=task.due_date,
                    due_time=task.due_time,
                    week_start=week_start,
                )
                self.priority = priority_select('edit', task.priority)
            for name in ('due_date', 'due_time', 'priority'):
                self._conflict_box(name)
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
        # However it closes (saved, Cancel, Escape), the browser's copy of this edit is done with.
        self.dialog.on('hide', js_handler=f'() => window.tasklight?.clear("{EDIT}")')

    def _conflict_box(self, name: str) -> None:
        box = ui.column().classes('w-full gap-1').mark(f'conflict-{name}')
        box.set_visibility(False)
        self.conflicts[name] = box

    @property
    def fields(self) -> dict[str, ui.input | ui.textarea]:
        """The text fields (what the browser's drafts keep)."""
        return {'title': self.title, 'description': self.description}

    def value(self, name: str) -> Any:
        """What the dialog holds for a field, typed as the task has it (a time that does not
        parse stays text, so it never equals a stored one)."""
        if name in TEXT_FIELDS:
            return self.fields[name].value or ''
        if name == 'due_date':
            return self.due.due_date
        if name == 'due_time':
            try:
                return self.due.due_time
            except ValueError:
                return self.due.time_text
        return int(self.priority.value or 0)

    def _set(self, name: str, value: Any) -> None:
        if name in TEXT_FIELDS:
            self.fields[name].value = value
        elif name == 'due_date':  # as the calendar does, no date drops the time with it
            self.due.set_date(value if isinstance(value, date) else None)
        elif name == 'due_time':
            self.due.set_time(value if isinstance(value, time) else None)
        else:
            self.priority.value = value

    def changes(self) -> dict[str, Any]:
        """The fields the person changed from the version the dialog holds."""
        return {
            name: self.value(name)
            for name in FIELDS
            if self.value(name) != getattr(self.base, name)
        }

    def open(self) -> None:
        self._on_version(self.base.id, self.base.version)
        self.dialog.open()

    def _say(self, message: str | None) -> None:
        self.banner.text = message or ''
        self.banner.set_visibility(bool(message))

    def merge(self, current: TaskRead) -> None:
        """Take in what the task is now: untouched fields follow it, shared changes ask."""
        for name in FIELDS:
            mine, base, theirs = self.value(name), getattr(self.base, name), getattr(current, name)
            if mine == base:
                if theirs != base:
                    self._set(name, theirs)
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

    def _ask(self, name: str, theirs: Any) -> None:
        self.theirs[name] = theirs
        box = self.conflicts[name]
        box.clear()
        with box:
            ui.label('Changed meanwhile to:').classes('text-xs font-medium')
            ui.label(shown(name, theirs)).classes(
                'w-full text-sm whitespace-pre-wrap break-words rounded px-2 py-1 bg-warning'
                ' text-black'
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
        if name in self.theirs:
            theirs = self.theirs.pop(name)
            if not keep:
                self._set(name, theirs)
                if name in TEXT_FIELDS:
                    self._on_discard_field(name)
        self.conflicts[name].set_visibility(False)
        if not self.theirs:
            self._say(None)

    def _valid(self) -> bool:
        return bool(self.title.validate() and self.description.validate() and self._time_valid())

    def _time_valid(self) -> bool:
        return self.due.validate()

    async def save(self) -> None:
        if self.gone:
            return
        if self.theirs:
            self._say(RESOLVE)
            return
        if not self._valid():
            return
        self.save_button.disable()
        try:
            await self._save()
        finally:
            self.save_button.enable()

    def _field_error(self, error: InvalidInput) -> None:
        if error.field in self.fields:
            self.fields[error.field].error = error.reason
        elif error.field in ('due_date', 'due_time'):
            self.due.show_error(error.reason or error.message)
        elif error.field == 'priority':
            self.priority.error = error.reason or error.message
        else:
            self.title.error = error.message

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
                self._field_error(error)
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
        if not self._valid():
            return
        error = await _send_task(self, self.save_new_button, self._on_save_as_new)
        if error:
            self.title.error = error
        else:
            self.dialog.close()


def confirm_dialog(*, title: str, message: str, confirm: str) -> ui.dialog:
    """Resolves to True only when the confirm button is pressed."""
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-sm gap-3'):
        dialog.props['aria-label'] = title
        ui.label(title).classes('text-lg font-semibold')
        ui.label(message).classes('text-sm text-slate-600 break-words w-full')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat no-caps')
            ui.button(confirm, on_click=lambda: dialog.submit(True)).props(
                'unelevated no-caps color=negative'
            ).mark('confirm')
    return dialog
