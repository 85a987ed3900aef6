"""The rate-limit matrix: every limiter shape, three clients, in simulated and real time.

Each cell deletes ``count`` projects at concurrency 50 and 100 against the emulator with
30 ms of latency and one limiter shape, and reports the seconds against the floor (the
best any client could do), the share of 429s, failures and whether every id is
accounted for, for three clients measured in the same run:

- ``pictory-async``: ``delete_many`` with the default adaptive throttle;
- ``naive``: a worker pool whose every request retries on its own after a 429
  (``Retry-After`` when given, else 0.5 s * 2^n), the way most scripts are written;
- ``pinned``: ``delete_many`` with ``rate_limit=`` set to the true limit (or, for a cap
  on requests in flight, the concurrency set to it): the ideal nobody knows in advance.

Real time is expensive here (a per-minute window needs minutes per run), so the matrix
runs in **simulated time**: the client and an in-process emulator share one event loop
whose clock jumps to the next timer whenever every task is waiting. CPU work costs no
simulated time, which makes the simulation a little kinder than reality. A few cells are
run again over real loopback (the emulator in a child process) to show they agree.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import httpx

from pictory_async import AsyncPictory
from pictory_async.emulator import Emulator, Faults, spawn
from pictory_async.emulator._clock import run_simulated

from ._report import table

LATENCY = 0.03
CONCURRENCIES = (50, 100)
CLIENTS = ("pictory-async", "naive", "pinned")


# -- the cells ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Cell:
    """One server limit: its emulator settings, the work, the floor and the ideal client."""

    name: str
    faults: dict[str, Any]
    count: int
    floor: float
    pinned_rate: float | None = None
    pinned_concurrency: int | None = None
    target: float = 1.25
    max_429: float = 0.10
    # seconds between the limiter's start (a window's first reset counts from it) and
    # the client's: a real API's windows are not aligned with a client's start
    offset: float = 0.0

    def cli(self) -> list[str]:
        """The emulator's command-line flags for these settings."""
        faults = self.faults
        args = ["--rate-limit", str(faults["rate_limit"])]
        args += ["--rate-limit-shape", faults.get("rate_limit_shape", "bucket")]
        args += ["--retry-after", faults.get("retry_after", "seconds")]
        if "burst" in faults:
            args += ["--burst", str(faults["burst"])]
        if "rate_limit_period" in faults:
            args += ["--rate-limit-period", str(faults["rate_limit_period"])]
        for at, factor in faults.get("rate_limit_changes", ()):
            args += ["--rate-limit-change", f"{at}:{factor}"]
        return args


def _bucket_floor(
    count: int, rate: float, burst: float, changes: Sequence[tuple[float, float]] = ()
) -> float:
    """When an ideal client has ``count`` successes from a full bucket (changes included)."""
    done, now, step = float(burst), 0.0, 0.001
    while done < count:
        factor = 1.0
        for at, scale in changes:
            if now >= at:
                factor = scale
        done += rate * factor * step
        now += step
    return now


def _window_floor(count: int, limit: int, period: float) -> float:
    return (math.ceil(count / limit) - 1) * period


def _bucket(rate: int, burst: int, count: int, retry_after: str, label: str, **kw: Any) -> Cell:
    """A token bucket of ``rate`` per second and ``burst``."""
    return Cell(
        name=f"bucket {rate}/s, burst {burst}, {label}",
        faults={"rate_limit": rate, "burst": burst, "retry_after": retry_after},
        count=count,
        floor=(count - burst) / rate,
        pinned_rate=rate,
        **kw,
    )


def _window(
    name: str, limit: int, period: float, count: int, retry_after: str, offset: float = 0.0
) -> Cell:
    """A fixed window of ``limit`` per ``period``, the client starting ``offset`` in."""
    return Cell(
        name=name,
        faults={
            "rate_limit": limit,
            "rate_limit_shape": "window",
            "rate_limit_period": period,
            "retry_after": retry_after,
        },
        count=count,
        floor=_window_floor(count, limit, period) - offset,
        pinned_rate=limit / period,
        offset=offset,
    )


def _sliding(name: str, limit: int, period: float, count: int, retry_after: str) -> Cell:
    """A sliding log of ``limit`` per ``period``."""
    return Cell(
        name=name,
        faults={
            "rate_limit": limit,
            "rate_limit_shape": "sliding",
            "rate_limit_period": period,
            "retry_after": retry_after,
        },
        count=count,
        floor=_window_floor(count, limit, period),
        pinned_rate=limit / period,
    )


