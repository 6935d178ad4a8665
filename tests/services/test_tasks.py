from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.db import session_scope
from app.errors import InvalidInput, NotFound, PreconditionFailed
from app.models import Task, TaskCounts, TaskRead
from services import tasks
from services.events import task_changes
from tests.factories import make_task, make_user


def _titles(page: object) -> list[str]:
    return [item.title for item in page.items]  # type: ignore[attr-defined]


def test_create_trims_title_and_stamps_utc_times() -> None:
    owner = make_user()
    task = make_task(owner, title='  Buy milk  ', description='2 litres')
    assert task.title == 'Buy milk'
    assert task.description == '2 litres'
    assert task.completed is False
    assert task.completed_at is None
    assert task.created_at.utcoffset() == timedelta(0)
    assert task.updated_at == task.created_at


@pytest.mark.parametrize(
    ('title', 'description', 'field'),
    [
        ('', '', 'title'),
        ('   ', '', 'title'),
        ('x' * 201, '', 'title'),
        ('ok', 'd' * 2001, 'description'),
        ('nul\x00', '', 'title'),
        ('ok', 'nul\x00', 'description'),
    ],
)
def test_create_rejects_bad_fields_and_stores_nothing(
    title: str, description: str, field: str
) -> None:
    owner = make_user()
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        tasks.create_task(s, actor_id=owner.id, title=title, description=description)
    assert caught.value.field == field
    with session_scope() as s:
        assert s.exec(select(Task)).all() == []


def test_boundaries_are_accepted_exactly() -> None:
    owner = make_user()
    task = make_task(owner, title='t' * 200, description='d' * 2000)
    assert len(task.title) == 200
    assert len(task.description) == 2000


def test_unicode_and_markup_round_trip_verbatim() -> None:
    owner = make_user()
    title = '<img src=x onerror=alert(1)> 日本語 🚀 "quotes" & ampersands'
    task = make_task(owner, title=title, description='<script>alert(1)</script>\nline two')
    with session_scope() as s:
        stored = tasks.get_task(s, actor_id=owner.id, task_id=task.id)
    assert stored.title == title
    assert stored.description == '<script>alert(1)</script>\nline two'


def _age(task: TaskRead, minutes: int) -> None:
    with session_scope() as s:
        s.execute(
            update(Task)
            .where(Task.id == task.id)
            .values(created_at=task.created_at - timedelta(minutes=minutes))
        )


def test_list_puts_incomplete_first_then_newest_first() -> None:
    owner = make_user()
    oldest = make_task(owner, title='oldest')
    done_old = make_task(owner, title='done old', completed=True)
    middle = make_task(owner, title='middle')
    done_new = make_task(owner, title='done new', completed=True)
    newest = make_task(owner, title='newest')
    for age, task in enumerate([newest, done_new, middle, done_old, oldest]):
        _age(task, age)
    with session_scope() as s:
        page = tasks.list_tasks(s, actor_id=owner.id)
    assert _titles(page) == ['newest', 'middle', 'oldest', 'done new', 'done old']
    assert (page.total, page.limit, page.offset) == (5, 50, 0)


def test_list_filters_searches_and_pages() -> None:
    owner = make_user()
    for n in range(7):
        task = make_task(owner, title=f'Report {n}', description='quarterly' if n % 2 else '')
        _age(task, 10 - n)
    make_task(owner, title='Groceries', completed=True)
    with session_scope() as s:
        active = tasks.list_tasks(s, actor_id=owner.id, status='active', limit=3, offset=3)
        completed = tasks.list_tasks(s, actor_id=owner.id, status='completed')
        searched = tasks.list_tasks(s, actor_id=owner.id, q='QUARTER')
        by_title = tasks.list_tasks(s, actor_id=owner.id, q='report 6')
        counts = tasks.count_tasks(s, actor_id=owner.id)
        counts_q = tasks.count_tasks(s, actor_id=owner.id, q='grocer')
    assert _titles(active) == ['Report 3', 'Report 2', 'Report 1']
    assert active.total == 7
    assert _titles(completed) == ['Groceries']
    assert _titles(searched) == ['Report 5', 'Report 3', 'Report 1']
    assert _titles(by_title) == ['Report 6']
    assert counts == TaskCounts(all=8, active=7, completed=1)
    assert counts_q == TaskCounts(all=1, active=0, completed=1)


def test_a_dashboard_read_gives_the_same_page_and_counts_as_the_separate_calls() -> None:
    owner, stranger = make_user(), make_user()
    for n in range(5):
        make_task(owner, title=f'Report {n}', completed=n < 2)
    make_task(stranger, title='Report of someone else')
    with session_scope() as s:
        for status in ('all', 'active', 'completed'):
            args = {'actor_id': owner.id, 'status': status, 'q': 'report', 'limit': 2, 'offset': 1}
            page, counts = tasks.list_tasks_with_counts(s, **args)
            assert page == tasks.list_tasks(s, **args)
            assert counts == tasks.count_tasks(s, actor_id=owner.id, q='report')
            assert page.total == getattr(counts, status)
    assert counts == TaskCounts(all=5, active=3, completed=2)


