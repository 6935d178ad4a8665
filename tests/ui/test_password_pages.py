"""Forgot password and reset in the simulated browser, with a real SMTP server: the email's link
sets a new password and ends the person's other sessions; no address is told apart."""

from __future__ import annotations

from collections.abc import Callable

from nicegui.testing import User

from services import password_reset
from tests.factories import make_user
from tests.mailbox import Mailbox, link_in
from tests.ui.helpers import eventually, on_path, open_as, route_navigation, sign_in

NEW_PASSWORD = 'a brand new secret phrase'


async def ask_for_link(user: User, email: str) -> None:
    await user.open('/login')
    user.find(marker='forgot-link').click()
    await user.should_see('Forgot your password?')
    user.find(marker='email').type(email)
    user.find('Send link').click()
    await user.should_see(password_reset.SENT)


async def test_the_emailed_link_sets_a_new_password_and_signs_out_everywhere(
    user: User, create_user: Callable[[], User], mailbox: Mailbox
) -> None:
    person = make_user(email='me@example.com')
    laptop = create_user()
    route_navigation(user, laptop)
    await open_as(laptop, person)
    await laptop.should_see('New task')

    await ask_for_link(user, 'Me@Example.com')
    [message] = mailbox.wait_for(1)
    link = link_in(message)
    await user.open(link[link.index('/reset?') :])
    await user.should_see('For me@example.com.')
    user.find(marker='new-password').type('password')
    user.find(marker='confirm-password').type('password')
    user.find('Set password').click()
    await eventually(
        lambda: user.find(marker='new-password').elements.pop().error is not None
    )  # a leaked password, refused as everywhere
    user.find(marker='new-password').clear().type(NEW_PASSWORD)
    user.find(marker='confirm-password').clear().type(NEW_PASSWORD)
    user.find('Set password').click()
    await user.should_see('Your password has been changed')
    await eventually(lambda: on_path(laptop, '/login'))  # its session ended at once
    await sign_in(user, 'me@example.com', NEW_PASSWORD)

    await user.open(link[link.index('/reset?') :])  # used: the password it was made for is gone
    await user.should_see(password_reset.INVALID)


async def test_an_unknown_address_gets_the_same_answer_and_no_email(
    user: User, mailbox: Mailbox
) -> None:
    await ask_for_link(user, 'nobody@example.com')
    make_user(email='me@example.com')
    await ask_for_link(user, 'me@example.com')
    mailbox.wait_for(1)
    assert [m['To'] for m in mailbox.messages] == ['me@example.com']


async def test_asking_too_often_is_refused(
    user: User, mailbox: Mailbox, configure: Callable[..., None]
) -> None:
    configure(**mailbox.settings(), RATE_LIMIT_PASSWORD_RESET='1/hour')
    await ask_for_link(user, 'nobody@example.com')
    user.find('Send link').click()
    await user.should_see('Too many requests. Try again in')


async def test_without_smtp_there_is_no_link_and_forgot_says_ask_an_admin(user: User) -> None:
    await user.open('/login')
    await user.should_see('Sign in')
    await user.should_not_see('Forgot password?')
    await user.open('/forgot')
    await user.should_see(password_reset.NO_EMAIL)
    await user.open('/reset?token=forged')
    await user.should_see(password_reset.INVALID)