def cells(quick: bool = False) -> list[Cell]:
    """The matrix. Sizes follow one rule: a floor of 20-60 s (the per-minute window: 4 min)."""
    out: list[Cell] = []
    for retry_after, label in (("seconds", "Retry-After"), ("none", "no Retry-After")):
        for rate in (5, 20, 200, 500):
            count = int(rate * 30) + rate
            out.extend(
                _bucket(
                    rate,
                    burst,
                    count,
                    retry_after,
                    label,
                    target=1.15 if rate == 200 else 1.25,
                    max_429=0.05 if rate == 200 else 0.10,
                )
                # a quarter second's worth at 200/s: a shape the controller was not tuned on
                for burst in ((rate, rate // 4, 1) if rate == 200 else (rate, 1))
            )
        for limit, period, what in ((20, 1.0, "second"), (100, 5.0, "5 s"), (600, 60.0, "minute")):
            count = limit * (5 if period == 60 else 10)
            # aligned with the client's start, and half a window later (the first reset
            # comes half a period after the client starts; the floor is that much lower)
            for offset, where in ((0.0, ""), (period / 2, "half a window in, ")):
                name = f"window {limit} per {what}, {where}{label}"
                out.append(_window(name, limit, period, count, retry_after, offset))
        out.append(_sliding(f"sliding log 100 per 5 s, {label}", 100, 5.0, 1000, retry_after))
        out.append(
            Cell(
                name=f"in flight at most 10, {label}",
                faults={
                    "rate_limit": 10,
                    "rate_limit_shape": "inflight",
                    "retry_after": retry_after,
                },
                count=6000,
                floor=math.ceil(6000 / 10) * LATENCY,
                pinned_concurrency=10,
            )
        )
        changes = ((30.0, 0.5), (60.0, 1.0))
        out.append(
            Cell(
                name=f"bucket 20/s halved from 30 s to 60 s, {label}",
                faults={
                    "rate_limit": 20,
                    "burst": 20,
                    "retry_after": retry_after,
                    "rate_limit_changes": changes,
                },
                count=1500,
                floor=_bucket_floor(1500, 20, 20, changes),
                pinned_rate=20,
            )
        )
    if quick:
        keep = ("bucket 20/s, burst 20,", "window 100 per 5 s", "in flight")
        out = [cell for cell in out if cell.name.startswith(keep)]
    return out


def beyond() -> list[Cell]:
    """Shapes the controller was not tuned on, with ``Retry-After`` and without, floors ~30 s.

    Other quotas per second and their phase, a two-second window, a sliding log per
    second, buckets whose burst is under a second's worth: run once at concurrency 50
    after the matrix, to show what holds past it.
    """
    out: list[Cell] = []
    for retry_after, label in (("seconds", "Retry-After"), ("none", "no Retry-After")):
        for limit, period, offset in (
            (10, 1.0, 0.0),
            (10, 1.0, 0.3),
            (50, 1.0, 0.0),
            (50, 1.0, 0.5),
            (100, 1.0, 0.7),
            (40, 2.0, 0.0),
            (40, 2.0, 1.0),
        ):
            count = int(limit * (31 / period))
            where = f", {offset:g} s in" if offset else ""
            name = f"window {limit} per {period:g} s{where}, {label}"
            out.append(_window(name, limit, period, count, retry_after, offset))
        out.append(_sliding(f"sliding log 20 per 1 s, {label}", 20, 1.0, 620, retry_after))
        for rate, burst in ((10, 10), (40, 5), (50, 10), (100, 50)):
            out.append(_bucket(rate, burst, rate * 30 + burst, retry_after, label))
    return out


# -- the clients ----------------------------------------------------------------------


@attrs.define
class Outcome:
    """What one client did in one cell."""

    seconds: float
    requests: int
    limited: int
    ok: int
    failed: int
    accounted: bool
    timeline: list[tuple[float, float, float, int, int]] = attrs.Factory(list)

    @property
    def share_429(self) -> float:
        """429s among all responses."""
        return self.limited / max(1, self.requests)


async def _naive(
    http: httpx.AsyncClient, ids: list[int | str], concurrency: int
) -> tuple[int, int]:
    """Every request retries on its own: ``Retry-After`` if given, else 0.5 s * 2^n."""
    ok = failed = 0
    pending = iter(ids)

    async def worker() -> None:
        nonlocal ok, failed
        for project_id in pending:
            for attempt in range(9):
                try:
                    response = await http.delete(f"/pictoryapis/v2/projects/{project_id}")
                    status = response.status_code
                    hint = response.headers.get("retry-after", "")
                except httpx.TransportError:
                    status, hint = 599, ""
                if status in (200, 404):
                    ok += 1
                    break
                if attempt == 8:
                    failed += 1
                    break
                delay = (
                    float(hint) if hint.isdigit() else 0.5 * 2**attempt * random.uniform(0.75, 1)
                )
                await asyncio.sleep(delay)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok, failed


async def _ours(
    client: AsyncPictory, ids: list[int | str], concurrency: int
) -> tuple[int, int, int]:
    result = await client.projects.delete_many(ids, concurrency=concurrency)
    return len(result.deleted) + len(result.already_absent), len(result.failed), result.total


async def simulate(
    cell: Cell, concurrency: int, kind: str, seed: int = 0, latency: float = LATENCY
) -> Outcome:
    """Run one client against one cell in simulated time (call inside a virtual loop)."""
    loop = asyncio.get_running_loop()
    random.seed(seed)
    emulator = Emulator(
        projects=cell.count,
        other_projects=0,
        seed=seed,
        page_size=1000,
        in_progress_share=0.0,
        clock=loop.time,
        sleep=asyncio.sleep,
    )
    ids = [record.id for record in emulator.projects()]
    emulator.faults = Faults(latency=latency, **cell.faults)
    transport = emulator.transport()
    timeline: list[tuple[float, float, float, int, int]] = []
    await asyncio.sleep(cell.offset)
    start = loop.time()
    async with httpx.AsyncClient(transport=transport, base_url=emulator.base_url) as http:
        if kind == "naive":
            http.headers["Authorization"] = emulator.api_key
            ok, failed = await _naive(http, ids, concurrency)
            total = ok + failed
        else:
            options: dict[str, Any] = {}
            workers = concurrency
            if kind == "pinned":
                options["adaptive_rate_limit"] = False
                options["rate_limit"] = cell.pinned_rate
                workers = min(concurrency, cell.pinned_concurrency or concurrency)
            async with AsyncPictory(
                emulator.api_key,
                base_url=emulator.base_url,
                http_client=http,
                clock=loop.time,
                max_connections=concurrency,
                **options,
            ) as client:
                sampler = asyncio.create_task(_sample(client, emulator, start, timeline))
                try:
                    ok, failed, total = await _ours(client, ids, workers)
                finally:
                    sampler.cancel()
    seconds = loop.time() - start
    stats = emulator.stats
    accounted = total == cell.count and ok + failed == cell.count
    accounted = accounted and len(emulator.projects()) == failed  # failed ones remain
    return Outcome(
        seconds=seconds,
        requests=stats.total,
        limited=stats.rate_limited,
        ok=ok,
        failed=failed,
        accounted=accounted,
        timeline=timeline,
    )


async def _sample(
    client: AsyncPictory,
    emulator: Emulator,
    start: float,
    timeline: list[tuple[float, float, float, int, int]],
) -> None:
    """Every 0.25 s: time, client rate, in flight, deletes applied and 429s so far."""
    loop = asyncio.get_running_loop()
    throttle = client.throttle
    while True:
        rate = throttle.rate
        timeline.append(
            (
                round(loop.time() - start, 3),
                -1.0 if rate is None else round(rate, 2),
                float(throttle.in_flight),
                emulator.stats.deletes_applied,
                emulator.stats.rate_limited,
            )
        )
        await asyncio.sleep(0.25)


async def real(cell: Cell, concurrency: int, kind: str) -> Outcome:
    """Run one client against one cell over loopback, in real time."""
    args = ["--projects", str(cell.count), "--other-projects", "0", "--page-size", "1000"]
    args += ["--in-progress-share", "0", "--latency-ms", str(LATENCY * 1000)]
    async with spawn(args=args, cpu=0) as remote:
        async with AsyncPictory(remote.api_key, base_url=remote.base_url) as client:
            ids: list[int | str] = [summary.id async for summary in client.projects.list()]
        flags = cell.faults
        await remote.set_faults(
            **{k: list(v) if isinstance(v, tuple) else v for k, v in flags.items()}
        )
        await remote.reset(stats_only=True)
        await asyncio.sleep(cell.offset)
        start = time.perf_counter()
        if kind == "naive":
            async with httpx.AsyncClient(
                base_url=remote.base_url,
                headers={"Authorization": remote.api_key},
                limits=httpx.Limits(max_connections=concurrency),
                trust_env=False,
            ) as http:
                ok, failed = await _naive(http, ids, concurrency)
                total = ok + failed
        else:
            options: dict[str, Any] = {}
            workers = concurrency
            if kind == "pinned":
                options = {"adaptive_rate_limit": False, "rate_limit": cell.pinned_rate}
                workers = min(concurrency, cell.pinned_concurrency or concurrency)
            async with AsyncPictory(
                remote.api_key, base_url=remote.base_url, max_connections=concurrency, **options
            ) as client:
                ok, failed, total = await _ours(client, ids, workers)
        seconds = time.perf_counter() - start
        stats = await remote.stats()
        await remote.set_faults(rate_limit=None)
        async with AsyncPictory(remote.api_key, base_url=remote.base_url) as client:
            left = [summary async for summary in client.projects.list()]
    return Outcome(
        seconds=seconds,
        requests=stats["total"],
        limited=stats["rate_limited"],
        ok=ok,
        failed=failed,
        accounted=total == cell.count and ok + failed == cell.count and len(left) == failed,
    )


# -- the report -----------------------------------------------------------------------


def _cell_text(cell: Cell, outcome: Outcome) -> str:
    ratio = outcome.seconds / cell.floor
    return (
        f"{ratio:.2f}x, {outcome.share_429:.1%}"
        + (f", **{outcome.failed} failed**" if outcome.failed else "")
        + ("" if outcome.accounted else ", **ids lost**")
    )


def _verdict(cell: Cell, outcome: Outcome) -> str:
    good = (
        outcome.seconds / cell.floor <= cell.target
        and outcome.share_429 < cell.max_429
        and outcome.failed == 0
        and outcome.accounted
    )
    return "yes" if good else "**no**"


def _matrix(quick: bool, only: str | None) -> Iterator[tuple[Cell, int, dict[str, Outcome]]]:
    for cell in cells(quick):
        if only and only not in cell.name:
            continue
        for concurrency in CONCURRENCIES:
            outcomes: dict[str, Outcome] = {}
            for kind in CLIENTS:
                outcomes[kind] = run_simulated(functools.partial(simulate, cell, concurrency, kind))
            yield cell, concurrency, outcomes


def main(quick: bool = False, only: str | None = None, plots: Path | None = None) -> None:
    """Print the simulated matrix, then a few cells over real loopback."""
    logging.getLogger("pictory_async").setLevel(logging.ERROR)  # one warning per 429 event
    wall = time.perf_counter()
    rows = []
    timelines: dict[str, Any] = {}
    for cell, concurrency, outcomes in _matrix(quick, only):
        ours = outcomes["pictory-async"]
        rows.append(
            [
                cell.name,
                concurrency,
                f"{cell.floor:.1f}",
                f"{ours.seconds:.1f}",
                _cell_text(cell, ours),
                _cell_text(cell, outcomes["naive"]),
                _cell_text(cell, outcomes["pinned"]),
                _verdict(cell, ours),
            ]
        )
        print(" | ".join(str(x) for x in rows[-1]), file=sys.stderr, flush=True)
        if plots is not None and concurrency == CONCURRENCIES[0]:
            timelines[cell.name] = {"floor": cell.floor, "timeline": ours.timeline}
    table(
        "Rate limits, simulated time: delete_many at 30 ms latency (seconds vs floor, 429s)",
        [
            "server limit",
            "concurrency",
            "floor s",
            "pictory-async s",
            "pictory-async",
            "naive retries",
            "pinned at the limit",
            "on target",
        ],
        rows,
    )
    if plots is not None:
        plots.write_text(json.dumps(timelines), encoding="utf-8")
    print(f"\n(simulated matrix: {time.perf_counter() - wall:.0f} s of wall time)")
    if only is None and not quick:
        _beyond()
    if only is None:
        asyncio.run(_real_check(quick))


def _beyond() -> None:
    rows = []
    for cell in beyond():
        ours, pinned = (
            run_simulated(functools.partial(simulate, cell, CONCURRENCIES[0], kind))
            for kind in ("pictory-async", "pinned")
        )
        rows.append(
            [
                cell.name,
                f"{cell.floor:.1f}",
                _cell_text(cell, ours),
                _cell_text(cell, pinned),
                _verdict(cell, ours),
            ]
        )
    table(
        "Beyond the matrix, simulated: shapes not tuned on, concurrency 50",
        ["server limit", "floor s", "pictory-async", "pinned at the limit", "on target"],
        rows,
    )


async def _real_check(quick: bool) -> None:
    picks = [
        cell
        for cell in cells()
        if cell.name
        in (
            "bucket 20/s, burst 20, Retry-After",
            "bucket 200/s, burst 50, Retry-After",
            "window 100 per 5 s, no Retry-After",
            "in flight at most 10, Retry-After",
        )
    ]
    rows = []
    for cell in picks[: 1 if quick else None]:
        for kind in CLIENTS:
            outcome = await real(cell, 50, kind)
            simulated = await asyncio.to_thread(
                run_simulated, functools.partial(simulate, cell, 50, kind)
            )
            rows.append(
                [
                    cell.name,
                    kind,
                    f"{cell.floor:.1f}",
                    f"{outcome.seconds:.1f} ({_cell_text(cell, outcome)})",
                    f"{simulated.seconds:.1f} ({_cell_text(cell, simulated)})",
                ]
            )
    table(
        "Simulated against real time (loopback, concurrency 50)",
        ["server limit", "client", "floor s", "real: s (vs floor, 429s)", "simulated"],
        rows,
    )
