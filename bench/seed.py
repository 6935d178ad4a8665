"""Fill a PostgreSQL database with users and tasks, fast: `python -m bench.seed`.

Default: 10,000 users and 1,000,000 tasks, ten of the users with 10,000 tasks each, about 40 %
completed, created over the past year. The heavy users have ten lists (their Inbox and nine more)
with their tasks spread over them; everyone's tasks are organized alike: about 60 % with a due
date spread over a year around today (a third of those with a time of day), priorities mixed.
`--scale N` multiplies the people, the tasks and the heavy users' tasks (scale 10: 100,000 people,
10,000,000 tasks, ten of them with 100,000 each); fractions make a tiny database for the tests.

People and lists go in with COPY; PostgreSQL generates the tasks itself (one INSERT ... SELECT over
generate_series, drawing with random() what Python drew before), with the task table's secondary
indexes and foreign keys set aside during the load and rebuilt after it. It prints the time of each
step and the database size. Every seeded user's password is `bench-password` (one argon2id hash,
computed once).
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from app.db import migrate
from app.security import hash_password
from bench.common import (
    BENCH_DB_URL,
    HEAVY_EMAIL,
    LIGHT_EMAIL,
    PASSWORD,
    progress,
    table,
    write_result,
)

WORDS = (  # noqa: SIM905 - a sentence reads better than 35 quoted words
    'call email write review plan book pay renew fix clean buy send update prepare check draft '
    'schedule order read organise report invoice meeting budget trip dentist garden car taxes '
    'slides contract backup groceries birthday present insurance'
).split()

TASK_COPY = (
    'COPY task (owner_id, list_id, position, title, description, completed, created_at, '
    'updated_at, completed_at, due_date, due_time, due_at, priority) FROM STDIN'
)
LIST_NAMES = ('Work', 'Home', 'Errands', 'Reading', 'Health', 'Money', 'Garden', 'Trips', 'Someday')
LIST_COLOURS = ('blue', 'green', 'orange', 'purple', 'red', 'teal', 'yellow', 'pink', 'grey')
LISTS_PER_HEAVY_USER = 1 + len(LIST_NAMES)  # the Inbox and nine more
DUE_SHARE = 0.6  # of tasks with a due date
TIMED_SHARE = 1 / 3  # of those, with a time of day
PRIORITY_WEIGHTS = (55, 15, 18, 12)  # none, low, medium, high (TASK_INSERT's thresholds)
USERS, TASKS, HEAVY_USERS, HEAVY_TASKS = 10_000, 1_000_000, 10, 10_000  # at scale 1


def list_rows(owner_id: uuid.UUID, first_id: int, now: datetime) -> Iterator[tuple[object, ...]]:
    """A heavy user's lists after their Inbox, ids from `first_id`, for LIST_COPY."""
    for n, (name, colour) in enumerate(zip(LIST_NAMES, LIST_COLOURS, strict=True)):
        yield (first_id + n, owner_id, name, colour, float(n + 1), False, 'manual', now, now, 1)


def organized(rng: random.Random, today: date) -> tuple[object, ...]:
    """A task's due_date, due_time, due_at (the owner's zone is UTC) and priority: ~60 % due
    somewhere from four months ago to eight months ahead, a third of those at a time of day
    (for the rows bench.ui writes; bench.seed draws the same in SQL, TASK_INSERT)."""
    priority = rng.choices(range(4), weights=PRIORITY_WEIGHTS)[0]
    if rng.random() >= DUE_SHARE:
        return (None, None, None, priority)
    due = today + timedelta(days=rng.randint(-120, 245))
    if rng.random() >= TIMED_SHARE:
        return (due, None, None, priority)
    at = clock_time(rng.randint(7, 20), rng.choice((0, 15, 30, 45)))
    return (due, at, datetime.combine(due, at, tzinfo=UTC), priority)


