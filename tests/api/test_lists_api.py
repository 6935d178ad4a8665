"""/api/lists: a person's lists, their order, versions, and what deleting one does to its tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Account

LIST_KEYS = {
    'id',
    'name',
    'colour',
    'position',
    'is_inbox',
    'sort',
    'created_at',
    'updated_at',
    'version',
    'role',
}


def _new_list(account: Account, name: str, **fields: Any) -> dict[str, Any]:
    response = account.request('POST', '/api/lists', json={'name': name, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _names(account: Account) -> list[str]:
    response = account.request('GET', '/api/lists')
    assert response.status_code == 200, response.text
    return [item['name'] for item in response.json()]


def _inbox(account: Account) -> dict[str, Any]:
    first = account.request('GET', '/api/lists').json()[0]
    assert first['is_inbox'] is True
    return dict(first)


def _everything(account: Account) -> tuple[Any, Any]:
    """All of a person's lists and tasks, as a client sees them: what "nothing changed" means."""
    tasks = account.request('GET', '/api/tasks', params={'limit': 100}).json()
    return account.request('GET', '/api/lists').json(), tasks


def test_a_new_account_has_just_its_inbox(signup: Callable[..., Account]) -> None:
    account = signup()
    listed = account.request('GET', '/api/lists').json()
    assert len(listed) == 1
    inbox = listed[0]
    assert set(inbox) == LIST_KEYS | {'open_count', 'members'}
    assert (inbox['name'], inbox['is_inbox'], inbox['sort'], inbox['open_count']) == (
        'Inbox',
        True,
        'manual',
        0,
    )


def test_create_get_and_list_in_order_with_open_counts(signup: Callable[..., Account]) -> None:
    account = signup()
    created = account.request('POST', '/api/lists', json={'name': '  Errands  ', 'colour': 'teal'})
    assert created.status_code == 201
    errands = created.json()
    assert set(errands) == LIST_KEYS
    assert (errands['name'], errands['colour'], errands['is_inbox'], errands['version']) == (
        'Errands',
        'teal',
        False,
        1,
    )
    assert created.headers['location'] == f'/api/lists/{errands["id"]}'
    assert created.headers['etag'] == 'W/"1"'
    fetched = account.request('GET', f'/api/lists/{errands["id"]}')
    assert (fetched.json(), fetched.headers['etag']) == (errands, 'W/"1"')
    _new_list(account, 'Work')
    assert _names(account) == ['Inbox', 'Errands', 'Work']

    account.create('Milk', list_id=errands['id'])
    bread = account.create('Bread', list_id=errands['id'])
    account.create('Loose end')
    account.request('PATCH', f'/api/tasks/{bread["id"]}/toggle')
    counts = {
        item['name']: item['open_count'] for item in account.request('GET', '/api/lists').json()
    }
    assert counts == {'Inbox': 1, 'Errands': 1, 'Work': 0}


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({}, 'name'),
        ({'name': ''}, 'name'),
        ({'name': '   '}, 'name'),
        ({'name': 'x' * 101}, 'name'),
        ({'name': 7}, 'name'),
        ({'name': 'Ok', 'colour': '#ff0000'}, 'colour'),
        ({'name': 'Ok', 'sort': 'due'}, 'sort'),
        ({'name': 'Ok', 'is_inbox': True}, 'is_inbox'),
    ],
)
def test_create_validation_is_422_with_the_field_and_stores_nothing(
    signup: Callable[..., Account], body: dict[str, object], field: str
) -> None:
    account = signup()
    response = account.request('POST', '/api/lists', json=body)
    assert response.status_code == 422
    assert response.json()['detail'][0]['loc'] == ['body', field]
    assert _names(account) == ['Inbox']


def test_a_name_of_exactly_100_characters_is_kept(signup: Callable[..., Account]) -> None:
    assert _new_list(signup(), 'n' * 100)['name'] == 'n' * 100


