"""``client.jobs.wait(job, webhook=receiver)``: the webhook or a slow poll, whichever is first."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from _support import ClientFactory, FakeTime
from typing_extensions import assert_type

from pictory_async import (
    AsyncPictory,
    InvalidInputError,
    Job,
    JobFailedError,
    JobStatus,
    JobTimeoutError,
    Video,
    VideoJob,
)
from pictory_async.resources.jobs import WEBHOOK_POLL_INTERVAL
from pictory_async.webhooks import WebhookReceiver

JOBS = "/pictoryapis/v1/jobs"
JOB_ID = "job-wait-001"


def api_job(status: str) -> dict[str, Any]:
    """The API's answer for the job in ``status``."""
    data: dict[str, Any] = {"jobId": JOB_ID, "status": status}
    if status == "completed":
        data |= {"videoURL": "https://cdn.example/v.mp4", "thumbnail": "https://cdn.example/t.jpg"}
    if status == "failed":
        data |= {"error_code": "RENDER_FAILED", "error_message": "no"}
    return {"success": status != "failed", "data": data}


def body(status: str = "completed") -> bytes:
    """The webhook body for the job."""
    return json.dumps({"job_id": JOB_ID, **api_job(status)}).encode()


class Api:
    """The job endpoint: answers with ``status``, counting the fetches."""

    def __init__(self, router: respx.Router, status: str = "in-progress") -> None:
        self.status = status
        self.fetches = 0
        self.polled = asyncio.Event()
        router.get(f"{JOBS}/{JOB_ID}").mock(side_effect=self.answer)

    def end(self, receiver: WebhookReceiver, status: str = "completed") -> int:
        """The job ends in ``status``; its webhook is delivered to ``receiver`` (the answer)."""
        self.status = status
        return receiver.accept(body(status)).status

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        self.polled.set()
        return httpx.Response(200, json=api_job(self.status))


async def asleep_forever(seconds: float) -> None:
    """A sleep that only a cancellation ends: every poll after the first waits on the webhook."""
    await asyncio.Event().wait()


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[AsyncPictory]:
    """A client whose polls never come back from their sleep: only a webhook ends a wait."""
    async with make_client(sleep=asleep_forever) as opened:
        yield opened


async def started_wait(
    client: AsyncPictory, receiver: WebhookReceiver, api: Api, **kw: Any
) -> asyncio.Task[Any]:
    """A wait on the job, run until its first poll is answered and it sleeps."""
    waiting = asyncio.create_task(client.jobs.wait(VideoJob(id=JOB_ID), webhook=receiver, **kw))
    api.polled.clear()
    await api.polled.wait()
    for _ in range(5):  # the answer read, the wait now asleep
        await asyncio.sleep(0)
    return waiting


@contextlib.asynccontextmanager
async def one_wait(
    client: AsyncPictory, router: respx.Router, **options: Any
) -> AsyncIterator[tuple[Api, WebhookReceiver, asyncio.Task[Any]]]:
    """The job's endpoint, a receiver, and a wait on the job asleep after its first poll."""
    api = Api(router)
    async with WebhookReceiver(client, **options) as receiver:
        yield api, receiver, await started_wait(client, receiver, api)


async def test_a_confirmed_webhook_ends_the_wait_with_the_poll_s_result(
    client: AsyncPictory, router: respx.Router
) -> None:
    """The wait sleeps after its first poll; the webhook's confirmed outcome ends it, typed."""
    async with one_wait(client, router) as (api, receiver, waiting):
        assert 202 == api.end(receiver)
        video = await asyncio.wait_for(waiting, 5)

        polled = await client.jobs.wait(VideoJob(id=JOB_ID))  # the poll path, same answer

    assert isinstance(video, Video)
    assert polled == video
    assert 3 == api.fetches  # the first poll, the confirmation, the poll path's
    assert (1, 0) == (receiver.stats.waits_woken, receiver._waiting())


