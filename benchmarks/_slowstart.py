"""What the throttle's slow start costs, and what it buys, measured in the same run.

Before the first 429 the throttle allows ``INITIAL_WINDOW`` (10) requests in flight and
doubles that every round trip. That costs a cold run at a long latency a few round trips
at less than the concurrency asked for, and it bounds what a run sends into a low
limit before the first 429 comes back. No client can have both: until the first answer
arrives, an API that takes 1,000 requests a second and one that takes 5 look the same,
and whatever went out in that round trip has gone.

Both sides run in simulated time (``benchmarks/_ratelimit.py``), so CPU costs nothing
and the figures show the start alone; the throughput scenario measures the real cold
run beside them. Rows: the initial window, from the default to none at all (the whole
concurrency at once).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from pictory_async._throttle import INITIAL_WINDOW, Throttle
from pictory_async.emulator._clock import run_simulated

from . import _ratelimit
from ._report import table

CONCURRENCY = 100
# the cells of the matrix where a larger start sends most into a spent limit
LOW_LIMITS = (
    "bucket 5/s, burst 5, Retry-After",
    "bucket 20/s, burst 20, Retry-After",
    "window 20 per second, Retry-After",
    "window 100 per 5 s, Retry-After",
)


@contextlib.contextmanager
def initial_window(size: int) -> Iterator[None]:
    """Clients created inside start with ``size`` requests in flight (not an option)."""
    defaults = Throttle.__init__.__kwdefaults__
    assert defaults is not None
    saved = defaults["initial_window"]
    defaults["initial_window"] = size
    try:
        yield
    finally:
        defaults["initial_window"] = saved


def _cold_share(latency: float, count: int) -> float:
    """A first run without any limit: its share of the concurrency limit."""
    cell = _ratelimit.Cell(name="no limit", faults={}, count=count, floor=0.0)
    outcome = run_simulated(
        functools.partial(_ratelimit.simulate, cell, CONCURRENCY, "pictory-async", latency=latency)
    )
    return count / outcome.seconds / (CONCURRENCY / latency)


def main(quick: bool = False) -> None:
    """Print the trade: the cold share at 100 ms beside the 429s on low limits."""
    cells = {cell.name: cell for cell in _ratelimit.cells()}
    low = [cells[name] for name in LOW_LIMITS[: 2 if quick else None]]
    count = 500 if quick else 5000
    rows = []
    for size in (INITIAL_WINDOW, 20, 40, CONCURRENCY):
        with initial_window(size):
            share = _cold_share(0.1, count)
            outcomes = [
                run_simulated(
                    functools.partial(_ratelimit.simulate, cell, CONCURRENCY, "pictory-async")
                )
                for cell in low
            ]
        pairs = zip(low, outcomes, strict=True)
        over = sum(outcome.share_429 >= cell.max_429 for cell, outcome in pairs)
        label = f"{size}" + (" (the default)" if size == INITIAL_WINDOW else "")
        if size == CONCURRENCY:
            label += " (no slow start)"
        rows.append(
            [label, f"{share:.3f}"]
            + [f"{outcome.share_429:.1%}" for outcome in outcomes]
            + [f"{len(low) - over} of {len(low)}"]
        )
    table(
        f"Slow start: a cold run at 100 ms latency ({count:,} DELETEs, share of the "
        f"concurrency limit) against the 429s it sends into low limits (concurrency "
        f"{CONCURRENCY}, simulated; 429 budget {low[0].max_429:.0%})",
        ["initial window", "cold share at 100 ms"]
        + [f"429s: {cell.name}" for cell in low]
        + ["within the 429 budget"],
        rows,
    )
