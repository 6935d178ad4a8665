"""Lists: the sidebar, making and changing lists, a list's own order, moves and Undo."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ElementFilter, ui
from nicegui.testing import User

from app.db import session_scope
from services import lists, tasks
from tests.factories import make_task, make_user
from tests.ui.helpers import (
    drop_on_list,
    eventually,
    in_sidebar,
    inbox_of,
    make_list,
    on_path,
    open_as,
    open_completed,
    open_list_menu,
    press,
    route_navigation,
    sidebar,
    sidebar_count,
    sidebar_parts,
    signed_in_person,
    stored_lists,
    stored_tasks,
    task_in,
    titles_in,
    titles_on_page,
)


def text_of(user: User, marker: str) -> str:
    with user:
        return user.find(marker=marker).elements.pop().text


def in_list(owner_tasks: list, list_id: int) -> list[str]:
    return [t.title for t in sorted(owner_tasks, key=lambda t: t.position) if t.list_id == list_id]


async def test_the_sidebar_shows_views_and_lists_with_their_counts(user: User) -> None:
    me = await signed_in_person(user)
    work = make_list(me, 'Work', 'teal')
    home = make_list(me, 'Home', 'pink')
    make_task(me, title='in the inbox')
    task_in(me, 'report', list_id=work.id)
    task_in(me, 'done report', list_id=work.id, completed=True)
    await user.open('/tasks')
    await user.should_see(marker='new-list', retries=50)
    assert list(sidebar(user)) == [
        'inbox',
        'today',
        'upcoming',
        f'list-{work.id}',
        f'list-{home.id}',
        'completed',
    ]
    assert sidebar_count(user, f'list-{work.id}') == '1'  # open tasks only
    assert sidebar_count(user, 'inbox') == '1'
    assert sidebar_count(user, 'completed') == '1'
    link = sidebar(user)[f'list-{work.id}']
    assert link['href'] == f'/lists/{work.id}'
    assert link['text'] == 'Work1 open'  # its name: "Work 1 open" (the number is a box of its own)
    assert link['menu']['aria-label'] == 'Options for Work'
    assert (
        sidebar_parts(user, f'list-{work.id}')['spoken']['text'] == ' open'
    )  # read as "Work 1 open"
    assert sidebar_parts(user, 'completed')['spoken']['text'] == ' done'
    assert sidebar(user)['inbox']['aria-current'] == 'page'
    assert 'aria-current' not in sidebar(user)[f'list-{work.id}']
    await user.should_not_see(marker='view-colour', retries=50)  # the Inbox has no dot
    menu = user.find(marker='menu').elements.pop()
    assert menu.props['aria-label'] == 'Menu'


async def test_a_new_list_is_made_in_a_dialog_and_opened(user: User) -> None:
    me = await signed_in_person(user)
    route_navigation(user)
    user.find(marker='new-list').click()
    await user.should_see(marker='list-name', retries=50)
    user.find(marker='list-save').click()  # no name yet
    await eventually(lambda: user.find(marker='list-name').elements.pop().error is not None)
    assert user.find(marker='list-name').elements.pop().error == 'Enter a name for the list.'
    assert stored_lists(me) == [('Inbox', 'grey')]
    user.find(marker='list-name').type('  Groceries  ')
    user.find(marker='list-colour-teal').click()
    user.find(marker='list-save').click()
    await eventually(lambda: stored_lists(me) == [('Inbox', 'grey'), ('Groceries', 'teal')])
    with session_scope() as s:
        made = lists.list_lists(s, actor_id=me.id)[1]
    await eventually(lambda: on_path(user, '/lists/{list_id}'))
    await eventually(lambda: text_of(user, 'view-title') == 'Groceries')
    dot = user.find(marker='view-colour').elements.pop()
    assert dot.visible
    assert 'text-teal' in dot.classes
    # A task added here goes into this list, on top.
    user.find(marker='new-title').type('Apples').trigger('keydown.enter')
    await eventually(lambda: in_list(stored_tasks(me), made.id) == ['Apples'])
    await eventually(lambda: titles_on_page(user) == ['Apples'])


async def test_a_refused_list_name_keeps_the_dialog_and_says_why(user: User) -> None:
    me = await signed_in_person(user)
    user.find(marker='new-list').click()
    await user.should_see(marker='list-name', retries=50)
    user.find(marker='list-name').elements.pop().value = (
        'x' * 101
    )  # past maxlength: a crafted client
    user.find(marker='list-save').click()
    await eventually(lambda: user.find(marker='list-name').elements.pop().error is not None)
    assert user.find(marker='list-name').elements.pop().error == (
        'A name can be at most 100 characters.'
    )
    assert stored_lists(me) == [('Inbox', 'grey')]


async def test_rename_recolour_and_reorder_from_the_list_menu(user: User) -> None:
    me = await signed_in_person(user)
    first = make_list(me, 'First')
    second = make_list(me, 'Second')
    await user.open('/tasks')
    open_list_menu(user, first.id)
    user.find(marker=f'rename-list-{first.id}').click()
    await user.should_see(marker='list-name', retries=50)
    user.find(marker='list-name').elements.pop().value = 'Renamed'
    user.find(marker='list-save').click()
    await eventually(lambda: stored_lists(me)[1] == ('Renamed', 'grey'))
    await eventually(lambda: sidebar(user)[f'list-{first.id}']['text'] == 'Renamed')

    open_list_menu(user, second.id)
    user.find(marker=f'colour-list-{second.id}').click()
    await user.should_see(marker='list-colour-purple', retries=50)
    user.find(marker='list-colour-purple').click()
    user.find(marker='list-save').click()
    await eventually(lambda: stored_lists(me)[2] == ('Second', 'purple'))

    # The menu is built when opened (the sidebar stays cheap), so it says what it can do now.
    await eventually(lambda: 'menu' in sidebar(user).get(f'list-{second.id}', {}))
    open_list_menu(user, second.id)
    with user:  # the last list cannot go lower
        assert not list(ElementFilter(marker=f'move-list-down-{second.id}'))
    user.find(marker=f'move-list-up-{second.id}').click()
    await eventually(lambda: [n for n, _ in stored_lists(me)] == ['Inbox', 'Second', 'Renamed'])

    def menu_offers_move_down() -> bool:  # once the sidebar has followed the move
        open_list_menu(user, second.id)
        with user:
            return bool(list(ElementFilter(marker=f'move-list-down-{second.id}')))

    await eventually(menu_offers_move_down)
    user.find(marker=f'move-list-down-{second.id}').click()
    await eventually(lambda: [n for n, _ in stored_lists(me)] == ['Inbox', 'Renamed', 'Second'])


async def test_deleting_a_list_with_tasks_asks_what_to_do_with_them(user: User) -> None:
    me = await signed_in_person(user)
    keep = make_list(me, 'Keep tasks')
    drop = make_list(me, 'Drop tasks')
    task_in(me, 'moved along', list_id=keep.id)
    task_in(me, 'gone with it', list_id=drop.id)
    route_navigation(user)
    await user.open(f'/lists/{keep.id}')

    open_list_menu(user, drop.id)
    user.find(marker=f'delete-list-{drop.id}').click()
    await user.should_see('“Drop tasks” has 1 task. What should happen to them?', retries=50)
    user.find(kind=ui.button, content='Cancel').click()
    await user.should_not_see(marker='delete-tasks', retries=50)
    assert len(stored_lists(me)) == 3
    open_list_menu(user, drop.id)
    user.find(marker=f'delete-list-{drop.id}').click()
    await user.should_see(marker='delete-tasks', retries=50)
    user.find(marker='delete-tasks').click()
    await eventually(lambda: [t.title for t in stored_tasks(me)] == ['moved along'])
    assert [n for n, _ in stored_lists(me)] == ['Inbox', 'Keep tasks']

    # Deleting the list on screen moves its tasks to the Inbox and goes there.
    open_list_menu(user, keep.id)
    user.find(marker=f'delete-list-{keep.id}').click()
    await user.should_see(marker='move-to-inbox', retries=50)
    user.find(marker='move-to-inbox').click()
    await eventually(lambda: on_path(user, '/tasks'))
    await eventually(lambda: titles_on_page(user) == ['moved along'])
    assert [t.list_id for t in stored_tasks(me)] == [inbox_of(me)]


async def test_someone_elses_or_a_missing_list_is_not_found(user: User) -> None:
    me = await signed_in_person(user)
    other = make_user(email='other@example.com')
    with session_scope() as s:
        theirs = lists.create_list(s, actor_id=other.id, name='Secret plans')
        tasks.create_task(s, actor_id=other.id, title='Secret task', list_id=theirs.id)
    for address in (f'/lists/{theirs.id}', '/lists/999999', '/lists/abc', '/lists/99999999999'):
        await user.open(address)
        await user.should_see('List not found', retries=50)
        await user.should_see(marker='back-to-inbox', retries=50)
        await eventually(lambda: in_sidebar(user, 'inbox'))
        await user.should_not_see('Secret', retries=50)
    # The page stays put while changes elsewhere move the sidebar on.
    me_list = make_list(me, 'Arrived meanwhile')
    await eventually(lambda: in_sidebar(user, f'list-{me_list.id}'))
    await user.should_see('List not found', retries=50)


async def test_the_sort_choice_is_kept_on_the_list(user: User) -> None:
    me = await signed_in_person(user)
    work = make_list(me, 'Work')
    task_in(me, 'low', list_id=work.id, priority=1)
    task_in(me, 'high', list_id=work.id, priority=3)
    task_in(me, 'none', list_id=work.id)
    await user.open(f'/lists/{work.id}')
    assert titles_on_page(user) == ['none', 'high', 'low']  # my order: newest on top
    user.find(marker='sort').elements.pop().value = 'priority'
    await eventually(lambda: titles_on_page(user) == ['high', 'low', 'none'])
    with session_scope() as s:
        assert lists.get_list(s, actor_id=me.id, list_id=work.id).sort == 'priority'
    await user.open(f'/lists/{work.id}')  # a reload keeps it
    assert titles_on_page(user) == ['high', 'low', 'none']
    assert user.find(marker='sort').elements.pop().value == 'priority'
    # Only my own order can be rearranged by hand.
    row = user.find(marker=f'task-{stored_tasks(me)[0].id}').elements.pop()
    assert 'aria-keyshortcuts' not in row.props


async def test_a_row_dropped_on_a_list_moves_there_and_undo_puts_it_back(user: User) -> None:
    me = await signed_in_person(user)
    work = make_list(me, 'Work')
    below = make_task(me, title='stays')
    task = make_task(me, title='travels')
    await user.open('/tasks')
    assert titles_on_page(user) == ['travels', 'stays']
    drop_on_list(user, work.id, task.id)
    await eventually(lambda: in_list(stored_tasks(me), work.id) == ['travels'])
    await eventually(lambda: titles_on_page(user) == ['stays'])
    await user.should_see('Moved to Work', retries=50)
    await user.should_see(marker='undo')
    user.find(marker='undo').click()
    await eventually(lambda: in_list(stored_tasks(me), inbox_of(me)) == ['travels', 'stays'])
    moved_back = next(t for t in stored_tasks(me) if t.id == task.id)
    assert moved_back.position == task.position
    await eventually(lambda: titles_on_page(user) == ['travels', 'stays'])
    # Junk from the browser is ignored.
    for junk in ('12', None, -4, True, 2**40):
        drop_on_list(user, work.id, junk)
    for list_id in (inbox_of(me) + 1000, 0, -1):  # nothing shown here
        user.find(marker='sidebar').trigger('drop', {'task': task.id, 'list': list_id})
    await eventually(lambda: in_list(stored_tasks(me), inbox_of(me)) == ['travels', 'stays'])
    assert below.list_id == inbox_of(me)


async def test_move_to_list_from_the_row_menu(user: User) -> None:
    me = await signed_in_person(user)
    home = make_list(me, 'Home', 'green')
    task = make_task(me, title='Fix the tap')
    await user.open('/tasks')
    press(user, task.id, 'more')
    await user.should_see(marker=f'move-to-list-{task.id}', retries=50)
    user.find(marker=f'move-to-list-{task.id}').click()
    await user.should_see(marker=f'pick-list-{home.id}', retries=50)
    user.find(marker=f'pick-list-{home.id}').click()
    await eventually(lambda: in_list(stored_tasks(me), home.id) == ['Fix the tap'])
    await user.should_see('Moved to Home', retries=50)
    await eventually(lambda: titles_on_page(user) == [])
    assert sidebar_count(user, f'list-{home.id}') == '1'


async def test_move_up_and_down_keep_my_order_and_undo(user: User) -> None:
    me = await signed_in_person(user)
    for title in ('c', 'b', 'a'):
        make_task(me, title=title)
    await user.open('/tasks')
    assert titles_on_page(user) == ['a', 'b', 'c']
    b = next(t for t in stored_tasks(me) if t.title == 'b')
    press(user, b.id, 'more')
    await user.should_see(marker=f'move-up-{b.id}', retries=50)
    user.find(marker=f'move-up-{b.id}').click()
    await eventually(lambda: in_list(stored_tasks(me), b.list_id) == ['b', 'a', 'c'])
    await eventually(lambda: titles_on_page(user) == ['b', 'a', 'c'])
    await user.should_see(marker='undo')
    user.find(marker='undo').click()
    await eventually(lambda: in_list(stored_tasks(me), b.list_id) == ['a', 'b', 'c'])
    await eventually(lambda: titles_on_page(user) == ['a', 'b', 'c'])


async def test_completing_offers_undo_and_lands_in_the_completed_section(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Water plants')
    await user.open('/tasks')
    open_completed(user)
    user.find(marker=f'toggle-{task.id}').click()
    await eventually(lambda: stored_tasks(me)[0].completed)
    await eventually(lambda: titles_in(user, 'completed-section') == ['Water plants'])
    assert user.find(marker='completed-section').elements.pop().text == 'Completed (1)'
    await user.should_see(marker='undo')
    user.find(marker='undo').click()
    await eventually(lambda: not stored_tasks(me)[0].completed)
    await eventually(lambda: titles_in(user, 'completed-section', outside=True) == ['Water plants'])


async def test_clear_completed_asks_then_offers_undo(user: User) -> None:
    me = await signed_in_person(user)
    make_task(me, title='open')
    done = [make_task(me, title=f'done {n}', completed=True) for n in range(3)]
    await user.open('/tasks')
    open_completed(user)
    user.find(marker='clear-completed').click()
    await user.should_see('Clear completed tasks?', retries=50)
    user.find(marker='confirm').click()
    await eventually(lambda: [t.title for t in stored_tasks(me)] == ['open'])
    await user.should_see('Cleared 3 completed tasks', retries=50)
    await user.should_not_see(marker='completed-section', retries=50)
    await user.should_see(marker='undo')
    user.find(marker='undo').click()
    await eventually(lambda: len(stored_tasks(me)) == 4)
    assert {t.id for t in stored_tasks(me) if t.completed} == {t.id for t in done}
    await eventually(lambda: len(titles_in(user, 'completed-section')) == 3)


async def test_another_tab_sees_new_lists_and_counts_live(
    user: User, create_user: Callable[[], User]
) -> None:
    me = await signed_in_person(user)
    second_tab = create_user()
    await open_as(second_tab, me)
    work = make_list(me, 'Made elsewhere')
    await eventually(lambda: in_sidebar(second_tab, f'list-{work.id}'))
    task_in(me, 'new work', list_id=work.id)
    await eventually(lambda: sidebar_count(second_tab, f'list-{work.id}') == '1')
