"""Waiting for a render: polls on the emulator's clock, a hard deadline, shared pacing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from pictory_async import AsyncPictory, InvalidInputError, RenderTimeoutError
from pictory_async.emulator import Emulator, FakeClock


@pytest.mark.pictory_emulator(projects=1, seed=3, transport="socket")
async def test_a_render_that_finishes_is_waited_for(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """A render finishing after 95 s is returned after a few polls ~15 s apart."""
    record = pictory_emulator.add_project(in_progress=True, render_seconds=95)
    start = pictory_clock.time()
    project = await pictory_client.projects.wait_for_render(record.id)
    polls = pictory_emulator.stats.count(method="GET")
    assert project.is_rendered
    assert project.video_url is not None
    assert 95 <= pictory_clock.time() - start <= 95 + 16.5
    assert 6 <= polls <= 9  # ~95 / 15 s, jittered by 10%


@pytest.mark.pictory_emulator(projects=1, seed=3, transport="socket")
async def test_the_deadline_raises_with_the_last_state(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """A render outlasting ``timeout`` is ``RenderTimeoutError`` (a ``TimeoutError``)."""
    record = pictory_emulator.add_project(in_progress=True, render_seconds=3600)
    start = pictory_clock.time()
    with pytest.raises(TimeoutError) as info:
        await pictory_client.projects.wait_for_render(
            record.id, timeout=timedelta(minutes=1), poll_interval=10
        )
    error = info.value
    assert isinstance(error, RenderTimeoutError)
    assert error.last is not None
    assert (record.id, True) == (error.project_id, error.last.in_progress)
    assert 60.0 == pytest.approx(pictory_clock.time() - start)  # not a poll later


@pytest.mark.pictory_emulator(projects=1, seed=3, transport="socket")
async def test_many_waits_share_the_client(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Twenty concurrent waits all finish, through the one client."""
    records = [
        pictory_emulator.add_project(in_progress=True, render_seconds=20 + n) for n in range(20)
    ]
    done = await asyncio.gather(*(pictory_client.projects.wait_for_render(r.id) for r in records))
    assert all(project.is_rendered for project in done)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"poll_interval": 0.1}, "poll_interval"), ({"timeout": -1}, "timeout")],
)
async def test_bad_options_fail_before_any_request(options: dict[str, float], message: str) -> None:
    """A too-short interval or a negative timeout is refused before polling."""
    async with AsyncPictory(api_key="pictai_x", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(InvalidInputError, match=message):
            await client.projects.wait_for_render("p1", **options)
