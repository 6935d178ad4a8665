from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Account

TASK_KEYS = {
    'id',
    'title',
    'description',
    'completed',
    'created_at',
    'updated_at',
    'completed_at',
    'version',
    'list_id',
    'position',
    'due_date',
    'due_time',
    'due_at',
    'priority',
    'assignee_id',
}


def _utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() == timedelta(0)
    return parsed


def test_create_returns_the_task_with_location(signup: Callable[..., Account]) -> None:
    account = signup()
    response = account.request(
        'POST', '/api/tasks', json={'title': '  Write report  ', 'description': 'Q3'}
    )
    assert response.status_code == 201
    task = response.json()
    assert set(task) == TASK_KEYS
    assert (task['title'], task['description'], task['completed'], task['completed_at']) == (
        'Write report',
        'Q3',
        False,
        None,
    )
    _utc(task['created_at'])
    assert response.headers['location'] == f'/api/tasks/{task["id"]}'
    assert account.request('GET', f'/api/tasks/{task["id"]}').json() == task


@pytest.mark.parametrize(
    ('body', 'loc'),
    [
        ({}, ['body', 'title']),
        ({'title': ''}, ['body', 'title']),
        ({'title': '   '}, ['body', 'title']),
        ({'title': 'x' * 201}, ['body', 'title']),
        ({'title': 'ok', 'description': 'd' * 2001}, ['body', 'description']),
        ({'title': 'nul \u0000 byte'}, ['body', 'title']),
        ({'title': 5}, ['body', 'title']),
        ({'title': None}, ['body', 'title']),
        ({'title': 'ok', 'owner_id': 'someone'}, ['body', 'owner_id']),
    ],
)
def test_create_validation_is_422_with_the_field_and_stores_nothing(
    signup: Callable[..., Account], body: dict[str, object], loc: list[str]
) -> None:
    account = signup()
    response = account.request('POST', '/api/tasks', json=body)
    assert response.status_code == 422
    assert response.json()['detail'][0]['loc'] == loc
    assert account.request('GET', '/api/tasks').json()['total'] == 0


def test_limits_are_exact(signup: Callable[..., Account]) -> None:
    account = signup()
    task = account.create('t' * 200, description='d' * 2000)
    assert len(task['title']) == 200
    assert len(task['description']) == 2000


def test_lone_surrogate_escape_is_422_not_500(signup: Callable[..., Account]) -> None:
    account = signup()
    response = account.request(
        'POST',
        '/api/tasks',
        content=b'{"title": "bad \\ud800 half"}',
        headers={'content-type': 'application/json'},
    )
    assert response.status_code == 422


def test_unicode_and_markup_round_trip_verbatim(signup: Callable[..., Account]) -> None:
    account = signup()
    title = '<img src=x onerror=alert(1)> «Grüße» 漢字 🧪 \u200b zero-width'
    description = '<script>alert("x")</script>\n\ttabbed & "quoted" \'single\''
    task = account.create(title, description=description)
    fetched = account.request('GET', f'/api/tasks/{task["id"]}').json()
    assert fetched['title'] == title.strip()
    assert fetched['description'] == description.strip()


def test_list_order_filters_search_and_paging(signup: Callable[..., Account]) -> None:
    account = signup()
    ids = [
        account.create(f'Item {n}', description='needle' if n % 3 == 0 else '')['id']
        for n in range(6)
    ]
    account.request('PATCH', f'/api/tasks/{ids[4]}/toggle')
    account.request('PATCH', f'/api/tasks/{ids[1]}/toggle')

    def titles(query: str) -> list[str]:
        response = account.request('GET', f'/api/tasks{query}')
        assert response.status_code == 200, response.text
        return [task['title'] for task in response.json()['items']]

    assert titles('') == ['Item 5', 'Item 3', 'Item 2', 'Item 0', 'Item 4', 'Item 1']
    assert titles('?status=active') == ['Item 5', 'Item 3', 'Item 2', 'Item 0']
    assert titles('?status=completed') == ['Item 4', 'Item 1']
    assert titles('?q=NEEDLE') == ['Item 3', 'Item 0']
    assert titles('?q=item%205') == ['Item 5']
    page = account.request('GET', '/api/tasks?limit=2&offset=2').json()
    assert [t['title'] for t in page['items']] == ['Item 2', 'Item 0']
    assert (page['total'], page['limit'], page['offset']) == (6, 2, 2)
    default = account.request('GET', '/api/tasks').json()
    assert (default['limit'], default['offset']) == (50, 0)


