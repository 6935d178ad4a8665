"""Due dates, time zones, priorities, the Today and Upcoming views, the sidebar's counts,
filters and sorts, and Undo (clear completed, delete, restore)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, insert

from app.db import session_scope
from app.errors import InvalidInput, NotFound
from app.models import Task, TaskRead
from services import clock, lists, tasks
from tests.factories import make_task, make_user

TODAY = date(2026, 6, 15)
_TASK = Task.__table__  # type: ignore[attr-defined]


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Every "today" the services compute is TODAY, whatever the clock on this machine says."""

    def fixed(session: Any, *, actor_id: uuid.UUID, now: datetime | None = None) -> date:
        return TODAY

    monkeypatch.setattr(clock, 'today_for', fixed)
    monkeypatch.setattr(lists, 'today_for', fixed)
    return TODAY


def _task(owner_id: uuid.UUID, title: str, **fields: Any) -> TaskRead:
    with session_scope() as s:
        return tasks.create_task(s, actor_id=owner_id, title=title, **fields)


def _zone(owner_id: uuid.UUID, name: str) -> None:
    with session_scope() as s:
        clock.set_time_zone(s, actor_id=owner_id, time_zone=name)


def _titles(page: Any) -> list[str]:
    return [item.title for item in page.items]


# ---------------------------------------------------------------- due dates and zones


def test_a_date_without_a_time_stays_a_calendar_date() -> None:
    owner = make_user()
    _zone(owner.id, 'Pacific/Kiritimati')
    task = _task(owner.id, 'pay rent', due_date=date(2026, 7, 1), priority=3)
    assert (task.due_date, task.due_time, task.due_at, task.priority) == (
        date(2026, 7, 1),
        None,
        None,
        3,
    )
    _zone(owner.id, 'Pacific/Pago_Pago')  # a zone change leaves calendar dates alone
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id) == task


def test_a_timed_due_date_keeps_its_instant_in_utc_and_the_local_date_and_time() -> None:
    owner = make_user()
    _zone(owner.id, 'Europe/Berlin')
    task = _task(owner.id, 'call', due_date=date(2026, 1, 10), due_time=time(9, 0, 42, 5))
    assert (task.due_date, task.due_time) == (date(2026, 1, 10), time(9, 0))  # whole minutes
    assert task.due_at == datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    summer = _task(owner.id, 'swim', due_date=date(2026, 7, 10), due_time=time(9, 0))
    assert summer.due_at == datetime(2026, 7, 10, 7, 0, tzinfo=UTC)  # daylight saving time
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id).due_at == task.due_at


def test_changing_zone_keeps_the_instant_and_moves_the_date_and_time() -> None:
    owner = make_user()  # UTC
    late = _task(owner.id, 'late', due_date=date(2026, 6, 15), due_time=time(23, 30))
    plain = _task(owner.id, 'plain', due_date=date(2026, 6, 15))
    _zone(owner.id, 'Asia/Tokyo')  # UTC+9
    with session_scope() as s:
        moved = tasks.get_task(s, actor_id=owner.id, task_id=late.id)
        same = tasks.get_task(s, actor_id=owner.id, task_id=plain.id)
    assert (moved.due_date, moved.due_time, moved.due_at) == (
        date(2026, 6, 16),
        time(8, 30),
        late.due_at,
    )
    assert same == plain
    _zone(owner.id, 'America/New_York')  # UTC-4 in June
    with session_scope() as s:
        back = tasks.get_task(s, actor_id=owner.id, task_id=late.id)
    assert (back.due_date, back.due_time, back.due_at) == (
        date(2026, 6, 15),
        time(19, 30),
        late.due_at,
    )


def test_a_zone_change_moves_only_the_actors_tasks() -> None:
    owner, other = make_user(), make_user()
    theirs = _task(other.id, 'theirs', due_date=date(2026, 6, 15), due_time=time(23, 30))
    _zone(owner.id, 'Asia/Tokyo')
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=other.id, task_id=theirs.id) == theirs
        assert clock.zone_of(s, actor_id=other.id).key == 'UTC'


