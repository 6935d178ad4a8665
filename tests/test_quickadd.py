"""Quick add's parser (app.quickadd): what a title says besides the title, as a person means it."""

from __future__ import annotations

from datetime import date, time

import pytest

from app.quickadd import Parsed, parse, present
from components.keyboard import PRIORITY_KEYS

WEDNESDAY = date(2026, 12, 9)
D = date
LISTS = [(1, 'Inbox'), (2, 'Home'), (3, 'Two words'), (4, 'Two'), (5, 'Next week')]


def read(text: str, today: date = WEDNESDAY, **options: object) -> Parsed:
    parsed = parse(text, today=today, lists=LISTS, **options)  # type: ignore[arg-type]
    for span in parsed.spans:  # every span is exactly the text it came from
        assert text[span.start : span.end] == span.text
    return parsed


@pytest.mark.parametrize(
    ('text', 'title', 'due'),
    [
        ('Pay rent today', 'Pay rent', date(2026, 12, 9)),
        ('Pay rent tomorrow', 'Pay rent', date(2026, 12, 10)),
        ('tomorrow pay rent', 'pay rent', date(2026, 12, 10)),
        ('Pay rent TOMORROW', 'Pay rent', date(2026, 12, 10)),
        ('Pay rent tmrw', 'Pay rent', date(2026, 12, 10)),
        ('Pay rent by tomorrow', 'Pay rent', date(2026, 12, 10)),
        ('Meet fri', 'Meet', date(2026, 12, 11)),
        ('Meet Friday', 'Meet', date(2026, 12, 11)),
        ('Meet on friday', 'Meet', date(2026, 12, 11)),
        ('Meet thurs', 'Meet', date(2026, 12, 10)),
        ('Meet wednesday', 'Meet', date(2026, 12, 16)),  # today's weekday: the next one
        ('Meet mon', 'Meet', date(2026, 12, 14)),
        ('Send dec 3', 'Send', date(2027, 12, 3)),  # December, after the 3rd: next year's
        ('Send 3 dec', 'Send', date(2027, 12, 3)),
        ('Send December 24th', 'Send', date(2026, 12, 24)),
        ('Send 24 december', 'Send', date(2026, 12, 24)),
        ('Send jan 5', 'Send', date(2027, 1, 5)),
        ('Send sept 1', 'Send', date(2027, 9, 1)),
        ('Water plants in 3 days', 'Water plants', date(2026, 12, 12)),
        ('Water plants in 1 day', 'Water plants', date(2026, 12, 10)),
        ('Water plants in a week', 'Water plants', date(2026, 12, 16)),
        ('Water plants in 2 weeks', 'Water plants', date(2026, 12, 23)),
        ('Water plants in 1 month', 'Water plants', date(2027, 1, 9)),
        ('Plan next week', 'Plan', date(2026, 12, 14)),
        ('Plan next monday', 'Plan', date(2026, 12, 14)),
        ('Plan next fri', 'Plan', date(2026, 12, 18)),
        ('Pay  rent   tomorrow  now', 'Pay  rent now', date(2026, 12, 10)),
    ],
)
def test_dates(text: str, title: str, due: date) -> None:
    parsed = read(text)
    assert (parsed.title, parsed.due_date, parsed.due_time) == (title, due, None)
    assert [span.kind for span in parsed.spans] == ['date']


@pytest.mark.parametrize(
    ('text', 'title', 'at'),
    [
        ('Call at 5pm', 'Call', time(17, 0)),
        ('Call at 5 pm', 'Call', time(17, 0)),
        ('Call 5:30pm', 'Call', time(17, 30)),
        ('Call at 9am', 'Call', time(9, 0)),
        ('Call 12am', 'Call', time(0, 0)),
        ('Call 12pm', 'Call', time(12, 0)),
        ('Call 17:00', 'Call', time(17, 0)),
        ('Call at 08:15', 'Call', time(8, 15)),
        ('Call 0:30', 'Call', time(0, 30)),
        ('Lunch at noon', 'Lunch', time(12, 0)),
    ],
)
def test_times_leave_the_day_to_the_form(text: str, title: str, at: time) -> None:
    parsed = read(text)
    assert (parsed.title, parsed.due_date, parsed.due_time) == (title, None, at)


def test_a_date_and_a_time_together_in_either_order() -> None:
    for text in ('Meet fri at 5pm', 'Meet at 5pm fri', 'Meet at 17:00 on friday'):
        parsed = read(text)
        assert (parsed.title, parsed.due_date, parsed.due_time) == (
            'Meet',
            date(2026, 12, 11),
            time(17, 0),
        ), text
        assert sorted(span.kind for span in parsed.spans) == ['date', 'time']


