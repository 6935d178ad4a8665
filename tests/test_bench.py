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
