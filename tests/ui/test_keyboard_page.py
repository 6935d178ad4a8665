"""The server's share of the keyboard shortcuts (components/keyboard.py): `t` and `1`…`4` on a
task, `?` for the dialog. The keys themselves are pressed in Chromium (tests/browser/
test_keyboard.py); here the `tl_key` event the browser sends arrives as it would, crafted too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ElementFilter, ui
from nicegui.testing import User

from app.db import session_scope
from services import sharing, tasks
from tests.factories import make_user
from tests.ui.helpers import eventually, make_list, signed_in_person, task_in


def send_key(user: User, args: Any) -> None:
    """What assets/keys.js sends: `emitEvent('tl_key', {action, id})`."""
    layout = user.client.layout
    for listener_id, listener in layout._event_listeners.items():
        if listener.type == 'tl_key':
            layout._handle_event({'listener_id': listener_id, 'args': args})
            return
    raise AssertionError('the page does not listen for tl_key')


def stored(owner_id: Any, task_id: int) -> Any:
    with session_scope() as session:
        return tasks.get_task(session, actor_id=owner_id, task_id=task_id)


async def test_t_sets_due_today_and_digits_set_the_priority(user: User) -> None:
    me = await signed_in_person(user)
    task = task_in(me, 'Pay the rent')
    await user.open('/tasks')
    await user.should_see('Pay the rent')
    send_key(user, {'action': 'p1', 'id': task.id})
    await eventually(lambda: stored(me.id, task.id).priority == 3)
    await user.should_see(marker='announcement')
    with user:
        region = user.find(marker='announcement').elements.pop()
    await eventually(lambda: region.text.startswith('“Pay the rent”: priority high'), 5)
    send_key(user, {'action': 'p4', 'id': task.id})
    await eventually(lambda: stored(me.id, task.id).priority == 0)
    send_key(user, {'action': 'p3', 'id': task.id})
    await eventually(lambda: stored(me.id, task.id).priority == 1)
    send_key(user, {'action': 'today', 'id': task.id})
    await eventually(lambda: stored(me.id, task.id).due_date is not None)
    await eventually(lambda: 'due today' in region.text)


async def test_question_mark_opens_the_shortcuts_dialog(user: User) -> None:
    await signed_in_person(user)
    await user.open('/tasks')
    send_key(user, {'action': 'help', 'id': None})
    await user.should_see('Keyboard shortcuts')
    await user.should_see('Go to Inbox, Today, Upcoming, Completed')
    with user:
        first = user.find(marker='shortcuts').elements.pop()
    assert first.value
    user.find(marker='shortcuts-close').click()
    await eventually(lambda: not first.value)
    user.find(marker='shortcuts-link').click()  # the header's button opens the same
    with user:
        await eventually(lambda: any(d.value for d in ElementFilter(marker='shortcuts')))


async def test_crafted_keys_change_nothing_that_is_not_the_persons_to_change(
    user: User, create_user: Callable[[], User]
) -> None:
    owner = make_user(email='owner@example.com')
    theirs = task_in(owner, 'Not yours')
    team = make_list(owner, 'Plans')
    viewed = task_in(owner, 'View only', list_id=team.id)
    me = await signed_in_person(user, 'viewer@example.com')
    with session_scope() as session:
        sharing.share_list(
            session, actor_id=owner.id, list_id=team.id, email=me.email, role='viewer'
        )
    mine = task_in(me, 'Mine')
    await user.open(f'/lists/{team.id}')
    await user.should_see('View only')
    for args in (
        {'action': 'p1', 'id': theirs.id},  # another person's task, never on this page
        {'action': 'p1', 'id': viewed.id},  # on the page, in a list shared to view only
        {'action': 'today', 'id': viewed.id},
        {'action': 'p1', 'id': mine.id},  # this person's, but not on this page
        {'action': 'p9', 'id': viewed.id},
        {'action': 'p1', 'id': 'x'},
        {'action': 'p1', 'id': True},
        {'action': 'p1', 'id': -1},
        {'action': 'p1', 'id': 2**70},
        ['p1', viewed.id],
        'help me',
        None,
    ):
        send_key(user, args)
    await user.should_see('View only')
    assert stored(owner.id, theirs.id).priority == 0
    assert stored(owner.id, viewed.id).priority == 0
    assert stored(owner.id, viewed.id).due_date is None
    assert stored(me.id, mine.id).priority == 0
    with user:
        assert not [e for e in ElementFilter(kind=ui.dialog) if e.value]
