"""What every call of one client shares: cool-down, pool cap, pipeline and retry policy.

API calls and CDN downloads go through one pipeline and one retry policy.

These tests are written to fail for the easy wrong designs: a cool-down each task waits
out on its own, and a concurrency option that warns but does not cap.
"""

from __future__ import annotations

import ast
import asyncio
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
import respx
from _support import PROJECTS_PATH, ClientFactory, FakeTime

import pictory_async
from pictory_async import APIStatusError, AsyncPictory
from pictory_async._download import Downloader
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


# -- one door, one policy --------------------------------------------------------------

CDN = "https://cdn.example/media/v.mp4"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
PIPELINE_SIDE = ("_assets.py", "_download.py", "_download_errors.py")
CLIENT_PRIVATES = frozenset(
    {"_Call", "_failure", "_retry", "_clock", "_sleep", "_httpx_timeout", "_shared", "_requests"}
)


async def test_api_and_cdn_failures_are_decided_by_the_one_policy(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime, tmp_path: Path
) -> None:
    """A spy on the client's ``RetryPolicy`` sees the API's 503 and the CDN's 503 alike."""
    router.get(PATH).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"projectName": "p"})]
    )
    router.get(CDN).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "3"}),
            httpx.Response(200, content=VIDEO, headers={"Content-Type": "video/mp4"}),
        ]
    )
    seen: list[tuple[str, int, str]] = []
    async with make_client() as client:
        policy = client._pipeline.policy
        decide = policy.should_retry

        def spy(exc: BaseException) -> bool:
            assert isinstance(exc, APIStatusError)
            seen.append((exc.request.url.host, exc.status_code, type(exc).__name__))
            return decide(exc)

        policy.should_retry = spy  # type: ignore[method-assign]
        await client.projects.get("p1")
        asset = await Downloader(client._pipeline, max_bytes=10**6).download(
            CDN, "video", tmp_path / "v.mp4"
        )
    assert [
        ("api.pictory.ai", 503, "InternalServerError"),
        ("cdn.example", 503, "InternalServerError"),
    ] == seen
    backoff, retry_after = fake_time.waits  # the API's jittered backoff, the CDN's ask
    assert (VIDEO, True, 3.0) == (asset.path.read_bytes(), 0.375 <= backoff <= 0.5, retry_after)


def test_the_download_side_uses_no_private_name_of_the_client() -> None:
    """``_assets``/``_download*`` import nothing from ``_client`` and read none of its privates."""
    package = Path(pictory_async.__file__).parent
    found: list[str] = []
    for name in PIPELINE_SIDE:
        tree = ast.parse((package / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_client"):
                found.append(f"{name}: from {node.module} import ...")
            if isinstance(node, ast.Attribute) and node.attr in CLIENT_PRIVATES:
                found.append(f"{name}: .{node.attr}")
    assert [] == found
