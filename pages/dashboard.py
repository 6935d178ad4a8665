"""The dashboard: one list (or Today, Upcoming, Completed, a search) beside the sidebar.

A `Dashboard` is one open tab. Its state is the view it shows (`view`, `list_id`, `q`, `page`),
its actions are methods; every change is made through a service as the signed-in person, and
every tab of that person reloads on `task_changes` (see `Reloader`)."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs, urlencode

from nicegui import Client, background_tasks, run, ui
from nicegui.elements.mixins.text_element import TextElement
from pydantic import ValidationError

from app.errors import AppError, NotAuthenticated, NotFound, PreconditionFailed
from app.models import (
    SEARCH_MAX,
    ListRead,
    ListSummary,
    MemberRead,
    SessionInfo,
    TaskPage,
    TaskQuery,
    TaskRead,
)
from components.announce import announce, live_region
from components.drafts import EDIT, NEW, RESTORED, BrowserDrafts, text_fields, whole_number
from components.frame import page_frame
from components.keyboard import PRIORITY_KEYS, shortcuts_dialog, use_keyboard
from components.list_dialogs import (
    ListDialog,
    assign_dialog,
    delete_list_dialog,
    pick_list_dialog,
)
from components.share_dialog import ShareDialog
from components.sidebar import Sidebar
from components.task_list import (
    PRIORITY_NAMES,
    EditDialog,
    NewTaskForm,
    TaskRows,
    confirm_dialog,
)
from components.timefmt import day_heading
from components.undo import undo_notice
from pages.common import call, leave_ended_session, show_error, sign_out_browser
from services import account, auth, clock, lists, sharing, tasks, uow
from services.access import viewer_forbidden
from services.events import session_ends, task_changes
from services.lists import Overview

View = Literal['list', 'today', 'upcoming', 'completed', 'assigned']
R = TypeVar('R')
COMPLETED_SHOWN = 50  # in a list's Completed section; the Completed view pages through all
TICK_SECONDS = 30
SORTS = {'manual': 'My order', 'due': 'Due date', 'priority': 'Priority', 'newest': 'Newest'}
TIME_ZONE_JS = 'Intl.DateTimeFormat().resolvedOptions().timeZone  // __TIME_ZONE__'

EMPTY = {
    'list': ('No tasks yet', 'Add your first one above. Press Enter to save.'),
    'list-done': ('Nothing left to do', 'Every task here is complete. Enjoy the moment.'),
    'today': ('Nothing due today', 'Enjoy the day, or give a task a due date to see it here.'),
    'upcoming': ('Nothing planned', 'Tasks due in the next two weeks show up here, by day.'),
    'completed': ('Nothing completed yet', 'Tick a task when it is done and it shows up here.'),
    'assigned': ('Nothing assigned to you', 'Tasks of shared lists given to you show up here.'),
}

PAGE_SIZE = 25
VIEW_TITLES = {'assigned': 'Assigned to me'}
MAX_PAGE = 10_000_000 // PAGE_SIZE + 1  # the furthest offset a task query accepts


class Reloader:
    """Coalesces bursts of change notifications into as few reloads as needed, never two at once.

    Notifications arrive outside any page (on the event loop, from the change feed): each reload
    runs inside its own client's context, so what it does (a redirect after the sign-in ended,
    a notification) reaches that tab, and a tab that is gone is skipped."""

    def __init__(self, client: Client, reload: Callable[[], Awaitable[None]]) -> None:
        self._client = client
        self._reload = reload
        self._running = False
        self._again = False

    def request(self, *_: Any) -> None:
        if self._client.is_deleted:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        background_tasks.create(self._run(), name='tasklight reload', context=self._client)

    async def _run(self) -> None:
        try:
            while not self._client.is_deleted:
                self._again = False
                await self._reload()
                if not self._again:
                    return
        finally:
            self._running = False


def view_from(params: Mapping[str, Any]) -> dict[str, Any]:
    """Search and page from a query string; anything invalid falls back to its default (an old
    bookmark or a hand-edited address shows the dashboard, never an error)."""

    def first(name: str) -> str:
        value = params.get(name, '')
        if isinstance(value, list):
            value = value[0] if value else ''
        return value if isinstance(value, str) else ''

    page = first('page')
    try:
        q = TaskQuery(q=first('q')[:SEARCH_MAX]).q
    except ValidationError:  # e.g. a NUL byte: not searchable, so not searched
        q = ''
    return {'q': q, 'page': int(page) if _is_page(page) else 1}


def _is_page(text: str) -> bool:
    return 0 < len(text) <= 7 and text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PAGE


def view_url(path: str, state: Mapping[str, Any]) -> str:
    """This view's address, naming only what differs from the defaults.

    Percent-encoded, so the search text carries no quote or markup into the page's JavaScript."""
    params = {
        name: value
        for name, value, default in (('q', state['q'], ''), ('page', state['page'], 1))
        if value != default
    }
    return path + ('?' + urlencode(params) if params else '')


@dataclass
class Snapshot:
    """Everything one load shows, read in one unit of work."""

    overview: Overview
    the_list: ListRead | None  # the list view's list
    page: TaskPage  # open tasks of the list, the view's tasks, or the search results
    done: TaskPage | None  # the list view's Completed section


