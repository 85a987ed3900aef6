"""The throttle's side of a shared rate: several throttles on one key, at a fake time.

Each throttle stands for a process; they share one ``Twin`` of the Redis scripts
(``_redis.TwinRate``), so a fleet runs here in microseconds. The real scripts are held
equal to the twin in ``test_ratestore_lua.py`` and run on Redis in
``test_ratestore_redis.py``.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from _redis import Twin, TwinRate
from _support import FakeTime

from pictory_async._ratestore._scripts import BETA, SLACK
from pictory_async._throttle import Throttle
from pictory_async._throttle._shared import LEASE, POLL, RECHECK


def _fleet(fake: FakeTime, twin: Twin, size: int) -> list[tuple[Throttle, TwinRate]]:
    fleet = []
    for _ in range(size):
        rate = TwinRate(twin, fake.clock)
        fleet.append((Throttle(clock=fake.clock, sleep=fake.sleep, shared=rate), rate))
    return fleet


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def _warm() -> Twin:
    """A twin whose fleet started long ago and was never refused: no pace at all."""
    twin = Twin()
    twin.hash["st"] = "-1e9"
    return twin


def _seeded(rate: float, fake: FakeTime) -> Twin:
    """A twin that saw ``rate`` successes per second for two seconds before ``fake.now``."""
    twin = Twin()
    now = (fake.now - 2) * 1000
    while now < fake.now * 1000:
        twin.acquire(1, now)
        now += 1000 / rate
    return twin


async def test_one_cut_per_event_across_the_fleet() -> None:
    """Three processes refused in one event: the shared rate is cut once, from the fleet's rate."""
    fake = FakeTime()
    twin = _seeded(90.0, fake)
    fleet = _fleet(fake, twin, 3)
    tickets = [await throttle.acquire() for throttle, _ in fleet]

    for (throttle, _), ticket in zip(fleet, tickets, strict=True):
        throttle.release(ticket, 429, 1.0)
    await _settle()

    assert "1" == twin.hash["gen"]
    assert pytest.approx(90.0 * BETA, rel=0.05) == float(twin.hash["rate"])


async def test_a_429_in_one_process_pauses_the_others() -> None:
    """Process A is told Retry-After 2 s: process B, never refused, waits it out too."""
    fake = FakeTime()
    twin = Twin()
    (a, _), (b, _) = _fleet(fake, twin, 2)
    ticket = await a.acquire()
    refused_at = fake.now
    a.release(ticket, 429, 2.0)
    await _settle()

    await b.acquire()

    assert fake.now - refused_at >= 2.0


async def test_sends_are_spaced_at_the_shared_rate() -> None:
    """With a shared rate of 10/s, two processes together send one request per 100 ms."""
    fake = FakeTime()
    twin = Twin()
    twin.hash = {"rate": "10", "max": "10", "k": "100", "from": f"{fake.now * 1000}", "gen": "1"}
    (a, _), (b, _) = _fleet(fake, twin, 2)
    sent: list[float] = []

    async def worker(throttle: Throttle) -> None:
        for _ in range(10):
            ticket = await throttle.acquire()
            sent.append(ticket)
            throttle.release(ticket, 200)

    await asyncio.gather(worker(a), worker(b))

    times = sorted(sent)
    assert 20 == len(times)
    # any ten sends in a row span a second, less the slack a late caller may take back
    spans = [later - earlier for earlier, later in zip(times, times[10:], strict=False)]
    assert min(spans) >= 1.0 - SLACK / 1000 - 1e-9


async def test_a_process_that_dies_after_booking_holds_nothing() -> None:
    """A booking is no reservation: after one interval the next process sends."""
    fake = FakeTime()
    twin = Twin()
    twin.hash = {"rate": "10", "max": "10", "k": "1", "from": "0", "gen": "1"}
    (dead, _), (alive, _) = _fleet(fake, twin, 2)
    await dead.acquire()  # sent, and never heard of again (kill -9)
    start = fake.now

    await alive.acquire()

    assert pytest.approx(0.1) == fake.now - start


async def test_successes_reach_the_store_with_the_next_booking() -> None:
    """Successes are counted locally and handed over with the next call: no extra round trip."""
    fake = FakeTime()
    twin = Twin()
    twin.hash = {"rate": "1000", "max": "1000", "k": "100", "from": "0", "gen": "1"}
    [(throttle, rate)] = _fleet(fake, twin, 1)
    for _ in range(5):
        throttle.release(await throttle.acquire(), 200)
        fake.advance(0.01)

    assert 5 == rate.calls  # one call per request when paced, none per success
    assert 0 < float(twin.hash["okr"])