def test_patch_changes_only_the_fields_sent(signup: Callable[..., Account]) -> None:
    account = signup()
    errands = _new_list(account, 'Errands', colour='red')
    url = f'/api/lists/{errands["id"]}'
    renamed = account.request('PATCH', url, json={'name': 'Shopping'})
    assert renamed.status_code == 200
    assert (renamed.json()['name'], renamed.json()['colour'], renamed.json()['sort']) == (
        'Shopping',
        'red',
        'manual',
    )
    assert renamed.headers['etag'] == 'W/"2"'
    sorted_by_due = account.request('PATCH', url, json={'sort': 'due', 'colour': 'blue'}).json()
    assert (sorted_by_due['name'], sorted_by_due['colour'], sorted_by_due['sort']) == (
        'Shopping',
        'blue',
        'due',
    )
    unchanged = account.request('PATCH', url, json={})
    assert (unchanged.status_code, unchanged.json()) == (200, sorted_by_due)
    bad = account.request('PATCH', url, json={'sort': 'completed'})
    assert (bad.status_code, bad.json()['detail'][0]['loc']) == (422, ['body', 'sort'])
    assert account.request('GET', url).json() == sorted_by_due


def test_the_inbox_cannot_be_renamed_deleted_or_moved(signup: Callable[..., Account]) -> None:
    account = signup()
    _new_list(account, 'Work')
    inbox = _inbox(account)
    url = f'/api/lists/{inbox["id"]}'
    renamed = account.request('PATCH', url, json={'name': 'Stuff'})
    assert renamed.status_code == 422
    assert renamed.json()['detail'] == [
        {'loc': ['body', 'name'], 'msg': 'The Inbox cannot be renamed.', 'type': 'value_error'}
    ]
    recoloured = account.request('PATCH', url, json={'name': 'Inbox', 'colour': 'green'})
    assert (recoloured.status_code, recoloured.json()['colour']) == (200, 'green')
    for tasks in (None, 'delete', 'move'):
        params = {'tasks': tasks} if tasks else {}
        deleted = account.request('DELETE', url, params=params)
        assert deleted.status_code == 409
        assert deleted.json() == {'detail': 'The Inbox cannot be deleted.'}
    moved = account.request('POST', f'{url}/move', json={})
    assert moved.status_code == 422
    assert moved.json()['detail'] == [
        {'loc': ['path', 'list_id'], 'msg': 'The Inbox always comes first.', 'type': 'value_error'}
    ]
    assert _names(account) == ['Inbox', 'Work']
    assert _inbox(account)['name'] == 'Inbox'


def test_move_puts_a_list_before_or_after_another(signup: Callable[..., Account]) -> None:
    account = signup()
    a, b, c = (_new_list(account, name) for name in 'ABC')

    def move(moving: dict[str, Any], **body: int) -> Any:
        return account.request('POST', f'/api/lists/{moving["id"]}/move', json=body)

    after = move(a, after_id=c['id'])
    assert after.status_code == 200
    assert after.headers['etag'] == f'W/"{after.json()["version"]}"'
    assert _names(account) == ['Inbox', 'B', 'C', 'A']
    assert move(a, before_id=c['id']).status_code == 200
    assert _names(account) == ['Inbox', 'B', 'A', 'C']
    assert move(c).status_code == 200  # neither: first after the Inbox
    assert _names(account) == ['Inbox', 'C', 'B', 'A']
    for _ in range(60):  # past the point where the gap between two lists runs out
        assert move(a, before_id=b['id']).status_code == 200
        assert move(a, after_id=c['id']).status_code == 200
    assert _names(account) == ['Inbox', 'C', 'A', 'B']


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({'before_id': 'self'}, 'before_id'),
        ({'after_id': 'inbox'}, 'after_id'),
        ({'before_id': 'other', 'after_id': 'other'}, 'before_id'),
        ({'before_id': 2**31}, 'before_id'),
        ({'after_id': 0}, 'after_id'),
        ({'position': 1.5}, 'position'),
    ],
)
def test_a_bad_neighbour_is_422_naming_the_field_and_moves_nothing(
    signup: Callable[..., Account], body: dict[str, Any], field: str
) -> None:
    account = signup()
    moving, other = _new_list(account, 'Moving'), _new_list(account, 'Other')
    ids = {'self': moving['id'], 'other': other['id'], 'inbox': _inbox(account)['id']}
    sent = {key: ids.get(value, value) for key, value in body.items()}
    response = account.request('POST', f'/api/lists/{moving["id"]}/move', json=sent)
    assert response.status_code == 422
    assert response.json()['detail'][0]['loc'] == ['body', field]
    assert _names(account) == ['Inbox', 'Moving', 'Other']