@pytest.mark.parametrize(
    'query',
    [
        '?limit=0',
        '?limit=101',
        '?limit=abc',
        '?offset=-1',
        '?status=done',
        '?q=' + 'x' * 201,
        '?q=%00',
        '?offset=99999999999999999999',
    ],
)
def test_bad_list_parameters_are_422(signup: Callable[..., Account], query: str) -> None:
    assert signup().request('GET', f'/api/tasks{query}').status_code == 422


def test_limit_boundaries(signup: Callable[..., Account]) -> None:
    account = signup()
    assert account.request('GET', '/api/tasks?limit=1').status_code == 200
    assert account.request('GET', '/api/tasks?limit=100').status_code == 200


def test_patch_changes_only_fields_sent(signup: Callable[..., Account]) -> None:
    account = signup()
    task = account.create('Original', description='Keep')
    renamed = account.request('PATCH', f'/api/tasks/{task["id"]}', json={'title': 'Renamed'}).json()
    assert (renamed['title'], renamed['description'], renamed['completed']) == (
        'Renamed',
        'Keep',
        False,
    )
    done = account.request('PATCH', f'/api/tasks/{task["id"]}', json={'completed': True}).json()
    assert done['completed'] is True
    _utc(done['completed_at'])
    cleared = account.request('PATCH', f'/api/tasks/{task["id"]}', json={'description': ''}).json()
    assert (cleared['title'], cleared['description'], cleared['completed']) == ('Renamed', '', True)
    unchanged = account.request('PATCH', f'/api/tasks/{task["id"]}', json={})
    assert unchanged.status_code == 200
    assert unchanged.json() == cleared


def test_patch_validation_changes_nothing(signup: Callable[..., Account]) -> None:
    account = signup()
    task = account.create('Keep')
    response = account.request(
        'PATCH', f'/api/tasks/{task["id"]}', json={'title': '', 'description': 'new'}
    )
    assert response.status_code == 422
    assert response.json()['detail'][0]['loc'] == ['body', 'title']
    assert account.request('GET', f'/api/tasks/{task["id"]}').json() == task


def test_toggle_flips_and_stamps(signup: Callable[..., Account]) -> None:
    account = signup()
    task = account.create()
    on = account.request('PATCH', f'/api/tasks/{task["id"]}/toggle').json()
    assert on['completed'] is True
    assert on['completed_at'] is not None
    off = account.request('PATCH', f'/api/tasks/{task["id"]}/toggle').json()
    assert (off['completed'], off['completed_at']) == (False, None)


def test_delete_then_everything_is_404(signup: Callable[..., Account]) -> None:
    account = signup()
    task = account.create()
    assert account.request('DELETE', f'/api/tasks/{task["id"]}').status_code == 204
    for method, suffix in [('GET', ''), ('PATCH', ''), ('PATCH', '/toggle'), ('DELETE', '')]:
        kwargs = {'json': {'title': 'x'}} if method == 'PATCH' and not suffix else {}
        response = account.request(method, f'/api/tasks/{task["id"]}{suffix}', **kwargs)
        assert response.status_code == 404
        assert response.json() == {'detail': 'Task not found.'}


WRITES = [
    ('PATCH', '', {'title': 'Mine'}),
    ('PATCH', '/toggle', None),
    ('DELETE', '', None),
]


def test_every_task_response_carries_its_version_as_etag(signup: Callable[..., Account]) -> None:
    account = signup()
    created = account.request('POST', '/api/tasks', json={'title': 'Tagged'})
    task = created.json()
    assert (task['version'], created.headers['etag']) == (1, 'W/"1"')
    url = f'/api/tasks/{task["id"]}'
    assert account.request('GET', url).headers['etag'] == 'W/"1"'
    patched = account.request('PATCH', url, json={'title': 'Retagged'})
    assert (patched.json()['version'], patched.headers['etag']) == (2, 'W/"2"')
    toggled = account.request('PATCH', f'{url}/toggle')
    assert (toggled.json()['version'], toggled.headers['etag']) == (3, 'W/"3"')


@pytest.mark.parametrize('tag', ['W/"1"', '"1"', '*', ' W/"1" '])
@pytest.mark.parametrize(('method', 'suffix', 'body'), WRITES)
def test_a_current_if_match_lets_the_write_through(
    signup: Callable[..., Account], method: str, suffix: str, body: object, tag: str
) -> None:
    account = signup()
    task = account.create('Original')
    response = account.request(
        method, f'/api/tasks/{task["id"]}{suffix}', json=body, headers={'If-Match': tag}
    )
    assert response.status_code == (204 if method == 'DELETE' else 200)
    if method != 'DELETE':
        assert response.json()['version'] == 2
        assert response.headers['etag'] == 'W/"2"'