def test_search_treats_wildcards_literally() -> None:
    owner = make_user()
    make_task(owner, title='100% done')
    make_task(owner, title='1000 things')
    make_task(owner, title='snake_case')
    make_task(owner, title='snakeXcase')
    with session_scope() as s:
        assert _titles(tasks.list_tasks(s, actor_id=owner.id, q='0%')) == ['100% done']
        assert _titles(tasks.list_tasks(s, actor_id=owner.id, q='e_c')) == ['snake_case']


@pytest.mark.parametrize(
    'query',
    [
        {'status': 'done'},
        {'limit': 0},
        {'limit': 101},
        {'offset': -1},
        {'q': 'x' * 201},
        {'q': 'a\x00'},
    ],
)
def test_list_rejects_bad_parameters(query: dict[str, object]) -> None:
    owner = make_user()
    with pytest.raises(InvalidInput), session_scope() as s:
        tasks.list_tasks(s, actor_id=owner.id, **query)  # type: ignore[arg-type]


def test_update_changes_only_given_fields() -> None:
    owner = make_user()
    task = make_task(owner, title='Old', description='keep me')
    with session_scope() as s:
        updated = tasks.update_task(s, actor_id=owner.id, task_id=task.id, title='  New ')
    assert (updated.title, updated.description, updated.completed) == ('New', 'keep me', False)
    assert updated.updated_at > task.updated_at
    with session_scope() as s:
        done = tasks.update_task(s, actor_id=owner.id, task_id=task.id, completed=True)
        assert done.completed_at is not None
        cleared = tasks.update_task(s, actor_id=owner.id, task_id=task.id, description='')
    assert (cleared.title, cleared.description, cleared.completed) == ('New', '', True)


def test_update_with_bad_title_changes_nothing() -> None:
    owner = make_user()
    task = make_task(owner, title='Keep')
    with pytest.raises(InvalidInput), session_scope() as s:
        tasks.update_task(s, actor_id=owner.id, task_id=task.id, title='', description='new')
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id) == task


def test_toggle_sets_and_clears_completed_at() -> None:
    owner = make_user()
    task = make_task(owner)
    with session_scope() as s:
        done = tasks.toggle_task(s, actor_id=owner.id, task_id=task.id)
    assert done.completed is True
    assert done.completed_at is not None
    with session_scope() as s:
        undone = tasks.toggle_task(s, actor_id=owner.id, task_id=task.id)
    assert undone.completed is False
    assert undone.completed_at is None


def test_delete_removes_the_task() -> None:
    owner = make_user()
    task = make_task(owner)
    with session_scope() as s:
        tasks.delete_task(s, actor_id=owner.id, task_id=task.id)
    with pytest.raises(NotFound), session_scope() as s:
        tasks.get_task(s, actor_id=owner.id, task_id=task.id)
    with pytest.raises(NotFound), session_scope() as s:
        tasks.delete_task(s, actor_id=owner.id, task_id=task.id)


OTHER_PERSON_ACTIONS = {
    'get': lambda s, actor, tid: tasks.get_task(s, actor_id=actor, task_id=tid),
    'update': lambda s, actor, tid: tasks.update_task(
        s, actor_id=actor, task_id=tid, title='mine now'
    ),
    'complete': lambda s, actor, tid: tasks.update_task(
        s, actor_id=actor, task_id=tid, completed=True
    ),
    'toggle': lambda s, actor, tid: tasks.toggle_task(s, actor_id=actor, task_id=tid),
    'delete': lambda s, actor, tid: tasks.delete_task(s, actor_id=actor, task_id=tid),
}


@pytest.mark.parametrize('action', OTHER_PERSON_ACTIONS)
def test_another_persons_task_is_not_found_and_unchanged(action: str) -> None:
    owner, intruder = make_user(), make_user()
    task = make_task(owner, title='Private', description='secret')
    with pytest.raises(NotFound) as caught, session_scope() as s:
        OTHER_PERSON_ACTIONS[action](s, intruder.id, task.id)
    assert caught.value.message == 'Task not found.'
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id) == task


VERSIONED_WRITES = {
    'update': lambda s, actor, tid, version: tasks.update_task(
        s, actor_id=actor, task_id=tid, title='changed', expected_version=version
    ),
    'update nothing': lambda s, actor, tid, version: tasks.update_task(
        s, actor_id=actor, task_id=tid, expected_version=version
    ),
    'toggle': lambda s, actor, tid, version: tasks.toggle_task(
        s, actor_id=actor, task_id=tid, expected_version=version
    ),
    'delete': lambda s, actor, tid, version: tasks.delete_task(
        s, actor_id=actor, task_id=tid, expected_version=version
    ),
}