@pytest.mark.parametrize('name', ['', 'Mars/Olympus', 'utc ', 'x' * 65, 'Europe/Berlin\x00'])
def test_an_unknown_zone_is_invalid_and_changes_nothing(name: str) -> None:
    owner = make_user()
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        clock.set_time_zone(s, actor_id=owner.id, time_zone=name)
    assert caught.value.field == 'time_zone'
    with session_scope() as s:
        assert clock.zone_of(s, actor_id=owner.id).key == 'UTC'


def test_today_depends_on_the_persons_zone_around_midnight() -> None:
    east, west = make_user(), make_user()
    _zone(east.id, 'Pacific/Kiritimati')  # UTC+14
    _zone(west.id, 'Pacific/Pago_Pago')  # UTC-11
    with session_scope() as s:
        for instant, east_day, west_day in [
            (datetime(2026, 3, 1, 9, 59, tzinfo=UTC), date(2026, 3, 1), date(2026, 2, 28)),
            (datetime(2026, 3, 1, 10, 0, tzinfo=UTC), date(2026, 3, 2), date(2026, 2, 28)),
            (datetime(2026, 3, 1, 10, 59, tzinfo=UTC), date(2026, 3, 2), date(2026, 2, 28)),
            (datetime(2026, 3, 1, 11, 0, tzinfo=UTC), date(2026, 3, 2), date(2026, 3, 1)),
        ]:
            assert clock.today_for(s, actor_id=east.id, now=instant) == east_day
            assert clock.today_for(s, actor_id=west.id, now=instant) == west_day
            # two days apart for one hour a day: the same instant, three calendar dates
        at = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
        assert (
            clock.today_for(s, actor_id=east.id, now=at)
            - clock.today_for(s, actor_id=west.id, now=at)
        ).days == 2


def test_update_sets_keeps_and_clears_due_dates_and_times() -> None:
    owner = make_user()
    task = _task(owner.id, 'x')

    def update(**fields: Any) -> TaskRead:
        with session_scope() as s:
            return tasks.update_task(s, actor_id=owner.id, task_id=task.id, **fields)

    dated = update(due_date=date(2026, 6, 20))
    assert (dated.due_date, dated.due_time, dated.due_at) == (date(2026, 6, 20), None, None)
    timed = update(due_time=time(7, 15))  # a time on the date it already has
    assert (timed.due_date, timed.due_time) == (date(2026, 6, 20), time(7, 15))
    assert timed.due_at == datetime(2026, 6, 20, 7, 15, tzinfo=UTC)
    moved = update(due_date=date(2026, 6, 21))  # a new date keeps the time of day
    assert (moved.due_time, moved.due_at) == (time(7, 15), datetime(2026, 6, 21, 7, 15, tzinfo=UTC))
    untimed = update(due_time=None)
    assert (untimed.due_date, untimed.due_time, untimed.due_at) == (date(2026, 6, 21), None, None)
    update(due_time=time(8, 0))
    cleared = update(due_date=None)  # no date, no time
    assert (cleared.due_date, cleared.due_time, cleared.due_at) == (None, None, None)
    prioritised = update(priority=2)
    assert (prioritised.priority, prioritised.title) == (2, 'x')
    with pytest.raises(InvalidInput) as caught:
        update(due_time=time(9, 0))  # a time without a date
    assert caught.value.field == 'due_time'
    for bad in ({'priority': 4}, {'priority': -1}):
        with pytest.raises(InvalidInput) as caught:
            update(**bad)
        assert caught.value.field == 'priority'
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id) == prioritised


def test_create_refuses_a_time_without_a_date_and_a_bad_priority() -> None:
    owner = make_user()
    for fields, field in (({'due_time': time(9, 0)}, 'due_time'), ({'priority': 9}, 'priority')):
        with pytest.raises(InvalidInput) as caught:
            _task(owner.id, 'x', **fields)
        assert caught.value.field == field
    with session_scope() as s:
        assert tasks.list_tasks(s, actor_id=owner.id).total == 0


# ---------------------------------------------------------------- views and counts


