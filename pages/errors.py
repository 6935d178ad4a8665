"""The site's own "not found" and "server error" pages, in Tasklight's look.

The API keeps its JSON answers (api/errors.py wraps the 404 handler installed here). A page
that fails unexpectedly shows the 500 page and no trace of why; the traceback goes to the log.
Expected errors a page raises (the database is down, a 404) still reach their FastAPI handlers:
the 503 page that retries by itself, the 404 page.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from nicegui import Client, app, core, ui
from starlette.exceptions import HTTPException

from app import db
from app.errors import AppError
from components.frame import error_card
from pages.common import COOKIE, call, signed_in
from services import account

LANGUAGE = 'en-US'
NOT_FOUND = "This page doesn't exist."
NOT_FOUND_TEXT = 'The address may be mistyped, or what was here has gone.'
SERVER_ERROR = 'Something went wrong.'
SERVER_ERROR_TEXT = (
    'Tasklight could not show this page. The problem has been noted; try again in a moment.'
)
TO_TASKS = ('Go to your tasks', '/tasks')
TO_SIGN_IN = ('Sign in', '/login')
# What a page may raise on purpose: answered by its own handler, never as a 500.
EXPECTED = (AppError, HTTPException, *db.TROUBLE)


async def _look(request: Request) -> tuple[str, tuple[str, str]]:
    """The person's theme and the way back; someone not signed in follows the device."""
    try:
        info = await signed_in(request)
        if info is None:
            return 'system', TO_SIGN_IN
        settings = await call(account.get_account, actor_id=info.user.id)
    except AppError:  # the database is unreachable, or the account has just gone
        return 'system', TO_SIGN_IN
    return settings.theme, TO_TASKS


def _is_page_address(request: Request) -> bool:
    """NiceGUI's own rule: a 404 a non-page endpoint raises (a static file, the calendar feed)
    is FastAPI's JSON; an address nobody serves, or a page saying "not found", is a page."""
    endpoint = request.scope.get('endpoint')
    # Set by every NiceGUI client made for the request; an error client's path is ''.
    return endpoint is None or endpoint is core.app or 'nicegui_page_path' in request.scope


async def not_found(request: Request, error: Exception) -> Response:
    if not _is_page_address(request) and isinstance(error, HTTPException):
        return await http_exception_handler(request, error)
    theme, (text, target) = await _look(request)
    error_page = ui.page('', title='Page not found · Tasklight', language=LANGUAGE)
    with Client(error_page, request=request) as client:
        error_card(
            code=404,
            heading=NOT_FOUND,
            explanation=NOT_FOUND_TEXT,
            link_text=text,
            target=target,
            theme=theme,
        )
    return client.build_response(request, 404)


def server_error(error: Exception) -> None:
    """NiceGUI's page exception handler: builds the 500 page inside its error client (sync:
    no database here, so the device's theme, and the cookie alone picks the way back)."""
    client = ui.context.client
    if isinstance(error, EXPECTED):
        client.delete()  # not needed: the error's own handler answers
        raise error
    client.page.language = LANGUAGE
    client.title = 'Something went wrong · Tasklight'
    request = client.request
    text, target = TO_TASKS if request.cookies.get(COOKIE) else TO_SIGN_IN
    error_card(
        code=500,
        heading=SERVER_ERROR,
        explanation=SERVER_ERROR_TEXT,
        link_text=text,
        target=target,
        theme='system',
    )


def install(fastapi_app: FastAPI) -> None:
    """Before api.web.configure, which keeps JSON for the API around this 404 page."""
    fastapi_app.exception_handlers[404] = not_found
    app.on_page_exception(server_error)
    # NiceGUI's catch-all page of the exception's name: NiceGUI would also call it, in the
    # background, for every page exception above (logging each twice). Without it, anything
    # outside a page function fails as in FastAPI: a plain 500, the traceback in the log.
    fastapi_app.exception_handlers.pop(Exception, None)
