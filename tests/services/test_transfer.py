"""Export and import: the JSON round-trips exactly, Todoist and plain CSV are understood, a bad
file changes nothing, and an import never reaches another person's rows."""

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
from services import clock, lists, local, tasks, transfer
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
)
def test_any_lists_and_tasks_export_and_import_back_identically(
    made_lists: list[tuple[str, str, str]], made_tasks: list[dict[str, Any]], zone: str
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
    exported = _export(source)
    target = _fresh_person()
    with session_scope() as session:
        clock.set_time_zone(session, actor_id=target, time_zone=zone)
    _import(target, json.dumps(exported).encode())
    assert _export(target) == exported


def test_export_pages_through_every_task_in_the_order_they_were_made(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, 'PAGE', 2)  # five tasks: three pages
    person = make_user()
    made = [make_task(person, title=f'Task {n}') for n in range(5)]
    document = _export(person.id)
    assert [task['title'] for task in document['tasks']] == [task.title for task in made]
    assert document['format'] == 'tasklight'
    assert document['version'] == 1
    assert [item['name'] for item in document['lists']] == ['Inbox']


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
        data = ''.join(transfer.export_json(session, actor_id=desktop.id)).encode()
    team_member = make_user()
    _import(team_member.id, data)
    moved = _export(team_member.id)
    original = _export(desktop.id)
    assert moved == original | {'time_zone': moved['time_zone']}


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
    document['version'] = 2
    assert not validator.is_valid(document)
