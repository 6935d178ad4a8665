"""The task components on a small page of their own, with the simulated User.

Each test defines its page after the app has started (the simulation resets NiceGUI's pages)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from nicegui import ElementFilter, ui
from nicegui.testing import User

from app.models import TaskRead
from components.task_list import NewTaskForm, TaskRows
from components.undo import undo_notice
from tests.ui.helpers import eventually, press, row_parts

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def task(task_id: int, title: str, **fields: Any) -> TaskRead:
    values: dict[str, Any] = {
        'id': task_id,
        'list_id': 1,
        'title': title,
        'description': '',
        'completed': False,
        'created_at': NOW,
        'updated_at': NOW,
        'completed_at': None,
        'version': 1,
        'position': float(task_id),
        **fields,
    }
    return TaskRead(**values)


class Calls:
    """What the rows asked the page to do, in order."""

    def __init__(self) -> None:
        self.made: list[tuple[Any, ...]] = []

    def handler(self, name: str) -> Callable[..., Awaitable[None]]:
        async def record(*args: Any) -> None:
            self.made.append((name, *args))

        return record


async def rows_page(
    user: User,
    items: list[TaskRead],
    *,
    movable: bool = True,
    lists: dict[int, tuple[str, str]] | None = None,
) -> tuple[TaskRows, Calls]:
    calls = Calls()
    made: dict[str, TaskRows] = {}

    @ui.page('/rows')
    def page() -> None:
        rows = TaskRows(
            calls.handler('complete'),
            calls.handler('edit'),
            calls.handler('delete'),
            on_move=calls.handler('move') if movable else None,
            on_move_to_list=calls.handler('to_list') if movable else None,
        )
        rows.show(items, today=TODAY, lists=lists)
        made['rows'] = rows

    await user.open('/rows')
    return made['rows'], calls


def element(user: User, marker: str) -> Any:
    found = user.find(marker=marker).elements
    assert len(found) == 1, f'expected one element marked {marker!r}, found {len(found)}'
    return next(iter(found))


def marked(user: User, marker: str) -> bool:
    with user:
        return any(True for _ in ElementFilter(marker=marker))


async def test_a_row_shows_due_day_priority_and_list(user: User) -> None:
    items = [
        task(1, 'Late', due_date=TODAY - timedelta(days=2), priority=3),
        task(2, 'Now', due_date=TODAY, due_time=time(14, 30), priority=1, list_id=7),
        task(3, 'Plain'),
    ]
    await rows_page(user, items, lists={1: ('Inbox', 'grey'), 7: ('Home', 'green')})
    late, now, plain = row_parts(user, 1), row_parts(user, 2), row_parts(user, 3)
    assert (late['due']['text'], now['due']['text']) == ('2 days ago', 'Today 14:30')
    assert 'text-negative' in late['due']['class']
    assert 'text-positive' in now['due']['class']
    assert late['priority']['aria-label'] == 'Priority: high'
    assert 'text-negative' in late['priority']['class']
    assert 'text-info' in now['priority']['class']
    assert set(plain) == {'list'}  # no due chip, no flag
    assert now['list']['text'] == 'Home'
    assert 'tl-dot-green' in now['list']['class']


async def test_row_text_is_escaped_in_its_html(user: User) -> None:
    await rows_page(user, [task(1, 'A', list_id=7)], lists={7: ('<b>x</b> & "y"', 'green')})
    assert row_parts(user, 1)['list']['text'] == '<b>x</b> & "y"'
    side = element(user, 'side-1').content
    assert '<b>' not in side
    assert '&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;' in side


async def test_buttons_act_on_the_task_as_it_is_now(user: User) -> None:
    rows, calls = await rows_page(user, [task(1, 'One')])
    card = element(user, 'task-1')
    with user:
        rows.show([task(1, 'One', version=2, position=0.5)], today=TODAY)
    assert element(user, 'task-1') is card  # same look: the row (and its focus) stays
    press(user, 1, 'edit')
    press(user, 1, 'delete')
    await eventually(lambda: len(calls.made) == 2)
    assert [(name, t.version) for name, t in calls.made] == [('edit', 2), ('delete', 2)]
    with user:
        rows.show([task(1, 'One renamed', version=3)], today=TODAY)
    assert element(user, 'task-1') is not card
    await user.should_see('One renamed')


async def test_move_up_from_the_menu_moves_the_row_and_tells_the_page(user: User) -> None:
    items = [task(1, 'First'), task(2, 'Second'), task(3, 'Third')]
    rows, calls = await rows_page(user, items)
    press(user, 1, 'more')
    assert not element(user, 'move-up-1').enabled  # the top row cannot go higher
    press(user, 3, 'more')
    assert not marked(user, 'move-up-1')  # one menu at a time, built when opened
    user.find(marker='move-up-3').click()
    await eventually(lambda: len(calls.made) == 1)
    name, moved, before_id, after_id = calls.made[0]
    assert (name, moved.id, before_id, after_id) == ('move', 3, 2, None)
    assert rows.order() == [1, 3, 2]  # shown at once, before the page reloads


async def test_move_down_and_move_to_list_from_the_menu(user: User) -> None:
    items = [task(1, 'First'), task(2, 'Second')]
    rows, calls = await rows_page(user, items)
    press(user, 2, 'more')
    assert not element(user, 'move-down-2').enabled  # the bottom row cannot go lower
    press(user, 1, 'more')
    user.find(marker='move-down-1').click()
    await eventually(lambda: len(calls.made) == 1)
    assert calls.made[0][0] == 'move'
    assert calls.made[0][2:] == (None, 2)
    assert rows.order() == [2, 1]
    press(user, 1, 'more')
    user.find(marker='move-to-list-1').click()
    await eventually(lambda: len(calls.made) == 2)
    assert calls.made[1][0] == 'to_list'
    assert calls.made[1][1].id == 1


async def test_alt_arrow_on_a_row_moves_it(user: User) -> None:
    rows, calls = await rows_page(user, [task(1, 'A'), task(2, 'B'), task(3, 'C')])
    user.find(marker='task-rows').trigger('keydown', {'id': 1, 'up': False})
    await eventually(lambda: len(calls.made) == 1)
    assert calls.made[0][2:] == (None, 2)
    assert rows.order() == [2, 1, 3]
    user.find(marker='task-rows').trigger('keydown', {'id': 2, 'up': True})  # already on top
    user.find(marker='task-rows').trigger('keydown', {'id': 3, 'up': True})
    await eventually(lambda: len(calls.made) == 2)
    assert calls.made[1][2:] == (1, None)
    assert rows.order() == [2, 3, 1]


async def test_a_drop_places_the_row_before_or_after_the_one_under_the_pointer(
    user: User,
) -> None:
    rows, calls = await rows_page(user, [task(1, 'A'), task(2, 'B'), task(3, 'C')])
    container = user.find(marker='task-rows')
    container.trigger('drop', {'id': 1, 'target': 3, 'after': True})
    await eventually(lambda: len(calls.made) == 1)
    assert calls.made[0][2:] == (None, 3)
    assert rows.order() == [2, 3, 1]
    container.trigger('drop', {'id': 1, 'target': 2, 'after': False})
    await eventually(lambda: len(calls.made) == 2)
    assert calls.made[1][2:] == (2, None)
    assert rows.order() == [1, 2, 3]


async def test_a_drop_that_changes_nothing_or_names_strangers_is_ignored(user: User) -> None:
    rows, calls = await rows_page(user, [task(1, 'A'), task(2, 'B')])
    container = user.find(marker='task-rows')
    for args in (
        {'id': 1, 'target': 1, 'after': True},  # onto itself
        {'id': 1, 'target': 2, 'after': False},  # already just before it
        {'id': 99, 'target': 2, 'after': True},  # not a row here
        {'id': 1, 'target': 98, 'after': True},
        {'id': '1', 'target': 2, 'after': True},  # not what the page's script sends
        {'id': True, 'target': 2, 'after': True},
        {'id': 1, 'target': 2, 'after': 'yes'},
        ['1', '2'],
    ):
        container.trigger('drop', args)
    press(user, 1, 'edit')  # runs after anything the drops started
    await eventually(lambda: len(calls.made) == 1)
    assert calls.made[0][0] == 'edit'
    assert rows.order() == [1, 2]


async def test_rows_of_a_view_without_an_own_order_do_not_move(user: User) -> None:
    _, calls = await rows_page(user, [task(1, 'A'), task(2, 'B')], movable=False)
    card = element(user, 'task-1')
    assert 'draggable' not in card.props
    rows_container = element(user, 'task-rows')
    assert {listener.type for listener in rows_container._event_listeners.values()} == {'click'}
    # Its menu (the only actions on a phone) has Edit and Delete, and nothing that moves.
    press(user, 1, 'more')
    await user.should_see(marker='menu-edit-1', retries=50)
    await user.should_see(marker='menu-delete-1')
    await user.should_not_see(marker='move-up-1')
    await user.should_not_see(marker='move-to-list-1')
    user.find(marker='menu-delete-1').click()
    await eventually(lambda: [call[0] for call in calls.made] == ['delete'])


async def test_movable_rows_carry_their_id_for_the_sidebar(user: User) -> None:
    await rows_page(user, [task(1, 'A')])
    card = element(user, 'task-1')
    assert card.props['draggable'] == 'true'
    assert card.props['data-task'] == '1'
    types = {listener.type for listener in element(user, 'task-rows')._event_listeners.values()}
    assert types == {'click', 'dragstart', 'dragend', 'dragover', 'dragleave', 'drop', 'keydown'}


async def test_tick_moves_relative_times_on_without_rebuilding(user: User) -> None:
    due_at = NOW + timedelta(hours=3)
    rows, _ = await rows_page(
        user,
        [task(1, 'A', due_date=TODAY, due_time=time(15, 0), due_at=due_at)],
    )
    card = element(user, 'task-1')
    with user:
        rows.tick(NOW + timedelta(minutes=10))
    assert card.props['data-meta'] == 'Added 10 min ago'
    assert row_parts(user, 1)['due']['title'].endswith('(in 3 h)')
    with user:
        rows.tick(due_at + timedelta(minutes=1))  # its time passed: overdue now
    assert 'text-negative' in row_parts(user, 1)['due']['class']
    assert element(user, 'task-1') is card


async def test_the_form_sends_due_date_time_and_priority_then_resets(user: User) -> None:
    added: list[tuple[Any, ...]] = []

    async def add(*args: Any) -> str | None:
        added.append(args)
        return None

    @ui.page('/form')
    def page() -> None:
        NewTaskForm(add, today=lambda: TODAY)

    await user.open('/form')
    user.find(marker='new-title').type('Pay rent')
    user.find(marker='new-due-button').click()  # its menu is built when opened
    user.find(marker='new-due-tomorrow').click()
    await eventually(lambda: element(user, 'new-due-button').text == 'Tomorrow')
    user.find(marker='new-time').type('09:30')
    await eventually(lambda: element(user, 'new-due-button').text == 'Tomorrow 09:30')
    element(user, 'new-priority').value = 3
    user.find(marker='new-add').click()
    await eventually(lambda: len(added) == 1)
    assert added[0] == ('Pay rent', '', TODAY + timedelta(days=1), time(9, 30), 3)
    await eventually(lambda: element(user, 'new-title').value == '')
    assert element(user, 'new-due').value is None
    assert element(user, 'new-time').value == ''
    assert element(user, 'new-priority').value == 0
    assert element(user, 'new-due-button').text == 'Due date'


async def test_a_time_alone_means_today_and_next_week_is_monday(user: User) -> None:
    added: list[tuple[Any, ...]] = []

    async def add(*args: Any) -> str | None:
        added.append(args)
        return None

    @ui.page('/form')
    def page() -> None:
        NewTaskForm(add, today=lambda: TODAY, default_due=TODAY)

    await user.open('/form')
    assert element(user, 'new-due-button').text == 'Today'
    user.find(marker='new-due-button').click()  # its menu is built when opened
    user.find(marker='new-due-none').click()
    user.find(marker='new-time').type('18:00')
    await eventually(lambda: element(user, 'new-due').value == TODAY.isoformat())
    user.find(marker='new-title').type('Call mum')
    user.find(marker='new-add').click()
    await eventually(lambda: len(added) == 1)
    assert added[0][2:4] == (TODAY, time(18, 0))
    await eventually(lambda: element(user, 'new-due-button').text == 'Today')  # the default
    user.find(marker='new-due-next-week').click()
    assert element(user, 'new-due').value == '2026-11-30'  # the coming Monday


async def test_a_garbled_time_is_refused_on_the_field(user: User) -> None:
    added: list[tuple[Any, ...]] = []

    async def add(*args: Any) -> str | None:
        added.append(args)
        return None

    @ui.page('/form')
    def page() -> None:
        NewTaskForm(add, today=lambda: TODAY)

    await user.open('/form')
    user.find(marker='new-title').type('Odd')
    user.find(marker='new-due-button').click()  # its menu is built when opened
    element(user, 'new-time').value = '25:99'  # a crafted client; the browser's picker cannot
    user.find(marker='new-add').click()
    await eventually(lambda: element(user, 'new-time').error is not None)
    assert added == []


async def test_undo_runs_once_and_the_notice_goes(user: User) -> None:
    undone: list[str] = []

    async def undo() -> None:
        undone.append('undone')

    @ui.page('/undo')
    def page() -> None:
        ui.button('Act', on_click=lambda: undo_notice('Task deleted', undo)).mark('act')

    await user.open('/undo')
    user.find(marker='act').click()
    await user.should_see('Task deleted')
    await user.should_see(marker='undo')
    user.find(marker='undo').click()
    await eventually(lambda: undone == ['undone'])
    await user.should_not_see(marker='undo')


async def test_a_newer_notice_replaces_the_older_and_each_goes_by_itself(user: User) -> None:
    undone: list[str] = []

    def act(name: str) -> None:
        async def undo() -> None:
            undone.append(name)

        undo_notice(f'{name} done', undo, seconds=0.3)

    @ui.page('/undo')
    def page() -> None:
        ui.button('One', on_click=lambda: act('one')).mark('one')
        ui.button('Two', on_click=lambda: act('two')).mark('two')

    await user.open('/undo')
    user.find(marker='one').click()
    user.find(marker='two').click()
    await user.should_see('two done')
    await user.should_not_see('one done')
    assert len(user.find(marker='undo').elements) == 1
    await eventually(lambda: not marked(user, 'undo-notice'))  # gone by itself
    assert undone == []