@pytest.mark.parametrize(('method', 'suffix', 'body'), WRITES)
def test_a_stale_if_match_is_412_with_the_task_as_it_is_now(
    signup: Callable[..., Account], method: str, suffix: str, body: object
) -> None:
    account = signup()
    task = account.create('Original')
    url = f'/api/tasks/{task["id"]}'
    theirs = account.request('PATCH', url, json={'description': 'theirs'}).json()
    response = account.request(
        method, f'{url}{suffix}', json=body, headers={'If-Match': f'W/"{task["version"]}"'}
    )
    assert response.status_code == 412
    assert response.json() == {'detail': 'This task was changed meanwhile.', 'current': theirs}
    assert account.request('GET', url).json() == theirs


def test_two_clients_editing_one_task_never_overwrite_each_other(
    signup: Callable[..., Account],
) -> None:
    account = signup()
    task = account.create('Original')
    url = f'/api/tasks/{task["id"]}'
    etag = account.request('GET', url).headers['etag']
    first = account.request('PATCH', url, json={'title': 'A'}, headers={'If-Match': etag})
    second = account.request('PATCH', url, json={'title': 'B'}, headers={'If-Match': etag})
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.json()['current']['title'] == 'A'
    now = f'W/"{second.json()["current"]["version"]}"'
    retried = account.request('PATCH', url, json={'title': 'B'}, headers={'If-Match': now})
    assert (retried.status_code, retried.json()['title']) == (200, 'B')


def test_without_if_match_the_last_write_wins(signup: Callable[..., Account]) -> None:
    account = signup()
    task = account.create('Original')
    url = f'/api/tasks/{task["id"]}'
    assert account.request('PATCH', url, json={'title': 'A'}).status_code == 200
    last = account.request('PATCH', url, json={'title': 'B'})
    assert (last.status_code, last.json()['title'], last.json()['version']) == (200, 'B', 3)


@pytest.mark.parametrize('tag', ['1', 'W/1', '"abc"', 'W/"1", W/"2"', '"0"', '"99999999999"', ''])
@pytest.mark.parametrize(('method', 'suffix', 'body'), WRITES)
def test_a_malformed_if_match_is_400_and_changes_nothing(
    signup: Callable[..., Account], method: str, suffix: str, body: object, tag: str
) -> None:
    account = signup()
    task = account.create('Original')
    url = f'/api/tasks/{task["id"]}'
    response = account.request(method, f'{url}{suffix}', json=body, headers={'If-Match': tag})
    assert response.status_code == 400
    assert response.json() == {'detail': 'If-Match must be W/"<version>", "<version>" or *.'}
    assert account.request('GET', url).json() == task


@pytest.mark.parametrize('right_version', [True, False], ids=['right version', 'wrong version'])
@pytest.mark.parametrize(('method', 'suffix', 'body'), WRITES)
def test_another_users_task_is_404_whatever_the_if_match(
    signup: Callable[..., Account], method: str, suffix: str, body: object, right_version: bool
) -> None:
    owner, intruder = signup(), signup()
    task = owner.create('Private')
    tag = 'W/"1"' if right_version else 'W/"7"'
    url = f'/api/tasks/{task["id"]}'
    response = intruder.request(method, f'{url}{suffix}', json=body, headers={'If-Match': tag})
    assert response.status_code == 404
    assert response.json() == {'detail': 'Task not found.'}
    assert owner.request('GET', url).json() == task


ROUTES = [
    ('GET', '', None),
    ('PATCH', '', {'title': 'stolen'}),
    ('PATCH', '', {'completed': True}),
    ('PATCH', '/toggle', None),
    ('DELETE', '', None),
]


@pytest.mark.parametrize(('method', 'suffix', 'body'), ROUTES)
def test_another_users_task_is_404_and_untouched(
    signup: Callable[..., Account], method: str, suffix: str, body: dict[str, object] | None
) -> None:
    owner, intruder = signup(), signup()
    task = owner.create('Private', description='secret')
    response = intruder.request(method, f'/api/tasks/{task["id"]}{suffix}', json=body)
    assert response.status_code == 404
    assert response.json() == {'detail': 'Task not found.'}
    assert owner.request('GET', f'/api/tasks/{task["id"]}').json() == task
    listing = intruder.request('GET', '/api/tasks?q=secret').json()
    assert (listing['items'], listing['total']) == ([], 0)


