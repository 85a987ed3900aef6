"""Capacity check of the emulator: it must never be what our benchmarks measure.

Acceptance (issue 3): with 20 ms latency, concurrency 100 and a plain aiohttp client in
another process, the emulator's process stays under 70% of one core while serving at
least 4,000 requests/s on a 2-core machine.

The emulator (``python -m pictory_async.emulator``) runs pinned to CPU 0, this process
(the aiohttp client) to CPU 1. The server's CPU time is read from ``/proc`` over each
run. Run: ``python -m benchmarks.emulator_capacity [--requests 5000] [--repeat 3]
[--check]``; ``--check`` exits 1 when a median misses the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Sequence

import aiohttp

from pictory_async.emulator import RemoteEmulator, spawn

SERVER_CPU, CLIENT_CPU = 0, 1
MIN_REQUESTS_PER_SECOND = 4000.0
MAX_SERVER_CPU_PERCENT = 70.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, from ``/proc/<pid>/stat`` (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _ids(session: aiohttp.ClientSession, remote: RemoteEmulator) -> list[str]:
    headers = {"Authorization": remote.api_key}
    ids: list[str] = []
    page_key: str | None = None
    while True:
        params = {"pagekey": page_key} if page_key else {}
        url = remote.base_url + "/pictoryapis/v2/projects"
        async with session.get(url, params=params, headers=headers) as response:
            body = await response.json()
        ids += [str(item["id"]) for item in body["items"]]
        page_key = body["pageKey"]
        if not page_key:
            return ids


async def _run(
    session: aiohttp.ClientSession,
    remote: RemoteEmulator,
    method: str,
    ids: Sequence[str],
    concurrency: int,
) -> tuple[float, float, dict[int, int]]:
    """Send one request per id with ``concurrency`` workers: (req/s, server CPU %, statuses)."""
    headers = {"Authorization": remote.api_key}
    base = remote.base_url + "/pictoryapis/v2/projects/"
    statuses: dict[int, int] = {}
    queue = iter(ids)

    async def worker() -> None:
        for project_id in queue:
            async with session.request(method, base + project_id, headers=headers) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1

    cpu, wall = _cpu_seconds(remote.pid), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - wall
    cpu_percent = 100 * (_cpu_seconds(remote.pid) - cpu) / elapsed
    return len(ids) / elapsed, cpu_percent, statuses


async def main(args: argparse.Namespace) -> int:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {CLIENT_CPU})
    total = args.requests * args.repeat + args.concurrency * 2
    options = ["--projects", str(total), "--latency-ms", str(args.latency_ms)]
    options += ["--page-size", "1000", "--in-progress-share", "0"]
    rows: list[tuple[str, float, float]] = []
    async with (
        spawn(args=options, cpu=SERVER_CPU) as remote,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency)) as session,
    ):
        ids = await _ids(session, remote)
        await _run(session, remote, "GET", ids[: args.concurrency], args.concurrency)  # warm-up
        for method in ("GET", "DELETE"):
            figures = []
            for run in range(args.repeat):
                chosen = ids[run * args.requests : (run + 1) * args.requests]
                rate, cpu, statuses = await _run(session, remote, method, chosen, args.concurrency)
                if statuses != {200: len(chosen)}:
                    print(f"unexpected answers to {method}: {statuses}", file=sys.stderr)
                    return 1
                figures.append((rate, cpu))
            rows.append(
                (
                    method,
                    statistics.median(rate for rate, _ in figures),
                    statistics.median(cpu for _, cpu in figures),
                )
            )
    print(
        f"\nemulator capacity: {args.requests} requests x {args.repeat} runs, "
        f"concurrency {args.concurrency}, latency {args.latency_ms} ms (medians)\n"
    )
    print("| method | requests/s | server CPU % of one core |")
    print("|---|---|---|")
    for method, rate, cpu in rows:
        print(f"| {method} | {rate:,.0f} | {cpu:.1f} |")
    ok = all(
        rate >= MIN_REQUESTS_PER_SECOND and cpu < MAX_SERVER_CPU_PERCENT for _, rate, cpu in rows
    )
    print(
        f"\ntarget: >= {MIN_REQUESTS_PER_SECOND:,.0f} requests/s "
        f"at < {MAX_SERVER_CPU_PERCENT:.0f}% CPU: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok or not args.check else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=5000, help="requests per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per method")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return parser


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(main(_parser().parse_args())))
    sys.exit(uvloop.run(main(_parser().parse_args())))
