"""Closed-loop load on the REST API: `python -m bench.api` (after `python -m bench.seed`).

Starts `python main.py` on the benchmark database (or uses --url), signs in --users seeded
people (a few of them the ones with 10,000 tasks), then for each concurrency level runs that many
clients for --seconds, each sending its next request as soon as the last one answered. The mix:
list first page 40 %, create 15 %, toggle 20 %, update 10 %, get 15 %. Prints requests/s and
p50/p95/p99 per operation and errors (anything but the expected status), and writes JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.common import (
    BENCH_DB_URL,
    HEAVY_EMAIL,
    LIGHT_EMAIL,
    PASSWORD,
    fast_loop,
    process_cpu_seconds,
    running_server,
    summary_ms,
    table,
    wait_until_up,
    write_result,
)

MIX = [('list', 40), ('create', 15), ('toggle', 20), ('update', 10), ('get', 15)]
EXPECTED = {'list': 200, 'create': 201, 'toggle': 200, 'update': 200, 'get': 200}


@dataclass
class Person:
    token: str
    task_ids: list[int] = field(default_factory=list)


async def sign_in(session: aiohttp.ClientSession, url: str, email: str) -> Person:
    async with session.post(
        f'{url}/api/auth/login', json={'email': email, 'password': PASSWORD}
    ) as response:
        body = await response.json()
        if response.status != 200:
            raise RuntimeError(f'login {email}: {response.status} {body}')
    person = Person(body['access_token'])
    headers = {'Authorization': f'Bearer {person.token}'}
    async with session.get(f'{url}/api/tasks?limit=100', headers=headers) as response:
        person.task_ids = [task['id'] for task in (await response.json())['items']]
    return person


async def client_loop(
    session: aiohttp.ClientSession,
    url: str,
    people: list[Person],
    deadline: float,
    samples: dict[str, list[float]],
    errors: dict[str, int],
    rng: random.Random,
) -> None:
    names = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    while time.perf_counter() < deadline:
        person = rng.choice(people)
        headers = {'Authorization': f'Bearer {person.token}'}
        op = rng.choices(names, weights)[0]
        if op != 'list' and op != 'create' and not person.task_ids:
            op = 'create'
        task_id = rng.choice(person.task_ids) if person.task_ids else 0
        if op == 'list':
            request = session.get(f'{url}/api/tasks', headers=headers)
        elif op == 'create':
            request = session.post(
                f'{url}/api/tasks',
                headers=headers,
                json={'title': f'Benchmark task {rng.randrange(10**6)}', 'description': 'load'},
            )
        elif op == 'toggle':
            request = session.patch(f'{url}/api/tasks/{task_id}/toggle', headers=headers)
        elif op == 'update':
            request = session.patch(
                f'{url}/api/tasks/{task_id}',
                headers=headers,
                json={'title': f'Renamed {rng.randrange(10**6)}'},
            )
        else:
            request = session.get(f'{url}/api/tasks/{task_id}', headers=headers)
        start = time.perf_counter()
        try:
            async with request as response:
                body = await response.read()
                elapsed = time.perf_counter() - start
                if response.status != EXPECTED[op]:
                    errors[op] += 1
                    continue
        except aiohttp.ClientError:
            errors[op] += 1
            continue
        samples[op].append(elapsed)
        if op == 'create':
            person.task_ids.append(int(body.split(b'"id":', 1)[1].split(b',', 1)[0]))


async def run(
    url: str,
    *,
    users: int,
    heavy: int,
    levels: list[int],
    seconds: float,
    warmup: float,
    server_pid: int | None = None,
) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=max(levels) + 8, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        await wait_until_up(url, '/api/auth/me', 401)
        emails = [HEAVY_EMAIL.format(n=n) for n in range(heavy)]
        emails += [LIGHT_EMAIL.format(n=n) for n in range(users - len(emails))]
        people: list[Person] = []
        for start in range(0, len(emails), 4):  # argon2 verifies: a few at a time
            people += await asyncio.gather(
                *(sign_in(session, url, e) for e in emails[start : start + 4])
            )
        results: dict[str, Any] = {}
        for level in levels:
            rng = random.Random(level)
            if warmup:
                await asyncio.gather(
                    *(
                        client_loop(
                            session,
                            url,
                            people,
                            time.perf_counter() + warmup,
                            defaultdict(list),
                            defaultdict(int),
                            rng,
                        )
                        for _ in range(level)
                    )
                )
            samples: dict[str, list[float]] = defaultdict(list)
            errors: dict[str, int] = defaultdict(int)
            began = time.perf_counter()
            cpu_before = process_cpu_seconds(server_pid) if server_pid else 0.0
            await asyncio.gather(
                *(
                    client_loop(session, url, people, began + seconds, samples, errors, rng)
                    for _ in range(level)
                )
            )
            elapsed = time.perf_counter() - began
            server_cpu = process_cpu_seconds(server_pid) - cpu_before if server_pid else None
            total = sum(len(v) for v in samples.values())
            results[str(level)] = {
                'requests_per_second': round(total / elapsed, 1),
                # Server CPU (all its threads) per answered request: what bounds throughput.
                'server_cpu_ms_per_request': (
                    round(server_cpu * 1000 / total, 3)
                    if server_cpu is not None and total
                    else None
                ),
                'server_cpu_cores': round(server_cpu / elapsed, 2) if server_cpu else None,
                'errors': sum(errors.values()),
                'operations': {
                    op: {**summary_ms(samples[op]), 'errors': errors[op]} for op, _ in MIX
                },
                'all': summary_ms([s for v in samples.values() for s in v]),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', help='an already running server (default: start one)')
    parser.add_argument('--database-url', default=BENCH_DB_URL)
    parser.add_argument('--port', type=int, default=8765)
    parser.add_argument('--users', type=int, default=200)
    parser.add_argument('--heavy', type=int, default=5, help='how many of them have 10,000 tasks')
    parser.add_argument('--levels', default='1,16,64')
    parser.add_argument('--seconds', type=float, default=20)
    parser.add_argument('--warmup', type=float, default=3)
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(',')]

    def go(url: str, pid: int | None = None) -> dict[str, Any]:
        work = run(
            url,
            users=args.users,
            heavy=args.heavy,
            levels=levels,
            seconds=args.seconds,
            warmup=args.warmup,
            server_pid=pid,
        )
        with asyncio.Runner(loop_factory=fast_loop()) as runner:  # its CPU is the server's too
            return runner.run(work)

    if args.url:
        results = go(args.url)
    else:
        with running_server(args.database_url, args.port) as server:
            results = go(f'http://127.0.0.1:{args.port}', server.pid)

    rows = []
    for level, data in results.items():
        for op, stats in [
            *data['operations'].items(),
            ('ALL', {**data['all'], 'errors': data['errors']}),
        ]:
            rows.append(
                [
                    level,
                    op,
                    stats['n'],
                    data['requests_per_second'] if op == 'ALL' else '',
                    stats['p50'],
                    stats['p95'],
                    stats['p99'],
                    stats['errors'],
                ]
            )
    print(
        table(
            ['clients', 'operation', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
            rows,
        )
    )
    for level, data in results.items():
        if data['server_cpu_ms_per_request'] is not None:
            print(
                f'{level} clients: server CPU {data["server_cpu_ms_per_request"]} ms per request,'
                f' {data["server_cpu_cores"]} cores busy'
            )
    path = write_result('api', {'levels': results, 'seconds': args.seconds, 'users': args.users})
    print(f'wrote {path}')


if __name__ == '__main__':
    main()