@pytest.mark.parametrize(
    'task_id', ['0', '-1', '2147483648', '99999999999999999999999', 'abc', '1.5']
)
def test_malformed_or_impossible_ids_are_404_or_422(
    signup: Callable[..., Account], task_id: str
) -> None:
    account = signup()
    for method, suffix in [('GET', ''), ('PATCH', '/toggle'), ('DELETE', '')]:
        assert account.request(method, f'/api/tasks/{task_id}{suffix}').status_code in (404, 422)


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get('/api/nothing/here')
    assert response.status_code == 404
    assert response.json() == {'detail': 'Not Found'}


def test_security_headers_on_every_response(client: TestClient) -> None:
    for response in (client.get('/api/tasks'), client.get('/openapi.json')):
        headers = response.headers
        assert headers['x-content-type-options'] == 'nosniff'
        assert headers['x-frame-options'] == 'DENY'
        assert "frame-ancestors 'none'" in headers['content-security-policy']
        assert headers['referrer-policy'] == 'same-origin'
        assert 'strict-transport-security' not in headers


def test_hsts_when_served_over_https() -> None:
    from tests.api.conftest import build_app

    with TestClient(build_app(), base_url='https://testserver') as secure:
        assert secure.get('/api/tasks').headers['strict-transport-security'].startswith('max-age=')


def test_oversized_bodies_are_413(signup: Callable[..., Account]) -> None:
    account = signup()
    response = account.request(
        'POST', '/api/tasks', json={'title': 'x', 'description': 'd' * 2_000_000}
    )
    assert response.status_code == 413
    chunked = account.request(
        'POST',
        '/api/tasks',
        content=iter([b'{"title": "', b'y' * 1_100_000, b'"}']),
        headers={'content-type': 'application/json'},
    )
    assert chunked.status_code == 413
    assert account.request('GET', '/api/tasks').json()['total'] == 0


def test_an_import_may_be_larger_than_other_bodies(signup: Callable[..., Account]) -> None:
    """POST /api/import takes files up to the import limit (16 MiB), not MAX_BODY_BYTES."""
    account = signup()
    rows = ''.join(f'Task number {n} with a title long enough to add up\n' for n in range(30_000))
    body = ('title\n' + rows).encode()
    assert len(body) > 1024 * 1024
    response = account.request(
        'POST',
        '/api/import?dry_run=true&format=csv',
        content=body,
        headers={'content-type': 'text/csv'},
    )
    assert response.status_code == 200, response.text[:300]
    assert response.json()['tasks'] == 30_000


def test_cors_only_for_configured_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('CORS_ORIGINS', 'https://scripts.example')
    from app.config import get_settings
    from tests.api.conftest import build_app

    get_settings.cache_clear()
    with TestClient(build_app()) as client:
        preflight = {
            'Access-Control-Request-Method': 'GET',
            'Access-Control-Request-Headers': 'authorization',
        }
        allowed = client.options(
            '/api/tasks', headers={'Origin': 'https://scripts.example', **preflight}
        )
        assert allowed.status_code == 200
        assert allowed.headers['access-control-allow-origin'] == 'https://scripts.example'
        assert 'access-control-allow-credentials' not in allowed.headers
        refused = client.options(
            '/api/tasks', headers={'Origin': 'https://evil.example', **preflight}
        )
        assert 'access-control-allow-origin' not in refused.headers
        simple = client.get('/api/tasks', headers={'Origin': 'https://evil.example'})
        assert 'access-control-allow-origin' not in simple.headers
        # Conditional writes work across origins: If-Match may be sent and ETag read.
        conditional = client.options(
            '/api/tasks/1',
            headers={
                'Origin': 'https://scripts.example',
                'Access-Control-Request-Method': 'PATCH',
                'Access-Control-Request-Headers': 'authorization, content-type, if-match',
            },
        )
        assert conditional.status_code == 200
        listed = client.get('/api/tasks', headers={'Origin': 'https://scripts.example'})
        assert 'etag' in listed.headers['access-control-expose-headers'].lower()


def test_no_cors_headers_without_configured_origins(client: TestClient) -> None:
    response = client.get('/api/tasks', headers={'Origin': 'https://anywhere.example'})
    assert 'access-control-allow-origin' not in response.headers


