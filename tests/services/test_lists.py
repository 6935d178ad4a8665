"""A person's lists: the Inbox, create, rename, sort, the cap, delete with a choice, privacy."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlmodel import Session

from app.db import session_scope
from app.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from app.models import INBOX, ListRead, TaskList
from services import lists, tasks
from tests.factories import make_task, make_user

_LIST = TaskList.__table__  # type: ignore[attr-defined]


def _inboxes(owner_id: uuid.UUID) -> int:
    with session_scope() as s:
        return int(
            s.connection()
            .execute(
                select(func.count())
                .select_from(_LIST)
                .where(_LIST.c.owner_id == owner_id, _LIST.c.is_inbox.is_(True))
            )
            .scalar_one()
        )


def _lists(owner_id: uuid.UUID) -> list[ListRead]:
    with session_scope() as s:
        return [
            ListRead.model_validate(item.model_dump())
            for item in lists.list_lists(s, actor_id=owner_id)
        ]


def _create(owner_id: uuid.UUID, name: str, colour: str = 'grey') -> ListRead:
    with session_scope() as s:
        return lists.create_list(s, actor_id=owner_id, name=name, colour=colour)


def test_registration_creates_exactly_one_inbox() -> None:
    owner = make_user()
    assert _inboxes(owner.id) == 1
    [inbox] = _lists(owner.id)
    assert (inbox.name, inbox.is_inbox, inbox.sort, inbox.colour) == (INBOX, True, 'manual', 'grey')


def test_an_account_without_an_inbox_gets_one_on_first_need_and_only_one() -> None:
    owner = make_user()
    with session_scope() as s:
        s.connection().execute(delete(_LIST).where(_LIST.c.owner_id == owner.id))
    assert _inboxes(owner.id) == 0
    task = make_task(owner)  # creating a task needs the Inbox
    assert _inboxes(owner.id) == 1
    with session_scope() as s:
        inbox = lists.inbox_id(s, actor_id=owner.id)
        assert lists.inbox_id(s, actor_id=owner.id) == inbox
    assert task.list_id == inbox
    assert _inboxes(owner.id) == 1


def test_create_trims_the_name_and_adds_lists_at_the_end() -> None:
    owner = make_user()
    work = _create(owner.id, '  Work  ', 'blue')
    home = _create(owner.id, 'Home')
    assert (work.name, work.colour, work.is_inbox, work.sort, work.version) == (
        'Work',
        'blue',
        False,
        'manual',
        1,
    )
    assert work.created_at.utcoffset() is not None
    assert home.position > work.position
    assert [item.name for item in _lists(owner.id)] == ['Inbox', 'Work', 'Home']


@pytest.mark.parametrize(
    ('fields', 'field'),
    [
        ({'name': ''}, 'name'),
        ({'name': '   '}, 'name'),
        ({'name': 'x' * 101}, 'name'),
        ({'name': 'nul\x00'}, 'name'),
        ({'name': 'ok', 'colour': '#ff0000'}, 'colour'),
        ({'name': 'ok', 'colour': 'chartreuse'}, 'colour'),
    ],
)
def test_create_rejects_bad_fields_and_stores_nothing(fields: dict[str, str], field: str) -> None:
    owner = make_user()
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        lists.create_list(s, actor_id=owner.id, **fields)
    assert caught.value.field == field
    assert len(_lists(owner.id)) == 1


def test_a_name_of_exactly_100_characters_is_kept() -> None:
    owner = make_user()
    assert _create(owner.id, 'n' * 100).name == 'n' * 100


def test_the_300th_list_is_the_last_one() -> None:
    owner = make_user()
    with session_scope() as s:
        for number in range(lists.MAX_LISTS - 1):  # the Inbox is the first of the 300
            lists.create_list(s, actor_id=owner.id, name=f'List {number}')
    with pytest.raises(Conflict) as caught, session_scope() as s:
        lists.create_list(s, actor_id=owner.id, name='One too many')
    assert '300' in caught.value.message
    assert len(_lists(owner.id)) == lists.MAX_LISTS
    other = make_user()  # the cap is per person
    assert _create(other.id, 'Fine').name == 'Fine'


def test_update_renames_recolours_and_resorts_with_versions() -> None:
    owner = make_user()
    work = _create(owner.id, 'Work')
    with session_scope() as s:
        renamed = lists.update_list(
            s, actor_id=owner.id, list_id=work.id, name=' Job ', expected_version=1
        )
    assert (renamed.name, renamed.version) == ('Job', 2)
    with session_scope() as s:
        resorted = lists.update_list(s, actor_id=owner.id, list_id=work.id, sort='due')
    assert (resorted.sort, resorted.colour, resorted.version) == ('due', 'grey', 3)
    with pytest.raises(PreconditionFailed) as caught, session_scope() as s:
        lists.update_list(s, actor_id=owner.id, list_id=work.id, colour='red', expected_version=2)
    assert caught.value.current == resorted
    with pytest.raises(PreconditionFailed), session_scope() as s:
        lists.update_list(s, actor_id=owner.id, list_id=work.id, expected_version=1)
    with session_scope() as s:
        assert lists.update_list(s, actor_id=owner.id, list_id=work.id) == resorted
    for fields in ({'sort': 'completed'}, {'sort': 'random'}, {'colour': 'black'}, {'name': ''}):
        with pytest.raises(InvalidInput), session_scope() as s:
            lists.update_list(s, actor_id=owner.id, list_id=work.id, **fields)
    with session_scope() as s:
        assert lists.get_list(s, actor_id=owner.id, list_id=work.id) == resorted


def test_the_inbox_cannot_be_renamed_or_deleted_but_can_be_recoloured_and_resorted() -> None:
    owner = make_user()
    make_task(owner)
    with session_scope() as s:
        inbox = lists.inbox_id(s, actor_id=owner.id)
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        lists.update_list(s, actor_id=owner.id, list_id=inbox, name='Elsewhere')
    assert caught.value.field == 'name'
    for choice in (None, 'delete', 'move'):
        with pytest.raises(Conflict), session_scope() as s:
            lists.delete_list(s, actor_id=owner.id, list_id=inbox, tasks=choice)  # type: ignore[arg-type]
    with session_scope() as s:
        same = lists.update_list(s, actor_id=owner.id, list_id=inbox, name=INBOX, sort='priority')
    assert (same.name, same.sort, same.is_inbox) == (INBOX, 'priority', True)
    with session_scope() as s:
        assert tasks.list_tasks(s, actor_id=owner.id, list_id=inbox).total == 1


def test_deleting_a_list_with_tasks_needs_a_choice() -> None:
    owner = make_user()
    work = _create(owner.id, 'Work')
    with session_scope() as s:
        tasks.create_task(s, actor_id=owner.id, title='one', list_id=work.id)
        tasks.create_task(s, actor_id=owner.id, title='two', list_id=work.id)
    with pytest.raises(Conflict) as caught, session_scope() as s:
        lists.delete_list(s, actor_id=owner.id, list_id=work.id)
    assert '2 tasks' in caught.value.message
    assert [item.name for item in _lists(owner.id)] == ['Inbox', 'Work']
    empty = _create(owner.id, 'Empty')
    with session_scope() as s:
        assert lists.delete_list(s, actor_id=owner.id, list_id=empty.id) == 0
    assert [item.name for item in _lists(owner.id)] == ['Inbox', 'Work']


def test_deleting_with_move_puts_the_tasks_at_the_end_of_the_inbox_in_their_order() -> None:
    owner = make_user()
    old = [make_task(owner, title=f'inbox {n}') for n in range(2)]
    work = _create(owner.id, 'Work')
    with session_scope() as s:
        moving = [
            tasks.create_task(s, actor_id=owner.id, title=f'work {n}', list_id=work.id)
            for n in range(3)
        ]
        # a custom order in Work: work 0, work 2, work 1
        tasks.move_task(s, actor_id=owner.id, task_id=moving[0].id)
        tasks.move_task(s, actor_id=owner.id, task_id=moving[1].id, after_id=moving[2].id)
        inbox = lists.inbox_id(s, actor_id=owner.id)
    with session_scope() as s:
        assert lists.delete_list(s, actor_id=owner.id, list_id=work.id, tasks='move') == 3
    with session_scope() as s:
        page = tasks.list_tasks(s, actor_id=owner.id, list_id=inbox, sort='manual')
        with pytest.raises(NotFound):
            lists.get_list(s, actor_id=owner.id, list_id=work.id)
    assert [item.title for item in page.items] == [
        'inbox 1',
        'inbox 0',
        'work 0',
        'work 2',
        'work 1',
    ]
    assert all(item.list_id == inbox for item in page.items)
    assert page.items[0] == old[1]  # the Inbox's own tasks were not touched
    positions = [item.position for item in page.items]
    assert len(set(positions)) == 5


def test_deleting_with_delete_removes_the_list_and_only_its_tasks() -> None:
    owner = make_user()
    kept = make_task(owner)
    work = _create(owner.id, 'Work')
    with session_scope() as s:
        gone = tasks.create_task(s, actor_id=owner.id, title='gone', list_id=work.id)
        tasks.toggle_task(s, actor_id=owner.id, task_id=gone.id)
        tasks.create_task(s, actor_id=owner.id, title='gone too', list_id=work.id)
    with session_scope() as s:
        assert lists.delete_list(s, actor_id=owner.id, list_id=work.id, tasks='delete') == 2
    with session_scope() as s:
        everything = tasks.list_tasks(s, actor_id=owner.id)
        with pytest.raises(NotFound):
            tasks.get_task(s, actor_id=owner.id, task_id=gone.id)
    assert everything.items == [kept]


def test_delete_with_a_stale_version_is_precondition_failed_and_keeps_the_list() -> None:
    owner = make_user()
    work = _create(owner.id, 'Work')
    with session_scope() as s:
        lists.update_list(s, actor_id=owner.id, list_id=work.id, name='Job')
    with pytest.raises(PreconditionFailed), session_scope() as s:
        lists.delete_list(s, actor_id=owner.id, list_id=work.id, expected_version=1)
    assert [item.name for item in _lists(owner.id)] == ['Inbox', 'Job']


LIST_WRITES: dict[str, Callable[[Session, uuid.UUID, int, int], Any]] = {
    'get': lambda s, actor, lid, other: lists.get_list(s, actor_id=actor, list_id=lid),
    'rename': lambda s, actor, lid, other: lists.update_list(
        s, actor_id=actor, list_id=lid, name='mine now'
    ),
    'resort': lambda s, actor, lid, other: lists.update_list(
        s, actor_id=actor, list_id=lid, sort='due', expected_version=1
    ),
    'move': lambda s, actor, lid, other: lists.move_list(s, actor_id=actor, list_id=lid),
    'move after': lambda s, actor, lid, other: lists.move_list(
        s, actor_id=actor, list_id=other, after_id=lid
    ),
    'delete': lambda s, actor, lid, other: lists.delete_list(s, actor_id=actor, list_id=lid),
    'delete moving': lambda s, actor, lid, other: lists.delete_list(
        s, actor_id=actor, list_id=lid, tasks='move'
    ),
    'delete deleting': lambda s, actor, lid, other: lists.delete_list(
        s, actor_id=actor, list_id=lid, tasks='delete'
    ),
    'lock': lambda s, actor, lid, other: lists.lock(s, actor_id=actor, list_id=lid),
    'create task in it': lambda s, actor, lid, other: tasks.create_task(
        s, actor_id=actor, title='sneaky', list_id=lid
    ),
    'list its tasks': lambda s, actor, lid, other: tasks.list_tasks(s, actor_id=actor, list_id=lid),
    'count its tasks': lambda s, actor, lid, other: tasks.count_tasks(
        s, actor_id=actor, list_id=lid
    ),
    'clear its completed': lambda s, actor, lid, other: tasks.clear_completed(
        s, actor_id=actor, list_id=lid
    ),
}


@pytest.mark.parametrize('action', LIST_WRITES)
def test_another_persons_list_is_not_found_and_unchanged(action: str) -> None:
    owner, intruder = make_user(), make_user()
    work = _create(owner.id, 'Private')
    with session_scope() as s:
        inside = tasks.create_task(s, actor_id=owner.id, title='secret', list_id=work.id)
        done = tasks.create_task(s, actor_id=owner.id, title='done', list_id=work.id)
        done = tasks.toggle_task(s, actor_id=owner.id, task_id=done.id)
    own = _create(intruder.id, 'Own')
    before = _lists(owner.id)
    intruder_before = _lists(intruder.id)
    with pytest.raises((NotFound, InvalidInput)) as caught, session_scope() as s:
        LIST_WRITES[action](s, intruder.id, work.id, own.id)
    if action == 'move after':  # the anchor of a move is a field of the request
        assert isinstance(caught.value, InvalidInput)
    else:
        assert isinstance(caught.value, NotFound)
    assert _lists(owner.id) == before
    assert _lists(intruder.id) == intruder_before
    with session_scope() as s:
        assert tasks.list_tasks(s, actor_id=owner.id, list_id=work.id).items == [inside, done]
        assert tasks.list_tasks(s, actor_id=intruder.id).total == 0


@pytest.mark.parametrize('list_id', [0, -1, 2**31, 2**63])
def test_out_of_range_list_ids_are_not_found(list_id: int) -> None:
    owner = make_user()
    with pytest.raises(NotFound), session_scope() as s:
        lists.get_list(s, actor_id=owner.id, list_id=list_id)
    with pytest.raises(NotFound), session_scope() as s:
        lists.delete_list(s, actor_id=owner.id, list_id=list_id, tasks='delete')


def test_list_lists_counts_open_tasks_per_list() -> None:
    owner = make_user()
    make_task(owner)
    make_task(owner, completed=True)
    work = _create(owner.id, 'Work')
    _create(owner.id, 'Empty')
    with session_scope() as s:
        for n in range(3):
            tasks.create_task(s, actor_id=owner.id, title=f'w{n}', list_id=work.id)
    make_task(make_user())  # someone else's never counts
    with session_scope() as s:
        summary = lists.list_lists(s, actor_id=owner.id)
    assert [(item.name, item.open_count) for item in summary] == [
        ('Inbox', 1),
        ('Work', 3),
        ('Empty', 0),
    ]


def test_a_task_moved_into_a_list_while_it_is_deleted_with_move_lands_in_the_inbox(
    database: str,
) -> None:
    """PostgreSQL row locks: someone moves a task into a list while another tab deletes that
    list choosing 'move'. The task must end in the Inbox, never cascade away with the list."""
    if database != 'postgresql':
        pytest.skip('SQLite runs one writer at a time; the race needs row locks')
    owner = make_user()
    moving = make_task(owner, title='moving')
    work = _create(owner.id, 'Work')
    with session_scope() as s:
        staying = tasks.create_task(s, actor_id=owner.id, title='staying', list_id=work.id)
    outcome: list[object] = []

    def delete_moving_tasks() -> None:
        try:
            with session_scope() as s:
                outcome.append(
                    lists.delete_list(s, actor_id=owner.id, list_id=work.id, tasks='move')
                )
        except BaseException as error:  # reported by the main thread
            outcome.append(error)

    deleter = threading.Thread(target=delete_moving_tasks)
    with session_scope() as s:  # the move, still uncommitted while the delete starts
        tasks.move_task(s, actor_id=owner.id, task_id=moving.id, list_id=work.id)
        deleter.start()
        _wait_until_blocked_on_a_lock(s)
    deleter.join(timeout=30)
    assert not deleter.is_alive()
    assert outcome == [2]
    with session_scope() as s:
        inbox = lists.inbox_id(s, actor_id=owner.id)
        page = tasks.list_tasks(s, actor_id=owner.id, list_id=inbox, sort='manual')
    assert [item.title for item in page.items] == ['moving', 'staying']
    assert staying.id in {item.id for item in page.items}


def _wait_until_blocked_on_a_lock(session: Session) -> None:
    """Wait (up to 20 s) until another connection waits for a lock this one holds."""
    deadline = time.monotonic() + 20
    mine = session.connection().exec_driver_sql('SELECT pg_backend_pid()').scalar_one()
    with session_scope() as probe:
        while time.monotonic() < deadline:
            blocked = probe.connection().exec_driver_sql(
                'SELECT count(*) FROM pg_stat_activity WHERE %(pid)s = ANY(pg_blocking_pids(pid))',
                {'pid': mine},
            )
            if blocked.scalar_one():
                return
            probe.rollback()
    raise AssertionError('the delete never waited for the move')
