"""Quick add: a due date, a time, a priority and a list read out of a new task's title.

`parse('Pay rent tomorrow !1 #Home', today=..., lists=[(7, 'Home')])` gives the title
'Pay rent', tomorrow's date, priority 3 (high) and list 7, with the span of text each came from.

Only whole words count, bounded by spaces or the ends of the text ("tomorrow's" and "fri," stay
words of the title), and only the phrases of the grammar below: parsedatetime's own search eats
far too much of ordinary titles ("Plan 2027" is a time, "Ask May" is the 1st of May, "Pay 100"
is 01:00). The grammar picks the words; parsedatetime does the calendar arithmetic (weekdays,
month lengths, the year a day-and-month falls in), except where the person's week start
decides (`next week`, `next friday`), which it does not know.

Each kind is read once, from its first phrase: later ones stay in the title, and recognitions
appear or go as the text is typed without jumping from one phrase to another. A recognition the
person undid is passed back in `keep` (its `Span.key`), and that phrase stays in the title.

Pure: no NiceGUI, no database, no clock (the person's today comes in)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

import parsedatetime

Kind = Literal['date', 'time', 'priority', 'list']
Key = tuple[str, str]

# 1 is the highest, as with the keyboard shortcuts 1-4 (components.keyboard.PRIORITY_KEYS);
# the stored values are 0 none, 1 low, 2 medium, 3 high.
PRIORITIES = {
    '1': 3,
    'high': 3,
    '2': 2,
    'medium': 2,
    'med': 2,
    '3': 1,
    'low': 1,
    '4': 0,
    'none': 0,
}
WEEKDAYS = {
    'monday': 0,
    'mon': 0,
    'tuesday': 1,
    'tues': 1,
    'tue': 1,
    'wednesday': 2,
    'wed': 2,
    'thursday': 3,
    'thurs': 3,
    'thur': 3,
    'thu': 3,
    'friday': 4,
    'fri': 4,
    'saturday': 5,
    'sat': 5,
    'sunday': 6,
    'sun': 6,
}
DAY_NAMES = ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')
MONTHS = {
    'january': 1,
    'jan': 1,
    'february': 2,
    'feb': 2,
    'march': 3,
    'mar': 3,
    'april': 4,
    'apr': 4,
    'may': 5,
    'june': 6,
    'jun': 6,
    'july': 7,
    'jul': 7,
    'august': 8,
    'aug': 8,
    'september': 9,
    'sept': 9,
    'sep': 9,
    'october': 10,
    'oct': 10,
    'november': 11,
    'nov': 11,
    'december': 12,
    'dec': 12,
}
MONTH_NAMES = (
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
)
# Short day names that are also everyday words ("Buy sun cream", "Sat nav"): read as a day only
# after on/by/next, or at the end of the text (nothing but other recognised parts after them).
AMBIGUOUS_DAYS = frozenset({'sun', 'sat', 'wed'})
# Python's weekday() of the first day of the week, by the person's setting.
WEEK_STARTS = {'monday': 0, 'sunday': 6, 'saturday': 5}


def _words(names: Iterable[str]) -> str:
    return '|'.join(sorted(names, key=len, reverse=True))  # longest first: "friday" before "fri"


_START = r'(?<!\S)'  # a whole word: the text's start or a space before it
_END = r'(?!\S)'  # and a space or the text's end after it
_DAY = _words(WEEKDAYS)
_MONTH = _words(MONTHS)
_NUMBER = r'(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?'
_DATE = re.compile(
    rf"""{_START}(?P<prefix>(?:on|by)\s+)?(?:
        (?P<relative>today|tomorrow|tmrw)
      | next\s+(?P<next_week>week)
      | next\s+(?P<next_day>{_DAY})
      | in\s+(?P<count>[1-9]\d{{0,2}}|an?)\s+(?P<unit>days?|weeks?|months?)
      | (?P<month1>{_MONTH})\s+(?P<day1>{_NUMBER})
      | (?P<day2>{_NUMBER})\s+(?P<month2>{_MONTH})
      | (?P<weekday>{_DAY})
    ){_END}""",
    re.IGNORECASE | re.VERBOSE,
)
_TIME = re.compile(
    rf"""{_START}(?:at\s+)?(?:
        (?P<hour12>1[0-2]|0?[1-9])(?::(?P<minute12>[0-5]\d))?\s?(?P<half>[ap]m)
      | (?P<hour24>[01]?\d|2[0-3]):(?P<minute24>[0-5]\d)
    ){_END}|{_START}at\s+(?P<noon>noon){_END}""",
    re.IGNORECASE | re.VERBOSE,
)
_PRIORITY = re.compile(rf'{_START}!(?P<level>{_words(PRIORITIES)}){_END}', re.IGNORECASE)
_HASH = re.compile(rf'{_START}#')
_QUOTED = re.compile(r'"([^"]+)"' + _END)
# What may follow a short day name that ends the text: other parts of a quick add only.
_TAIL = re.compile(
    r'(?:\s+(?:[!#]\S+|at\s+\S+|\d{1,2}(?::\d\d)?\s?[ap]m|\d{1,2}:\d\d))*\s*$', re.IGNORECASE
)

_calendar = parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)


@dataclass(frozen=True)
class Span:
    """One recognised part: where it is in the text, what it said, and what it was read as (a
    date, a time, a priority 0-3, or a list id)."""

    kind: Kind
    start: int
    end: int
    text: str
    value: date | time | int

    @property
    def key(self) -> Key:
        """What names this recognition across edits (offsets move as the person types)."""
        return (self.kind, ' '.join(self.text.casefold().split()))


@dataclass(frozen=True)
class Parsed:
    """What a quick add says. A time without a date leaves `due_date` None: the caller decides
    which day it is (the new-task form takes its picker's date, else today)."""

    title: str
    due_date: date | None = None
    due_time: time | None = None
    priority: int | None = None
    list_id: int | None = None
    list_name: str | None = None
    spans: tuple[Span, ...] = field(default=())

    def span(self, kind: Kind) -> Span | None:
        return next((span for span in self.spans if span.kind == kind), None)


def parse(
    text: str,
    *,
    today: date,
    week_start: str = 'monday',
    lists: Sequence[tuple[int, str]] = (),
    keep: Collection[Key] = (),
) -> Parsed:
    """Read `text` against the person's `today` and `week_start`; `lists` are (id, name) of the
    lists they may add to; `keep` holds the keys of recognitions they undid."""
    taken: list[Span] = []

    def free(start: int, end: int) -> bool:
        return all(end <= span.start or start >= span.end for span in taken)

    def first(candidates: Iterable[Span]) -> Span | None:
        for span in candidates:
            if span.key not in keep and free(span.start, span.end):
                taken.append(span)
                return span
        return None

    chosen = first(_lists(text, lists))
    priority = first(_priorities(text))
    day = first(span for span in _dates(text, today, week_start) if _clear_day(text, span, taken))
    at = first(_times(text))
    return Parsed(
        title=_without(text, taken),
        due_date=day.value if day is not None else None,  # type: ignore[arg-type]
        due_time=at.value if at is not None else None,  # type: ignore[arg-type]
        priority=priority.value if priority is not None else None,  # type: ignore[arg-type]
        list_id=chosen.value if chosen is not None else None,  # type: ignore[arg-type]
        list_name=_list_name(chosen, lists),
        spans=tuple(sorted(taken, key=lambda span: span.start)),
    )


def present(text: str, key: Key) -> bool:
    """Whether the words of a recognition (its key) are still in `text`, as whole words: an undo
    is forgotten once its words are gone, so that typing them again reads them again."""
    words = key[1].split()
    if not words:
        return False
    pattern = _START + r'\s+'.join(re.escape(word) for word in words) + _END
    return re.search(pattern, text, re.IGNORECASE) is not None


def _clear_day(text: str, day: Span, taken: Sequence[Span]) -> bool:
    """A short day name that is also a word ("sun") counts only after on/by/next or when
    nothing but other parts of a quick add follows it."""
    words = day.text.casefold().split()
    if len(words) != 1 or words[0] not in AMBIGUOUS_DAYS:
        return True
    later = [span for span in taken if span.start >= day.end]
    pieces: list[str] = []
    position = day.end
    for span in sorted(later, key=lambda span: span.start):
        pieces.append(text[position : span.start])
        position = span.end
    pieces.append(text[position:])
    return _TAIL.fullmatch(' '.join(pieces)) is not None


def _without(text: str, spans: Iterable[Span]) -> str:
    """The text with the spans cut out, the spaces around each cut made one."""
    pieces: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda span: span.start):
        pieces.append(text[position : span.start])
        position = span.end
    pieces.append(text[position:])
    return ' '.join(piece.strip() for piece in pieces if piece.strip())


