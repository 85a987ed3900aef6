"""The throttle: shared cool-down, in-flight window and paced rate, fed by ``release``."""

from __future__ import annotations

import asyncio
import itertools
import logging

import httpx
import pytest
import respx
from _support import PROJECTS_PATH, ClientFactory, FakeTime

from pictory_async._throttle import BETA, NO_HINT_MAX, NO_HINT_MIN, Throttle

START = 1000.0


def throttle(
    fake_time: FakeTime,
    *,
    adaptive: bool = True,
    rate_limit: float | None = None,
    rand: float = 0.0,
    initial_window: int = 10,
) -> Throttle:
    """A throttle on the fake clock, with a fixed jitter draw."""
    return Throttle(
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        rate_limit=rate_limit,
        adaptive=adaptive,
        rand=lambda: rand,
        initial_window=initial_window,
    )


async def succeed_at(th: Throttle, fake_time: FakeTime, per_second: float, seconds: float) -> None:
    """Send and succeed one request at a time, ``per_second``, for ``seconds`` of fake time."""
    for _ in range(round(per_second * seconds)):
        ticket = await th.acquire()
        fake_time.advance(1 / per_second)
        th.release(ticket, 200)


async def refuse(th: Throttle, fake_time: FakeTime, retry_after: float | None) -> float:
    """Send one request and have it answered 429 a little later; return its ticket."""
    ticket = await th.acquire()
    fake_time.advance(0.01)
    th.release(ticket, 429, retry_after)
    return ticket


# -- the shared cool-down --------------------------------------------------------------


async def test_acquire_is_free_without_cooldown_or_rate(fake_time: FakeTime) -> None:
    """With no throttle seen and no rate limit, ``acquire`` returns now, without sleeping."""
    th = throttle(fake_time)
    assert (START, START) == (await th.acquire(), await th.acquire())
    assert ([], None, 0.0, 2) == (fake_time.sleeps, th.rate, th.cooldown_remaining, th.in_flight)


async def test_release_frees_the_slot_whatever_the_outcome(fake_time: FakeTime) -> None:
    """A success, a 429 and a lost answer (``None``) each free one slot in flight."""
    th = throttle(fake_time)
    tickets = [th.ready() for _ in range(3)]
    for ticket, status in zip(tickets, (200, 429, None), strict=True):
        assert ticket is not None
        th.release(ticket, status, 1.0)
    assert 0 == th.in_flight


async def test_a_429_pauses_every_concurrent_call_until_the_deadline(
    fake_time: FakeTime,
) -> None:
    """After one 429 with ``Retry-After: 5``, 20 calls in line all go at t+5, no earlier."""
    th = throttle(fake_time, adaptive=False, initial_window=100)
    ticket = await th.acquire()
    th.release(ticket, 429, 5.0)

    async def call() -> float:
        ticket = await th.acquire()
        th.release(ticket, 200)
        return ticket

    tickets = await asyncio.gather(*(call() for _ in range(20)))
    assert [START + 5] * 20 == tickets
    assert [5.0] == fake_time.sleeps


async def test_429s_from_requests_sent_before_the_throttle_are_one_event(
    fake_time: FakeTime,
) -> None:
    """20 requests sent together, all answered 429: one event, one rate drop, one cool-down."""
    th = throttle(fake_time, initial_window=100)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    tickets = [th.ready() for _ in range(20)]
    fake_time.advance(0.2)
    th.release(tickets[0], 429, None)  # type: ignore[arg-type]
    after_first = (th.rate, th.cooldown_remaining)
    for ticket in tickets[1:]:
        fake_time.advance(0.001)
        th.release(ticket, 429, None)  # type: ignore[arg-type]
    assert (1, after_first[0]) == (th.throttle_events, th.rate)
    assert pytest.approx(after_first[1] - 19 * 0.001) == th.cooldown_remaining


async def test_refused_probes_before_any_success_are_the_same_event(fake_time: FakeTime) -> None:
    """While the API keeps refusing the one probe sent after each pause, the rate drops once."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    await refuse(th, fake_time, None)
    dropped = th.rate
    for _ in range(4):
        await refuse(th, fake_time, None)
    assert (1, dropped) == (th.throttle_events, th.rate)


async def test_a_429_after_a_success_since_the_throttle_is_a_new_event(
    fake_time: FakeTime,
) -> None:
    """Once a request sent after a throttle succeeded, the next 429 is a new event."""
    th = throttle(fake_time)
    await refuse(th, fake_time, 1.0)
    await succeed_at(th, fake_time, per_second=10, seconds=0.1)
    await refuse(th, fake_time, 1.0)
    assert 2 == th.throttle_events


async def test_a_429_in_the_same_event_can_still_extend_the_deadline(
    fake_time: FakeTime,
) -> None:
    """A later ``Retry-After`` from the same event pushes the shared deadline out."""
    th = throttle(fake_time, adaptive=False)
    first, second = th.ready(), th.ready()
    th.release(first, 429, 2.0)  # type: ignore[arg-type]
    th.release(second, 429, 6.0)  # type: ignore[arg-type]
    assert (1, 6.0) == (th.throttle_events, th.cooldown_remaining)


async def test_a_shorter_retry_after_never_shortens_the_cooldown(fake_time: FakeTime) -> None:
    """A 429 asking for less than what is left leaves the deadline where it was."""
    th = throttle(fake_time, adaptive=False)
    first, second = th.ready(), th.ready()
    th.release(first, 429, 10.0)  # type: ignore[arg-type]
    fake_time.advance(1.0)
    th.release(second, 429, 1.0)  # type: ignore[arg-type]
    assert 9.0 == th.cooldown_remaining


@pytest.mark.parametrize(
    ("rand", "expected"),
    [
        (0.0, [0.5, 1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375, 8.0, 8.0]),
        (1.0, [0.75, 1.5, 2.25, 3.375, 5.0625, 7.59375, 11.390625, 12.0, 12.0]),
    ],
)
async def test_without_retry_after_the_pause_doubles_for_a_second_then_grows_by_half(
    fake_time: FakeTime, rand: float, expected: list[float]
) -> None:
    """A later event's refused probes double the pause, then (past a second) x1.5."""
    th = throttle(fake_time, adaptive=False, rand=rand)
    await refuse(th, fake_time, None)  # the first event...
    await succeed_at(th, fake_time, per_second=10, seconds=0.1)  # ...over
    pauses = []
    for _ in expected:
        await refuse(th, fake_time, None)
        pauses.append(th.cooldown_remaining)
    assert expected == pytest.approx(pauses)


