"""New tasks with no list named go to the person's default list, while it is still theirs."""

from __future__ import annotations

import uuid

from app.db import session_scope
from app.models import TaskRead
from services import account, lists, tasks
from tests.factories import make_user


def _add(owner_id: uuid.UUID, title: str, list_id: int | None = None) -> TaskRead:
    with session_scope() as s:
        return tasks.create_task(s, actor_id=owner_id, title=title, list_id=list_id)


def _new_list(owner_id: uuid.UUID, name: str) -> int:
    with session_scope() as s:
        return lists.create_list(s, actor_id=owner_id, name=name).id


def _default(owner_id: uuid.UUID, list_id: int | None) -> None:
    with session_scope() as s:
        account.update_settings(s, actor_id=owner_id, default_list_id=list_id)


def _inbox(owner_id: uuid.UUID) -> int:
    with session_scope() as s:
        return lists.inbox_id(s, actor_id=owner_id)


def test_without_a_default_list_new_tasks_go_to_the_inbox() -> None:
    me = make_user()
    assert _add(me.id, 'Milk').list_id == _inbox(me.id)


def test_with_a_default_list_new_tasks_go_there_and_a_named_list_still_wins() -> None:
    me = make_user()
    work = _new_list(me.id, 'Work')
    home = _new_list(me.id, 'Home')
    _default(me.id, work)
    assert _add(me.id, 'Report').list_id == work
    assert _add(me.id, 'Dishes', list_id=home).list_id == home
    _default(me.id, None)  # back to the Inbox
    assert _add(me.id, 'Milk').list_id == _inbox(me.id)


def test_after_the_default_list_is_deleted_new_tasks_go_to_the_inbox() -> None:
    me = make_user()
    work = _new_list(me.id, 'Work')
    _default(me.id, work)
    with session_scope() as s:
        lists.delete_list(s, actor_id=me.id, list_id=work)
    task = _add(me.id, 'Report')
    assert task.list_id == _inbox(me.id)
    with session_scope() as s:
        assert account.get_account(s, actor_id=me.id).default_list_id is None


def test_a_default_list_id_that_is_not_theirs_is_never_used() -> None:
    """Even a row pointing at someone else's list (written behind the service's back) sends
    the task to the person's own Inbox, never into another person's list."""
    me, other = make_user(), make_user()
    theirs = _new_list(other.id, 'Theirs')
    with session_scope() as s:
        s.connection().execute(
            account._USER.update().where(account._USER.c.id == me.id).values(default_list_id=theirs)
        )
    task = _add(me.id, 'Mine')
    assert task.list_id == _inbox(me.id)
    with session_scope() as s:
        assert tasks.count_tasks(s, actor_id=other.id, list_id=theirs).all == 0
