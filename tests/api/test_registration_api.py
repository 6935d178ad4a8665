"""REGISTRATION and ALLOWED_EMAIL_DOMAINS at POST /api/auth/register, and password reset by email
through a real SMTP server: the same answer for any address, rate limited, a link that works."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from services import password_reset
from tests.api.conftest import Account
from tests.factories import PASSWORD
from tests.mailbox import Mailbox, link_in

NEW_PASSWORD = 'a brand new secret phrase'


def register(client: TestClient, email: str, **extra: str) -> tuple[int, object]:
    response = client.post(
        '/api/auth/register', json={'email': email, 'password': PASSWORD, **extra}
    )
    return response.status_code, response.json().get('detail')


def test_registration_modes(client: TestClient, configure: Callable[..., None]) -> None:
    assert register(client, 'open@example.com')[0] == 201
    configure(REGISTRATION='closed')
    assert register(client, 'closed@example.com') == (
        403,
        'New accounts cannot be made here. Ask an admin for one.',
    )
    configure(REGISTRATION='invite')
    assert register(client, 'invite@example.com') == (
        403,
        'Joining needs an invitation. Ask an admin for an invitation link.',
    )
    assert register(client, 'invite@example.com', invitation='forged')[0] == 403
    assert (
        client.post(
            '/api/auth/signup', json={'email': 'x@example.com', 'password': PASSWORD}
        ).status_code
        == 403
    )


def test_allowed_email_domains(client: TestClient, configure: Callable[..., None]) -> None:
    configure(ALLOWED_EMAIL_DOMAINS='example.com')
    status, detail = register(client, 'me@elsewhere.example')
    assert status == 422
    assert detail == [
        {
            'loc': ['body', 'email'],
            'msg': 'Email: Only addresses at example.com can join.',
            'type': 'value_error',
        }
    ]
    assert register(client, 'me@EXAMPLE.com')[0] == 201


def test_forgot_password_mails_a_link_that_resets(
    client: TestClient, signup: Callable[..., Account], mailbox: Mailbox
) -> None:
    person = signup('me@example.com')
    asked = client.post('/api/auth/forgot-password', json={'email': 'Me@Example.com'})
    assert asked.status_code == 202
    assert asked.json() == {'detail': password_reset.SENT}
    [message] = mailbox.wait_for(1)
    assert message['X-Envelope-To'] == 'me@example.com'
    token = link_in(message).split('token=', 1)[1]
    done = client.post(
        '/api/auth/reset-password', json={'token': token, 'new_password': NEW_PASSWORD}
    )
    assert done.status_code == 204
    assert person.request('GET', '/api/tasks').status_code == 401
    login = {'email': person.email, 'password': NEW_PASSWORD}
    assert client.post('/api/auth/login', json=login).status_code == 200
    reuse = client.post(
        '/api/auth/reset-password', json={'token': token, 'new_password': 'another new phrase'}
    )
    assert reuse.status_code == 422


def test_forgot_password_tells_nothing_about_accounts(
    client: TestClient, signup: Callable[..., Account], mailbox: Mailbox
) -> None:
    signup('me@example.com')
    known = client.post('/api/auth/forgot-password', json={'email': 'me@example.com'})
    unknown = client.post('/api/auth/forgot-password', json={'email': 'nobody@example.com'})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.headers.keys() == unknown.headers.keys()
    mailbox.wait_for(1)
    assert [m['X-Envelope-To'] for m in mailbox.messages] == ['me@example.com']


def test_forgot_password_is_rate_limited(
    client: TestClient, configure: Callable[..., None], mailbox: Mailbox
) -> None:
    configure(**mailbox.settings(), RATE_LIMIT_PASSWORD_RESET='2/hour')
    for _ in range(2):
        ok = client.post('/api/auth/forgot-password', json={'email': 'nobody@example.com'})
        assert ok.status_code == 202
    limited = client.post('/api/auth/forgot-password', json={'email': 'nobody@example.com'})
    assert limited.status_code == 429
    assert int(limited.headers['Retry-After']) > 0
    # The client's own budget is spent too: another address from it is refused as well.
    other = client.post('/api/auth/forgot-password', json={'email': 'else@example.com'})
    assert other.status_code == 429


def test_without_smtp_forgot_password_is_not_there(client: TestClient) -> None:
    response = client.post('/api/auth/forgot-password', json={'email': 'me@example.com'})
    assert response.status_code == 404
    assert response.json()['detail'] == password_reset.NO_EMAIL
    bad = client.post('/api/auth/reset-password', json={'token': 'forged', 'new_password': 'x'})
    assert bad.status_code == 422
