"""The Redis store's Lua scripts: a pure-Python twin, fast unit tests on it, and twin == script.

``Twin`` (in ``_redis``) does what ACQUIRE and REPORT do, step for step. The fast tests
check the rules on the twin; the last tests run random sequences with an injected
``now`` through both the twin and a real ``redis-server`` and compare every answer and
every field of the hash.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from _redis import RedisServer, Twin, peek, redis_server
from redis.asyncio import Redis

from pictory_async._ratestore import _scripts as s
from pictory_async._ratestore._redis import IDLE_TTL, PREFIX

__all__ = ["redis_server"]

TTL = int(IDLE_TTL * 1000)


def _steady(twin: Twin, rate: float, start: float, seconds: float) -> float:
    """Successes at ``rate`` per second for ``seconds``, each handed over at once."""
    now = start
    while now < start + seconds * 1000:
        twin.acquire(1, now)
        now += 1000 / rate
    return now


# -- the rules, on the twin -----------------------------------------------------------


def test_a_cold_fleet_is_paced_from_the_start_rate() -> None:
    """A fleet's first bookings go START_RATE apart: four processes do not start at four times."""
    twin = Twin()

    assert (0.0, 0, 1) == twin.acquire(0, 1000.0)
    assert (1000 / s.START_RATE, 0, 1) == twin.acquire(0, 1000.0)


def test_the_start_pace_grows_until_it_ends() -> None:
    """Never refused, the start pace grows e-fold per START_GROW; past START_MAX, no pace."""
    twin = Twin()
    twin.acquire(0, 0.0)

    waits = [twin.acquire(0, s.START_GROW)[0] for _ in range(12)]  # the slack's bookings go
    waits = [wait for wait in waits if wait]

    assert pytest.approx(1000 / (s.START_RATE * math.e)) == waits[1] - waits[0]
    grown = s.START_GROW * math.log(s.START_MAX / s.START_RATE)
    assert [(0.0, 0, 0)] * 5 == [twin.acquire(0, grown + 1) for _ in range(5)]


def test_one_cut_per_event_however_many_report_it() -> None:
    """Five processes refused in one event cut the rate once; the generation goes up once."""
    twin = Twin()
    now = _steady(twin, 100, 0.0, 2.0)

    generations = [twin.report(0, 1000.0, 0, now + i) for i in range(5)]

    assert [1, 1, 1, 1, 1] == generations
    assert pytest.approx(100 * s.BETA, rel=0.05) == float(twin.hash["rate"])


def test_the_cut_is_from_the_fleets_rate_not_one_process_share() -> None:
    """Four processes each getting 50/s: the rate is cut from 200/s, not from 50/s."""
    twin = Twin()
    now = 0.0
    while now < 2000:
        twin.acquire(4, now)  # four processes' successes, handed over together
        now += 20  # 50 per second each

    twin.report(0, 0.0, 0, now)

    assert pytest.approx(200 * s.BETA, rel=0.05) == float(twin.hash["rate"])


def test_a_second_event_needs_a_request_booked_after_the_first() -> None:
    """A 429 booked after the cut is a new event and cuts again; one from before does not."""
    twin = Twin()
    now = _steady(twin, 100, 0.0, 2.0)
    assert 1 == twin.report(0, 0.0, 0, now)
    rate = float(twin.hash["rate"])

    assert 1 == twin.report(0, 0.0, 0, now + 100)  # booked before the cut: same event
    assert rate == float(twin.hash["rate"])
    assert 2 == twin.report(1, 0.0, 0, now + 100)  # booked after it
    assert rate * s.BETA == pytest.approx(float(twin.hash["rate"]))


def test_the_cool_down_is_shared_and_only_grows() -> None:
    """A Retry-After pauses every booking until its end; a shorter one later does not shorten it."""
    twin = Twin()
    twin.report(0, 2000.0, 0, 1000.0)
    twin.report(0, 500.0, 0, 1500.0)

    assert (1500.0, 1, 1) == twin.acquire(0, 1500.0)
    assert 0.0 == twin.acquire(0, 3000.0)[0]


