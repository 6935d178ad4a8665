"""Every benchmark runs end to end at a tiny size, so that none of them rots.

Nothing here is timed: the figures come from `python -m bench.*` at full size (docs/performance.md).
These need PostgreSQL (the benchmarks use COPY and EXPLAIN) and, for bench.ui, Chromium.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import server_env
from bench.seed import plan

ROOT = Path(__file__).resolve().parents[1]
_TEST_URL = make_url(
    os.environ.get(
        'TEST_POSTGRES_URL', 'postgresql+psycopg://postgres:postgres@127.0.0.1:5432/tasklight_test'
    )
)
# Named after the test database, so that two checkouts testing at once never share it.
SMOKE_URL = _TEST_URL.set(database=f'{_TEST_URL.database}_bench').render_as_string(
    hide_password=False
)
SCALED_URL = _TEST_URL.set(database=f'{_TEST_URL.database}_bench_scaled').render_as_string(
    hide_password=False
)
CHROMIUM = os.environ.get('CHROMIUM_PATH', '/usr/bin/chromium')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def bench(module: str, *args: str, results: Path) -> str:
    process = subprocess.Popen(
        [sys.executable, '-m', f'bench.{module}', *args],
        cwd=ROOT,
        env=server_env(BENCH_RESULTS=str(results), PYTHONUNBUFFERED='1'),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # A smoke run takes about a minute alone, several on a loaded machine.
        stdout, stderr = process.communicate(timeout=540)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()  # what it printed, to say where it stalled
        pytest.fail(f'bench.{module} still running after 540 s:\n{stdout}\n{stderr}')
    assert process.returncode == 0, stdout + stderr
    return stdout


def result(results: Path, name: str) -> dict:
    return json.loads((results / f'{name}.json').read_text())


@pytest.fixture(scope='module')
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny seeded database: 12 people, 2 of them with 60 tasks, 400 tasks in all."""
    folder = tmp_path_factory.mktemp('bench-results')
    args = ['--url', SMOKE_URL, '--users', '12', '--tasks', '400']
    bench('seed', *args, '--heavy-users', '2', '--heavy-tasks', '60', results=folder)
    return folder


def test_seed_fills_the_database_and_reports(results: Path) -> None:
    seeded = result(results, 'seed')
    assert seeded['users'] == 12
    assert seeded['tasks'] == 400
    assert seeded['seconds']['total'] > 0


def test_a_scale_multiplies_people_tasks_and_the_heavy_peoples_tasks() -> None:
    assert plan(1) == {
        'users': 10_000,
        'tasks': 1_000_000,
        'heavy_users': 10,
        'heavy_tasks': 10_000,
    }
    assert plan(10) == {
        'users': 100_000,
        'tasks': 10_000_000,
        'heavy_users': 10,
        'heavy_tasks': 100_000,
    }
    assert plan(10, users=500)['users'] == 500
    with pytest.raises(SystemExit, match='more tasks'):
        plan(1, heavy_tasks=200_000)
    with pytest.raises(SystemExit, match='none besides'):
        plan(0.0005)  # 5 people, all of them heavy


def test_seed_at_a_fraction_of_the_scale_fills_a_database_of_that_size(tmp_path: Path) -> None:
    out = bench('seed', '--url', SCALED_URL, '--scale', '0.02', results=tmp_path)
    assert 'database size' in out
    seeded = result(tmp_path, 'seed')
    assert (seeded['scale'], seeded['users'], seeded['tasks']) == (0.02, 200, 20_000)
    assert seeded['database_bytes'] > 0
    engine = create_engine(SCALED_URL)
    try:
        with engine.connect() as connection:
            per_person = connection.execute(
                text(
                    'SELECT count(t.id) FROM user_account u LEFT JOIN task t ON t.owner_id = u.id'
                    ' GROUP BY u.id ORDER BY 1 DESC'
                )
            ).scalars()
            indexes = connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE tablename = 'task' ORDER BY 1")
            ).scalars()
            keys = connection.execute(
                text("SELECT count(*) FROM pg_constraint WHERE conrelid = 'task'::regclass")
            ).scalar_one()
            positions_ok = connection.execute(
                text(
                    'SELECT bool_and(n = 1) FROM (SELECT count(*) AS n FROM task'
                    ' GROUP BY list_id, position) AS per_place'
                )
            ).scalar_one()
    finally:
        engine.dispose()
    # ten heavy people with 10,000 × 0.02 tasks each; the other 18,000 dealt over 190 people
    assert list(per_person) == [200] * 10 + [95] * 140 + [94] * 50
    # the indexes and foreign keys set aside during the load are all back
    assert list(indexes) == [
        'ix_task_assignee',
        'ix_task_list_order',
        'ix_task_owner_description_trgm',
        'ix_task_owner_due',
        'ix_task_owner_list',
        'ix_task_owner_title_trgm',
        'task_pkey',
    ]
    assert keys == 4  # the primary key and three foreign keys
    assert positions_ok is True


