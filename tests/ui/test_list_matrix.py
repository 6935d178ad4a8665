"""The isolation matrix through the UI: each part a person can have in a list (its owner, an
editor, a viewer, a stranger) × every action of the list page, on SQLite and on PostgreSQL
(`app_on_both_databases`, tests/ui/conftest.py). The API's matrix is
tests/api/test_sharing_api.py::test_every_route_for_every_role.

- The owner and an editor do every task action: add, complete, edit, delete, move within the
  list and to another, assign, clear completed. Only the owner changes the list itself (rename,
  colour, share, delete): a member's list menu offers none of it.
- A viewer sees the tasks without their controls. An action forced anyway, by the event a
  crafted browser would send or by calling the page's own handler, is refused with a message on
  screen, and nothing changes in the database.
- A stranger gets the "List not found" page a missing id gets, sees nothing of the list, and
  finds none of its tasks by search. The handlers of their own dashboard, called with the
  list's tasks or the list, say "not found" as for ids that do not exist; nothing changes.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from nicegui import ElementFilter, background_tasks, ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from app.db import session_scope
from app.models import ListRead, ListSummary, MemberRead, TaskRead, UserRead
from services import lists, sharing, tasks
from tests.factories import make_user
from tests.ui.helpers import (
    checkbox,
    drop_on_list,
    eventually,
    hidden,
    in_sidebar,
    make_list,
    on_path,
    open_completed,
    open_list_menu,
    press,
    row_parts,
    share,
    signed_in_person,
    task_in,
    titles_on_page,
)

if TYPE_CHECKING:  # main.py imports it: importing the pages first would register them too early
    from pages.dashboard import Dashboard

pytestmark = pytest.mark.usefixtures('app_on_both_databases')

ROLES = ('owner', 'editor', 'viewer', 'stranger')
# What services.access says to a viewer, of a list and of its tasks.
VIEW_LIST = 'You can view this list but not change it.'
VIEW_TASKS = 'You can view the tasks of this list but not change it.'
OWNER_ONLY = 'Only the owner of this list can change that.'
EDITOR_RENAMES = 'Only the owner of this list can rename or recolour it.'
TASK_NOT_FOUND = 'Task not found.'
LIST_NOT_FOUND = 'List not found.'
MISSING = 999_999  # an id nothing has


@dataclass
class Scene:
    """The owner's list "Team", shared with Bo as editor (so it has people to assign to), with
    two open tasks and a completed one, seen by `me` in `role`; `mine` is a list of `me`'s own."""

    role: str
    owner: UserRead
    me: UserRead
    bo: UserRead
    team: ListRead
    mine: ListRead
    first: TaskRead
    second: TaskRead
    done: TaskRead

    @property
    def member(self) -> bool:
        return self.role in ('editor', 'viewer')

    @property
    def changes_tasks(self) -> bool:
        return self.role in ('owner', 'editor')


@pytest.fixture(params=ROLES)
async def scene(request: pytest.FixtureRequest, user: User) -> Scene:
    role: str = request.param
    if role == 'owner':
        owner = me = await signed_in_person(user, 'owner@example.com')
    else:
        owner = make_user(email='owner@example.com')
        me = await signed_in_person(user, 'me@example.com')
    bo = make_user(email='bo@example.com')
    team = make_list(owner, 'Team')
    share(owner.id, team.id, bo.email, 'editor')
    if role in ('editor', 'viewer'):
        share(owner.id, team.id, me.email, role)
    second = task_in(owner, 'Second', list_id=team.id)
    first = task_in(owner, 'First', list_id=team.id)  # new tasks go on top: First, Second
    done = task_in(owner, 'Done before', list_id=team.id, completed=True)
    mine = make_list(me, 'Mine')
    return Scene(role, owner, me, bo, team, mine, first, second, done)


# ------------------------------------------------------------------------------- helpers