@pytest.mark.parametrize(
    ("rand", "expected"),
    [
        # probes sent 0.51, 1.02, 1.54, 2.32, 3.49 s after the first 429 (doubled: 0.51,
        # 1.52, 3.03, 4.54): the time searched grows by half, the pause never shrinks
        (0.0, [0.5, 0.5, 0.51, 0.77, 1.16, 1.745, 2.6225, 3.93875, 5.91312, 8.0, 8.0]),
        (1.0, [0.75, 0.75, 1.14, 2.0025, 3.511875, 6.1532813, 10.7757422, 12.0, 12.0]),
    ],
)
async def test_the_first_event_without_retry_after_grows_the_time_searched_by_half(
    fake_time: FakeTime, rand: float, expected: list[float]
) -> None:
    """The first event's pause is a blind guess: refused, the time since the 429 grows x1.5.

    Doubled, the second probe came back to a window per second 1.2 s after it had reset.
    """
    th = throttle(fake_time, adaptive=False, rand=rand)
    pauses = []
    for _ in expected:
        await refuse(th, fake_time, None)
        pauses.append(th.cooldown_remaining)
    assert expected == pytest.approx(pauses)


async def test_a_success_resets_the_growing_pause(fake_time: FakeTime) -> None:
    """After a success, the next 429 without ``Retry-After`` starts again at 0.5 s."""
    th = throttle(fake_time, adaptive=False)
    for _ in range(3):
        await refuse(th, fake_time, None)
    await succeed_at(th, fake_time, per_second=10, seconds=0.1)
    await refuse(th, fake_time, None)
    assert 0.5 == pytest.approx(th.cooldown_remaining)


async def test_an_outage_without_retry_after_starts_probing_where_the_last_one_ended(
    fake_time: FakeTime,
) -> None:
    """Without ``Retry-After``, a new event first waits as long as the last outage refused."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=1000, seconds=0.2)  # paced fast: short pauses
    first = await refuse(th, fake_time, None)
    last_refused = await refuse(th, fake_time, None)  # refused for under a second
    await succeed_at(th, fake_time, per_second=1000, seconds=0.1)
    await refuse(th, fake_time, None)
    refused_for = last_refused - (first + 0.01)  # the outage began when the first 429 came
    assert refused_for + NO_HINT_MIN == pytest.approx(th.cooldown_remaining)


async def test_an_outage_whose_first_probe_goes_through_halves_the_next_wait(
    fake_time: FakeTime,
) -> None:
    """When the first probe after the learned wait goes through, the next waits half as long."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=1000, seconds=0.2)
    first = await refuse(th, fake_time, None)
    last_refused = await refuse(th, fake_time, None)  # refused for under a second
    await succeed_at(th, fake_time, per_second=1000, seconds=0.1)
    await refuse(th, fake_time, None)  # a new event: the probe after it goes through
    await succeed_at(th, fake_time, per_second=1000, seconds=0.1)
    await refuse(th, fake_time, None)
    refused_for = last_refused - (first + 0.01)
    assert refused_for / 2 + NO_HINT_MIN == pytest.approx(th.cooldown_remaining)


async def long_outage(th: Throttle, fake_time: FakeTime, *, phase: float, until: float) -> float:
    """A phase of ``phase`` s of successes, then probes refused until ``until`` s after it began.

    Returns when the last refused probe was sent, counted from when the phase began.
    """
    began = fake_time.clock()
    await succeed_at(th, fake_time, per_second=200, seconds=phase)
    last_refused = await refuse(th, fake_time, None)
    while fake_time.clock() - began < until:
        last_refused = await refuse(th, fake_time, None)
    return last_refused - began


async def reopen(th: Throttle, fake_time: FakeTime) -> float:
    """The probe that goes through, beginning the next phase; return when it was sent."""
    ticket = await th.acquire()
    fake_time.advance(0.01)
    th.release(ticket, 200)
    return ticket


async def test_a_long_outage_is_expected_as_long_after_its_phase_began_as_the_last(
    fake_time: FakeTime,
) -> None:
    """A quota that resets (a sliding log) opens a period after the phase began, not the 429."""
    th = throttle(fake_time)
    refused_for = await long_outage(th, fake_time, phase=0.5, until=4.5)
    opened = await reopen(th, fake_time)
    await succeed_at(th, fake_time, per_second=200, seconds=0.2)  # shorter than the last
    await refuse(th, fake_time, None)
    first_probe = fake_time.clock() + th.cooldown_remaining
    # counted from the 429, as for a short outage, it would wait 0.3 s too long
    assert opened + refused_for + NO_HINT_MIN == pytest.approx(first_probe)


async def test_a_phase_that_outlasts_the_last_period_waits_as_long_as_the_last_outage(
    fake_time: FakeTime,
) -> None:
    """No quota in sight (the phase ran past the period): the wait counts from the 429."""
    th = throttle(fake_time)
    began = fake_time.clock()
    refused_for = await long_outage(th, fake_time, phase=0.5, until=4.5)
    first_429 = began + 0.5 + 0.01  # when the event began
    await reopen(th, fake_time)
    # longer than the last phase and its outage together: no quota resets like that
    await succeed_at(th, fake_time, per_second=200, seconds=refused_for + 1.0)
    await refuse(th, fake_time, None)
    outage = min(NO_HINT_MAX, began + refused_for - first_429)
    assert outage + NO_HINT_MIN == pytest.approx(th.cooldown_remaining)


