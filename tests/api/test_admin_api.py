"""/api/admin: 404 for anyone but an admin; people, deactivation, admins, deletion, reset links
and invitations for admins."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Account
from tests.factories import PASSWORD

NEW_PASSWORD = 'a brand new secret phrase'


@pytest.fixture
def boss(configure: Callable[..., None], signup: Callable[..., Account]) -> Iterator[Account]:
    configure(ADMIN_EMAILS='boss@example.com')
    account = signup('boss@example.com')
    assert account.body['user']['is_admin'] is True
    return account


def person_id(boss: Account, email: str) -> str:
    listed = boss.request('GET', '/api/admin/users').json()
    return str(next(p['id'] for p in listed if p['email'] == email))


def test_everything_is_404_for_someone_who_is_not_an_admin(
    boss: Account, signup: Callable[..., Account], client: TestClient
) -> None:
    person = signup()
    target = person_id(boss, boss.email)
    unknown = client.get('/api/no-such-route', headers=person.headers)
    assert unknown.status_code == 404
    for method, url, body in [
        ('GET', '/api/admin/users', None),
        ('PATCH', f'/api/admin/users/{target}', {'deactivated': True}),
        ('DELETE', f'/api/admin/users/{target}', {'confirmation': boss.email}),
        ('POST', f'/api/admin/users/{target}/reset-link', None),
        ('GET', '/api/admin/invitations', None),
        ('POST', '/api/admin/invitations', {}),
        ('DELETE', '/api/admin/invitations/abc', None),
    ]:
        response = person.request(method, url, json=body)
        assert (response.status_code, response.json()) == (404, unknown.json()), url
    assert boss.request('GET', '/api/auth/me').status_code == 200  # nothing happened to them
    assert client.get('/api/admin/users').status_code == 401


def test_admins_see_and_manage_people(boss: Account, signup: Callable[..., Account]) -> None:
    person = signup('alice@example.com')
    listed = boss.request('GET', '/api/admin/users').json()
    assert [(p['email'], p['is_admin'], p['active_sessions']) for p in listed] == [
        ('alice@example.com', False, 1),
        ('boss@example.com', True, 1),
    ]
    alice = listed[0]['id']
    assert set(listed[0]) >= {'created_at', 'last_seen_at', 'deactivated'}

    made = boss.request('PATCH', f'/api/admin/users/{alice}', json={'is_admin': True})
    assert made.status_code == 200
    assert made.json()['is_admin'] is True
    assert person.request('GET', '/api/admin/users').status_code == 200
    removed = boss.request('PATCH', f'/api/admin/users/{alice}', json={'is_admin': False})
    assert removed.json()['is_admin'] is False
    assert person.request('GET', '/api/admin/users').status_code == 404

    off = boss.request('PATCH', f'/api/admin/users/{alice}', json={'deactivated': True})
    assert off.status_code == 200
    assert (off.json()['deactivated'], off.json()['active_sessions']) == (True, 0)
    assert person.request('GET', '/api/tasks').status_code == 401  # its token stopped at once
    login = {'email': person.email, 'password': PASSWORD}
    refused = boss.client.post('/api/auth/login', json=login)
    assert refused.status_code == 401
    assert 'deactivated' in refused.json()['detail']
    refreshed = boss.client.post('/api/auth/refresh', json={'refresh_token': person.refresh_token})
    assert refreshed.status_code == 401
    on = boss.request('PATCH', f'/api/admin/users/{alice}', json={'deactivated': False})
    assert on.json()['deactivated'] is False
    assert boss.client.post('/api/auth/login', json=login).status_code == 200
    unchanged = boss.request('PATCH', f'/api/admin/users/{alice}', json={})
    assert unchanged.json()['email'] == 'alice@example.com'


def test_an_admin_cannot_act_on_themselves_or_leave_no_admin(boss: Account) -> None:
    me = person_id(boss, boss.email)
    for body in ({'deactivated': True}, {'is_admin': False}):
        response = boss.request('PATCH', f'/api/admin/users/{me}', json=body)
        assert response.status_code == 409, body
    deleted = boss.request('DELETE', f'/api/admin/users/{me}', json={'confirmation': boss.email})
    assert deleted.status_code == 409
    assert boss.request('GET', '/api/admin/users').json()[0]['is_admin'] is True


def test_deleting_someone_needs_their_email(boss: Account, signup: Callable[..., Account]) -> None:
    person = signup('alice@example.com')
    person.create('Their task')
    alice = person_id(boss, 'alice@example.com')
    wrong = boss.request('DELETE', f'/api/admin/users/{alice}', json={'confirmation': 'yes'})
    assert wrong.status_code == 422
    assert wrong.json()['detail'][0]['loc'] == ['body', 'confirmation']
    gone = boss.request(
        'DELETE', f'/api/admin/users/{alice}', json={'confirmation': 'Alice@Example.com'}
    )
    assert gone.status_code == 204
    assert person.request('GET', '/api/tasks').status_code == 401
    assert [p['email'] for p in boss.request('GET', '/api/admin/users').json()] == [boss.email]
    again = boss.request('DELETE', f'/api/admin/users/{alice}', json={'confirmation': 'x'})
    assert again.status_code == 404
    missing = boss.request('PATCH', f'/api/admin/users/{alice}', json={'deactivated': True})
    assert missing.status_code == 404


def test_a_reset_link_from_an_admin_resets_and_signs_out_everywhere(
    boss: Account, signup: Callable[..., Account]
) -> None:
    person = signup('alice@example.com')
    alice = person_id(boss, 'alice@example.com')
    issued = boss.request('POST', f'/api/admin/users/{alice}/reset-link')
    assert issued.status_code == 200
    link = issued.json()['link']
    assert link.startswith('http://testserver/reset?token=')
    token = link.split('token=', 1)[1]
    weak = boss.client.post(
        '/api/auth/reset-password', json={'token': token, 'new_password': 'short'}
    )
    assert weak.status_code == 422
    assert weak.json()['detail'][0]['loc'] == ['body', 'new_password']
    done = boss.client.post(
        '/api/auth/reset-password', json={'token': token, 'new_password': NEW_PASSWORD}
    )
    assert done.status_code == 204
    assert person.request('GET', '/api/tasks').status_code == 401
    again = boss.client.post(
        '/api/auth/reset-password', json={'token': token, 'new_password': 'yet another phrase'}
    )
    assert again.status_code == 422
    assert again.json()['detail'][0]['loc'] == ['body', 'token']
    login = {'email': person.email, 'password': NEW_PASSWORD}
    assert boss.client.post('/api/auth/login', json=login).status_code == 200


def test_invitations_by_api(
    boss: Account, configure: Callable[..., None], client: TestClient
) -> None:
    configure(ADMIN_EMAILS='boss@example.com', REGISTRATION='invite')
    made = boss.request('POST', '/api/admin/invitations', json={'email': 'New@Example.com'})
    assert made.status_code == 201
    invitation = made.json()
    assert (invitation['email'], invitation['status']) == ('new@example.com', 'pending')
    token = invitation['link'].split('invite=', 1)[1]
    anyone = boss.request('POST', '/api/admin/invitations', json={}).json()
    listed = boss.request('GET', '/api/admin/invitations').json()
    assert [i['id'] for i in listed] == [anyone['id'], invitation['id']]  # newest first
    bad = boss.request('POST', '/api/admin/invitations', json={'email': 'nope'})
    assert bad.status_code == 422

    body = {'email': 'other@example.com', 'password': PASSWORD, 'invitation': token}
    wrong = client.post('/api/auth/register', json=body)
    assert wrong.status_code == 403
    assert wrong.json()['detail'] == 'This invitation is for a different email address.'
    joined = client.post('/api/auth/register', json={**body, 'email': 'new@example.com'})
    assert joined.status_code == 201
    used = client.post('/api/auth/register', json={**body, 'email': 'new2@example.com'})
    assert (used.status_code, used.json()['detail']) == (
        403,
        'This invitation has already been used.',
    )

    revoked = boss.request('DELETE', f'/api/admin/invitations/{anyone["id"]}')
    assert revoked.status_code == 204
    anyone_token = anyone['link'].split('invite=', 1)[1]
    late = client.post('/api/auth/register', json={**body, 'invitation': anyone_token})
    assert late.status_code == 403
    assert 'withdrawn' in late.json()['detail']
    statuses = {i['id']: i['status'] for i in boss.request('GET', '/api/admin/invitations').json()}
    assert statuses == {invitation['id']: 'used', anyone['id']: 'revoked'}
    assert boss.request('DELETE', f'/api/admin/invitations/{invitation["id"]}').status_code == 409
    assert boss.request('DELETE', '/api/admin/invitations/' + 'f' * 32).status_code == 404
    assert boss.request('DELETE', '/api/admin/invitations/not-hex!').status_code == 422
