"""Four worker processes on one key and the Redis store, one killed with SIGKILL mid-run.

The workers are ``benchmarks/_fleet.py``'s (the fleet benchmark drives the same ones and
measures the timing this test leaves out): real processes against the emulator in a
child process, sharing one ``redis-server`` on a Unix socket. The first worker is killed
once it has finished 20 of its 100 deletes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import NamedTuple

import pytest
import redis.asyncio
from _redis import RedisServer, redis_server

from benchmarks._fleet import Report, Worker, go, ids_of, shares, workers
from pictory_async._ratestore._redis import PREFIX
from pictory_async.emulator import RemoteEmulator, spawn

__all__ = ["redis_server"]

PROJECTS = 400
HANG_GUARD = 120.0  # seconds: only a fleet that hangs comes near it
LIMIT = {"rate_limit": 100, "burst": 10}  # a few seconds' work for 400 deletes


class Fleet(NamedTuple):
    remote: RemoteEmulator
    url: str
    started: list[Worker]
    reports: list[Report | None]

    @property
    def survivors(self) -> list[tuple[Worker, Report]]:
        return [(w, r) for w, r in zip(self.started, self.reports, strict=True) if r]


async def _one_killed(remote: RemoteEmulator, url: str) -> tuple[list[Worker], list[Report | None]]:
    parts = shares(await ids_of(remote), 4)
    async with workers(remote, parts, store=url, concurrency=10, progress=True) as started:
        await remote.set_faults(**LIMIT)
        await go(started)
        await started[0].done(20)
        started[0].kill()
        reports = await asyncio.gather(*(worker.report() for worker in started))
    return started, reports


@pytest.fixture
async def fleet(redis_server: RedisServer) -> AsyncIterator[Fleet]:
    """A fleet of 4 on one key and one Redis, the first killed mid-run, the rest finished."""
    args = ["--projects", str(PROJECTS), "--other-projects", "0", "--page-size", "1000"]
    args += ["--in-progress-share", "0", "--latency-ms", "10"]
    async with spawn(args=args) as remote:
        started, reports = await asyncio.wait_for(_one_killed(remote, redis_server.url), HANG_GUARD)
        yield Fleet(remote, redis_server.url, started, reports)


async def _left(remote: RemoteEmulator) -> set[int | str]:
    await remote.set_faults(rate_limit=None)
    return set(await ids_of(remote))


async def test_the_others_finish_every_item_when_one_of_four_is_killed(fleet: Fleet) -> None:
    """Every id of the three survivors is deleted, none failed; the victim's rest is left."""
    victim = fleet.started[0]

    left = await _left(fleet.remote)

    assert None is fleet.reports[0]
    assert [100, 100, 100] == [report.total for _, report in fleet.survivors]
    assert [0, 0, 0] == [report.failed for _, report in fleet.survivors]
    assert [100, 100, 100] == [r.deleted + r.already_absent for _, r in fleet.survivors]
    assert set() == left - set(victim.ids)
    assert left  # it was killed before its share was done


async def test_a_killed_worker_leaves_nothing_in_redis_that_holds_the_others(
    fleet: Fleet,
) -> None:
    """One expiring hash for the key, nothing booked ahead, and a new worker finishes its share."""
    client = redis.asyncio.Redis.from_url(fleet.url, decode_responses=True)
    async with client:
        keys = [key async for key in client.scan_iter()]
        ttls = [await client.pttl(key) for key in keys]
        state = {k: float(v) for k, v in (await client.hgetall(keys[0])).items()}
        seconds, micros = await client.time()
    now_ms = seconds * 1000 + micros / 1000

    async with workers(fleet.remote, [fleet.started[0].ids], store=fleet.url) as (again,):
        await go([again])
        report = await asyncio.wait_for(again.report(), HANG_GUARD)

    assert 1 == len(keys)  # the key's shared state; no key per process, no lock
    assert keys[0].startswith(PREFIX)
    assert all(ttl > 0 for ttl in ttls)  # it expires when the fleet is idle
    assert fleet.remote.api_key not in repr((keys, state))
    # no cool-down and no booking more than a second or two past now
    assert max(state.get("until", 0.0), state.get("tat", 0.0)) < now_ms + 2000
    assert report is not None
    assert (0, 100) == (report.failed, report.deleted + report.already_absent)
    assert set() == await _left(fleet.remote)
