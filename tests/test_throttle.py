"""The throttle: one shared cool-down after a 429, and the adaptive or fixed rate."""

from __future__ import annotations

import asyncio
import itertools
import logging

import httpx
import pytest
import respx
from _support import PROJECTS_PATH, ClientFactory, FakeTime

from pictory_async._throttle import BETA, SLOT, WINDOW, Throttle, _Rate

START = 1000.0


def throttle(
    fake_time: FakeTime,
    *,
    adaptive: bool = True,
    rate_limit: float | None = None,
    rand: float = 0.0,
) -> Throttle:
    """A throttle on the fake clock, with a fixed jitter draw."""
    return Throttle(
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        rate_limit=rate_limit,
        adaptive=adaptive,
        rand=lambda: rand,
    )


async def succeed_at(th: Throttle, fake_time: FakeTime, per_second: float, seconds: float) -> None:
    """Send and succeed at ``per_second`` for ``seconds`` of fake time."""
    for _ in range(round(per_second * seconds)):
        ticket = await th.acquire()
        fake_time.advance(1 / per_second)
        th.on_success(ticket)


# -- the shared cool-down --------------------------------------------------------------


async def test_acquire_is_free_without_cooldown_or_rate(fake_time: FakeTime) -> None:
    """With no throttle seen and no rate limit, ``acquire`` returns now, without sleeping."""
    th = throttle(fake_time)
    assert (START, START) == (await th.acquire(), await th.acquire())
    assert ([], None, 0.0) == (fake_time.sleeps, th.rate, th.cooldown_remaining)


async def test_a_429_pauses_every_concurrent_call_until_the_deadline(
    fake_time: FakeTime,
) -> None:
    """After a 429 with ``Retry-After: 5``, 20 concurrent acquires all wait until t+5."""
    th = throttle(fake_time, adaptive=False)
    th.on_throttled(START - 0.1, 5.0)
    tickets = await asyncio.gather(*(th.acquire() for _ in range(20)))
    assert [START + 5] * 20 == tickets
    assert [5.0] * 20 == fake_time.sleeps