async def test_an_unreachable_store_falls_back_and_rejoins(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Down: the client sends alone, asks again at most once per RECHECK, logs once each way."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    fake = FakeTime()
    twin = Twin()
    [(throttle, rate)] = _fleet(fake, twin, 1)
    rate.up = False

    for _ in range(50):
        throttle.release(await throttle.acquire(), 200)
        fake.advance(0.01)
    down_calls = rate.calls
    rate.up = True
    fake.advance(RECHECK)
    throttle.release(await throttle.acquire(), 200)

    assert 1 <= down_calls <= 1 + 0.5 / RECHECK + 1
    assert down_calls + 1 == rate.calls  # rejoined: the next booking went to the store
    messages = [record.getMessage() for record in caplog.records]
    assert 1 == sum("unreachable" in message for message in messages)
    assert 1 == sum("reachable again" in message for message in messages)


async def test_reports_while_down_are_not_sent() -> None:
    """A 429 while the store is down is not reported: no call per 429 to a dead store."""
    fake = FakeTime()
    [(throttle, rate)] = _fleet(fake, Twin(), 1)
    rate.up = False
    ticket = await throttle.acquire()
    calls = rate.calls

    throttle.release(ticket, 429, 1.0)
    await _settle()

    assert calls == rate.calls


async def test_a_late_429_of_an_old_event_does_not_cut_again() -> None:
    """A request booked before the fleet's cut, refused after it, only extends the pause."""
    fake = FakeTime()
    twin = _seeded(100.0, fake)
    (a, _), (b, _) = _fleet(fake, twin, 2)
    early = await b.acquire()  # booked in generation 0
    a.release(await a.acquire(), 429, 0.5)
    await _settle()
    rate = twin.hash["rate"]
    fake.advance(1.0)
    b.release(early, 429, 0.5)
    await _settle()

    assert "1" == twin.hash["gen"]
    assert rate == twin.hash["rate"]


async def test_a_fleet_without_a_pace_asks_once_per_lease() -> None:
    """No shared rate, no pause: sends go without asking for LEASE seconds after an answer."""
    fake = FakeTime()
    [(throttle, rate)] = _fleet(fake, _warm(), 1)

    for _ in range(20):
        throttle.release(await throttle.acquire(), 200)
        fake.advance(LEASE / 10)

    assert 1 <= rate.calls <= 3


async def test_a_429_ends_the_lease() -> None:
    """After a 429 the next send asks the store: the fleet may be paused now."""
    fake = FakeTime()
    [(throttle, rate)] = _fleet(fake, _warm(), 1)
    throttle.release(await throttle.acquire(), 200)
    calls = rate.calls
    throttle.release(await throttle.acquire(), 429, 0.0)
    await _settle()

    await throttle.acquire()

    assert calls + 2 == rate.calls  # the report, and a booking


def test_without_a_store_the_fast_path_stays() -> None:
    """The memory store adds nothing: a throttle without one lets a request go synchronously."""
    fake = FakeTime()
    throttle = Throttle(clock=fake.clock, sleep=fake.sleep)

    assert fake.now == throttle.ready()


async def test_a_process_that_sees_the_api_open_again_lifts_the_fleets_pause() -> None:
    """Refused, then a request sent after it goes through: the fleet's pause ends for all."""
    fake = FakeTime()
    twin = _seeded(100.0, fake)
    (a, _), (b, _) = _fleet(fake, twin, 2)
    refused = await a.acquire()
    fake.advance(0.005)
    later = await a.acquire()
    fake.advance(0.005)
    a.release(refused, 429, 1.0)
    await _settle()
    fake.advance(0.005)
    a.release(later, 200)  # sent after the refused one, and let through
    start = fake.now

    # other calls than the refused one (which waits out its own Retry-After)
    await asyncio.create_task(a.acquire())  # tells the store
    await asyncio.create_task(b.acquire())

    assert fake.now - start <= POLL + 1e-9
    assert pytest.approx(start) == float(twin.hash["until"]) / 1000


async def test_a_process_waiting_out_the_fleets_pause_asks_again_every_poll() -> None:
    """B waits out A's 5 s pause in steps of POLL: a lift by another process ends its wait."""
    fake = FakeTime()
    twin = _seeded(100.0, fake)
    [(a, _)] = _fleet(fake, twin, 1)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await fake.sleep(seconds)

    b = Throttle(clock=fake.clock, sleep=sleep, shared=TwinRate(twin, fake.clock))
    a.release(await a.acquire(), 429, 5.0)
    await _settle()

    await b.acquire()

    assert max(slept) <= POLL
    assert len(slept) >= 5.0 / POLL - 1


async def test_a_refused_process_ends_its_own_pause_when_the_fleets_is_lifted() -> None:
    """A waits out its 429's 5 s pause; another process lifts the fleet's: A's ends too."""
    fake = FakeTime()
    twin = _seeded(100.0, fake)
    [(a, _)] = _fleet(fake, twin, 1)
    a.release(await a.acquire(), 429, 5.0)
    await _settle()
    assert a.cooldown_remaining > 4

    twin.acquire(0, fake.now * 1000, lift=1)  # another process saw the API open again
    lifted_at = fake.now
    for _ in range(20):
        await asyncio.sleep(0)

    assert 0.0 == a.cooldown_remaining
    assert fake.now - lifted_at <= POLL + 1e-9
