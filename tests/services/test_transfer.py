"""Export and import: the JSON round-trips exactly (preferences too), Todoist and plain CSV are
understood, format 1 files still import, a bad file changes nothing, and an import never reaches
another person's rows (nor assigns them anything)."""

from __future__ import annotations

import json
import uuid
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.db import session_scope
from app.errors import InvalidInput
from app.models import LIST_COLOURS, Task, TaskList, User
from services import account, clock, lists, local, sharing, tasks, transfer
from tests.factories import make_task, make_user

DATA = Path(__file__).resolve().parents[1] / 'data'


def _fresh_person() -> uuid.UUID:
    """A person without the cost of a password hash (the property test makes many)."""
    with session_scope() as session:
        person = User(email=f'{uuid.uuid4().hex}@example.com', password_hash='x')
        session.add(person)
        session.flush()
        lists.inbox_id(session, actor_id=person.id)
        return person.id


def _export(actor_id: uuid.UUID) -> dict[str, Any]:
    with session_scope() as session:
        document = json.loads(''.join(transfer.export_json(session, actor_id=actor_id)))
    document.pop('exported_at')
    return dict(document)


def _import(actor_id: uuid.UUID, data: bytes, **kwargs: Any) -> transfer.ImportPreview:
    with session_scope() as session:
        return transfer.import_data(session, actor_id=actor_id, data=data, **kwargs)


def _rows(actor_id: uuid.UUID) -> list[tuple[Any, ...]]:
    with session_scope() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(Task.title, Task.list_id, Task.completed, Task.priority)  # type: ignore[call-overload]
                .where(Task.owner_id == actor_id)
                .order_by(Task.id)
            )
        ]


titles = st.text(
    alphabet=st.characters(blacklist_categories=('Cs', 'Cc', 'Zl', 'Zp')), min_size=1, max_size=30
).filter(lambda text: text.strip() != '')
task_specs = st.fixed_dictionaries(
    {
        'title': titles,
        'description': st.text(
            alphabet=st.characters(blacklist_categories=('Cs',), blacklist_characters='\x00'),
            max_size=40,
        ),
        'list': st.integers(min_value=0, max_value=3),
        'due_date': st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
        'timed': st.booleans(),
        'priority': st.integers(min_value=0, max_value=3),
        'completed': st.booleans(),
    }
)
list_specs = st.lists(
    st.tuples(titles, st.sampled_from(LIST_COLOURS), st.sampled_from(['manual', 'due'])),
    max_size=3,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    made_lists=list_specs,
    made_tasks=st.lists(task_specs, max_size=8),
    zone=st.sampled_from(['UTC', 'Europe/Berlin', 'America/St_Johns']),
    week_start=st.sampled_from(['monday', 'saturday', 'sunday']),
    theme=st.sampled_from(['system', 'light', 'dark']),
    default_list=st.none() | st.integers(min_value=0, max_value=3),
)
def test_any_lists_and_tasks_export_and_import_back_identically(
    made_lists: list[tuple[str, str, str]],
    made_tasks: list[dict[str, Any]],
    zone: str,
    week_start: str,
    theme: str,
    default_list: int | None,
) -> None:
    source = _fresh_person()
    with session_scope() as session:
        clock.set_time_zone(session, actor_id=source, time_zone=zone)
        list_ids = [lists.inbox_id(session, actor_id=source)]
        for name, colour, sort in made_lists:
            made = lists.create_list(session, actor_id=source, name=name, colour=colour)
            lists.update_list(session, actor_id=source, list_id=made.id, sort=sort)
            list_ids.append(made.id)
        for spec in made_tasks:
            task = tasks.create_task(
                session,
                actor_id=source,
                title=spec['title'],
                description=spec['description'],
                list_id=list_ids[spec['list'] % len(list_ids)],
                due_date=spec['due_date'],
                due_time=time(9, 30) if spec['timed'] and spec['due_date'] else None,
                priority=spec['priority'],
            )
            if spec['completed']:
                tasks.toggle_task(session, actor_id=source, task_id=task.id)
        account.update_settings(
            session,
            actor_id=source,
            week_start=week_start,
            theme=theme,
            default_list_id=None
            if default_list is None
            else list_ids[default_list % len(list_ids)],
        )
    exported = _export(source)
    target = _fresh_person()  # UTC, Monday, the system theme: the file's preferences replace them
    _import(target, json.dumps(exported).encode())
    assert _export(target) == exported
    assert exported['preferences']['time_zone'] == zone


