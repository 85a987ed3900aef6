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
second run is 0.95. Beside each, the same run in simulated time (the throttle alone,
CPU costing nothing), which does not move with the machine's load.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pictory_async._ratestore import ENV
from pictory_async.emulator import RemoteEmulator, spawn

from . import _baselines, _slowstart
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


MEMORY = "memory store (a new process, nothing remembered)"
FIRST = "file store, the first run (empty cache)"
SECOND = "file store, a new process after that run"
AIOHTTP = "raw aiohttp worker pool, in this process (the ceiling at the time)"


def _no_key_in(directory: str, api_key: str) -> None:
    """The file store's files hold neither the key nor anything named after it."""
    for path in Path(directory).iterdir():
        if api_key in path.name or api_key in path.read_text(encoding="utf-8"):
            raise SystemExit(f"the API key is in the rate store's file {path.name}")


async def _measure(count: int, repeat: int) -> dict[str, list[float]]:
    rows: dict[str, list[float]] = {MEMORY: [], FIRST: [], SECOND: [], AIOHTTP: []}
    args = ["--projects", str(count), "--other-projects", "0", "--page-size", "1000"]
    args += ["--in-progress-share", "0", "--latency-ms", str(LATENCY * 1000)]
    async with spawn(args=args, cpu=SERVER_CPU) as remote:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="pictory-secondrun-") as cache:
                store = f"file:{cache}"  # the file store, in a cache directory of its own
                rows[MEMORY].append(await _share(remote, None))
                rows[FIRST].append(await _share(remote, store))
                rows[SECOND].append(await _share(remote, store))
                _no_key_in(cache, remote.api_key)
            rows[AIOHTTP].append(await _aiohttp(remote))
            print(" | ".join(f"{runs[-1]:.3f}" for runs in rows.values()), file=sys.stderr)
    return rows


@contextlib.contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            del os.environ[name]
        else:
            os.environ[name] = saved


def _simulated(count: int) -> dict[str, float]:
    """The same three runs in simulated time: the throttle alone, CPU costs nothing.

    ``benchmarks/_slowstart.py``'s cold run at 100 ms; its clients take their store from
    ``PICTORY_RATE_STORE``, and a new client on the same file store stands for a new
    process (the file is all they share).
    """
    shares = {MEMORY: _slowstart._cold_share(LATENCY, count)}
    with (
        tempfile.TemporaryDirectory(prefix="pictory-secondrun-") as cache,
        _environ(ENV, f"file:{cache}"),
    ):
        shares[FIRST] = _slowstart._cold_share(LATENCY, count)
        shares[SECOND] = _slowstart._cold_share(LATENCY, count)
    return shares


def main(quick: bool = False, repeat: int = 3) -> None:
    """Print the second-run table: the median share of each row, its runs, the simulation."""
    count = 1000 if quick else 5000
    repeat = 1 if quick else repeat
    rows = asyncio.run(_measure(count, repeat))
    simulated = _simulated(count)
    table(
        f"A second run: {count:,} DELETEs in a new process, concurrency {CONCURRENCY}, "
        f"{LATENCY * 1000:g} ms latency (share of the concurrency limit, median of {repeat}; "
        f"target for the second run {TARGET})",
        ["run", "share of the limit", "runs", "simulated", "reaches the target"],
        [
            [
                name,
                f"{statistics.median(runs):.3f}",
                ", ".join(f"{run:.3f}" for run in runs),
                f"{simulated[name]:.3f}" if name in simulated else "",
                "yes" if statistics.median(runs) >= TARGET else "no",
            ]
            for name, runs in rows.items()
        ],
    )