def test_gcra_spaces_bookings_one_interval_apart() -> None:
    """At a rate of 10/s one booking goes per 100 ms; the next caller is told the wait."""
    twin = Twin()
    twin.hash = {"rate": "10", "max": "10", "k": "1", "from": "0", "gen": "1"}

    assert 0.0 == twin.acquire(0, 1000.0)[0]
    assert 70.0 == twin.acquire(0, 1030.0)[0]
    assert 0.0 == twin.acquire(0, 1100.0)[0]


def test_a_caller_woken_late_costs_the_fleet_no_slot() -> None:
    """Up to SLACK late, the next slot stays where it was: a busy event loop loses no rate."""
    twin = Twin()
    twin.hash = {"rate": "10", "max": "10", "k": "100", "from": "1000", "gen": "1"}
    twin.acquire(0, 1000.0)  # next slot at 1100

    twin.acquire(0, 1100.0 + s.SLACK - 10)  # 40 ms late

    assert 1200.0 == float(twin.hash["tat"])


def test_an_idle_fleet_gains_no_burst_beyond_slack() -> None:
    """After a long idle spell at 10/s, one booking goes; the next waits (SLACK < an interval)."""
    twin = Twin()
    twin.hash = {"rate": "10", "max": "10", "k": "100", "from": "1000", "gen": "1"}

    assert 0.0 == twin.acquire(0, 60_000.0)[0]
    assert 0 < twin.acquire(0, 60_000.0)[0]


def test_a_lift_ends_the_fleets_pause() -> None:
    """A caller saw the API open again: the pause ends for all, bookings resume at once."""
    twin = Twin()
    now = _steady(twin, 100, 0.0, 2.0)
    twin.report(0, 1000.0, 0, now)

    assert 0 < twin.acquire(0, now + 10)[0]
    assert 0.0 == twin.acquire(0, now + 20, lift=0)[0]  # knew generation 0: one behind
    assert now + 20 == float(twin.hash["until"])


def test_a_lift_from_a_caller_two_events_behind_is_ignored() -> None:
    """A stale view does not end a later event's pause."""
    twin = Twin()
    now = _steady(twin, 100, 0.0, 2.0)
    twin.report(0, 100.0, 0, now)
    twin.report(1, 1000.0, 0, now + 200)

    assert 0 < twin.acquire(0, now + 300, lift=0)[0]


def test_callers_told_to_wait_for_one_slot_are_spread_an_interval_apart() -> None:
    """Three processes waiting for the next slot wake one per interval, not all at once."""
    twin = Twin()
    twin.hash = {"rate": "10", "max": "10", "k": "100", "from": "1000", "gen": "1"}
    twin.acquire(0, 1000.0)  # books; the next slot is at 1100

    waits = [twin.acquire(0, 1030.0)[0] for _ in range(3)]

    assert pytest.approx([70.0, 170.0, 270.0]) == waits
    assert 0.0 == twin.acquire(0, 1100.0)[0]  # the first waiter's turn
    assert 0.0 == twin.acquire(0, 1200.0)[0]  # the second's (a new slot: a new line)


def test_a_waiter_that_never_comes_back_holds_no_slot() -> None:
    """Told to wait, then killed: the next caller goes when the slot's time has come."""
    twin = Twin()
    twin.hash = {"rate": "10", "max": "10", "k": "1", "from": "0", "gen": "1"}
    twin.acquire(0, 1000.0)
    twin.acquire(0, 1010.0)  # told to wait for 1100, and never heard of again

    assert 0.0 == twin.acquire(0, 1100.0)[0]


def test_the_rate_climbs_back_while_the_pace_binds() -> None:
    """Callers kept waiting raise the rate along the cubic, back to the maximum after k."""
    twin = Twin()
    twin.hash = {"rate": "85", "max": "100", "k": "1", "from": "0", "tat": "1e9", "gen": "1"}

    twin.acquire(0, 500.0)
    halfway = float(twin.hash["rate"])
    twin.acquire(0, 1000.0)

    assert 85 < halfway < 100
    assert pytest.approx(100.0) == float(twin.hash["rate"])