def test_openapi_documents_every_route_with_errors(client: TestClient) -> None:
    spec = client.get('/openapi.json').json()
    paths = spec['paths']
    expected = {
        ('post', '/api/auth/register'),
        ('post', '/api/auth/signup'),
        ('post', '/api/auth/login'),
        ('post', '/api/auth/signin'),
        ('post', '/api/auth/refresh'),
        ('post', '/api/auth/logout'),
        ('post', '/api/auth/signout'),
        ('get', '/api/auth/me'),
        ('get', '/api/tasks'),
        ('post', '/api/tasks'),
        ('get', '/api/tasks/{task_id}'),
        ('patch', '/api/tasks/{task_id}'),
        ('patch', '/api/tasks/{task_id}/toggle'),
        ('delete', '/api/tasks/{task_id}'),
        ('post', '/api/tasks/{task_id}/move'),
        ('get', '/api/lists'),
        ('post', '/api/lists'),
        ('get', '/api/lists/{list_id}'),
        ('patch', '/api/lists/{list_id}'),
        ('delete', '/api/lists/{list_id}'),
        ('post', '/api/lists/{list_id}/move'),
        ('get', '/api/lists/{list_id}/members'),
        ('post', '/api/lists/{list_id}/members'),
        ('patch', '/api/lists/{list_id}/members/{user_id}'),
        ('delete', '/api/lists/{list_id}/members/{user_id}'),
        ('get', '/api/overview'),
        ('put', '/api/me/time-zone'),
        ('get', '/api/me'),
        ('patch', '/api/me'),
        ('delete', '/api/me'),
        ('put', '/api/me/email'),
        ('put', '/api/me/password'),
        ('get', '/api/me/sessions'),
        ('delete', '/api/me/sessions'),
        ('delete', '/api/me/sessions/{session_id}'),
        ('get', '/api/me/calendar'),
        ('post', '/api/me/calendar'),
        ('delete', '/api/me/calendar'),
        ('get', '/api/export'),
        ('get', '/api/export/schema'),
        ('post', '/api/import'),
        ('post', '/api/auth/forgot-password'),
        ('post', '/api/auth/reset-password'),
        ('get', '/api/admin/users'),
        ('patch', '/api/admin/users/{user_id}'),
        ('delete', '/api/admin/users/{user_id}'),
        ('post', '/api/admin/users/{user_id}/reset-link'),
        ('get', '/api/admin/invitations'),
        ('post', '/api/admin/invitations'),
        ('delete', '/api/admin/invitations/{invitation_id}'),
    }
    assert {(m, p) for p, ops in paths.items() for m in ops} == expected
    # Routes that check a password say so, and how a guesser is slowed down.
    for method, path in [
        ('put', '/api/me/email'),
        ('put', '/api/me/password'),
        ('delete', '/api/me'),
    ]:
        assert {'401', '422', '429'} <= set(paths[path][method]['responses'])
    assert '404' in paths['/api/me/sessions/{session_id}']['delete']['responses']
    assert set(paths['/api/import']['post']['requestBody']['content']) == {
        'application/json',
        'text/csv',
    }
    assert set(paths['/api/tasks/{task_id}']['patch']['responses']) >= {'200', '401', '404', '422'}
    for method, path in [
        ('patch', '/api/tasks/{task_id}'),
        ('patch', '/api/tasks/{task_id}/toggle'),
        ('post', '/api/tasks/{task_id}/move'),
        ('delete', '/api/tasks/{task_id}'),
        ('patch', '/api/lists/{list_id}'),
        ('delete', '/api/lists/{list_id}'),
    ]:
        operation = paths[path][method]
        assert {'400', '404', '412'} <= set(operation['responses'])
        assert 'If-Match' in {p['name'] for p in operation['parameters'] if p['in'] == 'header'}
    assert '409' in paths['/api/lists/{list_id}']['delete']['responses']
    for method, path, status in [
        ('get', '/api/tasks/{task_id}', '200'),
        ('post', '/api/tasks', '201'),
        ('patch', '/api/tasks/{task_id}', '200'),
        ('patch', '/api/tasks/{task_id}/toggle', '200'),
        ('post', '/api/tasks/{task_id}/move', '200'),
        ('get', '/api/lists/{list_id}', '200'),
        ('post', '/api/lists', '201'),
        ('patch', '/api/lists/{list_id}', '200'),
        ('post', '/api/lists/{list_id}/move', '200'),
    ]:
        assert 'ETag' in paths[path][method]['responses'][status]['headers']
    assert set(paths['/api/auth/login']['post']['requestBody']['content']) == {
        'application/json',
        'application/x-www-form-urlencoded',
    }
    assert (
        spec['components']['securitySchemes']['OAuth2PasswordBearer']['flows']['password'][
            'tokenUrl'
        ]
        == '/api/auth/login'
    )
