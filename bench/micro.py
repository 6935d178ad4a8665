"""The hot pieces in isolation: `python -m bench.micro` (after `python -m bench.seed`).

- access-token check with the session cache warm, and with it off (a database read each time);
- the list and count queries for a user with the most tasks, timed by PostgreSQL itself
  (EXPLAIN ANALYZE), with the plan checked for the list index;
- search as the dashboard sends it (the filter badges' counts, then the page) for that person and
  for a typical one, with words that are common, rare, absent, and one or two characters long
  (shorter than a trigram);
- the queries behind organizing, as the services send them (captured, then explained): one
  list's open tasks in the person's own order (`ix_task_list_order`), the Today view
  (`ix_task_owner_due`), and the sidebar's overview counts;
- password hash and verify at the configured argon2id parameters;
- SQLite commit cost with `SQLITE_SYNCHRONOUS=FULL` against `NORMAL` (`--only sqlite` runs just
  this, without PostgreSQL): one task created per unit of work, as the app commits.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session, select

from app import db
from app.config import get_settings
from app.models import TaskQuery, User
from app.security import hash_password, verify_password
from bench.common import (
    BENCH_DB_URL,
    HEAVY_EMAIL,
    LIGHT_EMAIL,
    PASSWORD,
    summary_ms,
    table,
    write_result,
)
from services import auth, lists, tasks
from services.tasks import list_statements


def _time(fn: Any, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _heaviest_user() -> User:
    with db.session_scope() as session:
        user = session.exec(select(User).where(User.email == HEAVY_EMAIL.format(n=0))).first()
        if user is None:
            user = session.exec(select(User).order_by(User.created_at)).first()
        assert user is not None, 'seed the benchmark database first: python -m bench.seed'
        return user


# What people search for: a word in about one task in five, a phrase of two words (rare), of three
# (rarer still), a word no task has, and queries shorter than a trigram.
SEARCHES = {
    'common': 'report',
    'rare': 'taxes slides',
    'rarest': 'dentist garden car',
    'absent': 'zebra',
    'two_chars': 'ca',
    'one_char': 'x',
}


def _person(email: str) -> User | None:
    with db.session_scope() as session:
        return session.exec(select(User).where(User.email == email)).first()


def explain(sql_query: Any, runs: int) -> tuple[list[float], dict[str, Any]]:
    engine = db.get_engine()
    compiled = sql_query.compile(dialect=engine.dialect)
    # TIMING OFF: per-node clocks would inflate a query that touches 10,000 index entries.
    statement = 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' + str(compiled)
    times, plan = [], {}
    with engine.connect() as connection:
        for _ in range(runs):
            result = connection.exec_driver_sql(statement, compiled.params).scalar_one()
            data = result if isinstance(result, list) else json.loads(result)
            plan = data[0]
            times.append(plan['Execution Time'] / 1000)
    return times, plan


def explain_sql(sql: str, params: Any, runs: int) -> tuple[list[float], dict[str, Any]]:
    """EXPLAIN ANALYZE a statement exactly as a service sent it (SQL text and parameters)."""
    engine = db.get_engine()
    statement = 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' + sql
    times, plan = [], {}
    with engine.connect() as connection:
        for _ in range(runs):
            result = connection.exec_driver_sql(statement, params).scalar_one()
            data = result if isinstance(result, list) else json.loads(result)
            plan = data[0]
            times.append(plan['Execution Time'] / 1000)
    return times, plan


def captured(action: Any) -> list[tuple[str, Any]]:
    """The statements `action(session)` sends to the database, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    engine = db.get_engine()
    event.listen(engine, 'before_cursor_execute', record)
    try:
        with db.session_scope() as session:
            action(session)
    finally:
        event.remove(engine, 'before_cursor_execute', record)
    return sent


_ON_TASK = re.compile(r'\bFROM task\b(?!_)')


def _on_tasks(sent: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(sql, params) for sql, params in sent if _ON_TASK.search(sql)]


def organizing(user_id: Any, runs: int) -> dict[str, Any]:
    """The organize queries for this person: their biggest list, Today, and the overview."""
    with db.session_scope() as session:
        summary = lists.list_lists(session, actor_id=user_id)
    biggest = max(summary, key=lambda item: (not item.is_inbox, item.open_count))
    wanted = {
        'list_open_manual': captured(
            lambda s: tasks.list_tasks(
                s, actor_id=user_id, list_id=biggest.id, status='active', sort='manual'
            )
        ),
        'today_view': captured(lambda s: tasks.due_view(s, actor_id=user_id, view='today')),
        'upcoming_view': captured(lambda s: tasks.due_view(s, actor_id=user_id, view='upcoming')),
        'overview': captured(lambda s: lists.overview(s, actor_id=user_id)),
    }
    results: dict[str, Any] = {
        'list': {'name': biggest.name, 'open': biggest.open_count},
    }
    labels = {
        'overview': ['overview_open_per_list', 'overview_view_counts'],
    }
    for name, sent in wanted.items():
        statements = _on_tasks(sent)
        assert statements, f'{name}: no statement on task was captured'
        names = labels.get(name, [name, f'{name}_count'])
        for label, (sql, params) in zip(names, statements, strict=False):
            times, plan = explain_sql(sql, params, runs)
            results[label] = {
                **summary_ms(times),
                'indexes': sorted(_index_names(plan['Plan'])),
                'plan': plan['Plan']['Node Type'],
            }
    return results