async def test_429s_from_requests_sent_before_the_throttle_are_one_event(
    fake_time: FakeTime,
) -> None:
    """20 requests sent together, all answered 429: one event, one rate drop, one cool-down."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    tickets = await asyncio.gather(*(th.acquire() for _ in range(20)))
    fake_time.advance(0.2)
    th.on_throttled(tickets[0], None)
    after_first = (th.rate, th.cooldown_remaining)
    for ticket in tickets[1:]:
        fake_time.advance(0.001)
        th.on_throttled(ticket, None)
    assert 1 == th.throttle_events
    assert after_first[0] == th.rate
    assert pytest.approx(after_first[1] - 19 * 0.001) == th.cooldown_remaining


async def test_a_429_for_a_request_sent_after_the_throttle_is_a_new_event(
    fake_time: FakeTime,
) -> None:
    """A request sent after a throttle was noted and answered 429 counts again."""
    th = throttle(fake_time)
    th.on_throttled(START, 1.0)
    ticket = await th.acquire()
    fake_time.advance(0.1)
    th.on_throttled(ticket, 1.0)
    assert 2 == th.throttle_events


async def test_a_429_in_the_same_event_can_still_extend_the_deadline(
    fake_time: FakeTime,
) -> None:
    """A later ``Retry-After`` from the same event pushes the shared deadline out."""
    th = throttle(fake_time, adaptive=False)
    th.on_throttled(START - 1, 2.0)
    th.on_throttled(START - 1, 6.0)
    assert (1, 6.0) == (th.throttle_events, th.cooldown_remaining)


async def test_a_shorter_retry_after_never_shortens_the_cooldown(fake_time: FakeTime) -> None:
    """A new 429 asking for less than what is left leaves the deadline where it was."""
    th = throttle(fake_time, adaptive=False)
    th.on_throttled(START - 1, 10.0)
    fake_time.advance(1.0)
    th.on_throttled(START + 0.5, 1.0)
    assert (2, 9.0) == (th.throttle_events, th.cooldown_remaining)


@pytest.mark.parametrize(
    ("rand", "expected"),
    [(0.0, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]), (1.0, [0.75, 1.5, 3.0, 6.0, 12.0, 12.0])],
)
async def test_without_retry_after_the_cooldown_grows(
    fake_time: FakeTime, rand: float, expected: list[float]
) -> None:
    """Successive 429s without ``Retry-After`` double the cool-down, capped, with jitter."""
    th = throttle(fake_time, adaptive=False, rand=rand)
    cooldowns = []
    for _ in expected:
        ticket = await th.acquire()
        th.on_throttled(ticket, None)
        cooldowns.append(th.cooldown_remaining)
        fake_time.advance(0.01)
    assert expected == pytest.approx(cooldowns)


async def test_a_success_resets_the_growing_cooldown(fake_time: FakeTime) -> None:
    """After a success, the next 429 without ``Retry-After`` starts again at 0.5 s."""
    th = throttle(fake_time, adaptive=False)
    for _ in range(3):
        ticket = await th.acquire()
        th.on_throttled(ticket, None)
        fake_time.advance(0.01)
    ticket = await th.acquire()
    th.on_success(ticket)
    fake_time.advance(0.01)
    th.on_throttled(ticket + 0.005, None)
    assert 0.5 == pytest.approx(th.cooldown_remaining)


async def test_a_same_event_429_without_retry_after_does_not_extend(fake_time: FakeTime) -> None:
    """Without ``Retry-After``, a late 429 of the same event keeps the original deadline."""
    th = throttle(fake_time, adaptive=False)
    th.on_throttled(START - 1, None)
    fake_time.advance(0.2)
    th.on_throttled(START - 1, None)
    assert 0.3 == pytest.approx(th.cooldown_remaining)
    fake_time.advance(1.0)
    th.on_throttled(START - 1, None)
    assert 0.0 == th.cooldown_remaining


async def test_a_deadline_moved_during_the_wait_is_waited_for_too(fake_time: FakeTime) -> None:
    """A task already waiting for a cool-down also waits for a later one set meanwhile."""
    th = throttle(fake_time, adaptive=False)
    th.on_throttled(START - 1, 5.0)
    waiter = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    th.on_throttled(START - 1, 10.0)
    assert START + 10 == await waiter
    assert [5.0, 5.0] == fake_time.sleeps


async def test_each_deadline_is_waited_for_once_even_if_sleep_wakes_early() -> None:
    """A sleep that returns before the deadline (coarse timers) does not loop forever."""
    sleeps: list[float] = []

    async def early_sleep(delay: float) -> None:
        sleeps.append(delay)
        await asyncio.sleep(0)

    th = Throttle(clock=lambda: START, sleep=early_sleep, adaptive=False)
    th.on_throttled(START - 1, 5.0)
    assert START == await asyncio.wait_for(th.acquire(), timeout=5)
    assert [5.0] == sleeps


async def test_a_throttle_is_logged_as_a_warning(
    fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """Each throttle event logs the pause and the new client rate."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    throttle(fake_time, adaptive=False).on_throttled(START, 5.0)
    throttle(fake_time).on_throttled(START, 2.0)
    assert [
        "rate limited by the API: all calls pause 5.00s; client rate now unlimited",
        "rate limited by the API: all calls pause 2.00s; client rate now unlimited",
    ] == [record.getMessage() for record in caplog.records]


# -- the adaptive rate -----------------------------------------------------------------


async def test_adaptive_rate_drops_below_what_the_api_allowed(fake_time: FakeTime) -> None:
    """After a throttle, the rate is set to ``BETA`` times the rate that succeeded."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    assert th.rate is None
    th.on_throttled(fake_time.now - 0.05, 1.0)
    assert pytest.approx(10 * BETA) == th.rate


async def test_adaptive_rate_climbs_back_over_time(fake_time: FakeTime) -> None:
    """With successes after the throttle, the rate climbs past what was allowed before."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=10, seconds=2)
    th.on_throttled(fake_time.now - 0.05, 0.5)
    dropped = th.rate
    assert dropped is not None
    seen = []
    start = fake_time.now
    while fake_time.now - start < 5:
        ticket = await th.acquire()
        fake_time.advance(0.01)
        th.on_success(ticket)
        seen.append(th.rate)
    assert all(rate is not None and rate > dropped for rate in seen)
    assert seen[-1] is not None
    assert seen[-1] > 10


