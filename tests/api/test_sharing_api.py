"""Shared lists over HTTP: every list and task route for the owner, an editor, a viewer and a
stranger (on both databases), sharing itself, assignment, and what a stranger can never reach."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import Account


@dataclass
class Team:
    owner: Account
    editor: Account
    viewer: Account
    stranger: Account
    newcomer: Account  # has an account, not (yet) a member
    list_id: int
    task: dict[str, Any]
    other: dict[str, Any]

    def who(self, role: str) -> Account:
        return getattr(self, role)

    def user_id(self, account: Account) -> str:
        return str(account.body['user']['id'])


@pytest.fixture
def team(signup: Callable[..., Account]) -> Team:
    owner, editor, viewer, stranger, newcomer = (signup() for _ in range(5))
    created = owner.request('POST', '/api/lists', json={'name': 'Team', 'colour': 'teal'})
    assert created.status_code == 201, created.text
    list_id = created.json()['id']
    for member, role in ((editor, 'editor'), (viewer, 'viewer')):
        shared = owner.request(
            'POST', f'/api/lists/{list_id}/members', json={'email': member.email, 'role': role}
        )
        assert shared.status_code == 200, shared.text
    other = owner.create('Second', list_id=list_id)
    task = owner.create('Shared work', list_id=list_id, due_date='2030-01-02', priority=2)
    return Team(owner, editor, viewer, stranger, newcomer, list_id, task, other)


ROLES = ('owner', 'editor', 'viewer', 'stranger')


def _route(team: Team, name: str, actor: Account) -> tuple[str, str, dict[str, Any]]:
    """(method, url, request keywords) of each route, aimed at the shared list and its task."""
    list_url = f'/api/lists/{team.list_id}'
    task_url = f'/api/tasks/{team.task["id"]}'
    inbox = next(item for item in actor.request('GET', '/api/lists').json() if item['is_inbox'])
    routes: dict[str, tuple[str, str, dict[str, Any]]] = {
        'get list': ('GET', list_url, {}),
        'rename list': ('PATCH', list_url, {'json': {'name': 'Renamed'}}),
        'recolour list': ('PATCH', list_url, {'json': {'colour': 'red'}}),
        'sort list': ('PATCH', list_url, {'json': {'sort': 'priority'}}),
        'move list': ('POST', f'{list_url}/move', {'json': {}}),
        'delete list': ('DELETE', f'{list_url}?tasks=delete', {}),
        'list members': ('GET', f'{list_url}/members', {}),
        'share list': (
            'POST',
            f'{list_url}/members',
            {'json': {'email': team.newcomer.email, 'role': 'viewer'}},
        ),
        'change role': (
            'PATCH',
            f'{list_url}/members/{team.user_id(team.viewer)}',
            {'json': {'role': 'editor'}},
        ),
        'remove viewer': ('DELETE', f'{list_url}/members/{team.user_id(team.viewer)}', {}),
        'list tasks': ('GET', f'/api/tasks?list_id={team.list_id}', {}),
        'add task': ('POST', '/api/tasks', {'json': {'title': 'New', 'list_id': team.list_id}}),
        'get task': ('GET', task_url, {}),
        'edit task': ('PATCH', task_url, {'json': {'title': 'Edited'}}),
        'edit stale task': (
            'PATCH',
            task_url,
            {'json': {'title': 'Edited'}, 'headers': {'If-Match': 'W/"99"'}},
        ),
        'assign task': ('PATCH', task_url, {'json': {'assignee_id': team.user_id(team.viewer)}}),
        'toggle task': ('PATCH', f'{task_url}/toggle', {}),
        'reorder task': ('POST', f'{task_url}/move', {'json': {'after_id': team.other['id']}}),
        'take task to own inbox': ('POST', f'{task_url}/move', {'json': {'list_id': inbox['id']}}),
        'delete task': ('DELETE', task_url, {}),
    }
    return routes[name]


# What each role gets from each route: 404 exactly as for a missing list or task when the list
# is not shared with them; 403 for a write they may not make to a list they can see.
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    #                         owner editor viewer stranger
    'get list': (200, 200, 200, 404),
    'rename list': (200, 403, 403, 404),
    'recolour list': (200, 403, 403, 404),
    'sort list': (200, 200, 403, 404),
    'move list': (200, 403, 403, 404),
    'delete list': (204, 403, 403, 404),
    'list members': (200, 200, 200, 404),
    'share list': (200, 403, 403, 404),
    'change role': (200, 403, 403, 404),
    'remove viewer': (204, 403, 204, 404),  # a viewer may leave; only the owner removes others
    'list tasks': (200, 200, 200, 404),
    'add task': (201, 201, 403, 404),
    'get task': (200, 200, 200, 404),
    'edit task': (200, 200, 403, 404),
    'edit stale task': (412, 412, 403, 404),
    'assign task': (200, 200, 403, 404),
    'toggle task': (200, 200, 403, 404),
    'reorder task': (200, 200, 403, 404),
    'take task to own inbox': (200, 200, 403, 404),
    'delete task': (204, 204, 403, 404),
}
MATRIX = [(route, role) for route in EXPECTED for role in ROLES]


def _state(team: Team) -> tuple[Any, Any, Any]:
    """Everything about the shared list as its owner sees it."""
    owner = team.owner
    return (
        owner.request('GET', f'/api/lists/{team.list_id}').json(),
        owner.request('GET', f'/api/tasks?list_id={team.list_id}&limit=100').json(),
        owner.request('GET', f'/api/lists/{team.list_id}/members').json(),
    )


@pytest.mark.parametrize(('route', 'role'), MATRIX, ids=[f'{r}-{w}' for r, w in MATRIX])
def test_every_route_for_every_role(team: Team, route: str, role: str) -> None:
    actor = team.who(role)
    method, url, kwargs = _route(team, route, actor)
    before = _state(team)
    response = actor.request(method, url, **kwargs)
    expected = EXPECTED[route][ROLES.index(role)]
    assert response.status_code == expected, response.text
    if expected in (403, 404):
        assert _state(team) == before  # refused: nothing changed
    if expected == 404:
        assert response.json()['detail'] in ('List not found.', 'Task not found.')


def test_a_stranger_gets_exactly_what_a_missing_id_gets(team: Team) -> None:
    stranger = team.stranger
    missing_list, missing_task = 2**31 - 1, 2**31 - 1
    for path in ('/api/lists/{}', '/api/lists/{}/members', '/api/tasks?list_id={}'):
        theirs = stranger.request('GET', path.format(team.list_id))
        missing = stranger.request('GET', path.format(missing_list))
        assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    theirs = stranger.request('PATCH', f'/api/tasks/{team.task["id"]}', json={'title': 'x'})
    missing = stranger.request('PATCH', f'/api/tasks/{missing_task}', json={'title': 'x'})
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())


def test_members_see_the_list_in_their_sidebar_with_everyone_who_has_it(team: Team) -> None:
    for member, role in ((team.editor, 'editor'), (team.viewer, 'viewer')):
        listed = member.request('GET', '/api/lists').json()
        assert [item['name'] for item in listed] == ['Inbox', 'Team']
        shared = listed[1]
        assert (shared['role'], shared['open_count']) == (role, 2)
        assert [(m['email'], m['role']) for m in shared['members']] == [
            (team.owner.email, 'owner'),
            *sorted(
                [(team.editor.email, 'editor'), (team.viewer.email, 'viewer')],
            ),
        ]
    owners = team.owner.request('GET', '/api/lists').json()
    assert [(item['name'], item['role'], len(item['members'])) for item in owners] == [
        ('Inbox', 'owner', 0),
        ('Team', 'owner', 3),
    ]
    assert [item['name'] for item in team.stranger.request('GET', '/api/lists').json()] == ['Inbox']


def test_all_my_tasks_include_shared_ones_and_a_strangers_never(team: Team) -> None:
    mine = team.editor.create('Editor own')
    titles = {t['title'] for t in team.editor.request('GET', '/api/tasks').json()['items']}
    assert titles == {'Editor own', 'Shared work', 'Second'}
    assert [t['title'] for t in team.stranger.request('GET', '/api/tasks').json()['items']] == []
    searched = team.stranger.request('GET', '/api/tasks?q=Shared').json()
    assert searched['total'] == 0
    owner_titles = {t['title'] for t in team.owner.request('GET', '/api/tasks').json()['items']}
    assert owner_titles == {'Shared work', 'Second'}  # the editor's own task stays theirs
    assert team.owner.request('GET', f'/api/tasks/{mine["id"]}').status_code == 404


def test_an_editor_adds_and_the_task_belongs_to_the_list(team: Team) -> None:
    added = team.editor.create('From the editor', list_id=team.list_id)
    for member in (team.owner, team.editor, team.viewer):
        got = member.request('GET', f'/api/tasks/{added["id"]}')
        assert (got.status_code, got.json()['list_id']) == (200, team.list_id)
    # The owner's own views count it, since it lives in the owner's list.
    team_list = next(
        item for item in team.owner.request('GET', '/api/lists').json() if item['name'] == 'Team'
    )
    assert team_list['open_count'] == 3


def test_moving_into_a_shared_list_hands_the_task_to_the_list(team: Team) -> None:
    editor_task = team.editor.create('Hand over')
    viewer_task = team.viewer.create('Keep')
    stranger_task = team.stranger.create('Never')
    into = {'list_id': team.list_id}
    assert (
        team.viewer.request('POST', f'/api/tasks/{viewer_task["id"]}/move', json=into).status_code
        == 403
    )
    assert (
        team.stranger.request(
            'POST', f'/api/tasks/{stranger_task["id"]}/move', json=into
        ).status_code
        == 404
    )
    moved = team.editor.request('POST', f'/api/tasks/{editor_task["id"]}/move', json=into)
    assert (moved.status_code, moved.json()['list_id']) == (200, team.list_id)
    assert team.owner.request('GET', f'/api/tasks/{editor_task["id"]}').status_code == 200
    # Back out of it into the editor's Inbox: theirs again, gone from the owner.
    inbox = team.editor.request('GET', '/api/lists').json()[0]
    back = team.editor.request(
        'POST', f'/api/tasks/{editor_task["id"]}/move', json={'list_id': inbox['id']}
    )
    assert back.status_code == 200
    assert team.owner.request('GET', f'/api/tasks/{editor_task["id"]}').status_code == 404


def test_assigning_only_to_people_who_have_the_list_and_filtering_mine(team: Team) -> None:
    url = f'/api/tasks/{team.task["id"]}'
    refused = team.owner.request('PATCH', url, json={'assignee_id': team.user_id(team.stranger)})
    assert refused.status_code == 422
    assert refused.json()['detail'][0]['loc'] == ['body', 'assignee_id']
    assigned = team.owner.request('PATCH', url, json={'assignee_id': team.user_id(team.editor)})
    assert assigned.json()['assignee_id'] == team.user_id(team.editor)
    mine = team.editor.request('GET', '/api/tasks?assigned_to_me=true').json()
    assert [t['title'] for t in mine['items']] == ['Shared work']
    assert team.viewer.request('GET', '/api/tasks?assigned_to_me=true').json()['total'] == 0
    cleared = team.editor.request('PATCH', url, json={'assignee_id': None})
    assert cleared.json()['assignee_id'] is None
    created = team.editor.create(
        'Made assigned', list_id=team.list_id, assignee_id=team.user_id(team.viewer)
    )
    assert created['assignee_id'] == team.user_id(team.viewer)
    own = team.stranger.request(
        'POST', '/api/tasks', json={'title': 'x', 'assignee_id': team.user_id(team.owner)}
    )
    assert own.status_code == 422  # the stranger's Inbox is not the owner's to be assigned in


def test_today_holds_what_is_assigned_to_me_in_shared_lists(team: Team) -> None:
    zone = team.editor.request('GET', '/api/overview').json()
    today = zone['today_date']
    for title in ('Due for the editor', 'Due for nobody'):
        team.owner.create(title, list_id=team.list_id, due_date=today)
    tasks = team.owner.request('GET', f'/api/tasks?list_id={team.list_id}').json()['items']
    for_editor = next(t for t in tasks if t['title'] == 'Due for the editor')
    team.owner.request(
        'PATCH', f'/api/tasks/{for_editor["id"]}', json={'assignee_id': team.user_id(team.editor)}
    )
    assert team.editor.request('GET', '/api/overview').json()['today'] == 1
    assert team.owner.request('GET', '/api/overview').json()['today'] == 2
    assert team.viewer.request('GET', '/api/overview').json()['today'] == 0


def test_sharing_rules(team: Team) -> None:
    url = f'/api/lists/{team.list_id}/members'
    nobody = team.owner.request('POST', url, json={'email': 'nobody@example.com'})
    assert nobody.status_code == 422
    assert nobody.json()['detail'][0]['loc'] == ['body', 'email']
    myself = team.owner.request('POST', url, json={'email': team.owner.email})
    assert myself.status_code == 422
    bad_role = team.owner.request('POST', url, json={'email': team.newcomer.email, 'role': 'god'})
    assert bad_role.status_code == 422
    inbox = team.owner.request('GET', '/api/lists').json()[0]
    inbox_share = team.owner.request(
        'POST', f'/api/lists/{inbox["id"]}/members', json={'email': team.newcomer.email}
    )
    assert inbox_share.status_code == 409
    again = team.owner.request(
        'POST', url, json={'email': team.viewer.email.upper(), 'role': 'editor'}
    )
    assert (again.status_code, again.json()['role']) == (200, 'editor')
    assert [m['role'] for m in team.owner.request('GET', url).json()] == [
        'owner',
        'editor',
        'editor',
    ]
    missing = team.owner.request('DELETE', f'{url}/{team.user_id(team.stranger)}')
    assert missing.status_code == 404


def test_stopping_sharing_takes_the_list_and_assignments_away(team: Team) -> None:
    url = f'/api/tasks/{team.task["id"]}'
    team.owner.request('PATCH', url, json={'assignee_id': team.user_id(team.editor)})
    removed = team.owner.request(
        'DELETE', f'/api/lists/{team.list_id}/members/{team.user_id(team.editor)}'
    )
    assert removed.status_code == 204
    assert team.editor.request('GET', url).status_code == 404
    assert team.editor.request('GET', f'/api/lists/{team.list_id}').status_code == 404
    assert team.owner.request('GET', url).json()['assignee_id'] is None
    assert [item['name'] for item in team.editor.request('GET', '/api/lists').json()] == ['Inbox']


def test_deleting_the_list_ends_every_membership(team: Team) -> None:
    deleted = team.owner.request('DELETE', f'/api/lists/{team.list_id}?tasks=move')
    assert deleted.status_code == 204
    for member in (team.editor, team.viewer):
        assert [item['name'] for item in member.request('GET', '/api/lists').json()] == ['Inbox']
        assert member.request('GET', f'/api/tasks/{team.task["id"]}').status_code == 404


def test_a_viewer_cannot_make_a_shared_list_their_default(team: Team) -> None:
    response = team.editor.request('PATCH', '/api/me', json={'default_list_id': team.list_id})
    assert response.status_code == 404
