"""Run one service call as its own unit of work, for callers that hold no session (pages).

Database trouble (unreachable, restarting, pool exhausted, a statement or lock wait cut short)
leaves here as `Unavailable`, an AppError like any other: every page action that shows AppErrors
shows it too, and keeps what the person typed, instead of failing silently or with a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from app import db
from app.models import SessionInfo
from services import auth

P = ParamSpec('P')
R = TypeVar('R')


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    try:
        with db.session_scope() as session:
            yield session
    except db.TROUBLE as error:
        raise db.unavailable(error) from error


def call(fn: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`fn(session, ...)` inside `session_scope()`: committed on success, rolled back on error;
    Unavailable when the database cannot serve."""
    with _unit_of_work() as session:
        return fn(session, *args, **kwargs)


def call_as_browser(token: str, fn: Callable[..., R], /, **kwargs: Any) -> tuple[SessionInfo, R]:
    """Check the browser session behind `token`, then run `fn(session, actor_id=…, **kwargs)`
    as the person it belongs to, in one unit of work. NotAuthenticated if it has ended."""
    with _unit_of_work() as session:
        info = auth.validate_browser_session(session, token=token)
        return info, fn(session, actor_id=info.user.id, **kwargs)


def call_many(*steps: tuple[Callable[..., Any], dict[str, Any]]) -> list[Any]:
    """Several reads in one unit of work (one connection checkout), e.g. a page and its counts."""
    with _unit_of_work() as session:
        return [fn(session, **kwargs) for fn, kwargs in steps]
