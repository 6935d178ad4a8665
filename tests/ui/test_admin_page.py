"""The Admin page in the simulated browser: hidden from everyone but admins; people and their
deactivation (their open tab leaves at once), admins, reset links, deletion, invitations."""

from __future__ import annotations

import re
from collections.abc import Callable

from nicegui import ElementFilter, ui
from nicegui.testing import User
from sqlmodel import select

from app.db import session_scope
from app.models import Invitation, UserRead
from app.models import User as Account
from tests.factories import PASSWORD, make_user
from tests.ui.helpers import eventually, on_path, open_as, route_navigation, sign_in

NEW_PASSWORD = 'a brand new secret phrase'


def make_admin(email: str = 'boss@example.com') -> UserRead:
    person = make_user(email=email)
    with session_scope() as session:
        stored = session.get(Account, person.id)
        assert stored is not None
        stored.is_admin = True
    return person.model_copy(update={'is_admin': True})


def stored(email: str) -> Account | None:
    with session_scope() as session:
        found = session.exec(select(Account).where(Account.email == email)).first()
        if found is not None:
            session.expunge(found)
        return found


def present(user: User, marker: str) -> bool:
    """Whether an element marked `marker` is on the page (`user.find` raises when none is)."""
    with user:
        return bool(list(ElementFilter(marker=marker)))


async def open_admin(user: User) -> None:
    await user.open('/admin')
    await user.should_see(marker='people-section')


async def not_found_pages(user: User) -> tuple[str, str]:
    """/admin and an address nobody serves, as this browser gets them (ids blanked)."""
    pages = []
    for path in ('/admin', '/no-such-page'):
        response = await user.http_client.get(path, follow_redirects=True)
        assert response.status_code == 404
        pages.append(re.sub(r'[0-9a-f-]{36}|/no-such-page|/admin', '', response.text))
    return pages[0], pages[1]


async def test_the_page_does_not_exist_for_anyone_but_an_admin(user: User) -> None:
    hidden, missing = await not_found_pages(user)  # signed out
    assert "This page doesn't exist." in hidden or "This page doesn't exist." in hidden
    assert 'People' not in hidden
    assert hidden == missing
    make_user(email='me@example.com')
    await sign_in(user, 'me@example.com')
    assert not present(user, 'admin-link')
    hidden, missing = await not_found_pages(user)  # signed in, no admin
    assert 'Invitations' not in hidden
    assert hidden == missing


async def test_an_admin_has_the_link_and_sees_everyone(user: User) -> None:
    make_admin()
    make_user(email='alice@example.com')
    await sign_in(user, 'boss@example.com')
    await user.should_see(marker='admin-link')
    link = user.find(marker='admin-link').elements.pop()
    assert link.props['href'] == '/admin'
    assert link.props['aria-label'] == 'Admin'
    await open_admin(user)
    await user.should_see('alice@example.com')
    await user.should_see('0 active sessions')
    await user.should_see('You')
    assert present(user, 'deactivate-alice@example.com')
    assert not present(user, 'deactivate-boss@example.com')  # never oneself
    assert not present(user, 'delete-boss@example.com')


async def test_deactivating_someone_sends_their_open_tab_away(
    user: User, create_user: Callable[[], User]
) -> None:
    make_admin()
    alice = make_user(email='alice@example.com')
    elsewhere = create_user()
    route_navigation(user, elsewhere)
    await sign_in(user, 'boss@example.com')
    await open_as(elsewhere, alice)
    await elsewhere.should_see('New task')
    await open_admin(user)
    await user.should_see('1 active session')
    user.find(marker='deactivate-alice@example.com').click()
    await eventually(lambda: on_path(elsewhere, '/login'))
    await user.should_see('Deactivated')
    found = stored('alice@example.com')
    assert found is not None
    assert found.deactivated_at is not None
    user.find(marker='reactivate-alice@example.com').click()
    await eventually(
        lambda: (s := stored('alice@example.com')) is not None and not s.deactivated_at
    )


async def test_make_and_remove_admin(user: User) -> None:
    make_admin()
    make_user(email='alice@example.com')
    await sign_in(user, 'boss@example.com')
    await open_admin(user)
    user.find(marker='make-admin-alice@example.com').click()
    await eventually(lambda: (s := stored('alice@example.com')) is not None and s.is_admin)
    await user.should_see(marker='remove-admin-alice@example.com')
    user.find(marker='remove-admin-alice@example.com').click()
    await eventually(lambda: (s := stored('alice@example.com')) is not None and not s.is_admin)