def searching(user_id: Any, runs: int) -> dict[str, Any]:
    """Each search as the dashboard runs it (`list_tasks_with_counts`): the badges' counts with
    the words, then the first page, newest first; how many tasks match, and the plans."""
    results: dict[str, Any] = {}
    for kind, words in SEARCHES.items():
        found: dict[str, Any] = {}

        def search(session: Any, words: str = words, found: dict[str, Any] = found) -> None:
            _, counts = tasks.list_tasks_with_counts(session, actor_id=user_id, q=words)
            found['matches'] = counts.all

        statements = _on_tasks(captured(search))
        assert len(statements) == 2, f'search {kind}: expected the counts and the page'
        entry: dict[str, Any] = {'q': words, 'matches': found['matches']}
        for label, (sql, params) in zip(('count', 'page'), statements, strict=True):
            times, plan = explain_sql(sql, params, runs)
            entry[label] = {
                **summary_ms(times),
                'indexes': sorted(_index_names(plan['Plan'])),
                'plan': shape(plan['Plan']),
            }
        results[kind] = entry
    return results


def shape(node: dict[str, Any]) -> str:
    """A plan in one line: each node with its index, children in brackets."""
    name = node['Node Type']
    if 'Index Name' in node:
        name += f' {node["Index Name"]}'
    children = [shape(child) for child in node.get('Plans', [])]
    if not children:
        return name
    if len(children) == 1:
        return f'{name} > {children[0]}'
    return f'{name} [{"; ".join(children)}]'


def _index_names(node: dict[str, Any]) -> set[str]:
    names = {node['Index Name']} if 'Index Name' in node else set()
    for child in node.get('Plans', []):
        names |= _index_names(child)
    return names


def sqlite_commits(commits: int, folder: Path) -> dict[str, dict[str, float]]:
    """Milliseconds per committed unit of work (one new task) for each SQLITE_SYNCHRONOUS."""
    previous = os.environ.get('SQLITE_SYNCHRONOUS')
    results = {}
    try:
        for mode in ('NORMAL', 'FULL'):
            os.environ['SQLITE_SYNCHRONOUS'] = mode
            get_settings.cache_clear()
            url = f'sqlite:///{folder / f"{mode.lower()}.db"}'
            db.migrate(url)
            engine = db.make_engine(url, pool_size=1)
            with Session(engine, expire_on_commit=False) as session:
                owner = auth.register(session, email=f'{mode}@example.com', password=PASSWORD)
                session.commit()
            results[mode] = summary_ms(_commit_cost(engine, owner.id, commits))
            engine.dispose()
    finally:
        if previous is None:
            os.environ.pop('SQLITE_SYNCHRONOUS', None)
        else:
            os.environ['SQLITE_SYNCHRONOUS'] = previous
        get_settings.cache_clear()
    return results


def _commit_cost(engine: Any, owner_id: Any, commits: int) -> list[float]:
    numbers = itertools.count(1)

    def commit_one() -> None:
        with Session(engine, expire_on_commit=False) as session:
            tasks.create_task(
                session, actor_id=owner_id, title=f'Task {next(numbers)}', description=''
            )
            session.commit()

    for _ in range(min(20, commits)):  # warm the page cache and the WAL
        commit_one()
    return _time(commit_one, commits)


