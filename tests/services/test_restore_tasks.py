"""Undo of a delete puts the task back exactly as it was."""

from __future__ import annotations

from app.db import session_scope
from services import lists, tasks
from tests.factories import make_task, make_user


def test_a_deleted_task_comes_back_with_its_id_list_and_place() -> None:
    owner = make_user()
    below = make_task(owner, title='below')
    task = make_task(owner, title='on top', description='words')
    with session_scope() as session:
        snapshot = tasks.delete_task(session, actor_id=owner.id, task_id=task.id)
    with session_scope() as session:
        restored = tasks.restore_tasks(session, actor_id=owner.id, snapshots=[snapshot])
    assert [t.id for t in restored] == [task.id]
    back = restored[0]
    assert (back.title, back.description, back.list_id, back.position) == (
        'on top',
        'words',
        task.list_id,
        task.position,
    )
    assert back.created_at == task.created_at
    assert back.version == task.version + 1  # a dialog holding the old version sees a change
    assert back.updated_at >= task.updated_at
    with session_scope() as session:
        shown = tasks.list_tasks(session, actor_id=owner.id, list_id=task.list_id)
    assert [t.id for t in shown.items] == [task.id, below.id]


def test_a_task_whose_list_went_comes_back_to_the_inbox() -> None:
    owner = make_user()
    with session_scope() as session:
        work = lists.create_list(session, actor_id=owner.id, name='Work')
        task = tasks.create_task(session, actor_id=owner.id, title='report', list_id=work.id)
    with session_scope() as session:
        snapshot = tasks.delete_task(session, actor_id=owner.id, task_id=task.id)
        lists.delete_list(session, actor_id=owner.id, list_id=work.id)
    with session_scope() as session:
        restored = tasks.restore_tasks(session, actor_id=owner.id, snapshots=[snapshot])
        inbox = lists.inbox_id(session, actor_id=owner.id)
    assert [(t.id, t.list_id) for t in restored] == [(task.id, inbox)]