async def test_a_reset_link_is_shown_to_copy_and_works(
    user: User, create_user: Callable[[], User]
) -> None:
    make_admin()
    make_user(email='alice@example.com')
    await sign_in(user, 'boss@example.com')
    await open_admin(user)
    user.find(marker='reset-link-alice@example.com').click()
    await user.should_see('Password reset link for alice@example.com')
    shown = user.find(marker='shown-link').elements.pop()
    link = str(shown.value)
    assert '/reset?token=' in link
    user.find(marker='copy-link').click()

    alice = create_user()
    await alice.open(link[link.index('/reset?') :])
    await alice.should_see('For alice@example.com.')
    alice.find(marker='new-password').type(NEW_PASSWORD)
    alice.find(marker='confirm-password').type(NEW_PASSWORD)
    alice.find(kind=ui.button, content='Set password').click()
    await alice.should_see('Your password has been changed')
    await sign_in(alice, 'alice@example.com', NEW_PASSWORD)


async def test_deleting_someone_needs_their_email_typed(user: User) -> None:
    make_admin()
    make_user(email='alice@example.com')
    await sign_in(user, 'boss@example.com')
    await open_admin(user)
    user.find(marker='delete-alice@example.com').click()
    await user.should_see('Delete alice@example.com?')
    user.find(marker='delete-person-confirmation').type('alice')
    user.find(marker='delete-person-submit').click()
    await eventually(
        lambda: (
            user.find(marker='delete-person-confirmation').elements.pop().error
            == 'Type their email, alice@example.com, to confirm.'
        )
    )
    assert stored('alice@example.com') is not None
    user.find(marker='delete-person-confirmation').clear().type('alice@example.com')
    user.find(marker='delete-person-submit').click()
    await eventually(lambda: stored('alice@example.com') is None)
    await eventually(lambda: not present(user, 'person-alice@example.com'))


async def test_an_invitation_is_made_copied_used_and_withdrawn(
    user: User, create_user: Callable[[], User], configure: Callable[..., None]
) -> None:
    make_admin()
    configure(REGISTRATION='invite')
    await sign_in(user, 'boss@example.com')
    await open_admin(user)
    await user.should_see('No invitations yet.')
    user.find(marker='invite-email').type('not an email')
    user.find(marker='create-invitation').click()
    await eventually(lambda: user.find(marker='invite-email').elements.pop().error is not None)
    user.find(marker='invite-email').clear().type('New@Example.com')
    user.find(marker='create-invitation').click()
    await user.should_see('Invitation link')
    link = str(user.find(marker='shown-link').elements.pop().value)
    assert '/signup?invite=' in link
    await user.should_see('For new@example.com')

    newcomer = create_user()
    await newcomer.open(link[link.index('/signup?') :])
    await newcomer.should_see(marker='password')
    assert newcomer.find(marker='email').elements.pop().value == 'new@example.com'
    newcomer.find(marker='password').type(PASSWORD)
    newcomer.find(marker='confirm').type(PASSWORD)
    newcomer.find(kind=ui.button, content='Sign up').click()
    await newcomer.should_see('New task', retries=100)
    await user.open('/admin')
    await user.should_see('used by new@example.com')

    again = create_user()
    await again.open(link[link.index('/signup?') :])
    await again.should_see('This invitation has already been used.')
    await again.should_not_see('Sign up')

    user.find(marker='invite-email').clear()
    user.find(marker='create-invitation').click()
    await user.should_see('For anyone with the link')
    with session_scope() as session:
        pending = session.exec(select(Invitation).where(Invitation.used_at.is_(None))).one()  # type: ignore[union-attr]
    user.find(marker=f'withdraw-{pending.id}').click()
    await user.should_see('withdrawn')


async def test_sign_up_says_why_it_is_not_open(user: User, configure: Callable[..., None]) -> None:
    configure(REGISTRATION='invite')
    await user.open('/signup')
    await user.should_see('Joining needs an invitation. Ask an admin for an invitation link.')
    await user.should_not_see('Sign up')
    await user.open('/signup?invite=forged')
    await user.should_see('This invitation link is not valid. Ask an admin for a new one.')
    await user.open('/login')
    await user.should_not_see('Create an account')
    configure(REGISTRATION='closed')
    await user.open('/signup')
    await user.should_see('New accounts cannot be made here. Ask an admin for one.')