def _list_name(span: Span | None, lists: Sequence[tuple[int, str]]) -> str | None:
    if span is None:
        return None
    return next(name for list_id, name in lists if list_id == span.value)


# ------------------------------------------------------------------ lists and priorities


def _lists(text: str, lists: Sequence[tuple[int, str]]) -> Iterable[Span]:
    """`#Name`, `#"Two words"`, or the longest list name that the text after # starts with."""
    names = sorted(
        ((name.casefold(), list_id) for list_id, name in lists if name.strip()),
        key=lambda item: len(item[0]),
        reverse=True,
    )
    for mark in _HASH.finditer(text):
        after = mark.end()
        quoted = _QUOTED.match(text, after)
        if quoted is not None:
            wanted = quoted.group(1).casefold()
            found = next((list_id for name, list_id in names if name == wanted), None)
            if found is not None:
                yield Span(
                    'list', mark.start(), quoted.end(), text[mark.start() : quoted.end()], found
                )
                continue
        folded = text[after:].casefold()
        for name, list_id in names:
            end = after + len(name)
            if folded.startswith(name) and (end == len(text) or text[end].isspace()):
                yield Span('list', mark.start(), end, text[mark.start() : end], list_id)
                break


def _priorities(text: str) -> Iterable[Span]:
    for match in _PRIORITY.finditer(text):
        level = PRIORITIES[match.group('level').casefold()]
        yield Span('priority', match.start(), match.end(), match.group(), level)