async def test_a_forged_webhook_does_not_end_the_wait(
    client: AsyncPictory, router: respx.Router
) -> None:
    """A ``completed`` body for a job the API still renders leaves the wait waiting."""
    async with one_wait(client, router) as (_, receiver, waiting):
        receiver.accept(body())
        await receiver.join()
        await asyncio.sleep(0)

        assert not waiting.done()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting

    assert (1, 0) == (receiver.stats.unconfirmed, receiver._waiting())


async def test_a_failed_outcome_raises_as_the_poll_does(
    client: AsyncPictory, router: respx.Router
) -> None:
    """A confirmed ``failed`` webhook raises ``JobFailedError`` with Pictory's code."""
    async with one_wait(client, router) as (api, receiver, waiting):
        api.end(receiver, "failed")
        with pytest.raises(JobFailedError) as caught:
            await asyncio.wait_for(waiting, 5)

    assert "RENDER_FAILED" == caught.value.job.error_code


async def test_an_unconfirmed_receiver_wakes_the_wait_which_asks_the_api(
    client: AsyncPictory, router: respx.Router
) -> None:
    """With ``confirm=False`` the body only wakes the wait; its result is a poll's."""
    async with one_wait(client, router, confirm=False) as (api, receiver, waiting):
        api.end(receiver)
        video = await asyncio.wait_for(waiting, 5)

    assert "https://cdn.example/v.mp4" == video.video_url
    assert 2 == api.fetches  # the first poll and the one the webhook woke


async def test_a_lost_webhook_is_covered_by_a_slow_poll(
    make_client: ClientFactory, router: respx.Router, fake_time: FakeTime
) -> None:
    """No delivery: the wait polls every ~5 minutes and finishes when the job has."""
    api = Api(router)

    def finish_later(job: Job) -> None:
        if api.fetches == 2:
            api.status = "completed"

    async with make_client() as client, WebhookReceiver(client) as receiver:
        video = await client.jobs.wait(VideoJob(id=JOB_ID), webhook=receiver, on_poll=finish_later)
        assert_type(video, Video)  # the overloads hold with a webhook too

    assert isinstance(video, Video)
    assert 3 == api.fetches
    assert all(
        0.9 * WEBHOOK_POLL_INTERVAL <= s <= 1.1 * WEBHOOK_POLL_INTERVAL for s in fake_time.waits
    )
    assert 2 == len(fake_time.waits)


async def test_the_timeout_still_bounds_a_wait_with_a_webhook(
    make_client: ClientFactory, router: respx.Router
) -> None:
    """A job that never ends and no webhook: ``JobTimeoutError`` at the deadline, no watch left."""
    Api(router)
    async with make_client() as client, WebhookReceiver(client) as receiver:
        with pytest.raises(JobTimeoutError) as caught:
            await client.jobs.wait(JOB_ID, webhook=receiver, timeout=900)

    assert caught.value.last is not None
    assert JobStatus.IN_PROGRESS == caught.value.last.status
    assert 0 == receiver._waiting()


async def test_a_cancelled_wait_leaves_no_watch_behind(
    client: AsyncPictory, router: respx.Router
) -> None:
    """Cancelling waits (several on one job) removes their watches; a later webhook finds none."""
    api = Api(router)
    async with WebhookReceiver(client) as receiver:
        waits = [await started_wait(client, receiver, api) for _ in range(3)]
        assert 1 == receiver._waiting()
        for waiting in waits:
            waiting.cancel()
        await asyncio.gather(*waits, return_exceptions=True)
        assert 0 == receiver._waiting()
        api.end(receiver)
        await receiver.join()

    assert 0 == receiver.stats.waits_woken


async def test_a_url_instead_of_a_receiver_is_refused_before_any_request(
    client: AsyncPictory, router: respx.Router
) -> None:
    """``webhook="https://..."`` is ``InvalidInputError``: the URL goes to the starting call."""
    api = Api(router)
    with pytest.raises(InvalidInputError, match="WebhookReceiver"):
        await client.jobs.wait(JOB_ID, webhook="https://my.host/hook")  # type: ignore[call-overload]

    assert 0 == api.fetches