def _dated_tasks(owner_id: uuid.UUID, day: date) -> dict[str, TaskRead]:
    made = {
        'yesterday': _task(owner_id, 'yesterday', due_date=day - timedelta(days=1)),
        'long ago': _task(owner_id, 'long ago', due_date=day - timedelta(days=40)),
        'today': _task(owner_id, 'today', due_date=day),
        'today 09:00': _task(owner_id, 'today 09:00', due_date=day, due_time=time(9, 0)),
        'today 08:00 low': _task(
            owner_id, 'today 08:00 low', due_date=day, due_time=time(8, 0), priority=1
        ),
        'today 08:00 high': _task(
            owner_id, 'today 08:00 high', due_date=day, due_time=time(8, 0), priority=3
        ),
        'in 13 days': _task(owner_id, 'in 13 days', due_date=day + timedelta(days=13)),
        'in 14 days': _task(owner_id, 'in 14 days', due_date=day + timedelta(days=14)),
        'tomorrow': _task(owner_id, 'tomorrow', due_date=day + timedelta(days=1)),
        'no date': _task(owner_id, 'no date'),
    }
    done = _task(owner_id, 'done today', due_date=day)
    with session_scope() as s:
        made['done today'] = tasks.toggle_task(s, actor_id=owner_id, task_id=done.id)
    return made


def test_today_shows_overdue_first_then_todays_by_time_and_priority(today: date) -> None:
    owner = make_user()
    _dated_tasks(owner.id, today)
    _dated_tasks(make_user().id, today)  # someone else's never shows
    with session_scope() as s:
        day, page = tasks.due_view(s, actor_id=owner.id, view='today')
    assert day == today
    assert _titles(page) == [
        'long ago',
        'yesterday',
        'today',  # a date without a time comes before the timed ones of that day
        'today 08:00 high',
        'today 08:00 low',
        'today 09:00',
    ]
    assert page.total == 6


def test_upcoming_runs_from_today_through_the_next_13_days(today: date) -> None:
    owner = make_user()
    _dated_tasks(owner.id, today)
    with session_scope() as s:
        day, page = tasks.due_view(s, actor_id=owner.id, view='upcoming')
    assert day == today
    assert _titles(page) == [
        'today',
        'today 08:00 high',
        'today 08:00 low',
        'today 09:00',
        'tomorrow',
        'in 13 days',
    ]
    with session_scope() as s:
        _, second = tasks.due_view(s, actor_id=owner.id, view='upcoming', limit=4, offset=4)
    assert (_titles(second), second.total) == (['tomorrow', 'in 13 days'], 6)


def test_a_view_must_be_today_or_upcoming() -> None:
    owner = make_user()
    for bad in ('tomorrow', '', 'Today'):
        with pytest.raises(InvalidInput) as caught, session_scope() as s:
            tasks.due_view(s, actor_id=owner.id, view=bad)
        assert caught.value.field == 'view'
    with pytest.raises(InvalidInput), session_scope() as s:
        tasks.due_view(s, actor_id=owner.id, view='today', limit=0)


def test_the_overview_counts_the_views_and_each_lists_open_tasks(today: date) -> None:
    owner = make_user()
    _dated_tasks(owner.id, today)
    with session_scope() as s:
        work = lists.create_list(s, actor_id=owner.id, name='Work')
        tasks.create_task(
            s, actor_id=owner.id, title='w', list_id=work.id, due_date=today + timedelta(days=2)
        )
    _dated_tasks(make_user().id, today)
    with session_scope() as s:
        seen = lists.overview(s, actor_id=owner.id)
    assert (seen.today, seen.overdue, seen.upcoming, seen.completed, seen.today_date) == (
        6,  # 2 overdue + 4 due today
        2,
        7,  # 4 today + tomorrow + in 13 days + Work's
        1,
        today,
    )
    assert [(item.name, item.open_count) for item in seen.lists] == [('Inbox', 10), ('Work', 1)]


def test_the_overview_of_a_new_account_is_all_zero() -> None:
    owner = make_user()
    with session_scope() as s:
        seen = lists.overview(s, actor_id=owner.id)
    assert (seen.today, seen.overdue, seen.upcoming, seen.completed) == (0, 0, 0, 0)
    assert [(item.name, item.open_count) for item in seen.lists] == [('Inbox', 0)]
    assert seen.today_date == datetime.now(UTC).date() or seen.today_date == (
        datetime.now(UTC).date() - timedelta(days=1)  # the test ran across midnight
    )