def test_seed_organizes_the_heavy_users_tasks_over_ten_lists_with_due_dates(
    results: Path,
) -> None:
    engine = create_engine(SMOKE_URL)
    try:
        with engine.connect() as connection:
            per_person = connection.execute(
                text(
                    'SELECT u.email, count(DISTINCT l.id), count(t.id),'
                    ' count(DISTINCT t.list_id), count(t.due_date), count(t.due_time),'
                    ' count(DISTINCT t.priority), bool_and(l.owner_id = t.owner_id)'
                    ' FROM user_account u JOIN task_list l ON l.owner_id = u.id'
                    ' LEFT JOIN task t ON t.list_id = l.id'
                    " WHERE u.email LIKE 'heavy%' GROUP BY u.email ORDER BY u.email"
                )
            ).all()
            inboxes = connection.execute(
                text('SELECT count(*), count(DISTINCT owner_id) FROM task_list WHERE is_inbox')
            ).one()
            timed_right = connection.execute(
                text(
                    "SELECT bool_and(due_at = (due_date + due_time) AT TIME ZONE 'UTC')"
                    ' FROM task WHERE due_time IS NOT NULL'
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert [row[0] for row in per_person] == ['heavy0@bench.example', 'heavy1@bench.example']
    for _, list_count, task_count, used, dated, timed, priorities, own in per_person:
        assert (list_count, task_count, own) == (10, 60, True)
        assert used >= 8  # 60 tasks dealt at random over 10 lists
        assert 20 <= dated <= 50  # about 60 % of 60
        assert 0 < timed < dated
        assert priorities >= 3
    assert tuple(inboxes) == (12, 12)
    assert timed_right is True


def test_micro_checks_tokens_and_explains_the_list_query(results: Path) -> None:
    out = bench(
        'micro', '--url', SMOKE_URL, '--runs', '3', '--sqlite-commits', '3', results=results
    )
    assert 'token_check_cached' in out
    micro = result(results, 'micro')
    assert micro['user_tasks'] == 60  # the heaviest seeded person
    for name in ('token_check_cached', 'token_check_uncached', 'list_all', 'count_all'):
        assert micro[name]['n'] >= 3
    assert micro['password_parameters'] == 'm=19456,t=2,p=1'
    assert {mode: micro['sqlite_commit'][mode]['n'] for mode in ('NORMAL', 'FULL')} == {
        'NORMAL': 3,
        'FULL': 3,
    }
    # the organize queries, as the services send them (plans at this size are not the point)
    for name in (
        'list_open_manual',
        'today_view',
        'upcoming_view',
        'overview_open_per_list',
        'overview_view_counts',
    ):
        assert micro[name]['n'] == 3, name
        assert micro[name]['plan'], name
    assert micro['list']['name'] != 'Inbox'
    # search as the dashboard sends it, for the heaviest person and a typical one
    engine = create_engine(SMOKE_URL)
    try:
        with engine.connect() as connection:
            expected = {
                (email, words): connection.execute(
                    text(
                        'SELECT count(*) FROM task t JOIN user_account u ON u.id = t.owner_id'
                        ' WHERE u.email = :email AND (t.title ILIKE :pattern'
                        ' OR t.description ILIKE :pattern)'
                    ),
                    {'email': email, 'pattern': f'%{words}%'},
                ).scalar_one()
                for email in ('heavy0@bench.example', 'user0@bench.example')
                for words in ('report', 'ca', 'zebra')
            }
    finally:
        engine.dispose()
    search = micro['search']
    assert (search['heavy']['tasks'], search['typical']['tasks']) == (60, 28)
    for who, email in (('heavy', 'heavy0@bench.example'), ('typical', 'user0@bench.example')):
        assert set(search[who]) == {
            'tasks',
            'common',
            'rare',
            'rarest',
            'absent',
            'two_chars',
            'one_char',
        }
        for kind, words in (('common', 'report'), ('two_chars', 'ca'), ('absent', 'zebra')):
            assert search[who][kind]['matches'] == expected[email, words], (who, kind)
        for kind in ('common', 'rare', 'rarest', 'absent', 'two_chars', 'one_char'):
            for part in ('count', 'page'):
                assert search[who][kind][part]['n'] == 3
                assert search[who][kind][part]['plan'].startswith(('Aggregate', 'Limit'))
    assert search['heavy']['absent']['matches'] == 0


def test_micro_measures_sqlite_commits_alone(tmp_path: Path) -> None:
    out = bench('micro', '--only', 'sqlite', '--sqlite-commits', '3', results=tmp_path)
    assert 'sqlite_commit_full' in out
    assert set(result(tmp_path, 'micro_sqlite')['sqlite_commit']) == {'NORMAL', 'FULL'}


def test_api_load_runs_without_errors(results: Path) -> None:
    args = ['--database-url', SMOKE_URL, '--port', str(_free_port()), '--users', '4']
    args += ['--heavy', '1', '--levels', '1,2', '--seconds', '1', '--warmup', '0']
    bench('api', *args, results=results)
    api = result(results, 'api')
    assert set(api['levels']) == {'1', '2'}
    for level in api['levels'].values():
        assert level['errors'] == 0
        assert level['all']['n'] > 0


@pytest.mark.timeout(600)  # above bench()'s own limit, which then says what the bench printed
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason='bench.ui needs Chromium')
def test_ui_bench_times_dashboards_memory_and_toggles(results: Path) -> None:
    args = ['--database-url', SMOKE_URL, '--port', str(_free_port()), '--chromium', CHROMIUM]
    args += ['--sizes', '3,30', '--runs', '1', '--cold-runs', '1', '--clients', '1,3']
    args += ['--toggle-clients', '3', '--own-tabs', '1', '--toggles', '2', '--phase-timeout', '150']
    bench('ui', *args, results=results)
    ui = result(results, 'ui')
    assert set(ui['ready']) == {'3', '30'}
    assert ui['memory']['3']['rss_mib'] > 0
    assert {toggle['n'] for toggle in ui['toggle'].values()} == {2}


def test_export_bench_streams_every_task_and_reports_peak_memory(tmp_path: Path) -> None:
    out = bench('export', '--tasks', '1200', results=tmp_path)
    assert 'peak MiB allocated' in out
    figures = result(tmp_path, 'export')
    assert figures['tasks'] == 1200
    for kind in ('json', 'csv'):
        assert figures[kind]['bytes'] > 0
        assert figures[kind]['peak_mib'] > 0