def test_export_pages_through_every_task_in_the_order_they_were_made(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, 'PAGE', 2)  # five tasks: three pages
    person = make_user()
    made = [make_task(person, title=f'Task {n}') for n in range(5)]
    document = _export(person.id)
    assert [task['title'] for task in document['tasks']] == [task.title for task in made]
    assert document['format'] == 'tasklight'
    assert document['version'] == 2
    assert [item['name'] for item in document['lists']] == ['Inbox']
    assert document['preferences'] == {
        'time_zone': 'UTC',
        'week_start': 'monday',
        'theme': 'system',
        'default_list': None,
    }
    assert {task['assignee'] for task in document['tasks']} == {None}


def test_the_csv_export_has_a_header_a_row_per_task_and_defuses_formulas(database: str) -> None:
    person = make_user()
    make_task(person, title='=HYPERLINK("http://evil")', completed=True)
    with session_scope() as session:
        text = ''.join(transfer.export_csv(session, actor_id=person.id))
    lines = text.lstrip('\ufeff').splitlines()
    assert lines[0] == ','.join(transfer.CSV_COLUMNS)
    assert lines[1].startswith('Inbox,"\'=HYPERLINK(""http://evil"")",,yes,none,,,')
    assert len(lines) == 2


def test_a_todoist_export_becomes_lists_and_tasks_with_priorities_dates_and_notes(
    database: str,
) -> None:
    person = make_user()
    data = (DATA / 'todoist-home.csv').read_bytes()
    with session_scope() as session:
        preview = transfer.preview_import(session, actor_id=person.id, data=data, list_name='Home')
    assert preview.format == 'todoist'
    assert (preview.lists, preview.tasks, preview.error_count) == (2, 5, 0)
    assert preview.warnings == [
        'Line 4: due date "every saturday" not understood; imported without one.'
    ]
    assert _rows(person.id) == []  # a preview writes nothing
    _import(person.id, data, list_name='Home')
    document = _export(person.id)
    names = [item['name'] for item in document['lists']]
    assert names == ['Inbox', 'Home', 'Home / Garden']
    by_title = {task['title']: task for task in document['tasks']}
    plumber = by_title['Call the plumber @home']
    assert (plumber['priority'], plumber['due_date'], plumber['list']) == (3, '2026-12-01', 2)
    assert plumber['description'] == 'Kitchen tap drips\n\nNumber is on the fridge'
    assert by_title['Buy light bulbs']['priority'] == 1
    assert by_title['Buy light bulbs']['due_date'] is None
    assert by_title['E27 warm white']['priority'] == 0
    mow = by_title['Mow the lawn, front and back']
    # 09:30 in Berlin (the file's TIMEZONE) is 08:30 UTC, shown in the person's zone (UTC).
    assert (mow['due_at'], mow['due_time'], mow['list']) == ('2026-12-05T08:30:00Z', '08:30', 3)
    assert by_title['Plant tulip bulbs']['due_date'] == '2026-12-10'
    home = [task['title'] for task in document['tasks'] if task['list'] == 2]
    ordered = sorted(
        (task for task in document['tasks'] if task['list'] == 2), key=lambda t: t['position']
    )
    assert [task['title'] for task in ordered] == home  # the file's order, top to bottom


def test_a_bad_file_names_its_line_and_changes_nothing(database: str) -> None:
    person = make_user()
    make_task(person, title='Kept')
    data = (DATA / 'todoist-bad-priority.csv').read_bytes()
    with pytest.raises(InvalidInput) as caught:
        _import(person.id, data)
    assert caught.value.message == ('File: Line 3: PRIORITY must be 1, 2, 3 or 4, not "urgent".')
    assert [row[0] for row in _rows(person.id)] == ['Kept']


@pytest.mark.parametrize(
    ('data', 'message'),
    [
        (b'', 'File: is empty.'),
        (b'\xff\xfe title', 'File: line 1 is not UTF-8 text (save it as UTF-8 and try again).'),
        (b'{"format": "tasklight", "version": 1,\n "lists": [', 'File: Line 2: not valid JSON'),
        (b'{"format": "other"}', 'File: Not a Tasklight export'),
        (b'what,when\nx,y\n', 'File: Line 1: the first row must name the columns'),
        (b'title,priority\nA,high\n,low\n', 'File: Line 3: the title is empty.'),
    ],
)
def test_files_that_cannot_be_imported_say_why(database: str, data: bytes, message: str) -> None:
    person = make_user()
    with pytest.raises(InvalidInput) as caught:
        _import(person.id, data)
    assert caught.value.message.startswith(message)
    assert caught.value.field == 'file'


