"""One table from AppError to HTTP: the same errors the UI shows as notifications."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import (
    AppError,
    AuthFailed,
    InvalidInput,
    NotAuthenticated,
    PreconditionFailed,
    RateLimited,
    Unavailable,
)

log = logging.getLogger(__name__)


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
    body: dict[str, object] = {'detail': detail, **error.extra}
    if isinstance(error, PreconditionFailed) and error.current is not None:
        body['current'] = jsonable_encoder(error.current)
    return JSONResponse(body, status_code=error.status_code, headers=headers)


async def _app_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, AppError)
    return error_response(error)


async def _database_unavailable(_request: Request, error: Exception) -> Response:
    log.error('database unavailable: %s', error.__class__.__name__)
    return JSONResponse(
        {'detail': 'The service is temporarily unavailable. Try again shortly.'},
        status_code=503,
        headers={'Retry-After': '5'},
    )


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
    app.add_exception_handler(OperationalError, _database_unavailable)
    page_not_found = app.exception_handlers.get(404)
    # Installing twice (NiceGUI's tests rebuild the app per test) must not nest the wrapper.
    page_not_found = getattr(page_not_found, 'wrapped_page_handler', page_not_found)

    async def not_found(request: Request, error: Exception) -> Response:
        """JSON for unknown API paths; everything else keeps NiceGUI's 404 page."""
        if request.url.path.startswith('/api/') or page_not_found is None:
            detail = error.detail if isinstance(error, StarletteHTTPException) else 'Not Found'
            return JSONResponse({'detail': detail}, status_code=404)
        response: Response = await page_not_found(request, error)  # type: ignore[misc]
        return response

    not_found.wrapped_page_handler = page_not_found  # type: ignore[attr-defined]
    app.add_exception_handler(404, not_found)