# ------------------------------------------------------------------ dates and times


def _dates(text: str, today: date, week_start: str) -> Iterable[Span]:
    for match in _DATE.finditer(text):
        day = _date(match, today, week_start)
        if day is not None:
            yield Span('date', match.start(), match.end(), match.group(), day)


def _date(match: re.Match[str], today: date, week_start: str) -> date | None:
    found = {name: value.casefold() for name, value in match.groupdict().items() if value}
    if 'next_week' in found or 'next_day' in found:
        first = WEEK_STARTS.get(week_start, 0)
        this_week = today - timedelta(days=(today.weekday() - first) % 7)
        next_week = this_week + timedelta(days=7)
        if 'next_week' in found:
            return next_week
        return next_week + timedelta(days=(WEEKDAYS[found['next_day']] - first) % 7)
    # The rest is parsedatetime's, each phrase spelled the way it reads best.
    if 'relative' in found:
        phrase = 'tomorrow' if found['relative'] == 'tmrw' else found['relative']
    elif 'count' in found:
        count = '1' if found['count'] in ('a', 'an') else found['count']
        phrase = f'in {count} {found["unit"].rstrip("s")}s'
    elif 'weekday' in found:
        phrase = DAY_NAMES[WEEKDAYS[found['weekday']]]
    else:
        month = MONTHS[found.get('month1') or found['month2']]
        number = int(re.sub(r'\D', '', found.get('day1') or found['day2']))
        phrase = f'{MONTH_NAMES[month - 1]} {number}'
    return _calendar_date(phrase, today)


def _calendar_date(phrase: str, today: date) -> date | None:
    """The day parsedatetime reads `phrase` as, seen from noon of `today`; None if it reads no
    date (the 31st of November, the 29th of February of a year without one)."""
    moment, context = _calendar.parseDT(phrase, sourceTime=datetime.combine(today, time(12)))
    return moment.date() if context.hasDate else None


def _times(text: str) -> Iterable[Span]:
    for match in _TIME.finditer(text):
        found = match.groupdict()
        if found['noon']:
            phrase = '12:00'
        elif found['half']:
            phrase = f'{found["hour12"]}:{found["minute12"] or "00"} {found["half"].lower()}'
        else:
            phrase = f'{found["hour24"]}:{found["minute24"]}'
        moment, context = _calendar.parseDT(phrase, sourceTime=datetime(2000, 1, 1, 12))
        if context.hasTime:
            yield Span('time', match.start(), match.end(), match.group(), moment.time())
