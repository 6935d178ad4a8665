from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import OctKey

from tests.api.conftest import Account
from tests.factories import PASSWORD


def test_register_returns_user_and_token_pair(client: TestClient) -> None:
    response = client.post(
        '/api/auth/register', json={'email': 'New@Example.com', 'password': PASSWORD}
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {'user', 'access_token', 'token_type', 'expires_in', 'refresh_token'}
    assert body['user']['email'] == 'new@example.com'
    assert set(body['user']) == {'id', 'email', 'created_at', 'time_zone', 'is_admin'}
    assert body['token_type'] == 'bearer'
    assert body['expires_in'] == 900
    assert response.headers['cache-control'] == 'no-store'
    me = client.get('/api/auth/me', headers={'Authorization': f'Bearer {body["access_token"]}'})
    assert me.status_code == 200
    assert me.json() == body['user']


def test_register_conflict_is_case_insensitive(
    signup: Callable[..., Account], client: TestClient
) -> None:
    signup('taken@example.com')
    response = client.post(
        '/api/auth/register', json={'email': 'TAKEN@example.com', 'password': PASSWORD}
    )
    assert response.status_code == 409
    assert response.json() == {'detail': 'An account with this email already exists.'}


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({'email': 'nope', 'password': PASSWORD}, 'email'),
        ({'email': 'a@example.com', 'password': '1234567'}, 'password'),
        ({'email': 'a@example.com', 'password': 'x' * 257}, 'password'),
        ({'email': 'a@example.com'}, 'password'),
        ({'password': PASSWORD}, 'email'),
        ({'email': 'a@example.com', 'password': PASSWORD, 'admin': True}, 'admin'),
    ],
)
def test_register_validation_names_the_field(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    response = client.post('/api/auth/register', json=body)
    assert response.status_code == 422
    assert [error['loc'] for error in response.json()['detail']] == [['body', field]]


def test_password_of_exactly_eight_is_accepted(client: TestClient) -> None:
    response = client.post(
        '/api/auth/register', json={'email': 'e@example.com', 'password': '8charsOK'}
    )
    assert response.status_code == 201


def test_login_with_json_and_with_the_oauth2_form(
    signup: Callable[..., Account], client: TestClient
) -> None:
    account = signup('both@example.com')
    by_json = client.post(
        '/api/auth/login', json={'email': 'BOTH@example.com', 'password': PASSWORD}
    )
    by_form = client.post(
        '/api/auth/login', data={'username': 'both@example.com', 'password': PASSWORD}
    )
    for response in (by_json, by_form):
        assert response.status_code == 200, response.text
        assert response.json()['user']['email'] == account.email
    assert by_json.json()['refresh_token'] != by_form.json()['refresh_token']


@pytest.mark.parametrize(
    ('email', 'password'),
    [('known@example.com', 'wrong password'), ('unknown@example.com', PASSWORD)],
)
def test_login_failures_look_the_same(
    signup: Callable[..., Account], client: TestClient, email: str, password: str
) -> None:
    signup('known@example.com')
    response = client.post('/api/auth/login', json={'email': email, 'password': password})
    assert response.status_code == 401
    assert response.json() == {'detail': 'Invalid email or password.'}
    assert response.headers['www-authenticate'] == 'Bearer'


@pytest.mark.parametrize(
    'kwargs',
    [
        {'content': b'{not json', 'headers': {'content-type': 'application/json'}},
        {'json': ['a', 'list']},
        {'json': {'email': 'a@example.com'}},
        {'data': {'username': 'a@example.com'}},
        {'content': b'\xff\xfe', 'headers': {'content-type': 'application/json'}},
    ],
)
def test_malformed_login_bodies_are_422(client: TestClient, kwargs: dict[str, object]) -> None:
    response = client.post('/api/auth/login', **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 422


def test_aliases_signup_signin_signout(client: TestClient) -> None:
    up = client.post('/api/auth/signup', json={'email': 'alias@example.com', 'password': PASSWORD})
    assert up.status_code == 201
    signin = client.post(
        '/api/auth/signin', json={'email': 'alias@example.com', 'password': PASSWORD}
    )
    assert signin.status_code == 200
    headers = {'Authorization': f'Bearer {signin.json()["access_token"]}'}
    assert client.post('/api/auth/signout', headers=headers).status_code == 204
    assert client.get('/api/auth/me', headers=headers).status_code == 401


def test_logout_ends_access_and_refresh_token_at_once(
    signup: Callable[..., Account], client: TestClient
) -> None:
    account = signup()
    assert account.request('GET', '/api/tasks').status_code == 200
    assert account.request('POST', '/api/auth/logout').status_code == 204
    assert account.request('GET', '/api/tasks').status_code == 401
    refreshed = client.post('/api/auth/refresh', json={'refresh_token': account.refresh_token})
    assert refreshed.status_code == 401


def test_logout_ends_only_that_session(signup: Callable[..., Account], client: TestClient) -> None:
    account = signup('two@example.com')
    other = client.post('/api/auth/login', json={'email': 'two@example.com', 'password': PASSWORD})
    account.request('POST', '/api/auth/logout')
    headers = {'Authorization': f'Bearer {other.json()["access_token"]}'}
    assert client.get('/api/auth/me', headers=headers).status_code == 200


def test_refresh_rotates_and_reuse_revokes(
    signup: Callable[..., Account], client: TestClient
) -> None:
    account = signup()
    first = client.post('/api/auth/refresh', json={'refresh_token': account.refresh_token})
    assert first.status_code == 200
    new = first.json()
    assert new['refresh_token'] != account.refresh_token
    assert (
        client.get(
            '/api/auth/me', headers={'Authorization': f'Bearer {new["access_token"]}'}
        ).status_code
        == 200
    )
    reuse = client.post('/api/auth/refresh', json={'refresh_token': account.refresh_token})
    assert reuse.status_code == 401
    # The reuse ended the session: the newest pair is dead too.
    assert (
        client.post('/api/auth/refresh', json={'refresh_token': new['refresh_token']}).status_code
        == 401
    )
    assert (
        client.get(
            '/api/auth/me', headers={'Authorization': f'Bearer {new["access_token"]}'}
        ).status_code
        == 401
    )


def test_refresh_validation(client: TestClient) -> None:
    assert client.post('/api/auth/refresh', json={}).status_code == 422
    assert client.post('/api/auth/refresh', json={'refresh_token': 'x' * 301}).status_code == 422
    assert client.post('/api/auth/refresh', json={'refresh_token': 'nonsense'}).status_code == 401


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b'=').decode()


def _forged_tokens(account: Account) -> dict[str, str]:
    header, payload, signature = account.access_token.split('.')
    claims = json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))
    wrong_key = OctKey.import_key('another-secret-key-that-is-long-enough!!')
    expired_claims = {**claims, 'iat': int(time.time()) - 3600, 'exp': int(time.time()) - 60}
    from app.config import get_settings

    right_key = OctKey.import_key(get_settings().signing_key)
    return {
        'alg none': f'{_b64({"alg": "none", "typ": "JWT"})}.{payload}.',
        'wrong key': jwt.encode({'alg': 'HS256'}, claims, wrong_key),
        'expired': jwt.encode({'alg': 'HS256'}, expired_claims, right_key),
        'tampered payload': f'{header}.{_b64({**claims, "sub": str(uuid.UUID(int=0))})}.{signature}',  # noqa: E501
        'no session claim': jwt.encode(
            {'alg': 'HS256'}, {k: v for k, v in claims.items() if k != 'sid'}, right_key
        ),
        'HS512': jwt.encode({'alg': 'HS512'}, claims, right_key, algorithms=['HS512']),
        'garbage': 'not.a.jwt',
        'empty': '',
        'huge': 'a' * 5000,
    }


