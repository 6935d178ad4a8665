"""Human-friendly times for task metadata."""

from __future__ import annotations

from datetime import UTC, datetime


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
