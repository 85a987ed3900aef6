"""``python -m benchmarks``: our figures beside baselines measured in the same run.

The emulator runs in a child process pinned to CPU 0 and this process to CPU 1, so the
client measured never shares a core with the server. Each figure is the median of
``--repeat`` runs. Scenarios (``--only``):

- ``throughput``: 5,000 DELETEs at concurrency 100 with 20 ms and 100 ms server latency.
- ``memory``: peak RSS of ``delete_many`` over a generator of 1,000,000 ids, dry and real
  (``benchmarks/_memory.py``).
- ``download``: peak RSS growth while ``download_assets`` fetches one 500 MB asset, beside
  plain httpx (``benchmarks/_download_memory.py``).
- ``ratelimit``: the rate-limit matrix of ``benchmarks/_ratelimit.py``: every limiter
  shape, beside a naive client and one pinned at the true limit.
- ``slowstart``: what the throttle's slow start costs a cold run at 100 ms latency and
  what it saves against low limits (``benchmarks/_slowstart.py``).
- ``faults``: 5,000 DELETEs with 5% 503s and 1% dropped connections, half of them after
  the delete was applied: every project must end deleted, none failed, none twice.
- ``imports``: the start-up cost of ``import pictory_async`` and ``pictory --help`` in
  fresh processes, beside ``python -c pass`` and ``import httpx`` (``benchmarks/_imports.py``).
- ``fleet``: 2, 4 and 8 processes on one key, memory and Redis stores (``benchmarks/_fleet.py``).
- ``secondrun``: a new process after one run, with the file store (``benchmarks/_secondrun.py``).
- ``shapes``: the shapes an independent check missed, real time, first and later runs
  (``benchmarks/_shapes.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from pictory_async import AsyncPictory, Outcome
from pictory_async.emulator import RemoteEmulator, spawn

from . import (
    _baselines,
    _download_memory,
    _fleet,
    _imports,
    _memory,
    _ratelimit,
    _secondrun,
    _shapes,
    _slowstart,
)
from ._report import table

SERVER_CPU, CLIENT_CPU = 0, 1
SCENARIOS = (
    "throughput",
    "memory",
    "download",
    "ratelimit",
    "slowstart",
    "faults",
    "imports",
    "fleet",
    "secondrun",
    "webhooks",
    "shapes",
)


def _pin_client() -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {CLIENT_CPU})


async def _ids(remote: RemoteEmulator) -> list[int | str]:
    async with AsyncPictory(remote.api_key, base_url=remote.base_url) as client:
        return [summary.id async for summary in client.projects.list()]


async def _measure(run: Callable[[], Awaitable[Any]]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = await run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


# -- throughput ---------------------------------------------------------------------


async def throughput(
    repeat: int, count: int, concurrency: int, latency_ms: float, jitter_ms: float = 0.0
) -> None:
    """``latency_ms`` fixed, plus up to ``jitter_ms`` at random (mean: half of it)."""
    args = ["--projects", str(count), "--latency-ms", str(latency_ms), "--page-size", "1000"]
    args += ["--jitter-ms", str(jitter_ms)]
    mean_s = (latency_ms + jitter_ms / 2) / 1000
    async with spawn(args=args, cpu=SERVER_CPU) as remote, contextlib.AsyncExitStack() as stack:
        key, base = remote.api_key, remote.base_url

        async def ours(ids: list[int | str]) -> int:
            async with AsyncPictory(key, base_url=base, max_connections=concurrency) as client:
                result = await client.projects.delete_many(ids, concurrency=concurrency)
            return result.counts[Outcome.DELETED]

        # A service keeps one client: after its first bulk run, the throttle has seen the
        # API take ``concurrency`` at once and starts there, not from its slow start.
        warm = AsyncPictory(key, base_url=base, max_connections=concurrency)
        await stack.enter_async_context(warm)
        await warm.projects.delete_many(await _ids(remote), concurrency=concurrency)

        async def ours_warm(ids: list[int | str]) -> int:
            result = await warm.projects.delete_many(ids, concurrency=concurrency)
            return result.counts[Outcome.DELETED]

        async def ours_no_slow_start(ids: list[int | str]) -> int:
            with _slowstart.initial_window(concurrency):
                return await ours(ids)

        clients: dict[str, Callable[[list[int | str]], Awaitable[int]]] = {
            "pictory-async `delete_many`": ours,
            "pictory-async `delete_many`, a later run on the same client": ours_warm,
        }
        if latency_ms >= 100:  # where the slow start shows: what the start costs
            clients["pictory-async, first run without slow start (attribution only)"] = (
                ours_no_slow_start
            )
        clients |= {
            "raw aiohttp, worker pool": lambda ids: _baselines.aiohttp_loop(
                base, key, ids, concurrency
            ),
            "httpx + httpx-aiohttp transport, Semaphore": lambda ids: _baselines.httpx_aiohttp_loop(
                base, key, ids, concurrency
            ),
            "plain httpx.AsyncClient, Semaphore": lambda ids: _baselines.httpx_loop(
                base, key, ids, concurrency
            ),
        }
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in clients}
        peaks: dict[str, int] = {}
        for _ in range(repeat):
            for name, client in clients.items():
                await remote.reset()
                ids = await _ids(remote)
                await remote.reset(stats_only=True)
                ok, wall, cpu = await _measure(functools.partial(client, ids))
                if ok != len(ids):
                    raise SystemExit(f"{name}: {ok} of {len(ids)} deleted")
                figures[name].append((len(ids) / wall, cpu / len(ids) * 1e6))
                peaks[name] = (await remote.stats())["peak_concurrency"]
        await stack.aclose()
        # Pictory's sequential example: a sample, it runs at 1/latency per second.
        await remote.reset()
        ids = (await _ids(remote))[: max(50, int(2000 / max(latency_ms, 1)))]
        ok, wall, cpu = await asyncio.to_thread(
            _baselines.timed_sync, _baselines.sequential_requests, base, key, ids
        )
        sequential = (len(ids) / wall, cpu / len(ids) * 1e6)

    aiohttp_rate = statistics.median(r for r, _ in figures["raw aiohttp, worker pool"])
    httpx_rate = statistics.median(r for r, _ in figures["plain httpx.AsyncClient, Semaphore"])
    bridge_rate = statistics.median(
        r for r, _ in figures["httpx + httpx-aiohttp transport, Semaphore"]
    )
    rows = []
    for name, runs in figures.items():
        rate = statistics.median(r for r, _ in runs)
        cpu_us = statistics.median(c for _, c in runs)
        rows.append(
            [
                name,
                f"{rate:,.0f}",
                f"{cpu_us:,.0f}",
                f"{rate / aiohttp_rate:.2f}x",
                f"{rate / bridge_rate:.2f}x",
                f"{rate / httpx_rate:.1f}x",
                f"{rate / (concurrency / mean_s):.2f}",
                peaks[name],
            ]
        )
    rows.append(
        [
            f"sequential `requests` (Pictory's example, {len(ids)} ids)",
            f"{sequential[0]:,.0f}",
            f"{sequential[1]:,.0f}",
            f"{sequential[0] / aiohttp_rate:.2f}x",
            f"{sequential[0] / bridge_rate:.2f}x",
            f"{sequential[0] / httpx_rate:.1f}x",
            f"{sequential[0] * mean_s:.2f}",
            1,
        ]
    )
    table(
        f"Throughput: {count:,} DELETEs, concurrency {concurrency}, {latency_ms:g} ms latency"
        + (f" + 0-{jitter_ms:g} ms jitter" if jitter_ms else "")
        + " "
        f"(median of {repeat})",
        [
            "client",
            "deletes/s",
            "client CPU µs/request",
            "vs raw aiohttp",
            "vs httpx-aiohttp",
            "vs plain httpx",
            "share of the concurrency limit",
            "server peak concurrency",
        ],
        rows,
    )


# -- memory ---------------------------------------------------------------------------


def memory(count: int) -> None:
    table(
        "Memory (peak RSS, MB)",
        ["run", "after import", "peak", "growth", "seconds"],
        _memory.measure(count),
    )


def download_memory(size: int) -> None:
    table(
        f"Memory: downloading one {size / 1e6:,.0f} MB asset (peak RSS, MB)",
        ["run", "MB/s", "RSS before", "peak RSS", "growth"],
        _download_memory.measure(
            size, server_cpu=SERVER_CPU if (os.cpu_count() or 1) > 1 else None
        ),
    )


# -- faults ---------------------------------------------------------------------------


async def faults(count: int, concurrency: int, latency_ms: float) -> None:
    args = ["--projects", str(count), "--latency-ms", str(latency_ms), "--page-size", "1000"]
    async with spawn(args=args, cpu=SERVER_CPU) as remote:
        key, base = remote.api_key, remote.base_url
        ids = await _ids(remote)
        await remote.set_faults(
            error_rate=0.05, error_statuses=[503], drop_rate=0.005, drop_after_delete_rate=0.005
        )
        await remote.reset(stats_only=True)

        inferred = 0

        async def run() -> Any:
            nonlocal inferred
            async with AsyncPictory(key, base_url=base, sleep=_short_sleep) as client:
                stream = client.projects.delete_many_stream(ids, concurrency=concurrency)
                async with stream:
                    async for item in stream:
                        inferred += bool(item.value and item.value.inferred_from_retry)
                return stream.result

        result, wall, _ = await _measure(run)
        stats = await remote.stats()
        await remote.set_faults(error_rate=0.0, drop_rate=0.0, drop_after_delete_rate=0.0)
        left = len(await _ids(remote))
    counts = result.counts
    table(
        f"Faults: {count:,} DELETEs, 5% 503s, 1% dropped connections (half after the delete "
        "was applied)",
        [
            "deleted",
            "already_absent",
            "failed",
            "accounted",
            "projects left",
            "deletes applied",
            "injected errors",
            "dropped",
            "seconds",
        ],
        [
            [
                counts[Outcome.DELETED],
                counts[Outcome.ALREADY_ABSENT],
                counts[Outcome.FAILED],
                result.total,
                left,
                stats["deletes_applied"],
                stats["errors_injected"],
                stats["dropped"],
                f"{wall:.2f}",
            ]
        ],
    )
    print(f"\n{inferred} deletes were confirmed by a 404 after a lost response.")


async def _short_sleep(seconds: float) -> None:
    """Backoff scaled down 10x so the fault run measures the engine, not the waiting."""
    await asyncio.sleep(seconds / 10)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only",
        choices=SCENARIOS,
        action="append",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    parser.add_argument("--plots", type=Path, help="ratelimit: write the timelines (JSON) here")
    args = parser.parse_args(argv)
    only = set(args.only or SCENARIOS)
    _pin_client()
    scale = 10 if args.quick else 1
    print(f"# pictory-async benchmarks ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    if "throughput" in only:
        # a fixed latency (every response of a wave at once), then a mean of 100 ms with
        # jitter, as a real API answers
        for latency_ms, jitter_ms in ((20.0, 0.0), (100.0, 0.0), (90.0, 20.0)):
            asyncio.run(
                throughput(
                    1 if args.quick else args.repeat, 5000 // scale, 100, latency_ms, jitter_ms
                )
            )
    if "memory" in only:
        memory(1_000_000 // scale)
    if "download" in only:
        download_memory(_download_memory.DEFAULT_SIZE // scale)
    if "ratelimit" in only:
        _ratelimit.main(quick=args.quick, plots=args.plots)
    if "slowstart" in only:
        _slowstart.main(quick=args.quick)
    if "shapes" in only:
        _shapes.main(quick=args.quick, repeat=args.repeat)
    if "faults" in only:
        asyncio.run(faults(5000 // scale, 100, 20.0))
    if "imports" in only:
        _imports.main(quick=args.quick)
    if "fleet" in only:
        _fleet.main(quick=args.quick)
    if "secondrun" in only:
        _secondrun.main(quick=args.quick, repeat=args.repeat)
    if "webhooks" in only:
        from . import _webhooks  # FastAPI and uvicorn: imported only when asked for

        _webhooks.main(quick=args.quick)


if __name__ == "__main__":
    main()
