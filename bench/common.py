"""Shared bits: the benchmark database, result files, and percentile tables."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get('BENCH_RESULTS', ROOT / 'bench' / 'results'))
BENCH_DB_URL = os.environ.get(
    'BENCH_DATABASE_URL', 'postgresql+psycopg://postgres:postgres@127.0.0.1:5432/tasklight_bench'
)
PASSWORD = 'bench-password'  # noqa: S105 - every seeded bench user's password, by design
HEAVY_EMAIL = 'heavy{n}@bench.example'
LIGHT_EMAIL = 'user{n}@bench.example'  # numbered from 0, apart from the heavy ones


CHROMIUM_ARGS = [  # Chromium as the browser tests and bench.ui run it, headless in a container
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float('nan')
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean in milliseconds from samples in seconds."""
    ms = [s * 1000 for s in samples]
    return {
        'n': len(ms),
        'p50': round(percentile(ms, 50), 3),
        'p95': round(percentile(ms, 95), 3),
        'p99': round(percentile(ms, 99), 3),
        'mean': round(statistics.fmean(ms), 3) if ms else float('nan'),
    }


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        '  '.join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, '  '.join('-' * w for w in widths))
    return '\n'.join(lines)


def machine() -> dict[str, Any]:
    return {
        'python': sys.version.split()[0],
        'platform': platform.platform(),
        'cpus': os.cpu_count(),
        'when': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f'{name}.json'
    path.write_text(json.dumps({'machine': machine(), **data}, indent=2, default=str))
    return path


async def wait_until_up(url: str, path: str, status: int, seconds: float = 30) -> None:
    """Poll `url + path` until it answers `status` (a server just started takes a moment)."""
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f'{url}{path}', allow_redirects=False) as response:
                    if response.status == status:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f'{url} did not come up')


def progress(message: str) -> None:
    """A line on stderr as each phase starts, so that a run that stalls says where."""
    print(f'[{time.strftime("%H:%M:%S")}] {message}', file=sys.stderr, flush=True)


async def phase(name: str, work: Any, seconds: float) -> Any:
    """Await one phase of a bench, failing with its name when it takes longer than `seconds`."""
    progress(name)
    try:
        return await asyncio.wait_for(work, seconds)
    except TimeoutError:
        raise RuntimeError(f'{name}: not finished within {seconds:.0f} s') from None


def server_env(**extra: str) -> dict[str, str]:
    """Environment for a `python main.py` under test: no PYTEST_* (NiceGUI would think it is
    under test) and no inherited Tasklight settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST')}
    for key in ('ENV', 'DATABASE_URL', 'SECRET_KEY', 'DATA_DIR', 'PORT', 'HOST'):
        env.pop(key, None)
    env.update(extra)
    return env


@contextmanager
def running_server(database_url: str, port: int, **extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """`python main.py` as production runs it, on the benchmark database, logging to a temp dir."""
    data_dir = tempfile.mkdtemp(prefix='tasklight-bench-')
    env = server_env(
        ENV='production',
        DATABASE_URL=database_url,
        SECRET_KEY='benchmark-secret-key-that-is-long-enough',  # noqa: S106 - a throwaway bench server
        DATA_DIR=data_dir,
        PORT=str(port),
        RATE_LIMIT_LOGIN='100000/minute',
        RATE_LIMIT_LOGIN_PER_ADDRESS='100000/minute',
        **extra,
    )
    with open(f'{data_dir}/server.log', 'wb') as log:
        process = subprocess.Popen(
            [sys.executable, 'main.py'], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield process
        except BaseException:
            # Whatever stopped the bench (a stalled phase, a failed request): the server's side.
            log.flush()
            tail = Path(f'{data_dir}/server.log').read_text(errors='replace')[-4000:]
            print(f'--- server log (last 4000 characters) ---\n{tail}', file=sys.stderr)
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
            if process.returncode not in (0, -15):
                print(Path(f'{data_dir}/server.log').read_text()[-4000:], file=sys.stderr)


def fast_loop() -> Any:
    """uvloop's event loop factory when installed (uvicorn's standard extra brings it): the load
    generator shares the machine with the server, so every cycle it saves is the server's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] installs it
        return None
    return uvloop.new_event_loop


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its threads so far (Linux /proc)."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
