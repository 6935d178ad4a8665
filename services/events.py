"""Who needs to know: 'user X's tasks changed' and 'sign-in S has ended'.

Both are announced inside the unit of work and delivered after it commits (never on rollback):
in this process through a ChangeFeed, and, on PostgreSQL, to every other instance through a
`NOTIFY` sent in the same transaction and received by each instance's `CrossInstanceListener`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import db, metrics

log = logging.getLogger(__name__)

Callback = Callable[[uuid.UUID], None]
_PENDING_KEY = 'tasklight.changed_users'
_ENDED_KEY = 'tasklight.ended_sessions'
CHANNEL = 'tasklight_events'
INSTANCE = uuid.uuid4().hex  # this process; its own notifications come back and are skipped
PROBE_SECONDS = 15.0  # how often the listener measures the channel's lag (its own channel)
_KINDS = {'t': 'tasks', 's': 'session_end'}


@dataclass(eq=False)
class _Subscription:
    callback: Callback
    loop: asyncio.AbstractEventLoop | None = field(default=None)


class ChangeFeed:
    """In-process fan-out keyed by user id, so one person's changes never reach another's page.

    Subscribers made inside an event loop are called on that loop (thread-safe), because
    services often run in a worker thread. Bridges receive every local publication: a hook for
    other channels (the PostgreSQL one sends inside the transaction instead, see `_notify`).
    Whatever arrives from elsewhere comes in through `deliver`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[uuid.UUID, set[_Subscription]] = {}
        self._bridges: list[Callback] = []

    def subscribe(self, user_id: uuid.UUID, callback: Callback) -> Callable[[], None]:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        subscription = _Subscription(callback, loop)
        with self._lock:
            self._subscribers.setdefault(user_id, set()).add(subscription)

        def unsubscribe() -> None:
            with self._lock:
                subscribers = self._subscribers.get(user_id)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del self._subscribers[user_id]

        return unsubscribe

    def subscriber_count(self, user_id: uuid.UUID | None = None) -> int:
        with self._lock:
            if user_id is not None:
                return len(self._subscribers.get(user_id, ()))
            return sum(len(subs) for subs in self._subscribers.values())

    def add_bridge(self, bridge: Callback) -> Callable[[], None]:
        self._bridges.append(bridge)
        return lambda: self._bridges.remove(bridge)

    def publish(self, user_id: uuid.UUID) -> None:
        self.deliver(user_id)
        for bridge in list(self._bridges):
            try:
                bridge(user_id)
            except Exception:
                log.exception('change bridge failed')

    def deliver_all(self) -> None:
        """Everyone watching anything here: after a gap in the cross-instance channel."""
        with self._lock:
            keys = list(self._subscribers)
        for key in keys:
            self.deliver(key)

    def deliver(self, user_id: uuid.UUID) -> None:
        with self._lock:
            subscriptions = list(self._subscribers.get(user_id, ()))
        for subscription in subscriptions:
            if subscription.loop is None:
                _safely(subscription.callback, user_id)
            elif not subscription.loop.is_closed():
                with contextlib.suppress(RuntimeError):  # the loop closed in between
                    subscription.loop.call_soon_threadsafe(_safely, subscription.callback, user_id)


def _safely(callback: Callback, user_id: uuid.UUID) -> None:
    try:
        callback(user_id)
    except Exception:
        log.exception('task change subscriber failed')


task_changes = ChangeFeed()
session_ends = ChangeFeed()  # keyed by the auth session id: that sign-in was revoked
_notify_across = threading.Event()  # set while a CrossInstanceListener runs in this process


def mark_changed(session: Session, user_id: uuid.UUID) -> None:
    """Announce `user_id`'s tasks as changed once this unit of work commits (never on rollback)."""
    session.info.setdefault(_PENDING_KEY, set()).add(user_id)
    _notify(session, 't', user_id)


def mark_session_ended(session: Session, session_id: uuid.UUID) -> None:
    """Announce that a sign-in was revoked, so its open pages leave and caches forget it."""
    session.info.setdefault(_ENDED_KEY, set()).add(session_id)
    _notify(session, 's', session_id)


