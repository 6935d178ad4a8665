"""Taking one's tasks out (JSON that round-trips, CSV for spreadsheets) and bringing them in
(Tasklight JSON, Todoist's CSV, a plain CSV with a `title` column).

Exports are generators that page through the database by id (keyset pagination), so a person
with 100,000 tasks exports in constant memory. An import is parsed and checked whole first
(`preview`), then written in the caller's one unit of work: all or nothing. Ids in a file are
only references inside that file; every row an import writes is a new row owned by the actor.

Format 2 adds the person's preferences and each task's assignee (by email) to format 1; files
of format 1 are still read (they carry no preferences: their `time_zone` was informational).
"""

from __future__ import annotations

import csv
import io
import json
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError
from pydantic import Field as PydanticField
from sqlalchemy import Table, func, insert, select, update
from sqlmodel import Session

from app.errors import InvalidInput
from app.models import (
    DESCRIPTION_MAX,
    EMAIL_MAX,
    LIST_NAME_MAX,
    PRIORITIES,
    TIME_ZONE_MAX,
    TITLE_MAX,
    Description,
    ListColour,
    ListName,
    ListSort,
    Priority,
    Schema,
    Task,
    TaskList,
    Theme,
    Title,
    User,
    WeekStart,
    utcnow,
)
from services import account, clock, lists
from services.events import mark_changed

FORMAT = 'tasklight'
VERSION = 2  # what an export writes
READS = (1, 2)  # the versions an import reads
PAGE = 500  # tasks per keyset page of an export
MAX_IMPORT_BYTES = 16 * 1024 * 1024
MAX_IMPORT_TASKS = 50_000
MAX_PROBLEMS = 20  # problems a preview lists; the count says how many there were
_BATCH = 1000

_USER = cast(Table, User.__table__)  # type: ignore[attr-defined]
_LIST = cast(Table, TaskList.__table__)  # type: ignore[attr-defined]
_TASK = cast(Table, Task.__table__)  # type: ignore[attr-defined]

ImportFormat = Literal['auto', 'tasklight', 'todoist', 'csv']


# ---------------------------------------------------------------- export


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace('+00:00', 'Z')


def _clock_time(value: time | None) -> str | None:
    return None if value is None else value.strftime('%H:%M')


def _ordered_lists(session: Session, actor_id: uuid.UUID) -> list[Any]:
    return list(
        session.connection().execute(
            select(_LIST.c.id, _LIST.c.name, _LIST.c.colour, _LIST.c.sort, _LIST.c.position)
            .add_columns(_LIST.c.is_inbox)
            .where(_LIST.c.owner_id == actor_id)
            .order_by(_LIST.c.is_inbox.desc(), _LIST.c.position, _LIST.c.id)
        )
    )


def _task_pages(session: Session, actor_id: uuid.UUID) -> Iterator[list[Any]]:
    """The actor's tasks in id order, PAGE at a time: each page is one indexed range query."""
    after = 0
    while True:
        page = list(
            session.connection().execute(
                select(
                    _TASK.c.id,
                    _TASK.c.list_id,
                    _TASK.c.title,
                    _TASK.c.description,
                    _TASK.c.position,
                    _TASK.c.priority,
                    _TASK.c.completed,
                    _TASK.c.completed_at,
                    _TASK.c.created_at,
                    _TASK.c.updated_at,
                    _TASK.c.due_date,
                    _TASK.c.due_time,
                    _TASK.c.due_at,
                    _TASK.c.assignee_id,
                )
                .where(_TASK.c.owner_id == actor_id, _TASK.c.id > after)
                .order_by(_TASK.c.id)
                .limit(PAGE)
            )
        )
        if not page:
            return
        yield page
        after = page[-1].id


def _emails(
    session: Session, page: list[Any], known: dict[uuid.UUID, str | None]
) -> dict[uuid.UUID, str | None]:
    """The assignees' emails of a page, read once per person: the few people of the actor's
    shared lists, so `known` stays small however many tasks there are."""
    missing = {row.assignee_id for row in page if row.assignee_id is not None} - known.keys()
    if missing:
        rows = session.connection().execute(
            select(_USER.c.id, _USER.c.email).where(_USER.c.id.in_(missing))
        )
        known.update(dict.fromkeys(missing))
        known.update({person: email for person, email in rows})
    return known


