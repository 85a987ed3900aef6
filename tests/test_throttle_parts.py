"""The throttle's parts alone: the gate, the cool-down, the pacer and the quota batches."""

from __future__ import annotations

import asyncio

import pytest
from _support import FakeTime

from pictory_async._throttle._batches import QuotaBatches
from pictory_async._throttle._cooldown import NO_HINT_MAX, Cooldown
from pictory_async._throttle._estimator import BETA, Estimator
from pictory_async._throttle._gate import Gate
from pictory_async._throttle._pacer import Pacer


def cooldown(fake_time: FakeTime) -> Cooldown:
    """A cool-down on fake time, without jitter."""
    return Cooldown(sleep=fake_time.sleep, rand=lambda: 0.0, adaptive=True)


# -- the gate --------------------------------------------------------------------------


def test_a_full_window_doubles_per_round_trip_in_slow_start() -> None:
    """In slow start each success of a full window adds one: ten answered make twenty."""
    gate = Gate(10)
    gate.in_flight = 10
    for _ in range(10):  # each of the ten answered, and its slot taken again at once
        gate.in_flight -= 1
        gate.grow(slow_start=True)
        gate.in_flight = int(gate.window)
    assert 20.0 == gate.window


def test_a_window_with_room_does_not_grow() -> None:
    """A success grows the window only when it is (nearly) full."""
    gate = Gate(10)
    gate.in_flight = 2
    gate.grow(slow_start=True)
    assert 10.0 == gate.window


def test_an_event_leaves_one_probe_then_restores_beta_of_the_flight() -> None:
    """After an event one request goes; the API open again, ``BETA`` of those in flight."""
    gate = Gate(10)
    gate.in_flight = 39
    gate.probe()
    assert (1.0, False) == (gate.window, gate.open)
    gate.restore()
    assert BETA * 40 == gate.window


def test_a_schedule_can_ask_for_more_slots_after_the_pause() -> None:
    """``resume_at_least`` raises what the window comes back to, never lowers it."""
    gate = Gate(10)
    gate.in_flight = 3
    gate.probe()
    gate.resume_at_least(25)
    gate.resume_at_least(2)
    gate.restore()
    assert 25 == gate.window


# -- the cool-down ---------------------------------------------------------------------


def test_only_a_later_deadline_extends_the_cooldown(fake_time: FakeTime) -> None:
    """A 429 whose pause ends before the current deadline changes nothing."""
    pause = cooldown(fake_time)
    assert 5.0 == pause.extend(100.0, 5.0, hinted=True)
    assert 0.0 == pause.extend(101.0, 1.0, hinted=True)
    assert 2.0 == pause.extend(101.0, 6.0, hinted=True)  # the part past the old deadline
    assert 107.0 == pause.until


def test_a_lift_ends_the_pause_and_counts_what_was_not_waited(fake_time: FakeTime) -> None:
    """Lifted two seconds into a ``Retry-After`` of five, three were never waited."""
    pause = cooldown(fake_time)
    pause.extend(100.0, 5.0, hinted=True)
    assert 3.0 == pause.unwaited(102.0)
    pause.lift(102.0)
    assert (102.0, 0.0) == (pause.until, pause.unwaited(102.0))


def test_a_pause_without_a_hint_starts_at_four_intervals_and_doubles(
    fake_time: FakeTime,
) -> None:
    """At 20/s the first pause is 0.2 s; refused again within a second, it doubles."""
    pause = cooldown(fake_time)
    first = pause.no_hint_pause(100.0, rate=20.0, event_at=90.0, first_event=False)
    second = pause.no_hint_pause(100.3, rate=20.0, event_at=100.0, first_event=False)
    assert (0.2, 0.4) == (first, second)


def test_a_pause_without_a_hint_stops_growing_at_its_cap(fake_time: FakeTime) -> None:
    """However often probes are refused, a pause without a hint stays at most 8 s."""
    pause = cooldown(fake_time)
    pauses = [
        pause.no_hint_pause(100.0 + step, rate=None, event_at=100.0, first_event=False)
        for step in range(12)
    ]
    assert NO_HINT_MAX == pauses[-1]


async def test_a_lift_wakes_the_calls_sleeping_in_the_cooldown() -> None:
    """A call sleeping out the cool-down goes on as soon as it is lifted."""
    pause = Cooldown(sleep=asyncio.sleep, rand=lambda: 0.0, adaptive=True)
    sleeper = asyncio.create_task(pause.sleep(3600.0))
    await asyncio.sleep(0)
    pause.lift(0.0)
    await asyncio.wait_for(sleeper, timeout=1.0)
    assert sleeper.done()


# -- the pacer -------------------------------------------------------------------------


async def test_the_pacer_spaces_bookings_one_interval_apart(fake_time: FakeTime) -> None:
    """At 10/s the second booking at the same moment waits 0.1 s, then goes."""
    estimate = Estimator(rate_limit=10.0, adaptive=False)
    pace = cooldown(fake_time)
    pacer = Pacer(
        estimate=estimate, cooldown=pace, clock=fake_time.clock, rate_limit=None, now=1000.0
    )
    assert await pacer.book()
    assert not await pacer.book()
    assert await pacer.book()
    assert [pytest.approx(0.1)] == fake_time.sleeps


# -- the quota batches -----------------------------------------------------------------


def batches(fake_time: FakeTime, handed: list[tuple[float, bool]]) -> QuotaBatches:
    """Quota batches on fake time whose hand-backs land in ``handed``."""
    return QuotaBatches(
        cooldown=cooldown(fake_time),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        back_to_pace=lambda rate, more: handed.append((rate, more)),
    )


def cycle(quota: QuotaBatches, start: float, successes: int, retry_after: float) -> int | None:
    """``successes`` sent from ``start``, then a 429 with ``retry_after`` ends the cycle."""
    for step in range(successes):
        quota.on_success(start + step * 0.01, start + step * 0.01 + 0.03, start - 1.0)
    end = start + 0.5
    return quota.on_event(end, start - 1.0, retry_after, end + retry_after)


def test_the_same_quota_twice_per_short_pause_starts_batches(fake_time: FakeTime) -> None:
    """Two cycles of 20 successes each ended by ``Retry-After: 1``: send 20 at a time."""
    quota = batches(fake_time, [])
    assert None is cycle(quota, 100.0, 20, 1.0)
    assert 20 == cycle(quota, 101.0, 20, 1.0)
    assert quota.binds


def test_a_different_quota_or_a_long_pause_is_no_batch(fake_time: FakeTime) -> None:
    """Half the successes of the cycle before, or a pause of 5 s, find no quota."""
    for second, retry_after in ((10, 1.0), (20, 5.0)):
        quota = batches(fake_time, [])
        cycle(quota, 100.0, 20, retry_after)
        cycle(quota, 101.0, second, retry_after)
        assert not quota.binds


def test_a_lift_ends_the_batches(fake_time: FakeTime) -> None:
    """A later request let through shows no quota that resets: the batches stop."""
    handed: list[tuple[float, bool]] = []
    quota = batches(fake_time, handed)
    cycle(quota, 100.0, 20, 1.0)
    cycle(quota, 101.0, 20, 1.0)
    quota.on_lift(102.0)
    assert (False, []) == (quota.binds, handed)  # a lift ends them without a hand-back