def test_the_rate_does_not_climb_when_nobody_waits() -> None:
    """A fleet asking for less than its pace teaches nothing: the rate stays."""
    twin = Twin()
    twin.hash = {"rate": "85", "max": "100", "k": "1", "from": "0", "gen": "1"}
    now = 0.0
    for _ in range(50):
        now += 100  # 10/s, far below the pace
        twin.acquire(0, now)

    assert 85.0 == float(twin.hash["rate"])


def test_a_young_measure_after_a_pause_keeps_the_refused_rate() -> None:
    """Refused right after a pause: the refused rate is cut, not a few early successes."""
    twin = Twin()
    now = _steady(twin, 100, 0.0, 2.0)
    twin.report(0, 1000.0, 0, now)  # paused until now + 1000
    rate = float(twin.hash["rate"])
    twin.acquire(1, now + 1050)

    twin.report(1, 0.0, 0, now + 1100)

    assert pytest.approx(rate * s.BETA) == float(twin.hash["rate"])


def test_a_young_measure_of_many_successes_is_trusted() -> None:
    """Refused 150 ms after a pause with 30 successes since: the cut is from what went through."""
    twin = Twin()
    now = _steady(twin, 400, 0.0, 2.0)  # a burst measured high: rate ~340
    twin.report(0, 0.0, 0, now)
    now = _steady(twin, 200, now, 0.15)  # the limit, measured young

    twin.report(1, 0.0, 0, now)

    assert pytest.approx(200 * s.BETA, rel=0.15) == float(twin.hash["rate"])


def test_a_bucket_refilled_during_a_pause_is_cut_from_the_cycle_average() -> None:
    """Paused 1 s, then 4 s of a burst at 250/s: the cut is from 200/s, the cycle's average."""
    twin = Twin()
    now = _steady(twin, 250, 0.0, 2.0)
    twin.report(0, 1000.0, 0, now)  # waited out: nobody lifted it
    now = _steady(twin, 250, now + 1000, 4.0)  # the refilled bucket's burst, then empty

    twin.report(1, 1000.0, 0, now)

    assert pytest.approx(200 * s.BETA, rel=0.05) == float(twin.hash["rate"])


def test_a_window_keeps_its_bursts() -> None:
    """Paused 4.5 s of a 5 s cycle (a quota that resets): cut from the burst, not the average."""
    twin = Twin()
    now = _steady(twin, 200, 0.0, 0.5)
    twin.report(0, 4500.0, 0, now)
    now = _steady(twin, 170, now + 4500, 0.6)

    twin.report(1, 4400.0, 0, now)

    assert float(twin.hash["rate"]) > 100


def _book(twin: Twin, now: float, count: int) -> tuple[float, int]:
    """``count`` bookings, each as soon as the twin allows: the time of the last, the generation."""
    booked = generation = 0
    while booked < count:
        wait, generation, _ = twin.acquire(1, now)
        if wait:
            now += wait
        else:
            booked += 1
    return now, generation


def _warm() -> Twin:
    """A twin whose fleet started long ago and was never refused: no pace at all."""
    twin = Twin()
    twin.hash["st"] = "-1e9"
    return twin


def _window(twin: Twin, pause: float = 4900.0) -> float:
    """A burst refused, then a cycle of 110 booked, 10 refused: the time after its pause."""
    now = _steady(twin, 1000, 0.0, 0.1)
    twin.report(0, pause, 0, now)
    now, generation = _book(twin, now + pause, 110)
    for late in range(10):  # the first is the event, nine more were in flight
        twin.report(generation, pause, 0, now + late)
    return now + 10 + pause