def _read(
    session: Any,
    *,
    actor_id: uuid.UUID,
    view: View,
    list_id: int | None,
    q: str,
    page: int,
) -> Snapshot:
    overview = lists.overview(session, actor_id=actor_id)
    offset = (page - 1) * PAGE_SIZE
    the_list = done = None
    if view == 'list':
        if list_id is None:
            list_id = lists.inbox_id(session, actor_id=actor_id)
        the_list = lists.get_list(session, actor_id=actor_id, list_id=list_id)
    if q:
        found = tasks.list_tasks(session, actor_id=actor_id, q=q, limit=PAGE_SIZE, offset=offset)
        return Snapshot(overview, the_list, found, None)
    if the_list is not None:
        shown = tasks.list_tasks(
            session,
            actor_id=actor_id,
            status='active',
            list_id=the_list.id,
            limit=PAGE_SIZE,
            offset=offset,
        )
        done = tasks.list_tasks(
            session,
            actor_id=actor_id,
            status='completed',
            list_id=the_list.id,
            sort='completed',
            limit=COMPLETED_SHOWN,
        )
    elif view in ('today', 'upcoming'):
        _, shown = tasks.due_view(
            session, actor_id=actor_id, view=view, limit=PAGE_SIZE, offset=offset
        )
    elif view == 'assigned':
        shown = tasks.list_tasks(
            session,
            actor_id=actor_id,
            status='active',
            assigned_to_me=True,
            sort='due',
            limit=PAGE_SIZE,
            offset=offset,
        )
    else:
        shown = tasks.list_tasks(
            session,
            actor_id=actor_id,
            status='completed',
            sort='completed',
            limit=PAGE_SIZE,
            offset=offset,
        )
    return Snapshot(overview, the_list, shown, done)