def test_every_write_moves_the_version_by_one() -> None:
    owner = make_user()
    task = make_task(owner)
    assert task.version == 1
    with session_scope() as s:
        assert tasks.update_task(s, actor_id=owner.id, task_id=task.id, title='t').version == 2
        assert tasks.update_task(s, actor_id=owner.id, task_id=task.id, completed=True).version == 3
        assert tasks.toggle_task(s, actor_id=owner.id, task_id=task.id).version == 4
        assert tasks.update_task(s, actor_id=owner.id, task_id=task.id).version == 4  # no change


def test_writes_with_the_current_version_succeed() -> None:
    owner = make_user()
    task = make_task(owner)
    with session_scope() as s:
        changed = tasks.update_task(
            s, actor_id=owner.id, task_id=task.id, description='d', expected_version=1
        )
        assert (changed.description, changed.version) == ('d', 2)
        assert tasks.toggle_task(
            s, actor_id=owner.id, task_id=task.id, expected_version=2
        ).completed
        tasks.delete_task(s, actor_id=owner.id, task_id=task.id, expected_version=3)
    with pytest.raises(NotFound), session_scope() as s:
        tasks.get_task(s, actor_id=owner.id, task_id=task.id)


@pytest.mark.parametrize('action', VERSIONED_WRITES)
def test_a_stale_version_is_precondition_failed_with_the_task_now(action: str) -> None:
    owner = make_user()
    task = make_task(owner, title='Original')
    with session_scope() as s:
        now = tasks.update_task(s, actor_id=owner.id, task_id=task.id, title='Theirs')
    with pytest.raises(PreconditionFailed) as caught, session_scope() as s:
        VERSIONED_WRITES[action](s, owner.id, task.id, task.version)
    assert caught.value.current == now
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id) == now


@pytest.mark.parametrize('action', VERSIONED_WRITES)
def test_a_versioned_write_to_a_deleted_task_is_not_found(action: str) -> None:
    owner = make_user()
    task = make_task(owner)
    with session_scope() as s:
        tasks.delete_task(s, actor_id=owner.id, task_id=task.id)
    with pytest.raises(NotFound), session_scope() as s:
        VERSIONED_WRITES[action](s, owner.id, task.id, task.version)


@pytest.mark.parametrize('right_version', [True, False], ids=['right version', 'wrong version'])
@pytest.mark.parametrize('action', VERSIONED_WRITES)
def test_another_persons_task_with_any_version_is_not_found_and_unchanged(
    action: str, right_version: bool
) -> None:
    owner, intruder = make_user(), make_user()
    task = make_task(owner, title='Private')
    version = task.version if right_version else task.version + 5
    with pytest.raises(NotFound) as caught, session_scope() as s:
        VERSIONED_WRITES[action](s, intruder.id, task.id, version)
    assert caught.value.message == 'Task not found.'
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id) == task


@pytest.mark.parametrize('task_id', [0, -1, 2**31, 2**63])
def test_out_of_range_ids_are_not_found(task_id: int) -> None:
    owner = make_user()
    for action in OTHER_PERSON_ACTIONS.values():
        with pytest.raises(NotFound), session_scope() as s:
            action(s, owner.id, task_id)


def test_lists_and_counts_never_include_other_peoples_tasks() -> None:
    alice, bob = make_user(), make_user()
    make_task(alice, title='alice only')
    make_task(bob, title='bob only', completed=True)
    with session_scope() as s:
        assert _titles(tasks.list_tasks(s, actor_id=alice.id)) == ['alice only']
        assert _titles(tasks.list_tasks(s, actor_id=alice.id, q='only')) == ['alice only']
        assert tasks.count_tasks(s, actor_id=alice.id) == TaskCounts(all=1, active=1, completed=0)
        assert tasks.list_tasks(s, actor_id=uuid.uuid4()).total == 0


def test_changes_are_announced_after_commit_to_that_user_only() -> None:
    alice, bob = make_user(), make_user()
    heard: list[uuid.UUID] = []
    stop_alice = task_changes.subscribe(alice.id, heard.append)
    stop_bob = task_changes.subscribe(bob.id, heard.append)
    try:
        task = make_task(alice)
        assert heard == [alice.id]
        with pytest.raises(NotFound), session_scope() as s:
            tasks.toggle_task(s, actor_id=alice.id, task_id=task.id)
            tasks.get_task(s, actor_id=alice.id, task_id=task.id + 1)  # fails: all rolls back
        assert heard == [alice.id]  # nothing was committed, nothing announced
        with session_scope() as s:
            tasks.delete_task(s, actor_id=alice.id, task_id=task.id)
        assert heard == [alice.id, alice.id]
    finally:
        stop_alice()
        stop_bob()
    assert task_changes.subscriber_count(alice.id) == task_changes.subscriber_count(bob.id) == 0


def test_deleting_a_user_deletes_their_tasks() -> None:
    from app.models import User

    owner = make_user()
    make_task(owner)
    with session_scope() as s:
        user = s.get(User, owner.id)
        s.delete(user)
    with session_scope() as s:
        assert s.exec(select(Task)).all() == []
