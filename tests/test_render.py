"""Waiting for a render: polls on the emulator's clock, a hard deadline, shared pacing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, BASE_URL, PROJECTS_PATH, ClientFactory, mock_http_client

from pictory_async import (
    AsyncPictory,
    InternalServerError,
    InvalidInputError,
    JobTimeoutError,
    RenderTimeoutError,
)
from pictory_async._polling import poll_until
from pictory_async.emulator import Emulator, FakeClock
from pictory_async.emulator._clock import run_simulated

JOBS_PATH = "/pictoryapis/v1/jobs"


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


# -- a hard deadline, on simulated time: the clock and sleep the client is given ------------

IN_PROGRESS = {"projectName": "p", "step": "RENDER", "inProgress": True}
JOB_ID = "0f1e2d3c-4b5a-4968-a776-5f4e3d2c1b0a"
JOB_RUNNING = {"success": True, "data": {"jobId": JOB_ID, "status": "in-progress"}}


def on_simulated_time(
    router: respx.Router, wait: Callable[[AsyncPictory], Awaitable[object]], **options: Any
) -> tuple[Exception, float]:
    """Run ``wait(client)`` on simulated time; what it raised, and after how many seconds."""

    async def main() -> tuple[Exception, float]:
        loop = asyncio.get_running_loop()
        async with (
            mock_http_client(router) as http,
            AsyncPictory(
                api_key=API_KEY,
                base_url=BASE_URL,
                http_client=http,
                clock=loop.time,
                sleep=asyncio.sleep,
                **options,
            ) as client,
        ):
            start = loop.time()
            with pytest.raises(Exception) as info:
                await wait(client)
            return info.value, loop.time() - start

    return run_simulated(main)


class AnswersLate:
    """A respx side effect: ``body`` at once for ``after`` calls, then ``seconds`` late."""

    def __init__(self, *, after: int, seconds: float, body: dict[str, Any]) -> None:
        self.after, self.seconds, self.body = after, seconds, body
        self.calls = 0  # respx counts a call only once it is answered

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls > self.after:
            await asyncio.sleep(self.seconds)
        return httpx.Response(200, json=self.body)


def test_a_poll_still_under_way_at_the_deadline_is_cut_there(router: respx.Router) -> None:
    """A poll answering 60 s late is cut: ``RenderTimeoutError`` at 3 s, last state kept."""
    answers = AnswersLate(after=1, seconds=60, body=IN_PROGRESS)
    router.get(f"{PROJECTS_PATH}/p1").mock(side_effect=answers)

    error, seconds = on_simulated_time(
        router, lambda client: client.projects.wait_for_render("p1", timeout=3, poll_interval=1)
    )

    assert isinstance(error, RenderTimeoutError)
    assert error.last is not None
    assert (2, True, "RENDER") == (answers.calls, error.last.in_progress, error.last.step)
    assert pytest.approx((3.0, 3.0)) == (seconds, error.waited)


def test_retries_under_way_at_the_deadline_end_in_a_render_timeout(router: respx.Router) -> None:
    """Polls retried after 503s are cut at the deadline; the 503 is the timeout's cause."""
    router.get(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[httpx.Response(200, json=IN_PROGRESS)]
        + [httpx.Response(503, json={"message": "busy"})] * 20
    )

    error, seconds = on_simulated_time(
        router,
        lambda client: client.projects.wait_for_render("p1", timeout=2, poll_interval=1),
        max_retries=10,
    )

    assert isinstance(error, RenderTimeoutError)
    assert isinstance(error.__cause__, InternalServerError)
    assert 2.0 == pytest.approx(seconds)


def test_a_first_poll_slower_than_the_deadline_is_a_timeout(router: respx.Router) -> None:
    """``jobs.wait(timeout=0.8)`` with every answer 8 s late: ``JobTimeoutError`` at 0.8 s."""
    router.get(f"{JOBS_PATH}/{JOB_ID}").mock(
        side_effect=AnswersLate(after=0, seconds=8, body=JOB_RUNNING)
    )

    error, seconds = on_simulated_time(
        router, lambda client: client.jobs.wait(JOB_ID, timeout=0.8, poll_interval=1)
    )

    assert isinstance(error, JobTimeoutError)
    assert (None, JOB_ID) == (error.last, error.job_id)  # no poll answered
    assert 0.8 == pytest.approx(seconds)


def test_no_answer_by_the_deadline_is_the_callers_expired_error(router: respx.Router) -> None:
    """``poll_until`` raises ``expired(None, waited)`` when no poll answered before the deadline."""

    class UnansweredError(Exception):
        pass

    async def never() -> str:
        await asyncio.sleep(3600)
        return "never"

    error, seconds = on_simulated_time(
        router,
        lambda client: poll_until(
            client,
            never,
            bool,
            timeout=5,
            interval=1,
            expired=UnansweredError,
        ),
    )

    assert UnansweredError is type(error)
    assert None is error.args[0]  # no state seen
    assert pytest.approx((5.0, 5.0)) == (seconds, error.args[1])


# -- a hard deadline, on fake time ----------------------------------------------------------


async def test_a_poll_failing_past_the_deadline_is_a_render_timeout(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """503s retried past the deadline end in ``RenderTimeoutError``, caused by the 503."""
    router.get(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[httpx.Response(200, json=IN_PROGRESS)]
        + [httpx.Response(503, json={"message": "busy"})] * 20
    )
    async with make_client(max_retries=3) as client:
        with pytest.raises(RenderTimeoutError) as info:
            await client.projects.wait_for_render("p1", timeout=2, poll_interval=1)

    assert isinstance(info.value.__cause__, InternalServerError)
    assert info.value.last is not None
    assert info.value.waited > 2