@pytest.mark.parametrize(
    'kind',
    [
        'alg none',
        'wrong key',
        'expired',
        'tampered payload',
        'no session claim',
        'HS512',
        'garbage',
        'empty',
        'huge',
    ],
)
def test_forged_tokens_are_401_with_bearer_challenge(
    signup: Callable[..., Account], client: TestClient, kind: str
) -> None:
    token = _forged_tokens(signup())[kind]
    response = client.get('/api/tasks', headers={'Authorization': f'Bearer {token}'})
    assert response.status_code == 401
    assert response.headers['www-authenticate'] == 'Bearer'


def test_missing_token_is_401(client: TestClient) -> None:
    for method, url in [
        ('GET', '/api/tasks'),
        ('POST', '/api/tasks'),
        ('GET', '/api/auth/me'),
        ('POST', '/api/auth/logout'),
    ]:
        response = client.request(method, url)
        assert response.status_code == 401, (method, url)
        assert response.headers['www-authenticate'] == 'Bearer'
        assert response.json() == {'detail': 'Not authenticated.'}


def test_failed_logins_are_rate_limited_per_email(
    signup: Callable[..., Account], client: TestClient
) -> None:
    signup('victim@example.com')
    for _ in range(5):
        assert (
            client.post(
                '/api/auth/login', json={'email': 'victim@example.com', 'password': 'bad password'}
            ).status_code
            == 401
        )
    limited = client.post(
        '/api/auth/login', json={'email': 'victim@example.com', 'password': PASSWORD}
    )
    assert limited.status_code == 429
    assert 1 <= int(limited.headers['retry-after']) <= 60
    assert limited.json() == {'detail': 'Too many attempts. Try again later.'}


