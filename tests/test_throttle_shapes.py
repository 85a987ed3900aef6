"""The throttle against each emulator limiter shape, in simulated time (no real waiting)."""

from __future__ import annotations

import asyncio
from typing import Any

import attrs
import httpx
import pytest

from pictory_async import AsyncPictory
from pictory_async._throttle import Learned
from pictory_async.emulator import Emulator, Faults
from pictory_async.emulator._clock import run_simulated

LATENCY = 0.03


@attrs.define
class Run:
    """What one ``delete_many`` did against one limiter."""

    seconds: float  # of the delete_many call
    requests: int
    limited: int
    deleted: int
    events: int
    rates: list[tuple[float, float | None]]
    learned: Learned

    @property
    def share_429(self) -> float:
        """429s among all answers."""
        return self.limited / self.requests


def delete_all(
    count: int,
    concurrency: int = 50,
    *,
    listed: bool = False,
    offset: float = 0.0,
    learned: Learned | None = None,
    **faults: Any,
) -> Run:
    """Delete ``count`` projects through ``delete_many`` against ``faults``, simulated.

    With ``listed``, the client first lists them, one page at a time, as ``prune`` does.
    The client starts ``offset`` seconds after the limiter (a window's first reset is
    that much nearer). With ``learned``, the client starts from it, as a rate store
    starts a new process.
    """

    async def main() -> Run:
        loop = asyncio.get_running_loop()
        emulator = Emulator(
            projects=count, other_projects=0, page_size=100, clock=loop.time, sleep=asyncio.sleep
        )
        ids: list[Any] = [record.id for record in emulator.projects()]
        emulator.faults = Faults(latency=LATENCY, **faults)
        await asyncio.sleep(offset)
        rates: list[tuple[float, float | None]] = []
        transport = emulator.transport()
        async with (
            httpx.AsyncClient(transport=transport) as http,
            AsyncPictory(
                emulator.api_key, base_url=emulator.base_url, http_client=http, clock=loop.time
            ) as client,
        ):
            if learned is not None:
                client._shared.throttle._start_from(learned)

            async def sample() -> None:
                while True:
                    rates.append((loop.time(), client.throttle.rate))
                    await asyncio.sleep(0.5)

            sampler = asyncio.create_task(sample())
            if listed:
                ids = [summary async for summary in client.projects.list()]
            started = loop.time()
            result = await client.projects.delete_many(ids, concurrency=concurrency)
            sampler.cancel()
            events = client.throttle.throttle_events
            snapshot = client._shared.throttle.learned()
        stats = emulator.stats
        seconds = loop.time() - started
        return Run(
            seconds, stats.total, stats.rate_limited, len(result.deleted), events, rates, snapshot
        )

    return run_simulated(main)


def test_a_token_bucket_is_learned_and_held() -> None:
    """Bucket 20/s, burst 20: within 10% of the floor, under 5% of answers 429."""
    run = delete_all(620, rate_limit=20, burst=20)
    assert (620, True, True) == (run.deleted, run.seconds < 30 * 1.1, run.share_429 < 0.05)


def test_a_bucket_with_a_burst_of_one_is_paced_just_below_its_rate() -> None:
    """Bucket 200/s, burst 1, ``Retry-After: 1``: within 1.5x of an 11 s floor, few 429s.

    Each event is lifted by the next request let through (2.0x before); the matrix's 31 s
    run gets within 1.15x, a short one pays the start-up's pause in full.
    """
    run = delete_all(2200, rate_limit=200, burst=1)
    floor = (2200 - 1) / 200
    assert (2200, True, True) == (run.deleted, run.seconds < floor * 1.5, run.share_429 < 0.05)


@pytest.mark.parametrize(
    ("faults", "floor"),
    [
        ({"rate_limit": 10, "burst": 10}, 19.0),
        ({"rate_limit": 100, "rate_limit_shape": "window", "rate_limit_period": 1.0}, 19.0),
    ],
)
def test_a_later_run_started_from_learned_skips_the_start_up_round(
    faults: dict[str, Any], floor: float
) -> None:
    """A first run pays slow start's 429s; a new client started from what it learned, few.

    A 10/s bucket, 200 deletes: 28 429s on the first run, 2 from what it learned. A
    window of 100 per second: 43, then 9 (paced at the quota's rate: the batches are not
    remembered, a later run finds them again in two cycles). Learned from a run that
    ended in batches, the paced rate (170/s, idle while they went) cost 37.
    """
    count = round(floor * faults["rate_limit"]) + faults.get("burst", faults["rate_limit"])
    first = delete_all(count, **faults)
    later = delete_all(count, learned=first.learned, **faults)
    assert first.learned.events > 0
    assert later.limited < first.limited / 3
    assert later.seconds < floor * 1.2


def test_a_listing_one_page_at_a_time_is_not_taken_for_the_limit() -> None:
    """Listed first, then deleted against a 200/s bucket with a burst of 50: near the floor.

    The listing went one page at a time, at a tenth of the limit. Measured as if the API
    had held it back, it made the limit look like half of 200/s, and the bulk run after
    it (``prune``, the demo) went at half the API's rate for its first ten seconds.
    """
    run = delete_all(3000, listed=True, rate_limit=200, burst=50)
    floor = (3000 - 50) / 200
    assert (3000, True, True) == (run.deleted, run.seconds < floor * 1.15, run.share_429 < 0.05)