async def test_adaptive_rate_spaces_requests_once_set(fake_time: FakeTime) -> None:
    """Once the adaptive rate is on, acquires are spaced by the token bucket."""
    th = throttle(fake_time)
    await succeed_at(th, fake_time, per_second=2, seconds=2)
    th.on_throttled(fake_time.now, 0.0)
    assert th.rate is not None
    spacing = 1 / th.rate
    tickets = [await th.acquire() for _ in range(3)]
    gaps = [b - a for a, b in itertools.pairwise(tickets)]
    assert [spacing, spacing] == pytest.approx(gaps)


async def test_non_adaptive_throttle_keeps_no_rate(fake_time: FakeTime) -> None:
    """``adaptive=False``: a 429 pauses calls but sets no rate."""
    th = throttle(fake_time, adaptive=False)
    await succeed_at(th, fake_time, per_second=10, seconds=1)
    th.on_throttled(fake_time.now - 0.05, 1.0)
    assert (None, 1) == (th.rate, th.throttle_events)


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


async def test_fixed_rate_limit_caps_the_adaptive_rate(fake_time: FakeTime) -> None:
    """With a ceiling, the adaptive rate drops from it and never climbs above it."""
    th = throttle(fake_time, rate_limit=4.0)
    await succeed_at(th, fake_time, per_second=4, seconds=2)
    th.on_throttled(fake_time.now - 0.05, 0.5)
    assert pytest.approx(4 * BETA) == th.rate
    await succeed_at(th, fake_time, per_second=4, seconds=10)
    assert 4.0 == th.rate


async def test_a_cooldown_set_during_a_token_wait_is_waited_for(fake_time: FakeTime) -> None:
    """A task waiting for a token also waits out a cool-down that starts meanwhile."""
    th = throttle(fake_time, rate_limit=1.0, adaptive=False)
    assert START == await th.acquire()
    waiter = asyncio.create_task(th.acquire())
    await asyncio.sleep(0)
    th.on_throttled(START, 5.0)
    ticket = await waiter
    assert ticket >= START + 5
    assert 1.0 == fake_time.sleeps[0]


# -- the success counter ---------------------------------------------------------------


def test_rate_counts_successes_over_the_window() -> None:
    """``_Rate`` counts per second over the last ``WINDOW`` s and forgets older ones."""
    rate = _Rate()
    for step in range(20):
        rate.add(100.0 + step * SLOT)
    assert pytest.approx(20 / WINDOW, abs=0.5) == rate.per_second(100.0 + 19 * SLOT, since=0.0)
    assert 0.0 == rate.per_second(100.0 + 10 * WINDOW, since=0.0)


def test_rate_divides_by_at_least_one_second() -> None:
    """Right after ``since``, the count is divided by one second, not by less."""
    rate = _Rate()
    for _ in range(3):
        rate.add(50.0)
    assert 3.0 == rate.per_second(50.05, since=50.0)


# -- through the client ----------------------------------------------------------------

PATH = f"{PROJECTS_PATH}/p1"


async def test_one_429_pauses_every_call_of_the_client(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """20 calls in flight all answered 429: one event, and every retry waits the deadline."""
    sent: list[tuple[float, int]] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        number = len(sent)
        sent.append((fake_time.now, number))
        await asyncio.sleep(0)  # every task sends before any answer arrives
        fake_time.advance(0.01)
        if number < 20:
            return httpx.Response(429, headers={"Retry-After": "2"})
        return httpx.Response(200, json={"projectName": f"n{number}"})

    router.get(PATH).mock(side_effect=answer)
    async with make_client(adaptive_rate_limit=False) as client:
        projects = await asyncio.gather(*(client.projects.get("p1") for _ in range(20)))
        assert 1 == client.throttle.throttle_events
    first_sends = [at for at, number in sent if number < 20]
    retries = [at for at, number in sent if number >= 20]
    deadline = START + 0.01 + 2
    assert [START] * 20 == first_sends
    assert 20 == len(retries)
    assert all(at >= deadline for at in retries)
    assert 20 == len(projects)


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


def test_a_first_429_with_no_success_seen_only_cools_down(fake_time: FakeTime) -> None:
    """Before any success the API's limit is unknown: a 429 pauses but sets no rate."""
    subject = throttle(fake_time)
    subject.on_throttled(START, 0.25)
    assert (None, 0.25) == (subject.rate, subject.cooldown_remaining)
