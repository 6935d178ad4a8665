"""The words Tasklight uses for due dates and days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.models import TaskRead
from components.timefmt import day_heading, due_text, is_overdue, until

TODAY = date(2026, 11, 25)  # a Wednesday
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def task(
    due_date: date | None,
    due_time: time | None = None,
    *,
    completed: bool = False,
    due_at: datetime | None = None,
) -> TaskRead:
    return TaskRead(
        id=1,
        list_id=1,
        title='t',
        description='',
        completed=completed,
        created_at=NOW,
        updated_at=NOW,
        completed_at=NOW if completed else None,
        version=1,
        position=1.0,
        due_date=due_date,
        due_time=due_time,
        due_at=due_at,
    )


@pytest.mark.parametrize(
    ('days', 'words'),
    [
        (0, 'Today'),
        (1, 'Tomorrow'),
        (-1, 'Yesterday'),
        (-3, '3 days ago'),
        (-6, '6 days ago'),
        (-7, 'Wed 18 Nov'),
        (2, 'Fri 27 Nov'),
        (5, 'Mon 30 Nov'),
        (6, 'Tue 1 Dec'),
        (40, 'Mon 4 Jan 2027'),
    ],
)
def test_due_text_names_the_day(days: int, words: str) -> None:
    assert due_text(task(TODAY + timedelta(days=days)), TODAY) == words


def test_due_text_adds_the_time_and_says_nothing_without_a_date() -> None:
    assert due_text(task(TODAY, time(14, 30)), TODAY) == 'Today 14:30'
    assert due_text(task(TODAY + timedelta(days=5), time(9, 5)), TODAY) == 'Mon 30 Nov 09:05'
    assert due_text(task(None), TODAY) == ''


def test_overdue_is_an_open_task_due_before_today() -> None:
    assert is_overdue(task(TODAY - timedelta(days=1)), TODAY)
    assert not is_overdue(task(TODAY), TODAY)
    assert not is_overdue(task(TODAY - timedelta(days=1), completed=True), TODAY)
    assert not is_overdue(task(None), TODAY)


def test_a_timed_task_is_overdue_once_its_time_has_passed_today() -> None:
    earlier = task(TODAY, time(11, 0), due_at=NOW - timedelta(hours=1))
    later = task(TODAY, time(13, 0), due_at=NOW + timedelta(hours=1))
    assert is_overdue(earlier, TODAY, now=NOW)
    assert not is_overdue(later, TODAY, now=NOW)
    assert not is_overdue(earlier, TODAY)  # without the time of day, only the date counts


def test_day_heading_for_the_upcoming_view() -> None:
    assert day_heading(TODAY, TODAY) == 'Today · Wed 25 Nov'
    assert day_heading(TODAY + timedelta(days=1), TODAY) == 'Tomorrow · Thu 26 Nov'
    assert day_heading(TODAY + timedelta(days=2), TODAY) == 'Friday · 27 Nov'
    assert day_heading(date(2027, 1, 4), TODAY) == 'Monday · 4 Jan 2027'


def test_until_says_how_far_off() -> None:
    assert until(NOW + timedelta(minutes=5), NOW) == 'in 5 min'
    assert until(NOW + timedelta(hours=3), NOW) == 'in 3 h'
    assert until(NOW + timedelta(seconds=20), NOW) == 'in under a minute'
    assert until(NOW + timedelta(days=2), NOW) == 'in 2 days'
    assert until(NOW - timedelta(hours=2), NOW) == '2 h ago'
