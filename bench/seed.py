"""Fill a PostgreSQL database with users and tasks, fast: `python -m bench.seed`.

Default: 10,000 users and 1,000,000 tasks, ten of the users with 10,000 tasks each, about 40 %
completed, created over the past year. The heavy users have ten lists (their Inbox and nine more)
with their tasks spread over them; everyone's tasks are organized alike: about 60 % with a due
date spread over a year around today (a third of those with a time of day), priorities mixed.
Rows go in with COPY, one stream per table. Every seeded user's password is `bench-password`
(one argon2id hash, computed once).
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import psycopg
from sqlalchemy.engine import make_url

from app.db import migrate
from app.security import hash_password
from bench.common import (
    BENCH_DB_URL,
    HEAVY_EMAIL,
    LIGHT_EMAIL,
    PASSWORD,
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
PRIORITY_WEIGHTS = (55, 15, 18, 12)  # none, low, medium, high


def list_rows(owner_id: uuid.UUID, first_id: int, now: datetime) -> Iterator[tuple[object, ...]]:
    """A heavy user's lists after their Inbox, ids from `first_id`, for LIST_COPY."""
    for n, (name, colour) in enumerate(zip(LIST_NAMES, LIST_COLOURS, strict=True)):
        yield (first_id + n, owner_id, name, colour, float(n + 1), False, 'manual', now, now, 1)


def organized(rng: random.Random, today: date) -> tuple[object, ...]:
    """A task's due_date, due_time, due_at (the owner's zone is UTC) and priority: ~60 % due
    somewhere from four months ago to eight months ahead, a third of those at a time of day."""
    priority = rng.choices(range(4), weights=PRIORITY_WEIGHTS)[0]
    if rng.random() >= DUE_SHARE:
        return (None, None, None, priority)
    due = today + timedelta(days=rng.randint(-120, 245))
    if rng.random() >= TIMED_SHARE:
        return (due, None, None, priority)
    at = clock_time(rng.randint(7, 20), rng.choice((0, 15, 30, 45)))
    return (due, at, datetime.combine(due, at, tzinfo=UTC), priority)


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


def seed(
    url: str, *, users: int, tasks: int, heavy_users: int, heavy_tasks: int, seed: int = 7
) -> dict[str, float]:
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    recreate_database(url)
    migrate(url)
    timings['create + migrate'] = time.perf_counter() - start

    password_hash = hash_password(PASSWORD)
    now = datetime.now(UTC)
    user_ids = [uuid.uuid4() for _ in range(users)]
    light = users - heavy_users
    remaining = max(0, tasks - heavy_users * heavy_tasks)
    per_light, extra = divmod(remaining, light) if light else (0, 0)
    today = now.date()
    extra_lists = LISTS_PER_HEAVY_USER - 1
    next_list_id = users + 1 + heavy_users * extra_lists

    def lists_of(n: int) -> list[int]:
        """User n's list ids: their Inbox is n + 1; a heavy user's other lists follow the
        Inboxes, nine each."""
        if n >= heavy_users:
            return [n + 1]
        return [n + 1, *range(users + 1 + n * extra_lists, users + 1 + (n + 1) * extra_lists)]

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
                    for row in list_rows(user_ids[n], lists_of(n)[1], now):
                        copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('task_list', 'id'), %s)", (next_list_id - 1,)
            )
        timings['users (COPY)'] = time.perf_counter() - step

        step = time.perf_counter()
        written = 0
        with (
            connection.cursor() as cursor,
            cursor.copy(TASK_COPY) as copy,
        ):
            for n, user_id in enumerate(user_ids):
                count = (
                    heavy_tasks
                    if n < heavy_users
                    else per_light + (1 if n - heavy_users < extra else 0)
                )
                owned = lists_of(n)
                next_position = dict.fromkeys(owned, 0)
                for _ in range(count):
                    list_id = owned[rng.randrange(len(owned))]
                    next_position[list_id] += 1
                    created = now - timedelta(seconds=rng.randrange(365 * 86_400))
                    done = rng.random() < 0.4
                    title = ' '.join(
                        rng.choice(WORDS) for _ in range(rng.randint(2, 6))
                    ).capitalize()
                    description = (
                        '' if rng.random() < 0.6 else ' '.join(rng.choice(WORDS) for _ in range(12))
                    )
                    finished = created + timedelta(hours=rng.randint(1, 500)) if done else None
                    copy.write_row(
                        (
                            user_id,
                            list_id,
                            float(next_position[list_id]),
                            title,
                            description,
                            done,
                            created,
                            finished or created,
                            finished,
                            *organized(rng, today),
                        )
                    )
                    written += 1
        timings['tasks (COPY)'] = time.perf_counter() - step
        connection.commit()

        step = time.perf_counter()
        connection.commit()
        connection.autocommit = True
        # What autovacuum does soon after a bulk load; without it index-only scans visit the heap.
        connection.execute('VACUUM (ANALYZE)')
        timings['vacuum + analyze'] = time.perf_counter() - step
    timings['total'] = time.perf_counter() - start
    timings['tasks written'] = written
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', default=BENCH_DB_URL)
    parser.add_argument('--users', type=int, default=10_000)
    parser.add_argument('--tasks', type=int, default=1_000_000)
    parser.add_argument('--heavy-users', type=int, default=10)
    parser.add_argument('--heavy-tasks', type=int, default=10_000)
    args = parser.parse_args()
    timings = seed(
        args.url,
        users=args.users,
        tasks=args.tasks,
        heavy_users=args.heavy_users,
        heavy_tasks=args.heavy_tasks,
    )
    written = int(timings.pop('tasks written'))
    rows = [[name, f'{seconds:.2f}'] for name, seconds in timings.items()]
    print(f'Seeded {args.users:,} users and {written:,} tasks into {make_url(args.url).database}')
    print(table(['step', 'seconds'], rows))
    rate = written / timings['tasks (COPY)'] if timings['tasks (COPY)'] else 0
    print(f'{rate:,.0f} tasks/s')
    path = write_result(
        'seed',
        {'users': args.users, 'tasks': written, 'seconds': timings, 'tasks_per_second': rate},
    )
    print(f'wrote {path}')


if __name__ == '__main__':
    main()
