"""Human-friendly times for task metadata."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from app.models import TaskRead


def relative(moment: datetime, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', '4 days ago', or a date."""
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 45:
        return 'just now'
    minutes = seconds / 60
    if minutes < 60:
        return f'{round(minutes)} min ago'
    hours = minutes / 60
    if hours < 24:
        return f'{round(hours)} h ago'
    days = int(hours // 24)
    if days == 1:
        return 'yesterday'
    if days < 7:
        return f'{days} days ago'
    if moment.year == now.year:
        return moment.strftime('%d %b').lstrip('0')
    return moment.strftime('%d %b %Y').lstrip('0')


def absolute(moment: datetime) -> str:
    return moment.strftime('%Y-%m-%d %H:%M UTC')


def wait_text(seconds: int) -> str:
    """A wait as a person says it: '42 seconds', '1 second', 'about 52 minutes', '2 hours'."""
    if seconds < 90:
        return f'{seconds} second{"" if seconds == 1 else "s"}'
    minutes = round(seconds / 60)
    if minutes < 90:
        return f'about {minutes} minutes'
    hours = round(seconds / 3600)
    return f'about {hours} hour{"" if hours == 1 else "s"}'


def day_label(day: date, today: date) -> str:
    """'Mon 30 Nov', with the year when it is not this year's."""
    text = f'{day:%a} {day.day} {day:%b}'
    return text if day.year == today.year else f'{text} {day.year}'


def due_text(task: TaskRead, today: date) -> str:
    """'Today', 'Tomorrow', 'Yesterday', '3 days ago' or 'Mon 30 Nov', with ' 14:30' when timed;
    '' without a due date. The date is the person's own (see services.clock)."""
    return due_words(task.due_date, task.due_time, today)


def due_words(due_date: date | None, due_time: time | None, today: date) -> str:
    """A due date (and time) as `due_text` says it."""
    if due_date is None:
        return ''
    days = (due_date - today).days
    if days == 0:
        text = 'Today'
    elif days == 1:
        text = 'Tomorrow'
    elif days == -1:
        text = 'Yesterday'
    elif -7 < days < 0:
        text = f'{-days} days ago'
    else:
        text = day_label(due_date, today)
    if due_time is not None:
        text += f' {due_time:%H:%M}'
    return text


def is_overdue(task: TaskRead, today: date, *, now: datetime | None = None) -> bool:
    """An open task due before today; given `now`, also one due earlier today at a set time."""
    if task.completed or task.due_date is None:
        return False
    if task.due_date < today:
        return True
    due_at = task.due_at
    return now is not None and task.due_date == today and due_at is not None and due_at <= now


def until(moment: datetime, now: datetime | None = None) -> str:
    """How far off an instant is, as a person says it: 'in 5 min', 'in 3 h', '2 h ago'."""
    now = now or datetime.now(UTC)
    seconds = (moment - now).total_seconds()
    if seconds < 0:
        return relative(moment, now)
    if seconds < 60:
        return 'in under a minute'
    minutes = seconds / 60
    if minutes < 60:
        return f'in {round(minutes)} min'
    hours = minutes / 60
    if hours < 24:
        return f'in {round(hours)} h'
    days = round(hours / 24)
    return f'in {days} day{"" if days == 1 else "s"}'


def day_heading(day: date, today: date) -> str:
    """'Today · Wed 25 Nov', 'Tomorrow · Thu 26 Nov', 'Friday · 27 Nov' (Upcoming's groups)."""
    days = (day - today).days
    if days == 0:
        return f'Today · {day_label(day, today)}'
    if days == 1:
        return f'Tomorrow · {day_label(day, today)}'
    rest = f'{day.day} {day:%b}' + ('' if day.year == today.year else f' {day.year}')
    return f'{day:%A} · {rest}'
