"""Announcements: in this process after commit, and across instances through PostgreSQL NOTIFY.

A second instance is simulated by a CrossInstanceListener with another instance id and feeds of
its own, listening on the same database.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from app import db
from app.db import session_scope
from app.errors import NotFound
from services import auth, events, tasks
from services.events import ChangeFeed, CrossInstanceListener, session_ends
from tests.factories import PASSWORD, make_task, make_user


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_revoked_sign_in_is_announced_after_commit() -> None:
    person = make_user()
    with session_scope() as s:
        issued = auth.sign_in(s, email=person.email, password=PASSWORD, kind='api')
    heard: list[uuid.UUID] = []
    stop = session_ends.subscribe(issued.info.session_id, heard.append)
    try:
        with pytest.raises(NotFound), session_scope() as s:
            auth.revoke_session(s, actor_id=person.id, session_id=issued.info.session_id)
            raise NotFound()  # rolled back: still signed in, nothing announced
        assert heard == []
        with session_scope() as s:
            auth.revoke_session(s, actor_id=person.id, session_id=issued.info.session_id)
        assert heard == [issued.info.session_id]
    finally:
        stop()


class OtherInstance:
    """What another instance would hear, and which cached sessions it would drop."""

    def __init__(self) -> None:
        self.changes = ChangeFeed()
        self.ends = ChangeFeed()
        self.forgotten: list[uuid.UUID] = []
        self.changed: list[uuid.UUID] = []
        self.ended: list[uuid.UUID] = []
        self._lock = threading.Lock()

    def watch(self, user_id: uuid.UUID, session_id: uuid.UUID | None = None) -> None:
        self.changes.subscribe(user_id, self.changed.append)
        if session_id is not None:
            self.ends.subscribe(session_id, self.ended.append)


@pytest.fixture
def other(database: str) -> Iterator[OtherInstance]:
    if database != 'postgresql':
        pytest.skip('the cross-instance channel is PostgreSQL LISTEN/NOTIFY')
    instance = OtherInstance()
    listener = CrossInstanceListener(
        db.get_engine().url.render_as_string(hide_password=False),
        on_session_ended=instance.forgotten.append,
        instance='another-instance',
        changes=instance.changes,
        ends=instance.ends,
    )
    listener.start()
    assert listener.listening.wait(10)
    yield instance
    listener.stop()


def test_another_instance_hears_task_changes_and_only_committed_ones(
    other: OtherInstance,
) -> None:
    alice, bob = make_user(), make_user()
    other.watch(alice.id)
    other.watch(bob.id)
    task = make_task(alice)
    assert wait_for(lambda: other.changed == [alice.id])
    with pytest.raises(NotFound), session_scope() as s:
        tasks.toggle_task(s, actor_id=alice.id, task_id=task.id)
        tasks.get_task(s, actor_id=alice.id, task_id=task.id + 1)  # fails: all rolls back
    with session_scope() as s:
        tasks.toggle_task(s, actor_id=bob.id, task_id=make_task(bob).id)
    assert wait_for(lambda: bob.id in other.changed)
    assert other.changed.count(alice.id) == 1  # the rolled-back toggle was never sent


def test_another_instance_forgets_a_revoked_sign_in_at_once(other: OtherInstance) -> None:
    person = make_user()
    with session_scope() as s:
        issued = auth.sign_in(s, email=person.email, password=PASSWORD, kind='browser')
    session_id = issued.info.session_id
    other.watch(person.id, session_id)
    with session_scope() as s:
        auth.revoke_session(s, actor_id=person.id, session_id=session_id)
    assert wait_for(lambda: other.forgotten == [session_id])
    assert wait_for(lambda: other.ended == [session_id])


def test_own_and_malformed_announcements_are_ignored() -> None:
    changes = ChangeFeed()
    heard: list[uuid.UUID] = []
    someone = uuid.uuid4()
    changes.subscribe(someone, heard.append)
    listener = CrossInstanceListener(
        'postgresql://unused/db', instance='me', changes=changes, ends=ChangeFeed()
    )
    listener.handle(f'me:t:{someone.hex}')
    listener.handle('them:t:not-a-uuid')
    listener.handle(f'them:x:{someone.hex}')
    assert heard == []
    listener.handle(f'them:t:{someone.hex}')
    assert heard == [someone]


def test_a_lost_channel_refreshes_every_open_page_when_it_is_back(
    other: OtherInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_user()
    other.watch(person.id)
    refreshed = threading.Event()
    monkeypatch.setattr(other.changes, 'deliver_all', refreshed.set)
    # Kill the listener's connection from the server side, as a database restart would.
    with db.get_engine().begin() as connection:
        connection.exec_driver_sql(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity'
            " WHERE datname = current_database() AND query LIKE 'LISTEN%%'"
        )
    assert refreshed.wait(10)


def test_nothing_is_sent_without_a_listener_or_on_sqlite(database: str) -> None:
    assert not events._notify_across.is_set()
    make_task(make_user())  # would fail on SQLite if it tried pg_notify
