"""The 404 page for someone signed in: their own theme, and the way back to their tasks."""

from __future__ import annotations

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

from app.db import session_scope
from services import account
from tests.test_pwa import NOT_FOUND
from tests.ui.helpers import elements_of, headings, signed_in_person, way_back


def dark_mode_of(response: httpx.Response) -> bool | None:
    (dark,) = [e for e in elements_of(response) if isinstance(e, ui.dark_mode)]
    return dark.value


@pytest.mark.parametrize(('theme', 'dark'), [('dark', True), ('light', False), ('system', None)])
async def test_someone_signed_in_gets_their_theme_and_their_tasks(
    user: User, theme: str, dark: bool | None
) -> None:
    person = await signed_in_person(user)
    with session_scope() as session:
        account.update_settings(session, actor_id=person.id, theme=theme)
    for path in ('/no-such-page', '/admin'):  # the Admin page, to anyone but an admin, too
        response = await user.http_client.get(path)
        assert response.status_code == 404, path
        assert headings(response) == [NOT_FOUND]
        assert way_back(response) == ('Go to your tasks', '/tasks')
        assert dark_mode_of(response) is dark


async def test_someone_signed_out_follows_their_device(user: User) -> None:
    response = await user.http_client.get('/no-such-page')
    assert dark_mode_of(response) is None
    assert way_back(response) == ('Sign in', '/login')
