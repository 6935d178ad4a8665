"""The header's theme menu (components/frame.ThemeToggle): the choice shows at once, is kept on
the account for every page and device, and the settings page's Theme control follows it."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from app.db import session_scope
from services import account
from tests.ui.helpers import eventually, signed_in_person


def stored_theme(user_id: object) -> str:
    with session_scope() as session:
        return account.get_account(session, actor_id=user_id).theme  # type: ignore[arg-type]


def dark_mode(user: User) -> ui.dark_mode:
    with user:
        (dark,) = user.find(kind=ui.dark_mode).elements
    return dark


def button(user: User) -> ui.button:
    with user:
        (found,) = user.find(marker='theme-button').elements
    assert isinstance(found, ui.button)
    return found


def open_menu(user: User) -> None:
    """The menu is built when the button first opens it."""
    user.find(marker='theme-button').click()


def checked(user: User) -> list[str]:
    open_menu(user)
    names = []
    for value in ('system', 'light', 'dark'):
        with user:
            (item,) = user.find(marker=f'theme-{value}').elements
        assert item.props['role'] == 'menuitemradio'
        if item.props['aria-checked'] == 'true':
            names.append(value)
    return names


async def test_the_header_menu_switches_the_theme_and_keeps_it(user: User) -> None:
    me = await signed_in_person(user)
    await user.open('/tasks')
    await user.should_see(marker='theme-button', retries=50)
    assert dark_mode(user).value is None  # follows the system until chosen
    assert button(user).props['aria-label'] == 'Theme: Match system'
    assert checked(user) == ['system']

    open_menu(user)
    user.find(marker='theme-dark').click()
    await eventually(lambda: dark_mode(user).value is True)
    await eventually(lambda: stored_theme(me.id) == 'dark')
    assert button(user).props['aria-label'] == 'Theme: Dark'
    assert checked(user) == ['dark']

    await user.open('/tasks')  # remembered: a new page starts dark
    await user.should_see(marker='theme-button', retries=50)
    assert dark_mode(user).value is True
    open_menu(user)
    user.find(marker='theme-light').click()
    await eventually(lambda: stored_theme(me.id) == 'light')
    assert dark_mode(user).value is False


async def test_on_the_settings_page_the_menu_and_the_theme_control_agree(user: User) -> None:
    me = await signed_in_person(user)
    await user.open('/settings')
    await user.should_see(marker='theme-button', retries=50)
    open_menu(user)
    user.find(marker='theme-dark').click()
    await eventually(lambda: stored_theme(me.id) == 'dark')
    with user:
        (control,) = user.find(marker='theme').elements
    assert control.value == 'dark'  # type: ignore[attr-defined]
    control.set_value('light')  # type: ignore[attr-defined]
    await eventually(lambda: stored_theme(me.id) == 'light')
    await eventually(lambda: button(user).props['aria-label'] == 'Theme: Light')
    assert dark_mode(user).value is False