async def test_one_long_outage_stretches_no_later_wait_past_twice_the_last_outage(
    fake_time: FakeTime,
) -> None:
    """After a closed API (20 s of 429s), a later short outage waits at most twice its own."""
    th = throttle(fake_time)
    await long_outage(th, fake_time, phase=0.5, until=20.0)
    await succeed_at(th, fake_time, per_second=200, seconds=0.5)
    await refuse(th, fake_time, None)  # waits as long after its phase began: ~20 s
    await succeed_at(th, fake_time, per_second=200, seconds=0.5)  # its first probe went through
    await refuse(th, fake_time, None)
    halved = NO_HINT_MAX / 2  # the last outage, counted from its 429, after that probe
    assert th.cooldown_remaining <= 2 * halved + 0.5  # ~19.5 s without the bound


async def test_the_first_pause_without_retry_after_is_a_few_request_intervals(
    fake_time: FakeTime,
) -> None:
    """At a paced 200/s, a 429 without ``Retry-After`` pauses 0.05 s, not half a second."""
    th = throttle(fake_time, rate_limit=200.0)
    await refuse(th, fake_time, None)
    assert NO_HINT_MIN == pytest.approx(th.cooldown_remaining)


async def test_a_late_429_of_the_same_event_without_retry_after_does_not_extend(
    fake_time: FakeTime,
) -> None:
    """Without ``Retry-After``, a late 429 for a request sent before keeps the deadline."""
    th = throttle(fake_time, adaptive=False)
    first, late = th.ready(), th.ready()
    th.release(first, 429, None)  # type: ignore[arg-type]
    fake_time.advance(0.2)
    th.release(late, 429, None)  # type: ignore[arg-type]
    assert 0.3 == pytest.approx(th.cooldown_remaining)


async def test_a_call_in_line_waits_for_the_latest_deadline(fake_time: FakeTime) -> None:
    """A call waiting its turn after a throttle waits for a deadline moved meanwhile."""
    th = throttle(fake_time, adaptive=False)
    first, second = th.ready(), th.ready()
    th.release(first, 429, 5.0)  # type: ignore[arg-type]
    waiter = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    th.release(second, 429, 10.0)  # type: ignore[arg-type]
    assert START + 10 == await waiter
    assert [10.0] == fake_time.sleeps


async def test_each_deadline_is_waited_for_once_even_if_sleep_wakes_early() -> None:
    """A sleep that returns before the deadline (coarse timers) does not loop forever."""
    sleeps: list[float] = []

    async def early_sleep(delay: float) -> None:
        sleeps.append(delay)
        await asyncio.sleep(0)

    th = Throttle(clock=lambda: START, sleep=early_sleep, adaptive=False)
    th.release(await th.acquire(), 429, 5.0)
    assert START == await asyncio.wait_for(th.acquire(), timeout=5)
    assert [5.0] == sleeps


