"""The dashboard: add, list, filter, search, edit, complete and delete tasks, live in every tab."""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Client, background_tasks, run, ui

from app.errors import AppError, NotAuthenticated, NotFound
from app.models import TaskCounts, TaskPage, TaskRead
from components.frame import page_frame
from components.task_list import TaskRows, confirm_dialog, edit_dialog, filter_bar, new_task_form
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
    state: dict[str, Any] = {'status': 'all', 'q': '', 'page': 1}

    async def act(fn: Callable[..., R], /, **kwargs: Any) -> tuple[bool, R | None]:
        """Run a service as this person while their session lives: (succeeded, result).

        An ended session goes to sign-in; expected errors show as a notification."""
        try:
            _, result = await run.io_bound(uow.call_as_browser, token, fn, **kwargs)
            return True, result
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
        except AppError as error:
            show_error(error)
            if isinstance(error, NotFound):
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
            _, data = await act(fetch)
        return data

    async def reload() -> None:
        data = await load()
        if data is not None and not client.is_deleted:
            show(*data)

    reloader = Reloader(client, reload)

    async def add(title: str, description: str) -> str | None:
        try:
            await run.io_bound(
                uow.call_as_browser, token, tasks.create_task, title=title, description=description
            )
        except NotAuthenticated:
            ui.navigate.to('/login?reason=expired')
        except AppError as error:
            return error.message
        return None

    async def complete(task: TaskRead, value: bool) -> None:
        if value != task.completed:
            _, changed = await act(tasks.update_task, task_id=task.id, completed=value)
            if changed is not None:
                rows.update(changed)  # confirmed: show it now; the live reload re-sorts

    async def edit(task: TaskRead) -> None:
        async def save(title: str, description: str) -> str | None:
            try:
                await run.io_bound(
                    uow.call_as_browser,
                    token,
                    tasks.update_task,
                    task_id=task.id,
                    title=title,
                    description=description,
                )
            except NotAuthenticated:
                ui.navigate.to('/login?reason=expired')
            except AppError as error:
                return error.message
            return None

        with dialogs:  # outside the board, so a live refresh cannot close it mid-edit
            dialog = edit_dialog(task, save)
        dialog.on('hide', dialog.delete)
        dialog.open()

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
            deleted, _ = await act(tasks.delete_task, task_id=task.id)
            if deleted:
                ui.notify('Task deleted', type='positive', position='bottom')

    async def set_status(status: str) -> None:
        state.update(status=status, page=1)
        await reload()

    async def set_page(page: int | None) -> None:
        if page and page != state['page']:
            state['page'] = page
            await reload()

    async def search(value: str | None) -> None:
        state.update(q=(value or '').strip()[:200], page=1)
        await reload()

    async def sign_out() -> None:
        await call(auth.revoke_session, actor_id=user_id, session_id=info.session_id)
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
        new_task_form(add)
        finder = ui.input(placeholder='Search tasks', on_change=lambda e: search(e.value))
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