def _sqlite_rows(results: dict[str, Any]) -> list[list[Any]]:
    return [
        [f'sqlite_commit_{mode.lower()}', v['n'], v['p50'], v['p95'], v['p99'], '']
        for mode, v in results.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', default=BENCH_DB_URL)
    parser.add_argument('--runs', type=int, default=200)
    parser.add_argument('--only', choices=['all', 'sqlite'], default='all')
    parser.add_argument('--sqlite-commits', type=int, default=1000)
    parser.add_argument(
        '--sqlite-dir', type=Path, default=None, help='a folder on the disk to measure (not tmpfs)'
    )
    args = parser.parse_args()
    os.environ.setdefault('SECRET_KEY', 'benchmark-secret-key-that-is-long-enough')
    folder = Path(tempfile.mkdtemp(prefix='tasklight-sqlite-', dir=args.sqlite_dir))
    try:
        durability = sqlite_commits(args.sqlite_commits, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.only == 'sqlite':
        headers = ['measure', 'n', 'p50 ms', 'p95 ms', 'p99 ms', '']
        print(table(headers, _sqlite_rows(durability)))
        print(f'wrote {write_result("micro_sqlite", {"sqlite_commit": durability})}')
        return
    os.environ['DATABASE_URL'] = args.url
    get_settings.cache_clear()
    db.set_engine(db.make_engine(get_settings().sqlalchemy_url))

    user = _heaviest_user()
    with db.session_scope() as session:
        task_count = session.execute(
            text('SELECT count(*) FROM task WHERE owner_id = :id'), {'id': user.id}
        ).scalar_one()
        issued = auth.start_session(session, user=auth.UserRead.model_validate(user), kind='api')
    token, _ = auth.issue_access_token(issued.info)

    rows: list[list[Any]] = []
    results: dict[str, Any] = {'user_tasks': task_count, 'sqlite_commit': durability}

    auth.authenticate_access_token(token)  # warm the cache
    warm = _time(lambda: auth.authenticate_access_token(token), args.runs * 50)
    results['token_check_cached'] = summary_ms(warm)
    os.environ['SESSION_CACHE_SECONDS'] = '0'
    get_settings.cache_clear()
    cold = _time(lambda: auth.authenticate_access_token(token), args.runs)
    results['token_check_uncached'] = summary_ms(cold)
    del os.environ['SESSION_CACHE_SECONDS']
    get_settings.cache_clear()

    for status in ('all', 'active', 'completed'):
        page, count = list_statements(session, user.id, TaskQuery(status=status, limit=50))
        page_times, plan = explain(page, args.runs)
        count_times, count_plan = explain(count, args.runs)
        results[f'list_{status}'] = {
            **summary_ms(page_times),
            'indexes': sorted(_index_names(plan['Plan'])),
            'plan': plan['Plan']['Node Type'],
        }
        results[f'count_{status}'] = {
            **summary_ms(count_times),
            'indexes': sorted(_index_names(count_plan['Plan'])),
        }
    page, _ = list_statements(session, user.id, TaskQuery(q='report', limit=50))
    search_times, search_plan = explain(page, max(20, args.runs // 4))
    results['list_search'] = {
        **summary_ms(search_times),
        'indexes': sorted(_index_names(search_plan['Plan'])),
    }

    organize = organizing(user.id, args.runs)
    results.update(organize)
    typical = _person(LIGHT_EMAIL.format(n=0))
    with db.session_scope() as session:
        typical_tasks = session.execute(
            text('SELECT count(*) FROM task WHERE owner_id = :id'),
            {'id': typical.id if typical else None},
        ).scalar_one()
    search_runs = max(3, args.runs // 4)
    results['search'] = {
        'heavy': {'tasks': task_count, **searching(user.id, search_runs)},
        **(
            {'typical': {'tasks': typical_tasks, **searching(typical.id, search_runs)}}
            if typical
            else {}
        ),
    }

    hashes = _time(lambda: hash_password(PASSWORD), 20)
    stored = hash_password(PASSWORD)
    verifies = _time(lambda: verify_password(PASSWORD, stored), 20)
    results['password_hash'] = summary_ms(hashes)
    results['password_verify'] = summary_ms(verifies)
    results['password_parameters'] = stored.split('$')[3]

    for name, value in results.items():
        if isinstance(value, dict) and 'p95' in value:
            rows.append(
                [
                    name,
                    value['n'],
                    value['p50'],
                    value['p95'],
                    value['p99'],
                    ', '.join(value.get('indexes', [])),
                ]
            )
    rows.extend(_sqlite_rows(durability))
    search_rows = [
        [
            f'{who} ({found["tasks"]:,})',
            repr(entry['q']),
            f'{entry["matches"]:,}',
            *(
                f'{entry[part]["p50"]} / {entry[part]["p95"]} / {entry[part]["p99"]}'
                for part in ('count', 'page')
            ),
            entry['count']['plan'],
            entry['page']['plan'],
        ]
        for who, found in results['search'].items()
        for entry in (value for value in found.values() if isinstance(value, dict))
    ]
    print(f'User with {task_count:,} tasks; argon2id {results["password_parameters"]}')
    print(
        f'List explained: {organize["list"]["name"]} with {organize["list"]["open"]:,} open tasks'
    )
    print(table(['measure', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'indexes used'], rows))
    print(f'Search as the dashboard sends it ({search_runs} runs each; ms p50 / p95 / p99):')
    headers = ['person (tasks)', 'q', 'matches', 'counts', 'page', 'counts plan', 'page plan']
    print(table(headers, search_rows))
    print(f'wrote {write_result("micro", results)}')


if __name__ == '__main__':
    main()