# Every task of every person, drawn by PostgreSQL: the person's n-th task (g.n) goes into one of
# their lists at random, at position n (so a list's tasks keep the order they were dealt in), with
# a title of two to six words and, two times in five, a twelve-word description. The draws are
# columns of a subquery that is not flattened (random() is volatile), so each is made once a row;
# the word lists are subqueries that name the row, so they are drawn again for every task.
TASK_INSERT = """
INSERT INTO task (owner_id, list_id, position, title, description, completed, created_at,
                  updated_at, completed_at, due_date, due_time, due_at, priority)
SELECT owner_id,
       CASE WHEN pick = 0 THEN inbox ELSE first_list + pick - 1 END,
       n,
       upper(left(title, 1)) || substr(title, 2),
       description,
       done,
       created,
       CASE WHEN done THEN finished ELSE created END,
       CASE WHEN done THEN finished END,
       due_date,
       due_time,
       (due_date + due_time) AT TIME ZONE 'UTC',
       CASE WHEN p < 0.55 THEN 0 WHEN p < 0.70 THEN 1 WHEN p < 0.88 THEN 2 ELSE 3 END
FROM (
    SELECT o.owner_id, o.inbox, o.first_list, g.n,
           floor(random() * o.lists)::int AS pick,
           array_to_string(ARRAY(
               SELECT (%(words)s::text[])[1 + floor(random() * %(word_count)s)::int]
               FROM generate_series(1, 2 + floor(random() * 5)::int + 0 * g.n)
           ), ' ') AS title,
           CASE WHEN random() < 0.6 THEN '' ELSE array_to_string(ARRAY(
               SELECT (%(words)s::text[])[1 + floor(random() * %(word_count)s)::int]
               FROM generate_series(1, 12 + 0 * g.n)
           ), ' ') END AS description,
           random() < 0.4 AS done,
           %(now)s - make_interval(secs => floor(random() * 365 * 86400)) AS created,
           make_interval(hours => 1 + floor(random() * 500)::int) AS took,
           CASE WHEN random() < %(due_share)s
                THEN %(today)s + (floor(random() * 366)::int - 120) END AS due_date,
           CASE WHEN random() < %(timed_share)s
                THEN make_time(7 + floor(random() * 14)::int, 15 * floor(random() * 4)::int, 0)
           END AS timed,
           random() AS p
    FROM seed_owner o CROSS JOIN LATERAL generate_series(1, o.tasks) AS g(n)
    WHERE o.n BETWEEN %(first)s AND %(last)s
) AS drawn
CROSS JOIN LATERAL (
    SELECT created + took AS finished,
           CASE WHEN due_date IS NOT NULL THEN timed END AS due_time
) AS derived
"""


def _set_aside(cursor: psycopg.Cursor[Any]) -> list[str]:
    """Drop the task table's secondary indexes and foreign keys; the statements that rebuild them.

    Building an index once over ten million rows is much cheaper than keeping it up to date row
    by row, and a foreign key added afterwards is checked in one join instead of one lookup a row.
    """
    indexes = cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'task' AND indexname NOT IN"
        " (SELECT conname FROM pg_constraint WHERE conrelid = 'task'::regclass)"
    ).fetchall()
    keys = cursor.execute(
        'SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint'
        " WHERE conrelid = 'task'::regclass AND contype = 'f'"
    ).fetchall()
    for name, _ in keys:
        cursor.execute(f'ALTER TABLE task DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE task ADD CONSTRAINT "{name}" {definition}' for name, definition in keys
    ]


LIST_COPY = (
    'COPY task_list (id, owner_id, name, colour, position, is_inbox, sort, created_at, '
    'updated_at, version) FROM STDIN'
)


def plain_url(url: str) -> str:
    return make_url(url).set(drivername='postgresql').render_as_string(hide_password=False)


def recreate_database(url: str) -> None:
    target = make_url(url)
    admin = plain_url(url).rsplit('/', 1)[0] + '/postgres'
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{target.database}"')


def plan(
    scale: float,
    *,
    users: int | None = None,
    tasks: int | None = None,
    heavy_users: int | None = None,
    heavy_tasks: int | None = None,
) -> dict[str, int]:
    """The sizes at a scale (1: 10,000 people, 1,000,000 tasks, ten of them with 10,000), each
    overridable; at least one light person is left to hold the tasks the heavy ones do not."""
    sizes = {
        'users': users if users is not None else round(USERS * scale),
        'tasks': tasks if tasks is not None else round(TASKS * scale),
        'heavy_users': heavy_users if heavy_users is not None else HEAVY_USERS,
        'heavy_tasks': heavy_tasks if heavy_tasks is not None else round(HEAVY_TASKS * scale),
    }
    if sizes['heavy_users'] >= sizes['users']:
        raise SystemExit(f'{sizes["users"]} people leave none besides the {HEAVY_USERS} heavy ones')
    if sizes['heavy_users'] * sizes['heavy_tasks'] > sizes['tasks']:
        raise SystemExit('the heavy people alone would have more tasks than --tasks')
    return sizes


