"""The left drawer: Inbox, Today, Upcoming, the person's lists, New list, the lists shared
with them, Completed.

Each entry is a real link (a new tab, Back and Forward work as anywhere). Each list accepts a
task row dropped on it (the row puts its id into the drag as `text/x-tasklight-task`)."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from nicegui import ui

from app.models import ListSummary
from components.people import initials
from components.task_list import icon_html


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
# Let the drop happen (the default refuses it) and show where it would land; no round trip.
_OVER = "(e) => { e.preventDefault(); e.currentTarget.classList.add('tl-drop-target'); }"
_LEAVE = "(e) => e.currentTarget.classList.remove('tl-drop-target')"
_DROP = (
    "(e) => { e.preventDefault(); e.currentTarget.classList.remove('tl-drop-target');"
    f" const id = parseInt(e.dataTransfer.getData('{TASK_TYPE}'), 10);"
    ' if (Number.isInteger(id) && id > 0) emit(id); }'
)


class Sidebar:
    """Navigation with counts; `show` redraws it from a fresh overview (a live update)."""

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
        self.overview: Overview | None = None

    def show(self, overview: Overview) -> None:
        if overview == self.overview:
            return  # a live update that changed nothing here keeps the menus and focus as they are
        self.overview = overview
        self.container.clear()
        inbox = next((entry for entry in overview.lists if entry.is_inbox), None)
        others = [entry for entry in overview.lists if not entry.is_inbox and entry.role == 'owner']
        shared = [entry for entry in overview.lists if entry.role != 'owner']
        with self.container:
            if inbox is not None:
                self._entry(
                    'inbox', 'Inbox', '/tasks', icon='inbox', count=inbox.open_count, drop=inbox.id
                )
            self._entry(
                'today',
                'Today',
                '/tasks/today',
                icon='today',
                count=overview.today,
                alert=overview.overdue > 0,
                counted='due',
            )
            self._entry(
                'upcoming',
                'Upcoming',
                '/tasks/upcoming',
                icon='date_range',
                count=overview.upcoming,
                counted='due',
            )
            ui.separator().classes('my-2')
            ui.label('My lists').classes('px-4 pb-1 text-xs font-medium uppercase text-slate-500')
            for index, entry in enumerate(others):
                self._list_entry(entry, first=index == 0, last=index == len(others) - 1)
            new = ui.button('New list', icon='add', on_click=self._on_new_list)
            new.props('flat no-caps align=left').classes('w-full justify-start px-4 text-slate-600')
            new.mark('new-list')
            if shared:
                ui.label('Shared with me').classes(
                    'px-4 pt-2 pb-1 text-xs font-medium uppercase text-slate-500'
                )
                for entry in shared:
                    self._list_entry(entry, first=True, last=True)
            if any(entry.members for entry in overview.lists):
                self._entry(
                    'assigned',
                    'Assigned to me',
                    '/tasks/assigned',
                    icon='assignment_ind',
                    count=0,
                )
            ui.separator().classes('my-2')
            self._entry(
                'completed',
                'Completed',
                '/tasks/completed',
                icon='task_alt',
                count=overview.completed,
                counted='done',
            )

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
    ) -> ui.link:
        """One entry: a link whose inside (icon, name, count) is one HTML element, so that an
        entry costs two server elements instead of six (docs/performance.md, memory)."""
        active = key == self.current
        look = 'text-primary font-medium' if active else 'text-slate-700'
        place = (
            'flex-1 min-w-0'
            if in_row
            else 'w-full rounded-r-full' + (' tl-active' if active else '')
        )
        link = ui.link(target=target).classes(
            f'{place} flex items-center no-wrap gap-3 px-4 py-2 no-underline {look}'
        )
        if icon is not None:
            mark = icon_html(icon, 'text-[20px]')
        else:
            mark = icon_html('circle', f'text-[12px] text-{html.escape(colour or "grey")} mx-1')
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
        with link:
            ui.html(inside, tag='span').classes('contents').mark(f'entry-{key}')
        link.mark(f'nav-{key}')
        if active:
            link.props['aria-current'] = 'page'
        if drop is not None:
            list_id = drop
            link.on('dragover', js_handler=_OVER)
            link.on('dragleave', js_handler=_LEAVE)
            link.on('drop', lambda e: self._dropped(e.args, list_id), js_handler=_DROP)
        return link

    async def _dropped(self, task_id: object, list_id: int) -> None:
        if isinstance(task_id, int) and not isinstance(task_id, bool) and task_id > 0:
            await self._on_drop(task_id, list_id)

    def _list_entry(self, entry: ListSummary, *, first: bool, last: bool) -> None:
        active = f'list-{entry.id}' == self.current
        row = ui.row().classes(
            'w-full items-center no-wrap gap-0 pr-1 rounded-r-full'
            + (' tl-active' if active else '')
        )
        with row:
            self._entry(
                f'list-{entry.id}',
                entry.name,
                f'/lists/{entry.id}',
                colour=entry.colour,
                count=entry.open_count,
                drop=entry.id if entry.role != 'viewer' else None,
                in_row=True,
            )
            if entry.members:  # who has it: initials, the full list in the Share dialog
                names = ', '.join(member.email for member in entry.members)
                faces = ui.label(
                    ' '.join(initials(member.email) for member in entry.members[:3])
                    + (f' +{len(entry.members) - 3}' if len(entry.members) > 3 else '')
                ).classes('text-[10px] font-semibold text-slate-500 whitespace-nowrap pr-1')
                faces.props['title'] = f'Shared: {names}'
                faces.props['aria-label'] = f'Shared with {names}'
                faces.props['role'] = 'img'
                faces.mark(f'members-{entry.id}')
            more = ui.button(
                icon='more_horiz', on_click=lambda: self._open_menu(entry, more, first, last)
            )
            more.props('flat round dense size=sm').classes('text-slate-500')
            more.mark(f'list-menu-{entry.id}')
            more.props['aria-label'] = f'Options for {entry.name}'
            more.props['aria-haspopup'] = 'menu'

    def _open_menu(self, entry: ListSummary, button: ui.button, first: bool, last: bool) -> None:
        """A list's menu, built when opened (one at a time): the sidebar stays cheap."""
        if self._menu is not None and not self._menu.is_deleted:
            self._menu.delete()
        with button, ui.menu().props('no-parent-event') as menu:
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
