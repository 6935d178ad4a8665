from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from app.config import SESSION_COOKIE
from app.db import session_scope
from app.models import AuthSession
from services import auth, tasks
from services.events import task_changes
from tests.factories import make_task, make_user
from tests.ui.helpers import (
    checkbox,
    eventually,
    follow,
    make_list,
    on_path,
    open_as,
    open_completed,
    press,
    route_navigation,
    row_parts,
    signed_in_person,
    stored_tasks,
    task_in,
    titles_in,
    titles_on_page,
)


async def add_task(user: User, title: str, *, press_enter: bool = True) -> None:
    field = user.find(marker='new-title').type(title)
    if press_enter:
        field.trigger('keydown.enter')
    else:
        user.find(kind=ui.button, content='Add').click()


async def test_add_with_enter_and_with_the_button(user: User) -> None:
    me = await signed_in_person(user)
    await add_task(user, 'Buy milk')
    await eventually(lambda: titles_on_page(user) == ['Buy milk'])
    await eventually(lambda: user.find(marker='new-title').elements.pop().value == '')
    await add_task(user, '  Call mum  ', press_enter=False)
    await eventually(lambda: titles_on_page(user) == ['Call mum', 'Buy milk'])
    assert [t.title for t in stored_tasks(me)] == ['Call mum', 'Buy milk']
    # The live reload may show the new row before the form's own handler clears the field.
    await eventually(lambda: user.find(marker='new-title').elements.pop().value == '')


async def test_add_with_a_description(user: User) -> None:
    me = await signed_in_person(user)
    user.find(marker='new-title').type('Plan trip')
    user.find(marker='new-description').type('Book the train\nand a hotel')
    user.find(kind=ui.button, content='Add').click()
    await eventually(lambda: titles_on_page(user) == ['Plan trip'])
    assert stored_tasks(me)[0].description == 'Book the train\nand a hotel'
    shown = row_parts(user, stored_tasks(me)[0].id)['description']
    assert shown['text'] == 'Book the train\nand a hotel'  # as typed, line break and all


async def test_empty_title_shows_a_message_and_saves_nothing(user: User) -> None:
    me = await signed_in_person(user)
    user.find(marker='new-title').type('   ').trigger('keydown.enter')
    await eventually(lambda: user.find(marker='new-title').elements.pop().error is not None)
    assert user.find(marker='new-title').elements.pop().error == 'Enter a title for the task.'
    assert stored_tasks(me) == []


async def test_over_long_title_is_refused_with_a_message_and_kept(user: User) -> None:
    me = await signed_in_person(user)
    field = user.find(marker='new-title').elements.pop()
    field.value = 'x' * 201  # the browser's maxlength stops this; a crafted client might not
    user.find(kind=ui.button, content='Add').click()
    await eventually(lambda: field.error is not None)
    assert field.error == 'A title can be at most 200 characters.'
    assert field.value == 'x' * 201  # nothing the person typed is lost
    assert stored_tasks(me) == []


