"""The REST API during database trouble: a fast 503 with `Retry-After` and a JSON body, never a
500 or a 30 s wait, and normal answers as soon as the trouble ends. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.api.conftest import Account
from tests.factories import PASSWORD
from tests.test_db_faults import FAST, _url, app_engine, writer_holding_the_task_table

DETAIL = 'Tasklight cannot reach its database right now. Try again in a moment.'


def assert_unavailable(response: object) -> None:
    assert response.status_code == 503, response.text  # type: ignore[attr-defined]
    assert response.headers['content-type'] == 'application/json'  # type: ignore[attr-defined]
    assert int(response.headers['retry-after']) >= 1  # type: ignore[attr-defined]
    assert response.json() == {'detail': DETAIL}  # type: ignore[attr-defined]


def test_a_write_blocked_by_another_writer_is_a_fast_503_then_succeeds(
    signup: Callable[..., Account], database_engine: Engine
) -> None:
    account = signup()
    with app_engine(_url(database_engine), lock_timeout=0.3):
        with writer_holding_the_task_table(database_engine):
            started = time.monotonic()
            response = account.request('POST', '/api/tasks', json={'title': 'Blocked'})
            assert time.monotonic() - started < FAST
        assert_unavailable(response)
        created = account.request('POST', '/api/tasks', json={'title': 'Saved'})
        assert created.status_code == 201
        listed = account.request('GET', '/api/tasks').json()
    assert [task['title'] for task in listed['items']] == ['Saved']


def test_an_exhausted_pool_is_a_503_within_the_pool_timeout(
    signup: Callable[..., Account], database_engine: Engine
) -> None:
    account = signup()
    with app_engine(_url(database_engine), pool_size=1, pool_timeout=0.5) as engine:
        with engine.connect():
            started = time.monotonic()
            response = account.request('GET', '/api/tasks')
            assert time.monotonic() - started < FAST
        assert_unavailable(response)
        assert account.request('GET', '/api/tasks').status_code == 200


@pytest.mark.parametrize(
    ('method', 'path', 'body'),
    [
        ('POST', '/api/auth/login', None),
        ('POST', '/api/auth/register', {'email': 'new@example.com', 'password': PASSWORD}),
    ],
)
def test_an_unreachable_database_is_a_503(
    client: TestClient, method: str, path: str, body: dict[str, str] | None
) -> None:
    with app_engine('postgresql+psycopg://postgres:postgres@127.0.0.1:1/nowhere'):
        if body is None:
            response = client.post(
                path, data={'username': f'{uuid.uuid4().hex}@example.com', 'password': 'x' * 12}
            )
        else:
            response = client.request(method, path, json=body)
    assert_unavailable(response)


def test_terminated_connections_are_a_503_at_most_once(
    database: str, signup: Callable[..., Account], database_engine: Engine
) -> None:
    if database != 'postgresql':
        pytest.skip('pg_terminate_backend is PostgreSQL')
    account = signup()
    name = f'tasklight-api-fault-{uuid.uuid4().hex[:8]}'
    with app_engine(_url(database_engine, application_name=name), pool_size=2):
        assert account.request('GET', '/api/tasks').status_code == 200
        with database_engine.connect() as admin:
            admin.execute(
                text(
                    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                    'WHERE application_name = :name'
                ),
                {'name': name},
            )
        statuses = [account.request('GET', '/api/tasks').status_code for _ in range(3)]
    assert statuses in ([200, 200, 200], [503, 200, 200])


def test_a_locked_row_is_a_fast_503_with_a_small_pool_then_the_edit_goes_through(
    database: str, signup: Callable[..., Account], database_engine: Engine
) -> None:
    account = signup()
    task = account.create('Before')
    with app_engine(_url(database_engine), pool_size=1, lock_timeout=0.3):
        with database_engine.connect() as other:
            if database == 'postgresql':
                other.execute(
                    text('SELECT id FROM task WHERE id = :id FOR UPDATE'), {'id': task['id']}
                )
            else:
                other.exec_driver_sql('BEGIN IMMEDIATE')
            started = time.monotonic()
            response = account.request(
                'PATCH', f'/api/tasks/{task["id"]}', json={'title': 'During'}
            )
            assert time.monotonic() - started < FAST
            other.rollback()
        assert_unavailable(response)
        after = account.request('PATCH', f'/api/tasks/{task["id"]}', json={'title': 'After'})
    assert after.status_code == 200, after.text
    assert after.json()['title'] == 'After'
