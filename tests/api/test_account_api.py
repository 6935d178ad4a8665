"""The account routes: /api/me and its settings, email, password, sessions, deletion, and the
calendar feed at /cal/<token>.ics."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.api.conftest import Account

NEW_PASSWORD = 'a new and longer secret'


def test_me_has_the_settings_and_patch_changes_only_what_is_sent(
    signup: Callable[..., Account],
) -> None:
    me = signup()
    got = me.request('GET', '/api/me')
    assert got.status_code == 200
    assert got.json() | {'id': None, 'created_at': None} == {
        'id': None,
        'created_at': None,
        'email': me.email,
        'time_zone': 'UTC',
        'is_admin': False,
        'week_start': 'monday',
        'theme': 'system',
        'default_list_id': None,
        'calendar_feed': False,
    }
    errands = me.request('POST', '/api/lists', json={'name': 'Errands'}).json()
    changed = me.request(
        'PATCH', '/api/me', json={'theme': 'dark', 'default_list_id': errands['id']}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()['theme'], changed.json()['default_list_id']) == ('dark', errands['id'])
    changed = me.request('PATCH', '/api/me', json={'default_list_id': None})
    assert (changed.json()['theme'], changed.json()['default_list_id']) == ('dark', None)
    bad = me.request('PATCH', '/api/me', json={'week_start': 'friday'})
    assert bad.status_code == 422
    assert bad.json()['detail'][0]['loc'] == ['body', 'week_start']


def test_the_time_zone_route_still_works_and_me_shows_it(signup: Callable[..., Account]) -> None:
    me = signup()
    put = me.request('PUT', '/api/me/time-zone', json={'time_zone': 'Europe/Berlin'})
    assert put.status_code == 200
    assert put.json()['time_zone'] == 'Europe/Berlin'
    assert me.request('GET', '/api/auth/me').json()['time_zone'] == 'Europe/Berlin'
    assert me.request('GET', '/api/me').json()['time_zone'] == 'Europe/Berlin'


def test_changing_the_password_ends_the_other_sessions_only(
    signup: Callable[..., Account], client: TestClient
) -> None:
    me = signup()
    other = client.post(
        '/api/auth/login',
        json={'email': me.email, 'password': me.password},
        headers={'User-Agent': 'curl/8.5.0'},
    ).json()
    wrong = me.request(
        'PUT',
        '/api/me/password',
        json={'current_password': 'nope', 'new_password': NEW_PASSWORD},
    )
    assert wrong.status_code == 422
    assert wrong.json()['detail'][0]['loc'] == ['body', 'current_password']
    changed = me.request(
        'PUT',
        '/api/me/password',
        json={'current_password': me.password, 'new_password': NEW_PASSWORD},
    )
    assert changed.status_code == 204
    assert me.request('GET', '/api/me').status_code == 200
    ended = client.get('/api/me', headers={'Authorization': f'Bearer {other["access_token"]}'})
    assert ended.status_code == 401
    login = client.post('/api/auth/login', json={'email': me.email, 'password': NEW_PASSWORD})
    assert login.status_code == 200


def test_changing_the_email(signup: Callable[..., Account]) -> None:
    me, taken = signup(), signup()
    conflict = me.request(
        'PUT', '/api/me/email', json={'email': taken.email.upper(), 'password': me.password}
    )
    assert conflict.status_code == 409
    changed = me.request(
        'PUT', '/api/me/email', json={'email': 'Fresh@Example.com', 'password': me.password}
    )
    assert changed.status_code == 200
    assert changed.json()['email'] == 'fresh@example.com'
    assert me.request('GET', '/api/auth/me').json()['email'] == 'fresh@example.com'


def test_sessions_are_listed_and_can_be_ended_one_or_all_others(
    signup: Callable[..., Account], client: TestClient
) -> None:
    me = signup()
    firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'
    others = [
        client.post(
            '/api/auth/login',
            json={'email': me.email, 'password': me.password},
            headers={'User-Agent': firefox},
        ).json()
        for _ in range(2)
    ]
    listed = me.request('GET', '/api/me/sessions').json()
    assert len(listed) == 3
    current = [item for item in listed if item['current']]
    assert len(current) == 1
    assert current[0]['address'] == 'testclient'
    assert sorted(item['device'] for item in listed) == [
        'API client',
        'Firefox on Linux',
        'Firefox on Linux',
    ]
    first_id = next(item['id'] for item in listed if not item['current'])
    assert me.request('DELETE', f'/api/me/sessions/{first_id}').status_code == 204
    assert me.request('DELETE', f'/api/me/sessions/{first_id}').status_code == 404
    assert me.request('DELETE', '/api/me/sessions?others=false').status_code == 422
    ended = me.request('DELETE', '/api/me/sessions?others=true')
    assert ended.json() == {'ended': 1}
    for tokens in others:
        headers = {'Authorization': f'Bearer {tokens["access_token"]}'}
        assert client.get('/api/me', headers=headers).status_code == 401
    assert [item['current'] for item in me.request('GET', '/api/me/sessions').json()] == [True]


def test_another_persons_ids_are_not_found_and_nothing_changes(
    signup: Callable[..., Account],
) -> None:
    me, other = signup(), signup()
    theirs = other.request('GET', '/api/me/sessions').json()[0]['id']
    their_list = other.request('POST', '/api/lists', json={'name': 'Theirs'}).json()['id']
    assert me.request('DELETE', f'/api/me/sessions/{theirs}').status_code == 404
    assert me.request('DELETE', f'/api/me/sessions/{uuid.uuid4()}').status_code == 404
    assert me.request('PATCH', '/api/me', json={'default_list_id': their_list}).status_code == 404
    assert me.request('GET', '/api/me').json()['default_list_id'] is None
    assert other.request('GET', '/api/me').status_code == 200


def test_deleting_the_account_needs_the_password_and_the_words(
    signup: Callable[..., Account], client: TestClient
) -> None:
    me, other = signup(), signup()
    me.create('Gone soon')
    other.create('Stays')
    refused = me.request('DELETE', '/api/me', json={'password': me.password, 'confirmation': 'ok'})
    assert refused.status_code == 422
    assert refused.json()['detail'][0]['loc'] == ['body', 'confirmation']
    wrong = me.request(
        'DELETE', '/api/me', json={'password': 'nope', 'confirmation': 'delete my account'}
    )
    assert wrong.status_code == 422
    deleted = me.request(
        'DELETE', '/api/me', json={'password': me.password, 'confirmation': me.email}
    )
    assert deleted.status_code == 204
    assert me.request('GET', '/api/me').status_code == 401
    login = client.post('/api/auth/login', json={'email': me.email, 'password': me.password})
    assert login.status_code == 401
    assert [t['title'] for t in other.request('GET', '/api/tasks').json()['items']] == ['Stays']


def test_the_calendar_feed_url_needs_no_session_and_regenerating_ends_the_old_one(
    signup: Callable[..., Account], client: TestClient
) -> None:
    me = signup()
    me.create('Dentist', due_date=date(2026, 12, 3).isoformat())
    assert me.request('GET', '/api/me/calendar').json() == {'url': None}
    url = me.request('POST', '/api/me/calendar').json()['url']
    assert url.startswith('http://testserver/cal/')
    assert url.endswith('.ics')
    assert me.request('GET', '/api/me/calendar').json() == {'url': url}
    assert me.request('GET', '/api/me').json()['calendar_feed'] is True
    feed = client.get(url)  # no Authorization header, no cookie
    assert feed.status_code == 200
    assert feed.headers['content-type'] == 'text/calendar; charset=utf-8'
    assert feed.headers['cache-control'] == 'private, max-age=300'
    events = Calendar.from_ical(feed.content).walk('VEVENT')
    assert [str(event['SUMMARY']) for event in events] == ['Dentist']
    again = client.get(url, headers={'If-None-Match': feed.headers['etag']})
    assert again.status_code == 304
    new_url = me.request('POST', '/api/me/calendar').json()['url']
    assert new_url != url
    assert client.get(url).status_code == 404
    assert client.get(new_url).status_code == 200
    assert me.request('DELETE', '/api/me/calendar').status_code == 204
    assert client.get(new_url).status_code == 404
    assert client.get('/cal/not-a-token.ics').status_code == 404