async def test_toggle_completes_and_uncompletes(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Water plants')
    await user.open('/tasks')
    open_completed(user)
    user.find(kind=ui.checkbox, content='Water plants').click()
    await eventually(lambda: stored_tasks(me)[0].completed)
    # The row is rebuilt from the confirmed task: click the new checkbox, not the one replaced.
    await eventually(
        lambda: 'done' in user.find(marker=f'task-{task.id}').elements.pop().props['data-meta']
    )
    assert checkbox(user, 'Water plants').value is True
    user.find(kind=ui.checkbox, content='Water plants').click()
    await eventually(lambda: not stored_tasks(me)[0].completed)
    assert stored_tasks(me)[0].completed_at is None


async def test_a_live_update_rebuilds_only_the_rows_that_changed(user: User) -> None:
    me = await signed_in_person(user)
    for title in ('one', 'two', 'three'):
        make_task(me, title=title)
    await user.open('/tasks')
    open_completed(user)
    await eventually(lambda: titles_on_page(user) == ['three', 'two', 'one'])
    with user:
        before = {box.text: box for box in user.find(kind=ui.checkbox).elements}
    two = next(task for task in stored_tasks(me) if task.title == 'two')
    with session_scope() as s:  # from elsewhere: the API, another tab
        tasks.toggle_task(s, actor_id=me.id, task_id=two.id)
    await eventually(lambda: titles_on_page(user) == ['three', 'one', 'two'])
    with user:
        after = {box.text: box for box in user.find(kind=ui.checkbox).elements}
    assert after['one'] is before['one']
    assert after['three'] is before['three']
    assert after['two'] is not before['two']
    assert after['two'].value is True


async def test_each_row_says_when_it_was_added_done_or_edited(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Dated')
    await user.open('/tasks')
    open_completed(user)
    card = user.find(marker=f'task-{task.id}').elements.pop()
    assert card.props['data-meta'] == 'Added just now'
    assert card.props['title'].startswith('Created ')
    user.find(kind=ui.checkbox, content='Dated').click()
    await eventually(
        lambda: (
            user.find(marker=f'task-{task.id}').elements.pop().props['data-meta']
            == 'Added just now · done just now'
        )
    )


async def test_list_shows_incomplete_first_then_newest(user: User) -> None:
    me = await signed_in_person(user)
    for title in ('first', 'second', 'third'):
        make_task(me, title=title)
    done = make_task(me, title='done early')
    with session_scope() as s:
        tasks.toggle_task(s, actor_id=me.id, task_id=done.id)
    await user.open('/tasks')
    open_completed(user)
    assert titles_on_page(user) == ['third', 'second', 'first', 'done early']


async def test_edit_in_a_dialog(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Old title', description='old words')
    await user.open('/tasks')
    press(user, task.id, 'edit')
    await user.should_see(marker='edit-title', retries=50)
    title = user.find(marker='edit-title').elements.pop()
    title.value = 'New title'
    user.find(marker='edit-description').elements.pop().value = 'new words'
    user.find(marker='edit-save').click()
    await eventually(lambda: stored_tasks(me)[0].title == 'New title')
    assert stored_tasks(me)[0].description == 'new words'
    await user.should_see('New title', retries=50)
    await user.should_not_see('Old title', retries=50)


async def test_edit_to_an_empty_title_keeps_the_dialog_open(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Keep me')
    await user.open('/tasks')
    press(user, task.id, 'edit')
    await user.should_see(marker='edit-title', retries=50)
    title = user.find(marker='edit-title').elements.pop()
    title.value = '  '
    user.find(marker='edit-save').click()
    await eventually(lambda: title.error is not None)
    assert title.error == 'Enter a title for the task.'
    assert stored_tasks(me)[0].title == 'Keep me'


async def test_delete_asks_to_confirm(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Throw away')
    await user.open('/tasks')
    press(user, task.id, 'delete')
    await user.should_see('Delete task?', retries=50)
    user.find(kind=ui.button, content='Cancel').click()
    await user.should_see('Throw away', retries=50)
    assert len(stored_tasks(me)) == 1
    press(user, task.id, 'delete')
    await user.should_see(marker='confirm', retries=50)
    user.find(marker='confirm').click()
    await eventually(lambda: stored_tasks(me) == [])
    await user.should_see('Task deleted', retries=50)
    await user.should_see('No tasks yet', retries=50)
    await user.should_see(marker='undo')
    user.find(marker='undo').click()  # back exactly as it was: same id, list and place
    await eventually(lambda: [t.id for t in stored_tasks(me)] == [task.id])
    assert stored_tasks(me)[0].position == task.position
    await eventually(lambda: titles_on_page(user) == ['Throw away'])


async def test_completed_tasks_sit_in_their_section_and_search_spans_lists(user: User) -> None:
    me = await signed_in_person(user)
    make_task(me, title='Report draft', description='quarterly numbers')
    make_task(me, title='Groceries')
    make_task(me, title='Old report', completed=True)
    work = make_list(me, 'Work')
    task_in(me, 'Report for the board', list_id=work.id)
    await user.open('/tasks')
    open_completed(user)

    def visible() -> list[str]:
        return sorted(e.text for e in user.find(kind=ui.checkbox).elements)

    def open_titles() -> list[str]:
        return titles_in(user, 'completed-section', outside=True)

    assert open_titles() == ['Groceries', 'Report draft']
    assert titles_in(user, 'completed-section') == ['Old report']
    section = user.find(marker='completed-section').elements.pop()
    assert section.text == 'Completed (1)'
    user.find(marker='search').type('REPORT')
    await eventually(lambda: visible() == ['Old report', 'Report draft', 'Report for the board'])
    await user.should_see('Search', retries=50)
    user.find(marker='search').elements.pop().value = 'zebra'
    await user.should_see('No matches', retries=50)


async def test_many_tasks_are_paged(user: User) -> None:
    me = await signed_in_person(user)
    for n in range(30):
        make_task(me, title=f'Task number {n:02d}')
    await user.open('/tasks')
    assert len(user.find(kind=ui.checkbox).elements) == 25
    await user.should_see('1–25 of 30', retries=50)
    pager = user.find(marker='pager').elements.pop()
    pager.value = 2
    await eventually(lambda: len(user.find(kind=ui.checkbox).elements) == 5)
    await user.should_see('26–30 of 30', retries=50)
    await user.should_see('Task number 00', retries=50)


async def test_markup_in_titles_is_text(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='<img src=x onerror=alert(1)>', description='<b>not bold</b>')
    await user.open('/tasks')
    assert checkbox(user, '<img src=x onerror=alert(1)>')
    assert row_parts(user, task.id)['description']['text'] == '<b>not bold</b>'  # shown as text
    # The one HTML element of each row (chips, buttons, description) carries the task's text
    # escaped only.
    for side in user.find(kind=ui.html).elements:
        assert '<img' not in side.content
        assert '<b>' not in side.content


async def test_two_people_never_see_each_other(user: User, create_user: Callable[[], User]) -> None:
    alice = await signed_in_person(user, 'alice@example.com')
    make_task(alice, title='Alice private')
    bob_user = create_user()
    bob = make_user(email='bob@example.com')
    make_task(bob, title='Bob private')
    await open_as(bob_user, bob)
    await user.open('/tasks')
    await user.should_see('Alice private', retries=50)
    await user.should_not_see('Bob private', retries=50)
    await bob_user.open('/tasks')
    await bob_user.should_see('Bob private', retries=50)
    await bob_user.should_not_see('Alice private', retries=50)


async def test_changes_appear_live_in_another_tab_and_not_for_others(
    user: User, create_user: Callable[[], User]
) -> None:
    me = await signed_in_person(user, 'me@example.com')
    second_tab = create_user()
    await open_as(second_tab, me)
    stranger = create_user()
    await open_as(stranger, make_user(email='stranger@example.com'))

    await add_task(user, 'Made in tab one')
    await eventually(lambda: titles_on_page(second_tab) == ['Made in tab one'])

    # A change made outside the page (the API, a script) shows up too.
    make_task(me, title='Made by a script')
    await eventually(lambda: titles_on_page(user) == ['Made by a script', 'Made in tab one'])
    await eventually(lambda: titles_on_page(second_tab) == ['Made by a script', 'Made in tab one'])
    assert titles_on_page(stranger) == []


async def test_a_revoked_session_lands_on_sign_in_at_the_next_action(user: User) -> None:
    me = await signed_in_person(user)
    make_task(me, title='Something')
    await user.open('/tasks')
    with session_scope() as s:
        for row in s.exec(select(AuthSession)).all():
            row.revoked_at = row.created_at
            s.add(row)
    user.find(kind=ui.checkbox, content='Something').click()
    await user.should_see('Your session has ended. Please sign in again.', retries=50)
    assert stored_tasks(me)[0].completed is False


async def same_sign_in(tab: User, original: User) -> None:
    """Open /tasks in `tab` as another tab of `original`'s browser: the same sign-in."""
    tab.http_client.cookies.set(SESSION_COOKIE, original.http_client.cookies.get(SESSION_COOKIE))
    await tab.open('/tasks')


def problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f'{r.levelname} {r.name}: {r.getMessage()}'
        for r in caplog.get_records('call')
        if r.levelno >= logging.WARNING or r.exc_info
    ]


async def test_a_full_flow_with_sign_out_beside_other_tabs_logs_no_problem(
    user: User, create_user: Callable[[], User], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    me = await signed_in_person(user)
    second_tab = create_user()
    await same_sign_in(second_tab, user)
    other_device = create_user()  # the same person signed in elsewhere: stays signed in
    await open_as(other_device, me)
    route_navigation(user, second_tab, other_device)
    open_completed(other_device)

    await add_task(user, 'Buy milk')
    await eventually(lambda: titles_on_page(second_tab) == titles_on_page(user) == ['Buy milk'])
    user.find(kind=ui.checkbox, content='Buy milk').click()
    await eventually(lambda: checkbox(other_device, 'Buy milk').value is True)
    await follow(user, 'completed')
    await eventually(lambda: on_path(user, '/tasks/completed'))
    await eventually(lambda: titles_on_page(user) == ['Buy milk'])
    user.find(marker='search').type('milk')

    user.find(kind=ui.button, content='Sign out').click()
    await eventually(lambda: on_path(user, '/login') and on_path(second_tab, '/login'))
    # Changes right after a sign-out reach every page that was open, including those that left.
    make_task(me, title='From the other device')
    await eventually(lambda: 'From the other device' in titles_on_page(other_device))
    assert on_path(other_device, '/tasks')
    assert problems(caplog) == []


async def test_after_a_gap_in_announcements_an_ended_sign_in_leaves_at_the_next_reload(
    user: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    me = await signed_in_person(user)
    make_task(me, title='Something')
    await user.open('/tasks')
    route_navigation(user)
    # Revoked while the cross-instance channel was down: its announcement never arrived here.
    with session_scope() as s:
        for row in s.exec(select(AuthSession)).all():
            row.revoked_at = row.created_at
            s.add(row)
    auth.clear_session_cache()
    task_changes.deliver_all()  # what the channel does once it is back
    await eventually(lambda: on_path(user, '/login'))
    await user.should_see('Your session has ended. Please sign in again.', retries=50)
    assert problems(caplog) == []


async def test_search_and_page_come_from_the_address(user: User) -> None:
    me = await signed_in_person(user)
    for n in range(30):
        make_task(me, title=f'milk run {n:02d}')
    make_task(me, title='bread')
    await user.open('/tasks?q=milk&page=2')
    await user.should_see('26–30 of 30', retries=50)
    assert user.find(marker='search').elements.pop().value == 'milk'
    assert user.find(marker='pager').elements.pop().value == 2


@pytest.mark.parametrize(
    ('query', 'q'),
    [
        ('status=bogus&page=abc', ''),
        ('page=0', ''),
        ('page=-3', ''),
        ('page=' + '9' * 5000, ''),
        ('page=%EF%BC%92', ''),  # a full-width digit
        ('q=' + 'x' * 500, 'x' * 200),
        ('q=nul%00byte', ''),
        ('q=a&q=b', 'b'),  # the last one, as Starlette reads
        ('q=%ZZ', '%ZZ'),
    ],
)
async def test_a_bad_address_falls_back_to_defaults(user: User, query: str, q: str) -> None:
    await signed_in_person(user)
    await user.open(f'/tasks?{query}')
    await user.should_see(marker='search', retries=50)
    assert user.find(marker='search').elements.pop().value == q
    await user.should_not_see(marker='pager', retries=50)


async def test_a_page_past_the_end_shows_the_last_and_says_so_in_the_address(user: User) -> None:
    me = await signed_in_person(user)
    for n in range(30):
        make_task(me, title=f'Task {n:02d}')
    router = route_navigation(user)
    await user.open('/tasks?page=7')
    await user.should_see('26–30 of 30', retries=50)
    assert router.addresses_of(user) == [('replace', '/tasks?page=2')]


async def test_page_changes_are_steps_back_and_search_replaces(user: User) -> None:
    me = await signed_in_person(user)
    for n in range(30):
        make_task(me, title=f'Task {n:02d}')
    router = route_navigation(user)
    await user.open('/tasks/completed')  # every view keeps its own path in the address
    await user.open('/tasks')
    user.find(marker='pager').elements.pop().value = 2
    await eventually(lambda: router.addresses_of(user) == [('push', '/tasks?page=2')])
    user.find(marker='search').elements.pop().value = 'Task 0 & "1"'
    await eventually(
        lambda: router.addresses_of(user)[-1] == ('replace', '/tasks?q=Task+0+%26+%221%22')
    )


async def test_back_shows_what_the_address_names(user: User) -> None:
    me = await signed_in_person(user)
    make_task(me, title='open one')
    make_task(me, title='other one')
    route_navigation(user)
    user.find(marker='search').type('other')
    await eventually(lambda: titles_on_page(user) == ['other one'])
    # Back: the browser restores the previous address and tells the page (popstate).
    user.find(marker='browser-state').trigger('tlurl', '?q=open')
    await eventually(lambda: titles_on_page(user) == ['open one'])
    assert user.find(marker='search').elements.pop().value == 'open'
    user.find(marker='browser-state').trigger('tlurl', '')
    await eventually(lambda: titles_on_page(user) == ['other one', 'open one'])
