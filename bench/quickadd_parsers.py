"""Quick add's date reading against parsedatetime's and dateparser's own search, on titles as
people type them: `python -m bench.quickadd_parsers`.

Each row is a title typed on Wednesday 9 December 2026 (weeks from Monday) with the due date and
time it should give, or none. Columns: app.quickadd (a grammar picks whole-word phrases,
parsedatetime resolves them), parsedatetime's `Calendar.nlp` on the whole title (what it finds
first), and dateparser's `search_dates` (future dates preferred). ✓ is right, ✗ is wrong, with
what it read. Then each one's mean time per title. dateparser is not a dependency: install it
into the venv to compare (`pip install dateparser`); without it its column says so.
"""

from __future__ import annotations

import argparse
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time

import parsedatetime

from app.quickadd import parse

TODAY = date(2026, 12, 9)  # a Wednesday
NOON = datetime(2026, 12, 9, 12, 0)
D = date

# (title, due date, due time) as a person means them.
CASES: list[tuple[str, date | None, time | None]] = [
    ('Pay rent tomorrow', D(2026, 12, 10), None),
    ('Pay rent today', D(2026, 12, 9), None),
    ('Call mom fri', D(2026, 12, 11), None),
    ('Call mom friday', D(2026, 12, 11), None),
    ('Plan next week', D(2026, 12, 14), None),  # the next week's first day
    ('Send card dec 3', D(2027, 12, 3), None),  # December, after the 3rd: next year's
    ('Send card 3 dec', D(2027, 12, 3), None),
    ('Water plants in 3 days', D(2026, 12, 12), None),
    ('Dentist next monday', D(2026, 12, 14), None),
    ('Call at 5pm', None, time(17, 0)),
    ('Call 17:00', None, time(17, 0)),
    ('Meet fri at 5pm', D(2026, 12, 11), time(17, 0)),
    # Titles with nothing to read.
    ('Call mom', None, None),
    ('Buy sun cream', None, None),
    ('Ask May about it', None, None),
    ('Plan 2027 budget', None, None),
    ('Fix bug 404', None, None),
    ('Pay 100 to Sam', None, None),
    ("Read tomorrow's paper", None, None),
    ('Room 5a key', None, None),
    ('Lunch at noon', None, time(12, 0)),
]

Reader = Callable[[str], tuple[date | None, time | None]]


def ours(title: str) -> tuple[date | None, time | None]:
    parsed = parse(title, today=TODAY)
    return parsed.due_date, parsed.due_time


_calendar = parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)


def parsedatetime_search(title: str) -> tuple[date | None, time | None]:
    found = _calendar.nlp(title, sourceTime=NOON)
    if not found:
        return None, None
    moment, context, *_ = found[0]
    return (
        moment.date() if context.hasDate else None,
        moment.time() if context.hasTime else None,
    )


def dateparser_reader() -> Reader | None:
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None
    settings = {'RELATIVE_BASE': NOON, 'PREFER_DATES_FROM': 'future'}

    def read(title: str) -> tuple[date | None, time | None]:
        found = search_dates(title, languages=['en'], settings=settings)  # type: ignore[arg-type]
        if not found:
            return None, None
        phrase, moment = found[0]
        # dateparser gives a datetime either way: a time was read if the phrase names one.
        timed = any(mark in phrase.lower() for mark in (':', 'am', 'pm', 'noon'))
        return moment.date(), moment.time() if timed else None

    return read


def shown(value: tuple[date | None, time | None]) -> str:
    day, at = value
    parts = [f'{day:%a} {day.day} {day:%b %Y}' if day else '', f'{at:%H:%M}' if at else '']
    return ' '.join(part for part in parts if part) or '—'


def judge(reader: Reader, title: str, want: tuple[date | None, time | None]) -> tuple[bool, str]:
    got = reader(title)
    time_alone = want[0] is None and want[1] is not None  # its day is the form's to choose
    right = got[1] == want[1] if time_alone else got == want
    return right, ('✓ ' if right else '✗ ') + shown(got)


def timed(reader: Reader, rounds: int) -> float:
    """Mean microseconds per title over `rounds` passes through all of them."""
    for title, *_ in CASES:  # warm up (dateparser loads its language data on first use)
        reader(title)
    start = clock.perf_counter()
    for _ in range(rounds):
        for title, *_ in CASES:
            reader(title)
    return (clock.perf_counter() - start) / (rounds * len(CASES)) * 1e6


def main(argv: list[str] | None = None) -> dict[str, int]:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument('--rounds', type=int, default=20, help='timing passes (0: no timing)')
    args = options.parse_args(argv)
    readers: dict[str, Reader | None] = {
        'app.quickadd': ours,
        'parsedatetime.nlp': parsedatetime_search,
        'dateparser.search_dates': dateparser_reader(),
    }
    widths = (24, 26, 28, 28, 28)
    header = ('title', 'should read', *readers)
    print('  '.join(f'{cell:<{width}}' for cell, width in zip(header, widths, strict=True)))
    right = dict.fromkeys(readers, 0)
    for title, day, at in CASES:
        cells = [title, shown((day, at))]
        for name, reader in readers.items():
            if reader is None:
                cells.append('(not installed)')
                continue
            ok, text = judge(reader, title, (day, at))
            right[name] += ok
            cells.append(text)
        print('  '.join(f'{cell:<{width}}' for cell, width in zip(cells, widths, strict=True)))
    print()
    for name, reader in readers.items():
        if reader is None:
            print(f'{name:<24} not installed')
            continue
        line = f'{name:<24} {right[name]:>2} of {len(CASES)} right'
        if args.rounds:
            line += f', {timed(reader, args.rounds):8.1f} µs a title'
        print(line)
    return right


if __name__ == '__main__':
    main()