@pytest.mark.parametrize(
    'text',
    [
        'Call mom',
        'Buy sun cream',  # a day's short name that is a word, inside the title
        'Sat nav update',
        'Get wed dress',
        'Ask May',  # a month alone is no date
        'March on',
        'Plan 2027',
        'Fix bug 404',
        'Pay 100',
        'Flight 1730',
        'Version 1.2.3',
        'Room 5a',
        'Call at 5',  # no am/pm: could be anything
        'Buy 25:00 thing',
        "Read tomorrow's paper",  # whole words only
        'Call mom tomorrow, then',
        '(fri) review',
        'Meet 31 nov',  # no such day
        'Send dec 32',
        'Wow!1',
        '!urgent fix',
        'Read chapter 3',
        'Second opinion',
        'in 3 books',
        'next time',
        'todays list',
    ],
)
def test_words_that_only_look_like_parts_stay(text: str) -> None:
    parsed = read(text)
    assert parsed == Parsed(title=text)


def test_short_day_names_that_are_words_count_only_where_they_mean_a_day() -> None:
    assert read('Picnic sun').due_date == date(2026, 12, 13)  # the text ends with it
    assert read('Picnic sun !2 at 5pm #Home').due_date == date(2026, 12, 13)
    assert read('Picnic on sat').due_date == date(2026, 12, 12)
    assert read('Picnic next sun').due_date == date(2026, 12, 20)
    assert read('The sun also rises').due_date is None
    assert read('Buy sun cream #Home').title == 'Buy sun cream'


@pytest.mark.parametrize(
    ('marker', 'priority'),
    [
        ('!1', 3),
        ('!2', 2),
        ('!3', 1),
        ('!4', 0),
        ('!high', 3),
        ('!HIGH', 3),
        ('!medium', 2),
        ('!med', 2),
        ('!low', 1),
        ('!none', 0),
    ],
)
def test_priorities(marker: str, priority: int) -> None:
    parsed = read(f'Fix the sink {marker}')
    assert (parsed.title, parsed.priority) == ('Fix the sink', priority)
    assert read(f'{marker} Fix the sink').priority == priority


def test_numbered_priorities_match_the_keyboard_shortcuts() -> None:
    for number in '1234':
        assert read(f'x !{number}').priority == PRIORITY_KEYS[f'p{number}']


@pytest.mark.parametrize(
    ('text', 'title', 'list_id'),
    [
        ('Fix the sink #Home', 'Fix the sink', 2),
        ('Fix the sink #home', 'Fix the sink', 2),
        ('#Home Fix the sink', 'Fix the sink', 2),
        ('Plan #"Two words"', 'Plan', 3),
        ('Plan #two WORDS', 'Plan', 3),  # the longest name that matches
        ('Plan #Two', 'Plan', 4),
        ('Plan #Two wordsmith', 'Plan wordsmith', 4),  # "Two words" is not a whole word here
        ('Plan #Next week', 'Plan', 5),  # a list's name is not read as a date
        ('Plan #Inbox', 'Plan', 1),
    ],
)
def test_lists(text: str, title: str, list_id: int) -> None:
    parsed = read(text)
    assert (parsed.title, parsed.list_id, parsed.due_date) == (title, list_id, None)
    assert parsed.list_name == dict(LISTS)[list_id]


def test_unknown_lists_stay_in_the_title() -> None:
    for text in ('Win #1 prize', 'Fix #Homework', 'Fix #"Home office"', 'Fix #', 'a#Home'):
        assert read(text) == Parsed(title=text), text
    assert parse('Fix #Home', today=WEDNESDAY) == Parsed(title='Fix #Home')  # no lists given


def test_everything_at_once() -> None:
    parsed = read('Pay rent tomorrow !1 #Home')
    assert parsed.title == 'Pay rent'
    assert (parsed.due_date, parsed.due_time, parsed.priority, parsed.list_id) == (
        date(2026, 12, 10),
        None,
        3,
        2,
    )
    assert [(span.kind, span.text) for span in parsed.spans] == [
        ('date', 'tomorrow'),
        ('priority', '!1'),
        ('list', '#Home'),
    ]


def test_each_kind_is_read_once_from_its_first_phrase() -> None:
    parsed = read('Move mon to fri !1 !3 #Home #Two')
    assert parsed.title == 'Move to fri !3 #Two'
    assert (parsed.due_date, parsed.priority, parsed.list_id) == (date(2026, 12, 14), 3, 2)


def test_an_undone_recognition_stays_in_the_title() -> None:
    first = read('Pay rent tomorrow !1 #Home')
    date_span, priority_span, list_span = first.spans
    assert date_span.key == ('date', 'tomorrow')
    undone = read('Pay rent tomorrow !1 #Home', keep={date_span.key})
    assert undone.title == 'Pay rent tomorrow'
    assert (undone.due_date, undone.priority, undone.list_id) == (None, 3, 2)
    everything = read(
        'Pay rent tomorrow !1 #Home', keep={date_span.key, priority_span.key, list_span.key}
    )
    assert everything == Parsed(title='Pay rent tomorrow !1 #Home')


def test_an_undone_phrase_lets_a_later_one_count_and_keys_survive_editing() -> None:
    keep = {('date', 'on friday')}
    parsed = read('Decide on friday, meet mon', keep=keep)
    assert (parsed.title, parsed.due_date) == ('Decide on friday, meet', date(2026, 12, 14))
    # The key is the words, not the place: typing before it keeps it undone.
    assert read('Please decide on  Friday', keep=keep).title == 'Please decide on  Friday'
    # An undone date leaves its words alone: the day inside it is not read on its own.
    assert read('Meet on friday', keep=keep).due_date is None