def test_a_limit_halved_mid_run_is_followed_down_and_back_up() -> None:
    """Halved from 20 to 10/s at 20 s, restored at 40 s: near the floor, pace back up after."""
    run = delete_all(1000, rate_limit=20, burst=20, rate_limit_changes=[(20, 0.5), (40, 1.0)])
    after = [rate for at, rate in run.rates if at >= 50 and rate is not None]
    floor = (1000 - 20 - 20 * 20 - 10 * 20) / 20 + 40
    assert (1000, True, True) == (run.deleted, run.seconds < floor * 1.15, run.share_429 < 0.05)
    assert max(after) > 15


def test_a_window_reset_is_waited_for_with_retry_after() -> None:
    """Window 100 per 5 s with Retry-After: near the floor, under 10% 429s, one event a window."""
    run = delete_all(1000, rate_limit=100, rate_limit_shape="window", rate_limit_period=5)
    assert 1000 == run.deleted
    assert run.seconds < 45 * 1.15
    assert run.share_429 < 0.10
    assert run.events <= 10


def test_a_window_without_retry_after_is_probed_gently() -> None:
    """Window 100 per 5 s and no Retry-After: every project deleted, under 10% 429s."""
    run = delete_all(
        1000, rate_limit=100, rate_limit_shape="window", rate_limit_period=5, retry_after="none"
    )
    assert (1000, True) == (run.deleted, run.share_429 < 0.10)
    assert run.seconds < 45 * 1.25


def test_an_in_flight_cap_is_held_with_few_429s() -> None:
    """At most 10 in flight at 30 ms: every project deleted, under 1% of answers 429."""
    run = delete_all(2000, rate_limit=10, rate_limit_shape="inflight")
    assert (2000, True) == (run.deleted, run.share_429 < 0.01)
    # each event is lifted by the next request let through, not a one-second pause per
    # 429 (2.0x before); a run this short still carries the start-up's blind round
    assert run.seconds < 6 * 1.6


@pytest.mark.parametrize("retry_after", ["seconds", "none"])
def test_a_sliding_log_is_held(retry_after: str) -> None:
    """Sliding log of 100 per 5 s: within 25% of the floor, few 429s, with Retry-After or not.

    Without it, each outage is expected as long after its phase began as the last one was
    (1.26x of the floor when counted from the 429).
    """
    run = delete_all(
        1000,
        rate_limit=100,
        rate_limit_shape="sliding",
        rate_limit_period=5,
        retry_after=retry_after,
    )
    assert (1000, True) == (run.deleted, run.share_429 < 0.10)
    assert run.seconds < 45 * 1.25


@pytest.mark.parametrize("offset", [0.0, 0.5])
def test_a_window_per_second_is_sent_in_batches(offset: float) -> None:
    """Window 20 per second, ``Retry-After: 1``: within 15% of the floor, aligned or not.

    Paced, requests straddle the resets: 1.22x aligned, 1.27x half a window in.
    """
    run = delete_all(
        200, rate_limit=20, rate_limit_shape="window", rate_limit_period=1, offset=offset
    )
    assert (200, True) == (run.deleted, run.share_429 < 0.10)
    assert run.seconds < (9 - offset) * 1.15


def test_a_sliding_log_per_second_is_sent_in_batches_a_period_after_their_last() -> None:
    """Sliding log of 20 per second, ``Retry-After: 1``: within 10% of the floor.

    A batch a period after the previous one's *first* request found the rest of it still
    in the log: the quota shrank batch by batch (3.0x). Paced, 1.18x.
    """
    run = delete_all(400, rate_limit=20, rate_limit_shape="sliding", rate_limit_period=1)
    assert (400, True) == (run.deleted, run.share_429 < 0.10)
    assert run.seconds < 19 * 1.1


def test_a_bucket_that_refills_between_batches_is_paced_again() -> None:
    """Bucket 5/s, burst 1, ``Retry-After: 1`` looks like one per pause; its probe says no.

    Sent one request a second, it took 5.0x of the floor.
    """
    run = delete_all(155, rate_limit=5, burst=1)
    assert (155, True) == (run.deleted, run.share_429 < 0.10)
    assert run.seconds < (154 / 5) * 1.25


def test_a_period_learned_too_short_costs_one_429_per_batch() -> None:
    """Window 40 per 2 s: ``Retry-After: 1`` twice is no period; each batch's first goes alone.

    Sent whole, each batch too early was refused whole: 18.5% 429s.
    """
    run = delete_all(400, rate_limit=40, rate_limit_shape="window", rate_limit_period=2)
    assert (400, True) == (run.deleted, run.share_429 < 0.13)
    assert run.seconds < 18 * 1.25


def test_a_bucket_paced_over_seconds_is_no_quota_per_pause() -> None:
    """Bucket 5/s, burst 5: two cycles of 38 successes over 8 s each are a pace, not a batch.

    Taken for a quota per pause, 38 went at once and 33 were refused (11.4% 429s).
    """
    run = delete_all(155, rate_limit=5, burst=5)
    assert (155, True) == (run.deleted, run.share_429 < 0.10)
    assert run.seconds < 30 * 1.1
