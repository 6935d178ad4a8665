"""A person's private calendar feed: their open tasks with due dates, as iCalendar events.

The feed's URL is `/cal/<feed id>.<mac>.ics`. The database keeps only the random feed id; the
mac is an HMAC of it under SECRET_KEY. So settings can show the same URL again at any time (it
is derived, not stored), a copy of the database alone opens no feed, and regenerating (a new
feed id) turns the old URL into a 404 at once. Rotating SECRET_KEY ends every feed URL.

Events, not to-dos: Google Calendar ignores VTODO. A date-only due date is an all-day event; a
timed one starts at its UTC instant and lasts TIMED_MINUTES.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import cast

from icalendar import Calendar, Event
from sqlalchemy import Table, select, update
from sqlmodel import Session

from app.config import get_settings
from app.errors import NotFound
from app.models import PRIORITIES, Task, User, utcnow
from services import clock

_USER = cast(Table, User.__table__)  # type: ignore[attr-defined]
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]

TIMED_MINUTES = 30
MAX_EVENTS = 5000  # a calendar app gives up long before; the soonest-due first
PAST_DAYS = 90  # overdue tasks older than this stay out of the calendar
_SALT = b'tasklight-calendar-feed'
_PRODID = '-//Tasklight//Tasklight tasks//EN'
# iCalendar's PRIORITY: 1 highest … 9 lowest, 0 undefined.
_ICAL_PRIORITY = {0: 0, 1: 9, 2: 5, 3: 1}


def _mac(feed_id: str) -> str:
    key = hashlib.sha256(_SALT + get_settings().signing_key.encode('utf-8')).digest()
    return hmac.new(key, feed_id.encode('ascii'), hashlib.sha256).hexdigest()[:32]


def _token(feed_id: str) -> str:
    return f'{feed_id}.{_mac(feed_id)}'


def feed_token(session: Session, *, actor_id: uuid.UUID) -> str | None:
    """The actor's current feed token (the URL's `<token>.ics`), or None without a feed."""
    feed_id = (
        session.connection()
        .execute(select(_USER.c.calendar_feed_id).where(_USER.c.id == actor_id))
        .scalar()
    )
    return None if feed_id is None else _token(feed_id)


def regenerate_feed(session: Session, *, actor_id: uuid.UUID) -> str:
    """A new feed token for the actor; the previous URL stops working at once."""
    feed_id = secrets.token_hex(16)
    session.connection().execute(
        update(_USER).where(_USER.c.id == actor_id).values(calendar_feed_id=feed_id)
    )
    return _token(feed_id)


def disable_feed(session: Session, *, actor_id: uuid.UUID) -> None:
    """No feed any more: the URL is a 404."""
    session.connection().execute(
        update(_USER).where(_USER.c.id == actor_id).values(calendar_feed_id=None)
    )


def _owner(session: Session, token: str) -> tuple[uuid.UUID, str]:
    feed_id, _, mac = token.partition('.')
    if len(feed_id) != 32 or len(mac) != 32 or not token.isascii():
        raise NotFound('No such calendar.')
    if not hmac.compare_digest(_mac(feed_id), mac):
        raise NotFound('No such calendar.')
    row = (
        session.connection()
        .execute(select(_USER.c.id, _USER.c.time_zone).where(_USER.c.calendar_feed_id == feed_id))
        .first()
    )
    if row is None:
        raise NotFound('No such calendar.')
    return row[0], row[1]


def render_feed(session: Session, *, token: str, now: datetime | None = None) -> bytes:
    """The iCalendar document behind a feed token: the owner's open tasks due from PAST_DAYS
    ago on, soonest first. NotFound for a token that is not (or no longer) a feed's."""
    owner_id, zone_name = _owner(session, token)
    now = now or utcnow()
    today = now.astimezone(clock.zone(zone_name)).date()
    rows = session.connection().execute(
        select(
            _TASK.c.id,
            _TASK.c.title,
            _TASK.c.description,
            _TASK.c.due_date,
            _TASK.c.due_at,
            _TASK.c.priority,
            _TASK.c.created_at,
            _TASK.c.updated_at,
        )
        .where(
            _TASK.c.owner_id == owner_id,
            _TASK.c.completed.is_(False),
            _TASK.c.due_date.is_not(None),
            _TASK.c.due_date >= today - timedelta(days=PAST_DAYS),
        )
        .order_by(_TASK.c.due_date, _TASK.c.id)
        .limit(MAX_EVENTS)
    )
    calendar = Calendar()
    calendar.add('prodid', _PRODID)
    calendar.add('version', '2.0')
    calendar.add('calscale', 'GREGORIAN')
    calendar.add('method', 'PUBLISH')
    calendar.add('x-wr-calname', 'Tasklight')
    calendar.add('x-wr-timezone', zone_name)
    calendar.add('refresh-interval', timedelta(hours=1), parameters={'VALUE': 'DURATION'})
    calendar.add('x-published-ttl', 'PT1H')
    for row in rows:
        event = Event()
        event.add('uid', f'task-{row.id}-{owner_id.hex[:12]}@tasklight')
        event.add('summary', row.title)
        if row.description:
            event.add('description', row.description)
        if row.due_at is not None:
            event.add('dtstart', row.due_at)
            event.add('dtend', row.due_at + timedelta(minutes=TIMED_MINUTES))
        else:
            event.add('dtstart', row.due_date)
            event.add('dtend', row.due_date + timedelta(days=1))
            event.add('transp', 'TRANSPARENT')  # an all-day task does not make one busy
        event.add('dtstamp', row.updated_at)
        event.add('created', row.created_at)
        event.add('last-modified', row.updated_at)
        if row.priority:
            event.add('priority', _ICAL_PRIORITY[row.priority])
            event.add('categories', [f'{PRIORITIES[row.priority]} priority'])
        calendar.add_component(event)
    return bytes(calendar.to_ical())
