"""GET /api/export and POST /api/import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.api.conftest import Account

DATA = Path(__file__).resolve().parents[1] / 'data'


def test_export_then_import_into_another_account_round_trips(
    signup: Callable[..., Account],
) -> None:
    me, fresh = signup(), signup()
    errands = me.request('POST', '/api/lists', json={'name': 'Errands', 'colour': 'teal'}).json()
    settings = {'week_start': 'sunday', 'theme': 'dark', 'default_list_id': errands['id']}
    settings['time_zone'] = 'Europe/Berlin'
    assert me.request('PATCH', '/api/me', json=settings).status_code == 200
    me.create('Milk', list_id=errands['id'], priority=3, due_date='2026-12-24', due_time='17:00')
    done = me.create('Read')
    me.request('PATCH', f'/api/tasks/{done["id"]}/toggle')
    exported = me.request('GET', '/api/export')
    assert exported.status_code == 200
    assert exported.headers['content-type'] == 'application/json'
    assert exported.headers['content-disposition'].startswith('attachment; filename="tasklight-')
    preview = fresh.request('POST', '/api/import?dry_run=true', content=exported.content)
    assert preview.status_code == 200
    assert preview.json() | {'format': 'tasklight'} == {
        'format': 'tasklight',
        'lists': 1,
        'tasks': 2,
        'completed': 1,
        'errors': [],
        'error_count': 0,
        'warnings': [],
        'warning_count': 0,
        'preferences': {
            'time_zone': 'Europe/Berlin',
            'week_start': 'sunday',
            'theme': 'dark',
            'default_list': 'Errands',
        },
    }
    assert fresh.request('GET', '/api/tasks').json()['total'] == 0
    assert fresh.request('GET', '/api/me').json()['theme'] == 'system'  # a preview writes nothing
    imported = fresh.request(
        'POST',
        '/api/import',
        content=exported.content,
        headers={'Content-Type': 'application/json'},
    )
    assert imported.status_code == 200, imported.text
    again = fresh.request('GET', '/api/export').json()
    original = json.loads(exported.content)
    for document in (again, original):
        document.pop('exported_at')
    assert again == original
    mine = fresh.request('GET', '/api/me').json()
    fresh_errands = [
        item for item in fresh.request('GET', '/api/lists').json() if item['name'] == 'Errands'
    ]
    assert (mine['time_zone'], mine['week_start'], mine['theme'], mine['default_list_id']) == (
        'Europe/Berlin',
        'sunday',
        'dark',
        fresh_errands[0]['id'],
    )


def test_assignees_are_exported_as_emails(signup: Callable[..., Account]) -> None:
    owner, member = signup(), signup()
    team = owner.request('POST', '/api/lists', json={'name': 'Team'}).json()
    shared = owner.request(
        'POST', f'/api/lists/{team["id"]}/members', json={'email': member.email, 'role': 'editor'}
    )
    assert shared.status_code in (200, 201), shared.text
    owner.create('Theirs', list_id=team['id'], assignee_id=member.body['user']['id'])
    owner.create('Nobody', list_id=team['id'])
    tasks = owner.request('GET', '/api/export').json()['tasks']
    assert [(task['title'], task['assignee']) for task in tasks] == [
        ('Theirs', member.email),
        ('Nobody', None),
    ]


def test_csv_export(signup: Callable[..., Account]) -> None:
    me = signup()
    me.create('Milk', priority=2)
    exported = me.request('GET', '/api/export?format=csv')
    assert exported.status_code == 200
    assert exported.headers['content-type'] == 'text/csv; charset=utf-8'
    lines = exported.content.decode('utf-8-sig').splitlines()
    assert (
        lines[0]
        == 'list,title,description,completed,priority,due_date,due_time,created_at,completed_at'
    )
    assert lines[1].startswith('Inbox,Milk,,no,medium,,,')
    assert me.request('GET', '/api/export?format=xml').status_code == 422


def test_a_todoist_file_is_previewed_then_imported(signup: Callable[..., Account]) -> None:
    me = signup()
    data = (DATA / 'todoist-home.csv').read_bytes()
    preview = me.request('POST', '/api/import?dry_run=true&list_name=Home', content=data).json()
    assert (preview['format'], preview['lists'], preview['tasks']) == ('todoist', 2, 5)
    done = me.request('POST', '/api/import?list_name=Home', content=data)
    assert done.status_code == 200
    names = [item['name'] for item in me.request('GET', '/api/lists').json()]
    assert names == ['Inbox', 'Home', 'Home / Garden']
    assert me.request('GET', '/api/tasks').json()['total'] == 5


def test_a_bad_file_is_a_422_naming_the_line_and_nothing_is_written(
    signup: Callable[..., Account],
) -> None:
    me = signup()
    data = (DATA / 'todoist-bad-priority.csv').read_bytes()
    preview = me.request('POST', '/api/import?dry_run=true', content=data)
    assert preview.status_code == 200
    assert preview.json()['errors'] == ['Line 3: PRIORITY must be 1, 2, 3 or 4, not "urgent".']
    refused = me.request('POST', '/api/import', content=data)
    assert refused.status_code == 422
    assert refused.json()['detail'] == [
        {
            'loc': ['body', 'file'],
            'msg': 'File: Line 3: PRIORITY must be 1, 2, 3 or 4, not "urgent".',
            'type': 'value_error',
        }
    ]
    assert me.request('GET', '/api/tasks').json()['total'] == 0
    assert me.request('POST', '/api/import', content=b'').status_code == 422
    assert me.request('POST', '/api/import', content=b'\xff\xfe\x00').status_code == 422


def test_import_and_export_need_a_session(signup: Callable[..., Account]) -> None:
    me = signup()
    assert me.client.get('/api/export').status_code == 401
    assert me.client.post('/api/import', content=b'title\nx\n').status_code == 401


def test_the_export_schema_is_public_and_describes_the_export(
    signup: Callable[..., Account],
) -> None:
    import jsonschema_rs

    me = signup()
    me.create('Milk', priority=2, due_date='2026-12-24')
    answer = me.client.get('/api/export/schema')  # no session needed
    assert answer.status_code == 200
    assert answer.json() == json.loads(
        (DATA.parents[1] / 'docs' / 'export-schema.json').read_text()
    )
    validator = jsonschema_rs.validator_for(answer.json())
    assert validator.is_valid(me.request('GET', '/api/export').json())