def stored(scene: Scene) -> tuple[object, ...]:
    """Everything an action on the list page could change, read as the list's owner."""
    with session_scope() as session:
        return (
            lists.get_list(session, actor_id=scene.owner.id, list_id=scene.team.id),
            tasks.list_tasks(session, actor_id=scene.owner.id, list_id=scene.team.id).items,
            sharing.members(session, actor_id=scene.owner.id, list_id=scene.team.id),
            tasks.list_tasks(session, actor_id=scene.me.id, list_id=scene.mine.id).items,
        )


def task_now(scene: Scene, task: TaskRead) -> TaskRead | None:
    with session_scope() as session:
        found = tasks.list_tasks(session, actor_id=scene.owner.id, limit=100).items
        found += tasks.list_tasks(session, actor_id=scene.me.id, limit=100).items
    return next((t for t in found if t.id == task.id), None)


def open_order(scene: Scene) -> list[str]:
    with session_scope() as session:
        page = tasks.list_tasks(
            session, actor_id=scene.owner.id, list_id=scene.team.id, status='active'
        )
    return [t.title for t in page.items]


def members(scene: Scene) -> list[MemberRead]:
    with session_scope() as session:
        return sharing.members(session, actor_id=scene.owner.id, list_id=scene.team.id)


def page_of(user: User) -> Dashboard:
    """The dashboard object behind the page `user` shows: its handlers, to call them as a
    tampered page would."""
    from pages.dashboard import Dashboard  # main.py has imported it by now

    found = [o for o in gc.get_objects() if isinstance(o, Dashboard) and o.client is user.client]
    assert len(found) == 1, found
    return found[0]