def test_a_window_books_its_quota_then_one_probe_per_interval() -> None:
    """After a long pause waited out, the fleet books what got through last cycle, then probes."""
    twin = _warm()
    now = _window(twin)
    assert 100 == float(twin.hash["q"])

    now, _ = _book(twin, now, 101)  # the quota, and a probe

    assert s.PROBE == twin.acquire(0, now)[0]
    assert 0 == twin.acquire(0, now + s.PROBE)[0]  # the probe went through: another


def test_a_refused_probe_keeps_the_quota() -> None:
    """The probe after a quota is the one refused: the next pause books as many again."""
    twin = _warm()
    now, generation = _book(twin, _window(twin), 101)

    twin.report(generation, 4900.0, 0, now + 30)

    assert 100 == float(twin.hash["q"])


def test_a_bucket_learns_no_quota() -> None:
    """Pauses of a second (a bucket's Retry-After) set no quota: bookings stay paced only."""
    twin = _warm()
    now = _window(twin, pause=1000.0)

    assert 0 == float(twin.hash["q"])
    _, _ = _book(twin, now, 150)
    assert 150 == float(twin.hash["qn"])


def test_a_cold_fleets_first_event_learns_the_quota() -> None:
    """Paced from its start, every send booked: the first long pause sets the quota at once."""
    twin = Twin()
    now, generation = _book(twin, 0.0, 110)

    for late in range(10):
        twin.report(generation, 4900.0, 0, now + late)

    assert 100 == float(twin.hash["q"])


def test_a_lifted_pause_learns_no_quota() -> None:
    """A pause the API ended early (lifted) reset no quota: the next event sets none."""
    twin = _warm()
    now = _steady(twin, 1000, 0.0, 0.1)
    twin.report(0, 4900.0, 0, now)
    twin.acquire(0, now + 100, lift=1)
    now, generation = _book(twin, now + 100, 110)

    twin.report(generation, 4900.0, 0, now)

    assert 0 == float(twin.hash["q"])


def test_the_rate_never_falls_below_the_floor() -> None:
    """However often the fleet is refused, the rate stays at least MIN_RATE."""
    twin = Twin()
    twin.acquire(1, 0.0)
    for generation in range(40):
        twin.report(generation, 0.0, 0, 100.0 + generation)

    assert s.MIN_RATE == float(twin.hash["rate"])


# -- the twin and the scripts agree ---------------------------------------------------


async def _run(redis: Redis, script: str, key: str, args: list[str | int | float]) -> Any:
    return await redis.eval(script, 1, key, *args)


@contextlib.asynccontextmanager
async def _connected(server: RedisServer) -> AsyncIterator[Redis]:
    """A client of ``server`` answering strings, closed after the block."""
    redis = Redis.from_url(server.url, decode_responses=True)
    try:
        yield redis
    finally:
        await redis.aclose()


async def _acquire_both(
    redis: Redis, key: str, twin: Twin, successes: int, now: float, lift: int = -1
) -> tuple[float, int, int]:
    """ACQUIRE on the script and the twin: the same answer, which it returns."""
    args: list[str | int | float] = [successes, TTL, lift, repr(now)]
    wait, gen, paced = await _run(redis, s.ACQUIRE, key, args)
    answer = twin.acquire(successes, now, lift)
    # the last digit of Lua's %.14g may round a tie the other way: as the hash's fields
    assert answer[0] == pytest.approx(float(wait), rel=1e-12)
    assert (gen, paced) == answer[1:]
    return answer


async def _report_both(
    redis: Redis, key: str, twin: Twin, generation: int, pause: float, successes: int, now: float
) -> None:
    """REPORT on the script and the twin: the same generation after it."""
    args: list[str | int | float] = [generation, repr(pause), successes, TTL, repr(now)]
    got = await _run(redis, s.REPORT, key, args)
    assert twin.report(generation, pause, successes, now) == got


async def _same_state(redis: Redis, key: str, twin: Twin, now: float) -> None:
    """PEEK answers alike, and every field of the hash is the twin's."""
    assert peek(twin, now) == float(await _run(redis, s.PEEK, key, [repr(now)]))
    stored = await redis.hgetall(key)
    assert twin.hash.keys() == stored.keys()
    for field, value in twin.hash.items():
        assert pytest.approx(float(value), rel=1e-12) == float(stored[field]), field


