"""A person's time: their zone (from their browser, kept on the account) and their "today".

Anything that says "today" takes the person's zone, never the server's. A due date without a
time is a calendar date; with a time, the instant is kept in UTC (`due_at`) and the date and
wall-clock time in the person's zone beside it, refreshed when the zone changes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import Table, bindparam, select, update
from sqlmodel import Session

from app.errors import InvalidInput
from app.models import TIME_ZONE_MAX, Task, User
from services.events import mark_changed

_USER = cast(Table, User.__table__)  # type: ignore[attr-defined]
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {'UTC'}


def known_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this machine knows (what `set_time_zone` accepts)."""
    return len(name) <= TIME_ZONE_MAX and name in _known_zones()


def zone(name: str) -> ZoneInfo:
    """The zone called `name`, or UTC for a name this machine does not know."""
    if name in _known_zones():
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo('UTC')


def zone_of(session: Session, *, actor_id: uuid.UUID) -> ZoneInfo:
    name = (
        session.connection()
        .execute(select(_USER.c.time_zone).where(_USER.c.id == actor_id))
        .scalar()
    )
    return zone(name or 'UTC')


def today_for(session: Session, *, actor_id: uuid.UUID, now: datetime | None = None) -> date:
    """The actor's calendar date right now, in their zone."""
    return (now or datetime.now(UTC)).astimezone(zone_of(session, actor_id=actor_id)).date()


def due_instant(due_date: date, due_time: time, where: ZoneInfo) -> datetime:
    """A wall-clock due time in the person's zone, as a UTC instant."""
    return datetime.combine(due_date, due_time, tzinfo=where).astimezone(UTC)


def set_time_zone(session: Session, *, actor_id: uuid.UUID, time_zone: str) -> str:
    """Keep the zone the actor's browser reports (an IANA name); timed due dates keep their
    instant and show the date and time it is in the new zone. InvalidInput for unknown names."""
    name = (time_zone or '').strip()
    if not known_zone(name):
        raise InvalidInput(
            'Time zone: not a known IANA time zone.', field='time_zone', reason='is not known'
        )
    connection = session.connection()
    current = connection.execute(select(_USER.c.time_zone).where(_USER.c.id == actor_id)).scalar()
    if current == name:
        return name
    connection.execute(update(_USER).where(_USER.c.id == actor_id).values(time_zone=name))
    where = ZoneInfo(name)
    timed = connection.execute(
        select(_TASK.c.id, _TASK.c.due_at).where(
            _TASK.c.owner_id == actor_id, _TASK.c.due_at.is_not(None)
        )
    ).all()
    if timed:
        values = []
        for task_id, due_at in timed:
            local = due_at.astimezone(where)
            values.append(
                {'row_id': task_id, 'local_date': local.date(), 'local_time': local.time()}
            )
        connection.execute(
            update(_TASK)
            .where(_TASK.c.id == bindparam('row_id'))
            .values(due_date=bindparam('local_date'), due_time=bindparam('local_time')),
            values,
        )
        mark_changed(session, actor_id)
    return name
