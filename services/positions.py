"""Gapped ranks: where a row goes in a person's order, writing one row per move.

Rows are ordered by `(position, id)`. A move between two neighbours takes the midpoint of their
positions; only when the gap has run out (about fifty moves into the same spot) are the rows of
that one scope renumbered 1, 2, 3, … in their current order. Callers lock the scope first (see
`lock`), so two concurrent moves in one list run one after the other and end in one order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlmodel import Session

STEP = 1.0
_MIN_GAP = 1e-9


def _ordered_positions(
    session: Session, table: Table, scope: list[Any], *, exclude: int | None
) -> Any:
    conditions = list(scope)
    if exclude is not None:
        conditions.append(table.c.id != exclude)
    return select(table.c.id, table.c.position).where(*conditions)


def first(session: Session, table: Table, scope: list[Any]) -> float:
    """A position before every row in the scope (a new task goes on top)."""
    lowest = session.connection().execute(select(func.min(table.c.position)).where(*scope))
    value = lowest.scalar()
    return STEP if value is None else float(value) - STEP


def last(session: Session, table: Table, scope: list[Any]) -> float:
    """A position after every row in the scope (a new list goes last)."""
    highest = session.connection().execute(select(func.max(table.c.position)).where(*scope))
    value = highest.scalar()
    return STEP if value is None else float(value) + STEP


def renumber(session: Session, table: Table, scope: list[Any]) -> None:
    """Spread the scope's rows out again, 1, 2, 3, … in their current order."""
    rows = session.connection().execute(
        select(table.c.id).where(*scope).order_by(table.c.position, table.c.id)
    )
    values = [
        {'row_id': row_id, 'new_position': float(rank)} for rank, (row_id,) in enumerate(rows, 1)
    ]
    if values:
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam('row_id'))
            .values(position=bindparam('new_position')),
            values,
        )


def between(
    session: Session,
    table: Table,
    scope: list[Any],
    *,
    moving: int | None,
    before: int | None = None,
    after: int | None = None,
) -> float | None:
    """The position that puts `moving` right before `before` or right after `after` (ids in the
    scope); on top when neither is given. None when that neighbour is not in the scope."""
    for attempt in range(2):
        position = _between_once(session, table, scope, moving=moving, before=before, after=after)
        if position is None or isinstance(position, float):
            return position
        if attempt == 0:  # no room left between the neighbours: spread the scope out once
            renumber(session, table, scope)
    raise RuntimeError('no room between neighbours even after renumbering')  # pragma: no cover


def _between_once(
    session: Session,
    table: Table,
    scope: list[Any],
    *,
    moving: int | None,
    before: int | None,
    after: int | None,
) -> float | bool | None:
    connection = session.connection()
    rows = _ordered_positions(session, table, scope, exclude=moving)
    anchor_id = before if before is not None else after
    if anchor_id is None:
        lowest = connection.execute(select(func.min(rows.subquery().c.position))).scalar()
        return STEP if lowest is None else float(lowest) - STEP
    anchor = connection.execute(
        select(table.c.position).where(*scope, table.c.id == anchor_id)
    ).scalar()
    if anchor is None or anchor_id == moving:
        return None
    anchor = float(anchor)
    others = rows.subquery()
    if before is not None:
        # the row just before the anchor in (position, id) order
        neighbour = connection.execute(
            select(others.c.position)
            .where(
                (others.c.position < anchor)
                | ((others.c.position == anchor) & (others.c.id < anchor_id))
            )
            .order_by(others.c.position.desc(), others.c.id.desc())
            .limit(1)
        ).scalar()
        if neighbour is None:
            return anchor - STEP
        low, high = float(neighbour), anchor
    else:
        neighbour = connection.execute(
            select(others.c.position)
            .where(
                (others.c.position > anchor)
                | ((others.c.position == anchor) & (others.c.id > anchor_id))
            )
            .order_by(others.c.position, others.c.id)
            .limit(1)
        ).scalar()
        if neighbour is None:
            return anchor + STEP
        low, high = anchor, float(neighbour)
    middle = (low + high) / 2
    if high - low < _MIN_GAP or not low < middle < high:
        return False  # the caller renumbers and asks again
    return middle
