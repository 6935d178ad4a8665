"""Probes for the proxy and the orchestrator: `/healthz` (the process answers) and `/readyz`
(the database answers and is migrated; 503 from the moment a shutdown begins).

Both are cheap: no session, no rate limit, no access-log line. Readiness asks the database one
`SELECT 1`; whether the schema is at the newest migration is asked until it is, then remembered.
"""

from __future__ import annotations

import threading
import weakref

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine

from app import db

router = APIRouter(include_in_schema=False)
_stopping = threading.Event()
_migrated: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines seen at the newest migration
_NO_STORE = {'Cache-Control': 'no-store'}


def mark_stopping() -> None:
    """From now on /readyz says 503, so the proxy sends no new work here."""
    _stopping.set()


def reset() -> None:
    """Ready again (tests, and a process that reuses the module)."""
    _stopping.clear()
    _migrated.clear()


def stopping() -> bool:
    return _stopping.is_set()


# HEAD too: some uptime checkers probe with it.
@router.api_route('/healthz', methods=['GET', 'HEAD'])
async def healthz() -> JSONResponse:
    return JSONResponse({'status': 'ok'}, headers=_NO_STORE)


@router.api_route('/readyz', methods=['GET', 'HEAD'])
async def readyz() -> JSONResponse:
    if _stopping.is_set():
        return _not_ready('stopping')
    try:
        problem = await run_in_threadpool(_check_database)
    except db.TROUBLE as error:
        db.unavailable(error)  # logged once per burst, like the requests that meet it
        return _not_ready('database unavailable')
    if problem:
        return _not_ready(problem)
    return JSONResponse({'status': 'ready'}, headers=_NO_STORE)


def _not_ready(reason: str) -> JSONResponse:
    return JSONResponse(
        {'status': 'unavailable', 'detail': reason},
        status_code=503,
        headers={**_NO_STORE, 'Retry-After': '5'},
    )


def _check_database() -> str | None:
    engine = db.get_engine()
    with engine.connect() as connection:
        connection.execute(text('SELECT 1'))
        if engine in _migrated:
            return None
        try:
            current = connection.execute(text('SELECT version_num FROM alembic_version')).scalar()
        except (exc.OperationalError, exc.ProgrammingError):  # no such table: never migrated
            return 'database not migrated'
    if current != db.head_revision():
        return 'database not migrated'
    _migrated.add(engine)
    return None
