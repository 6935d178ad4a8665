"""The left drawer: Inbox, Today, Upcoming, the person's lists, New list, the lists shared
with them, Completed.

Each entry is a real link (a new tab, Back and Forward work as anywhere). Each list accepts a
task row dropped on it (the row puts its id into the drag as `text/x-tasklight-task`).

The entries are plain HTML in two server elements (above and below New list), not six elements
an entry: with ten lists that was a quarter of a dashboard's server memory. The drawer's one
click listener hears a list's Options button and its one drop listener a row dropped on a list;
only ids travel (docs/performance.md, memory per dashboard)."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from nicegui import ui
from nicegui.events import GenericEventArguments

from app.models import ListSummary
from components.people import initials
from components.task_list import icon_html, style_once


class Overview(Protocol):
    """What the sidebar shows (services.lists.Overview has it): lists and the views' counts."""

    @property
    def lists(self) -> Sequence[ListSummary]: ...
    @property
    def today(self) -> int: ...
    @property
    def overdue(self) -> int: ...
    @property
    def upcoming(self) -> int: ...
    @property
    def completed(self) -> int: ...


ListAction = Callable[[ListSummary], Awaitable[None]]
DropHandler = Callable[[int, int], Awaitable[None]]  # (task id, list id)
MoveListHandler = Callable[[ListSummary, int], Awaitable[None]]  # (list, -1 up or +1 down)

TASK_TYPE = 'text/x-tasklight-task'
# Let the drop happen on a list (the default refuses it) and show where it would land; no
# round trip. Anything else dragged, or dropped elsewhere in the drawer, is refused.
_OVER = f"""(e) => {{
  const t = e.target.closest && e.target.closest('[data-drop]');
  if (!t || !Array.from(e.dataTransfer.types).includes('{TASK_TYPE}')) return;
  e.preventDefault();
  t.classList.add('tl-drop-target');
}}"""
_LEAVE = """(e) => {
  const t = e.target.closest && e.target.closest('[data-drop]');
  if (t && !(e.relatedTarget && t.contains(e.relatedTarget))) t.classList.remove('tl-drop-target');
}"""
_DROP = f"""(e) => {{
  e.currentTarget.querySelectorAll('.tl-drop-target').forEach(
    x => x.classList.remove('tl-drop-target'));
  const t = e.target.closest && e.target.closest('[data-drop]');
  if (!t) return;
  e.preventDefault();
  const id = parseInt(e.dataTransfer.getData('{TASK_TYPE}'), 10);
  if (Number.isInteger(id) && id > 0) emit({{task: id, list: Number(t.dataset.drop)}});
}}"""
_CLICK = """(e) => {
  const b = e.target.closest && e.target.closest('[data-list-menu]');
  if (b && e.currentTarget.contains(b)) emit({menu: Number(b.dataset.listMenu)});
}"""
CSS = """
.tl-nav-icon { font-size: 20px; }
.tl-nav-dot { font-size: 12px; margin: 0 0.25rem; }
.tl-nav-more { width: 2rem; height: 2rem; border: 0; border-radius: 9999px; padding: 0;
  background: transparent; color: inherit; cursor: pointer; display: inline-flex;
  align-items: center; justify-content: center; flex-shrink: 0; }
.tl-nav-more .q-icon { font-size: 18px; }
.tl-nav-more:hover { background: rgba(127, 127, 127, 0.15); }
.tl-nav-more:focus-visible { outline: 2px solid var(--q-primary); outline-offset: 1px; }
@media (max-width: 599px), (pointer: coarse) { .tl-nav-more { width: 44px; height: 44px; } }
"""


