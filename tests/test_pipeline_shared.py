"""What every call of one client shares: the cool-down after a 429, and the pool's cap.

These tests are written to fail for the easy wrong designs: a cool-down each task waits
out on its own, and a concurrency option that warns but does not cap.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import httpx
import pytest
import respx
from _support import PROJECTS_PATH, ClientFactory, FakeTime

from pictory_async import AsyncPictory
from pictory_async.emulator import Emulator

PATH = f"{PROJECTS_PATH}/p1"
TASKS = 8


async def test_a_429_makes_tasks_that_never_saw_it_wait(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """After one task's 429, every other task's next request waits for the same deadline.

    Each task's own requests are recorded (task, time sent): a design where only the
    task that got the 429 waits lets the other tasks' second requests out at once, and
    fails here, however the waiting is done (sleeps, locks or events).
    """
    throttled = asyncio.Event()
    sent: list[tuple[str, float]] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        task = asyncio.current_task()
        assert task is not None
        sent.append((task.get_name(), fake_time.clock()))
        if len(sent) == 1:
            throttled.set()
            return httpx.Response(429, headers={"Retry-After": "5"})
        if len(sent) <= TASKS:  # the other first calls were in flight already
            await throttled.wait()
        return httpx.Response(200, json={"projectName": "ok"})

    router.get(PATH).mock(side_effect=answer)
    async with make_client(adaptive_rate_limit=False) as client:
        start = fake_time.clock()

        async def two_calls() -> None:
            await client.projects.get("p1")
            await client.projects.get("p1")

        tasks = [asyncio.create_task(two_calls(), name=f"t{n}") for n in range(TASKS)]
        await asyncio.gather(*tasks)

    by_task: dict[str, list[float]] = defaultdict(list)
    for name, when in sent:
        by_task[name].append(when)
    assert TASKS * 2 + 1 == len(sent)  # one 429, one retry, no storm
    for name, times in by_task.items():
        assert times[-1] >= start + 5.0, name  # no task's next request beat the deadline


@pytest.mark.pictory_emulator(
    projects=60, client_options={"max_connections": 4}, faults={"latency": 0.05}
)
async def test_concurrency_above_the_pool_is_capped_at_the_pool(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``concurrency=10_000`` runs at most ``max_connections`` requests at once."""
    ids = [project.id for project in pictory_emulator.projects()]
    result = await pictory_client.projects.delete_many(ids, concurrency=10_000)
    assert len(ids) == len(result.deleted)
    assert 4 == pictory_emulator.stats.peak_concurrency
