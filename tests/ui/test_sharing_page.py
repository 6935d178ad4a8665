"""Shared lists in the UI: sharing by email in the Share dialog, what an editor and a viewer
see, live changes for every member, assignment, Assigned to me, and leaving."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ElementFilter
from nicegui.testing import User

from app.db import session_scope
from app.models import TaskRead, UserRead
from services import sharing, tasks
from tests.factories import make_user
from tests.ui.helpers import (
    checkbox,
    eventually,
    hidden,
    in_sidebar,
    make_list,
    on_path,
    open_as,
    open_list_menu,
    press,
    row_parts,
    share,
    sidebar_parts,
    signed_in_person,
    task_in,
    titles_on_page,
)


def open_tasks(owner: UserRead, list_id: int) -> list[TaskRead]:
    with session_scope() as session:
        return tasks.list_tasks(
            session, actor_id=owner.id, list_id=list_id, status='active', limit=100
        ).items


def members_of(owner_id: object, list_id: int) -> list[tuple[str, str]]:
    with session_scope() as session:
        return [
            (m.email, m.role) for m in sharing.members(session, actor_id=owner_id, list_id=list_id)
        ]


async def test_the_owner_shares_from_the_list_menu_and_changes_and_stops_it(user: User) -> None:
    me = await signed_in_person(user)
    team = make_list(me, 'Team')
    make_user(email='ann.lee@example.com')
    await user.open(f'/lists/{team.id}')
    open_list_menu(user, team.id)
    user.find(marker=f'share-list-{team.id}').click()
    await user.should_see(marker='share-email')
    user.find(marker='share-email').type('nobody@example.com')
    user.find(marker='share-add').click()
    await user.should_see('nobody with this email has an account here')
    user.find(marker='share-email').elements.pop().value = 'Ann.Lee@example.com'
    with user:
        next(iter(ElementFilter(marker='share-role'))).value = 'viewer'
    user.find(marker='share-add').click()
    await eventually(
        lambda: (
            members_of(me.id, team.id)
            == [('me@example.com', 'owner'), ('ann.lee@example.com', 'viewer')]
        )
    )
    await user.should_see(marker='member-ann.lee@example.com')
    # The sidebar shows who has it, by their initials.
    await eventually(lambda: sidebar_parts(user, f'list-{team.id}')['members']['text'] == 'ME AL')
    with user:
        next(iter(ElementFilter(marker='member-role-ann.lee@example.com'))).value = 'editor'
    await eventually(lambda: members_of(me.id, team.id)[1] == ('ann.lee@example.com', 'editor'))
    await user.should_see(marker='member-remove-ann.lee@example.com')
    user.find(marker='member-remove-ann.lee@example.com').click()
    await eventually(lambda: members_of(me.id, team.id) == [('me@example.com', 'owner')])
    await user.should_not_see(marker='member-ann.lee@example.com')


async def test_an_editor_works_in_the_shared_list_and_the_owner_sees_it_live(
    user: User, create_user: Callable[[], User]
) -> None:
    owner = await signed_in_person(user, 'owner@example.com')
    team = make_list(owner, 'Team')
    await user.open(f'/lists/{team.id}')
    editor = make_user(email='ed@example.com')
    share(owner.id, team.id, editor.email, 'editor')
    task = task_in(owner, 'Shared work', list_id=team.id)
    editors_tab = create_user()
    await open_as(editors_tab, editor)
    await eventually(lambda: in_sidebar(editors_tab, f'list-{team.id}'))
    await editors_tab.open(f'/lists/{team.id}')
    await editors_tab.should_see('Shared work')
    with editors_tab:  # the editor can tick it off and add to it
        assert checkbox(editors_tab, 'Shared work').enabled
    editors_tab.find(marker='new-title').type('From the editor')
    editors_tab.find(marker='new-add').click()
    await eventually(lambda: 'From the editor' in titles_on_page(user))
    checkbox(editors_tab, 'Shared work').value = True
    await eventually(lambda: 'Shared work' not in titles_on_page(user))
    assert task.id not in {t.id for t in open_tasks(owner, team.id)}


async def test_a_viewer_reads_but_cannot_change(
    user: User, create_user: Callable[[], User]
) -> None:
    owner = make_user(email='owner@example.com')
    team = make_list(owner, 'Plans')
    task = task_in(owner, 'Read me', list_id=team.id)
    me = await signed_in_person(user, 'viewer@example.com')
    share(owner.id, team.id, me.email, 'viewer')
    await user.open(f'/lists/{team.id}')
    await user.should_see('Read me')
    await user.should_see(marker='view-only')
    assert not checkbox(user, 'Read me').enabled
    assert 'visibility' in user.find(marker=f'side-{task.id}').elements.pop().content
    with user:
        assert hidden(next(iter(ElementFilter(marker='new-title'))))
    press(user, task.id, 'delete')  # a crafted click: refused without a dialog
    await user.should_not_see('Delete task?')
    # The sidebar lists it under Shared with me, without owner actions.
    await user.should_see('Shared with me')
    open_list_menu(user, team.id)
    with user:
        assert not list(ElementFilter(marker=f'rename-list-{team.id}'))
    user.find(marker=f'share-list-{team.id}').click()
    await user.should_see(marker='leave-list')
    user.find(marker='leave-list').click()
    await eventually(lambda: on_path(user, '/tasks'))
    assert members_of(owner.id, team.id) == [('owner@example.com', 'owner')]


async def test_assigning_from_the_row_menu_shows_in_assigned_to_me(user: User) -> None:
    me = await signed_in_person(user, 'me@example.com')
    team = make_list(me, 'Team')
    make_user(email='bo@example.com')
    share(me.id, team.id, 'bo@example.com', 'editor')
    task = task_in(me, 'Do it', list_id=team.id)
    await user.open(f'/lists/{team.id}')
    await user.should_see('Do it')
    press(user, task.id, 'more')
    await user.should_see(marker=f'assign-{task.id}')
    user.find(marker=f'assign-{task.id}').click()
    await user.should_see(marker='assign-to-me@example.com')
    user.find(marker='assign-to-me@example.com').click()
    await eventually(lambda: row_parts(user, task.id).get('assignee', {}).get('text') == 'ME')
    await user.open('/tasks/assigned')
    await user.should_see('Assigned to me')
    await eventually(lambda: titles_on_page(user) == ['Do it'])


async def test_a_member_removed_by_the_owner_leaves_the_list_at_once(
    user: User, create_user: Callable[[], User]
) -> None:
    owner = make_user(email='owner@example.com')
    team = make_list(owner, 'Team')
    me = await signed_in_person(user, 'member@example.com')
    share(owner.id, team.id, me.email, 'editor')
    await user.open(f'/lists/{team.id}')
    await user.should_see(marker='view-title')
    with session_scope() as session:
        sharing.remove_member(session, actor_id=owner.id, list_id=team.id, user_id=me.id)
    await eventually(lambda: on_path(user, '/tasks'))
    await eventually(lambda: not in_sidebar(user, f'list-{team.id}'))
