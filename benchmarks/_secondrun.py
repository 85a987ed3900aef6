"""A second run: what a new process gains from the file store (``--only secondrun``).

A first ``delete_many`` in a new process starts in slow start (10 requests in flight,
doubling every round trip), which keeps it at 0.91-0.92 of the concurrency limit at
100 ms latency (``benchmarks/_slowstart.py`` shows the trade). With the file store the
first run writes what it learned (the window and the rate) to the cache directory, and
the next process starts from it. Each run here is a fresh worker process
(``benchmarks/_fleet.py``'s) deleting 5,000 projects at concurrency 100 against the
emulator with 100 ms of latency, timed from its ``go`` (start-up not counted); rows, in
the same run, alternating: the memory store (each process learns alone), the file
store's first run (an empty cache directory of its own) and the process after it, then
a raw aiohttp worker pool in this process (no slow start, the least CPU a request can
cost: what the machine allows at the time, on a shared VM). The figure is the share of
the concurrency limit (concurrency / latency = 1,000 deletes/s); the target for the
second run is 0.95.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time

from pictory_async.emulator import RemoteEmulator, spawn

from . import _baselines
from ._fleet import CLIENT_CPU, SERVER_CPU, go, ids_of, workers
from ._report import table

CONCURRENCY = 100
LATENCY = 0.1
TARGET = 0.95


async def _share(remote: RemoteEmulator, store: str | None) -> float:
    """One new process's ``delete_many``: its share of the concurrency limit."""
    await remote.reset()
    ids = await ids_of(remote)
    async with workers(
        remote, [ids], store=store, concurrency=CONCURRENCY, cpu=CLIENT_CPU
    ) as started:
        await remote.reset(stats_only=True)
        await go(started)
        report = await started[0].report()
    if report is None or report.deleted != len(ids):
        raise SystemExit(f"{store}: {report} for {len(ids)} ids")
    return len(ids) / report.seconds / (CONCURRENCY / LATENCY)


async def _aiohttp(remote: RemoteEmulator) -> float:
    """The baseline: no slow start, no retries, the least CPU a request can cost."""
    await remote.reset()
    ids = await ids_of(remote)
    start = time.perf_counter()
    ok = await _baselines.aiohttp_loop(remote.base_url, remote.api_key, ids, CONCURRENCY)
    seconds = time.perf_counter() - start
    if ok != len(ids):
        raise SystemExit(f"raw aiohttp: {ok} of {len(ids)} deleted")
    return len(ids) / seconds / (CONCURRENCY / LATENCY)


async def _measure(count: int, repeat: int) -> dict[str, list[float]]:
    rows: dict[str, list[float]] = {
        "memory store (a new process, nothing remembered)": [],
        "file store, the first run (empty cache)": [],
        "file store, a new process after that run": [],
        "raw aiohttp worker pool, in this process (the ceiling at the time)": [],
    }
    names = list(rows)
    args = ["--projects", str(count), "--other-projects", "0", "--page-size", "1000"]
    args += ["--in-progress-share", "0", "--latency-ms", str(LATENCY * 1000)]
    async with spawn(args=args, cpu=SERVER_CPU) as remote:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="pictory-secondrun-") as cache:
                store = f"file:{cache}"  # the file store, in a cache directory of its own
                rows[names[0]].append(await _share(remote, None))
                rows[names[1]].append(await _share(remote, store))
                rows[names[2]].append(await _share(remote, store))
            rows[names[3]].append(await _aiohttp(remote))
            print(" | ".join(f"{runs[-1]:.3f}" for runs in rows.values()), file=sys.stderr)
    return rows


def main(quick: bool = False, repeat: int = 3) -> None:
    """Print the second-run table: the median share of each row and its spread."""
    count = 1000 if quick else 5000
    repeat = 1 if quick else repeat
    rows = asyncio.run(_measure(count, repeat))
    table(
        f"A second run: {count:,} DELETEs in a new process, concurrency {CONCURRENCY}, "
        f"{LATENCY * 1000:g} ms latency (share of the concurrency limit, median of {repeat}; "
        f"target for the second run {TARGET})",
        ["run", "share of the limit", "runs", "reaches the target"],
        [
            [
                name,
                f"{statistics.median(runs):.3f}",
                ", ".join(f"{run:.3f}" for run in runs),
                "yes" if statistics.median(runs) >= TARGET else "no",
            ]
            for name, runs in rows.items()
        ],
    )