def on_page(user: User, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """Run a handler as the page runs one (in its client's context): for one that opens a
    dialog and waits for it. Await it with `done`."""
    assert user.client is not None
    return background_tasks.create(work, name='forced', context=user.client)


async def done(running: asyncio.Task[None]) -> None:
    """The handler returned (its dialog answered): a failure, not a hang, if it does not."""
    await asyncio.wait_for(running, timeout=30)


def quiet(user: User) -> None:
    """Forget the notifications shown so far (`told` then sees only new ones)."""
    user.notify.messages.clear()


async def told(user: User, message: str) -> None:
    """Exactly `message` was shown in a notification since `quiet(user)`."""
    await eventually(lambda: message in user.notify.messages)


def element(user: User, marker: str) -> ui.element:
    with user:
        return next(iter(ElementFilter(marker=marker)))


def shown_text(user: User, marker: str) -> str:
    found = element(user, marker)
    assert not hidden(found), f'{marker} is not shown'
    return str(getattr(found, 'text', ''))


def click(user: User, marker: str) -> None:
    """Click the newest element marked so: a dialog that closed a moment ago may still be
    there, unanswered by clicks, until its handler deletes it."""
    newest(user, marker=marker).click()


def newest(
    user: User, *, marker: str | None = None, content: str | None = None
) -> UserInteraction[ui.element]:
    found = user.find(kind=ui.element if marker else ui.button, marker=marker, content=content)
    return UserInteraction(user, {max(found.elements, key=lambda e: e.id)}, None)


def set_value(user: User, marker: str, value: object) -> None:
    with user:
        next(iter(ElementFilter(marker=marker))).value = value  # type: ignore[attr-defined]


def cancel(user: User) -> None:
    newest(user, content='Cancel').click()


def fire(user: User, task_id: int, event: str, args: dict[str, object]) -> None:
    """What a browser sends to the rows' container for a task: a drop, Alt+Arrow, a button."""
    card = element(user, f'task-{task_id}')
    assert card.parent_slot is not None
    UserInteraction(user, {card.parent_slot.parent}, None).trigger(event, args)


def actions_of(user: User, task_id: int) -> str:
    """The row's HTML beside its title: its buttons, or its view-only mark."""
    return str(element(user, f'side-{task_id}').content)  # type: ignore[attr-defined]


def entry_of(user: User, scene: Scene) -> ListSummary:
    """The list as this page knows it, or for a stranger as its owner's page does."""
    if scene.member:
        data = page_of(user).data
        assert data is not None
        return next(e for e in data.overview.lists if e.id == scene.team.id)
    with session_scope() as session:
        overview = lists.overview(session, actor_id=scene.owner.id)
    return next(e for e in overview.lists if e.id == scene.team.id)


def missing(task: TaskRead) -> TaskRead:
    return task.model_copy(update={'id': MISSING})


async def open_team(user: User, scene: Scene) -> None:
    """The list's page; a stranger, after seeing it is not found, goes on from their Inbox."""
    await user.open(f'/lists/{scene.team.id}')
    if scene.role == 'stranger':
        await user.should_see(marker='not-found')
        await user.open('/tasks')
        await user.should_see(marker='new-title')
        return
    await user.should_see(marker='view-title')
    await eventually(lambda: titles_on_page(user) == ['First', 'Second'])


def not_found_page(user: User) -> tuple[list[str], str | None]:
    """What the "List not found" page says, and the page's title."""
    with user:
        said = [label.text for label in ElementFilter(kind=ui.label).within(marker='not-found')]
    assert user.client is not None
    return said, user.client.title


# ------------------------------------------------------------------------------- seeing


async def test_who_sees_the_list_and_its_tasks(user: User, scene: Scene) -> None:
    await user.open(f'/lists/{scene.team.id}')
    if scene.role == 'stranger':
        await user.should_see(marker='not-found')
        seen = not_found_page(user)
        await user.open(f'/lists/{MISSING}')
        await user.should_see(marker='not-found')
        assert not_found_page(user) == seen  # word for word what a missing id gets
        for address in (f'/lists/{scene.team.id}', f'/lists/{MISSING}'):
            await user.open(address)
            await user.should_see('List not found')
            await eventually(lambda: in_sidebar(user, 'inbox'))
            for secret in ('Team', 'First', 'Second', 'Done before'):
                await user.should_not_see(secret, retries=5)
            assert not in_sidebar(user, f'list-{scene.team.id}')
        # Nor by search: from their Inbox, the list's tasks match nothing.
        await user.open('/tasks?q=First')
        await user.should_see('No matches')
        assert titles_on_page(user) == []
        return
    await user.should_see(marker='view-title')
    await eventually(lambda: titles_on_page(user) == ['First', 'Second'])
    await eventually(lambda: in_sidebar(user, f'list-{scene.team.id}'))
    assert shown_text(user, 'view-title') == 'Team'
    assert hidden(element(user, 'view-only')) == (scene.role != 'viewer')
    sort = element(user, 'sort')
    assert isinstance(sort, ui.select)
    assert sort.enabled == (scene.role != 'viewer')
    open_completed(user)
    await eventually(lambda: 'Done before' in titles_on_page(user))
    # Search finds its tasks, and names their list.
    await user.open('/tasks?q=First')
    await eventually(lambda: titles_on_page(user) == ['First'])
    assert row_parts(user, scene.first.id)['list']['text'] == 'Team'


# ------------------------------------------------------------------------------- task actions


async def test_add_and_complete(user: User, scene: Scene) -> None:
    await open_team(user, scene)
    before = stored(scene)
    page = page_of(user)
    if scene.changes_tasks:
        user.find(marker='new-title').type('Added here')
        click(user, 'new-add')
        await eventually(lambda: open_order(scene) == ['Added here', 'First', 'Second'])
        await eventually(lambda: titles_on_page(user) == ['Added here', 'First', 'Second'])
        assert checkbox(user, 'First').enabled
        click(user, f'toggle-{scene.first.id}')
        await eventually(lambda: open_order(scene) == ['Added here', 'Second'])
        await eventually(lambda: titles_on_page(user) == ['Added here', 'Second'])
        return
    if scene.role == 'viewer':
        title = element(user, 'new-title')
        assert hidden(title)
        quiet(user)
        title.value = 'Forced in'  # type: ignore[attr-defined]
        UserInteraction(user, {title}, None).trigger('keydown.enter')  # Enter, crafted
        await told(user, VIEW_LIST)
        quiet(user)
        assert await page.add('Forced too', '') == VIEW_LIST
        await told(user, VIEW_LIST)
        box = checkbox(user, 'First')
        assert not box.enabled
        quiet(user)
        box.value = True  # past the disabled box, as a crafted event
        await told(user, VIEW_TASKS)
        assert checkbox(user, 'First').value is False  # the box shows what is true
        quiet(user)
        await page.complete(page.shown[scene.first.id], True)
        await told(user, VIEW_TASKS)
    else:  # their own Inbox's form adds to their Inbox; the list's tasks are not there
        for task in (scene.first, missing(scene.first)):
            quiet(user)
            await page.complete(task, True)
            await told(user, TASK_NOT_FOUND)
    assert stored(scene) == before


async def test_edit_and_delete(user: User, scene: Scene) -> None:
    await open_team(user, scene)
    before = stored(scene)
    if scene.changes_tasks:
        assert 'data-action="edit"' in actions_of(user, scene.first.id)
        press(user, scene.first.id, 'edit')
        await user.should_see(marker='edit-title')
        set_value(user, 'edit-title', 'First, edited')
        click(user, 'edit-save')
        await eventually(lambda: open_order(scene) == ['First, edited', 'Second'])
        assert 'data-action="delete"' in actions_of(user, scene.second.id)
        press(user, scene.second.id, 'delete')
        await user.should_see(marker='confirm')
        click(user, 'confirm')
        await eventually(lambda: open_order(scene) == ['First, edited'])
        await eventually(lambda: titles_on_page(user) == ['First, edited'])
        assert task_now(scene, scene.second) is None
        return
    page = page_of(user)
    if scene.role == 'viewer':
        assert 'data-action' not in actions_of(user, scene.first.id)  # no Edit, Delete, More
        for action in ('edit', 'delete'):
            quiet(user)
            press(user, scene.first.id, action)  # the click a crafted button would send
            await told(user, VIEW_TASKS)
        await user.should_not_see(marker='edit-title', retries=5)
        await user.should_not_see('Delete task?', retries=5)
        forced = page.shown[scene.first.id]
    else:
        forced = scene.first
    # The page's own handler opens the dialog anyway; saving is refused in it.
    on_page(user, page.edit(forced))
    await user.should_see(marker='edit-title')
    set_value(user, 'edit-title', 'Forced edit')
    click(user, 'edit-save')
    if scene.role == 'viewer':
        await eventually(lambda: shown_text(user, 'edit-banner') == VIEW_TASKS)
    else:  # as for a task that does not exist: deleted, "Save as new task" offered
        await eventually(lambda: 'deleted' in shown_text(user, 'edit-banner'))
        await user.should_see(marker='edit-save-new')
    cancel(user)
    quiet(user)
    running = on_page(user, page.delete(forced))
    await user.should_see(marker='confirm')
    click(user, 'confirm')
    await done(running)
    await told(user, VIEW_TASKS if scene.role == 'viewer' else TASK_NOT_FOUND)
    assert stored(scene) == before


async def test_move_within_the_list_and_to_another(user: User, scene: Scene) -> None:
    await open_team(user, scene)
    before = stored(scene)
    first, second = scene.first.id, scene.second.id
    if scene.changes_tasks:
        press(user, first, 'more')
        await user.should_see(marker=f'move-down-{first}')
        # Each step once the page shows the one before (a live refresh may come in between).

        async def both_say(order: list[str]) -> None:
            await eventually(lambda: open_order(scene) == order)
            await eventually(lambda: titles_on_page(user) == order)

        click(user, f'move-down-{first}')
        await both_say(['Second', 'First'])
        fire(user, first, 'keydown', {'id': first, 'up': True})  # Alt+ArrowUp
        await both_say(['First', 'Second'])
        fire(user, first, 'drop', {'id': first, 'target': second, 'after': True})
        await both_say(['Second', 'First'])
        press(user, first, 'more')
        await user.should_see(marker=f'move-to-list-{first}')
        click(user, f'move-to-list-{first}')
        await user.should_see(marker=f'pick-list-{scene.mine.id}')
        click(user, f'pick-list-{scene.mine.id}')
        await eventually(lambda: open_order(scene) == ['Second'])
        moved = task_now(scene, scene.first)
        assert moved is not None
        assert moved.list_id == scene.mine.id
        await eventually(lambda: titles_on_page(user) == ['Second'])
        return
    page = page_of(user)
    if scene.role == 'viewer':
        assert 'data-action="more"' not in actions_of(user, first)
        crafted: tuple[tuple[str, dict[str, object]], ...] = (
            ('click', {'action': 'more', 'id': first}),  # its menu
            ('keydown', {'id': first, 'up': False}),  # Alt+ArrowDown
            ('drop', {'id': first, 'target': second, 'after': True}),
        )
        for event, args in crafted:
            quiet(user)
            fire(user, first, event, args)
            await told(user, VIEW_TASKS)
        await user.should_not_see(marker=f'menu-{first}', retries=5)
        assert titles_on_page(user) == ['First', 'Second']  # nor moved on screen
        forced = page.shown[first]
        quiet(user)
        await page.move(forced, None, second)
        await told(user, VIEW_LIST)
        # Its picker offers only the lists this person may change; moving there is refused.
        running = on_page(user, page.move_to_list(forced))
        await user.should_see(marker=f'pick-list-{scene.mine.id}')
        await user.should_not_see(marker=f'pick-list-{scene.team.id}', retries=5)
        quiet(user)
        click(user, f'pick-list-{scene.mine.id}')
        await done(running)
        await told(user, VIEW_LIST)
        said = VIEW_LIST
    else:
        for task in (scene.first, missing(scene.first)):
            quiet(user)
            await page.move(task, None, second)
            await told(user, TASK_NOT_FOUND)
        running = on_page(user, page.move_to_list(scene.first))
        await user.should_see(marker=f'pick-list-{scene.mine.id}')
        quiet(user)
        click(user, f'pick-list-{scene.mine.id}')
        await done(running)
        await told(user, TASK_NOT_FOUND)
        said = TASK_NOT_FOUND
    # The row dropped on one of the sidebar's lists, as a crafted drag would drop it.
    quiet(user)
    drop_on_list(user, scene.mine.id, first)
    await told(user, said)
    assert stored(scene) == before


async def test_assign_and_clear_completed(user: User, scene: Scene) -> None:
    await open_team(user, scene)
    before = stored(scene)
    first = scene.first.id
    if scene.changes_tasks:
        press(user, first, 'more')
        await user.should_see(marker=f'assign-{first}')
        click(user, f'assign-{first}')
        await user.should_see(marker='assign-to-bo@example.com')
        click(user, 'assign-to-bo@example.com')
        await eventually(
            lambda: getattr(task_now(scene, scene.first), 'assignee_id', 0) == (scene.bo.id)
        )
        await eventually(lambda: row_parts(user, first).get('assignee', {}).get('text') == 'BO')
        open_completed(user)
        await eventually(lambda: 'Done before' in titles_on_page(user))
        assert not hidden(element(user, 'clear-completed'))
        click(user, 'clear-completed')
        await user.should_see(marker='confirm')
        click(user, 'confirm')
        await eventually(lambda: task_now(scene, scene.done) is None)
        assert open_order(scene) == ['First', 'Second']
        return
    page = page_of(user)
    if scene.role == 'viewer':
        running = on_page(user, page.assign(page.shown[first]))
        await user.should_see(marker='assign-to-bo@example.com')
        quiet(user)
        click(user, 'assign-to-bo@example.com')
        await done(running)
        await told(user, VIEW_TASKS)
        open_completed(user)
        await eventually(lambda: 'Done before' in titles_on_page(user))
        assert hidden(element(user, 'clear-completed'))
        said = VIEW_LIST
    else:  # no list of theirs holds the task: nobody to offer, nothing said of it
        await page.assign(scene.first)
        await user.should_not_see(marker='assign-to-bo@example.com', retries=5)
        said = LIST_NOT_FOUND
    quiet(user)
    running = on_page(user, page.clear_completed(scene.team.id))
    await user.should_see(marker='confirm')
    click(user, 'confirm')
    await done(running)
    await told(user, said)
    assert stored(scene) == before


# ------------------------------------------------------------------------------- the list itself


async def test_rename_recolour_share_and_delete_the_list(user: User, scene: Scene) -> None:
    await open_team(user, scene)
    before = stored(scene)
    make_user(email='cy@example.com')
    team = scene.team.id
    if scene.role == 'owner':
        open_list_menu(user, team)
        click(user, f'rename-list-{team}')
        await user.should_see(marker='list-name')
        set_value(user, 'list-name', 'Team renamed')
        click(user, 'list-save')
        await eventually(lambda: shown_text(user, 'view-title') == 'Team renamed')
        open_list_menu(user, team)
        click(user, f'colour-list-{team}')
        await user.should_see(marker='list-colour-blue')
        click(user, 'list-colour-blue')
        click(user, 'list-save')
        await eventually(lambda: getattr(stored(scene)[0], 'colour', None) == 'blue')
        open_list_menu(user, team)
        click(user, f'share-list-{team}')
        await user.should_see(marker='share-email')
        user.find(marker='share-email').type('cy@example.com')
        click(user, 'share-add')
        await user.should_see(marker='member-cy@example.com')
        click(user, 'share-done')
        changed = stored(scene)[0]
        assert isinstance(changed, ListRead)
        assert (changed.name, changed.colour) == ('Team renamed', 'blue')
        assert [m.email for m in members(scene)] == [
            'owner@example.com',
            'bo@example.com',
            'cy@example.com',
        ]
        open_list_menu(user, team)
        click(user, f'delete-list-{team}')
        await user.should_see(marker='delete-tasks')
        click(user, 'delete-tasks')
        await eventually(lambda: on_path(user, '/tasks'))
        with session_scope() as session:
            left = lists.overview(session, actor_id=scene.owner.id).lists
        assert team not in [e.id for e in left]
        assert task_now(scene, scene.first) is None
        return
    said = OWNER_ONLY if scene.member else LIST_NOT_FOUND
    renamed = {'editor': EDITOR_RENAMES, 'viewer': VIEW_LIST}.get(scene.role, LIST_NOT_FOUND)
    if scene.member:  # their menu: who has it, and Leave; nothing of the owner's
        open_list_menu(user, team)
        await user.should_see(marker=f'share-list-{team}')
        for absent in ('rename-list', 'colour-list', 'delete-list'):
            await user.should_not_see(marker=f'{absent}-{team}', retries=5)
        click(user, f'share-list-{team}')
        await user.should_see(marker='member-me@example.com')
        await user.should_see(marker='leave-list')
        await user.should_not_see(marker='share-email', retries=5)
        await user.should_not_see(marker='member-remove-bo@example.com', retries=5)
        click(user, 'share-done')
    else:
        assert not in_sidebar(user, f'list-{team}')  # a stranger's sidebar never names it
    page, entry = page_of(user), entry_of(user, scene)
    # The page's handlers, called anyway: each dialog opens and says no.
    running = on_page(user, page.rename_list(entry))
    await user.should_see(marker='list-name')
    set_value(user, 'list-name', 'Forced name')
    click(user, 'list-save')
    await eventually(lambda: shown_text(user, 'list-error') == renamed)
    cancel(user)
    await done(running)
    running = on_page(user, page.recolour_list(entry))
    await user.should_see(marker='list-colour-red')
    click(user, 'list-colour-red')
    click(user, 'list-save')
    await eventually(lambda: shown_text(user, 'list-error') == renamed)
    cancel(user)
    await done(running)
    # Not even a page that believes it owns the list can share it.
    running = on_page(user, page.share_list(entry.model_copy(update={'role': 'owner'})))
    await user.should_see(marker='share-email')
    user.find(marker='share-email').type('cy@example.com')
    click(user, 'share-add')
    await eventually(lambda: shown_text(user, 'share-error') == said)
    click(user, 'share-done')
    await done(running)
    quiet(user)
    running = on_page(user, page.delete_list(entry))
    if scene.member:
        await user.should_see(marker='delete-tasks')
        click(user, 'delete-tasks')
    await done(running)  # a stranger's page cannot even count its tasks: no dialog
    await told(user, said)
    assert stored(scene) == before
