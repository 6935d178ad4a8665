"""Today, Upcoming, Completed and search: views across lists, in the person's own time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo

import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import User

from app.db import session_scope
from components.timefmt import day_heading
from services import clock, tasks
from tests.factories import make_task
from tests.ui.helpers import (
    eventually,
    follow,
    make_list,
    on_path,
    route_navigation,
    row_parts,
    sidebar,
    sidebar_count,
    sidebar_parts,
    signed_in_person,
    stored_tasks,
    task_in,
    titles_on_page,
)


def text_of(user: User, marker: str) -> str:
    with user:
        return user.find(marker=marker).elements.pop().text


async def test_today_shows_overdue_first_then_today_and_the_sidebar_counts_them(
    user: User,
) -> None:
    me = await signed_in_person(user)
    today = datetime.now(UTC).date()
    work = make_list(me, 'Work', 'blue')
    task_in(me, 'due today', due_date=today, list_id=work.id)
    task_in(me, 'late', due_date=today - timedelta(days=2))
    task_in(me, 'tomorrow', due_date=today + timedelta(days=1))
    task_in(me, 'late but done', due_date=today - timedelta(days=1), completed=True)
    make_task(me, title='no date')
    await user.open('/tasks/today')
    assert titles_on_page(user) == ['late', 'due today']
    assert user.find(marker='group-overdue').elements.pop().visible
    assert text_of(user, 'group-today') == day_heading(today, today)
    assert sidebar_count(user, 'today') == '2'
    assert 'text-negative' in sidebar_parts(user, 'today')['count']['class']
    assert (
        sidebar_parts(user, 'today')['spoken']['text'] == ' due, some overdue'
    )  # "Today 2 due, some overdue"
    assert sidebar_count(user, 'upcoming') == '2'
    due = next(t for t in stored_tasks(me) if t.title == 'due today')
    assert row_parts(user, due.id)['list']['text'] == 'Work'
    assert sidebar(user)['today']['aria-current'] == 'page'


async def test_a_task_added_in_today_is_due_today_and_lands_in_the_inbox(user: User) -> None:
    me = await signed_in_person(user)
    await user.open('/tasks/today')
    await user.should_see('Nothing due today', retries=50)
    user.find(marker='new-title').type('Call the bank').trigger('keydown.enter')
    await eventually(lambda: [t.title for t in stored_tasks(me)] == ['Call the bank'])
    assert stored_tasks(me)[0].due_date == datetime.now(UTC).date()
    await eventually(lambda: titles_on_page(user) == ['Call the bank'])


async def test_upcoming_groups_the_next_two_weeks_by_day(user: User) -> None:
    me = await signed_in_person(user)
    await user.open('/tasks/upcoming')
    await user.should_see('Nothing planned', retries=50)
    today = datetime.now(UTC).date()
    task_in(me, 'in three days', due_date=today + timedelta(days=3))
    task_in(me, 'tomorrow at nine', due_date=today + timedelta(days=1), due_time=time(9, 0))
    task_in(me, 'tomorrow anytime', due_date=today + timedelta(days=1), priority=3)
    task_in(me, 'in a month', due_date=today + timedelta(days=30))
    task_in(me, 'yesterday', due_date=today - timedelta(days=1))
    await eventually(
        lambda: titles_on_page(user) == ['tomorrow anytime', 'tomorrow at nine', 'in three days']
    )
    tomorrow = today + timedelta(days=1)
    assert text_of(user, f'day-{tomorrow.isoformat()}') == day_heading(tomorrow, today)
    later = today + timedelta(days=3)
    assert text_of(user, f'day-{later.isoformat()}') == day_heading(later, today)
    await user.should_not_see('Nothing planned', retries=50)


async def test_completed_view_lists_the_latest_first_and_clears_with_undo(user: User) -> None:
    me = await signed_in_person(user)
    home = make_list(me, 'Home')
    first = task_in(me, 'done first', list_id=home.id)
    second = make_task(me, title='done second')
    make_task(me, title='still open')
    for task in (first, second):
        with session_scope() as s:
            tasks.update_task(s, actor_id=me.id, task_id=task.id, completed=True)
    route_navigation(user)
    await follow(user, 'completed')
    await eventually(lambda: on_path(user, '/tasks/completed'))
    await eventually(lambda: titles_on_page(user) == ['done second', 'done first'])
    assert row_parts(user, first.id)['list']['text'] == 'Home'
    assert text_of(user, 'view-title') == 'Completed'
    user.find(marker=f'toggle-{second.id}').click()  # reopened: it leaves this view
    await eventually(lambda: titles_on_page(user) == ['done first'])
    user.find(marker='search').type('zzz')  # a search, then back: Clear completed is back too
    await user.should_see('No matches', retries=50)
    await user.should_not_see(marker='clear-completed', retries=50)
    user.find(marker='search').elements.pop().value = ''
    await eventually(lambda: titles_on_page(user) == ['done first'])
    user.find(marker='clear-completed').click()
    await user.should_see(marker='confirm', retries=50)
    user.find(marker='confirm').click()
    await eventually(
        lambda: sorted(t.title for t in stored_tasks(me)) == ['done second', 'still open']
    )
    await user.should_see('Nothing completed yet', retries=50)
    await user.should_see(marker='undo')
    user.find(marker='undo').click()
    await eventually(lambda: titles_on_page(user) == ['done first'])
    assert next(t for t in stored_tasks(me) if t.id == first.id).list_id == home.id


async def test_search_from_a_view_spans_every_list_with_chips(user: User) -> None:
    me = await signed_in_person(user)
    work = make_list(me, 'Work', 'teal')
    in_work = task_in(me, 'Quarterly report', list_id=work.id)
    inbox = make_task(me, title='Report the leak')
    make_task(me, title='Unrelated')
    await user.open('/tasks/upcoming?q=report')
    await eventually(
        lambda: sorted(titles_on_page(user)) == ['Quarterly report', 'Report the leak']
    )
    assert row_parts(user, in_work.id)['list']['text'] == 'Work'
    assert row_parts(user, inbox.id)['list']['text'] == 'Inbox'
    assert text_of(user, 'view-title') == 'Search'


async def test_the_browsers_time_zone_is_kept_and_decides_today(user: User) -> None:
    # Kiritimati is UTC+14: most of the day its date is already tomorrow's in UTC.
    zone = 'Pacific/Kiritimati'
    user.javascript_rules[re.compile(r'.*__TIME_ZONE__')] = lambda _: zone
    me = await signed_in_person(user)
    local_today = datetime.now(UTC).astimezone(clock.zone(zone)).date()

    def stored_zone() -> str:
        with session_scope() as s:
            return clock.zone_of(s, actor_id=me.id).key

    await eventually(lambda: stored_zone() == zone)
    task_in(me, 'due on my today', due_date=local_today)
    await user.open('/tasks/today')
    await eventually(lambda: titles_on_page(user) == ['due on my today'])
    assert text_of(user, 'group-today') == day_heading(local_today, local_today)


async def test_an_unknown_time_zone_from_the_browser_changes_nothing(user: User) -> None:
    user.javascript_rules[re.compile(r'.*__TIME_ZONE__')] = lambda _: 'Mars/Olympus_Mons'
    me = await signed_in_person(user)
    make_task(me, title='still here')
    await user.open('/tasks')
    await eventually(lambda: titles_on_page(user) == ['still here'])
    with session_scope() as s:
        assert clock.zone_of(s, actor_id=me.id).key == 'UTC'


async def test_each_view_has_its_own_heading_and_title(user: User) -> None:
    await signed_in_person(user)
    for path, title in (
        ('/tasks', 'Inbox'),
        ('/tasks/today', 'Today'),
        ('/tasks/upcoming', 'Upcoming'),
        ('/tasks/completed', 'Completed'),
    ):
        await user.open(path)
        await eventually(lambda title=title: text_of(user, 'view-title') == title)
        await user.should_see(kind=ui.input, marker='search', retries=50)


class _Tomorrow(datetime):
    """The clock a day on: what the page sees once the person's midnight has passed."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return datetime.now(tz) + timedelta(days=1)


async def test_at_the_persons_midnight_today_moves_on(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pages import dashboard  # after the app has loaded its pages

    me = await signed_in_person(user)
    today = datetime.now(UTC).date()
    task_in(me, 'due tomorrow', due_date=today + timedelta(days=1))
    await user.open('/tasks/today')
    await user.should_see('Nothing due today', retries=50)
    with user:
        ticks = [t for t in ElementFilter(kind=ui.timer) if t.interval == dashboard.TICK_SECONDS]
    assert len(ticks) == 1
    monkeypatch.setattr(dashboard, 'datetime', _Tomorrow)
    monkeypatch.setattr(clock, 'datetime', _Tomorrow)
    with user:
        await ticks[0].callback()  # type: ignore[misc]
    await eventually(lambda: titles_on_page(user) == ['due tomorrow'])
    new_day = today + timedelta(days=1)
    assert text_of(user, 'group-today') == day_heading(new_day, new_day)
