"""'User X's tasks changed': delivered after commit to whoever is watching that user's tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from app import db

log = logging.getLogger(__name__)

Callback = Callable[[uuid.UUID], None]
_PENDING_KEY = 'tasklight.changed_users'


@dataclass(eq=False)
class _Subscription:
    callback: Callback
    loop: asyncio.AbstractEventLoop | None = field(default=None)


class ChangeFeed:
    """In-process fan-out keyed by user id, so one person's changes never reach another's page.

    Subscribers made inside an event loop are called on that loop (thread-safe), because
    services often run in a worker thread. Bridges receive every publication, which is where a
    cross-instance channel (Redis or PostgreSQL NOTIFY) plugs in; it hands remote events back
    through `deliver`.
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


def mark_changed(session: Session, user_id: uuid.UUID) -> None:
    """Announce `user_id`'s tasks as changed once this unit of work commits (never on rollback)."""
    session.info.setdefault(_PENDING_KEY, set()).add(user_id)


def _publish_committed(session: Session) -> None:
    for user_id in session.info.pop(_PENDING_KEY, ()):
        task_changes.publish(user_id)


db.on_commit(_publish_committed)