def _preferences(session: Session, actor_id: uuid.UUID, refs: dict[int, int]) -> dict[str, Any]:
    row = (
        session.connection()
        .execute(
            select(_USER.c.week_start, _USER.c.theme, _USER.c.default_list_id).where(
                _USER.c.id == actor_id
            )
        )
        .one()
    )
    return {
        'time_zone': str(clock.zone_of(session, actor_id=actor_id)),
        'week_start': row.week_start,
        'theme': row.theme,
        # A ref among the file's lists; null is the Inbox (as `default_list_id` null is).
        'default_list': None if row.default_list_id is None else refs.get(row.default_list_id),
    }


def export_json(session: Session, *, actor_id: uuid.UUID) -> Iterator[str]:
    """Everything the actor owns as Tasklight JSON (format 2), in pieces: their preferences,
    lists in their order (each with a `ref` that its tasks and the default list name), then
    tasks in the order they were made, each with its assignee's email (or null)."""
    refs: dict[int, int] = {}
    documents = []
    for ref, row in enumerate(_ordered_lists(session, actor_id), 1):
        refs[row.id] = ref
        documents.append(
            {
                'ref': ref,
                'name': row.name,
                'inbox': bool(row.is_inbox),
                'colour': row.colour,
                'sort': row.sort,
                'position': row.position,
            }
        )
    head = {
        'format': FORMAT,
        'version': VERSION,
        'exported_at': _instant(utcnow()),
        'preferences': _preferences(session, actor_id, refs),
        'lists': documents,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',\n"tasks": ['
    first = True
    emails: dict[uuid.UUID, str | None] = {}
    for page in _task_pages(session, actor_id):
        _emails(session, page, emails)
        pieces = []
        for row in page:
            task = {
                'list': refs[row.list_id],
                'title': row.title,
                'description': row.description,
                'position': row.position,
                'priority': row.priority,
                'completed': bool(row.completed),
                'completed_at': _instant(row.completed_at),
                'created_at': _instant(row.created_at),
                'updated_at': _instant(row.updated_at),
                'due_date': None if row.due_date is None else row.due_date.isoformat(),
                'due_time': _clock_time(row.due_time),
                'due_at': _instant(row.due_at),
                'assignee': None if row.assignee_id is None else emails[row.assignee_id],
            }
            pieces.append(('\n' if first else ',\n') + json.dumps(task, ensure_ascii=False))
            first = False
        yield ''.join(pieces)
    yield '\n]}\n'


CSV_COLUMNS = [
    'list',
    'title',
    'description',
    'completed',
    'priority',
    'due_date',
    'due_time',
    'created_at',
    'completed_at',
]


def _cell(value: str) -> str:
    """A spreadsheet must not run what a task says: text it would take for a formula is
    prefixed with an apostrophe (OWASP's advice for CSV injection)."""
    return "'" + value if value[:1] in ('=', '+', '-', '@', '\t', '\r') else value


def export_csv(session: Session, *, actor_id: uuid.UUID) -> Iterator[str]:
    """The actor's tasks as CSV for spreadsheets, one row each, with a header; importable
    again as a plain CSV (JSON is the format that keeps everything)."""
    names = {row.id: row.name for row in _ordered_lists(session, actor_id)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\r\n')
    writer.writerow(CSV_COLUMNS)
    yield '\ufeff' + buffer.getvalue()  # the BOM: spreadsheet programs then read UTF-8
    for page in _task_pages(session, actor_id):
        buffer.seek(0)
        buffer.truncate()
        for row in page:
            writer.writerow(
                [
                    _cell(names[row.list_id]),
                    _cell(row.title),
                    _cell(row.description),
                    'yes' if row.completed else 'no',
                    PRIORITIES[row.priority],
                    '' if row.due_date is None else row.due_date.isoformat(),
                    _clock_time(row.due_time) or '',
                    _instant(row.created_at),
                    _instant(row.completed_at) or '',
                ]
            )
        yield buffer.getvalue()


# ---------------------------------------------------------------- import: what a file holds


class ImportPreview(Schema):
    """What an import would create (or did), and what is wrong with the file."""

    format: str
    lists: int  # new lists
    tasks: int  # new tasks
    completed: int  # of those, completed ones
    errors: list[str]  # the first problems that stop the import, each naming its line or item
    error_count: int
    warnings: list[str]  # what was imported differently than written (a date not understood)
    warning_count: int
    # The settings the import replaces, with their new values (the default list by its name);
    # empty when the file carries none (a CSV, a format 1 file): yours stay as they are.
    preferences: dict[str, str] = {}


@dataclass
class _List:
    name: str
    colour: str = 'grey'
    sort: str = 'manual'
    position: float | None = None
    inbox: bool = False
    existing_id: int | None = None  # an existing list of the actor's that receives the tasks


@dataclass
class _Task:
    list_index: int  # into _Parsed.lists
    title: str
    description: str = ''
    position: float | None = None
    priority: int = 0
    completed: bool = False
    completed_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    due_date: date | None = None
    due_time: time | None = None
    due_at: datetime | None = None
    assignee: str | None = None  # an email as the file has it; only the importer's own is kept
    item: int = 0  # its number among the file's tasks, for messages


@dataclass
class _Preferences:
    """The settings a file sets; a field left None (`default_list`: not `has_default_list`)
    leaves the importer's as it is."""

    time_zone: str | None = None
    week_start: str | None = None
    theme: str | None = None
    has_default_list: bool = False
    default_list: int | None = None  # into _Parsed.lists; None: the Inbox


@dataclass
class _Parsed:
    format: str
    lists: list[_List] = field(default_factory=list)
    tasks: list[_Task] = field(default_factory=list)
    preferences: _Preferences | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def _problem(error: ValidationError) -> str:
    return InvalidInput.from_validation(error).message


class ExportList(BaseModel):
    model_config = ConfigDict(extra='ignore')
    ref: int
    name: ListName
    inbox: bool = False
    colour: ListColour = 'grey'
    sort: ListSort = 'manual'
    position: float | None = PydanticField(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)


class ExportTask(BaseModel):
    model_config = ConfigDict(extra='ignore')
    list: int | None = None
    title: Title
    description: Description = ''
    position: float | None = PydanticField(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)
    priority: Priority = 0
    completed: bool = False
    completed_at: AwareDatetime | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    due_date: date | None = None
    due_time: time | None = None
    due_at: AwareDatetime | None = None
    assignee: str | None = PydanticField(
        default=None,
        max_length=EMAIL_MAX,
        description='The email of who is to do it (a task in a shared list); on import only '
        "the importer's own address is kept, any other is dropped",
    )


class ExportPreferences(BaseModel):
    """The person's settings; on import each one given replaces theirs, one left out (or
    null, but for `default_list`) leaves theirs as it is."""

    model_config = ConfigDict(extra='ignore')
    time_zone: str | None = PydanticField(
        default=None, max_length=TIME_ZONE_MAX, description='An IANA time zone name'
    )
    week_start: WeekStart | None = None
    theme: Theme | None = None
    default_list: int | None = PydanticField(
        default=None, description="The `ref` of one of the file's lists; null: the Inbox"
    )


class ExportDocument(BaseModel):
    """Tasklight JSON, format 2: what `export_json` writes and `import_data` reads back (it
    reads format 1 too: the same without `preferences` and `assignee`, with a top-level
    `time_zone` that an import leaves alone)."""

    model_config = ConfigDict(
        extra='ignore',
        title='Tasklight export',
        json_schema_extra={'$id': 'https://tasklight.invalid/schema/export-2.json'},
    )
    format: Literal['tasklight']
    version: Literal[2]
    exported_at: AwareDatetime | None = None
    preferences: ExportPreferences | None = None
    lists: list[ExportList] = []
    tasks: list[ExportTask] = []


def export_schema() -> dict[str, Any]:
    """The JSON Schema of Tasklight JSON (format 2), for people and tools that read exports."""
    schema = ExportDocument.model_json_schema()
    schema['$schema'] = 'https://json-schema.org/draft/2020-12/schema'
    return schema


def _parse_tasklight(text: str, parsed: _Parsed) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        parsed.error(f'Line {error.lineno}: not valid JSON ({error.msg}).')
        return
    except RecursionError:
        parsed.error('The JSON is nested too deeply.')
        return
    if not isinstance(document, dict) or document.get('format') != FORMAT:
        parsed.error('Not a Tasklight export: "format" must be "tasklight".')
        return
    version = document.get('version')
    if isinstance(version, bool) or version not in READS:
        readable = ' or '.join(str(number) for number in READS)
        parsed.error(f'Version {version!r} is not one this server reads ({readable}).')
        return
    raw_lists = document.get('lists', [])
    raw_tasks = document.get('tasks', [])
    if not isinstance(raw_lists, list) or not isinstance(raw_tasks, list):
        parsed.error('"lists" and "tasks" must be arrays.')
        return
    if len(raw_lists) > lists.MAX_LISTS:
        parsed.error(f'The file has {len(raw_lists)} lists; you may have {lists.MAX_LISTS}.')
        return
    if len(raw_tasks) > MAX_IMPORT_TASKS:
        parsed.error(f'The file has {len(raw_tasks)} tasks; at most {MAX_IMPORT_TASKS} at once.')
        return
    by_ref: dict[int, int] = {}
    inbox_index: int | None = None
    for number, raw in enumerate(raw_lists, 1):
        try:
            item = ExportList.model_validate(raw)
        except ValidationError as error:
            parsed.error(f'List {number}: {_problem(error)}')
            continue
        if item.ref in by_ref:
            parsed.error(f'List {number}: ref {item.ref} is used twice.')
            continue
        if item.inbox and inbox_index is not None:
            parsed.error(f'List {number}: only one list can be the Inbox.')
            continue
        by_ref[item.ref] = len(parsed.lists)
        if item.inbox:
            inbox_index = len(parsed.lists)
        parsed.lists.append(
            _List(
                name=item.name,
                colour=item.colour,
                sort=item.sort,
                position=item.position,
                inbox=item.inbox,
            )
        )
    for number, raw in enumerate(raw_tasks, 1):
        try:
            task = ExportTask.model_validate(raw)
        except ValidationError as error:
            parsed.error(f'Task {number}: {_problem(error)}')
            continue
        if task.list is None:
            if inbox_index is None:
                inbox_index = len(parsed.lists)
                parsed.lists.append(_List(name='Inbox', inbox=True))
            index = inbox_index
        elif task.list in by_ref:
            index = by_ref[task.list]
        else:
            parsed.error(f"Task {number}: list {task.list} is not among the file's lists.")
            continue
        if task.due_time is not None and task.due_date is None and task.due_at is None:
            parsed.error(f'Task {number}: due time: needs a due date.')
            continue
        parsed.tasks.append(
            _Task(
                list_index=index,
                title=task.title,
                description=task.description,
                position=task.position,
                priority=task.priority,
                completed=task.completed,
                completed_at=task.completed_at,
                created_at=task.created_at,
                updated_at=task.updated_at,
                due_date=task.due_date,
                due_time=None if task.due_time is None else task.due_time.replace(tzinfo=None),
                due_at=task.due_at,
                assignee=task.assignee if version >= 2 else None,
                item=number,
            )
        )
    if version >= 2 and document.get('preferences') is not None:
        _parse_preferences(document['preferences'], by_ref, parsed)


def _parse_preferences(raw: object, by_ref: dict[int, int], parsed: _Parsed) -> None:
    try:
        given = ExportPreferences.model_validate(raw)
    except ValidationError as error:
        parsed.error(f'Preferences: {_problem(error)}')
        return
    chosen = _Preferences(week_start=given.week_start, theme=given.theme)
    if given.time_zone is not None:
        if clock.known_zone(given.time_zone):
            chosen.time_zone = given.time_zone
        else:  # an older tz database than the exporter's: not the file's fault
            parsed.warn(
                f'Preferences: time zone "{given.time_zone}" is not one this server knows; '
                'yours stays as it is.'
            )
    if 'default_list' in given.model_fields_set:
        if given.default_list is not None and given.default_list not in by_ref:
            parsed.error(
                f"Preferences: default list {given.default_list} is not among the file's lists."
            )
            return
        chosen.has_default_list = True
        chosen.default_list = None if given.default_list is None else by_ref[given.default_list]
    parsed.preferences = chosen


def _reader(text: str) -> tuple[list[str], csv.DictReader[str]] | None:
    reader = csv.DictReader(io.StringIO(text, newline=''))
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error:
        return None
    reader.fieldnames = header
    return header, reader


def _rows(reader: csv.DictReader[str], parsed: _Parsed) -> Iterator[tuple[int, dict[str, str]]]:
    count = 0
    try:
        for row in reader:
            count += 1
            if count > MAX_IMPORT_TASKS:
                parsed.error(f'The file has more than {MAX_IMPORT_TASKS} rows; split it up.')
                return
            clean = {
                (key or '').strip().lower(): (value or '').strip()
                for key, value in row.items()
                if not isinstance(value, list)
            }
            yield reader.line_num, clean
    except csv.Error as error:
        parsed.error(f'Line {reader.line_num}: not valid CSV ({error}).')


def _fit(text: str, limit: int, what: str, line: int, parsed: _Parsed) -> str:
    if len(text) <= limit:
        return text
    parsed.warn(f'Line {line}: the {what} was cut to {limit} characters.')
    return text[:limit].rstrip()


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ('jan', 'january'),
            ('feb', 'february'),
            ('mar', 'march'),
            ('apr', 'april'),
            ('may',),
            ('jun', 'june'),
            ('jul', 'july'),
            ('aug', 'august'),
            ('sep', 'sept', 'september'),
            ('oct', 'october'),
            ('nov', 'november'),
            ('dec', 'december'),
        ],
        1,
    )
    for name in names
}