@pytest.mark.parametrize("seed", range(6))
async def test_twin_and_scripts_agree_on_random_sequences(
    redis_server: RedisServer, seed: int
) -> None:
    """Random acquires and reports at injected times: same answers, same hash, step by step."""
    rng = random.Random(seed)
    key = f"{PREFIX}twin-{seed}"
    twin = Twin()
    now = 1_000_000.0
    generation = 0
    async with _connected(redis_server) as redis:
        for _ in range(300):
            now += rng.choice([0.0, 0.5, 3.0, 17.0, 120.0, 900.0])
            if rng.random() < 0.85:
                successes = rng.choice([0, 0, 1, 1, 2, 7])
                lift = rng.choice([-1, -1, -1, generation, generation - 1, generation - 2])
                _, gen, _ = await _acquire_both(redis, key, twin, successes, now, lift)
                generation = gen if rng.random() < 0.7 else generation
            else:
                pause = rng.choice([0.0, 50.0, 1000.0, 2500.5])
                successes = rng.choice([0, 1, 3])
                await _report_both(redis, key, twin, generation, pause, successes, now)
            await _same_state(redis, key, twin, now)


@pytest.mark.parametrize("seed", range(3))
async def test_twin_and_scripts_agree_on_a_window_quota(
    redis_server: RedisServer, seed: int
) -> None:
    """Cycles of a window (bursts, 429s, long pauses, probes) at jittered times: all alike."""
    rng = random.Random(seed)
    twin = Twin()
    now, generation, quotas = 1_000_000.0, 0, set()
    async with _connected(redis_server) as redis:
        key = f"{PREFIX}window-{seed}"
        for _ in range(10):  # cycles: a burst until refused, late 429s, then the pause
            for _ in range(rng.randint(10, 80)):
                now += rng.choice([0.0, 0.5, 1.0, 4.0, 40.0])
                lift = -1 if rng.random() < 0.97 else generation
                _, generation, _ = await _acquire_both(redis, key, twin, 1, now, lift)
                await _same_state(redis, key, twin, now)
            pause = rng.choice([1000.0, 4000.0, 4900.5, 5000.0])
            for _ in range(rng.randint(1, 5)):  # the first is the event, the rest late
                now += rng.choice([0.0, 2.0, 30.0])
                await _report_both(redis, key, twin, generation, pause, 0, now)
                await _same_state(redis, key, twin, now)
                quotas.add(float(twin.hash["q"]))
            now += pause + rng.choice([0.0, 10.0, 400.0])
        assert max(quotas) > 0  # the sequences reached a quota
        assert "qp" in twin.hash  # ...and spent it: a probe was booked


async def test_scripts_read_redis_time_without_now(redis_server: RedisServer) -> None:
    """Without ``now`` the scripts take Redis's TIME: the hash's times are today's, in ms."""
    import time

    redis = Redis.from_url(redis_server.url, decode_responses=True)
    key = f"{PREFIX}time"
    try:
        await _run(redis, s.ACQUIRE, key, [1, TTL, -1])
        stored = await redis.hgetall(key)
        ttl = await redis.pttl(key)
    finally:
        await redis.aclose()

    assert abs(time.time() * 1000 - float(stored["okt"])) < 60_000
    assert 0 < ttl <= TTL


def test_after_a_long_calm_the_rate_doubles_per_climb_not_more() -> None:
    """Long after the last cut, a binding pace raises the rate to twice the maximum, not beyond."""
    twin = Twin()
    twin.hash = {"rate": "85", "max": "100", "k": "1", "from": "0", "tat": "1e12", "gen": "1"}

    twin.acquire(0, 3_600_000.0)  # an hour later

    assert 200.0 == float(twin.hash["rate"])
    assert 200.0 == float(twin.hash["max"])