def test_an_undo_is_known_while_its_words_are_in_the_text() -> None:
    assert present('Decide on  Friday, meet on friday', ('date', 'on friday'))
    assert present('Pay rent #Home', ('list', '#home'))
    assert not present('Decide on fri', ('date', 'on friday'))
    assert not present('Decide on friday,', ('date', 'on friday'))  # not as whole words
    assert not present('Decide', ('date', ''))


@pytest.mark.parametrize(
    ('week_start', 'next_week', 'next_monday', 'next_sunday', 'next_saturday'),
    [
        # Wednesday 9 Dec 2026. Weeks from Monday: this week is 7–13 Dec, the next 14–20.
        ('monday', D(2026, 12, 14), D(2026, 12, 14), D(2026, 12, 20), D(2026, 12, 19)),
        # From Sunday: this week is 6–12 Dec, the next 13–19.
        ('sunday', D(2026, 12, 13), D(2026, 12, 14), D(2026, 12, 13), D(2026, 12, 19)),
        # From Saturday: this week is 5–11 Dec, the next 12–18.
        ('saturday', D(2026, 12, 12), D(2026, 12, 14), D(2026, 12, 13), D(2026, 12, 12)),
    ],
)
def test_next_week_follows_the_persons_week_start(
    week_start: str, next_week: date, next_monday: date, next_sunday: date, next_saturday: date
) -> None:
    def due(text: str) -> date | None:
        return read(text, week_start=week_start).due_date

    assert due('Plan next week') == next_week
    assert due('Plan next monday') == next_monday
    assert due('Plan next sunday') == next_sunday
    assert due('Plan next sat') == next_saturday
    # The rest does not depend on it.
    assert due('Plan fri') == date(2026, 12, 11)
    assert due('Plan tomorrow') == date(2026, 12, 10)


def test_next_week_on_the_last_and_first_day_of_a_week() -> None:
    sunday, monday = date(2026, 12, 13), date(2026, 12, 14)
    assert read('x next week', sunday).due_date == date(2026, 12, 14)  # Monday weeks: tomorrow
    assert read('x next week', sunday, week_start='sunday').due_date == date(2026, 12, 20)
    assert read('x next week', monday).due_date == date(2026, 12, 21)
    assert read('x next monday', sunday).due_date == date(2026, 12, 14)
    assert read('x next monday', sunday, week_start='sunday').due_date == date(2026, 12, 21)


def test_month_rollover() -> None:
    monday = date(2026, 11, 30)
    assert read('x tomorrow', monday).due_date == date(2026, 12, 1)
    assert read('x in 3 days', monday).due_date == date(2026, 12, 3)
    assert read('x fri', monday).due_date == date(2026, 12, 4)
    assert read('x next week', monday).due_date == date(2026, 12, 7)
    assert read('x in 1 month', date(2027, 1, 31)).due_date == date(2027, 2, 28)
    assert read('x feb 29', date(2027, 1, 10)) == Parsed(title='x feb 29')  # 2027 has none
    assert read('x feb 29', date(2027, 3, 10)).due_date == date(2028, 2, 29)


def test_year_end() -> None:
    new_years_eve = date(2026, 12, 31)  # a Thursday
    assert read('x tomorrow', new_years_eve).due_date == date(2027, 1, 1)
    assert read('x next week', new_years_eve).due_date == date(2027, 1, 4)
    assert read('x mon', new_years_eve).due_date == date(2027, 1, 4)
    assert read('x in 3 days', new_years_eve).due_date == date(2027, 1, 3)
    assert read('x jan 2', new_years_eve).due_date == date(2027, 1, 2)
    assert read('x dec 31', new_years_eve).due_date == new_years_eve  # today is not past
    assert read('x dec 30', new_years_eve).due_date == date(2027, 12, 30)


def test_dec_3_in_december() -> None:
    assert read('x dec 3', date(2026, 12, 1)).due_date == date(2026, 12, 3)  # still ahead
    assert read('x dec 3', date(2026, 12, 3)).due_date == date(2026, 12, 3)  # today
    assert read('x 3 dec', date(2026, 12, 4)).due_date == date(2027, 12, 3)  # gone: next year's
    assert read('x dec 3', date(2026, 11, 20)).due_date == date(2026, 12, 3)


def test_a_title_that_is_only_parts_is_empty() -> None:
    parsed = read('tomorrow !1')
    assert (parsed.title, parsed.due_date, parsed.priority) == ('', date(2026, 12, 10), 3)
    assert read('') == Parsed(title='')
    assert read('   ') == Parsed(title='')


def test_the_comparison_script_runs_and_quick_add_reads_every_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bench import quickadd_parsers

    right = quickadd_parsers.main(['--rounds', '0'])
    assert right['app.quickadd'] == len(quickadd_parsers.CASES)
    assert 'Pay rent tomorrow' in capsys.readouterr().out