def _parse_when(text: str) -> tuple[date, time | None] | None:
    """A date, optionally with a time: ISO (`2026-12-01`, `2026-12-01 09:30`, `…T09:30:00Z`)
    or English (`Dec 1 2026`, `1 December 2026 9:30`). None for anything else (`every day`)."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        pass
    else:
        if len(value) <= 10:
            return moment.date(), None
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
            return moment.date(), moment.time().replace(tzinfo=UTC)
        return moment.date(), moment.time().replace(second=0, microsecond=0)
    words = value.replace(',', ' ').split()
    clock_time: time | None = None
    if words and ':' in words[-1]:
        try:
            clock_time = time.fromisoformat(words[-1].zfill(5))
        except ValueError:
            return None
        words = words[:-1]
    if len(words) != 3:
        return None
    first, second, year = words
    month = _MONTHS.get(first.lower()) or _MONTHS.get(second.lower())
    day = second if first.lower() in _MONTHS else first
    try:
        return date(int(year), month or 0, int(day)), clock_time
    except (ValueError, TypeError):
        return None


def _set_due(
    task: _Task, text: str, zone_name: str | None, line: int, parsed: _Parsed, where: ZoneInfo
) -> None:
    if not text:
        return
    found = _parse_when(text)
    if found is None:
        parsed.warn(f'Line {line}: due date "{text[:60]}" not understood; imported without one.')
        return
    day, at = found
    if at is None:
        task.due_date = day
        return
    if at.tzinfo is not None:  # an instant: kept, and shown in the importer's zone
        task.due_at = datetime.combine(day, at.replace(tzinfo=None), tzinfo=UTC)
        return
    source = clock.zone(zone_name) if zone_name else where
    try:
        task.due_at = clock.due_instant(day, at.replace(second=0, microsecond=0), source)
    except OverflowError:
        task.due_date = day


_TODOIST_PRIORITY = {'1': 3, '2': 2, '3': 1, '4': 0, '': 0}  # Todoist's p1 is the most urgent


def _parse_todoist(text: str, parsed: _Parsed, list_name: str, where: ZoneInfo) -> None:
    """Todoist's CSV export of a project: task, section and note rows (TYPE), the title in
    CONTENT, PRIORITY 1 (p1, the most urgent) to 4, DATE in Todoist's words. Sections become
    lists of their own ("Project / Section"); notes join their task's description; sub-tasks
    (INDENT 2+) keep their place in the order."""
    opened = _reader(text)
    if opened is None:
        parsed.error('Line 1: not valid CSV.')
        return
    base = len(parsed.lists)
    parsed.lists.append(_List(name=list_name[:LIST_NAME_MAX]))
    current = base
    last: _Task | None = None
    for line, row in _rows(opened[1], parsed):
        kind = row.get('type', '').lower()
        content = row.get('content', '')
        if not kind and not content:
            continue  # Todoist separates sections with empty rows
        if kind == 'section':
            if not content:
                parsed.error(f'Line {line}: a section needs a name in CONTENT.')
                continue
            name = f'{list_name} / {content}'[:LIST_NAME_MAX].strip()
            parsed.lists.append(_List(name=name))
            current = len(parsed.lists) - 1
            last = None
        elif kind == 'note':
            if last is None:
                parsed.warn(f'Line {line}: a note without a task before it was left out.')
                continue
            joined = f'{last.description}\n\n{content}' if last.description else content
            last.description = _fit(joined, DESCRIPTION_MAX, 'description', line, parsed)
        elif kind == 'task':
            if not content:
                parsed.error(f'Line {line}: a task needs a title in CONTENT.')
                continue
            priority = row.get('priority', '')
            if priority not in _TODOIST_PRIORITY:
                parsed.error(f'Line {line}: PRIORITY must be 1, 2, 3 or 4, not "{priority[:20]}".')
                continue
            task = _Task(
                list_index=current,
                title=_fit(content, TITLE_MAX, 'title', line, parsed),
                description=_fit(
                    row.get('description', ''), DESCRIPTION_MAX, 'description', line, parsed
                ),
                priority=_TODOIST_PRIORITY[priority],
            )
            _set_due(task, row.get('date', ''), row.get('timezone') or None, line, parsed, where)
            parsed.tasks.append(task)
            last = task
        else:
            parsed.error(f'Line {line}: TYPE must be task, section or note, not "{kind[:20]}".')
    if not any(task.list_index == base for task in parsed.tasks) and len(parsed.lists) > base + 1:
        parsed.lists[base].name = ''  # no task outside a section: no list for the project itself


_TRUE = {'yes', 'y', 'true', '1', 'x', 'done', 'completed', '✓'}
_FALSE = {'no', 'n', 'false', '0', '', 'open'}
_PRIORITY_WORDS = {name: number for number, name in PRIORITIES.items()} | {
    str(number): number for number in PRIORITIES
}
_TITLE_COLUMNS = ('title', 'task', 'name', 'content')


def _parse_plain_csv(
    text: str, parsed: _Parsed, existing: dict[str, int], inbox: int, where: ZoneInfo
) -> None:
    """A spreadsheet's CSV with a `title` column; optional `list`, `description`, `due_date`
    (or `due`), `due_time`, `priority` (none/low/medium/high or 0–3), `completed`."""
    opened = _reader(text)
    if opened is None:
        parsed.error('Line 1: not valid CSV.')
        return
    header = [name.lower() for name in opened[0]]
    title_column = next((name for name in _TITLE_COLUMNS if name in header), None)
    if title_column is None:
        parsed.error('Line 1: the first row must name the columns, one of them "title".')
        return
    by_name: dict[str, int] = {}

    def list_index(name: str) -> int:
        key = name.casefold()
        if key not in by_name:
            found = existing.get(key)
            by_name[key] = len(parsed.lists)
            parsed.lists.append(
                _List(name=name[:LIST_NAME_MAX], existing_id=found if found else None)
            )
        return by_name[key]

    for line, row in _rows(opened[1], parsed):
        if not any(row.values()):
            continue
        title = row.get(title_column, '')
        if not title:
            parsed.error(f'Line {line}: the title is empty.')
            continue
        name = row.get('list', '') or 'Inbox'
        index = list_index(name)
        if name.casefold() == 'inbox':
            parsed.lists[index].existing_id = inbox
        priority_text = row.get('priority', '').lower()
        if priority_text not in _PRIORITY_WORDS and priority_text:
            parsed.error(
                f'Line {line}: priority must be none, low, medium or high (or 0–3), '
                f'not "{priority_text[:20]}".'
            )
            continue
        done_text = row.get('completed', row.get('done', '')).lower()
        if done_text not in _TRUE | _FALSE:
            parsed.error(f'Line {line}: completed must be yes or no, not "{done_text[:20]}".')
            continue
        task = _Task(
            list_index=index,
            title=_fit(title, TITLE_MAX, 'title', line, parsed),
            description=_fit(
                row.get('description', row.get('notes', '')),
                DESCRIPTION_MAX,
                'description',
                line,
                parsed,
            ),
            priority=_PRIORITY_WORDS.get(priority_text, 0),
            completed=done_text in _TRUE,
        )
        due = row.get('due_date', row.get('due', row.get('date', '')))
        at = row.get('due_time', '')
        _set_due(task, f'{due} {at}'.strip() if due else '', None, line, parsed, where)
        for column in ('created_at', 'completed_at'):
            value = row.get(column, '')
            if value:
                try:
                    moment = datetime.fromisoformat(value.replace('Z', '+00:00'))
                except ValueError:
                    parsed.warn(f'Line {line}: {column} "{value[:40]}" not understood; left out.')
                    continue
                setattr(task, column, moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        parsed.tasks.append(task)


def _detect(text: str) -> str:
    start = text.lstrip()[:1]
    if start in ('{', '['):
        return 'tasklight'
    first_line = text.split('\n', 1)[0].upper()
    if 'TYPE' in first_line and 'CONTENT' in first_line:
        return 'todoist'
    return 'csv'


def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(
            f'File: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MiB; split it up.',
            field='file',
        )
    if not data.strip():
        raise InvalidInput('File: is empty.', field='file')
    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b'\n') + 1
        raise InvalidInput(
            f'File: line {line} is not UTF-8 text (save it as UTF-8 and try again).', field='file'
        ) from None
    if '\x00' in text:
        raise InvalidInput('File: contains NUL characters; it is not a text file.', field='file')
    return text.encode('utf-8', 'replace').decode('utf-8')


def _parse(
    session: Session,
    actor_id: uuid.UUID,
    data: bytes,
    kind: ImportFormat,
    list_name: str | None,
) -> _Parsed:
    text = _decode(data)
    chosen = _detect(text) if kind == 'auto' else kind
    parsed = _Parsed(format=chosen)
    where = clock.zone_of(session, actor_id=actor_id)
    if chosen == 'tasklight':
        _parse_tasklight(text, parsed)
        _resolve_assignees(session, actor_id, parsed)
    elif chosen == 'todoist':
        _parse_todoist(text, parsed, (list_name or 'Todoist').strip() or 'Todoist', where)
    else:
        rows = session.connection().execute(
            select(_LIST.c.id, _LIST.c.name).where(_LIST.c.owner_id == actor_id)
        )
        existing = {name.casefold(): list_id for list_id, name in rows}
        inbox = lists.inbox_id(session, actor_id=actor_id)
        _parse_plain_csv(text, parsed, existing, inbox, where)
    for task in parsed.tasks:
        if task.completed and task.completed_at is None:
            task.completed_at = task.updated_at or utcnow()
        if not task.completed:
            task.completed_at = None
    return parsed


def _resolve_assignees(session: Session, actor_id: uuid.UUID, parsed: _Parsed) -> None:
    """An assignee is an email in the file: the importer's own stays theirs; anyone else's is
    dropped (the lists an import makes are shared with nobody), one warning per address."""
    if not any(task.assignee for task in parsed.tasks):
        return
    own = session.connection().execute(select(_USER.c.email).where(_USER.c.id == actor_id))
    mine = (own.scalar() or '').casefold()
    dropped: dict[str, list[int]] = {}
    for task in parsed.tasks:
        address = (task.assignee or '').strip()
        if address and address.casefold() == mine:
            task.assignee = address
            continue
        if address:
            dropped.setdefault(address.casefold(), []).append(task.item)
        task.assignee = None
    for address, numbers in dropped.items():
        more = f' and {len(numbers) - 1} more' if len(numbers) > 1 else ''
        parsed.warn(
            f'Task {numbers[0]}{more}: assigned to {address}; imported unassigned, since '
            'imported lists are not shared with anyone.'
        )


def _new_lists(parsed: _Parsed) -> list[_List]:
    used = {task.list_index for task in parsed.tasks}
    return [
        item
        for index, item in enumerate(parsed.lists)
        if not item.inbox
        and item.existing_id is None
        and item.name
        and (index in used or parsed.format == 'tasklight')
    ]


def _preferences_shown(parsed: _Parsed) -> dict[str, str]:
    chosen = parsed.preferences
    if chosen is None:
        return {}
    shown = {
        name: value
        for name, value in (
            ('time_zone', chosen.time_zone),
            ('week_start', chosen.week_start),
            ('theme', chosen.theme),
        )
        if value is not None
    }
    if chosen.has_default_list:
        index = chosen.default_list
        shown['default_list'] = 'Inbox' if index is None else parsed.lists[index].name
    return shown


def _preview(parsed: _Parsed) -> ImportPreview:
    return ImportPreview(
        format=parsed.format,
        lists=len(_new_lists(parsed)),
        tasks=len(parsed.tasks),
        completed=sum(task.completed for task in parsed.tasks),
        errors=parsed.errors[:MAX_PROBLEMS],
        error_count=len(parsed.errors),
        warnings=parsed.warnings[:MAX_PROBLEMS],
        warning_count=len(parsed.warnings),
        preferences=_preferences_shown(parsed),
    )


def preview_import(
    session: Session,
    *,
    actor_id: uuid.UUID,
    data: bytes,
    format: ImportFormat = 'auto',
    list_name: str | None = None,
) -> ImportPreview:
    """What importing `data` would create, and its problems; nothing is written."""
    return _preview(_parse(session, actor_id, data, format, list_name))


# ---------------------------------------------------------------- import: writing


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0


def import_data(
    session: Session,
    *,
    actor_id: uuid.UUID,
    data: bytes,
    format: ImportFormat = 'auto',
    list_name: str | None = None,
) -> ImportPreview:
    """Import a file into the actor's account, all or nothing: InvalidInput naming the first
    problem (its line or item) when the file has any. Imported lists go after the actor's own,
    imported tasks after those already in a list; into an empty account a Tasklight export
    lands exactly as it was (order, dates, completion, preferences), so export → import →
    export round-trips. Preferences in the file replace the actor's (those it leaves out stay);
    a task keeps its assignee only when that is the actor (by email)."""
    parsed = _parse(session, actor_id, data, format, list_name)
    if parsed.errors:
        more = len(parsed.errors) - 1
        suffix = f' (and {more} more problem{"s" if more > 1 else ""})' if more else ''
        raise InvalidInput(f'File: {parsed.errors[0]}{suffix}', field='file')
    preview = _preview(parsed)
    connection = session.connection()
    inbox = lists.inbox_id(session, actor_id=actor_id)
    new = _new_lists(parsed)
    existing_count = connection.execute(
        select(func.count()).select_from(_LIST).where(_LIST.c.owner_id == actor_id)
    ).scalar_one()
    if existing_count + len(new) > lists.MAX_LISTS:
        raise InvalidInput(
            f'File: it has {len(new)} new lists; you may have {lists.MAX_LISTS} in all.',
            field='file',
        )
    chosen = parsed.preferences
    if chosen is not None and chosen.time_zone is not None:
        # Before the tasks: a wall-clock due time means that time in the zone the file sets.
        clock.set_time_zone(session, actor_id=actor_id, time_zone=chosen.time_zone)
    where = clock.zone_of(session, actor_id=actor_id)
    now = utcnow()
    # Lists: after the actor's own lists, in the file's order and spacing.
    highest = connection.execute(
        select(func.max(_LIST.c.position)).where(
            _LIST.c.owner_id == actor_id, _LIST.c.is_inbox.is_(False)
        )
    ).scalar()
    file_positions = [item.position for item in new if item.position is not None]
    offset = 0.0 if highest is None else float(highest) - min(file_positions or [0.0]) + 1.0
    ids: dict[int, int] = {}
    step = float(highest or 0.0)
    for index, item in enumerate(parsed.lists):
        if item.inbox:
            ids[index] = inbox
            if parsed.format == 'tasklight':  # the Inbox takes the file's colour and order
                connection.execute(
                    update(_LIST)
                    .where(_LIST.c.id == inbox)
                    .values(colour=item.colour, sort=item.sort, updated_at=now)
                )
        elif item.existing_id is not None:
            ids[index] = item.existing_id
    for item in new:
        index = parsed.lists.index(item)
        if item.position is not None:
            position = _finite(item.position + offset)
        else:
            step += 1.0
            position = step
        ids[index] = connection.execute(
            insert(_LIST)
            .values(
                owner_id=actor_id,
                name=item.name,
                colour=item.colour,
                position=position,
                is_inbox=False,
                sort=item.sort,
                created_at=now,
                updated_at=now,
                version=1,
            )
            .returning(_LIST.c.id)
        ).scalar_one()
    # Tasks: after what each list already holds (top to bottom in the file's order otherwise).
    targets = {ids[task.list_index] for task in parsed.tasks}
    lowest_in_file: dict[int, float] = {}
    for task in parsed.tasks:
        if task.position is not None:
            target = ids[task.list_index]
            lowest_in_file[target] = min(lowest_in_file.get(target, task.position), task.position)
    highest_now = dict(
        connection.execute(
            select(_TASK.c.list_id, func.max(_TASK.c.position))
            .where(_TASK.c.list_id.in_(targets))
            .group_by(_TASK.c.list_id)
        ).all()
    )
    counters = {target: float(highest_now.get(target) or 0.0) for target in targets}
    rows: list[dict[str, Any]] = []
    for task in parsed.tasks:
        target = ids[task.list_index]
        if task.position is not None:
            shift = 0.0
            if target in highest_now:
                shift = float(highest_now[target]) - lowest_in_file[target] + 1.0
            position = _finite(task.position + shift)
        else:
            counters[target] += 1.0
            position = counters[target]
        rows.append(
            {
                'owner_id': actor_id,
                'list_id': target,
                'position': position,
                'title': task.title,
                'description': task.description,
                'priority': task.priority,
                'completed': task.completed,
                'completed_at': task.completed_at,
                'created_at': task.created_at or now,
                'updated_at': task.updated_at or task.created_at or now,
                'version': 1,
                'assignee_id': actor_id if task.assignee is not None else None,
                **_due(task, where),
            }
        )
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(_TASK), rows[start : start + _BATCH])
    if chosen is not None:
        settings: dict[str, Any] = {}
        if chosen.week_start is not None:
            settings['week_start'] = chosen.week_start
        if chosen.theme is not None:
            settings['theme'] = chosen.theme
        if chosen.has_default_list:
            chosen_list = chosen.default_list
            settings['default_list_id'] = None if chosen_list is None else ids[chosen_list]
        account.update_settings(session, actor_id=actor_id, **settings)
    mark_changed(session, actor_id)
    return preview


_FIRST_DAY = date.min + timedelta(days=1)
_LAST_DAY = date.max - timedelta(days=1)


def _due(task: _Task, where: ZoneInfo) -> dict[str, Any]:
    """The due columns in the importer's zone: an instant keeps its moment; a wall-clock time
    means that time where the importer is."""
    instant = task.due_at
    if instant is None and task.due_date is not None and task.due_time is not None:
        try:
            instant = clock.due_instant(task.due_date, task.due_time, where)
        except OverflowError:
            instant = None
    if instant is not None and _FIRST_DAY <= instant.date() <= _LAST_DAY:
        local = instant.astimezone(where)
        return {
            'due_date': local.date(),
            'due_time': local.time().replace(second=0, microsecond=0, tzinfo=None),
            'due_at': instant.astimezone(UTC),
        }
    return {'due_date': task.due_date, 'due_time': None, 'due_at': None}
