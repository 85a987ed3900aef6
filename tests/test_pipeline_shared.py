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
    """After one task's 429, every other task's next call waits out the same deadline.

    Each task's own sleeps are recorded: a design where only the task that got the 429
    waits leaves the other tasks with no sleep at all, and fails here.
    """
    throttled = asyncio.Event()
    answered = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal answered
        answered += 1
        if answered == 1:
            throttled.set()
            return httpx.Response(429, headers={"Retry-After": "5"})
        if answered <= TASKS:  # the other first calls were in flight already
            await throttled.wait()
        return httpx.Response(200, json={"projectName": "ok"})

    router.get(PATH).mock(side_effect=answer)
    sleeps: dict[str, list[float]] = defaultdict(list)

    async def sleep(delay: float) -> None:
        task = asyncio.current_task()
        assert task is not None
        sleeps[task.get_name()].append(delay)
        await fake_time.sleep(delay)

    async with make_client(sleep=sleep, adaptive_rate_limit=False) as client:
        start = fake_time.clock()

        async def two_calls(name: str) -> float:
            await client.projects.get("p1")
            await client.projects.get("p1")
            return fake_time.clock()

        tasks = [asyncio.create_task(two_calls(f"t{n}"), name=f"t{n}") for n in range(TASKS)]
        finished = await asyncio.gather(*tasks)

    assert {f"t{n}" for n in range(TASKS)} == set(sleeps)  # every task waited itself
    for name, own in sleeps.items():
        assert sum(own) == pytest.approx(5.0), name  # once, to the one shared deadline
    assert all(done >= start + 5.0 for done in finished)
    assert TASKS * 2 + 1 == answered  # one 429, no retry storm


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
