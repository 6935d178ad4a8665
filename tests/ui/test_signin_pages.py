"""Sign-in and sign-out hardening in the pages: bound tickets, trusted browsers, same-origin
sign-out, idle sessions, unstorable text and database outages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import update
from sqlmodel import select

from app.config import SESSION_COOKIE
from app.db import session_scope
from app.errors import AuthFailed, RateLimited, Unavailable
from app.models import AuthSession, utcnow
from components import timefmt
from services import auth
from tests.factories import PASSWORD, UNSTORABLE_CREDENTIALS, UNSTORABLE_IDS, make_user

NONCE_COOKIE = 'tasklight_signin'
DEVICE_COOKIE = 'tasklight_device'
WRONG = 'not the password'


def _cookie(user: User, name: str) -> str | None:
    return next((c.value for c in user.http_client.cookies.jar if c.name == name), None)


def _live_sessions() -> list[AuthSession]:
    with session_scope() as s:
        return list(
            s.exec(
                select(AuthSession).where(
                    AuthSession.revoked_at == None,  # noqa: E711
                    AuthSession.pending == False,  # noqa: E712
                )
            ).all()
        )


async def _form_sign_in(user: User, email: str, password: str = PASSWORD) -> None:
    await user.open('/login')
    user.find(marker='email').type(email)
    user.find(marker='password').type(password)
    user.find(kind=ui.button, content='Sign in').click()


async def _signed_in(user: User, email: str = 'me@example.com') -> None:
    await _form_sign_in(user, email)
    await user.should_see('New task', retries=50)


# ---------------------------------------------------------------- item 4: login CSRF


async def test_a_ticket_link_opened_in_another_browser_signs_nobody_in(
    user: User, create_user: Callable[[], User]
) -> None:
    attacker = make_user(email='attacker@example.com')
    await user.open('/login')  # the attacker's own browser gets its nonce
    nonce = _cookie(user, NONCE_COOKIE)
    assert nonce
    with session_scope() as s:  # what the attacker's sign-in form produces
        ticket = auth.sign_in(
            s, email=attacker.email, password=PASSWORD, kind='browser', nonce=nonce
        )
    link = f'/auth/complete?ticket={ticket.token}&next=/tasks'

    victim = create_user()
    response = await victim.http_client.get(link, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers['location'] == '/login?reason=ticket'
    assert _cookie(victim, SESSION_COOKIE) is None
    await victim.open('/login')  # with a nonce of its own now: still not theirs to use
    response = await victim.http_client.get(link, follow_redirects=False)
    assert response.headers['location'] == '/login?reason=ticket'
    assert _cookie(victim, SESSION_COOKIE) is None
    assert _live_sessions() == []

    response = await user.http_client.get(link, follow_redirects=False)  # the right browser
    assert response.headers['location'] == '/tasks'
    assert _cookie(user, SESSION_COOKIE) is not None
    assert _cookie(user, NONCE_COOKIE) is None  # one sign-in per nonce
    (session,) = _live_sessions()
    assert session.id != ticket.info.session_id  # the link never named the real session
    assert ticket.info.session_id.hex not in (_cookie(user, SESSION_COOKIE) or '')


async def test_the_sign_in_cookies_are_httponly_and_lax(user: User) -> None:
    make_user(email='me@example.com')
    await user.open('/login')
    await _signed_in(user)
    for name in (SESSION_COOKIE, DEVICE_COOKIE):
        cookie = next(c for c in user.http_client.cookies.jar if c.name == name)
        assert cookie.has_nonstandard_attr('HttpOnly'), name
        assert cookie.get_nonstandard_attr('SameSite').lower() == 'lax', name


async def test_a_browser_without_cookies_is_told_to_allow_them(user: User) -> None:
    make_user(email='me@example.com')
    await user.open('/login?prepared=1')  # as after /auth/begin, when no cookie stuck
    user.http_client.cookies.clear()
    await user.open('/login?prepared=1')
    user.find(marker='email').type('me@example.com')
    user.find(marker='password').type(PASSWORD)
    user.find(kind=ui.button, content='Sign in').click()
    await user.should_see('Allow cookies for this site to sign in.')
    assert _live_sessions() == []


# ---------------------------------------------------------------- item 10: trusted browsers


async def test_a_browser_that_signed_in_before_gets_past_a_lockout(
    user: User, create_user: Callable[[], User]
) -> None:
    make_user(email='me@example.com')
    await _signed_in(user)
    assert _cookie(user, DEVICE_COOKIE)
    user.find(kind=ui.button, content='Sign out').click()
    await user.should_see('You have been signed out.')

    for _ in range(5):  # someone else guesses from elsewhere
        with pytest.raises(AuthFailed), session_scope() as s:
            auth.sign_in(s, email='me@example.com', password=WRONG, kind='api', address='x')

    await _signed_in(user)  # the owner's own browser, right password: in
    await user.should_see('me@example.com')

    stranger = create_user()  # a browser the account never used: still locked
    await _form_sign_in(stranger, 'me@example.com')
    await stranger.should_see('Too many attempts. Try again in')
    await stranger.should_not_see('New task')


# ---------------------------------------------------------------- item 11: sign-out


async def test_a_plain_link_to_sign_out_signs_nobody_out(user: User) -> None:
    make_user(email='me@example.com')
    await _signed_in(user)
    response = await user.http_client.get('/auth/signout', follow_redirects=False)
    assert response.status_code == 303
    assert 'set-cookie' not in response.headers
    assert len(_live_sessions()) == 1
    await user.open('/tasks')
    await user.should_see('New task')


@pytest.mark.parametrize(
    'headers',
    [
        {},
        {'Origin': 'https://evil.example'},
        {'Origin': 'null'},
        {'Sec-Fetch-Site': 'cross-site', 'Origin': 'http://test'},
        {'Sec-Fetch-Site': 'same-site'},
    ],
    ids=['no-origin', 'foreign-origin', 'null-origin', 'cross-site', 'same-site'],
)
async def test_sign_out_from_another_site_is_refused(user: User, headers: dict[str, str]) -> None:
    make_user(email='me@example.com')
    await _signed_in(user)
    response = await user.http_client.post('/auth/signout', headers=headers)
    assert response.status_code == 403
    assert 'set-cookie' not in response.headers
    assert len(_live_sessions()) == 1


@pytest.mark.parametrize(
    'headers',
    [{'Origin': 'http://test'}, {'Sec-Fetch-Site': 'same-origin', 'Origin': 'http://test'}],
    ids=['origin', 'fetch-metadata'],
)
async def test_same_origin_sign_out_ends_the_session(user: User, headers: dict[str, str]) -> None:
    make_user(email='me@example.com')
    await _signed_in(user)
    response = await user.http_client.post('/auth/signout', headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers['location'] == '/login?reason=signed-out'
    assert _cookie(user, SESSION_COOKIE) is None
    assert _live_sessions() == []


async def test_the_sign_out_button_ends_the_session_and_drops_the_cookie(user: User) -> None:
    make_user(email='me@example.com')
    await _signed_in(user)
    user.find(kind=ui.button, content='Sign out').click()
    await user.should_see('You have been signed out.')
    assert _live_sessions() == []
    assert _cookie(user, SESSION_COOKIE) is None


async def test_preparing_the_form_never_drops_a_live_cookie(user: User) -> None:
    make_user(email='me@example.com')
    await _signed_in(user)
    response = await user.http_client.get('/auth/begin?then=/login', follow_redirects=False)
    assert response.status_code == 303
    assert _cookie(user, SESSION_COOKIE) is not None
    assert len(_live_sessions()) == 1


# ---------------------------------------------------------------- item 9: idle sessions


async def test_an_idle_browser_session_lands_on_sign_in_saying_so(user: User) -> None:
    make_user(email='me@example.com')
    await _signed_in(user)
    idle_since = utcnow() - timedelta(days=7, minutes=2)  # SESSION_IDLE_MINUTES: 7 days
    with session_scope() as s:
        s.execute(update(AuthSession).values(last_seen_at=idle_since))
    await user.open('/tasks')
    await user.should_see('You were signed out after a period of inactivity.')
    await user.should_not_see('New task')


# ---------------------------------------------------------------- item 3: unstorable text


@pytest.mark.parametrize(('email', 'password'), UNSTORABLE_CREDENTIALS, ids=UNSTORABLE_IDS)
async def test_unstorable_text_in_the_sign_in_form_is_a_plain_failure(
    user: User, email: str, password: str
) -> None:
    make_user(email='me@example.com')
    await _form_sign_in(user, email, password)
    await user.should_see('Invalid email or password')
    await user.should_not_see('New task')


@pytest.mark.parametrize('email', ['me\x00@example.com', 'me\ud800@example.com'])
async def test_unstorable_email_in_the_sign_up_form_is_shown_at_the_field(
    user: User, email: str
) -> None:
    await user.open('/signup')
    user.find(marker='email').type(email)
    user.find(marker='password').type(PASSWORD)
    user.find(marker='confirm').type(PASSWORD)
    user.find(kind=ui.button, content='Sign up').click()
    await user.should_see('Must not contain NUL characters or invalid Unicode.')
    await user.should_not_see('New task')


# ---------------------------------------------------------------- outages keep what was typed


def _failing(error: Exception) -> Callable[..., Any]:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise error

    return fail


@pytest.mark.parametrize(
    ('error', 'message'),
    [
        (Unavailable(), 'Tasklight cannot reach its database right now.'),
        (RateLimited(retry_after=42), 'Too many attempts. Try again in 42 seconds.'),
        (RateLimited(retry_after=3592), 'Too many attempts. Try again in about 60 minutes.'),
    ],
    ids=['outage', 'rate-limited', 'rate-limited-long'],
)
async def test_a_failing_sign_in_says_why_and_keeps_the_fields(
    user: User, monkeypatch: pytest.MonkeyPatch, error: Exception, message: str
) -> None:
    monkeypatch.setattr(auth, 'sign_in', _failing(error))
    await _form_sign_in(user, 'me@example.com')
    await user.should_see(message)
    assert user.find(marker='email').elements.pop().value == 'me@example.com'
    assert user.find(marker='password').elements.pop().value == PASSWORD


@pytest.mark.parametrize('step', ['register', 'start_session'])
async def test_a_sign_up_during_an_outage_says_so_and_keeps_the_fields(
    user: User, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    monkeypatch.setattr(auth, step, _failing(Unavailable()))
    await user.open('/signup')
    user.find(marker='email').type('new@example.com')
    user.find(marker='password').type(PASSWORD)
    user.find(marker='confirm').type(PASSWORD)
    user.find(kind=ui.button, content='Sign up').click()
    await user.should_see('Tasklight cannot reach its database right now.')
    assert user.find(marker='email').elements.pop().value == 'new@example.com'
    assert user.find(marker='password').elements.pop().value == PASSWORD
    assert user.find(marker='confirm').elements.pop().value == PASSWORD


async def test_the_sign_in_page_still_opens_during_an_outage(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(email='me@example.com')
    await _signed_in(user)
    monkeypatch.setattr(auth, 'validate_browser_session', _failing(Unavailable()))
    await user.open('/login?prepared=1')
    await user.should_see('Welcome back')


async def test_completing_or_ending_a_sign_in_during_an_outage_says_so(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_user(email='me@example.com')
    await user.open('/login')
    nonce = _cookie(user, NONCE_COOKIE)
    with session_scope() as s:
        ticket = auth.start_session(s, user=person, kind='browser', nonce=nonce or '')
    real_activate = auth.activate_browser_session
    monkeypatch.setattr(auth, 'activate_browser_session', _failing(Unavailable()))
    response = await user.http_client.get(
        f'/auth/complete?ticket={ticket.token}', follow_redirects=False
    )
    assert response.headers['location'] == '/login?reason=unavailable'
    await user.open('/login?reason=unavailable')
    await user.should_see('Tasklight cannot reach its database right now.')

    monkeypatch.setattr(auth, 'activate_browser_session', real_activate)
    await _signed_in(user)
    monkeypatch.setattr(auth, 'end_browser_session', _failing(Unavailable()))
    response = await user.http_client.post(
        '/auth/signout', headers={'Origin': 'http://test'}, follow_redirects=False
    )
    assert response.headers['location'] == '/login?reason=unavailable'
    assert _cookie(user, SESSION_COOKIE) is not None  # still signed in, and not told otherwise


@pytest.mark.parametrize(
    ('seconds', 'text'),
    [
        (1, '1 second'),
        (42, '42 seconds'),
        (89, '89 seconds'),
        (90, 'about 2 minutes'),
        (3090, 'about 52 minutes'),
        (5400, 'about 2 hours'),
        (3 * 3600, 'about 3 hours'),
    ],
)
def test_waits_read_as_a_person_says_them(seconds: int, text: str) -> None:
    assert timefmt.wait_text(seconds) == text