def test_the_overview_uses_the_persons_today() -> None:
    owner = make_user()
    with session_scope() as s:
        zone_today = clock.today_for(s, actor_id=owner.id)
    _task(owner.id, 'due', due_date=zone_today + timedelta(days=1))
    _zone(owner.id, 'Pacific/Kiritimati')
    with session_scope() as s:
        east_today = clock.today_for(s, actor_id=owner.id)
        seen = lists.overview(s, actor_id=owner.id)
    assert seen.today_date == east_today
    assert seen.today == (1 if east_today > zone_today else 0)


# ---------------------------------------------------------------- filters and sorts


def test_list_tasks_filters_by_due_dates_overdue_priority_and_list(today: date) -> None:
    owner = make_user()
    _dated_tasks(owner.id, today)
    with session_scope() as s:
        inbox = lists.inbox_id(s, actor_id=owner.id)
        work = lists.create_list(s, actor_id=owner.id, name='Work')
        tasks.create_task(s, actor_id=owner.id, title='work', list_id=work.id, priority=3)

    def titles(**query: Any) -> set[str]:
        with session_scope() as s:
            return set(_titles(tasks.list_tasks(s, actor_id=owner.id, limit=100, **query)))

    assert titles(due_before=today - timedelta(days=1)) == {'long ago', 'yesterday'}
    assert titles(due_after=today + timedelta(days=13)) == {'in 13 days', 'in 14 days'}
    assert titles(due_after=today, due_before=today, status='active') == {
        'today',
        'today 08:00 high',
        'today 08:00 low',
        'today 09:00',
    }
    assert titles(overdue=True) == {'long ago', 'yesterday'}
    not_overdue = titles(overdue=False)
    assert 'no date' in not_overdue
    assert 'done today' in not_overdue
    assert not_overdue.isdisjoint({'long ago', 'yesterday'})
    assert len(not_overdue) == 10
    assert titles(priority=3) == {'today 08:00 high', 'work'}
    assert titles(priority=3, list_id=inbox) == {'today 08:00 high'}
    assert titles(list_id=work.id) == {'work'}
    assert titles(status='completed') == {'done today'}


def test_sorts_order_open_tasks_and_put_completed_ones_last() -> None:
    owner = make_user()
    _task(owner.id, 'a', priority=1, due_date=date(2026, 6, 20))
    b = _task(owner.id, 'b', priority=3)
    c = _task(owner.id, 'c', priority=3, due_date=date(2026, 6, 18), due_time=time(10, 0))
    d = _task(owner.id, 'd', due_date=date(2026, 6, 18))
    e = _task(owner.id, 'e', priority=2)
    with session_scope() as s:
        tasks.move_task(s, actor_id=owner.id, task_id=b.id)  # my order: b e d c a
        tasks.move_task(s, actor_id=owner.id, task_id=d.id, before_id=c.id)
        tasks.toggle_task(s, actor_id=owner.id, task_id=e.id)

    def order(sort: str) -> str:
        with session_scope() as s:
            return ''.join(_titles(tasks.list_tasks(s, actor_id=owner.id, sort=sort)))

    assert order('manual') == 'bdcae'
    assert order('due') == 'dcabe'  # by date, untimed first, undated last; done at the end
    assert order('priority') == 'bcade'  # high first, then my order among equals
    assert order('newest') == 'dcbae'
    assert order('completed') == 'edcba'  # most recently completed first
    for bad in ('oldest', 'MANUAL', ''):
        with pytest.raises(InvalidInput) as caught, session_scope() as s:
            tasks.list_tasks(s, actor_id=owner.id, sort=bad)
        assert caught.value.field == 'sort'


def test_a_lists_sort_sticks_and_becomes_its_default_order() -> None:
    owner = make_user()
    with session_scope() as s:
        work = lists.create_list(s, actor_id=owner.id, name='Work')
        for title, priority in (('low', 1), ('high', 3), ('none', 0)):
            tasks.create_task(s, actor_id=owner.id, title=title, list_id=work.id, priority=priority)

    def default_order() -> list[str]:
        with session_scope() as s:
            return _titles(tasks.list_tasks(s, actor_id=owner.id, list_id=work.id))

    assert default_order() == ['none', 'high', 'low']  # manual: newest on top
    with session_scope() as s:
        lists.update_list(s, actor_id=owner.id, list_id=work.id, sort='priority')
    assert default_order() == ['high', 'low', 'none']
    with session_scope() as s:  # an explicit sort still wins, without changing the list's
        asked = _titles(tasks.list_tasks(s, actor_id=owner.id, list_id=work.id, sort='manual'))
        assert lists.get_list(s, actor_id=owner.id, list_id=work.id).sort == 'priority'
    assert asked == ['none', 'high', 'low']
    with session_scope() as s:
        across = _titles(tasks.list_tasks(s, actor_id=owner.id))  # no list: newest first
    assert across == ['none', 'high', 'low']


