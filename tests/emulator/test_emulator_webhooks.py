"""The emulator's webhook sender over real sockets: deliveries at finish, retries, shutdown."""

from __future__ import annotations

import asyncio
import itertools
import socket

import httpx
import pytest

from pictory_async import _paths
from pictory_async.emulator import Emulator, FakeClock, serve, spawn
from pictory_async.emulator._deliveries import is_loopback

from .webhook_receiver import Receiver, api, attempts, finished, start, ticks

__all__ = ["api"]  # the fixture


async def test_a_finished_job_is_delivered_with_its_get_body(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """At the job's end on the clock, the receiver gets what GET /jobs/{id} answers, once."""
    async with Receiver() as receiver:
        job_id = await start(api, receiver.url)
        await ticks()
        before = list(receiver.bodies)
        clock.advance(emulator.render_duration)
        bodies = await receiver.wait_for(1)
        got = (await api.get(f"{_paths.JOBS}/{job_id}")).json()

    assert [] == before
    assert [got] == bodies
    assert "completed" == bodies[0]["data"]["status"]
    assert "authorization" not in receiver.headers[0]
    assert {"final": 1} == emulator.webhook_stats.delivered
    assert 0 == emulator.webhooks.pending


async def test_a_failed_job_is_delivered_as_failed(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """A job that fails sends ``success: false`` with its error code."""
    emulator.fail_next_job(error_code="TEXT_TO_VIDEO_FAILED")
    async with Receiver() as receiver:
        await finished(api, emulator, clock, receiver.url)
        bodies = await receiver.wait_for(1)

    assert (False, "failed", "TEXT_TO_VIDEO_FAILED") == (
        bodies[0]["success"],
        bodies[0]["data"]["status"],
        bodies[0]["data"]["error_code"],
    )


async def test_a_503_is_retried_with_a_doubling_backoff(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """Two 503s, then a 200: retried after 0.5 s and 1 s on the emulator's clock."""
    emulator.set_faults(webhook_backoff=0.5)
    async with Receiver([503, 503]) as receiver:
        await finished(api, emulator, clock, receiver.url)
        await attempts(emulator, 1)
        await ticks()
        early = len(receiver.bodies)
        clock.advance(0.5)
        await attempts(emulator, 2)
        clock.advance(1.0)
        bodies = await receiver.wait_for(3)
    stats = emulator.webhook_stats

    assert 1 == early
    assert bodies[0] == bodies[2]
    assert {"503": 2, "200": 1} == stats.answers
    assert (3, 2, 0) == (stats.attempts, stats.retries, stats.gave_up)
    log = list(stats.log)
    assert [0.5, 1.0] == [round(b["at"] - a["at"], 3) for a, b in itertools.pairwise(log)]


async def test_a_receiver_that_is_down_is_retried_until_it_is_up(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """Connection refused is retried; the delivery lands once the receiver listens."""
    emulator.set_faults(webhook_backoff=1.0)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"
    await finished(api, emulator, clock, url)
    await attempts(emulator, 1)
    async with Receiver(port=port) as receiver:
        clock.advance(1.0)
        bodies = await receiver.wait_for(1)

    assert 1 == len(bodies)
    assert {"error": 1, "200": 1} == emulator.webhook_stats.answers


async def test_a_delivery_gives_up_after_its_attempts(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """``webhook_attempts=2``: two 500s, then no more attempts; counted as given up."""
    emulator.set_faults(webhook_attempts=2, webhook_backoff=1.0)
    async with Receiver([500, 500, 500]) as receiver:
        await finished(api, emulator, clock, receiver.url)
        await attempts(emulator, 1)
        clock.advance(1.0)
        await attempts(emulator, 2)
        clock.advance(100.0)
        await ticks()

    assert 2 == len(receiver.bodies)
    assert (2, 1) == (emulator.webhook_stats.attempts, emulator.webhook_stats.gave_up)


async def test_an_attempt_longer_than_the_timeout_fails_and_is_retried(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """A receiver that never answers costs ``webhook_timeout`` per attempt, then a retry."""
    emulator.set_faults(webhook_timeout=0.05, webhook_attempts=2)
    async with Receiver(stall=True) as receiver:
        await finished(api, emulator, clock, receiver.url)
        await attempts(emulator, 1)
        clock.advance(emulator.faults.webhook_backoff)
        await receiver.wait_for(2)

    assert ["error", 2] == [emulator.webhook_stats.log[0]["answer"], len(receiver.bodies)]


async def test_a_receiver_dripping_its_answer_is_cut_off_at_the_time_limit(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """The time limit is for the whole attempt: an answer that keeps trickling fails it."""
    emulator.set_faults(webhook_timeout=0.1, webhook_attempts=1)
    async with Receiver(drip=True) as receiver:
        await finished(api, emulator, clock, receiver.url)
        await attempts(emulator, 1)

    assert ({"error": 1}, 1) == (emulator.webhook_stats.answers, emulator.webhook_stats.gave_up)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "http://10.0.0.1/hook",
        "http://127.0.0.1.example.com/hook",
        "ftp://127.0.0.1/hook",
        "http://[::ffff:8.8.8.8]/hook",
    ],
)
async def test_a_webhook_off_loopback_is_never_called(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock, url: str
) -> None:
    """Any host but 127.0.0.0/8, ::1 or localhost is refused and counted, never called."""
    await finished(api, emulator, clock, url)
    await ticks()

    assert (1, [url], 0) == (
        emulator.webhook_stats.refused,
        list(emulator.webhook_stats.refused_urls),
        emulator.webhook_stats.attempts,
    )
    assert 0 == emulator.webhooks.pending


def test_loopback_hosts() -> None:
    """127.0.0.0/8, ::1 and localhost are loopback; look-alikes and bad URLs are not."""
    assert [True, True, True, True] == [
        is_loopback(u)
        for u in (
            "http://127.0.0.1:8000/x",
            "http://127.1.2.3/x",
            "https://[::1]:9/x",
            "http://localhost/x",
        )
    ]
    assert [False, False, False, False] == [
        is_loopback(u)
        for u in ("http://localhost.example/x", "http://127.0.0.1:99999/x", "//127.0.0.1/", "")
    ]


async def test_shutdown_with_deliveries_pending_leaves_no_task(
    emulator: Emulator, clock: FakeClock
) -> None:
    """Leaving ``serve`` mid-attempt and with deliveries not yet due: no task left, none lost."""
    async with Receiver(stall=True) as receiver:
        async with (
            serve(emulator) as running,
            httpx.AsyncClient(
                base_url=running.base_url, headers={"Authorization": emulator.api_key}
            ) as api,
        ):
            await finished(api, emulator, clock, receiver.url)
            await start(api, receiver.url)  # due in 60 s: never reached
            await receiver.wait_for(1)
        left = [
            task
            for task in asyncio.all_tasks()
            if task is not asyncio.current_task() and "webhook" in repr(task.get_coro())
        ]
        clock.advance(emulator.render_duration)
        await ticks()

    assert [] == left
    assert not emulator.webhooks.running
    assert 2 == emulator.webhooks.pending  # the cut-short attempt is pending again
    assert 1 == len(receiver.bodies)


async def test_a_job_finished_while_not_serving_is_delivered_once_served(
    emulator: Emulator, clock: FakeClock
) -> None:
    """A job made and finished before ``serve`` is delivered as soon as the sender runs."""
    async with Receiver() as receiver:
        body = b'{"videoName": "x", "scenes": [{"story": "Hi."}], "webhook": "%s"}'
        reply = emulator.handle(
            "POST",
            _paths.STORYBOARD_RENDER,
            b"",
            [(b"authorization", emulator.api_key.encode())],
            body % receiver.url.encode(),
        )
        clock.advance(emulator.render_duration)
        await ticks()
        before = len(receiver.bodies)
        async with serve(emulator):
            bodies = await receiver.wait_for(1)

    assert (200, 0) == (reply.status, before)
    assert "completed" == bodies[0]["data"]["status"]


async def test_a_spawned_emulator_sends_webhooks() -> None:
    """``spawn`` (another process) runs the sender too; its admin routes report it."""
    async with (
        Receiver() as receiver,
        spawn(args=["--projects", "0", "--render-seconds", "0"]) as remote,
        httpx.AsyncClient(
            base_url=remote.base_url, headers={"Authorization": remote.api_key}
        ) as api,
    ):
        job_id = await start(api, receiver.url)
        bodies = await receiver.wait_for(1, timeout=10.0)
        stats = await remote.webhook_stats()
        while stats["pending"]:  # the answer is on its way back
            stats = await remote.webhook_stats()

    assert job_id == bodies[0]["data"]["jobId"]
    assert ({"final": 1}, 0) == (stats["delivered"], stats["pending"])
