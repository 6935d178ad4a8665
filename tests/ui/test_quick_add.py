"""Quick add in the new-task form (components/quick_add.py): chips for what the title says, ✕ and
Backspace to undo them, the form's own controls when touched later, and the dashboard putting
the task where `#List` says. Typing and the keys are real in tests/browser/test_quick_add.py."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from nicegui import ElementFilter, ui
from nicegui.testing import User

from app.db import session_scope
from components.quick_add import PRIORITY_WORDS
from components.task_list import ONLY_PARTS, PRIORITY_OPTIONS, NewTaskForm
from services import clock, sharing
from tests.factories import make_user
from tests.ui.helpers import (
    eventually,
    make_list,
    signed_in_person,
    stored_tasks,
    titles_on_page,
)

TODAY = date(2026, 11, 25)  # a Wednesday
TOMORROW = TODAY + timedelta(days=1)
LISTS = [(1, 'Inbox'), (7, 'Home'), (8, 'Two words')]


def element(user: User, marker: str) -> Any:
    found = user.find(marker=marker).elements
    assert len(found) == 1, f'expected one element marked {marker!r}, found {len(found)}'
    return next(iter(found))


def chips(user: User) -> list[str]:
    """What the chips under the field say, in order ([] while they are hidden)."""
    with user:
        row = next(iter(ElementFilter(marker='quick-add')))
        if not row.visible:
            return []
        return [label.text for label in ElementFilter(kind=ui.label).within(instance=row)]


def icons(user: User) -> list[str]:
    with user:
        row = next(iter(ElementFilter(marker='quick-add')))
        return [icon.props['name'] for icon in ElementFilter(kind=ui.icon).within(instance=row)]


def undo_names(user: User) -> list[str]:
    with user:
        row = next(iter(ElementFilter(marker='quick-add')))
        return [b.props['aria-label'] for b in ElementFilter(kind=ui.button).within(instance=row)]


class Form:
    """A page with only the new-task form; what it sent, as (values, keyword arguments)."""

    def __init__(self, **options: Any) -> None:
        self.added: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.form: NewTaskForm | None = None

        async def add(*args: Any, **kwargs: Any) -> str | None:
            self.added.append((args, kwargs))
            return None

        @ui.page('/form')
        def page() -> None:
            self.form = NewTaskForm(add, today=lambda: TODAY, lists=LISTS, **options)


async def test_what_the_title_says_shows_as_chips_and_is_what_add_sends(user: User) -> None:
    page = Form()
    await user.open('/form')
    assert chips(user) == []
    user.find(marker='new-title').type('Pay rent tomorrow !1 #Home')
    await eventually(lambda: chips(user) == ['Thu 26 Nov', 'High', 'Home'])
    assert icons(user) == ['event', 'flag', 'tag']
    assert undo_names(user) == [
        'Don’t read “tomorrow” as a date',
        'Don’t read “!1” as a priority',
        'Don’t read “#Home” as a list',
    ]
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0] == (('Pay rent', '', TOMORROW, None, 3), {'list_id': 7})
    await eventually(lambda: element(user, 'new-title').value == '')
    assert chips(user) == []


async def test_without_a_list_named_the_handler_gets_what_it_always_got(user: User) -> None:
    page = Form()
    await user.open('/form')
    user.find(marker='new-title').type('Call mom #Nowhere at 5pm').trigger('keydown.enter')
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0] == (('Call mom #Nowhere', '', TODAY, time(17, 0), 0), {})


async def test_the_cross_keeps_the_words_in_the_title(user: User) -> None:
    page = Form()
    await user.open('/form')
    user.find(marker='new-title').type('Call mom tomorrow !2')
    await eventually(lambda: chips(user) == ['Thu 26 Nov', 'Medium'])
    user.find(marker='undo-date').click()
    await eventually(lambda: chips(user) == ['Medium'])
    user.find(marker='new-title').type(' please')  # still undone as the person types on
    await eventually(lambda: element(user, 'new-title').value == 'Call mom tomorrow !2 please')
    assert chips(user) == ['Medium']
    await user.should_see('“tomorrow” stays in the title', marker='announcement')
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0] == (('Call mom tomorrow please', '', None, None, 2), {})
    # A new task starts afresh: the same word is read again.
    user.find(marker='new-title').type('Call dad tomorrow')
    await eventually(lambda: chips(user) == ['Thu 26 Nov'])


async def test_an_undo_is_forgotten_once_its_words_are_gone(user: User) -> None:
    page = Form()
    await user.open('/form')
    field = user.find(marker='new-title').type('Call mom tomorrow')
    await eventually(lambda: chips(user) == ['Thu 26 Nov'])
    user.find(marker='undo-date').click()
    await eventually(lambda: chips(user) == [])
    element(user, 'new-title').value = 'Call mom tomorro'
    field.type('w')  # typed again: read again
    await eventually(lambda: chips(user) == ['Thu 26 Nov'])
    assert page.added == []


async def test_backspace_right_after_a_recognition_undoes_it(user: User) -> None:
    """The browser checks the caret and the text (BACKSPACE_JS) and sends what to undo."""
    page = Form()
    await user.open('/form')
    field = user.find(marker='new-title')
    field.type('Pay rent tomorro')
    assert 'data-qa-undo' not in element(user, 'new-title').props
    field.type('w')  # the keystroke that made it a date
    await eventually(lambda: chips(user) == ['Thu 26 Nov'])
    fresh = json.loads(element(user, 'new-title').props['data-qa-undo'])
    assert fresh == {'kind': 'date', 'start': 9, 'end': 17, 'text': 'tomorrow'}
    field.trigger('keydown', {'kind': 'date', 'text': 'tomorrow'})
    await eventually(lambda: chips(user) == [])
    assert element(user, 'new-title').value == 'Pay rent tomorrow'  # nothing deleted
    # Typing on: the recognition is no longer fresh, Backspace deletes as usual.
    field.type(' !1')
    await eventually(lambda: chips(user) == ['High'])
    field.type(' x')
    await eventually(lambda: 'data-qa-undo' not in element(user, 'new-title').props)
    # Crafted or stale messages change nothing.
    field.trigger('keydown', {'kind': 'priority', 'text': '!2'})
    field.trigger('keydown', 'nonsense')
    assert chips(user) == ['High']
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0] == (('Pay rent tomorrow x', '', None, None, 3), {})


async def test_the_picker_touched_after_typing_wins_and_the_words_stay(user: User) -> None:
    page = Form()
    await user.open('/form')
    user.find(marker='new-title').type('Pay rent tomorrow')
    await eventually(lambda: chips(user) == ['Thu 26 Nov'])
    user.find(marker='new-due-button').click()  # its menu is built when opened
    user.find(marker='new-due-next-week').click()
    await eventually(lambda: chips(user) == [])
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0] == (('Pay rent tomorrow', '', date(2026, 11, 30), None, 0), {})


async def test_text_typed_after_the_picker_wins(user: User) -> None:
    page = Form()
    await user.open('/form')
    user.find(marker='new-due-button').click()  # its menu is built when opened
    user.find(marker='new-due-next-week').click()
    user.find(marker='new-time').type('09:00')
    user.find(marker='new-title').type('Pay rent fri')
    await eventually(lambda: chips(user) == ['Fri 27 Nov'])
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    # A date in the text replaces the picker's date and time.
    assert page.added[0] == (('Pay rent', '', date(2026, 11, 27), None, 0), {})


async def test_a_time_alone_keeps_the_pickers_day(user: User) -> None:
    page = Form()
    await user.open('/form')
    user.find(marker='new-due-button').click()  # its menu is built when opened
    user.find(marker='new-due-tomorrow').click()
    user.find(marker='new-title').type('Call at 5pm')
    await eventually(lambda: chips(user) == ['17:00'])
    assert icons(user) == ['schedule']
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0] == (('Call', '', TOMORROW, time(17, 0), 0), {})


async def test_the_priority_select_touched_after_typing_wins(user: User) -> None:
    page = Form()
    await user.open('/form')
    user.find(marker='new-title').type('Fix sink !1')
    await eventually(lambda: chips(user) == ['High'])
    element(user, 'new-priority').value = 1  # Low, chosen in the select
    await eventually(lambda: chips(user) == [])
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0] == (('Fix sink !1', '', None, None, 1), {})
    # Resetting the form after Add is not a choice of the person's.
    user.find(marker='new-title').type('Next !2')
    await eventually(lambda: chips(user) == ['Medium'])


async def test_the_text_wins_over_the_today_views_default(user: User) -> None:
    page = Form(default_due=TODAY)
    await user.open('/form')
    user.find(marker='new-title').type('Pay rent tomorrow').trigger('keydown.enter')
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0][0][2] == TOMORROW
    await eventually(lambda: element(user, 'new-due-button').text == 'Today')  # the default again


async def test_next_week_follows_the_week_start_given(user: User) -> None:
    page = Form(week_start='sunday')
    await user.open('/form')
    user.find(marker='new-title').type('Plan next week').trigger('keydown.enter')
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0][0][:3] == ('Plan', '', date(2026, 11, 29))  # a Sunday


async def test_a_stale_error_goes_as_soon_as_the_title_is_valid(user: User) -> None:
    page = Form()
    await user.open('/form')
    user.find(marker='new-add').click()
    await eventually(lambda: element(user, 'new-title').error == 'Enter a title for the task.')
    user.find(marker='new-title').type('B')
    assert element(user, 'new-title').error is None  # at once, not at the next Add
    element(user, 'new-title').value = ''
    assert element(user, 'new-title').error is None  # no new error while typing
    user.find(marker='new-title').type('tomorrow !1')
    user.find(marker='new-add').click()
    await eventually(lambda: element(user, 'new-title').error == ONLY_PARTS)
    assert page.added == []
    user.find(marker='new-title').type(' Buy milk')
    assert element(user, 'new-title').error is None
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    assert page.added[0] == (('Buy milk', '', TOMORROW, None, 3), {})


async def test_a_restored_draft_is_read_again_and_not_after_an_add(user: User) -> None:
    page = Form()
    await user.open('/form')
    assert page.form is not None
    with user:
        assert page.form.restore({'title': 'Pay rent tomorrow #Home'})
    await eventually(lambda: chips(user) == ['Thu 26 Nov', 'Home'])
    user.find(marker='new-add').click()
    await eventually(lambda: len(page.added) == 1)
    with user:
        assert not page.form.restore({'title': 'Pay rent tomorrow #Home'})
    assert element(user, 'new-title').value == ''


async def test_lists_given_later_are_read_at_once(user: User) -> None:
    page = Form()
    await user.open('/form')
    user.find(marker='new-title').type('Plan #Garden')
    assert page.form is not None
    with user:
        page.form.set_lists([*LISTS, (9, 'Garden')])
    await eventually(lambda: chips(user) == ['Garden'])
    with user:  # renamed meanwhile: the chip follows
        page.form.set_lists([*LISTS, (9, 'garden')])
    await eventually(lambda: chips(user) == ['garden'])


def test_the_chips_name_priorities_as_the_select_does() -> None:
    assert PRIORITY_WORDS == PRIORITY_OPTIONS


# ---------------------------------------------------------------- on the dashboard


async def test_on_the_dashboard_a_named_list_date_and_priority_are_kept(user: User) -> None:
    me = await signed_in_person(user)
    home = make_list(me, 'Home')
    await user.open('/tasks')
    await user.should_see('New task')
    user.find(marker='new-title').type('Pay rent tomorrow !1 #Home')
    await eventually(lambda: chips(user)[1:] == ['High', 'Home'])
    user.find(marker='new-title').trigger('keydown.enter')
    await eventually(lambda: len(stored_tasks(me)) == 1)
    task = stored_tasks(me)[0]
    today = datetime.now(UTC).astimezone(clock.zone(me.time_zone)).date()
    assert (task.title, task.list_id, task.due_date, task.priority) == (
        'Pay rent',
        home.id,
        today + timedelta(days=1),
        3,
    )
    await user.should_see('Added “Pay rent” to Home')  # not in the Inbox on screen: said so
    assert 'Pay rent' not in titles_on_page(user)


async def test_on_the_dashboard_lists_shared_to_view_only_cannot_be_named(user: User) -> None:
    me = await signed_in_person(user)
    owner = make_user(email='owner@example.com')
    watched = make_list(owner, 'Watched')
    with session_scope() as session:
        sharing.share_list(
            session, actor_id=owner.id, list_id=watched.id, email=me.email, role='viewer'
        )
    await user.open('/tasks')
    await user.should_see('Watched')
    user.find(marker='new-title').type('Look #Watched').trigger('keydown.enter')
    await eventually(lambda: len(stored_tasks(me)) == 1)
    assert stored_tasks(me)[0].title == 'Look #Watched'
    await user.should_see('Look #Watched')  # in the Inbox, on screen