def test_delete_with_tasks_needs_a_choice(signup: Callable[..., Account]) -> None:
    account = signup()
    errands = _new_list(account, 'Errands')
    url = f'/api/lists/{errands["id"]}'
    for title in ('Milk', 'Bread'):
        account.create(title, list_id=errands['id'])
    before = _everything(account)
    refused = account.request('DELETE', url)
    assert refused.status_code == 409
    assert refused.json() == {
        'detail': 'This list has 2 tasks: choose whether to delete them or move them to the Inbox.'
    }
    bogus = account.request('DELETE', url, params={'tasks': 'keep'})
    assert (bogus.status_code, bogus.json()['detail'][0]['loc']) == (422, ['query', 'tasks'])
    assert _everything(account) == before


def test_delete_moving_the_tasks_puts_them_at_the_end_of_the_inbox(
    signup: Callable[..., Account],
) -> None:
    account = signup()
    errands = _new_list(account, 'Errands')
    account.create('Already in the Inbox')
    for title in ('Milk', 'Bread'):
        account.create(title, list_id=errands['id'])  # each goes on top: Bread, Milk
    response = account.request('DELETE', f'/api/lists/{errands["id"]}', params={'tasks': 'move'})
    assert response.status_code == 204
    assert _names(account) == ['Inbox']
    inbox = _inbox(account)
    listed = account.request('GET', '/api/tasks', params={'list_id': inbox['id']}).json()
    assert [task['title'] for task in listed['items']] == ['Already in the Inbox', 'Bread', 'Milk']
    gone = account.request('GET', f'/api/lists/{errands["id"]}')
    assert (gone.status_code, gone.json()) == (404, {'detail': 'List not found.'})


def test_delete_deleting_the_tasks_removes_them(signup: Callable[..., Account]) -> None:
    account = signup()
    errands = _new_list(account, 'Errands')
    milk = account.create('Milk', list_id=errands['id'])
    kept = account.create('Kept')
    response = account.request('DELETE', f'/api/lists/{errands["id"]}', params={'tasks': 'delete'})
    assert response.status_code == 204
    assert account.request('GET', f'/api/tasks/{milk["id"]}').status_code == 404
    assert [t['id'] for t in account.request('GET', '/api/tasks').json()['items']] == [kept['id']]


def test_an_empty_list_is_deleted_without_a_choice(signup: Callable[..., Account]) -> None:
    account = signup()
    empty = _new_list(account, 'Empty')
    assert account.request('DELETE', f'/api/lists/{empty["id"]}').status_code == 204
    assert _names(account) == ['Inbox']


@pytest.mark.parametrize(
    ('method', 'suffix', 'body', 'params'),
    [
        ('PATCH', '', {'name': 'Theirs'}, None),
        ('DELETE', '', None, None),
    ],
)
def test_if_match_on_lists_works_like_on_tasks(
    signup: Callable[..., Account],
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
    params: dict[str, str] | None,
) -> None:
    account = signup()
    work = _new_list(account, 'Work')
    url = f'/api/lists/{work["id"]}'
    malformed = account.request(method, url, json=body, headers={'If-Match': '1'})
    assert malformed.status_code == 400
    assert malformed.json() == {'detail': 'If-Match must be W/"<version>", "<version>" or *.'}
    theirs = account.request('PATCH', url, json={'colour': 'pink'}).json()
    stale = account.request(method, url, json=body, headers={'If-Match': 'W/"1"'})
    assert stale.status_code == 412
    assert stale.json() == {'detail': 'This list was changed meanwhile.', 'current': theirs}
    assert account.request('GET', url).json() == theirs
    current = account.request(method, url, json=body, headers={'If-Match': 'W/"2"'})
    assert current.status_code == (204 if method == 'DELETE' else 200)


