from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from tests.factories import PASSWORD, make_user
from tests.ui.helpers import eventually, sign_in, sign_up, submit_form


async def test_root_and_tasks_send_a_stranger_to_sign_in(user: User) -> None:
    await user.open('/')
    await user.should_see('Sign in')
    await user.should_see('Welcome back')
    await user.open('/tasks')
    await user.should_see(marker='email')
    await user.should_not_see('New task')


async def test_sign_up_lands_on_an_empty_dashboard(user: User) -> None:
    await sign_up(user, 'New.Person@Example.com')
    await user.should_see('new.person@example.com')
    await user.should_see('No tasks yet')
    await user.open('/')
    await user.should_see('New task')


async def test_sign_up_checks_password_length_and_confirmation(user: User) -> None:
    await submit_form(
        user, '/signup', 'Sign up', email='short@example.com', password='1234567', confirm='1234567'
    )
    await user.should_see('Use at least 8 characters.')
    user.find(marker='password').type('8')
    user.find(marker='confirm').type('9')
    user.find(kind=ui.button, content='Sign up').click()
    await user.should_see('The passwords do not match.')
    await user.should_not_see('New task')


async def test_sign_up_shows_bad_email_next_to_the_field(user: User) -> None:
    await submit_form(
        user, '/signup', 'Sign up', email='not-an-email', password=PASSWORD, confirm=PASSWORD
    )
    await user.should_see('An email address must have an @-sign.')
    await user.should_not_see('New task')


async def test_sign_up_with_a_taken_email_says_so(user: User) -> None:
    make_user(email='taken@example.com')
    await submit_form(
        user, '/signup', 'Sign up', email='TAKEN@example.com', password=PASSWORD, confirm=PASSWORD
    )
    await user.should_see('An account with this email already exists.')


async def test_wrong_password_is_a_visible_message(user: User) -> None:
    make_user(email='me@example.com')
    await user.open('/login')
    user.find(marker='email').type('me@example.com')
    user.find(marker='password').type('wrong password').trigger('keydown.enter')
    await user.should_see('Invalid email or password')
    await user.should_not_see('New task')


async def test_empty_sign_in_asks_for_both_fields(user: User) -> None:
    await user.open('/login')
    user.find(kind=ui.button, content='Sign in').click()
    await user.should_see('Enter your email and password.')


async def test_failed_sign_ins_are_rate_limited(user: User) -> None:
    make_user(email='me@example.com')
    await user.open('/login')
    user.find(marker='email').type('me@example.com')
    password = user.find(marker='password').elements.pop()
    for _ in range(5):
        user.find(marker='password').type('wrong password').trigger('keydown.enter')
        await eventually(lambda: password.value == '')  # the failed attempt has been answered
    await user.should_see('Invalid email or password')
    user.find(marker='password').type(PASSWORD)
    user.find(kind=ui.button, content='Sign in').click()
    await user.should_see('Too many attempts. Try again in')
    await user.should_not_see('New task')


async def test_sign_in_then_sign_out_revokes_the_session(user: User) -> None:
    make_user(email='me@example.com')
    await sign_in(user, 'me@example.com')
    user.find(kind=ui.button, content='Sign out').click()
    await user.should_see('You have been signed out.')
    await user.open('/tasks')
    await user.should_see(marker='email')
    await user.should_not_see('New task')


async def test_signed_in_visitor_skips_the_sign_in_page(user: User) -> None:
    make_user(email='me@example.com')
    await sign_in(user, 'me@example.com')
    await user.open('/login')
    await user.should_see('New task')


async def test_an_open_redirect_is_refused(user: User) -> None:
    make_user(email='me@example.com')
    await submit_form(
        user,
        '/login?next=//evil.example/phish',
        'Sign in',
        email='me@example.com',
        password=PASSWORD,
    )
    await user.should_see('New task')


async def test_a_used_ticket_cannot_sign_in_again(user: User) -> None:
    response = await user.http_client.get('/auth/complete?ticket=abc.def', follow_redirects=False)
    assert response.status_code == 303
    assert response.headers['location'] == '/login?reason=ticket'
    assert 'set-cookie' not in response.headers


async def test_cookie_is_httponly_and_lax(user: User) -> None:
    make_user(email='me@example.com')
    await submit_form(user, '/login', 'Sign in', email='me@example.com', password=PASSWORD)
    await user.should_see('New task')
    cookie = next(c for c in user.http_client.cookies.jar if c.name == 'tasklight_session')
    assert cookie.has_nonstandard_attr('HttpOnly')
    assert cookie.get_nonstandard_attr('SameSite').lower() == 'lax'
    assert cookie.value.count('.') == 1  # sid.secret: an opaque token, no user data


async def test_unknown_api_path_is_json_even_beside_the_pages(user: User) -> None:
    await user.open('/login')
    response = await user.http_client.get('/api/nope')
    assert response.status_code == 404
    assert response.json() == {'detail': 'Not Found'}


async def test_sign_up_says_every_problem_at_once_and_each_goes_when_fixed(user: User) -> None:
    await submit_form(
        user, '/signup', 'Sign up', email='not-an-email', password='1234567', confirm='7654321'
    )
    await user.should_see('An email address must have an @-sign.')
    await user.should_see('Use at least 8 characters.')
    await user.should_see('The passwords do not match.')
    email = user.find(marker='email').elements.pop()
    password = user.find(marker='password').elements.pop()
    confirm = user.find(marker='confirm').elements.pop()
    email.set_value('person@example.com')  # type: ignore[attr-defined]
    await eventually(lambda: email.error is None)  # type: ignore[attr-defined]
    assert password.error == 'Use at least 8 characters.'  # type: ignore[attr-defined]
    password.set_value(PASSWORD)  # type: ignore[attr-defined]
    await eventually(lambda: password.error is None)  # type: ignore[attr-defined]
    assert confirm.error == 'The passwords do not match.'  # type: ignore[attr-defined]
    confirm.set_value(PASSWORD)  # type: ignore[attr-defined]
    await eventually(lambda: confirm.error is None)  # type: ignore[attr-defined]
    await user.should_not_see('New task')
