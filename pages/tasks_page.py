"""The dashboard: add, list, filter, search, edit, complete and delete tasks, live in every tab."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Client, background_tasks, run, ui
from pydantic import ValidationError

from app.errors import AppError, NotAuthenticated, NotFound, PreconditionFailed
from app.models import SEARCH_MAX, TaskCounts, TaskPage, TaskQuery, TaskRead
from components.drafts import EDIT, NEW, RESTORED, BrowserDrafts, text_fields, whole_number
from components.frame import page_frame
from components.task_list import EditDialog, NewTaskForm, TaskRows, confirm_dialog, filter_bar
from pages.common import (
    COOKIE,
    call,
    leave_ended_session,
    show_error,
    sign_out_browser,
    signed_in,
    to_login,
)
from services import auth, tasks, uow
from services.events import session_ends, task_changes

PAGE_SIZE = 25
MAX_PAGE = 10_000_000 // PAGE_SIZE + 1  # the furthest offset a task query accepts
STATUSES = ('all', 'active', 'completed')
R = TypeVar('R')

EMPTY = {
    'all': ('No tasks yet', 'Add your first one above. Press Enter to save.'),
    'active': ('Nothing left to do', 'Every task is complete. Enjoy the moment.'),
    'completed': ('Nothing completed yet', 'Tick a task when it is done and it shows up here.'),
}


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


@ui.page('/tasks', title='Tasks · Tasklight')
async def tasks_page(request: Request) -> RedirectResponse | None:
    info = await signed_in(request)
    if info is None:
        return to_login(request)
    token = request.cookies[COOKIE]
    user_id: uuid.UUID = info.user.id
    client = ui.context.client
    state: dict[str, Any] = view_from(request.query_params)

    def remember(*, push: bool) -> None:
        """Put the view in the address bar: a reload, a failover and Back keep it."""
        url = view_url(state)
        with client:  # not the control's slot: a live refresh may have replaced the control
            if push:
                ui.navigate.history.push(url)  # a filter or page change is a step Back can undo
            else:
                ui.navigate.history.replace(url)  # search: one entry, not one per keystroke

    async def as_person(fn: Callable[..., R], /, **kwargs: Any) -> R:
        """`fn` as this person, in a worker thread. NiceGUI answers None instead while it shuts
        down: stop quietly, as NiceGUI 4 will by cancelling."""
        outcome = await run.io_bound(uow.call_as_browser, token, fn, **kwargs)
        if outcome is None:
            raise asyncio.CancelledError
        return outcome[1]

    async def act(fn: Callable[..., R], /, **kwargs: Any) -> tuple[bool, R | None]:
        """Run a service as this person while their session lives: (succeeded, result).

        An ended session goes to sign-in; expected errors show as a notification."""
        try:
            return True, await as_person(fn, **kwargs)
        except NotAuthenticated:
            with client:  # the control that asked may be gone after a live refresh
                ui.navigate.to('/login?reason=expired')
        except AppError as error:
            with client:
                show_error(error)
            if isinstance(error, NotFound | PreconditionFailed):
                reloader.request()
        return False, None

    def fetch(session: Any, *, actor_id: uuid.UUID) -> tuple[TaskPage, TaskCounts]:
        return tasks.list_tasks_with_counts(
            session,
            actor_id=actor_id,
            status=state['status'],
            q=state['q'],
            limit=PAGE_SIZE,
            offset=(state['page'] - 1) * PAGE_SIZE,
        )

    async def load() -> tuple[TaskPage, TaskCounts] | None:
        _, data = await act(fetch)
        if data is not None and not data[0].items and state['page'] > 1:
            state['page'] = max(1, math.ceil(data[0].total / PAGE_SIZE))  # the page emptied out
            remember(push=False)
            _, data = await act(fetch)
        return data

    async def reload() -> None:
        data = await load()
        if data is not None and not client.is_deleted:
            show(*data)
            await follow_editor()

    async def follow_editor() -> None:
        """An open edit dialog learns at once that its task changed or went, not only at Save."""
        editor = editing.get('editor')
        if editor is None or editor.gone:
            return
        try:
            current: TaskRead | None = await as_person(tasks.get_task, task_id=editor.base.id)
        except NotFound:
            current = None
        except AppError:
            return  # the dialog keeps its text; Save reports whatever is wrong then
        if editing.get('editor') is editor:  # still open after the round trip
            editor.follow(current)

    reloader = Reloader(client, reload)
    editing: dict[str, EditDialog] = {}  # the open edit dialog, if any

    async def create(title: str, description: str) -> str | None:
        """A new task from the form or from a dialog whose task was deleted: an error or None."""
        try:
            await as_person(tasks.create_task, title=title, description=description)
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
            return 'Your session has ended. Sign in again; your text is kept in this browser.'
        except AppError as error:
            return error.message
        return None

    async def add(title: str, description: str) -> str | None:
        error = await create(title, description)
        if error is None:
            drafts.clear(NEW)  # confirmed: the browser's copy has done its job
        return error

    async def complete(task: TaskRead, value: bool) -> None:
        # No version: the row sends the state the person clicked to, not a flip, so repeating
        # it or racing another tab's edit of the text cannot undo or overwrite anything.
        if value != task.completed:
            _, changed = await act(tasks.update_task, task_id=task.id, completed=value)
            if changed is not None:
                rows.update(changed)  # confirmed: show it now; the live reload re-sorts

    async def save_changes(task_id: int, changes: dict[str, str], version: int) -> TaskRead:
        """The edit dialog's save: only the changed fields, only onto the version it holds."""
        try:
            saved = await as_person(
                tasks.update_task,
                task_id=task_id,
                expected_version=version,
                **changes,
            )
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
            raise
        rows.update(saved)
        return saved

    def open_editor(task: TaskRead) -> EditDialog:
        with dialogs:  # outside the board, so a live refresh cannot close it mid-edit
            editor = EditDialog(
                task,
                on_save=lambda changes, version: save_changes(task.id, changes, version),
                on_save_as_new=create,
                on_version=drafts.editing,
                on_discard_field=lambda field: drafts.forget(EDIT, field),
            )
        editing['editor'] = editor

        def closed() -> None:
            if editing.get('editor') is editor:
                del editing['editor']
            editor.dialog.delete()

        editor.dialog.on('hide', closed)
        editor.open()
        return editor

    async def edit(task: TaskRead) -> None:
        open_editor(task)

    async def delete(task: TaskRead) -> None:
        with dialogs:
            dialog = confirm_dialog(
                title='Delete task?',
                message=f'“{task.title}” will be deleted for good.',
                confirm='Delete',
            )
        confirmed = await dialog
        dialog.delete()
        if confirmed:
            # The version the row showed: an edit made meanwhile elsewhere is not deleted unseen.
            deleted, _ = await act(
                tasks.delete_task, task_id=task.id, expected_version=task.version
            )
            if deleted:
                with client:  # the row (and this button) may be gone already: a live refresh
                    ui.notify('Task deleted', type='positive', position='bottom')

    async def restore(stored: dict[str, Any]) -> None:
        """Text the browser kept from before a reload goes back into its fields (never sent)."""
        restored = form.restore(text_fields(stored.get(NEW)))
        edit_entry = stored.get(EDIT)
        typed = text_fields(edit_entry)
        task_id = whole_number(edit_entry.get('task_id')) if isinstance(edit_entry, dict) else None
        if typed and task_id is not None:
            version = whole_number(edit_entry.get('version'))  # type: ignore[union-attr]
            await restore_edit(task_id, version, typed)
            restored = True
        if restored:
            ui.notify(RESTORED, type='info', position='top')

    async def restore_edit(task_id: int, version: int | None, typed: dict[str, str]) -> None:
        try:
            task = await as_person(tasks.get_task, task_id=task_id)
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
            return
        except NotFound:
            now = datetime.now(UTC)
            gone = TaskRead.model_construct(
                id=task_id,
                title=typed.get('title', ''),
                description=typed.get('description', ''),
                completed=False,
                created_at=now,
                updated_at=now,
                completed_at=None,
                version=version or 1,
            )
            open_editor(gone).deleted()
            return
        except AppError as error:
            show_error(error)
            return
        open_editor(task).restore(typed, version=version)

    async def follow_url(search: str) -> None:
        """Back or Forward moved the address bar: show what it names."""
        state.update(view_from(parse_qs(search.removeprefix('?'))))
        finder.value = state['q']
        await reload()

    async def set_status(status: str) -> None:
        state.update(status=status, page=1)
        remember(push=True)
        await reload()

    async def set_page(page: int | None) -> None:
        if page and page != state['page']:
            state['page'] = page
            remember(push=True)
            await reload()

    async def search(value: str | None) -> None:
        q = (value or '').strip()[:SEARCH_MAX]
        if q == state['q']:
            return  # Back set the box to what the address says: nothing new to show
        state.update(q=q, page=1)
        remember(push=False)
        await reload()

    async def sign_out() -> None:
        try:
            await call(auth.revoke_session, actor_id=user_id, session_id=info.session_id)
        except AppError as error:  # still signed in: say why instead of pretending otherwise
            show_error(error)
            return
        sign_out_browser()

    @ui.refreshable
    def summary(page: TaskPage, counts: TaskCounts) -> None:
        with ui.row().classes('w-full items-center justify-between gap-2'):
            filter_bar(status=state['status'], counts=counts, on_status=set_status)
            ui.label(_range_text(page)).classes('text-xs text-slate-500').mark('range')

    @ui.refreshable
    def footer(page: TaskPage) -> None:
        if not page.items:
            _empty_state(state['status'], state['q'])
        pages = math.ceil(page.total / PAGE_SIZE)
        if pages > 1:
            with ui.row().classes('w-full justify-center'):
                ui.pagination(
                    1,
                    pages,
                    direction_links=True,
                    value=state['page'],
                    on_change=lambda e: set_page(e.value),
                ).props('max-pages=7 boundary-numbers').mark('pager')

    def show(page: TaskPage, counts: TaskCounts) -> None:
        summary.refresh(page, counts)
        rows.show(page.items)
        footer.refresh(page)

    first = await load()
    if first is None:
        return None
    with page_frame(email=info.user.email, on_sign_out=sign_out):
        dialogs = ui.element('div').classes('hidden')
        drafts = BrowserDrafts(user_id, on_restore=restore, on_url=follow_url)
        form = NewTaskForm(add)
        finder = ui.input(
            placeholder='Search tasks', value=state['q'], on_change=lambda e: search(e.value)
        )
        finder.props('outlined dense clearable debounce=250 maxlength=200').classes('w-full')
        finder.props['aria-label'] = 'Search tasks'
        with finder.mark('search').add_slot('prepend'):
            ui.icon('search').classes('text-slate-400')
        with ui.column().classes('w-full gap-2'):
            summary(*first)
            rows = TaskRows(on_complete=complete, on_edit=edit, on_delete=delete)
            rows.show(first[0].items)
            footer(first[0])

    client.on_delete(task_changes.subscribe(user_id, reloader.request))

    def signed_out_elsewhere(_: uuid.UUID) -> None:
        """This sign-in ended (Sign out in another tab, a password change): leave at once."""
        if not client.is_deleted:
            with client:
                leave_ended_session()

    client.on_delete(session_ends.subscribe(info.session_id, signed_out_elsewhere))
    return None


