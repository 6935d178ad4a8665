"""One table from AppError to HTTP: the same errors the UI shows as notifications."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import db
from app.errors import (
    AppError,
    AuthFailed,
    InvalidInput,
    NotAuthenticated,
    PreconditionFailed,
    RateLimited,
    Unavailable,
)


def error_response(error: AppError) -> JSONResponse:
    headers: dict[str, str] = {}
    if isinstance(error, NotAuthenticated | AuthFailed):  # every 401 carries its challenge
        headers['WWW-Authenticate'] = 'Bearer'
    if isinstance(error, RateLimited | Unavailable):
        headers['Retry-After'] = str(error.retry_after)
    if isinstance(error, InvalidInput):
        detail: object = [
            {
                'loc': ['body', *(error.field.split('.') if error.field else [])],
                'msg': error.message,
                'type': 'value_error',
            }
        ]
    else:
        detail = error.message
    body: dict[str, object] = {'detail': detail}
    if isinstance(error, PreconditionFailed) and error.current is not None:
        body['current'] = jsonable_encoder(error.current)
    return JSONResponse(body, status_code=error.status_code, headers=headers)


_UNAVAILABLE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{seconds}">
<title>Temporarily unavailable · Tasklight</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;
line-height:1.5;color:#334155}}@media (prefers-color-scheme:dark){{body{{background:#0f172a;
color:#cbd5e1}}}}</style></head>
<body><main><h1>Tasklight is temporarily unavailable — retrying</h1>
<p>It cannot reach its database right now. This page tries again every {seconds} seconds;
nothing you saved is lost.</p></main></body></html>
"""


def unavailable_page(error: Unavailable) -> HTMLResponse:
    """A plain page that reloads itself: no NiceGUI client, no script, works under the CSP."""
    return HTMLResponse(
        _UNAVAILABLE_PAGE.format(seconds=error.retry_after),
        status_code=503,
        headers={'Retry-After': str(error.retry_after), 'Cache-Control': 'no-store'},
    )


def _is_api(request: Request) -> bool:
    return request.url.path.startswith('/api/')


async def _app_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, AppError)
    if isinstance(error, Unavailable) and not _is_api(request):
        return unavailable_page(error)  # a page: the browser shows it and tries again
    return error_response(error)


async def _database_trouble(request: Request, error: Exception) -> Response:
    """Database trouble that no unit of work translated (the API opens its own): a 503."""
    return await _app_error(request, db.unavailable(error))


class _AsciiJSONResponse(JSONResponse):
    """Escapes non-ASCII, so even a lone surrogate a client sent renders as valid JSON."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(',', ':')).encode('ascii')


async def _validation_error(_request: Request, error: Exception) -> Response:
    """FastAPI's 422 shape without echoing what was sent: a rejected password stays unrepeated."""
    assert isinstance(error, RequestValidationError)
    detail = [
        {key: value for key, value in item.items() if key not in ('input', 'url')}
        for item in jsonable_encoder(error.errors())
    ]
    return _AsciiJSONResponse({'detail': detail}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(AppError, _app_error)
    for trouble in db.TROUBLE:
        app.add_exception_handler(trouble, _database_trouble)
    page_not_found = app.exception_handlers.get(404)
    # Installing twice (NiceGUI's tests rebuild the app per test) must not nest the wrapper.
    page_not_found = getattr(page_not_found, 'wrapped_page_handler', page_not_found)

    async def not_found(request: Request, error: Exception) -> Response:
        """JSON for unknown API paths; everything else gets the site's 404 page."""
        if request.url.path.startswith('/api/') or page_not_found is None:
            detail = error.detail if isinstance(error, StarletteHTTPException) else 'Not Found'
            return JSONResponse({'detail': detail}, status_code=404)
        response: Response = await page_not_found(request, error)  # type: ignore[misc]
        return response

    not_found.wrapped_page_handler = page_not_found  # type: ignore[attr-defined]
    app.add_exception_handler(404, not_found)
