"""Shared lists in the service layer: who hears about a change, and the rules in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.db import session_scope
from app.errors import Forbidden, NotFound
from app.models import UserRead
from services import lists, sharing, tasks
from services.events import task_changes
from tests.factories import make_user


@contextmanager
def heard_by(*people: UserRead) -> Iterator[list[uuid.UUID]]:
    heard: list[uuid.UUID] = []
    stops = [task_changes.subscribe(person.id, heard.append) for person in people]
    try:
        yield heard
    finally:
        for stop in stops:
            stop()


@pytest.fixture
def people() -> tuple[UserRead, UserRead, UserRead, int]:
    owner, editor, stranger = make_user(), make_user(), make_user()
    with session_scope() as s:
        team = lists.create_list(s, actor_id=owner.id, name='Team')
        sharing.share_list(s, actor_id=owner.id, list_id=team.id, email=editor.email, role='editor')
    return owner, editor, stranger, team.id


def test_a_change_in_a_shared_list_reaches_every_member_and_no_one_else(
    people: tuple[UserRead, UserRead, UserRead, int],
) -> None:
    owner, editor, stranger, team = people
    with heard_by(owner, editor, stranger) as heard:
        with session_scope() as s:
            task = tasks.create_task(s, actor_id=editor.id, title='Shared', list_id=team)
        assert sorted(heard) == sorted([owner.id, editor.id])
    with heard_by(owner, editor, stranger) as heard:
        with session_scope() as s:
            tasks.toggle_task(s, actor_id=owner.id, task_id=task.id)
        assert sorted(heard) == sorted([owner.id, editor.id])
    with heard_by(owner, editor, stranger) as heard:
        with session_scope() as s:  # the editor's own Inbox concerns only the editor
            tasks.create_task(s, actor_id=editor.id, title='Mine')
        assert heard == [editor.id]


def test_sharing_and_unsharing_tell_the_person_concerned(
    people: tuple[UserRead, UserRead, UserRead, int],
) -> None:
    owner, _, stranger, team = people
    with heard_by(stranger) as heard:
        with session_scope() as s:
            sharing.share_list(
                s, actor_id=owner.id, list_id=team, email=stranger.email, role='viewer'
            )
        assert heard == [stranger.id]
    with heard_by(stranger) as heard:
        with session_scope() as s:
            sharing.remove_member(s, actor_id=owner.id, list_id=team, user_id=stranger.id)
        assert heard == [stranger.id]
    with session_scope() as s, pytest.raises(NotFound):
        lists.get_list(s, actor_id=stranger.id, list_id=team)


def test_a_refused_write_announces_nothing_and_changes_nothing(
    people: tuple[UserRead, UserRead, UserRead, int],
) -> None:
    owner, editor, stranger, team = people
    with session_scope() as s:
        task = tasks.create_task(s, actor_id=owner.id, title='Kept', list_id=team)
        sharing.change_role(s, actor_id=owner.id, list_id=team, user_id=editor.id, role='viewer')
    with heard_by(owner, editor) as heard:
        with pytest.raises(Forbidden), session_scope() as s:
            tasks.update_task(s, actor_id=editor.id, task_id=task.id, title='Changed')
        with pytest.raises(NotFound), session_scope() as s:
            tasks.delete_task(s, actor_id=stranger.id, task_id=task.id)
        assert heard == []
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id).title == 'Kept'


def test_a_deleted_account_leaves_the_lists_shared_with_it(
    people: tuple[UserRead, UserRead, UserRead, int],
) -> None:
    from services import account
    from tests.factories import PASSWORD

    owner, editor, _, team = people
    with session_scope() as s:
        task = tasks.create_task(
            s, actor_id=owner.id, title='Theirs', list_id=team, assignee_id=editor.id
        )
    with session_scope() as s:
        account.delete_account(s, actor_id=editor.id, password=PASSWORD, confirmation=editor.email)
    with session_scope() as s:
        assert [m.role for m in sharing.members(s, actor_id=owner.id, list_id=team)] == ['owner']
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id).assignee_id is None
