"""Export and import: your lists and tasks as Tasklight JSON or CSV, and files coming in from
Tasklight, Todoist or a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.deps import INVALID, UNAUTHORIZED, CurrentSession
from app.db import session_scope
from app.errors import InvalidInput
from app.models import LIST_NAME_MAX
from services import transfer
from services.transfer import ImportFormat, ImportPreview

router = APIRouter(tags=['export and import'], responses=UNAUTHORIZED)

_MEDIA = {'json': 'application/json', 'csv': 'text/csv; charset=utf-8'}


@router.get(
    '/export',
    response_class=StreamingResponse,
    responses={200: {'content': {'application/json': {}, 'text/csv': {}}}, **INVALID},
)
def export(
    current: CurrentSession,
    format: Annotated[
        Literal['json', 'csv'], Query(description='`json` keeps everything')
    ] = 'json',
) -> StreamingResponse:
    """Everything you own, streamed: Tasklight JSON (your preferences, lists and tasks with
    every field and their assignees' emails, the format `POST /api/import` reads back exactly)
    or CSV of your tasks for spreadsheets."""
    actor_id = current.user.id
    produce = transfer.export_json if format == 'json' else transfer.export_csv

    def chunks() -> Iterator[bytes]:
        # One read-only unit of work for the whole download, so the document is consistent.
        with session_scope() as session:
            for piece in produce(session, actor_id=actor_id):
                yield piece.encode('utf-8')

    stamp = datetime.now(UTC).strftime('%Y-%m-%d')
    return StreamingResponse(
        chunks(),
        media_type=_MEDIA[format],
        headers={
            'Content-Disposition': f'attachment; filename="tasklight-{stamp}.{format}"',
            'Cache-Control': 'no-store',
        },
    )


@router.get('/export/schema')
def export_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of Tasklight JSON, format 2: what `GET /api/export`
    writes and `POST /api/import` reads (format 1 files too). It needs no session: it says
    nothing about anyone."""
    return transfer.export_schema()


IMPORT_BODY = {
    'requestBody': {
        'required': True,
        'description': 'The file itself, as the body (`curl --data-binary @file`)',
        'content': {
            'application/json': {'schema': {'type': 'object'}},
            'text/csv': {'schema': {'type': 'string'}},
        },
    }
}


@router.post(
    '/import',
    openapi_extra=IMPORT_BODY,
    responses={
        **INVALID,
        200: {'description': 'What was created (or, with dry_run, would be, and the problems)'},
    },
)
async def import_file(
    current: CurrentSession,
    request: Request,
    dry_run: Annotated[bool, Query(description='Only say what would be created')] = False,
    format: Annotated[
        ImportFormat, Query(description='`auto` tells Tasklight JSON, Todoist CSV and CSV apart')
    ] = 'auto',
    list_name: Annotated[
        str | None,
        Query(max_length=LIST_NAME_MAX, description="For Todoist: the project's name"),
    ] = None,
) -> ImportPreview:
    """Import a Tasklight export, a Todoist CSV export, or a CSV with a `title` column, all or
    nothing. With `dry_run=true` nothing is written and the answer lists the problems and the
    preferences the file would set; without it a file with problems is a 422 naming the first
    (its line, or its item). A Tasklight file's preferences replace yours (those it gives); a
    task keeps its assignee only when that is you."""
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > transfer.MAX_IMPORT_BYTES:
            raise InvalidInput('File: too large.', field='file')
    if list_name is not None and ('\x00' in list_name or not list_name.isprintable()):
        raise InvalidInput('List name: must be printable text.', field='list_name')
    actor_id = current.user.id
    run = transfer.preview_import if dry_run else transfer.import_data

    def work() -> ImportPreview:
        with session_scope() as session:
            return run(
                session, actor_id=actor_id, data=bytes(data), format=format, list_name=list_name
            )

    return await run_in_threadpool(work)
