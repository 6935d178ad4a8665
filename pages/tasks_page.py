"""The dashboard's addresses: the Inbox, Today, Upcoming, Completed and each list.

Each address is its own page (a link in the sidebar, Back and Forward work as anywhere); the
page itself is a `pages.dashboard.Dashboard`."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from pages.common import COOKIE, signed_in, to_login
from pages.dashboard import View, open_dashboard

_MAX_ID = 2**31 - 1


async def _dashboard(request: Request, view: View, list_id: int | None) -> RedirectResponse | None:
    info = await signed_in(request)
    if info is None:
        return to_login(request)
    await open_dashboard(
        info=info,
        token=request.cookies[COOKIE],
        view=view,
        list_id=list_id,
        query=request.query_params,
    )
    return None


@ui.page('/tasks', title='Inbox · Tasklight')
async def inbox_page(request: Request) -> RedirectResponse | None:
    return await _dashboard(request, 'list', None)


@ui.page('/tasks/today', title='Today · Tasklight')
async def today_page(request: Request) -> RedirectResponse | None:
    return await _dashboard(request, 'today', None)


@ui.page('/tasks/upcoming', title='Upcoming · Tasklight')
async def upcoming_page(request: Request) -> RedirectResponse | None:
    return await _dashboard(request, 'upcoming', None)


@ui.page('/tasks/completed', title='Completed · Tasklight')
async def completed_page(request: Request) -> RedirectResponse | None:
    return await _dashboard(request, 'completed', None)


@ui.page('/tasks/assigned', title='Assigned to me · Tasklight')
async def assigned_page(request: Request) -> RedirectResponse | None:
    return await _dashboard(request, 'assigned', None)


@ui.page('/lists/{list_id}', title='List · Tasklight')
async def list_page(request: Request, list_id: str) -> RedirectResponse | None:
    """One list. Anything that is not one of the person's lists (someone else's, a deleted one,
    not a number) shows "List not found" in the same frame."""
    number = int(list_id) if list_id.isascii() and list_id.isdigit() and len(list_id) < 11 else 0
    return await _dashboard(request, 'list', number if 0 < number <= _MAX_ID else -1)