def _notify(session: Session, kind: str, key: uuid.UUID) -> None:
    # Transactional: PostgreSQL sends it at commit, only if committed, once per distinct payload.
    if _notify_across.is_set() and session.get_bind().dialect.name == 'postgresql':
        session.connection().exec_driver_sql(
            'SELECT pg_notify(%s, %s)', (CHANNEL, f'{INSTANCE}:{kind}:{key.hex}')
        )


def _publish_committed(session: Session) -> None:
    for user_id in session.info.pop(_PENDING_KEY, ()):
        task_changes.publish(user_id)
    for session_id in session.info.pop(_ENDED_KEY, ()):
        session_ends.publish(session_id)


db.on_commit(_publish_committed)


class CrossInstanceListener:
    """Receives the other instances' announcements (PostgreSQL `LISTEN`) and delivers them here.

    One thread and one connection per instance. After a lost connection it reconnects with
    backoff and refreshes every page open here, since announcements in the gap are gone.
    """

    def __init__(
        self,
        url: str,
        *,
        on_session_ended: Callable[[uuid.UUID], None] | None = None,
        instance: str = INSTANCE,
        changes: ChangeFeed = task_changes,
        ends: ChangeFeed = session_ends,
    ) -> None:
        parsed = make_url(url)
        self._url = parsed.set(drivername='postgresql').render_as_string(hide_password=False)
        # Shown in pg_stat_activity beside the instance's pooled connections.
        if 'application_name' not in parsed.query:
            self._url = make_conninfo(self._url, application_name=db.application_name())
        self._on_session_ended = on_session_ended
        self._instance = instance
        # A channel only this listener hears: the round trip of a NOTIFY through PostgreSQL.
        self._probe_channel = 'tasklight_probe_' + ''.join(c for c in instance if c.isalnum())[:40]
        self._changes = changes
        self._ends = ends
        self._stop = threading.Event()
        self.listening = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        _notify_across.set()
        self._thread = threading.Thread(target=self._run, name='tasklight-listen', daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        _notify_across.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff, lost = 0.5, False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f'LISTEN {CHANNEL}')
                    conn.execute(f'LISTEN "{self._probe_channel}"')
                    self.listening.set()
                    metrics.EVENTS_LISTENING.set(1)
                    if lost:
                        self._changes.deliver_all()
                    backoff, lost = 0.5, False
                    next_probe = time.monotonic()
                    while not self._stop.is_set():
                        if time.monotonic() >= next_probe:
                            next_probe = time.monotonic() + PROBE_SECONDS
                            self._probe(conn)
                        for note in conn.notifies(timeout=1.0):
                            if note.channel == self._probe_channel:
                                self._probed(note.payload)
                            else:
                                self.handle(note.payload)
            except psycopg.Error as error:
                self.listening.clear()
                metrics.EVENTS_LISTENING.set(0)
                lost = True
                log.warning('cross-instance channel lost (%s); retrying in %.1fs', error, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def _probe(self, conn: psycopg.Connection[Any]) -> None:
        # One statement string that starts with LISTEN (a no-op repeat): pg_stat_activity still
        # shows this connection as the listener. The payload is a float's repr: a safe literal.
        conn.execute(f'LISTEN {CHANNEL}; NOTIFY "{self._probe_channel}", \'{time.monotonic()!r}\'')

    def _probed(self, payload: str) -> None:
        with contextlib.suppress(ValueError):
            metrics.EVENTS_ROUND_TRIP.observe(time.monotonic() - float(payload))

    def handle(self, payload: str) -> None:
        instance, _, rest = payload.partition(':')
        kind, _, key = rest.partition(':')
        if instance == self._instance:
            return  # announced here already, right after the commit
        try:
            ident = uuid.UUID(hex=key)
        except ValueError:
            log.warning('ignored a malformed announcement: %r', payload[:100])
            return
        if kind in _KINDS:
            metrics.EVENTS_RECEIVED.labels(_KINDS[kind]).inc()
        if kind == 't':
            self._changes.deliver(ident)
        elif kind == 's':
            if self._on_session_ended is not None:
                _safely(self._on_session_ended, ident)
            self._ends.deliver(ident)