def _range_text(page: TaskPage) -> str:
    if page.total == 0:
        return ''
    first = page.offset + 1
    last = page.offset + len(page.items)
    return f'{first}–{last} of {page.total}'


def _empty_state(status: str, q: str) -> None:
    heading, hint = EMPTY[status]
    if q:
        heading, hint = 'No matches', f'Nothing matches “{q}”. Try other words.'
    with ui.column().classes('w-full items-center py-10 gap-1 text-center').mark('empty'):
        ui.icon('inbox' if not q else 'search_off', size='48px').classes('text-slate-300')
        ui.label(heading).classes('text-base font-medium text-slate-600')
        ui.label(hint).classes('text-sm text-slate-400')


def view_from(params: Mapping[str, Any]) -> dict[str, Any]:
    """Filter, search and page from a query string; anything invalid falls back to its default
    (an old bookmark or a hand-edited address shows the dashboard, never an error)."""

    def first(name: str) -> str:
        value = params.get(name, '')
        if isinstance(value, list):
            value = value[0] if value else ''
        return value if isinstance(value, str) else ''

    status = first('status')
    page = first('page')
    try:
        q = TaskQuery(q=first('q')[:SEARCH_MAX]).q
    except ValidationError:  # e.g. a NUL byte: not searchable, so not searched
        q = ''
    return {
        'status': status if status in STATUSES else 'all',
        'q': q,
        'page': int(page) if _is_page(page) else 1,
    }


def _is_page(text: str) -> bool:
    return 0 < len(text) <= 7 and text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PAGE


def view_url(state: Mapping[str, Any]) -> str:
    """The dashboard's address for this view, naming only what differs from the defaults.

    Percent-encoded, so the search text carries no quote or markup into the page's JavaScript."""
    params = {
        name: value
        for name, value, default in (
            ('status', state['status'], 'all'),
            ('q', state['q'], ''),
            ('page', state['page'], 1),
        )
        if value != default
    }
    return '/tasks' + ('?' + urlencode(params) if params else '')
