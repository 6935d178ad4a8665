"""Exporting a person with many tasks: `python -m bench.export [--tasks 100000] [--url …]`.

Makes one person with `--tasks` tasks over ten lists (in a fresh SQLite file unless `--url`
names a database), then streams their JSON and CSV exports into a byte counter, as the API
streams them to a client, and prints the peak memory the export allocated (tracemalloc) and
how long it took. The peak must not grow with the number of tasks: the export pages through
the database (services/transfer.py).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from app import db
from app.models import Task, TaskList, User
from bench.common import table, write_result
from services import transfer

_BATCH = 5000


def _seed(tasks: int) -> uuid.UUID:
    person = uuid.uuid4()
    now = datetime.now(UTC)
    with db.session_scope() as session:
        connection = session.connection()
        connection.execute(
            insert(User.__table__),  # type: ignore[attr-defined]
            {
                'id': person,
                'email': f'{person.hex}@bench.example',
                'password_hash': 'x',
                'created_at': now,
                'time_zone': 'UTC',
            },
        )
        list_ids = [
            connection.execute(
                insert(TaskList.__table__)  # type: ignore[attr-defined]
                .values(
                    owner_id=person,
                    name='Inbox' if n == 0 else f'List {n}',
                    colour='grey',
                    position=float(n),
                    is_inbox=n == 0,
                    sort='manual',
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .returning(TaskList.__table__.c.id)  # type: ignore[attr-defined]
            ).scalar_one()
            for n in range(10)
        ]
    for start in range(0, tasks, _BATCH):
        rows: list[dict[str, Any]] = []
        for n in range(start, min(start + _BATCH, tasks)):
            done = n % 3 == 0
            rows.append(
                {
                    'owner_id': person,
                    'list_id': list_ids[n % 10],
                    'position': float(n),
                    'title': f'Task number {n} with a title of ordinary length',
                    'description': 'Some words about it.' if n % 4 == 0 else '',
                    'priority': n % 4,
                    'completed': done,
                    'completed_at': now if done else None,
                    'created_at': now - timedelta(seconds=n),
                    'updated_at': now,
                    'due_date': date(2026, 1, 1) + timedelta(days=n % 365) if n % 2 else None,
                    'version': 1,
                }
            )
        with db.session_scope() as session:
            session.connection().execute(insert(Task.__table__), rows)  # type: ignore[attr-defined]
    return person


def _measure(kind: str, person: uuid.UUID) -> dict[str, Any]:
    produce = transfer.export_json if kind == 'json' else transfer.export_csv
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    size = 0
    with db.session_scope() as session:
        for piece in produce(session, actor_id=person):
            size += len(piece.encode('utf-8'))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {'bytes': size, 'peak_mib': round(peak / 2**20, 2), 'seconds': round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tasks', type=int, default=100_000)
    parser.add_argument('--url', default=None, help='a database to use (default: a fresh SQLite)')
    args = parser.parse_args()
    url = args.url or f'sqlite:///{Path(tempfile.mkdtemp(prefix="bench-export-")) / "x.db"}'
    db.migrate(url)
    db.set_engine(db.make_engine(url))
    seeding = time.perf_counter()
    person = _seed(args.tasks)
    seeded = time.perf_counter() - seeding
    figures = {kind: _measure(kind, person) for kind in ('json', 'csv')}
    with db.session_scope() as session:  # the JSON is whole and every task is in it
        document = json.loads(''.join(transfer.export_json(session, actor_id=person)))
    assert len(document['tasks']) == args.tasks
    print(f'{args.tasks} tasks (seeded in {seeded:.1f} s), {db.get_engine().dialect.name}:')
    print(
        table(
            ['format', 'MiB out', 'peak MiB allocated', 'seconds'],
            [
                [kind, round(f['bytes'] / 2**20, 1), f['peak_mib'], f['seconds']]
                for kind, f in figures.items()
            ],
        )
    )
    write_result(
        'export', {'tasks': args.tasks, 'dialect': db.get_engine().dialect.name, **figures}
    )


if __name__ == '__main__':
    main()