# ---------------------------------------------------------------- undo


def _everything(owner_id: uuid.UUID) -> list[TaskRead]:
    with session_scope() as s:
        return tasks.list_tasks(s, actor_id=owner_id, sort='manual', limit=100).items


def _without_version(task: TaskRead) -> dict[str, Any]:
    return task.model_dump(exclude={'version', 'updated_at'})


def test_clear_completed_returns_what_it_deleted_and_restore_puts_it_back() -> None:
    owner = make_user()
    _zone(owner.id, 'Europe/Berlin')
    with session_scope() as s:
        work = lists.create_list(s, actor_id=owner.id, name='Work')
    made = [
        _task(owner.id, 'timed', list_id=work.id, due_date=date(2026, 6, 1), due_time=time(9, 0)),
        _task(owner.id, 'dated', due_date=date(2026, 6, 2), priority=3),
        _task(owner.id, 'open', list_id=work.id),
        _task(owner.id, 'plain', description='words'),
    ]
    with session_scope() as s:
        for task in (made[0], made[1], made[3]):
            tasks.toggle_task(s, actor_id=owner.id, task_id=task.id)
    before = _everything(owner.id)
    with session_scope() as s:
        cleared = tasks.clear_completed(s, actor_id=owner.id)
    assert sorted(task.title for task in cleared) == ['dated', 'plain', 'timed']
    assert _titles_of(_everything(owner.id)) == ['open']
    with session_scope() as s:
        restored = tasks.restore_tasks(s, actor_id=owner.id, snapshots=cleared)
    assert [_without_version(task) for task in restored] == [
        _without_version(task) for task in cleared
    ]
    assert all(
        task.version == snapshot.version + 1
        for task, snapshot in zip(restored, cleared, strict=True)
    )
    assert [_without_version(task) for task in _everything(owner.id)] == [
        _without_version(task) for task in before
    ]
    with session_scope() as s:  # restoring again changes nothing
        assert tasks.restore_tasks(s, actor_id=owner.id, snapshots=cleared) == []
        assert tasks.restore_tasks(s, actor_id=owner.id, snapshots=[]) == []


def _titles_of(items: list[TaskRead]) -> list[str]:
    return [item.title for item in items]


def test_clear_completed_in_one_list_leaves_the_others() -> None:
    owner = make_user()
    inbox_done = make_task(owner, completed=True)
    with session_scope() as s:
        work = lists.create_list(s, actor_id=owner.id, name='Work')
        done = tasks.create_task(s, actor_id=owner.id, title='w', list_id=work.id)
        done = tasks.toggle_task(s, actor_id=owner.id, task_id=done.id)
        assert tasks.clear_completed(s, actor_id=owner.id, list_id=work.id) == [done]
    assert _everything(owner.id) == [inbox_done]


def test_a_task_whose_list_is_gone_is_restored_into_the_inbox() -> None:
    owner = make_user()
    with session_scope() as s:
        work = lists.create_list(s, actor_id=owner.id, name='Work')
    task = _task(owner.id, 'lost', list_id=work.id, due_date=date(2026, 6, 3), priority=2)
    with session_scope() as s:
        snapshot = tasks.delete_task(s, actor_id=owner.id, task_id=task.id)
        lists.delete_list(s, actor_id=owner.id, list_id=work.id)
        inbox = lists.inbox_id(s, actor_id=owner.id)
    assert snapshot == task
    with session_scope() as s:
        [back] = tasks.restore_tasks(s, actor_id=owner.id, snapshots=[snapshot])
    assert back.list_id == inbox
    assert (back.id, back.title, back.due_date, back.priority, back.position) == (
        task.id,
        'lost',
        date(2026, 6, 3),
        2,
        task.position,
    )


