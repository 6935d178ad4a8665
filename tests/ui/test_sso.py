"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock, its own process on
a free port): the browser's redirects are followed by hand so each failure can be staged."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from nicegui.testing import User
from sqlmodel import select

from app.db import session_scope
from app.models import User as Account
from app.models import UserIdentity
from services import admin, lists
from tests.factories import PASSWORD, make_user

CLIENT_ID = 'tasklight-test'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope='module')
def provider() -> Iterator[str]:
    """The provider as a server of its own, as a company's would be."""
    port = _free_port()
    issuer = f'http://127.0.0.1:{port}'
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST_')}
    process = subprocess.Popen(
        [sys.executable, '-m', 'oidc_provider_mock', '--host', '127.0.0.1', '--port', str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f'{issuer}/.well-known/openid-configuration', timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, 'the OIDC provider did not start'
            assert time.monotonic() < deadline, 'the OIDC provider did not answer in 30 s'
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(provider: str, configure: Callable[..., None]) -> str:
    configure(
        OIDC_ISSUER=provider,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET='not-a-real-secret-but-long-enough',
        OIDC_PROVIDER_NAME='Acme ID',
    )
    return provider


def person(provider: str, sub: str, **claims: object) -> None:
    """What the provider will say about `sub` when they sign in there."""
    response = httpx.put(f'{provider}/users/{sub}', json=claims, timeout=10)
    assert response.status_code == 204, response.text


async def start(user: User) -> str:
    """Press "Sign in with …": the app's redirect to the provider's authorization page."""
    response = await user.http_client.get('/auth/oidc/login', follow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers['location']


def approve(authorize_url: str, sub: str) -> str:
    """Sign in at the provider as `sub`: the path and query it sends the browser back to."""
    response = httpx.post(authorize_url, data={'sub': sub}, follow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    back = urlsplit(response.headers['location'])
    assert back.path == '/auth/oidc/callback'
    return f'{back.path}?{back.query}'


async def finish(user: User, callback: str) -> str:
    """The app's answer to the provider's redirect: where it sends the browser."""
    response = await user.http_client.get(callback, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers['location']


async def sign_in_with_sso(user: User, provider: str, sub: str) -> str:
    return await finish(user, approve(await start(user), sub))


def account(email: str) -> Account | None:
    with session_scope() as session:
        return session.exec(select(Account).where(Account.email == email)).first()


def with_params(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


async def test_a_first_sign_in_makes_the_account_and_opens_the_dashboard(
    user: User, sso: str
) -> None:
    person(sso, 'u-1', email='Kim@Corp.example', email_verified=True)
    await user.open('/login')
    await user.should_see('Sign in with Acme ID')
    assert await sign_in_with_sso(user, sso, 'u-1') == '/tasks'
    await user.open('/tasks')
    await user.should_see('kim@corp.example')
    made = account('kim@corp.example')
    assert made is not None
    with session_scope() as session:
        assert [entry.name for entry in lists.list_lists(session, actor_id=made.id)] == ['Inbox']
        identity = session.exec(select(UserIdentity)).one()
    assert (identity.user_id, identity.issuer, identity.subject) == (made.id, sso, 'u-1')
    # The same person again: the same account, found by the provider's subject.
    person(sso, 'u-1', email='kim.new@corp.example', email_verified=True)
    assert await sign_in_with_sso(user, sso, 'u-1') == '/tasks'
    assert account('kim.new@corp.example') is None


async def test_a_verified_email_links_the_existing_password_account(user: User, sso: str) -> None:
    existing = make_user(email='sam@corp.example')
    person(sso, 'u-2', email='sam@corp.example', email_verified=True)
    assert await sign_in_with_sso(user, sso, 'u-2') == '/tasks'
    with session_scope() as session:
        assert session.exec(select(UserIdentity.user_id)).all() == [existing.id]


async def test_an_unverified_email_links_and_creates_nothing(user: User, sso: str) -> None:
    make_user(email='sam@corp.example')
    person(sso, 'u-3', email='sam@corp.example', email_verified=False)
    assert await sign_in_with_sso(user, sso, 'u-3') == '/login?reason=sso-unverified'
    person(sso, 'u-4', email='new@corp.example')  # no email_verified at all
    assert await sign_in_with_sso(user, sso, 'u-4') == '/login?reason=sso-unverified'
    with session_scope() as session:
        assert session.exec(select(UserIdentity)).all() == []
    assert account('new@corp.example') is None
    await user.open('/login?reason=sso-unverified')
    await user.should_see('has not verified your email address')


async def test_a_wrong_state_is_refused(user: User, sso: str) -> None:
    person(sso, 'u-5', email='a@corp.example', email_verified=True)
    callback = approve(await start(user), 'u-5')
    assert await finish(user, with_params(callback, state='forged')) == '/login?reason=sso-failed'
    assert account('a@corp.example') is None


async def test_a_callback_without_this_browsers_sign_in_is_refused(
    user: User, sso: str, create_user: Callable[[], User]
) -> None:
    person(sso, 'u-6', email='b@corp.example', email_verified=True)
    callback = approve(await start(user), 'u-6')
    other_browser = create_user()  # a link with a good code and state, opened elsewhere
    assert await finish(other_browser, callback) == '/login?reason=sso-failed'
    assert account('b@corp.example') is None


async def test_a_replayed_code_is_refused(user: User, sso: str) -> None:
    person(sso, 'u-7', email='c@corp.example', email_verified=True)
    first = approve(await start(user), 'u-7')
    assert await finish(user, first) == '/tasks'
    code = parse_qs(urlsplit(first).query)['code'][0]
    # A fresh sign-in's state with the code that was already used.
    fresh = approve(await start(user), 'u-7')
    assert await finish(user, with_params(fresh, code=code)) == '/login?reason=sso-failed'


async def test_a_code_issued_for_another_client_is_refused(user: User, sso: str) -> None:
    person(sso, 'u-8', email='d@corp.example', email_verified=True)
    ours = await start(user)
    theirs = approve(with_params(ours, client_id='another-app'), 'u-8')
    assert await finish(user, theirs) == '/login?reason=sso-failed'
    assert account('d@corp.example') is None


async def test_a_disallowed_domain_and_closed_registration_are_refused(
    user: User, sso: str, configure: Callable[..., None]
) -> None:
    existing = make_user(email='g@corp.example')  # before registration closes
    configure(ALLOWED_EMAIL_DOMAINS='corp.example')
    person(sso, 'u-9', email='e@elsewhere.example', email_verified=True)
    assert await sign_in_with_sso(user, sso, 'u-9') == '/login?reason=sso-domain'
    configure(REGISTRATION='closed')
    person(sso, 'u-10', email='f@corp.example', email_verified=True)
    assert await sign_in_with_sso(user, sso, 'u-10') == '/login?reason=sso-closed'
    assert account('e@elsewhere.example') is None
    assert account('f@corp.example') is None
    # Closed to new people, not to those who have an account.
    person(sso, 'u-11', email='g@corp.example', email_verified=True)
    assert await sign_in_with_sso(user, sso, 'u-11') == '/tasks'
    assert account('g@corp.example').id == existing.id  # type: ignore[union-attr]


async def test_a_deactivated_account_is_refused(user: User, sso: str) -> None:
    boss = make_user(email='boss@corp.example')
    target = make_user(email='h@corp.example')
    with session_scope() as session:
        session.get(Account, boss.id).is_admin = True  # type: ignore[union-attr]
    with session_scope() as session:
        admin.set_deactivated(session, actor_id=boss.id, user_id=target.id, deactivated=True)
    person(sso, 'u-12', email='h@corp.example', email_verified=True)
    assert await sign_in_with_sso(user, sso, 'u-12') == '/login?reason=sso-deactivated'
    await user.open('/login?reason=sso-deactivated')
    await user.should_see('deactivated')


async def test_the_admin_group_makes_and_unmakes_admins(
    user: User, sso: str, configure: Callable[..., None]
) -> None:
    configure(OIDC_ADMIN_GROUP='tasklight-admins')
    person(sso, 'u-13', email='i@corp.example', email_verified=True, groups=['tasklight-admins'])
    assert await sign_in_with_sso(user, sso, 'u-13') == '/tasks'
    assert account('i@corp.example').is_admin  # type: ignore[union-attr]
    person(sso, 'u-13', email='i@corp.example', email_verified=True, groups=['staff'])
    assert await sign_in_with_sso(user, sso, 'u-13') == '/tasks'
    assert not account('i@corp.example').is_admin  # type: ignore[union-attr]


async def test_a_provider_that_is_down_gets_a_clear_message(
    user: User, configure: Callable[..., None]
) -> None:
    gone = f'http://127.0.0.1:{_free_port()}'  # nothing listens there
    configure(
        OIDC_ISSUER=gone,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET='not-a-real-secret-but-long-enough',
        OIDC_PROVIDER_NAME='Acme ID',
    )
    response = await user.http_client.get('/auth/oidc/login', follow_redirects=False)
    assert (response.status_code, response.headers['location']) == (
        303,
        '/login?reason=sso-unavailable',
    )
    await user.open('/login?reason=sso-unavailable')
    await user.should_see('Signing in with Acme ID is not available right now')


async def test_password_login_off_leaves_only_single_sign_on(
    user: User, sso: str, configure: Callable[..., None]
) -> None:
    make_user(email='j@corp.example')
    configure(PASSWORD_LOGIN='false')
    await user.open('/login')
    await user.should_see('Sign in with Acme ID')
    await user.should_not_see(marker='password')
    await user.should_not_see('Create an account')
    response = await user.http_client.post(
        '/api/auth/login', json={'email': 'j@corp.example', 'password': PASSWORD}
    )
    assert response.status_code == 403
    registered = await user.http_client.post(
        '/api/auth/register', json={'email': 'k@corp.example', 'password': PASSWORD}
    )
    assert registered.status_code == 403
    await user.open('/signup')
    await user.should_see('Passwords are not used here')


async def test_with_passwords_on_the_form_offers_both(user: User, sso: str) -> None:
    await user.open('/login')
    await user.should_see('Sign in with Acme ID')
    await user.should_see('or with your password')
    await user.should_see(marker='password')
    await user.should_see('Create an account')


class _TokenRequestsAs:
    """In front of a real provider: its token endpoint sees another client's credentials, so it
    answers with a correctly signed ID token whose audience is that other client."""

    def __init__(self, app: Any, client_id: str) -> None:
        self.app = app
        self.basic = 'Basic ' + base64.b64encode(f'{client_id}:secret'.encode()).decode()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get('PATH_INFO') == '/oauth2/token':
            environ['HTTP_AUTHORIZATION'] = self.basic
        return self.app(environ, start_response)


@pytest.fixture
def foreign_audience_provider() -> Iterator[str]:
    import oidc_provider_mock
    import werkzeug.serving

    application = oidc_provider_mock.app()
    application.wsgi_app = _TokenRequestsAs(application.wsgi_app, 'some-other-app')  # type: ignore[method-assign]
    server = werkzeug.serving.make_server('127.0.0.1', 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1})
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_port}'
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


# That provider runs in this process, where authlib's deprecations in it would be errors.
@pytest.mark.filterwarnings('ignore:get_jwt_config:DeprecationWarning')
@pytest.mark.filterwarnings('ignore:authlib.jose module is deprecated')
async def test_an_id_token_for_another_audience_is_refused(
    user: User, foreign_audience_provider: str, configure: Callable[..., None]
) -> None:
    provider = foreign_audience_provider
    configure(
        OIDC_ISSUER=provider,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET='not-a-real-secret-but-long-enough',
    )
    person(provider, 'u-20', email='gil@corp.example', email_verified=True)
    ours = await start(user)
    # The code, and so the signed ID token, is for that other client.
    callback = approve(with_params(ours, client_id='some-other-app'), 'u-20')
    assert await finish(user, callback) == '/login?reason=sso-failed'
    assert account('gil@corp.example') is None