def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class Sidebar:
    """Navigation with counts; `show` redraws it from a fresh overview (a live update).

    Marks: `sidebar` (the drawer's column, with the click and drop listeners), `sidebar-lists`
    and `sidebar-more` (the HTML above and below `new-list`). In the HTML each entry is an
    `<a data-nav="<key>">` (keys 'inbox', 'today', 'upcoming', 'list-<id>', 'assigned',
    'completed'); a list's Options button is `[data-list-menu="<id>"]`."""

    def __init__(
        self,
        *,
        current: str,
        on_drop: DropHandler,
        on_new_list: Callable[[], Awaitable[None]],
        on_rename: ListAction,
        on_colour: ListAction,
        on_move: MoveListHandler,
        on_delete: ListAction,
        on_share: ListAction,
    ) -> None:
        self.current = current  # 'inbox', 'today', 'upcoming', 'completed' or 'list-<id>'
        self._on_drop = on_drop
        self._on_new_list = on_new_list
        self._on_rename = on_rename
        self._on_colour = on_colour
        self._on_move = on_move
        self._on_delete = on_delete
        self._on_share = on_share
        self._menu: ui.menu | None = None
        self.container = ui.column().classes('w-full gap-0 py-2').props('role=navigation')
        self.container.props['aria-label'] = 'Lists and views'
        self.container.mark('sidebar')
        style_once(self.container.client, 'sidebar', CSS)
        with self.container:
            self._top = ui.html('').classes('w-full').mark('sidebar-lists')
            new = ui.button('New list', icon='add', on_click=self._on_new_list)
            new.props('flat no-caps align=left').classes('w-full justify-start px-4 text-slate-600')
            new.mark('new-list')
            self._bottom = ui.html('').classes('w-full').mark('sidebar-more')
        self.container.on('click', self._clicked, js_handler=_CLICK)
        self.container.on('dragover', js_handler=_OVER)
        self.container.on('dragleave', js_handler=_LEAVE)
        self.container.on('drop', self._dropped, js_handler=_DROP)
        self.overview: Overview | None = None

    def show(self, overview: Overview) -> None:
        if overview == self.overview:
            return  # a live update that changed nothing here keeps the menus and focus as they are
        self.overview = overview
        inbox = next((entry for entry in overview.lists if entry.is_inbox), None)
        others = self._owned()
        shared = [entry for entry in overview.lists if entry.role != 'owner']
        top: list[str] = []
        if inbox is not None:
            top.append(
                self._entry(
                    'inbox', 'Inbox', '/tasks', icon='inbox', count=inbox.open_count, drop=inbox.id
                )
            )
        top.append(
            self._entry(
                'today',
                'Today',
                '/tasks/today',
                icon='today',
                count=overview.today,
                alert=overview.overdue > 0,
                counted='due',
            )
        )
        top.append(
            self._entry(
                'upcoming',
                'Upcoming',
                '/tasks/upcoming',
                icon='date_range',
                count=overview.upcoming,
                counted='due',
            )
        )
        top.append(_SEPARATOR)
        top.append(_heading('My lists'))
        top.extend(self._list_entry(entry) for entry in others)
        bottom: list[str] = []
        if shared:
            bottom.append(_heading('Shared with me', top=True))
            bottom.extend(self._list_entry(entry) for entry in shared)
        if any(entry.members for entry in overview.lists):
            bottom.append(
                self._entry('assigned', 'Assigned to me', '/tasks/assigned', icon='assignment_ind')
            )
        bottom.append(_SEPARATOR)
        bottom.append(
            self._entry(
                'completed',
                'Completed',
                '/tasks/completed',
                icon='task_alt',
                count=overview.completed,
                counted='done',
            )
        )
        self._top.content = ''.join(top)
        self._bottom.content = ''.join(bottom)

    def _owned(self) -> list[ListSummary]:
        lists = self.overview.lists if self.overview is not None else ()
        return [entry for entry in lists if not entry.is_inbox and entry.role == 'owner']

    def _entry(
        self,
        key: str,
        label: str,
        target: str,
        *,
        icon: str | None = None,
        colour: str | None = None,
        count: int = 0,
        alert: bool = False,
        drop: int | None = None,
        counted: str = 'open',
        in_row: bool = False,
    ) -> str:
        active = key == self.current
        look = 'text-primary font-medium' if active else 'text-slate-700'
        place = (
            'flex-1 min-w-0'
            if in_row
            else 'w-full rounded-r-full' + (' tl-active' if active else '')
        )
        attributes = f' data-nav="{key}" href="{html.escape(target)}"'
        if active:
            attributes += ' aria-current="page"'
        if drop is not None:
            attributes += f' data-drop="{drop}"'
        if icon is not None:
            mark = icon_html(icon, 'tl-nav-icon')
        else:
            mark = icon_html('circle', f'tl-nav-dot text-{html.escape(colour or "grey")}')
        inside = f'{mark}<span class="flex-1 min-w-0 truncate">{html.escape(label)}</span>'
        if count:
            tone = 'text-negative font-semibold' if alert else 'text-slate-500'
            # Read after the number ("Work 3 open"): the link's name is what it shows, so
            # speech input can say what it sees.
            spoken = f' {counted}' + (', some overdue' if alert else '')
            inside += (
                f'<span class="text-xs {tone}" data-part="count">{count}</span>'
                f'<span class="tl-sr-only" data-part="spoken">{spoken}</span>'
            )
        return (
            f'<a class="{place} flex items-center no-wrap gap-3 px-4 py-2 no-underline {look}"'
            f'{attributes}>{inside}</a>'
        )

    def _list_entry(self, entry: ListSummary) -> str:
        active = f'list-{entry.id}' == self.current
        link = self._entry(
            f'list-{entry.id}',
            entry.name,
            f'/lists/{entry.id}',
            colour=entry.colour,
            count=entry.open_count,
            drop=entry.id if entry.role != 'viewer' else None,
            in_row=True,
        )
        faces = ''
        if entry.members:  # who has it: initials, the full list in the Share dialog
            names = html.escape(', '.join(member.email for member in entry.members))
            shown = ' '.join(initials(member.email) for member in entry.members[:3]) + (
                f' +{len(entry.members) - 3}' if len(entry.members) > 3 else ''
            )
            faces = (
                '<span class="text-[10px] font-semibold text-slate-500 whitespace-nowrap pr-1"'
                f' role="img" title="Shared: {names}" aria-label="Shared with {names}"'
                f' data-part="members">{html.escape(shown)}</span>'
            )
        more = (
            f'<button type="button" class="tl-nav-more text-slate-500" data-list-menu="{entry.id}"'
            f' aria-label="Options for {html.escape(entry.name)}" aria-haspopup="menu">'
            f'{icon_html("more_horiz")}</button>'
        )
        place = 'w-full flex items-center no-wrap gap-0 pr-1 rounded-r-full' + (
            ' tl-active' if active else ''
        )
        return f'<div class="{place}">{link}{faces}{more}</div>'

    async def _dropped(self, event: GenericEventArguments) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        task_id, list_id = _id(args.get('task')), _id(args.get('list'))
        lists = self.overview.lists if self.overview is not None else ()
        if task_id is None or not any(
            entry.id == list_id and entry.role != 'viewer' for entry in lists
        ):
            return  # not a list shown here that takes tasks (the services check it again)
        assert list_id is not None
        await self._on_drop(task_id, list_id)

    def _clicked(self, event: GenericEventArguments) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        list_id = _id(args.get('menu'))
        lists = self.overview.lists if self.overview is not None else ()
        entry = next((entry for entry in lists if entry.id == list_id and not entry.is_inbox), None)
        if entry is not None:
            self._open_menu(entry)

    def _open_menu(self, entry: ListSummary) -> None:
        """A list's menu, built when opened (one at a time) and shown at its Options button."""
        if self._menu is not None and not self._menu.is_deleted:
            self._menu.delete()
        owned = self._owned()
        first = not owned or owned[0].id == entry.id
        last = not owned or owned[-1].id == entry.id
        with (
            self.container,
            ui.menu().props('no-parent-event anchor="bottom right" self="top right"') as menu,
        ):
            menu.props['target'] = f'[data-list-menu="{entry.id}"]'
            menu.props['aria-label'] = f'Options for {entry.name}'
            if entry.role != 'owner':  # a list shared with this person: who has it, and Leave
                ui.menu_item('People…', lambda: self._on_share(entry)).mark(
                    f'share-list-{entry.id}'
                )
                self._menu = menu
                menu.open()
                return
            ui.menu_item('Share…', lambda: self._on_share(entry)).mark(f'share-list-{entry.id}')
            ui.menu_item('Rename', lambda: self._on_rename(entry)).mark(f'rename-list-{entry.id}')
            ui.menu_item('Colour', lambda: self._on_colour(entry)).mark(f'colour-list-{entry.id}')
            if not first:
                ui.menu_item('Move up', lambda: self._on_move(entry, -1)).mark(
                    f'move-list-up-{entry.id}'
                )
            if not last:
                ui.menu_item('Move down', lambda: self._on_move(entry, 1)).mark(
                    f'move-list-down-{entry.id}'
                )
            ui.separator()
            ui.menu_item('Delete', lambda: self._on_delete(entry)).classes('text-negative').mark(
                f'delete-list-{entry.id}'
            )
        self._menu = menu
        menu.open()


_SEPARATOR = '<hr class="q-separator q-separator--horizontal my-2" aria-hidden="true">'


def _heading(text: str, *, top: bool = False) -> str:
    return (
        f'<div class="px-4 {"pt-2 " if top else ""}pb-1 text-xs font-medium uppercase'
        f' text-slate-500">{html.escape(text)}</div>'
    )
