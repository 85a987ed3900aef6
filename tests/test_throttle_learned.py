"""What a throttle learned: a snapshot, a throttle started from it, and decay after idle."""

from __future__ import annotations

import itertools
import math

import attrs
import pytest
from _support import FakeTime

from pictory_async._throttle import BETA, Throttle
from pictory_async._throttle._estimator import DOUBLING, Estimator
from pictory_async._throttle._learned import FORGET_AFTER, IDLE_HALF_LIFE, IDLE_MIN, Learned

LEARNED = Learned(rate=40.0, limit=45.0, window=60.0, events=3)


def throttle(fake_time: FakeTime, learned: Learned | None = None, **options: object) -> Throttle:
    """A throttle on the fake clock, started from ``learned``."""
    return Throttle(
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        rand=lambda: 0.0,
        learned=learned,
        **options,  # type: ignore[arg-type]
    )


async def throttled_run(fake_time: FakeTime) -> Throttle:
    """A throttle that ran at 20/s for two seconds, was refused once, and reopened."""
    th = throttle(fake_time)
    for _ in range(40):
        ticket = await th.acquire()
        fake_time.advance(0.05)
        th.release(ticket, 200)
    ticket = await th.acquire()
    fake_time.advance(0.01)
    th.release(ticket, 429, 0.5)
    ticket = await th.acquire()
    fake_time.advance(0.05)
    th.release(ticket, 200)
    return th


# -- the snapshot ------------------------------------------------------------------------


async def test_a_fresh_throttle_has_learned_nothing(fake_time: FakeTime) -> None:
    """Before any answer: no rate, no limit, the initial window, no event."""
    assert Learned() == throttle(fake_time).learned()
    assert (None, None, 10.0, 0) == attrs.astuple(Learned())[:4]


async def test_the_snapshot_holds_the_learned_rate_limit_and_events(fake_time: FakeTime) -> None:
    """After an event: the paced rate, the rate the API allowed, one event."""
    th = await throttled_run(fake_time)
    learned = th.learned()
    assert (th.rate, 1) == (learned.rate, learned.events)
    assert learned.limit is not None
    assert pytest.approx(BETA * learned.limit, rel=0.05) == learned.rate


async def test_a_fixed_rate_limit_is_not_taken_for_a_learned_rate(fake_time: FakeTime) -> None:
    """``rate_limit=`` alone is the caller's ceiling: nothing learned, so no rate is kept."""
    th = throttle(fake_time, rate_limit=5.0)
    ticket = await th.acquire()
    th.release(ticket, 200)
    assert (None, None) == (th.learned().rate, th.learned().limit)


@pytest.mark.parametrize(
    "fields",
    [{"rate": -1.0}, {"limit": 0.0}, {"window": math.inf}, {"events": -1}, {"rate": True}],
)
def test_a_snapshot_refuses_nonsense(fields: dict[str, object]) -> None:
    """A negative, zero, infinite or boolean figure is refused where the snapshot is made."""
    with pytest.raises(ValueError):
        Learned(**fields)  # type: ignore[arg-type]


# -- starting from it ------------------------------------------------------------------


async def test_a_throttle_started_from_learned_skips_slow_start(fake_time: FakeTime) -> None:
    """The remembered window of 60 goes at once; a new throttle lets 10 go before a success."""
    started = throttle(fake_time, Learned(window=60.0))
    fresh = throttle(fake_time)
    assert 60 == sum(started.ready() is not None for _ in range(100))
    assert 10 == sum(fresh.ready() is not None for _ in range(100))


async def test_a_throttle_started_from_learned_paces_at_its_rate(fake_time: FakeTime) -> None:
    """Started from 40/s: the pace is 40/s from the first call, and the event count goes on."""
    th = throttle(fake_time, LEARNED)
    assert (40.0, 3, 60) == (th.rate, th.throttle_events, th.window)
    tickets = [await th.acquire() for _ in range(5)]
    assert pytest.approx([1 / 40] * 4) == [b - a for a, b in itertools.pairwise(tickets)]


async def test_a_learned_rate_climbs_it_is_no_ceiling(fake_time: FakeTime) -> None:
    """Calls queued behind the learned pace for a few seconds take it past the old limit."""
    th = throttle(fake_time, LEARNED)
    for _ in range(1000):  # one call at a time, answered at once: always behind the pace
        ticket = await th.acquire()
        th.release(ticket, 200)
    assert LEARNED.limit is not None
    assert (th.rate or 0.0) > LEARNED.limit


def test_a_remembered_rate_restarts_on_the_plateau_not_past_it() -> None:
    """At its remembered maximum, queued for 5 s: within 2% of it, not probing past it yet.

    Restarted as after a one-second event, the cubic's flat part lasts ten seconds; with
    a plateau of one second a later run probed a burst-1 bucket into a pause every few s.
    """
    est = Estimator()
    est.restart(0.0, rate=20.0, limit=20.0, events=2)
    for step in range(1, 101):
        now = step * 0.05
        est.on_success(now, now - 0.03, until=0.0, unwaited=0.0, queued=True)
    assert pytest.approx(20.0, rel=0.02) == est.rate


async def test_a_learned_rate_stays_under_a_fixed_ceiling(fake_time: FakeTime) -> None:
    """``rate_limit=20`` caps a remembered 40/s."""
    assert 20.0 == throttle(fake_time, LEARNED, rate_limit=20.0).rate