def test_successful_logins_are_never_limited(
    signup: Callable[..., Account], client: TestClient
) -> None:
    signup('often@example.com')
    for _ in range(12):
        assert (
            client.post(
                '/api/auth/login', json={'email': 'often@example.com', 'password': PASSWORD}
            ).status_code
            == 200
        )


def test_failed_logins_are_limited_per_address(
    monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    monkeypatch.setenv('RATE_LIMIT_LOGIN_PER_ADDRESS', '3/minute')
    from app.config import get_settings

    get_settings.cache_clear()
    for n in range(3):
        client.post(
            '/api/auth/login', json={'email': f'spray{n}@example.com', 'password': 'whatever1'}
        )
    response = client.post(
        '/api/auth/login', json={'email': 'fresh@example.com', 'password': 'whatever1'}
    )
    assert response.status_code == 429


def test_registrations_are_rate_limited_per_address(
    monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    monkeypatch.setenv('RATE_LIMIT_REGISTER', '2/hour')
    from app.config import get_settings

    get_settings.cache_clear()
    for n in range(2):
        assert (
            client.post(
                '/api/auth/register', json={'email': f'r{n}@example.com', 'password': PASSWORD}
            ).status_code
            == 201
        )
    response = client.post(
        '/api/auth/register', json={'email': 'r9@example.com', 'password': PASSWORD}
    )
    assert response.status_code == 429
    assert 'retry-after' in response.headers


def test_forwarded_for_counts_only_from_a_trusted_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('RATE_LIMIT_REGISTER', '1/hour')
    monkeypatch.setenv('FORWARDED_ALLOW_IPS', '127.0.0.1')
    from app.config import get_settings
    from tests.api.conftest import build_app

    get_settings.cache_clear()

    def register(client: TestClient, n: int, forwarded: str) -> int:
        return client.post(
            '/api/auth/register',
            json={'email': f'fwd{n}@example.com', 'password': PASSWORD},
            headers={'X-Forwarded-For': forwarded},
        ).status_code

    # Through the trusted proxy each forwarded client has its own budget...
    with TestClient(build_app(), client=('127.0.0.1', 5000)) as proxied:
        assert register(proxied, 1, '203.0.113.1') == 201
        assert register(proxied, 2, '203.0.113.2') == 201
        assert register(proxied, 3, '203.0.113.1') == 429
    # ...but an untrusted peer cannot pick a fresh address per request.
    with TestClient(build_app(), client=('198.51.100.7', 5000)) as direct:
        assert register(direct, 4, '203.0.113.50') == 201
        assert register(direct, 5, '203.0.113.51') == 429