def seed(
    url: str, *, users: int, tasks: int, heavy_users: int, heavy_tasks: int, seed: int = 7
) -> dict[str, float]:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    recreate_database(url)
    migrate(url)
    timings['create + migrate'] = time.perf_counter() - start

    password_hash = hash_password(PASSWORD)
    now = datetime.now(UTC)
    user_ids = [
        uuid.UUID(int=random.Random(seed * 1_000_003 + n).getrandbits(128), version=4)
        for n in range(users)
    ]
    light = users - heavy_users
    remaining = tasks - heavy_users * heavy_tasks
    per_light, extra = divmod(remaining, light)
    extra_lists = LISTS_PER_HEAVY_USER - 1
    next_list_id = users + 1 + heavy_users * extra_lists

    def first_list(n: int) -> int:
        """A heavy user's lists after their Inbox (which is n + 1) follow the Inboxes, nine each."""
        return users + 1 + n * extra_lists

    with psycopg.connect(plain_url(url)) as connection:
        step = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(
                'COPY user_account (id, email, password_hash, created_at) FROM STDIN'
            ) as copy,
        ):
            for n, user_id in enumerate(user_ids):
                heavy = n < heavy_users
                email = HEAVY_EMAIL.format(n=n) if heavy else LIGHT_EMAIL.format(n=n - heavy_users)
                copy.write_row((user_id, email, password_hash, now - timedelta(days=400)))
        # Every account's Inbox, with ids known here so that tasks can name them.
        with connection.cursor() as cursor:
            with cursor.copy(LIST_COPY) as copy:
                for n, user_id in enumerate(user_ids, 1):
                    copy.write_row((n, user_id, 'Inbox', 'grey', 0.0, True, 'manual', now, now, 1))
                for n in range(heavy_users):
                    for row in list_rows(user_ids[n], first_list(n), now):
                        copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('task_list', 'id'), %s)", (next_list_id - 1,)
            )
        timings['users + lists (COPY)'] = time.perf_counter() - step

        # Who gets how many tasks in which lists: one row a person, for the generator to join.
        with connection.cursor() as cursor:
            cursor.execute(
                'CREATE TEMPORARY TABLE seed_owner (n integer PRIMARY KEY, owner_id uuid,'
                ' tasks integer, inbox integer, first_list integer, lists integer)'
            )
            with cursor.copy('COPY seed_owner FROM STDIN') as copy:
                for n, user_id in enumerate(user_ids):
                    if n < heavy_users:
                        row = (n, user_id, heavy_tasks, n + 1, first_list(n), LISTS_PER_HEAVY_USER)
                    else:
                        count = per_light + (1 if n - heavy_users < extra else 0)
                        row = (n, user_id, count, n + 1, 0, 1)
                    copy.write_row(row)
            cursor.execute('ANALYZE seed_owner')

        step = time.perf_counter()
        with connection.cursor() as cursor:
            rebuild = _set_aside(cursor)
            cursor.execute('SELECT setseed(%s)', (1 / (seed + 1),))
            parameters = {
                'words': list(WORDS),
                'word_count': len(WORDS),
                'now': now,
                'today': now.date(),
                'due_share': DUE_SHARE,
                'timed_share': TIMED_SHARE,
            }
            # In slices of about a million tasks, so that a long load says how far it has come.
            per_slice = max(1, users * 1_000_000 // max(tasks, 1))
            for first in range(0, users, per_slice):
                last = min(users, first + per_slice) - 1
                cursor.execute(TASK_INSERT, {**parameters, 'first': first, 'last': last})
                progress(f'tasks of people {first:,}–{last:,} written')
        timings['tasks (INSERT … SELECT)'] = time.perf_counter() - step

        step = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for statement in rebuild:
                cursor.execute(statement)
                progress(statement.split(' USING ')[0].split(' FOREIGN KEY ')[0])
        connection.commit()
        timings['indexes + foreign keys'] = time.perf_counter() - step

        step = time.perf_counter()
        connection.autocommit = True
        # What autovacuum does soon after a bulk load; without it index-only scans visit the heap.
        connection.execute('VACUUM (ANALYZE)')
        timings['vacuum + analyze'] = time.perf_counter() - step
        written = connection.execute('SELECT count(*) FROM task').fetchone()
        size = connection.execute('SELECT pg_database_size(current_database())').fetchone()
    timings['total'] = time.perf_counter() - start
    timings['tasks written'] = written[0] if written else 0
    timings['database bytes'] = size[0] if size else 0
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', default=BENCH_DB_URL)
    parser.add_argument(
        '--scale', type=float, default=1.0, help='1: 10,000 people and 1,000,000 tasks'
    )
    parser.add_argument('--users', type=int, help=f'default {USERS:,} × scale')
    parser.add_argument('--tasks', type=int, help=f'default {TASKS:,} × scale')
    parser.add_argument('--heavy-users', type=int, help=f'default {HEAVY_USERS}')
    parser.add_argument('--heavy-tasks', type=int, help=f'default {HEAVY_TASKS:,} × scale')
    args = parser.parse_args()
    sizes = plan(
        args.scale,
        users=args.users,
        tasks=args.tasks,
        heavy_users=args.heavy_users,
        heavy_tasks=args.heavy_tasks,
    )
    timings = seed(args.url, **sizes)
    written = int(timings.pop('tasks written'))
    size = int(timings.pop('database bytes'))
    rows = [[name, f'{seconds:.2f}'] for name, seconds in timings.items()]
    print(
        f'Seeded {sizes["users"]:,} users and {written:,} tasks'
        f' ({sizes["heavy_users"]} with {sizes["heavy_tasks"]:,} each)'
        f' into {make_url(args.url).database}'
    )
    print(table(['step', 'seconds'], rows))
    load = timings['tasks (INSERT … SELECT)']
    rate = written / load if load else 0
    print(f'{rate:,.0f} tasks/s; database size {size / 2**30:.2f} GiB ({size:,} bytes)')
    path = write_result(
        'seed',
        {
            'scale': args.scale,
            **sizes,
            'tasks': written,
            'seconds': timings,
            'tasks_per_second': rate,
            'database_bytes': size,
        },
    )
    print(f'wrote {path}')


if __name__ == '__main__':
    main()