class Dashboard:
    """One tab's dashboard for one signed-in person."""

    def __init__(
        self, *, info: SessionInfo, token: str, view: View, list_id: int | None, query: Any
    ) -> None:
        self.info = info
        self.token = token
        self.user_id: uuid.UUID = info.user.id
        self.client: Client = ui.context.client
        self.view: View = view
        self.list_id = list_id
        self.path = (
            '/tasks'
            if view == 'list' and list_id is None
            else f'/lists/{list_id}'
            if view == 'list'
            else f'/tasks/{view}'
        )
        state = view_from(query)
        self.q: str = state['q']
        self.page: int = state['page']
        self.data: Snapshot | None = None
        self.access: dict[str, Any] = {}  # shared lists, for the rows (see _access)
        self.today: date = date.today()
        self.local_day = datetime.now(UTC).astimezone(clock.zone(info.user.time_zone)).date()
        self.editor: EditDialog | None = None
        self.reloader = Reloader(self.client, self.reload)
        self.rows: list[TaskRows] = []  # every TaskRows on the page, for update and tick
        self.shown: dict[int, TaskRead] = {}  # the tasks on screen, by id
        self.missing = False  # showing "List not found"
        self.week_start = 'monday'  # the person's setting, for the date pickers

    # ---------------------------------------------------------------- service calls

    async def as_person(self, fn: Callable[..., R], /, **kwargs: Any) -> R:
        """`fn` as this person, in a worker thread. NiceGUI answers None instead while it shuts
        down: stop quietly, as NiceGUI 4 will by cancelling."""
        outcome = await run.io_bound(uow.call_as_browser, self.token, fn, **kwargs)
        if outcome is None:
            raise asyncio.CancelledError
        return outcome[1]

    async def act(self, fn: Callable[..., R], /, **kwargs: Any) -> tuple[bool, R | None]:
        """Run a service as this person while their session lives: (succeeded, result).

        An ended session goes to sign-in; expected errors show as a notification."""
        try:
            return True, await self.as_person(fn, **kwargs)
        except NotAuthenticated:
            with self.client:  # the control that asked may be gone after a live refresh
                ui.navigate.to('/login?reason=expired')
        except AppError as error:
            with self.client:
                show_error(error)
            if isinstance(error, NotFound | PreconditionFailed):
                self.reloader.request()
        return False, None

    def remember(self, *, push: bool) -> None:
        """Put the view in the address bar: a reload, a failover and Back keep it."""
        url = view_url(self.path, {'q': self.q, 'page': self.page})
        with self.client:  # not the control's slot: a live refresh may have replaced the control
            if push:
                ui.navigate.history.push(url)  # a page change is a step Back can undo
            else:
                ui.navigate.history.replace(url)  # search: one entry, not one per keystroke

    async def load(self) -> Snapshot | None:
        """Read what this view shows. A list that is not this person's raises NotFound."""
        asked = (self.q, self.page)
        try:
            data = await self.as_person(
                _read, view=self.view, list_id=self.list_id, q=self.q, page=self.page
            )
        except NotAuthenticated:
            with self.client:
                ui.navigate.to('/login?reason=expired')
            return None
        except NotFound:
            raise
        except AppError as error:
            with self.client:
                show_error(error)
            return None
        if (self.q, self.page) != asked:  # Back, a search or a page change came meanwhile
            return await self.load()  # what was read is for another view of the list
        if not data.page.items and self.page > 1:
            self.page = max(1, math.ceil(data.page.total / PAGE_SIZE))  # the page emptied out
            self.remember(push=False)
            return await self.load()
        return data

    async def reload(self) -> None:
        if self.missing:  # "List not found" stays; only the sidebar follows changes
            await self.show_sidebar()
            return
        try:
            data = await self.load()
        except NotFound:  # the list went meanwhile (deleted in another tab): back to the Inbox
            with self.client:
                ui.navigate.to('/tasks')
            return
        if data is not None and not self.client.is_deleted:
            self.show(data)
            await self.follow_editor()

    # ---------------------------------------------------------------- building

    async def build(self) -> None:
        try:
            first = await self.load()
        except NotFound:
            first = None
            missing = True
        else:
            missing = False
        if first is None and not missing:
            return
        _, settings = await self.act(account.get_account)
        if settings is not None:
            self.week_start = settings.week_start
        self.sidebar: Sidebar | None = None
        with page_frame(
            email=self.info.user.email,
            on_sign_out=self.sign_out,
            sidebar=self._build_sidebar,
            theme=settings.theme if settings is not None else 'system',
            admin=self.info.user.is_admin,
            on_shortcuts=self.show_shortcuts,
            on_theme=self.set_theme,
        ):
            self.dialogs = ui.element('div').classes('hidden')  # outside the board: survives it
            live_region()  # before anything is announced: see components.announce
            use_keyboard(self.on_key)
            if missing:
                self._not_found()
            else:
                assert first is not None
                self._build_board(first)
        self.missing = missing
        if missing:
            await self.show_sidebar()
        else:
            assert first is not None
            self.show(first)
        self._subscribe()

    async def set_theme(self, theme: str) -> bool:
        """The header's theme menu: kept on the account, for every page and device."""
        ok, _ = await self.act(account.update_settings, theme=theme)
        return ok

    async def show_sidebar(self) -> None:
        _, overview = await self.act(lists.overview)
        if overview is not None and self.sidebar is not None and not self.client.is_deleted:
            self.sidebar.show(overview)

    def _build_sidebar(self) -> None:
        current = (
            'inbox'
            if self.view == 'list' and self.list_id is None
            else f'list-{self.list_id}'
            if self.view == 'list'
            else self.view
        )
        self.sidebar = Sidebar(
            current=current,
            on_drop=self.drop_on_list,
            on_new_list=self.new_list,
            on_rename=self.rename_list,
            on_colour=self.recolour_list,
            on_move=self.move_list,
            on_delete=self.delete_list,
            on_share=self.share_list,
        )

    def _not_found(self) -> None:
        with ui.column().classes('w-full items-center py-16 gap-2 text-center').mark('not-found'):
            ui.icon('search_off', size='48px').classes('text-slate-300')
            ui.label('List not found').classes('text-xl font-semibold')
            ui.label('It may have been deleted, or the address is not quite right.').classes(
                'text-sm text-slate-500'
            )
            ui.link('Back to Inbox', '/tasks').classes('text-primary').mark('back-to-inbox')

    def _build_board(self, first: Snapshot) -> None:
        self.drafts = BrowserDrafts(self.user_id, on_restore=self.restore, on_url=self.follow_url)
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            self.heading_dot = ui.icon('circle', size='14px').mark('view-colour')
            # The page's one <h1>: what the person is looking at.
            self.heading = TextElement(tag='h1', text='').classes(
                'text-2xl font-semibold tracking-tight truncate'
            )
            self.heading.mark('view-title')
            ui.space()
            self.sort = ui.select(SORTS, value='manual', on_change=lambda e: self.set_sort(e.value))
            self.sort.props('dense outlined options-dense aria-label="Sort"').classes('w-36')
            self.sort.mark('sort').set_visibility(self.view == 'list')
        if self.view != 'completed':
            default_due = first.overview.today_date if self.view == 'today' else None
            self.form = NewTaskForm(
                self.add,
                default_due=default_due,
                today=lambda: self.today,  # the person's, as the sidebar counts it
                week_start=self.week_start,
                lists=_writable(first.overview.lists),
            )
            self.form.title.props['data-key-target'] = 'new'  # `q` and `n` (components.keyboard)
            self.form.title.props['aria-keyshortcuts'] = 'q n'
        with ui.row().classes('items-center gap-2 text-sm text-slate-600') as self.view_only:
            ui.icon('visibility', size='18px')
            ui.label('Shared with you to view: you can read this list but not change it.')
        self.view_only.mark('view-only').set_visibility(False)
        self.finder = ui.input(
            placeholder='Search all lists',
            value=self.q,
            on_change=lambda e: self.search(e.value),
        )
        self.finder.props('outlined dense clearable debounce=250 maxlength=200').classes('w-full')
        self.finder.props['aria-label'] = 'Search tasks'  # in every list; a stable name
        self.finder.props['data-key-target'] = 'search'  # `/`
        self.finder.props['aria-keyshortcuts'] = '/'
        with self.finder.mark('search').add_slot('prepend'):
            ui.icon('search').classes('text-slate-400')
        self.range = ui.label().classes('text-xs text-slate-500 self-end -mb-2').mark('range')
        self.board = ui.column().classes('w-full gap-2')
        self.footer = ui.column().classes('w-full gap-2')
        self.open_rows: TaskRows | None = None
        self.open_manual: bool | None = None
        self.group_rows: dict[str, TaskRows] = {}
        self.day_key: tuple[date, ...] | None = None
        self.done_rows: TaskRows | None = None
        self.done_items: list[TaskRead] = []
        self.completed_box: ui.column | None = None

    def _subscribe(self) -> None:
        self.client.on_delete(task_changes.subscribe(self.user_id, self.reloader.request))

        def signed_out_elsewhere(_: uuid.UUID) -> None:
            """This sign-in ended (Sign out in another tab, a password change): leave at once."""
            if not self.client.is_deleted:
                with self.client:
                    leave_ended_session()

        self.client.on_delete(session_ends.subscribe(self.info.session_id, signed_out_elsewhere))
        with self.client.layout:
            ui.timer(TICK_SECONDS, self.tick, immediate=False)
        background_tasks.create(self.sync_time_zone(), name='tasklight zone', context=self.client)

    def _rows(self, *, manual: bool = False) -> TaskRows:
        rows = TaskRows(
            on_complete=self.complete,
            on_edit=self.edit,
            on_delete=self.delete,
            on_move=self.move if manual else None,
            on_move_to_list=self.move_to_list,
            on_assign=self.assign,
            on_refused=lambda _: show_error(viewer_forbidden('the tasks of this list')),
        )
        self.rows.append(rows)
        return rows

    def _forget(self, rows: TaskRows | None) -> None:
        if rows is not None and rows in self.rows:
            self.rows.remove(rows)

    # ---------------------------------------------------------------- showing

    def show(self, data: Snapshot) -> None:
        self.data = data
        self.today = data.overview.today_date
        if self.sidebar is not None:
            self.sidebar.show(data.overview)
        self.access = _access(data.overview.lists)
        if self.view != 'completed':
            self.form.set_lists(_writable(data.overview.lists))
        self.shown = {task.id: task for task in data.page.items}
        if data.done is not None:
            self.shown.update({task.id: task for task in data.done.items})
        self._show_heading(data)
        self.range.text = _range_text(data.page)
        chips = {entry.id: (entry.name, entry.colour) for entry in data.overview.lists}
        if self.q:
            self._show_flat(data.page.items, chips, empty=None)
        elif self.view == 'list':
            self._show_list(data)
        elif self.view == 'today':
            self._show_today(data.page.items, chips)
        elif self.view == 'upcoming':
            self._show_upcoming(data.page.items, chips)
        elif self.view == 'assigned':
            self._show_flat(data.page.items, chips, empty='assigned')
        else:
            self._show_flat(data.page.items, chips, empty='completed', clear=True)
        self._show_pager(data.page)

    def _show_heading(self, data: Snapshot) -> None:
        if self.q:
            title, colour = 'Search', None
        elif data.the_list is not None:
            title, colour = data.the_list.name, data.the_list.colour
            self.sort.set_value(data.the_list.sort)
        else:
            title, colour = VIEW_TITLES.get(self.view, self.view.capitalize()), None
        self.heading.text = title
        # Colour first: replacing the classes would drop the one that hides the dot.
        self.heading_dot.classes(replace=f'text-{colour or "grey"}')
        self.heading_dot.set_visibility(
            colour is not None and data.the_list is not None and not data.the_list.is_inbox
        )
        self.sort.set_visibility(self.view == 'list' and not self.q)
        # A list shared to view only: nothing to add, sort or clear there.
        viewing = data.the_list is not None and data.the_list.role == 'viewer'
        self.sort.set_enabled(not viewing)
        if self.view != 'completed':
            self.form.card.set_visibility(not viewing)
        self.view_only.set_visibility(viewing and not self.q)
        ui.page_title(f'{title} · Tasklight')

    def _reset_board(self) -> None:
        for rows in [*self.group_rows.values(), self.open_rows, self.done_rows]:
            self._forget(rows)
        self.group_rows = {}
        self.open_rows = self.done_rows = None
        self.open_manual = None
        self.day_key = None
        self.completed_box = None
        self.board.clear()

    def _show_flat(
        self,
        items: list[TaskRead],
        chips: dict[int, tuple[str, str]],
        *,
        empty: str | None,
        clear: bool = False,
    ) -> None:
        key = 'flat-clear' if clear else 'flat'  # search and Completed lay out differently
        if key not in self.group_rows:
            self._reset_board()
            with self.board:
                if clear:
                    with ui.row().classes('w-full justify-end'):
                        self._clear_button(None)
                self.group_rows[key] = self._rows()
                self.empty_box = ui.column().classes('w-full')
        self.group_rows[key].show(items, today=self.today, lists=chips, **self.access)
        self._empty(items, empty)

    def _empty(self, items: list[TaskRead], kind: str | None) -> None:
        self.empty_box.clear()
        if items:
            return
        with self.empty_box:
            if self.q:
                _empty_state('No matches', f'Nothing matches “{self.q}”. Try other words.', 'q')
            elif kind is not None:
                _empty_state(*EMPTY[kind], kind)

    def _show_list(self, data: Snapshot) -> None:
        assert data.the_list is not None
        assert data.done is not None
        manual = data.the_list.sort == 'manual'
        if self.open_rows is None or self.open_manual != manual:
            self._reset_board()
            with self.board:
                self.open_rows = self._rows(manual=manual)
                self.open_manual = manual
                self.empty_box = ui.column().classes('w-full')
                self.completed_box = ui.column().classes('w-full gap-2')
                with self.completed_box:
                    self.completed_section = (
                        ui.expansion('Completed').props('dense').classes('w-full')
                    )
                    self.completed_section.mark('completed-section')
                    self.completed_section.on_value_change(self._show_done)
                    with self.completed_section:
                        with ui.row().classes('w-full items-center justify-between'):
                            self.completed_more = ui.link('', '/tasks/completed').classes(
                                'text-sm text-primary'
                            )
                            self.list_clear = self._clear_button(data.the_list.id)
                        self.done_rows = self._rows()
        assert self.open_rows is not None
        assert self.done_rows is not None
        self.open_rows.show(data.page.items, today=self.today, **self.access)
        self.done_items = data.done.items
        self._show_done()
        done_total = data.done.total
        self.completed_section.text = f'Completed ({done_total})'
        self.completed_more.text = (
            f'Showing the latest {COMPLETED_SHOWN}; see all in Completed'
            if done_total > COMPLETED_SHOWN
            else ''
        )
        self.completed_more.set_visibility(done_total > COMPLETED_SHOWN)
        self.list_clear.set_visibility(data.the_list.role != 'viewer')
        assert self.completed_box is not None
        self.completed_box.set_visibility(done_total > 0)
        self._empty(data.page.items, 'list-done' if done_total else 'list')

    def _show_done(self) -> None:
        """The Completed section's rows exist only while it is open: a collapsed section costs
        the server nothing per task (each row is a few elements in every open tab)."""
        if self.done_rows is not None:
            shown = self.done_items if self.completed_section.value else []
            self.done_rows.show(shown, today=self.today, **self.access)

    def _show_today(self, items: list[TaskRead], chips: dict[int, tuple[str, str]]) -> None:
        if 'today' not in self.group_rows:
            self._reset_board()
            with self.board:
                self.overdue_heading = ui.label('Overdue').classes(
                    'text-sm font-semibold text-negative pt-2'
                )
                self.overdue_heading.mark('group-overdue')
                self.group_rows['overdue'] = self._rows()
                self.today_heading = ui.label().classes('text-sm font-semibold text-primary pt-2')
                self.today_heading.mark('group-today')
                self.group_rows['today'] = self._rows()
                self.empty_box = ui.column().classes('w-full')
        late = [task for task in items if task.due_date is not None and task.due_date < self.today]
        due = [task for task in items if task not in late]
        self.overdue_heading.set_visibility(bool(late))
        self.today_heading.text = day_heading(self.today, self.today)
        self.today_heading.set_visibility(bool(due))
        self.group_rows['overdue'].show(late, today=self.today, lists=chips, **self.access)
        self.group_rows['today'].show(due, today=self.today, lists=chips, **self.access)
        self._empty(items, 'today')

    def _show_upcoming(self, items: list[TaskRead], chips: dict[int, tuple[str, str]]) -> None:
        days = sorted({task.due_date for task in items if task.due_date is not None})
        key = (self.today, *days)
        if key != self.day_key:  # the set of days changed: lay the groups out again
            self._reset_board()
            self.day_key = key
            with self.board:
                for day in days:
                    ui.label(day_heading(day, self.today)).classes(
                        'text-sm font-semibold pt-2 '
                        + ('text-primary' if day == self.today else 'text-slate-600')
                    ).mark(f'day-{day.isoformat()}')
                    self.group_rows[day.isoformat()] = self._rows()
                self.empty_box = ui.column().classes('w-full')
        for day in days:
            self.group_rows[day.isoformat()].show(
                [task for task in items if task.due_date == day],
                today=self.today,
                lists=chips,
                **self.access,
            )
        self._empty(items, 'upcoming')

    def _clear_button(self, list_id: int | None) -> ui.button:
        button = ui.button(
            'Clear completed', icon='delete_sweep', on_click=lambda: self.clear_completed(list_id)
        )
        return button.props('flat dense no-caps size=sm color=negative').mark('clear-completed')

    def _show_pager(self, page: TaskPage) -> None:
        self.footer.clear()
        pages = math.ceil(page.total / PAGE_SIZE)
        if pages > 1:
            with self.footer, ui.row().classes('w-full justify-center'):
                ui.pagination(
                    1,
                    pages,
                    direction_links=True,
                    value=self.page,
                    on_change=lambda e: self.set_page(e.value),
                ).props('max-pages=7 boundary-numbers').mark('pager')

    async def follow_editor(self) -> None:
        """An open edit dialog learns at once that its task changed or went, not only at Save."""
        editor = self.editor
        if editor is None or editor.gone:
            return
        try:
            current: TaskRead | None = await self.as_person(tasks.get_task, task_id=editor.base.id)
        except NotFound:
            current = None
        except AppError:
            return  # the dialog keeps its text; Save reports whatever is wrong then
        if self.editor is editor:  # still open after the round trip
            editor.follow(current)

    async def tick(self) -> None:
        """Relative times move on; at the person's midnight, Today and Upcoming do too."""
        now = datetime.now(UTC)
        for rows in self.rows:
            rows.tick(now)
        day = now.astimezone(clock.zone(self.info.user.time_zone)).date()
        if day != self.local_day:  # past midnight where the person is (once, not every tick)
            self.local_day = day
            self.reloader.request()

    async def sync_time_zone(self) -> None:
        """Take the zone this browser reports while the account has none of its own yet (still
        UTC, the default), so "today" is the person's from the first visit. A zone set since,
        here or on the settings page, stays: another browser's zone does not overwrite a
        choice (the settings page offers to switch to the browser's)."""
        try:
            # Connected first: an answer that arrives before NiceGUI starts waiting for it is
            # dropped, and a slow connection gets its own, longer wait.
            await self.client.connected(timeout=30)
            reported = await self.client.run_javascript(TIME_ZONE_JS, timeout=5)
        except TimeoutError:
            return
        if self.info.user.time_zone != 'UTC':
            return
        if not isinstance(reported, str) or not reported or len(reported) > 64:
            return
        if reported == self.info.user.time_zone:
            return
        try:
            await self.as_person(clock.set_time_zone, time_zone=reported)
        except AppError:
            return  # a zone this server does not know: keep the account's
        self.info.user.time_zone = reported
        self.local_day = datetime.now(UTC).astimezone(clock.zone(reported)).date()
        self.reloader.request()

    # ---------------------------------------------------------------- task actions

    def _target_list(self) -> int | None:
        """Where a new task goes: this list, or from the views none (the default list or Inbox)."""
        if self.data is not None and self.data.the_list is not None:
            return self.data.the_list.id
        return None

    async def create(
        self,
        title: str,
        description: str,
        due_date: date | None = None,
        due_time: time | None = None,
        priority: int = 0,
        *,
        list_id: int | None = None,
    ) -> str | None:
        """A new task from the form or from a dialog whose task was deleted: an error or None.
        It goes to `list_id` when the person named one (#List), else to this view's list."""
        try:
            await self.as_person(
                tasks.create_task,
                title=title,
                description=description,
                list_id=list_id if list_id is not None else self._target_list(),
                due_date=due_date,
                due_time=due_time,
                priority=priority,
            )
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
            return 'Your session has ended. Sign in again; your text is kept in this browser.'
        except AppError as error:
            return error.message
        return None

    async def add(
        self,
        title: str,
        description: str,
        due_date: date | None = None,
        due_time: time | None = None,
        priority: int = 0,
        *,
        list_id: int | None = None,
    ) -> str | None:
        error = await self.create(title, description, due_date, due_time, priority, list_id=list_id)
        if error is None:
            self.drafts.clear(NEW)  # confirmed: the browser's copy has done its job
            said = f'Added “{_short(title.strip())}”'
            elsewhere = list_id is not None and list_id != self._target_list()
            if list_id is not None and elsewhere:
                said += f' to {self._list_name(list_id)}'
            with self.client:
                if elsewhere:  # not where the person is looking: say so on screen too
                    ui.notify(said, type='positive', position='bottom')
                announce(said)
        elif not self.form.card.visible:  # a list to view only: the form's own message is hidden
            with self.client:
                ui.notify(error, type='negative', position='top')
        return error

    def _update_rows(self, task: TaskRead) -> None:
        if task.id in self.shown:
            self.shown[task.id] = task
        for rows in self.rows:
            rows.update(task)

    async def complete(self, task: TaskRead, value: bool) -> None:
        # No version: the row sends the state the person clicked to, not a flip, so repeating
        # it or racing another tab's edit of the text cannot undo or overwrite anything.
        if value == task.completed:
            return
        _, changed = await self.act(tasks.update_task, task_id=task.id, completed=value)
        if changed is None:
            return
        self._update_rows(changed)  # confirmed: show it now; the live reload re-sorts
        if value:

            async def undo() -> None:
                await self.act(tasks.update_task, task_id=task.id, completed=False)

            with self.client:
                undo_notice(f'Completed “{_short(task.title)}”', undo)
        else:
            with self.client:
                announce(f'Reopened “{_short(task.title)}”')

    async def save_changes(self, task_id: int, changes: dict[str, Any], version: int) -> TaskRead:
        """The edit dialog's save: only the changed fields, only onto the version it holds."""
        try:
            saved = await self.as_person(
                tasks.update_task, task_id=task_id, expected_version=version, **changes
            )
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
            raise
        self._update_rows(saved)
        return saved

    def open_editor(self, task: TaskRead) -> EditDialog:
        with self.dialogs:  # outside the board, so a live refresh cannot close it mid-edit
            editor = EditDialog(
                task,
                on_save=lambda changes, version: self.save_changes(task.id, changes, version),
                on_save_as_new=self.create,
                on_version=self.drafts.editing,
                on_discard_field=lambda field: self.drafts.forget(EDIT, field),
                week_start=self.week_start,
            )
        self.editor = editor

        def closed() -> None:
            if self.editor is editor:
                self.editor = None
            editor.dialog.delete()

        editor.dialog.on('hide', closed)
        editor.open()
        return editor

    async def edit(self, task: TaskRead) -> None:
        self.open_editor(task)

    async def delete(self, task: TaskRead) -> None:
        with self.dialogs:
            dialog = confirm_dialog(
                title='Delete task?',
                message=f'“{task.title}” will be deleted. You can undo this for a few seconds.',
                confirm='Delete',
            )
        confirmed = await dialog
        dialog.delete()
        if not confirmed:
            return
        # The version the row showed: an edit made meanwhile elsewhere is not deleted unseen.
        _, deleted = await self.act(
            tasks.delete_task, task_id=task.id, expected_version=task.version
        )
        if deleted is None:
            return
        snapshot = deleted  # held here, on the server: Undo never trusts the browser with it

        async def undo() -> None:
            await self.act(tasks.restore_tasks, snapshots=[snapshot])

        with self.client:  # the row (and its button) may be gone already: a live refresh
            undo_notice('Task deleted', undo)

    async def _move(self, task: TaskRead, message: str, **where: Any) -> None:
        """Move a task (a neighbour, or another list's top) with Undo back to where it was."""
        _, moved = await self.act(tasks.move_task, task_id=task.id, **where)
        if moved is None:
            return
        old_list, old_position = task.list_id, task.position

        async def undo() -> None:
            await self.act(
                tasks.move_task, task_id=task.id, list_id=old_list, position=old_position
            )

        with self.client:
            undo_notice(message, undo)

    async def move(self, task: TaskRead, before_id: int | None, after_id: int | None) -> None:
        where = {'before_id': before_id} if before_id is not None else {'after_id': after_id}
        await self._move(task, 'Task moved', **where)

    def _list_name(self, list_id: int) -> str:
        if self.data is not None:
            for entry in self.data.overview.lists:
                if entry.id == list_id:
                    return entry.name
        return 'the list'

    async def move_to_list(self, task: TaskRead) -> None:
        if self.data is None:
            return
        with self.dialogs:
            dialog = pick_list_dialog(
                [entry for entry in self.data.overview.lists if entry.role != 'viewer'],
                current=task.list_id,
            )
        chosen = await dialog
        dialog.delete()
        if isinstance(chosen, int) and chosen != task.list_id:
            await self._move(task, f'Moved to {self._list_name(chosen)}', list_id=chosen)

    async def drop_on_list(self, task_id: int, list_id: int) -> None:
        """A row dropped on a list in the sidebar: it goes on top there."""
        task = self.shown.get(task_id)
        if task is None:  # dragged from another window: read where it is now
            _, task = await self.act(tasks.get_task, task_id=task_id)
            if task is None:
                return
        if task.list_id == list_id:
            return
        await self._move(task, f'Moved to {self._list_name(list_id)}', list_id=list_id)

    async def clear_completed(self, list_id: int | None) -> None:
        where = f' in “{self._list_name(list_id)}”' if list_id is not None else ''
        with self.dialogs:
            dialog = confirm_dialog(
                title='Clear completed tasks?',
                message=f'Every completed task{where} will be deleted.',
                confirm='Clear',
            )
        confirmed = await dialog
        dialog.delete()
        if not confirmed:
            return
        _, cleared = await self.act(tasks.clear_completed, list_id=list_id)
        if not cleared:
            return
        snapshots = list(cleared)

        async def undo() -> None:
            await self.act(tasks.restore_tasks, snapshots=snapshots)

        count = len(snapshots)
        with self.client:
            undo_notice(f'Cleared {count} completed task{"s" if count != 1 else ""}', undo)

    # ---------------------------------------------------------------- list actions

    async def set_sort(self, value: str | None) -> None:
        the_list = self.data.the_list if self.data is not None else None
        if the_list is None or value is None or value == the_list.sort or value not in SORTS:
            return
        ok, _ = await self.act(lists.update_list, list_id=the_list.id, sort=value)
        if ok:
            await self.reload()

    async def _list_dialog(self, dialog: ListDialog) -> bool:
        result = await dialog.dialog
        dialog.dialog.delete()
        return bool(result)

    async def _save_list(self, fn: Callable[..., Any], **kwargs: Any) -> str | None:
        try:
            saved = await self.as_person(fn, **kwargs)
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
            return 'Your session has ended. Please sign in again.'
        except AppError as error:
            if isinstance(error, NotFound | PreconditionFailed):
                self.reloader.request()
            return error.message
        self.saved_list = saved
        return None

    async def new_list(self) -> None:
        with self.dialogs:
            dialog = ListDialog(
                title='New list',
                confirm='Create',
                on_save=lambda name, colour: self._save_list(
                    lists.create_list, name=name, colour=colour
                ),
            )
        dialog.dialog.open()
        if await self._list_dialog(dialog):
            ui.navigate.to(f'/lists/{self.saved_list.id}')

    async def rename_list(self, entry: ListSummary) -> None:
        with self.dialogs:
            dialog = ListDialog(
                title='Rename list',
                name=entry.name,
                colour=entry.colour,
                ask_colour=False,
                on_save=lambda name, _: self._save_list(
                    lists.update_list, list_id=entry.id, name=name, expected_version=entry.version
                ),
            )
        dialog.dialog.open()
        await self._list_dialog(dialog)

    async def recolour_list(self, entry: ListSummary) -> None:
        with self.dialogs:
            dialog = ListDialog(
                title=f'Colour of “{_short(entry.name)}”',
                name=entry.name,
                colour=entry.colour,
                ask_name=False,
                on_save=lambda _, colour: self._save_list(
                    lists.update_list,
                    list_id=entry.id,
                    colour=colour,
                    expected_version=entry.version,
                ),
            )
        dialog.dialog.open()
        await self._list_dialog(dialog)

    async def move_list(self, entry: ListSummary, step: int) -> None:
        if self.data is None:
            return
        others = [
            item for item in self.data.overview.lists if not item.is_inbox and item.role == 'owner'
        ]
        ids = [item.id for item in others]
        if entry.id not in ids:
            return
        index = ids.index(entry.id) + step
        if not 0 <= index < len(ids):
            return
        where = {'before_id': ids[index]} if step < 0 else {'after_id': ids[index]}
        await self.act(lists.move_list, list_id=entry.id, **where)

    async def delete_list(self, entry: ListSummary) -> None:
        ok, counts = await self.act(tasks.count_tasks, list_id=entry.id)
        if not ok or counts is None:
            return
        with self.dialogs:
            dialog = delete_list_dialog(entry.name, counts.all)
        choice = await dialog
        dialog.delete()
        if choice not in ('delete', 'move'):
            return
        ok, _ = await self.act(
            lists.delete_list,
            list_id=entry.id,
            tasks=choice if counts.all else None,
            expected_version=entry.version,
        )
        if not ok:
            return
        with self.client:
            ui.notify(f'Deleted “{entry.name}”', type='positive', position='bottom')
            if self.view == 'list' and self.list_id == entry.id:
                ui.navigate.to('/tasks')

    async def _say(self, fn: Callable[..., Any], **kwargs: Any) -> str | None:
        """Run a service for a dialog: None when done, else the message to show in it."""
        try:
            await self.as_person(fn, **kwargs)
        except NotAuthenticated:
            with self.client:
                ui.navigate.to('/login?reason=expired')
            return 'Your session has ended. Please sign in again.'
        except AppError as error:
            return error.message
        return None

    async def share_list(self, entry: ListSummary) -> None:
        """The list's Share dialog: its owner shares and stops sharing; a member sees who
        has it and may leave."""

        async def load() -> list[MemberRead] | None:
            _, found = await self.act(sharing.members, list_id=entry.id)
            return found

        with self.dialogs:
            dialog = ShareDialog(
                name=entry.name,
                me=self.user_id,
                owner=entry.role == 'owner',
                load=load,
                share=lambda email, role: self._say(
                    sharing.share_list, list_id=entry.id, email=email, role=role
                ),
                change=lambda user_id, role: self._say(
                    sharing.change_role, list_id=entry.id, user_id=user_id, role=role
                ),
                remove=lambda user_id: self._say(
                    sharing.remove_member, list_id=entry.id, user_id=user_id
                ),
            )
        await dialog.open()
        result = await dialog.dialog
        dialog.dialog.delete()
        if result == 'left':
            with self.client:
                ui.notify(f'You left “{entry.name}”', type='positive', position='bottom')
                if self.view == 'list' and self.list_id == entry.id:
                    ui.navigate.to('/tasks')

    async def assign(self, task: TaskRead) -> None:
        """Who is to do a task of a shared list: one of the people who have it, or nobody."""
        entry = (
            next((item for item in self.data.overview.lists if item.id == task.list_id), None)
            if self.data is not None
            else None
        )
        if entry is None or not entry.members:
            return
        with self.dialogs:
            dialog = assign_dialog(entry.members, current=task.assignee_id, me=self.user_id)
        chosen = await dialog
        dialog.delete()
        if chosen is None:
            return
        assignee = None if chosen == 'nobody' else chosen
        if assignee == task.assignee_id:
            return
        ok, changed = await self.act(
            tasks.update_task, task_id=task.id, assignee_id=assignee, expected_version=task.version
        )
        if ok and changed is not None:
            self._update_rows(changed)

    # ---------------------------------------------------------------- address, drafts, session

    async def follow_url(self, search: str) -> None:
        """Back or Forward moved the address bar: show what it names."""
        state = view_from(parse_qs(search.removeprefix('?')))
        self.q, self.page = state['q'], state['page']
        self.finder.value = self.q
        await self.reload()

    async def set_page(self, page: int | None) -> None:
        if page and page != self.page:
            self.page = page
            self.remember(push=True)
            await self.reload()
            if not self.client.is_deleted:
                with self.client:  # the new page from its top, not the pager at the bottom
                    ui.run_javascript(
                        f'getHtmlElement({self.heading.id})?.scrollIntoView({{block: "start"}})'
                    )

    async def search(self, value: str | None) -> None:
        q = (value or '').strip()[:SEARCH_MAX]
        if q == self.q:
            return  # Back set the box to what the address says: nothing new to show
        self.q, self.page = q, 1
        self.remember(push=False)
        await self.reload()

    # ---------------------------------------------------------------- keyboard

    async def show_shortcuts(self) -> None:
        with self.dialogs:
            dialog = shortcuts_dialog()
        dialog.on('hide', dialog.delete)
        dialog.open()

    async def on_key(self, action: str, task_id: int | None) -> None:
        """The shortcuts the browser cannot do alone (components.keyboard): `?`, and `t` or
        `1`…`4` on a task shown here that this person may change."""
        if action == 'help':
            await self.show_shortcuts()
            return
        task = self.shown.get(task_id) if task_id is not None else None
        if task is None or any(rows.locked(task) for rows in self.rows):
            return
        if action == 'today':
            changes: dict[str, Any] = {'due_date': self.today}
            said = f'“{_short(task.title)}” is due today'
            if task.due_date == self.today:
                return
        else:
            priority = PRIORITY_KEYS[action]
            if task.priority == priority:
                return
            changes = {'priority': priority}
            said = f'“{_short(task.title)}”: priority {PRIORITY_NAMES[priority]}'
        # No version, as for completing: the key sets one field to the value the person chose,
        # so pressing it twice, or racing another tab's edit of the text, loses nothing.
        done, changed = await self.act(tasks.update_task, task_id=task.id, **changes)
        if not done or changed is None:
            return
        self._update_rows(changed)
        with self.client:
            announce(said)

    async def sign_out(self) -> None:
        try:
            await call(auth.revoke_session, actor_id=self.user_id, session_id=self.info.session_id)
        except AppError as error:  # still signed in: say why instead of pretending otherwise
            show_error(error)
            return
        sign_out_browser()

    async def restore(self, stored: dict[str, Any]) -> None:
        """Text the browser kept from before a reload goes back into its fields (never sent)."""
        form = getattr(self, 'form', None)
        restored = form.restore(text_fields(stored.get(NEW))) if form is not None else False
        edit_entry = stored.get(EDIT)
        typed = text_fields(edit_entry)
        task_id = whole_number(edit_entry.get('task_id')) if isinstance(edit_entry, dict) else None
        if typed and task_id is not None:
            version = whole_number(edit_entry.get('version'))  # type: ignore[union-attr]
            await self.restore_edit(task_id, version, typed)
            restored = True
        if restored:
            ui.notify(RESTORED, type='info', position='top')

    async def restore_edit(self, task_id: int, version: int | None, typed: dict[str, str]) -> None:
        try:
            task = await self.as_person(tasks.get_task, task_id=task_id)
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
            return
        except NotFound:
            now = datetime.now(UTC)
            gone = TaskRead.model_construct(
                id=task_id,
                list_id=0,
                title=typed.get('title', ''),
                description=typed.get('description', ''),
                completed=False,
                created_at=now,
                updated_at=now,
                completed_at=None,
                version=version or 1,
                position=0.0,
                due_date=None,
                due_time=None,
                due_at=None,
                priority=0,
            )
            self.open_editor(gone).deleted()
            return
        except AppError as error:
            show_error(error)
            return
        self.open_editor(task).restore(typed, version=version)