async def test_a_throttle_is_logged_as_a_warning(
    fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """Each throttle event logs the pause and the new client rate."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    await refuse(throttle(fake_time, adaptive=False), fake_time, 5.0)
    await refuse(throttle(fake_time), fake_time, 2.0)
    assert [
        "rate limited by the API: all calls pause 5.00s; client rate now unlimited",
        "rate limited by the API: all calls pause 2.00s; client rate now unlimited",
    ] == [record.getMessage() for record in caplog.records]


# -- the window of requests in flight --------------------------------------------------


async def test_slow_start_lets_the_initial_window_go_then_one_more_per_success(
    fake_time: FakeTime,
) -> None:
    """Before any 429, 4 calls go at once with a window of 4; each success lets one more."""
    th = throttle(fake_time, initial_window=4)
    tickets = [th.ready() for _ in range(5)]
    assert [START] * 4 + [None] == tickets
    th.release(START, 200)
    assert (3, 5) == (th.in_flight, th.window)
    assert [START, START] == [th.ready(), th.ready()]


async def test_calls_beyond_the_window_wait_their_turn_in_order(fake_time: FakeTime) -> None:
    """With the window full, waiting calls get slots first come, first served."""
    th = throttle(fake_time, initial_window=1)
    first = await th.acquire()
    order: list[int] = []

    async def call(number: int) -> None:
        ticket = await th.acquire()
        order.append(number)
        th.release(ticket, 200)

    waiting = [asyncio.create_task(call(number)) for number in range(3)]
    await asyncio.sleep(0)
    th.release(first, 200)
    await asyncio.gather(*waiting)
    assert [0, 1, 2] == order


async def test_after_a_throttle_one_probe_goes_then_the_window_comes_back(
    fake_time: FakeTime,
) -> None:
    """After a pause only one call is sent; its success restores most of the window."""
    th = throttle(fake_time, initial_window=10)
    tickets = [th.ready() for _ in range(10)]
    fake_time.advance(0.05)
    th.release(tickets[0], 429, 1.0)  # type: ignore[arg-type]
    for ticket in tickets[1:]:
        th.release(ticket, 429, 1.0)  # type: ignore[arg-type]
    assert 1 == th.window
    probe = await th.acquire()
    assert None is th.ready()
    fake_time.advance(0.03)
    th.release(probe, 200)
    assert int(BETA * 10) == th.window


async def test_a_cancelled_waiter_passes_its_slot_on(fake_time: FakeTime) -> None:
    """A call cancelled after it was handed a slot gives it to the next one in line."""
    th = throttle(fake_time, initial_window=1)
    first = await th.acquire()
    cancelled = asyncio.create_task(th.acquire())
    waiting = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    th.release(first, 200)  # hands the slot to ``cancelled``...
    cancelled.cancel()  # ...which is cancelled before it runs
    assert START == await waiting
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert 1 == th.in_flight


async def test_a_call_cancelled_while_in_line_leaves_it(fake_time: FakeTime) -> None:
    """Cancelling a call that waits for a slot removes it from the line."""
    th = throttle(fake_time, initial_window=1)
    first = await th.acquire()
    waiter = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    th.release(first, 200)
    assert (0, START) == (th.in_flight, th.ready())


async def test_a_call_cancelled_during_the_cooldown_frees_its_slot(fake_time: FakeTime) -> None:
    """A call cancelled while it waits out a cool-down holds no slot afterwards."""
    th = throttle(fake_time, adaptive=False)
    await refuse(th, fake_time, 5.0)
    waiter = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert 0 == th.in_flight


# -- a cool-down lifted by a later request let through -----------------------------------


class StuckTimers:
    """A clock moved only by hand, and a sleep whose timer never fires on its own."""

    def __init__(self) -> None:
        self.now = START
        self.sleeps: list[float] = []

    def clock(self) -> float:
        """The current time."""
        return self.now

    async def sleep(self, delay: float) -> None:
        """Record ``delay`` and wait until cancelled."""
        self.sleeps.append(delay)
        await asyncio.get_running_loop().create_future()


def stuck_throttle(timers: StuckTimers, *, adaptive: bool = True) -> Throttle:
    """A throttle whose cool-downs end only when lifted."""
    return Throttle(clock=timers.clock, sleep=timers.sleep, rand=lambda: 0.0, adaptive=adaptive)


async def test_a_later_request_let_through_lifts_the_cooldown_for_every_call() -> None:
    """A 429, then a success for a request sent after it: calls in line go at once."""
    timers = StuckTimers()
    th = stuck_throttle(timers)
    refused = th.ready()
    timers.now += 0.01
    later = th.ready()
    timers.now += 0.02
    th.release(refused, 429, 5.0)  # type: ignore[arg-type]
    waiter = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    timers.now += 0.01
    th.release(later, 200)  # type: ignore[arg-type]
    assert START + 0.04 == await asyncio.wait_for(waiter, timeout=5)
    assert (0.0, 1) == (th.cooldown_remaining, th.throttle_events)


async def test_a_lift_also_wakes_a_call_waiting_for_its_turn_at_the_pace() -> None:
    """A call booked behind the paced rate when the 429 came goes as soon as it is lifted."""
    timers = StuckTimers()
    th = Throttle(clock=timers.clock, sleep=timers.sleep, rate_limit=1.0)
    refused = await th.acquire()
    timers.now += 1.0
    later = await th.acquire()
    waiter = asyncio.create_task(th.acquire())  # its turn is a second away
    await asyncio.sleep(0)
    th.release(refused, 429, 5.0)
    th.release(later, 200)
    assert START + 1.0 == await asyncio.wait_for(waiter, timeout=5)


async def test_a_success_sent_before_the_refused_request_lifts_nothing() -> None:
    """An answer to a request sent before the refused one says nothing: the pause stands."""
    timers = StuckTimers()
    th = stuck_throttle(timers)
    earlier = th.ready()
    timers.now += 0.01
    refused = th.ready()
    th.release(refused, 429, 5.0)  # type: ignore[arg-type]
    th.release(earlier, 200)  # type: ignore[arg-type]
    assert 5.0 == th.cooldown_remaining


async def test_the_refused_call_still_waits_its_own_retry_after(fake_time: FakeTime) -> None:
    """After a lift, the other calls go at once; the refused one waits its ``Retry-After``."""
    th = throttle(fake_time)
    refused = th.ready()
    fake_time.advance(0.01)
    later = th.ready()
    released = asyncio.Event()
    go = asyncio.Event()

    async def refused_call() -> float:
        th.release(refused, 429, 5.0)  # type: ignore[arg-type]
        released.set()
        await go.wait()
        return await th.acquire()

    task = asyncio.create_task(refused_call())
    await released.wait()
    th.release(later, 200)  # type: ignore[arg-type]
    assert START + 0.01 == await th.acquire()
    go.set()
    assert START + 0.01 + 5.0 == await task


async def test_the_fast_path_comes_back_once_every_own_hold_is_over(fake_time: FakeTime) -> None:
    """A refused call that never comes back does not keep ``ready`` off for good."""
    th = throttle(fake_time)
    refused = th.ready()
    fake_time.advance(0.01)
    later = th.ready()

    async def refused_call() -> None:
        th.release(refused, 429, 5.0)  # type: ignore[arg-type]

    worker = asyncio.create_task(refused_call())  # kept alive, as a pool's worker is
    await worker
    th.release(later, 200)  # type: ignore[arg-type]
    during = th.ready()
    fake_time.advance(5.0)
    assert (None, START + 5.01) == (during, th.ready())


async def test_a_late_429_of_a_lifted_event_does_not_bring_the_pause_back() -> None:
    """A 429 for a request sent before the lift: the event is over, no new pause."""
    timers = StuckTimers()
    th = stuck_throttle(timers)
    refused = th.ready()
    timers.now += 0.01
    later, late = th.ready(), th.ready()
    timers.now += 0.02
    th.release(refused, 429, 5.0)  # type: ignore[arg-type]
    th.release(later, 200)  # type: ignore[arg-type]
    th.release(late, 429, 5.0)  # type: ignore[arg-type]
    assert (0.0, 1) == (th.cooldown_remaining, th.throttle_events)


async def test_a_call_refused_again_and_again_waits_twice_as_long_each_time(
    fake_time: FakeTime,
) -> None:
    """Without ``Retry-After``, a call refused 3 times in a row waits 0.5, 1, 2 s."""
    th = throttle(fake_time)

    async def let_through(ticket: float) -> None:
        th.release(ticket, 200)

    waits = []
    ticket = await th.acquire()
    for _ in range(3):
        fake_time.advance(0.01)
        other = await asyncio.create_task(th.acquire())  # another call, sent later
        th.release(ticket, 429, None)
        await asyncio.create_task(let_through(other))  # ...and let through: a lift
        refused_at = fake_time.now
        ticket = await th.acquire()
        waits.append(ticket - refused_at)
    assert [0.5, 1.0, 2.0] == pytest.approx(waits)


async def test_without_the_adaptive_rate_nothing_lifts_the_pause() -> None:
    """With ``adaptive=False`` a lift could not cut the pace, so the pause stands."""
    timers = StuckTimers()
    th = stuck_throttle(timers, adaptive=False)
    refused = th.ready()
    timers.now += 0.01
    later = th.ready()
    th.release(refused, 429, 5.0)  # type: ignore[arg-type]
    th.release(later, 200)  # type: ignore[arg-type]
    assert pytest.approx(5.0) == th.cooldown_remaining


async def test_a_call_cancelled_in_a_cooldown_leaves_no_timer_behind() -> None:
    """Cancelling a call that waits out a liftable cool-down cancels its timer too."""
    timers = StuckTimers()
    th = stuck_throttle(timers)
    th.release(th.ready(), 429, 5.0)  # type: ignore[arg-type]
    waiter = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0)
    assert ({asyncio.current_task()}, 0) == (asyncio.all_tasks(), th.in_flight)


# -- the adaptive rate -----------------------------------------------------------------


async def test_one_429_sets_the_rate_below_what_succeeded(fake_time: FakeTime) -> None:
    """After a throttle, the rate is ``BETA`` times the rate that succeeded just before."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    assert th.rate is None
    await refuse(th, fake_time, 1.0)
    assert pytest.approx(10 * BETA, rel=0.05) == th.rate


async def test_refused_past_the_last_maximum_the_cut_follows_the_last_successes(
    fake_time: FakeTime,
) -> None:
    """Refused while climbing past the maximum: cut from the last five successes' pace."""
    th = throttle(fake_time, initial_window=100)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    await refuse(th, fake_time, 0.1)  # a maximum of 10/s and a plateau of one second
    done: list[float] = []

    async def worker() -> None:
        while (th.rate or 0.0) < 30:
            ticket = await th.acquire()
            await fake_time.sleep(0.01)
            th.release(ticket, 200)
            done.append(fake_time.now)

    await asyncio.gather(*(worker() for _ in range(5)))
    refused_pace = th.rate
    assert refused_pace is not None
    await refuse(th, fake_time, 0.1)
    recent = 4 / (done[-1] - done[-5])  # the average over the last second is well below
    assert BETA * min(recent, refused_pace) == pytest.approx(th.rate)


async def test_a_lifted_event_takes_the_refused_pace_as_the_limit(fake_time: FakeTime) -> None:
    """Refused at a pace of 100/s while 50/s succeeded: lifted, the rate is BETA * 100."""
    th = throttle(fake_time, rate_limit=100.0, initial_window=100)
    await succeed_at(th, fake_time, per_second=50, seconds=2)
    refused = await th.acquire()
    fake_time.advance(0.005)
    later = await th.acquire()
    fake_time.advance(0.03)
    th.release(refused, 429, 1.0)
    measured = th.rate
    th.release(later, 200)
    assert [50 * BETA, 100 * BETA] == pytest.approx([measured, th.rate], rel=0.05)


async def test_a_refusal_right_after_a_lift_does_not_trust_its_pace(fake_time: FakeTime) -> None:
    """Refused again a few requests after a lift: the pace is cut to what succeeded."""
    th = throttle(fake_time, rate_limit=100.0, initial_window=100)
    await succeed_at(th, fake_time, per_second=50, seconds=2)
    for _ in range(2):
        refused = await th.acquire()
        fake_time.advance(0.005)
        later = await th.acquire()
        fake_time.advance(0.03)
        th.release(refused, 429, 1.0)
        th.release(later, 200)
    assert [2, 50 * BETA] == pytest.approx([th.throttle_events, th.rate], rel=0.1)


async def test_a_run_younger_than_a_second_is_not_measured_over_a_second(
    fake_time: FakeTime,
) -> None:
    """Refused twice within the first quarter second at 200/s: the rate stays near 200.

    Dividing the 50 successes of that quarter by a whole second took the limit for
    50/s (the cool-down had been lifted, so the second event came at once): a bucket of
    200/s with a burst of 50 then ran at a quarter of its rate over real loopback.
    """
    th = throttle(fake_time, initial_window=100)

    async def answer(ticket: float, status: int) -> None:  # each call is its own task
        th.release(ticket, status, 1.0 if status == 429 else None)

    await succeed_at(th, fake_time, per_second=200, seconds=0.25)
    for _ in range(2):
        refused = await asyncio.create_task(th.acquire())
        fake_time.advance(0.005)
        later = await asyncio.create_task(th.acquire())
        fake_time.advance(0.02)
        await asyncio.create_task(answer(refused, 429))
        await asyncio.create_task(answer(later, 200))  # sent later, let through: a lift
        await succeed_at(th, fake_time, per_second=200, seconds=0.02)  # open again
    assert fake_time.now < START + 0.5  # no pause was waited out: both within 0.5 s
    assert 2 == th.throttle_events
    assert th.rate is not None
    assert th.rate > 100


async def test_time_with_one_call_at_a_time_is_not_taken_for_the_limit(
    fake_time: FakeTime,
) -> None:
    """A listing one page at a time, then 40 calls at 200/s refused: the rate stays near 200.

    The second before the first 429 was mostly the listing (20 requests/s, one in
    flight): counted, it took the limit for about 75/s, and with a long plateau a bulk
    run after a listing went at half the API's limit.
    """
    th = throttle(fake_time, initial_window=100)
    await succeed_at(th, fake_time, per_second=20, seconds=2)  # the listing
    tickets = [await th.acquire() for _ in range(40)]  # the bulk run's 40 workers
    for turn in range(60):  # 0.3 s at 200/s, 40 in flight
        fake_time.advance(1 / 200)
        th.release(tickets[turn % 40], 200)
        tickets[turn % 40] = await th.acquire()
    fake_time.advance(1 / 200)
    th.release(tickets[0], 429, 1.0)
    assert pytest.approx(200 * BETA, rel=0.1) == th.rate


async def test_after_a_blind_first_event_the_rate_doubles_and_keeps_half_when_refused(
    fake_time: FakeTime,
) -> None:
    """Refused on the start-up round: the pace doubles every 0.25 s; refused again, half stays."""
    th = throttle(fake_time, initial_window=100)
    first = [th.ready() for _ in range(3)]
    fake_time.advance(0.05)
    for ticket, status in zip(first, (200, 200, 429), strict=True):
        th.release(ticket, status)  # type: ignore[arg-type]
    cut = th.rate
    assert cut is not None
    resumed = fake_time.now + th.cooldown_remaining
    while fake_time.now < resumed + 1.0:  # calls queue behind the pace: it climbs
        ticket = await th.acquire()
        fake_time.advance(0.001)
        th.release(ticket, 200)
    climbed = th.rate
    assert climbed is not None
    await refuse(th, fake_time, None)
    assert climbed > 8 * cut
    assert pytest.approx(BETA * climbed / 2) == th.rate


async def test_a_retry_after_pause_does_not_count_as_a_slow_rate(fake_time: FakeTime) -> None:
    """Time spent waiting out a ``Retry-After`` is not counted when measuring the rate."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    await refuse(th, fake_time, 1.0)
    fake_time.advance(1.0)
    await succeed_at(th, fake_time, per_second=10, seconds=0.5)
    await refuse(th, fake_time, 1.0)
    assert pytest.approx(10 * BETA * BETA, rel=0.1) == th.rate


async def quota_twice(th: Throttle, fake_time: FakeTime, per_second: float = 100) -> None:
    """Refused after 30 successes twice, ``Retry-After: 1`` between; wait out the pause."""
    for _ in range(2):
        await succeed_at(th, fake_time, per_second=per_second, seconds=30 / per_second)
        await refuse(th, fake_time, 1.0)
        fake_time.advance(1.0)


async def refuse_in_own_task(th: Throttle, ticket: float, retry_after: float) -> None:
    """Answer ``ticket`` 429 from another task (its own hold must not hold the test's)."""

    async def answer() -> None:
        th.release(ticket, 429, retry_after)

    await asyncio.create_task(answer())


async def start_batch(th: Throttle) -> list[float]:
    """Send a batch of 30: the first alone, the rest once it came back."""
    first = await th.acquire()
    th.release(first, 200)
    assert th.window >= 30  # else the rest would wait for slots nobody frees
    return [first] + [await th.acquire() for _ in range(29)]


async def test_as_many_successes_between_short_retry_after_pauses_are_one_quota(
    fake_time: FakeTime,
) -> None:
    """Refused after 30 successes twice, ``Retry-After: 1`` between: 30 at once, a second apart.

    A window per second lets its quota through at once after each reset. Paced instead,
    its requests straddle resets, the quota per pause looks different each time, and the
    pace came down 15% an event: 1.27x of the floor, 12% 429s.
    """
    th = throttle(fake_time)
    await quota_twice(th, fake_time)
    waits = len(fake_time.waits)
    batch = await start_batch(th)
    assert ([batch[0]] * 30, waits) == (batch, len(fake_time.waits))
    # one probe a quota's interval later: refused, the quota holds; not a new event
    probe = await th.acquire()
    assert pytest.approx(batch[0] + 1 / 30) == probe
    events = th.throttle_events
    await refuse_in_own_task(th, probe, 1.0)
    assert (events, 0.0) == (th.throttle_events, th.cooldown_remaining)
    assert pytest.approx(batch[0] + 1.0) == await th.acquire()  # the next batch


async def test_a_probe_let_through_between_batches_goes_back_to_a_pace(
    fake_time: FakeTime,
) -> None:
    """The probe after a batch goes through: the API refills (a bucket), so pace again.

    A bucket of 5/s with a burst of 1 looks like a quota of one per second; sent in
    batches, it ran at a fifth of its rate (5.0x of the floor).
    """
    th = throttle(fake_time)
    await quota_twice(th, fake_time)
    batch = await start_batch(th)
    probe = await th.acquire()
    th.release(probe, 200)
    assert th.rate is not None
    assert th.rate >= 30
    assert await th.acquire() < batch[0] + 0.5  # not held for the next batch


async def test_a_refused_batch_that_shrank_goes_back_to_a_pace(fake_time: FakeTime) -> None:
    """A batch of 30 of which 10 went through: no fixed quota; paced at BETA * 30/s."""
    th = throttle(fake_time)
    await quota_twice(th, fake_time)
    for ticket in (await start_batch(th))[1:]:
        th.release(ticket, 200)
    probe = await th.acquire()
    await refuse_in_own_task(th, probe, 1.0)
    fake_time.advance(1.0)
    batch = await start_batch(th)  # the second batch, refused after 10
    for ticket in batch[1:10]:
        th.release(ticket, 200)
    for ticket in batch[10:]:
        await refuse_in_own_task(th, ticket, 1.0)
    fake_time.advance(1.0)
    await th.acquire()
    assert pytest.approx(BETA * 30) == th.rate


async def test_a_quota_paced_over_more_than_a_period_is_not_sent_in_batches(
    fake_time: FakeTime,
) -> None:
    """30 successes over 3 s, twice, between ``Retry-After: 1``: a pace, not a quota per pause."""
    th = throttle(fake_time)
    await quota_twice(th, fake_time, per_second=10)
    first = await th.acquire()
    th.release(first, 200)
    assert await th.acquire() > first


async def test_a_fixed_rate_limit_is_never_exceeded_by_batches(fake_time: FakeTime) -> None:
    """With ``rate_limit=``, a quota per pause is paced, not sent at once."""
    th = throttle(fake_time, rate_limit=1000)
    await quota_twice(th, fake_time)
    first = await th.acquire()
    th.release(first, 200)
    assert await th.acquire() > first


async def test_adaptive_rate_climbs_back_while_calls_queue(fake_time: FakeTime) -> None:
    """With calls waiting for their turn, the rate climbs back past what was allowed."""
    th = throttle(fake_time, initial_window=100)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    await refuse(th, fake_time, 0.5)
    dropped = th.rate
    assert dropped is not None

    async def worker() -> None:
        while fake_time.now < START + 20:
            ticket = await th.acquire()
            await fake_time.sleep(0.01)
            th.release(ticket, 200)

    await asyncio.gather(*(worker() for _ in range(5)))
    assert th.rate is not None
    assert th.rate > 10


async def test_a_lifted_event_does_not_hold_the_plateau_its_pause_would_have_needed(
    fake_time: FakeTime,
) -> None:
    """A first 429 with ``Retry-After: 1``, lifted at once: the pace is past the old rate in 3 s.

    Its plateau was sized for a one-second pause (ten seconds flat). Lifted, the event
    cost next to nothing: a cap of 10 requests in flight at 30 ms (333/s) ran at the
    170-200/s measured in the start-up's slow start for a whole short run (2x its floor).
    """
    th = throttle(fake_time, initial_window=100)
    await succeed_at(th, fake_time, per_second=200, seconds=0.5)
    refused = await th.acquire()
    fake_time.advance(0.005)
    later = await th.acquire()
    fake_time.advance(0.03)
    th.release(refused, 429, 1.0)
    th.release(later, 200)  # sent after the refused one, let through: lifted
    assert 0.0 == th.cooldown_remaining

    while fake_time.now < START + 3.5:  # one call after another, each at its turn
        th.release(await th.acquire(), 200)
    assert th.rate is not None
    assert th.rate > 200


async def test_adaptive_rate_stays_when_calls_do_not_queue(fake_time: FakeTime) -> None:
    """Calls that come slower than the pace do not push it up."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    await refuse(th, fake_time, 0.5)
    dropped = th.rate
    assert dropped is not None
    fake_time.advance(1.0)
    await succeed_at(th, fake_time, per_second=dropped / 2, seconds=10)
    assert dropped == th.rate


async def test_adaptive_pace_spaces_requests_evenly(fake_time: FakeTime) -> None:
    """Once the adaptive rate is on, calls in line go out one interval apart."""
    th = throttle(fake_time, initial_window=100)
    await succeed_at(th, fake_time, per_second=2, seconds=2)
    await refuse(th, fake_time, 0.0)
    assert th.rate is not None
    spacing = 1 / th.rate

    async def call() -> float:
        ticket = await th.acquire()
        th.release(ticket, 200)
        return ticket

    tickets = sorted(await asyncio.gather(*(call() for _ in range(3))))
    gaps = [b - a for a, b in itertools.pairwise(tickets)]
    assert [spacing, spacing] == pytest.approx(gaps)


async def test_a_throttle_during_a_wait_for_the_pace_books_again(fake_time: FakeTime) -> None:
    """A call waiting for its turn when a new throttle comes waits for the new pause."""
    th = throttle(fake_time, rate_limit=1.0, adaptive=False, initial_window=100)
    first = await th.acquire()
    waiter = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    th.release(first, 429, 5.0)
    assert START + 5 <= await waiter


async def queue_at_the_pace_then_throttle(
    th: Throttle, fake_time: FakeTime
) -> list[asyncio.Task[float]]:
    """Five calls take a slot and queue at the pace; a 429 comes; its pause of 2 s ends.

    Returns the five calls once every one of them that could go has gone.
    """
    first = await th.acquire()
    queued = [asyncio.create_task(th.acquire()) for _ in range(5)]
    await asyncio.sleep(0)
    th.release(first, 429, 2.0)
    await asyncio.wait(queued, return_when=asyncio.FIRST_COMPLETED)
    for _ in range(50):  # every sleep of the fake clock is over at once
        await asyncio.sleep(0)
    return queued


@pytest.mark.parametrize("adaptive", [True, False])
async def test_calls_queued_at_the_pace_when_throttled_send_one_probe(
    fake_time: FakeTime, adaptive: bool
) -> None:
    """Calls that took a slot and queued at the pace before a 429 go one probe at a time.

    Also with a fixed pace alone (``adaptive=False``): it left out this rule while a
    fixed pace let the calls back in line go as one burst after the pause.
    """
    th = throttle(fake_time, rate_limit=1.0, initial_window=100, adaptive=adaptive)
    queued = await queue_at_the_pace_then_throttle(th, fake_time)
    probes = [task.result() for task in queued if task.done()]
    assert [START + 2.0] == probes
    th.release(probes[0], 200)
    rest = [ticket for ticket in await asyncio.gather(*queued) if ticket != probes[0]]
    assert 4 == len(rest)
    assert all(ticket > probes[0] for ticket in rest)


async def test_a_call_cancelled_after_giving_its_slot_back_frees_nothing_twice(
    fake_time: FakeTime,
) -> None:
    """Calls cancelled while back in line for a slot leave the count of those in flight right."""
    th = throttle(fake_time, rate_limit=1.0, initial_window=100)
    queued = await queue_at_the_pace_then_throttle(th, fake_time)
    [probe] = [task for task in queued if task.done()]
    in_line = [task for task in queued if not task.done()]
    for task in in_line:
        task.cancel()
    await asyncio.gather(*in_line, return_exceptions=True)
    assert 1 == th.in_flight
    th.release(probe.result(), 200)
    assert 0 == th.in_flight


async def test_non_adaptive_throttle_keeps_no_rate(fake_time: FakeTime) -> None:
    """``adaptive=False``: a 429 pauses calls but sets no rate."""
    th = throttle(fake_time, adaptive=False)
    await succeed_at(th, fake_time, per_second=10, seconds=1)
    await refuse(th, fake_time, 1.0)
    assert (None, 1) == (th.rate, th.throttle_events)


def test_a_first_429_with_no_success_seen_only_cools_down(fake_time: FakeTime) -> None:
    """Before any success the API's limit is unknown: a 429 pauses but sets no rate."""
    subject = throttle(fake_time)
    ticket = subject.ready()
    assert ticket is not None
    subject.release(ticket, 429, 0.25)
    assert (None, 0.25) == (subject.rate, subject.cooldown_remaining)


# -- the fixed rate --------------------------------------------------------------------


async def test_fixed_rate_limit_spaces_requests(fake_time: FakeTime) -> None:
    """``rate_limit=2``: one request at once, then one every 0.5 s."""
    th = throttle(fake_time, rate_limit=2.0)
    tickets = [await th.acquire() for _ in range(4)]
    assert [START, START + 0.5, START + 1.0, START + 1.5] == pytest.approx(tickets)
    assert [0.5, 0.5, 0.5] == pytest.approx(fake_time.sleeps)


async def test_fixed_rate_limit_allows_a_one_second_burst_after_idling(
    fake_time: FakeTime,
) -> None:
    """After a pause, up to one second's worth of requests go at once."""
    th = throttle(fake_time, rate_limit=3.0)
    fake_time.advance(10)
    tickets = [await th.acquire() for _ in range(4)]
    now = START + 10
    assert [now, now, now, now + 1 / 3] == pytest.approx(tickets)


async def test_a_fixed_rate_limit_bursts_no_more_once_the_api_refused(
    fake_time: FakeTime,
) -> None:
    """After a 429, ``rate_limit=`` paces evenly even after idling: the API took no burst.

    A bucket of 500/s with a burst of 1 refused each one-second burst: a client pinned
    at its rate answered 71% of its requests 429 and failed 3,388 of 5,000 deletes.
    """
    th = throttle(fake_time, rate_limit=4.0, adaptive=False, initial_window=100)
    await refuse(th, fake_time, 1.0)
    fake_time.advance(10)
    tickets = []
    for _ in range(4):
        tickets.append(await th.acquire())
        th.release(tickets[-1], 200)
    now = START + 10.01
    assert [now, now + 0.25, now + 0.5, now + 0.75] == pytest.approx(tickets)


async def test_fixed_rate_limit_caps_the_adaptive_rate(fake_time: FakeTime) -> None:
    """With a ceiling, the adaptive rate drops from it and never climbs above it."""
    th = throttle(fake_time, rate_limit=4.0, initial_window=100)
    await succeed_at(th, fake_time, per_second=4, seconds=2)
    await refuse(th, fake_time, 0.5)
    assert pytest.approx(4 * BETA, rel=0.05) == th.rate

    async def worker() -> None:
        while fake_time.now < START + 30:
            ticket = await th.acquire()
            await fake_time.sleep(0.01)
            th.release(ticket, 200)

    await asyncio.gather(*(worker() for _ in range(3)))
    assert 4.0 == th.rate


# -- through the client ----------------------------------------------------------------

PATH = f"{PROJECTS_PATH}/p1"


async def test_one_429_pauses_every_call_of_the_client(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """10 calls in flight all answered 429: one event, and every retry waits the deadline."""
    sent: list[tuple[float, int]] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        number = len(sent)
        sent.append((fake_time.now, number))
        await asyncio.sleep(0)  # every task sends before any answer arrives
        fake_time.advance(0.01)
        if number < 10:
            return httpx.Response(429, headers={"Retry-After": "2"})
        return httpx.Response(200, json={"projectName": f"n{number}"})

    router.get(PATH).mock(side_effect=answer)
    async with make_client(adaptive_rate_limit=False) as client:
        projects = await asyncio.gather(*(client.projects.get("p1") for _ in range(10)))
        assert 1 == client.throttle.throttle_events
    first_sends = [at for at, number in sent if number < 10]
    retries = [at for at, number in sent if number >= 10]
    deadline = START + 0.01 + 2
    assert [START] * 10 == first_sends
    assert 10 == len(retries)
    assert all(at >= deadline for at in retries)
    assert 10 == len(projects)


async def test_calls_started_after_a_429_wait_for_its_deadline(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """Calls that start during a cool-down wait for it before sending anything."""
    sent: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(fake_time.now)
        if len(sent) == 1:
            return httpx.Response(429, headers={"Retry-After": "5"})
        return httpx.Response(200, json={})

    router.get(PATH).mock(side_effect=answer)
    async with make_client(adaptive_rate_limit=False) as client:
        first = asyncio.create_task(client.projects.get("p1"))
        await asyncio.sleep(0)
        others = [asyncio.create_task(client.projects.get("p1")) for _ in range(5)]
        await asyncio.gather(first, *others)
    assert START == sent[0]
    assert all(at >= START + 5 for at in sent[1:])
    assert 7 == len(sent)


async def test_fixed_rate_limit_spaces_client_calls(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """``rate_limit=4`` on the client: calls go out 0.25 s apart."""
    sent: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(fake_time.now)
        return httpx.Response(200, json={})

    router.get(PATH).mock(side_effect=answer)
    async with make_client(rate_limit=4) as client:
        for _ in range(4):
            await client.projects.get("p1")
    assert [START, START + 0.25, START + 0.5, START + 0.75] == pytest.approx(sent)


async def test_a_call_waiting_out_its_own_retry_after_still_counts_as_demand() -> None:
    """Two in flight and one refused call held: three calls want to go.

    Left out, a run whose calls were mostly refused looked idle for a moment, and the
    next event measured the limit over the few requests since.
    """
    timers = StuckTimers()
    th = stuck_throttle(timers)
    tickets = [th.ready() for _ in range(3)]

    async def refused() -> None:
        th.release(tickets[0], 429, 5.0)  # type: ignore[arg-type]
        await th.acquire()

    task = asyncio.create_task(refused())
    await asyncio.sleep(0)
    assert (2, 3) == (th.in_flight, th.demand)
    task.cancel()