def test_size_limits_apply(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    person = make_user()
    monkeypatch.setattr(transfer, 'MAX_IMPORT_TASKS', 2)
    with pytest.raises(InvalidInput, match='more than 2 rows'):
        _import(person.id, b'title\na\nb\nc\n')
    monkeypatch.setattr(transfer, 'MAX_IMPORT_BYTES', 10)
    with pytest.raises(InvalidInput, match='larger than'):
        _import(person.id, b'title\nabcdefghijk\n')


def test_a_plain_csv_fills_named_lists_and_the_inbox(database: str) -> None:
    person = make_user()
    with session_scope() as session:
        errands = lists.create_list(session, actor_id=person.id, name='Errands')
    data = (
        b'Title,List,Priority,Due,Completed\n'
        b'Milk,errands,high,2026-12-24,no\n'
        b'Read,,low,,yes\n'
        b'Paint,Hobby,,,\n'
    )
    preview = _import(person.id, data)
    assert (preview.format, preview.lists, preview.tasks, preview.completed) == ('csv', 1, 3, 1)
    with session_scope() as session:
        inbox = lists.inbox_id(session, actor_id=person.id)
        hobby = session.execute(select(TaskList.id).where(TaskList.name == 'Hobby')).scalar_one()  # type: ignore[call-overload]
    assert _rows(person.id) == [
        ('Milk', errands.id, False, 3),
        ('Read', inbox, True, 1),
        ('Paint', hobby, False, 0),
    ]


def test_ids_in_a_file_never_reach_another_persons_rows(database: str) -> None:
    victim = make_user()
    kept = make_task(victim, title='Mine')
    with session_scope() as session:
        victim_inbox = lists.inbox_id(session, actor_id=victim.id)
    intruder = make_user()
    document = {
        'format': 'tasklight',
        'version': 1,
        'lists': [{'ref': victim_inbox, 'name': 'Inbox', 'inbox': True}],
        'tasks': [
            {
                'id': kept.id,
                'list': victim_inbox,
                'title': 'Overwritten?',
                'owner_id': str(victim.id),
            }
        ],
    }
    _import(intruder.id, json.dumps(document).encode())
    assert [row[0] for row in _rows(victim.id)] == ['Mine']
    with session_scope() as session:
        intruder_inbox = lists.inbox_id(session, actor_id=intruder.id)
    assert _rows(intruder.id) == [('Overwritten?', intruder_inbox, False, 0)]


def test_a_desktop_persons_tasks_move_to_a_team_account(database: str) -> None:
    with session_scope() as session:
        desktop = local.ensure_local_person(session)
        errands = lists.create_list(session, actor_id=desktop.id, name='Errands', colour='teal')
        tasks.create_task(
            session, actor_id=desktop.id, title='Post', list_id=errands.id, priority=2
        )
        done = tasks.create_task(
            session, actor_id=desktop.id, title='Bank', due_date=date(2026, 12, 1)
        )
        tasks.toggle_task(session, actor_id=desktop.id, task_id=done.id)
        account.update_settings(
            session,
            actor_id=desktop.id,
            time_zone='Europe/Lisbon',
            theme='dark',
            default_list_id=errands.id,
        )
        data = ''.join(transfer.export_json(session, actor_id=desktop.id)).encode()
    team_member = make_user()
    _import(team_member.id, data)
    moved = _export(team_member.id)
    original = _export(desktop.id)
    assert moved == original
    assert moved['preferences']['default_list'] == 2  # Errands, the first list after the Inbox


def _settings(actor_id: uuid.UUID) -> tuple[str, str, str, int | None]:
    with session_scope() as session:
        me = account.get_account(session, actor_id=actor_id)
    return me.time_zone, me.week_start, me.theme, me.default_list_id


def _document(**fields: Any) -> bytes:
    base = {
        'format': 'tasklight',
        'version': 2,
        'lists': [{'ref': 1, 'name': 'Inbox', 'inbox': True}, {'ref': 2, 'name': 'Work'}],
        'tasks': [{'list': 2, 'title': 'Report', 'due_date': '2026-12-24', 'due_time': '17:00'}],
    }
    return json.dumps(base | fields).encode()


def test_a_format_1_file_still_imports_and_leaves_the_settings_alone(database: str) -> None:
    """tests/data/tasklight-v1.json was written by the format 1 exporter (Berlin, four tasks)."""
    person = make_user()
    with session_scope() as session:
        account.update_settings(session, actor_id=person.id, theme='dark', week_start='sunday')
    data = (DATA / 'tasklight-v1.json').read_bytes()
    old = json.loads(data)
    with session_scope() as session:
        preview = transfer.preview_import(session, actor_id=person.id, data=data)
    assert (preview.format, preview.lists, preview.tasks, preview.completed) == (
        'tasklight',
        2,
        4,
        1,
    )
    assert (preview.preferences, preview.errors, preview.warnings) == ({}, [], [])
    _import(person.id, data)
    assert _settings(person.id) == ('UTC', 'sunday', 'dark', None)  # its time_zone: information
    document = _export(person.id)
    assert document['version'] == 2
    assert document['lists'] == old['lists']
    # The timed task keeps its instant, shown in the importer's zone (UTC, not the file's Berlin).
    milk = old['tasks'][0] | {'due_time': '16:00'}
    assert milk['due_at'] == '2026-12-24T16:00:00Z'
    assert document['tasks'] == [task | {'assignee': None} for task in [milk, *old['tasks'][1:]]]


def test_preferences_in_a_file_replace_only_the_settings_it_gives(database: str) -> None:
    person = make_user()
    with session_scope() as session:
        home = lists.create_list(session, actor_id=person.id, name='Home')
        account.update_settings(
            session, actor_id=person.id, theme='dark', week_start='sunday', default_list_id=home.id
        )
    before = _settings(person.id)
    _import(person.id, _document())  # no preferences at all
    assert _settings(person.id) == before
    _import(person.id, _document(preferences={'theme': 'light', 'week_start': None}))
    assert _settings(person.id) == ('UTC', 'sunday', 'light', home.id)  # null: left alone
    data = _document(
        preferences={'time_zone': 'Asia/Tokyo', 'week_start': 'saturday', 'default_list': 2}
    )
    with session_scope() as session:
        preview = transfer.preview_import(session, actor_id=person.id, data=data)
    assert preview.preferences == {
        'time_zone': 'Asia/Tokyo',
        'week_start': 'saturday',
        'default_list': 'Work',
    }
    _import(person.id, data)
    with session_scope() as session:
        work = (
            session.execute(
                select(TaskList.id)
                .where(TaskList.owner_id == person.id, TaskList.name == 'Work')  # type: ignore[call-overload]
                .order_by(TaskList.id.desc())  # type: ignore[union-attr]
            )
            .scalars()
            .first()
        )
    assert _settings(person.id) == ('Asia/Tokyo', 'saturday', 'light', work)
    # The zone came first: 17:00 in the file is 17:00 in Tokyo, not in the zone before.
    report = _export(person.id)['tasks'][-1]
    assert (report['due_time'], report['due_at']) == ('17:00', '2026-12-24T08:00:00Z')
    _import(person.id, _document(preferences={'default_list': None}))
    assert _settings(person.id)[3] is None  # null default list: the Inbox


@pytest.mark.parametrize(
    ('preferences', 'message'),
    [
        ({'theme': 'purple'}, "Preferences: Theme: Input should be 'system', 'light' or 'dark'."),
        ({'week_start': 'friday'}, 'Preferences: Week start: Input should be'),
        ({'default_list': 9}, "Preferences: default list 9 is not among the file's lists."),
        ('dark', 'Preferences: '),
    ],
)
def test_bad_preferences_are_errors_and_change_nothing(
    database: str, preferences: Any, message: str
) -> None:
    person = make_user()
    with pytest.raises(InvalidInput) as caught:
        _import(person.id, _document(preferences=preferences))
    assert caught.value.message.startswith(f'File: {message}')
    assert _settings(person.id) == ('UTC', 'monday', 'system', None)
    assert _rows(person.id) == []


def test_a_time_zone_this_server_does_not_know_is_a_warning(database: str) -> None:
    person = make_user()
    preview = _import(person.id, _document(preferences={'time_zone': 'Mars/Olympus_Mons'}))
    assert preview.warnings == [
        'Preferences: time zone "Mars/Olympus_Mons" is not one this server knows; '
        'yours stays as it is.'
    ]
    assert preview.preferences == {}
    assert _settings(person.id)[0] == 'UTC'


def test_assignees_go_out_as_emails_and_only_the_importers_own_come_back(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, 'PAGE', 3)  # Kim's email is known from the first page on
    ann = make_user(email='ann@example.com')
    kim = make_user(email='kim@example.com')
    with session_scope() as session:
        team = lists.create_list(session, actor_id=ann.id, name='Team')
        sharing.share_list(
            session, actor_id=ann.id, list_id=team.id, email='kim@example.com', role='editor'
        )
        for title, who in [('Kim does', kim.id), ('Ann does', ann.id), ('Anyone', None)]:
            tasks.create_task(
                session, actor_id=ann.id, title=title, list_id=team.id, assignee_id=who
            )
        tasks.create_task(
            session, actor_id=ann.id, title='Kim too', list_id=team.id, assignee_id=kim.id
        )
    exported = _export(ann.id)
    assert [(task['title'], task['assignee']) for task in exported['tasks']] == [
        ('Kim does', 'kim@example.com'),
        ('Ann does', 'ann@example.com'),
        ('Anyone', None),
        ('Kim too', 'kim@example.com'),
    ]
    data = json.dumps(exported).replace('ann@example.com', 'ANN@Example.com').encode()
    # Kim imports Ann's file: Kim's tasks stay Kim's, Ann's come in unassigned.
    preview = _import(kim.id, data)
    assert preview.warnings == [
        'Task 2: assigned to ann@example.com; imported unassigned, since imported lists are '
        'not shared with anyone.'
    ]
    # Ann imports it into her own account: hers stay hers (any case), Kim's are dropped.
    preview = _import(ann.id, data)
    assert preview.warnings == [
        'Task 1 and 1 more: assigned to kim@example.com; imported unassigned, since imported '
        'lists are not shared with anyone.'
    ]
    with session_scope() as session:
        assigned = {
            (title, owner, who)
            for title, owner, who in session.execute(
                select(Task.title, Task.owner_id, Task.assignee_id).where(Task.list_id != team.id)  # type: ignore[call-overload]
            )
        }
        kims_team = session.execute(
            select(TaskList.id).where(TaskList.owner_id == kim.id, TaskList.name == 'Team')  # type: ignore[call-overload]
        ).scalar_one()
        members = sharing.members(session, actor_id=kim.id, list_id=kims_team)
    assert assigned == {
        ('Kim does', kim.id, kim.id),
        ('Ann does', kim.id, None),
        ('Anyone', kim.id, None),
        ('Kim too', kim.id, kim.id),
        ('Kim does', ann.id, None),
        ('Ann does', ann.id, ann.id),
        ('Anyone', ann.id, None),
        ('Kim too', ann.id, None),
    }
    assert [member.email for member in members] == ['kim@example.com']  # nobody else has it


SCHEMA_FILE = Path(__file__).resolve().parents[2] / 'docs' / 'export-schema.json'


def test_the_published_schema_is_the_one_the_server_reads() -> None:
    """docs/export-schema.json is regenerated with the command in docs/api.md when it drifts."""
    assert json.loads(SCHEMA_FILE.read_text(encoding='utf-8')) == transfer.export_schema()


def test_an_export_is_valid_under_its_schema_and_a_broken_one_is_not(database: str) -> None:
    import jsonschema_rs

    owner = make_user()
    with session_scope() as session:
        work = lists.create_list(session, actor_id=owner.id, name='Work', colour='blue')
    with session_scope() as session:
        tasks.create_task(
            session,
            actor_id=owner.id,
            title='Timed',
            due_date=date(2026, 12, 24),
            due_time=time(17, 0),
            priority=3,
        )
        tasks.create_task(session, actor_id=owner.id, title='In Work', list_id=work.id)
    with session_scope() as session:
        document = json.loads(''.join(transfer.export_json(session, actor_id=owner.id)))
    validator = jsonschema_rs.validator_for(transfer.export_schema())
    assert validator.is_valid(document)
    assert len(document['tasks']) == 2
    document['tasks'][0]['priority'] = 7
    assert not validator.is_valid(document)
    document['tasks'][0]['priority'] = 3
    document['preferences']['theme'] = 'purple'
    assert not validator.is_valid(document)
    document['preferences']['theme'] = 'dark'
    assert validator.is_valid(document)
    document['version'] = 3
    assert not validator.is_valid(document)