async def test_without_the_adaptive_rate_a_learned_rate_is_ignored(fake_time: FakeTime) -> None:
    """``adaptive=False``: the pace is the fixed one (here none); the window is still kept."""
    th = throttle(fake_time, LEARNED, adaptive=False)
    assert (None, 60) == (th.rate, th.window)


def test_a_decayed_rate_doubles_back_up_to_the_limit_then_climbs_gently() -> None:
    """From a quarter of the limit: doubled each ``DOUBLING`` s, then no faster than the cubic."""
    est = Estimator()
    est.restart(0.0, rate=10.0, limit=40.0, events=1)
    rates = []
    for step in range(1, 5):
        est.on_success(step * DOUBLING, step * DOUBLING, until=0.0, unwaited=0.0, queued=True)
        rates.append(est.rate)
    assert pytest.approx([20.0, 40.0 * BETA, 40 * BETA, 40 * BETA], rel=0.1) == rates[:1] + [
        min(rate or 0, 40 * BETA) for rate in rates[1:]
    ]
    assert all(rate is not None and rate <= 40.0 for rate in rates)


# -- decay after idle ------------------------------------------------------------------


def test_an_idle_half_life_halves_the_window_and_the_rate() -> None:
    """One half-life idle: rate and window halved, the limit and the old window kept."""
    decayed = LEARNED.decayed(IDLE_HALF_LIFE)
    assert Learned(rate=20.0, limit=45.0, window=30.0, events=3, regrow_to=60.0) == decayed


def test_a_short_idle_decays_nothing() -> None:
    """Under ``IDLE_MIN`` (a page, a poll), negative or NaN: the snapshot is unchanged."""
    for idle in (0.0, IDLE_MIN / 2, -5.0, math.nan):
        assert LEARNED is LEARNED.decayed(idle)


def test_the_window_never_decays_below_the_initial_window() -> None:
    """However long the idle spell short of forgetting, the window is at least 10."""
    decayed = LEARNED.decayed(IDLE_HALF_LIFE * (FORGET_AFTER - 0.5))
    assert decayed is not None
    assert 10.0 == decayed.window


def test_an_old_snapshot_is_forgotten() -> None:
    """After ``FORGET_AFTER`` half-lives, nothing is kept: learn from scratch."""
    assert LEARNED.decayed(IDLE_HALF_LIFE * FORGET_AFTER) is None


async def test_a_client_idle_for_a_half_life_halves_its_rate(fake_time: FakeTime) -> None:
    """A minute with nobody sending: the next call finds the pace and the window halved."""
    th = throttle(fake_time, LEARNED)
    ticket = await th.acquire()
    th.release(ticket, 200)
    fake_time.advance(IDLE_HALF_LIFE)
    await th.acquire()
    assert 30 == th.window
    assert pytest.approx(20.0, rel=0.01) == th.rate


async def test_a_client_idle_long_enough_learns_from_scratch(fake_time: FakeTime) -> None:
    """Idle past forgetting: no pace, the initial window, no event counted."""
    th = throttle(fake_time, LEARNED)
    ticket = await th.acquire()
    th.release(ticket, 200)
    fake_time.advance(IDLE_HALF_LIFE * FORGET_AFTER + 1)
    assert th.ready() is not None
    assert (None, 10, 0) == (th.rate, th.window, th.throttle_events)


async def test_a_cool_down_is_not_idle_time(fake_time: FakeTime) -> None:
    """A minute-long ``Retry-After`` waited out is the API's pause, not the client's idle."""
    th = throttle(fake_time, LEARNED)
    ticket = await th.acquire()
    fake_time.advance(0.01)
    th.release(ticket, 429, IDLE_HALF_LIFE)
    rate = th.rate
    fake_time.advance(IDLE_HALF_LIFE)
    await th.acquire()
    assert rate == th.rate


async def test_calls_still_in_flight_keep_the_client_busy(fake_time: FakeTime) -> None:
    """A slow request answered after a minute, with another in flight: no decay."""
    th = throttle(fake_time, LEARNED)
    slow = await th.acquire()
    other = await th.acquire()
    fake_time.advance(IDLE_HALF_LIFE)
    th.release(slow, 200)
    await th.acquire()
    th.release(other, 200)
    assert (60, True) == (th.window, th.rate is not None and th.rate >= 40.0)


async def test_after_idle_the_window_regrows_by_slow_start(fake_time: FakeTime) -> None:
    """Decayed from 60 to 30, the window doubles a round trip back to 60, then grows by one."""
    th = throttle(fake_time, Learned(window=60.0, events=1, rate=None))
    ticket = await th.acquire()
    th.release(ticket, 200)
    fake_time.advance(IDLE_HALF_LIFE)

    def fill() -> list[float]:
        tickets = []
        while (ticket := th.ready()) is not None:
            tickets.append(ticket)
        return tickets

    tickets = fill()
    assert 30 == len(tickets)
    for _ in range(3):  # three round trips, each answer making room for the next call
        fake_time.advance(0.05)
        answered, tickets = tickets, []
        for ticket in answered:
            th.release(ticket, 200)
            tickets += fill()
    assert 60 <= th.window < 64
