"""The shapes an independent check missed, in real time over loopback: first and later runs.

Each shape is ``delete_many`` at concurrency 50 against the emulator in a child process
(30 ms latency) with one limiter, measured three times in a row:

- ``first``: a new client, nothing learned;
- ``same client``: the same client again on a fresh batch of projects (the limiter's
  settings applied again, so a bucket starts full and a window's phase is the same);
- ``from learned``: a new client started from what the first one learned
  (``Throttle.learned()``), as the file store hands it to a new process;
- ``pinned``: the baseline of the same run, a client that knows the limit
  (``rate_limit=`` at the true rate without learning, or the concurrency set to a cap on
  requests in flight): what this machine allows right now.

The same shapes run first in simulated time (``_ratelimit.simulate``), with a fifth: the
cap on requests in flight with 0-20 ms of latency jitter, which reproduces in simulation
what real time does to that cap.

Targets (issue 25): within 1.25x of the floor and under 10% 429s, 0 failed. Real time on
a shared machine is noisy: each row is printed per repeat, never averaged away.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
import time
from typing import Any

import attrs

from pictory_async import AsyncPictory
from pictory_async._throttle import Learned, Throttle
from pictory_async.emulator import RemoteEmulator, spawn
from pictory_async.emulator._clock import run_simulated

from ._ratelimit import LATENCY, Cell, _bucket, _cell_text, _verdict, _window, simulate
from ._report import table

CONCURRENCY = 50
RUNS = ("first", "same client", "from learned")
COLUMNS = (*RUNS, "pinned")


def shapes() -> list[Cell]:
    """The four shapes, each sized for a floor of about 20 s."""
    inflight = Cell(
        name="in flight at most 10, Retry-After",
        faults={"rate_limit": 10, "rate_limit_shape": "inflight", "retry_after": "seconds"},
        count=6000,
        floor=6000 / 10 * LATENCY,
        pinned_concurrency=10,
    )
    return [
        _bucket(10, 10, 200, "seconds", "Retry-After, a small job (200)"),
        inflight,
        _bucket(20, 1, 400, "seconds", "Retry-After"),
        _window("window 100 per 1 s, 0.7 s in, Retry-After", 100, 1.0, 3100, "seconds", 0.7),
    ]


@attrs.frozen
class Run:
    """One ``delete_many`` against one shape."""

    seconds: float
    requests: int
    limited: int
    failed: int
    events: int

    def text(self, floor: float) -> str:
        """Seconds vs the floor and the share of 429s, as the matrix prints them."""
        share = self.limited / max(1, self.requests)
        return f"{self.seconds / floor:.2f}x, {share:.1%} ({self.limited} of {self.requests})" + (
            f", **{self.failed} failed**" if self.failed else ""
        )

    def on_target(self, cell: Cell) -> bool:
        """Within the cell's time and 429 targets, nothing failed."""
        share = self.limited / max(1, self.requests)
        return (
            self.seconds / cell.floor <= cell.target and share < cell.max_429 and self.failed == 0
        )


def _start_from(client: AsyncPictory, learned: Learned) -> None:
    """Start the client's throttle from ``learned``, as a rate store would at start-up."""
    throttle: Throttle = client._shared.throttle
    throttle._start_from(learned)


async def _one(
    remote: RemoteEmulator, cell: Cell, client: AsyncPictory, concurrency: int = CONCURRENCY
) -> Run:
    """Fresh projects and a fresh limiter, then one ``delete_many``."""
    await remote.set_faults(rate_limit=None)
    await remote.reset()
    ids = await remote.add_projects(cell.count)
    faults = {k: list(v) if isinstance(v, tuple) else v for k, v in cell.faults.items()}
    await remote.set_faults(latency=LATENCY, **faults)
    await remote.reset(stats_only=True)
    await asyncio.sleep(cell.offset)
    events = client.throttle.throttle_events
    start = time.perf_counter()
    result = await client.projects.delete_many(ids, concurrency=concurrency)
    seconds = time.perf_counter() - start
    stats = await remote.stats()
    return Run(
        seconds,
        stats["total"],
        stats["rate_limited"],
        len(result.failed),
        client.throttle.throttle_events - events,
    )


async def measure(cell: Cell) -> dict[str, Run]:
    """The three runs of one shape, against one emulator process."""
    args = ["--projects", "0", "--other-projects", "0", "--page-size", "1000"]
    args += ["--in-progress-share", "0"]
    runs: dict[str, Run] = {}
    async with spawn(args=args, cpu=0) as remote:
        options: dict[str, Any] = {"base_url": remote.base_url, "max_connections": CONCURRENCY}
        async with AsyncPictory(remote.api_key, **options) as client:
            runs["first"] = await _one(remote, cell, client)
            learned = client._shared.throttle.learned()
            runs["same client"] = await _one(remote, cell, client)
        async with AsyncPictory(remote.api_key, **options) as client:
            _start_from(client, learned)
            runs["from learned"] = await _one(remote, cell, client)
        pinned: dict[str, Any] = {"adaptive_rate_limit": False, "rate_limit": cell.pinned_rate}
        async with AsyncPictory(remote.api_key, **options, **pinned) as client:
            workers = cell.pinned_concurrency or CONCURRENCY
            runs["pinned"] = await _one(remote, cell, client, workers)
    return runs


def _jittered() -> Cell:
    """The cap on requests in flight with 0-20 ms of jitter on the 30 ms latency."""
    faults = {"rate_limit": 10, "rate_limit_shape": "inflight", "jitter": 0.02}
    return Cell(
        name="in flight at most 10, Retry-After, 0-20 ms jitter (simulated)",
        faults={**faults, "retry_after": "seconds"},
        count=3000,
        floor=3000 / 10 * (LATENCY + 0.01),
        pinned_concurrency=10,
    )


def simulated(quick: bool = False) -> None:
    """Print each shape's first run in simulated time, beside the pinned client."""
    rows = []
    for cell in [*shapes(), _jittered()][: 1 if quick else None]:
        ours, pinned = (
            run_simulated(functools.partial(simulate, cell, CONCURRENCY, kind))
            for kind in ("pictory-async", "pinned")
        )
        rows.append([cell.name, f"{cell.floor:.1f}", _cell_text(cell, ours)])
        rows[-1] += [_cell_text(cell, pinned), _verdict(cell, ours)]
    table(
        f"Shapes in simulated time: first run, delete_many at concurrency {CONCURRENCY}",
        ["server limit", "floor s", "pictory-async", "pinned at the limit", "on target"],
        rows,
    )


def main(quick: bool = False, repeat: int = 1, only: str | None = None) -> None:
    """Print the simulated table, then one row per shape and repeat in real time."""
    logging.getLogger("pictory_async").setLevel(logging.ERROR)
    simulated(quick)
    rows = []
    for cell in shapes()[: 1 if quick else None]:
        if only and only not in cell.name:
            continue
        for attempt in range(repeat):
            runs = asyncio.run(measure(cell))
            row = [cell.name, f"{cell.floor:.1f}"]
            row += [runs[name].text(cell.floor) for name in COLUMNS]
            row += [", ".join(name for name in RUNS if not runs[name].on_target(cell)) or "all"]
            rows.append(row)
            print(f"[{attempt + 1}/{repeat}] " + " | ".join(row), file=sys.stderr, flush=True)
    table(
        f"Shapes in real time over loopback: delete_many at concurrency {CONCURRENCY}, "
        f"{LATENCY * 1000:.0f} ms latency (seconds vs floor, 429s)",
        ["server limit", "floor s", *COLUMNS, "off target"],
        rows,
    )
