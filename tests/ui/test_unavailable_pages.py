"""Pages during a database outage: a visible message that keeps what was typed, and a plain
503 page that retries by itself instead of NiceGUI's 500 page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui
from nicegui.testing import User

from app import db
from app.config import SESSION_COOKIE
from app.errors import Unavailable
from tests.factories import PASSWORD
from tests.ui.helpers import eventually, signed_in_person, stored_tasks

UNREACHABLE = 'postgresql+psycopg://postgres:postgres@127.0.0.1:1/nowhere'


@contextmanager
def outage() -> Iterator[None]:
    """The app's database stops answering (connection refused) until the block ends."""
    previous = db.get_engine()
    broken = db.make_engine(UNREACHABLE, pool_size=1)
    db.set_engine(broken)
    try:
        yield
    finally:
        db.set_engine(previous)
        broken.dispose()


def value(user: User, marker: str) -> str:
    return str(user.find(marker=marker).elements.pop().value)


async def test_sign_up_during_an_outage_says_so_and_keeps_the_form(user: User) -> None:
    await user.open('/signup')
    user.find(marker='email').type('new@example.com')
    user.find(marker='password').type(PASSWORD)
    user.find(marker='confirm').type(PASSWORD)
    with outage():
        user.find(kind=ui.button, content='Sign up').click()
        await user.should_see(Unavailable.default_message)
    assert value(user, 'email') == 'new@example.com'
    assert value(user, 'password') == PASSWORD
    assert value(user, 'confirm') == PASSWORD
    await user.should_not_see('New task')
    # Once the database is back, the same form goes through.
    user.find(kind=ui.button, content='Sign up').click()
    await user.should_see('New task', retries=50)


async def test_adding_a_task_during_an_outage_says_so_and_keeps_the_title(user: User) -> None:
    person = await signed_in_person(user)
    title = user.find(marker='new-title')
    title.type('Buy milk')
    with outage():
        user.find(kind=ui.button, content='Add').click()
        field = title.elements.pop()
        await eventually(lambda: field.error == Unavailable.default_message)
    assert field.value == 'Buy milk'
    assert stored_tasks(person) == []
    user.find(kind=ui.button, content='Add').click()
    await eventually(lambda: [t.title for t in stored_tasks(person)] == ['Buy milk'])


async def test_a_page_during_an_outage_is_a_plain_503_that_retries(user: User) -> None:
    await signed_in_person(user)
    assert user.http_client.cookies.get(SESSION_COOKIE)
    with outage():
        response = await user.http_client.get('/tasks')
    assert response.status_code == 503
    assert response.headers['content-type'].startswith('text/html')
    assert int(response.headers['retry-after']) >= 1
    assert 'Tasklight is temporarily unavailable — retrying' in response.text
    assert '<meta http-equiv="refresh" content="5">' in response.text
    assert '<script' not in response.text
    # The same browser gets its dashboard back once the database answers.
    assert (await user.http_client.get('/tasks')).status_code == 200