def test_delete_returns_the_task_and_restore_puts_it_back_in_its_place() -> None:
    owner = make_user()
    _, b, _ = (make_task(owner, title=name) for name in 'abc')
    with session_scope() as s:
        snapshot = tasks.delete_task(s, actor_id=owner.id, task_id=b.id, expected_version=1)
    assert snapshot == b
    assert _titles_of(_everything(owner.id)) == ['c', 'a']
    with session_scope() as s:
        tasks.restore_tasks(s, actor_id=owner.id, snapshots=[snapshot])
    assert _titles_of(_everything(owner.id)) == ['c', 'b', 'a']
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=b.id).version == 2


def test_a_new_task_never_takes_a_deleted_tasks_id() -> None:
    owner = make_user()
    first = make_task(owner)
    second = make_task(owner)
    with session_scope() as s:
        tasks.delete_task(s, actor_id=owner.id, task_id=second.id)
    assert make_task(owner).id > second.id > first.id


def test_restoring_a_snapshot_whose_id_is_someone_elses_skips_it() -> None:
    owner, other = make_user(), make_user()
    mine = make_task(owner, title='mine')
    with session_scope() as s:
        snapshot = tasks.delete_task(s, actor_id=owner.id, task_id=mine.id)
    with session_scope() as s:  # the id now belongs to someone else (a crafted or stale case)
        s.connection().execute(
            insert(_TASK).values(
                **snapshot.model_dump(exclude={'list_id'}),
                owner_id=other.id,
                list_id=lists.inbox_id(s, actor_id=other.id),
            )
        )
    theirs_before = _everything(other.id)
    with session_scope() as s:
        assert tasks.restore_tasks(s, actor_id=owner.id, snapshots=[snapshot]) == []
    assert _everything(owner.id) == []
    assert _everything(other.id) == theirs_before
    with session_scope() as s:  # and nothing restores into someone else's list
        s.connection().execute(delete(_TASK).where(_TASK.c.id == snapshot.id))
        their_list = lists.create_list(s, actor_id=other.id, name='Theirs')
    crafted = snapshot.model_copy(update={'list_id': their_list.id})
    with session_scope() as s:
        [back] = tasks.restore_tasks(s, actor_id=owner.id, snapshots=[crafted])
        assert back.list_id == lists.inbox_id(s, actor_id=owner.id)
        assert tasks.list_tasks(s, actor_id=other.id, list_id=their_list.id).total == 0


TASK_WRITES: dict[str, Any] = {
    'priority': lambda s, actor, tid: tasks.update_task(s, actor_id=actor, task_id=tid, priority=3),
    'due date': lambda s, actor, tid: tasks.update_task(
        s, actor_id=actor, task_id=tid, due_date=date(2026, 1, 1)
    ),
    'due time': lambda s, actor, tid: tasks.update_task(
        s, actor_id=actor, task_id=tid, due_time=time(9, 0)
    ),
    'clear due': lambda s, actor, tid: tasks.update_task(
        s, actor_id=actor, task_id=tid, due_date=None
    ),
    'move': lambda s, actor, tid: tasks.move_task(s, actor_id=actor, task_id=tid),
    'move to position': lambda s, actor, tid: tasks.move_task(
        s, actor_id=actor, task_id=tid, position=0.5
    ),
    'move with version': lambda s, actor, tid: tasks.move_task(
        s, actor_id=actor, task_id=tid, position=0.5, expected_version=1
    ),
    'delete with version': lambda s, actor, tid: tasks.delete_task(
        s, actor_id=actor, task_id=tid, expected_version=1
    ),
}


@pytest.mark.parametrize('action', TASK_WRITES)
def test_another_persons_task_is_not_found_for_every_organizing_write(action: str) -> None:
    owner, intruder = make_user(), make_user()
    task = _task(owner.id, 'private', due_date=date(2026, 6, 1), due_time=time(9, 0))
    make_task(intruder)
    before = _everything(intruder.id)
    with pytest.raises(NotFound), session_scope() as s:
        TASK_WRITES[action](s, intruder.id, task.id)
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=task.id) == task
    assert _everything(intruder.id) == before


def test_clear_completed_never_touches_someone_elses_tasks() -> None:
    owner, other = make_user(), make_user()
    theirs = make_task(other, completed=True)
    make_task(owner, completed=True)
    with session_scope() as s:
        assert len(tasks.clear_completed(s, actor_id=owner.id)) == 1
        assert tasks.get_task(s, actor_id=other.id, task_id=theirs.id) == theirs
