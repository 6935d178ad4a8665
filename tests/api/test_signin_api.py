"""Sign-in over the API: bodies no client can break, and sessions that end (ASVS 7.3)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.db import session_scope
from app.models import AuthSession, utcnow
from tests.api.conftest import Account

DEEP = 1000


@pytest.mark.parametrize(
    'body',
    [
        '[' * DEEP,
        '[' * DEEP + ']' * DEEP,
        '{"email": ' + '[' * DEEP + ']' * DEEP + ', "password": "x"}',
        '{"email": ' + '{"a": ' * DEEP + '1' + '}' * DEEP + ', "password": "x"}',
    ],
    ids=['open', 'closed', 'deep-email', 'deep-object'],
)
def test_deeply_nested_login_body_is_a_422(client: TestClient, body: str) -> None:
    response = client.post(
        '/api/auth/login', content=body, headers={'Content-Type': 'application/json'}
    )
    assert response.status_code == 422, response.text
    assert response.json()['detail'][0]['loc'][0] == 'body'


@pytest.mark.parametrize(
    ('email', 'password'),
    [
        ('me\x00@example.com', 'correct horse battery'),
        ('me@example.com', 'correct\x00horse'),
        ('me\ud800@example.com', 'correct horse battery'),
        ('me@example.com', 'correct\udfffhorse'),
    ],
    ids=['nul-email', 'nul-password', 'surrogate-email', 'surrogate-password'],
)
def test_unstorable_text_in_a_login_is_refused_cleanly(
    client: TestClient, signup: Callable[..., Account], email: str, password: str
) -> None:
    signup('me@example.com')
    body = json.dumps({'email': email, 'password': password})  # \u0000, \ud800: still there
    response = client.post(
        '/api/auth/login', content=body, headers={'Content-Type': 'application/json'}
    )
    # 401 from the service; 422 once the request model refuses such text itself.
    assert response.status_code in (401, 422), response.text


def _age(session_id: str, **shifts: timedelta) -> None:
    """Move a session's clocks into the past, as if that much time had gone by."""
    with session_scope() as s:
        row = s.get(AuthSession, uuid.UUID(session_id))
        assert row is not None
        values = {name: getattr(row, name) - shift for name, shift in shifts.items()}
        s.execute(update(AuthSession).where(AuthSession.id == row.id).values(**values))


def _session_id(account: Account) -> str:
    return account.refresh_token.split('.')[0]


def test_an_idle_api_session_ends(client: TestClient, signup: Callable[..., Account]) -> None:
    account = signup()
    _age(_session_id(account), last_seen_at=timedelta(days=7, minutes=1))
    response = client.post('/api/auth/refresh', json={'refresh_token': account.refresh_token})
    assert response.status_code == 401
    assert 'inactivity' in response.json()['detail']
    assert account.request('GET', '/api/auth/me').status_code == 401


def test_use_keeps_an_api_session_alive(client: TestClient, signup: Callable[..., Account]) -> None:
    account = signup()
    _age(_session_id(account), last_seen_at=timedelta(days=6))
    assert account.request('GET', '/api/auth/me').status_code == 200
    with session_scope() as s:
        row = s.get(AuthSession, uuid.UUID(_session_id(account)))
        assert row is not None
        assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_refreshing_never_outlives_the_family(
    client: TestClient, signup: Callable[..., Account]
) -> None:
    account = signup()
    _age(_session_id(account), created_at=timedelta(days=89))
    response = client.post('/api/auth/refresh', json={'refresh_token': account.refresh_token})
    assert response.status_code == 200
    with session_scope() as s:
        row = s.get(AuthSession, uuid.UUID(_session_id(account)))
        assert row is not None
        assert row.expires_at - row.created_at == timedelta(days=90)
        assert row.expires_at - utcnow() < timedelta(days=1, seconds=5)
    _age(_session_id(account), created_at=timedelta(days=1))
    again = client.post(
        '/api/auth/refresh', json={'refresh_token': response.json()['refresh_token']}
    )
    assert again.status_code == 401
