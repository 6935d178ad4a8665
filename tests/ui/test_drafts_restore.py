"""What the browser kept from before a reload goes back into its fields, and is never sent.

The browser side (localStorage, the reload) runs in Chromium in tests/browser/test_drafts.py;
here the page gets what the browser would hand it."""

from __future__ import annotations

from typing import Any

from nicegui import ElementFilter, ui
from nicegui.testing import User

from app.db import session_scope
from components.drafts import RESTORED
from components.task_list import GONE, STALE
from services import tasks
from tests.factories import make_task
from tests.ui.helpers import eventually, signed_in_person, stored_tasks


def hand_back(user: User, stored: Any) -> None:
    """What the browser does on page load when it holds drafts for this person."""
    user.find(marker='browser-state').trigger('tlrestore', stored)


def value_of(user: User, marker: str) -> Any:
    with user:
        return next(iter(ElementFilter(marker=marker))).value  # type: ignore[attr-defined]


def banner_text(user: User) -> str:
    with user:
        label = next(iter(ElementFilter(kind=ui.label, marker='edit-banner')))
        return label.text if label.visible else ''


async def test_a_new_task_typed_before_a_reload_is_put_back_not_sent(user: User) -> None:
    me = await signed_in_person(user)
    hand_back(user, {'new': {'title': 'Buy oat milk', 'description': 'the barista one'}})
    await user.should_see(RESTORED, retries=50)
    assert value_of(user, 'new-title') == 'Buy oat milk'
    assert value_of(user, 'new-description') == 'the barista one'
    assert stored_tasks(me) == []  # never sent by itself: the person decides
    user.find(marker='new-title').trigger('keydown.enter')
    await eventually(lambda: [t.title for t in stored_tasks(me)] == ['Buy oat milk'])


async def test_what_was_typed_since_the_page_loaded_wins_over_a_draft(user: User) -> None:
    await signed_in_person(user)
    user.find(marker='new-title').type('Typed just now')
    hand_back(user, {'new': {'title': 'Older draft'}})
    await eventually(lambda: value_of(user, 'new-title') == 'Typed just now')


async def test_an_open_edit_comes_back_in_its_dialog(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Original', description='notes')
    await user.open('/tasks')
    hand_back(user, {'edit': {'task_id': task.id, 'version': task.version, 'title': 'Reworded'}})
    await user.should_see(RESTORED, retries=50)
    await user.should_see(marker='edit-title', retries=50)
    assert value_of(user, 'edit-title') == 'Reworded'
    assert value_of(user, 'edit-description') == 'notes'
    assert banner_text(user) == ''
    user.find(marker='edit-save').click()
    await eventually(lambda: stored_tasks(me)[0].title == 'Reworded')


async def test_an_edit_typed_against_an_older_version_asks_where_it_differs(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Original')
    with session_scope() as s:  # changed elsewhere while this browser was away
        tasks.update_task(s, actor_id=me.id, task_id=task.id, title='Theirs')
    await user.open('/tasks')
    hand_back(user, {'edit': {'task_id': task.id, 'version': task.version, 'title': 'Mine'}})
    await user.should_see(marker='keep-mine-title', retries=50)
    assert value_of(user, 'edit-title') == 'Mine'
    assert banner_text(user) == STALE
    assert stored_tasks(me)[0].title == 'Theirs'


async def test_an_edit_of_a_task_deleted_meanwhile_is_kept_and_can_be_saved_as_new(
    user: User,
) -> None:
    me = await signed_in_person(user)
    hand_back(user, {'edit': {'task_id': 4242, 'version': 2, 'title': 'Rescued words'}})
    await user.should_see(marker='edit-save-new', retries=50)
    assert banner_text(user) == GONE
    assert value_of(user, 'edit-title') == 'Rescued words'
    user.find(marker='edit-save-new').click()
    await eventually(lambda: [t.title for t in stored_tasks(me)] == ['Rescued words'])


async def test_junk_in_the_browser_storage_is_ignored(user: User) -> None:
    me = await signed_in_person(user)
    for junk in (
        {'new': 'not a dict'},
        {'new': {'title': 5, 'description': None}},
        {'edit': {'task_id': 'x', 'title': 'a'}},
        {'edit': {'task_id': True, 'title': 'a'}},
        {'edit': {'task_id': 2**40, 'title': 'a'}},
        {'edit': {'task_id': 1}},
        ['a', 'list'],
        'text',
    ):
        hand_back(user, junk)
    hand_back(user, {'new': {'title': 'x' * 5000}})  # capped at what the field takes
    await eventually(lambda: value_of(user, 'new-title') == 'x' * 200)
    assert stored_tasks(me) == []