# ---------------------------------------------------------------- someone else's list


OTHERS_LIST_ROUTES = [
    ('GET', '', None, None),
    ('PATCH', '', {'name': 'Stolen'}, None),
    ('PATCH', '', {'sort': 'priority'}, None),
    ('DELETE', '', None, None),
    ('DELETE', '', None, {'tasks': 'delete'}),
    ('DELETE', '', None, {'tasks': 'move'}),
    ('POST', '/move', {}, None),
]


@pytest.mark.parametrize('right_version', [True, False], ids=['right version', 'wrong version'])
@pytest.mark.parametrize(('method', 'suffix', 'body', 'params'), OTHERS_LIST_ROUTES)
def test_another_persons_list_is_404_and_untouched(
    signup: Callable[..., Account],
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
    params: dict[str, str] | None,
    right_version: bool,
) -> None:
    owner, intruder = signup(), signup()
    private = _new_list(owner, 'Private')
    owner.create('Secret', list_id=private['id'])
    before = _everything(owner)
    intruders_own = _everything(intruder)
    tag = 'W/"1"' if right_version else 'W/"9"'
    response = intruder.request(
        method,
        f'/api/lists/{private["id"]}{suffix}',
        json=body,
        params=params,
        headers={'If-Match': tag} if method in ('PATCH', 'DELETE') else {},
    )
    assert response.status_code == 404
    assert response.json() == {'detail': 'List not found.'}
    assert _everything(owner) == before
    assert _everything(intruder) == intruders_own


def test_another_persons_inbox_is_404_not_409(signup: Callable[..., Account]) -> None:
    owner, intruder = signup(), signup()
    inbox = _inbox(owner)
    response = intruder.request('DELETE', f'/api/lists/{inbox["id"]}')
    assert (response.status_code, response.json()) == (404, {'detail': 'List not found.'})
    assert _names(owner) == ['Inbox']


def test_another_persons_list_is_no_neighbour(signup: Callable[..., Account]) -> None:
    owner, intruder = signup(), signup()
    theirs = _new_list(owner, 'Theirs')
    mine, other = _new_list(intruder, 'Mine'), _new_list(intruder, 'Other')
    before = _everything(owner)
    response = intruder.request(
        'POST', f'/api/lists/{other["id"]}/move', json={'before_id': theirs['id']}
    )
    assert response.status_code == 422
    assert response.json()['detail'][0]['loc'] == ['body', 'before_id']
    assert _names(intruder) == ['Inbox', mine['name'], other['name']]
    assert _everything(owner) == before


@pytest.mark.parametrize('list_id', ['0', '-1', '2147483648', '99999999999999999999999', 'abc'])
def test_impossible_list_ids_are_404_or_422(signup: Callable[..., Account], list_id: str) -> None:
    account = signup()
    for method, suffix, body in [
        ('GET', '', None),
        ('PATCH', '', {'name': 'x'}),
        ('DELETE', '', None),
        ('POST', '/move', {}),
    ]:
        response = account.request(method, f'/api/lists/{list_id}{suffix}', json=body)
        assert response.status_code in (404, 422), (method, suffix, response.text)
    assert _names(account) == ['Inbox']


def test_lists_need_a_signed_in_person(signup: Callable[..., Account]) -> None:
    account = signup()
    for method, url in [
        ('GET', '/api/lists'),
        ('POST', '/api/lists'),
        ('GET', '/api/overview'),
        ('PUT', '/api/me/time-zone'),
    ]:
        response = account.client.request(method, url, json={'name': 'x'})
        assert response.status_code == 401
        assert response.headers['www-authenticate'] == 'Bearer'
