"""Tasks in lists: due dates and times in the person's zone, priorities, filters, sorts, moves,
the old-client contract, the overview and the time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import Account

# At every instant the date in Kiritimati (UTC+14) is one or two days after Pago Pago's (UTC-11).
FAR_EAST, FAR_WEST = 'Pacific/Kiritimati', 'Pacific/Pago_Pago'


def _new_list(account: Account, name: str, **fields: Any) -> dict[str, Any]:
    response = account.request('POST', '/api/lists', json={'name': name, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _inbox_id(account: Account) -> int:
    return int(account.request('GET', '/api/lists').json()[0]['id'])


def _titles(account: Account, **params: Any) -> list[str]:
    response = account.request('GET', '/api/tasks', params=params)
    assert response.status_code == 200, response.text
    return [task['title'] for task in response.json()['items']]


def _set_zone(account: Account, name: str) -> Any:
    return account.request('PUT', '/api/me/time-zone', json={'time_zone': name})


def _today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


# ---------------------------------------------------------------- the old-client contract


def test_a_task_created_without_a_list_lands_in_the_inbox(signup: Callable[..., Account]) -> None:
    account = signup()
    task = account.create('Old client', description='sends only title and description')
    assert task['list_id'] == _inbox_id(account)
    assert (task['due_date'], task['due_time'], task['due_at'], task['priority']) == (
        None,
        None,
        None,
        0,
    )


def test_listing_without_filters_spans_every_list_incomplete_then_newest(
    signup: Callable[..., Account],
) -> None:
    account = signup()
    work = _new_list(account, 'Work')
    home = _new_list(account, 'Home')
    account.create('One')
    account.create('Two', list_id=work['id'])
    three = account.create('Three', list_id=home['id'])
    account.create('Four')
    account.request('PATCH', f'/api/tasks/{three["id"]}/toggle')
    assert _titles(account) == ['Four', 'Two', 'One', 'Three']
    page = account.request('GET', '/api/tasks').json()
    assert (page['total'], page['limit'], page['offset']) == (4, 50, 0)


# ---------------------------------------------------------------- new fields


def test_create_with_a_list_a_due_date_and_time_and_a_priority(
    signup: Callable[..., Account],
) -> None:
    account = signup()
    assert _set_zone(account, 'Europe/Berlin').status_code == 200
    errands = _new_list(account, 'Errands')
    response = account.request(
        'POST',
        '/api/tasks',
        json={
            'title': 'Pick up parcel',
            'list_id': errands['id'],
            'due_date': '2027-01-15',
            'due_time': '17:30',
            'priority': 3,
        },
    )
    assert response.status_code == 201, response.text
    task = response.json()
    assert (task['list_id'], task['due_date'], task['due_time'], task['priority']) == (
        errands['id'],
        '2027-01-15',
        '17:30:00',
        3,
    )
    assert datetime.fromisoformat(task['due_at']) == datetime(2027, 1, 15, 16, 30, tzinfo=UTC)
    assert response.headers['etag'] == 'W/"1"'
    dated_only = account.create('Someday', due_date='2027-03-01')
    assert (dated_only['due_date'], dated_only['due_time'], dated_only['due_at']) == (
        '2027-03-01',
        None,
        None,
    )


def test_a_new_task_goes_on_top_of_its_list(signup: Callable[..., Account]) -> None:
    account = signup()
    for title in ('First', 'Second', 'Third'):
        account.create(title)
    assert _titles(account, list_id=_inbox_id(account)) == ['Third', 'Second', 'First']


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({'due_time': '10:00'}, 'due_time'),
        ({'due_date': '2027-02-30'}, 'due_date'),
        ({'due_date': 'tomorrow'}, 'due_date'),
        ({'due_date': '2027-02-01', 'due_time': '25:00'}, 'due_time'),
        ({'due_date': '2027-02-01', 'due_time': '10:00+02:00'}, 'due_time'),
        ({'priority': 4}, 'priority'),
        ({'priority': -1}, 'priority'),
        ({'priority': 'high'}, 'priority'),
        ({'list_id': 0}, 'list_id'),
        ({'list_id': 2**31}, 'list_id'),
        ({'position': 3}, 'position'),
    ],
)
def test_bad_new_fields_are_422_naming_the_field_and_store_nothing(
    signup: Callable[..., Account], body: dict[str, Any], field: str
) -> None:
    account = signup()
    response = account.request('POST', '/api/tasks', json={'title': 'Bad', **body})
    assert response.status_code == 422, response.text
    assert response.json()['detail'][0]['loc'] == ['body', field]
    assert account.request('GET', '/api/tasks').json()['total'] == 0


@pytest.mark.parametrize(
    ('zone', 'due_date', 'due_time'),
    [
        (FAR_WEST, '9999-12-31', '23:59'),  # past the last instant a datetime can hold
        (FAR_EAST, '9999-12-31', '23:59'),
        (FAR_EAST, '0001-01-01', '00:00'),  # before the first one
        (FAR_WEST, '0001-01-01', '00:00'),
        ('UTC', '9999-12-31', '00:00'),
    ],
)
def test_timed_due_dates_at_the_ends_of_the_calendar_are_422_not_500(
    signup: Callable[..., Account], zone: str, due_date: str, due_time: str
) -> None:
    account = signup()
    assert _set_zone(account, zone).status_code == 200
    task = account.create('Edge')
    body = {'due_date': due_date, 'due_time': due_time}
    for method, url in [('POST', '/api/tasks'), ('PATCH', f'/api/tasks/{task["id"]}')]:
        response = account.request(method, url, json={'title': 'Edge', **body})
        assert response.status_code == 422, response.text
        assert response.json()['detail'][0]['loc'] == ['body', 'due_date']
    assert account.request('GET', f'/api/tasks/{task["id"]}').json() == task
    # Without a time the same dates are plain calendar dates, and fine.
    assert account.create('Far', due_date=due_date)['due_date'] == due_date


def test_a_timed_due_date_near_the_end_survives_any_change_of_zone(
    signup: Callable[..., Account],
) -> None:
    account = signup()
    assert _set_zone(account, FAR_WEST).status_code == 200
    late = account.create('Late', due_date='9999-12-30', due_time='12:00')
    assert _set_zone(account, 'UTC').status_code == 200
    early = account.create('Early', due_date='0001-01-02', due_time='00:00')
    for zone in (FAR_EAST, FAR_WEST, 'UTC'):
        assert _set_zone(account, zone).status_code == 200
    for task in (late, early):
        fetched = account.request('GET', f'/api/tasks/{task["id"]}').json()
        assert fetched['due_at'] == task['due_at']


def test_patch_sets_clears_and_keeps_due_fields(signup: Callable[..., Account]) -> None:
    account = signup()
    task = account.create('Dentist')
    url = f'/api/tasks/{task["id"]}'

    def patch(body: dict[str, Any]) -> dict[str, Any]:
        response = account.request('PATCH', url, json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    timed = patch({'due_date': '2027-05-04', 'due_time': '09:15', 'priority': 2})
    assert (timed['due_date'], timed['due_time'], timed['priority']) == (
        '2027-05-04',
        '09:15:00',
        2,
    )
    retitled = patch({'title': 'Dentist (moved)'})  # absent due fields are left alone
    assert (retitled['due_date'], retitled['due_time'], retitled['priority']) == (
        '2027-05-04',
        '09:15:00',
        2,
    )
    new_day = patch({'due_date': '2027-05-06'})  # a new date keeps the time of day
    assert (new_day['due_date'], new_day['due_time']) == ('2027-05-06', '09:15:00')
    untimed = patch({'due_time': None})  # keeps the date, drops the time
    assert (untimed['due_date'], untimed['due_time'], untimed['due_at']) == (
        '2027-05-06',
        None,
        None,
    )
    retimed = patch({'due_time': '18:00'})  # a time on the date it already has
    assert (retimed['due_date'], retimed['due_time']) == ('2027-05-06', '18:00:00')
    cleared = patch({'due_date': None})  # clearing the date clears the time
    assert (cleared['due_date'], cleared['due_time'], cleared['due_at']) == (None, None, None)
    assert cleared['priority'] == 2
    lonely = account.request('PATCH', url, json={'due_time': '08:00'})
    assert (lonely.status_code, lonely.json()['detail'][0]['loc']) == (422, ['body', 'due_time'])
    none_priority = patch({'priority': None})  # null means "no change", as for the title
    assert none_priority['priority'] == 2
    assert patch({'priority': 0})['priority'] == 0


def test_patch_cannot_move_a_task_to_another_list(signup: Callable[..., Account]) -> None:
    account = signup()
    work = _new_list(account, 'Work')
    task = account.create('Stay')
    response = account.request('PATCH', f'/api/tasks/{task["id"]}', json={'list_id': work['id']})
    assert (response.status_code, response.json()['detail'][0]['loc']) == (
        422,
        ['body', 'list_id'],
    )


# ---------------------------------------------------------------- filters and sorts


def test_due_filters_are_inclusive_and_combine(signup: Callable[..., Account]) -> None:
    account = signup()
    account.create('Jan 10', due_date='2027-01-10', priority=1)
    account.create('Jan 20', due_date='2027-01-20', priority=3)
    account.create('Jan 31', due_date='2027-01-31', priority=3)
    account.create('Undated', priority=3)
    assert _titles(account, due_after='2027-01-20') == ['Jan 31', 'Jan 20']
    assert _titles(account, due_before='2027-01-20') == ['Jan 20', 'Jan 10']
    assert _titles(account, due_after='2027-01-11', due_before='2027-01-30') == ['Jan 20']
    assert _titles(account, priority=3) == ['Undated', 'Jan 31', 'Jan 20']
    assert _titles(account, priority=3, due_before='2027-01-25') == ['Jan 20']
    assert _titles(account, priority=0) == []


def test_overdue_means_before_today_in_the_persons_zone(signup: Callable[..., Account]) -> None:
    account = signup()
    west_today = _today_in(FAR_WEST)
    account.create('Due today out west', due_date=west_today.isoformat())
    account.create('Long overdue', due_date=(west_today - timedelta(days=5)).isoformat())
    done = account.create('Done late', due_date=(west_today - timedelta(days=5)).isoformat())
    account.request('PATCH', f'/api/tasks/{done["id"]}/toggle')
    account.create('Next year', due_date=(west_today + timedelta(days=365)).isoformat())
    account.create('Undated')
    assert _set_zone(account, FAR_WEST).status_code == 200
    assert _titles(account, overdue='true') == ['Long overdue']
    assert _titles(account, overdue='false') == [
        'Undated',
        'Next year',
        'Due today out west',
        'Done late',
    ]
    # In Kiritimati it is already tomorrow (or later): today's task out west is overdue there.
    assert _set_zone(account, FAR_EAST).status_code == 200
    assert _titles(account, overdue='true') == ['Long overdue', 'Due today out west']


def test_sorts(signup: Callable[..., Account]) -> None:
    account = signup()
    work = _new_list(account, 'Work')

    def add(title: str, **fields: Any) -> dict[str, Any]:
        return account.create(title, list_id=work['id'], **fields)

    add('Undated high', priority=3)
    add('Feb 2 at 9', due_date='2027-02-02', due_time='09:00', priority=1)
    add('Feb 2 all day', due_date='2027-02-02')
    add('Feb 1 low', due_date='2027-02-01', priority=1)
    add('Feb 1 high', due_date='2027-02-01', priority=3)
    closed = add('Closed first', priority=3)
    account.request('PATCH', f'/api/tasks/{closed["id"]}/toggle')
    later = add('Closed second')
    account.request('PATCH', f'/api/tasks/{later["id"]}/toggle')

    by_due = _titles(account, list_id=work['id'], sort='due')
    assert by_due[:5] == ['Feb 1 high', 'Feb 1 low', 'Feb 2 all day', 'Feb 2 at 9', 'Undated high']
    by_priority = _titles(account, list_id=work['id'], sort='priority')
    assert by_priority[:5] == [
        'Feb 1 high',
        'Undated high',
        'Feb 1 low',
        'Feb 2 at 9',
        'Feb 2 all day',
    ]
    manual = _titles(account, list_id=work['id'], sort='manual')
    assert manual[:5] == ['Feb 1 high', 'Feb 1 low', 'Feb 2 all day', 'Feb 2 at 9', 'Undated high']
    completed = _titles(account, list_id=work['id'], sort='completed')
    assert completed[:2] == ['Closed second', 'Closed first']
    newest = _titles(account, sort='newest')
    assert newest[:2] == ['Feb 1 high', 'Feb 1 low']
    # Without `sort`, a list answers in the order it keeps; across lists, newest first.
    account.request('PATCH', f'/api/lists/{work["id"]}', json={'sort': 'due'})
    assert _titles(account, list_id=work['id']) == by_due
    bad = account.request('GET', '/api/tasks', params={'sort': 'title'})
    assert (bad.status_code, bad.json()['detail'][0]['loc']) == (422, ['query', 'sort'])


@pytest.mark.parametrize(
    'params',
    [
        {'list_id': 0},
        {'list_id': 2**31},
        {'due_before': '2027-02-30'},
        {'due_after': '10000-01-01'},
        {'overdue': 'maybe'},
        {'priority': 4},
        {'sort': 'random'},
    ],
)
def test_bad_filters_are_422(signup: Callable[..., Account], params: dict[str, Any]) -> None:
    response = signup().request('GET', '/api/tasks', params=params)
    assert response.status_code == 422, response.text
    assert response.json()['detail'][0]['loc'] == ['query', next(iter(params))]


# ---------------------------------------------------------------- move


def test_move_within_a_list_and_into_another(signup: Callable[..., Account]) -> None:
    account = signup()
    inbox = _inbox_id(account)
    c, b, a = (account.create(title) for title in ('C', 'B', 'A'))  # A on top
    assert _titles(account, list_id=inbox) == ['A', 'B', 'C']

    def move(task: dict[str, Any], **body: Any) -> Any:
        response = account.request('POST', f'/api/tasks/{task["id"]}/move', json=body)
        assert response.status_code == 200, response.text
        assert response.headers['etag'] == f'W/"{response.json()["version"]}"'
        return response.json()

    move(a, after_id=c['id'])
    assert _titles(account, list_id=inbox) == ['B', 'C', 'A']
    move(a, before_id=c['id'])
    assert _titles(account, list_id=inbox) == ['B', 'A', 'C']
    move(c)  # neither: on top
    assert _titles(account, list_id=inbox) == ['C', 'B', 'A']
    for _ in range(60):  # past the point where the gap runs out
        move(a, before_id=b['id'])
        move(a, after_id=b['id'])
    assert _titles(account, list_id=inbox) == ['C', 'B', 'A']

    work = _new_list(account, 'Work')
    w = account.create('W', list_id=work['id'])
    moved = move(b, list_id=work['id'], after_id=w['id'])
    assert moved['list_id'] == work['id']
    assert _titles(account, list_id=work['id']) == ['W', 'B']
    assert _titles(account, list_id=inbox) == ['C', 'A']
    on_top = move(a, list_id=work['id'])
    assert on_top['list_id'] == work['id']
    assert _titles(account, list_id=work['id']) == ['A', 'W', 'B']


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({'before_id': 'elsewhere'}, 'before_id'),
        ({'after_id': 'self'}, 'after_id'),
        ({'before_id': 'sibling', 'after_id': 'sibling'}, 'before_id'),
        ({'before_id': 2**31}, 'before_id'),
        ({'list_id': -1}, 'list_id'),
        ({'position': 0.5}, 'position'),
    ],
)
def test_a_bad_move_is_422_naming_the_field_and_moves_nothing(
    signup: Callable[..., Account], body: dict[str, Any], field: str
) -> None:
    account = signup()
    work = _new_list(account, 'Work')
    elsewhere = account.create('Elsewhere', list_id=work['id'])
    sibling = account.create('Sibling')
    task = account.create('Moving')
    ids = {'elsewhere': elsewhere['id'], 'self': task['id'], 'sibling': sibling['id']}
    sent = {key: ids.get(value, value) for key, value in body.items()}
    before = account.request('GET', '/api/tasks').json()
    response = account.request('POST', f'/api/tasks/{task["id"]}/move', json=sent)
    assert response.status_code == 422, response.text
    assert response.json()['detail'][0]['loc'] == ['body', field]
    assert account.request('GET', '/api/tasks').json() == before


def test_move_honours_if_match(signup: Callable[..., Account]) -> None:
    account = signup()
    other = account.create('Other')
    task = account.create('Moving')
    url = f'/api/tasks/{task["id"]}/move'
    theirs = account.request('PATCH', f'/api/tasks/{task["id"]}', json={'priority': 1}).json()
    stale = account.request(
        'POST', url, json={'after_id': other['id']}, headers={'If-Match': 'W/"1"'}
    )
    assert stale.status_code == 412
    assert stale.json() == {'detail': 'This task was changed meanwhile.', 'current': theirs}
    malformed = account.request('POST', url, json={}, headers={'If-Match': 'v2'})
    assert malformed.status_code == 400
    assert _titles(account) == ['Moving', 'Other']
    current = account.request(
        'POST', url, json={'after_id': other['id']}, headers={'If-Match': 'W/"2"'}
    )
    assert (current.status_code, current.json()['version']) == (200, 3)
    assert _titles(account, list_id=_inbox_id(account)) == ['Other', 'Moving']


# ---------------------------------------------------------------- someone else's list or task


def _snapshot(account: Account) -> tuple[Any, Any]:
    tasks = account.request('GET', '/api/tasks', params={'limit': 100}).json()
    return account.request('GET', '/api/lists').json(), tasks


def test_a_task_cannot_be_created_in_someone_elses_list(signup: Callable[..., Account]) -> None:
    owner, intruder = signup(), signup()
    theirs = _new_list(owner, 'Theirs')
    before = _snapshot(owner)
    for list_id in (theirs['id'], _inbox_id(owner)):
        response = intruder.request(
            'POST', '/api/tasks', json={'title': 'Planted', 'list_id': list_id}
        )
        assert (response.status_code, response.json()) == (404, {'detail': 'List not found.'})
    assert _snapshot(owner) == before
    assert intruder.request('GET', '/api/tasks').json()['total'] == 0


def test_someone_elses_list_cannot_be_listed(signup: Callable[..., Account]) -> None:
    owner, intruder = signup(), signup()
    theirs = _new_list(owner, 'Theirs')
    owner.create('Secret', list_id=theirs['id'])
    for params in ({'list_id': theirs['id']}, {'list_id': theirs['id'], 'sort': 'due'}):
        response = intruder.request('GET', '/api/tasks', params=params)
        assert (response.status_code, response.json()) == (404, {'detail': 'List not found.'})


@pytest.mark.parametrize('neighbour', [None, 'before_id', 'after_id'])
def test_a_task_cannot_be_moved_into_someone_elses_list(
    signup: Callable[..., Account], neighbour: str | None
) -> None:
    owner, intruder = signup(), signup()
    theirs = _new_list(owner, 'Theirs')
    their_task = owner.create('Theirs', list_id=theirs['id'])
    mine = intruder.create('Mine')
    owner_before, intruder_before = _snapshot(owner), _snapshot(intruder)
    body: dict[str, Any] = {'list_id': theirs['id']}
    if neighbour:
        body[neighbour] = their_task['id']
    response = intruder.request('POST', f'/api/tasks/{mine["id"]}/move', json=body)
    assert (response.status_code, response.json()) == (404, {'detail': 'List not found.'})
    assert (_snapshot(owner), _snapshot(intruder)) == (owner_before, intruder_before)


def test_someone_elses_task_cannot_be_moved_or_used_as_a_neighbour(
    signup: Callable[..., Account],
) -> None:
    owner, intruder = signup(), signup()
    their_task = owner.create('Theirs')
    mine = intruder.create('Mine')
    my_list = _new_list(intruder, 'Mine')
    owner_before, intruder_before = _snapshot(owner), _snapshot(intruder)
    for body in ({}, {'list_id': my_list['id']}, {'list_id': _inbox_id(intruder)}):
        response = intruder.request('POST', f'/api/tasks/{their_task["id"]}/move', json=body)
        assert (response.status_code, response.json()) == (404, {'detail': 'Task not found.'})
    as_neighbour = intruder.request(
        'POST', f'/api/tasks/{mine["id"]}/move', json={'before_id': their_task['id']}
    )
    assert as_neighbour.status_code == 422
    assert as_neighbour.json()['detail'][0]['loc'] == ['body', 'before_id']
    assert (_snapshot(owner), _snapshot(intruder)) == (owner_before, intruder_before)


@pytest.mark.parametrize(
    'body',
    [{'priority': 3}, {'due_date': '2027-01-01'}, {'due_date': None}, {'due_time': None}],
)
def test_someone_elses_task_keeps_its_new_fields(
    signup: Callable[..., Account], body: dict[str, Any]
) -> None:
    owner, intruder = signup(), signup()
    task = owner.create('Theirs', due_date='2027-06-01', due_time='10:00', priority=1)
    response = intruder.request('PATCH', f'/api/tasks/{task["id"]}', json=body)
    assert (response.status_code, response.json()) == (404, {'detail': 'Task not found.'})
    assert owner.request('GET', f'/api/tasks/{task["id"]}').json() == task


# ---------------------------------------------------------------- time zone and overview


def test_the_time_zone_is_set_shown_and_moves_timed_due_dates(
    signup: Callable[..., Account],
) -> None:
    account = signup()
    assert account.request('GET', '/api/auth/me').json()['time_zone'] == 'UTC'
    task = account.create('Call', due_date='2027-03-10', due_time='23:30')
    response = _set_zone(account, 'Asia/Tokyo')
    assert response.status_code == 200
    assert response.json()['time_zone'] == 'Asia/Tokyo'
    assert account.request('GET', '/api/auth/me').json()['time_zone'] == 'Asia/Tokyo'
    moved = account.request('GET', f'/api/tasks/{task["id"]}').json()
    assert (moved['due_date'], moved['due_time'], moved['due_at']) == (
        '2027-03-11',
        '08:30:00',
        task['due_at'],
    )


@pytest.mark.parametrize(
    'body',
    [
        {'time_zone': 'Mars/Olympus_Mons'},
        {'time_zone': ''},
        {'time_zone': 'x' * 65},
        {'time_zone': 5},
        {},
        {'time_zone': 'UTC', 'locale': 'de'},
    ],
)
def test_an_unknown_time_zone_is_422_and_changes_nothing(
    signup: Callable[..., Account], body: dict[str, Any]
) -> None:
    account = signup()
    response = account.request('PUT', '/api/me/time-zone', json=body)
    assert response.status_code == 422, response.text
    assert response.json()['detail'][0]['loc'][0] == 'body'
    assert account.request('GET', '/api/auth/me').json()['time_zone'] == 'UTC'


def test_the_overview_counts_in_the_persons_zone(signup: Callable[..., Account]) -> None:
    account = signup()
    assert _set_zone(account, FAR_EAST).status_code == 200
    today = _today_in(FAR_EAST)
    work = _new_list(account, 'Work')
    account.create('Overdue', due_date=(today - timedelta(days=1)).isoformat())
    account.create('Today', due_date=today.isoformat(), list_id=work['id'])
    account.create('In a week', due_date=(today + timedelta(days=7)).isoformat())
    account.create('In a month', due_date=(today + timedelta(days=30)).isoformat())
    done = account.create('Done', due_date=today.isoformat())
    account.request('PATCH', f'/api/tasks/{done["id"]}/toggle')
    response = account.request('GET', '/api/overview')
    assert response.status_code == 200
    overview = response.json()
    assert overview['today_date'] == today.isoformat()
    assert (
        overview['today'],
        overview['overdue'],
        overview['upcoming'],
        overview['completed'],
    ) == (2, 1, 2, 1)
    assert [(item['name'], item['open_count']) for item in overview['lists']] == [
        ('Inbox', 3),
        ('Work', 1),
    ]