def _access(entries: Sequence[ListSummary]) -> dict[str, Any]:
    """What the rows need to know about shared lists: which to show without actions (shared to
    view only), whose tasks can be assigned, and the people in them."""
    return {
        'locked': {entry.id for entry in entries if entry.role == 'viewer'},
        'shared': {entry.id for entry in entries if entry.members and entry.role != 'viewer'},
        'people': {member.user_id: member.email for entry in entries for member in entry.members},
    }


def _writable(entries: Sequence[ListSummary]) -> list[tuple[int, str]]:
    """The lists a new task may go to by name (#List): all but those shared to view only."""
    return [(entry.id, entry.name) for entry in entries if entry.role != 'viewer']


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + '…'


def _range_text(page: TaskPage) -> str:
    if page.total == 0:
        return ''
    first = page.offset + 1
    last = page.offset + len(page.items)
    return f'{first}–{last} of {page.total}'


def _empty_state(heading: str, hint: str, kind: str) -> None:
    icon = {'q': 'search_off', 'today': 'wb_sunny', 'upcoming': 'event_available'}.get(
        kind, 'inbox'
    )
    with ui.column().classes('w-full items-center py-10 gap-1 text-center').mark('empty'):
        ui.icon(icon, size='48px').classes('text-slate-300')
        ui.label(heading).classes('text-base font-medium text-slate-600')
        ui.label(hint).classes('text-sm text-slate-500')


async def open_dashboard(
    *, info: SessionInfo, token: str, view: View, list_id: int | None, query: Any
) -> None:
    await Dashboard(info=info, token=token, view=view, list_id=list_id, query=query).build()
