"""The edit dialog against changes made elsewhere: nothing is overwritten or lost unseen."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from nicegui import ElementFilter, ui
from nicegui.testing import User

from app.db import session_scope
from app.models import TaskRead, UserRead
from components.task_list import GONE, RESOLVE, STALE
from services import tasks
from tests.factories import make_task
from tests.ui.helpers import eventually, press, signed_in_person, stored_tasks


def change_elsewhere(owner: UserRead, task: TaskRead, **fields: str) -> TaskRead:
    """What another tab, device or API client does meanwhile."""
    with session_scope() as s:
        return tasks.update_task(s, actor_id=owner.id, task_id=task.id, **fields)


def field(user: User, marker: str) -> ui.input:
    return user.find(marker=marker).elements.pop()  # type: ignore[return-value]


def banner(user: User) -> ui.label:
    """The message at the top of the dialog, shown or not (`user.find` skips hidden ones)."""
    with user:
        return next(iter(ElementFilter(kind=ui.label, marker='edit-banner')))


def editor_open(user: User) -> bool:
    with user:
        return any(dialog.value for dialog in ElementFilter(kind=ui.dialog))


async def open_editor(user: User, task: TaskRead) -> None:
    await user.open('/tasks')
    press(user, task.id, 'edit')
    await user.should_see(marker='edit-title', retries=50)


async def test_editing_one_field_keeps_a_change_made_elsewhere_to_the_other(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Old title', description='old words')
    await open_editor(user, task)
    change_elsewhere(me, task, title='Their title')  # tab A renamed it meanwhile
    field(user, 'edit-description').value = 'my words'  # tab B edits only the description
    user.find(marker='edit-save').click()
    await eventually(lambda: stored_tasks(me)[0].description == 'my words')
    assert stored_tasks(me)[0].title == 'Their title'
    assert stored_tasks(me)[0].version == 3
    await eventually(lambda: not editor_open(user))  # saved on top of theirs: the dialog closed


async def test_a_field_both_changed_shows_theirs_and_keep_mine_saves_mine(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Old title', description='old words')
    await open_editor(user, task)
    change_elsewhere(me, task, title='Their title', description='their words')
    field(user, 'edit-title').value = 'My title'
    user.find(marker='edit-save').click()
    await eventually(lambda: banner(user).visible)
    assert banner(user).text == STALE
    await user.should_see(marker='theirs-title', retries=50)
    assert user.find(marker='theirs-title').elements.pop().text == 'Their title'  # type: ignore[attr-defined]
    assert field(user, 'edit-title').value == 'My title'  # nothing typed is lost
    assert field(user, 'edit-description').value == 'their words'  # untouched: takes theirs
    assert stored_tasks(me)[0].title == 'Their title'  # nothing overwritten unseen

    user.find(marker='keep-mine-title').click()
    await eventually(lambda: not banner(user).visible)
    user.find(marker='edit-save').click()
    await eventually(lambda: stored_tasks(me)[0].title == 'My title')
    assert stored_tasks(me)[0].description == 'their words'


async def test_use_theirs_takes_the_other_value_and_saves_nothing_of_mine(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Old title')
    await open_editor(user, task)
    change_elsewhere(me, task, title='Their title')
    field(user, 'edit-title').value = 'My title'
    user.find(marker='edit-save').click()
    await user.should_see(marker='use-theirs-title', retries=50)
    user.find(marker='use-theirs-title').click()
    await eventually(lambda: field(user, 'edit-title').value == 'Their title')
    user.find(marker='edit-save').click()
    await eventually(lambda: not editor_open(user))
    assert (stored_tasks(me)[0].title, stored_tasks(me)[0].version) == ('Their title', 2)


async def test_save_with_an_undecided_field_asks_for_a_choice_first(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Old title')
    await open_editor(user, task)
    change_elsewhere(me, task, title='Their title')
    field(user, 'edit-title').value = 'My title'
    user.find(marker='edit-save').click()
    await user.should_see(marker='keep-mine-title', retries=50)
    user.find(marker='edit-save').click()
    await eventually(lambda: banner(user).text == RESOLVE)
    assert stored_tasks(me)[0].title == 'Their title'


async def test_a_task_deleted_meanwhile_says_so_at_the_top_and_keeps_the_text(
    user: User,
) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Doomed')
    await open_editor(user, task)
    with session_scope() as s:
        tasks.delete_task(s, actor_id=me.id, task_id=task.id)
    field(user, 'edit-title').value = 'Doomed, but reworded'
    user.find(marker='edit-save').click()
    await eventually(lambda: banner(user).visible)
    assert banner(user).text == GONE
    assert field(user, 'edit-title').error is None  # said at the top, not as a Title error
    assert field(user, 'edit-title').value == 'Doomed, but reworded'
    user.find(marker='edit-save-new').click()
    await eventually(lambda: [t.title for t in stored_tasks(me)] == ['Doomed, but reworded'])
    await eventually(lambda: not editor_open(user))


async def test_an_unchanged_dialog_saves_nothing(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='As is')
    await open_editor(user, task)
    user.find(marker='edit-save').click()
    await eventually(lambda: not editor_open(user))
    assert stored_tasks(me)[0].version == 1


async def test_a_bad_title_from_a_crafted_client_shows_on_the_field(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Fine')
    await open_editor(user, task)
    title = field(user, 'edit-title')
    title.value = 'x' * 201  # the browser's maxlength stops this
    user.find(marker='edit-save').click()
    await eventually(lambda: title.error is not None)
    assert title.value == 'x' * 201
    assert stored_tasks(me)[0].title == 'Fine'


async def test_deleting_a_row_changed_meanwhile_asks_again(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Looks old')
    await user.open('/tasks')
    press(user, task.id, 'delete')
    await user.should_see(marker='confirm', retries=50)
    change_elsewhere(me, task, description='important new notes')
    user.find(marker='confirm').click()
    await user.should_see('This task was changed meanwhile.', retries=50)
    assert stored_tasks(me)[0].description == 'important new notes'


async def test_an_open_dialog_learns_of_a_change_elsewhere_without_saving(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Old title', description='old words')
    await open_editor(user, task)
    field(user, 'edit-title').value = 'My title'  # typing, not saved yet
    change_elsewhere(me, task, title='Their title', description='their words')  # live update
    await eventually(lambda: banner(user).visible)
    assert banner(user).text == STALE
    await user.should_see(marker='theirs-title')
    assert field(user, 'edit-title').value == 'My title'  # what was typed stays
    assert field(user, 'edit-description').value == 'their words'  # untouched: follows theirs
    assert stored_tasks(me)[0].title == 'Their title'  # nothing was saved for the person


async def test_an_open_dialog_learns_at_once_that_its_task_was_deleted(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Soon gone')
    await open_editor(user, task)
    field(user, 'edit-title').value = 'Still wanted'
    with session_scope() as s:  # deleted in another tab
        tasks.delete_task(s, actor_id=me.id, task_id=task.id)
    await eventually(lambda: banner(user).visible)
    assert banner(user).text == GONE
    await user.should_see('Save as new task')
    assert field(user, 'edit-title').value == 'Still wanted'


def change_due_elsewhere(owner: UserRead, task: TaskRead, **fields: Any) -> TaskRead:
    with session_scope() as s:
        return tasks.update_task(s, actor_id=owner.id, task_id=task.id, **fields)


async def test_a_new_due_date_keeps_a_priority_set_elsewhere(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Taxes')
    await open_editor(user, task)
    change_due_elsewhere(me, task, priority=3)
    field(user, 'edit-due').value = '2030-04-30'
    field(user, 'edit-time').value = '09:15'
    user.find(marker='edit-save').click()
    await eventually(lambda: stored_tasks(me)[0].due_date == date(2030, 4, 30))
    saved = stored_tasks(me)[0]
    assert (saved.due_time, saved.priority, saved.version) == (time(9, 15), 3, 3)
    await eventually(lambda: not editor_open(user))


async def test_a_priority_both_changed_asks_and_use_theirs_keeps_theirs(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Taxes')
    await open_editor(user, task)
    change_due_elsewhere(me, task, priority=1)
    field(user, 'edit-priority').value = 3
    user.find(marker='edit-save').click()
    await user.should_see(marker='theirs-priority', retries=50)
    assert user.find(marker='theirs-priority').elements.pop().text == 'Low'  # type: ignore[attr-defined]
    assert stored_tasks(me)[0].priority == 1
    user.find(marker='use-theirs-priority').click()
    await eventually(lambda: field(user, 'edit-priority').value == 1)
    user.find(marker='edit-save').click()
    await eventually(lambda: not editor_open(user))
    assert (stored_tasks(me)[0].priority, stored_tasks(me)[0].version) == (1, 2)


async def test_clearing_the_due_date_sends_no_date(user: User) -> None:
    me = await signed_in_person(user)
    task = make_task(me, title='Dentist')
    task = change_due_elsewhere(me, task, due_date=date(2030, 1, 2), due_time=time(8, 0))
    await open_editor(user, task)
    user.find(marker='edit-due-none').click()
    user.find(marker='edit-save').click()
    await eventually(lambda: stored_tasks(me)[0].due_date is None)
    assert stored_tasks(me)[0].due_time is None
