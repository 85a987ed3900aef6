"""Webhook faults over real sockets: duplicates, delays, disorder, losses, forgeries."""

from __future__ import annotations

import collections

import httpx
import pytest

from pictory_async import _paths
from pictory_async.emulator import Emulator, FakeClock, serve

from .support import NOW
from .webhook_receiver import Receiver, api, attempts, finished, start, ticks

__all__ = ["api"]  # the fixture


def statuses(bodies: list[dict[str, object]]) -> list[tuple[str, str]]:
    """``(jobId, status)`` of each body, in the order received."""
    return [(b["data"]["jobId"], b["data"]["status"]) for b in bodies]  # type: ignore[index]


async def test_a_duplicate_is_the_same_body_sent_again(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """``webhook_duplicate_rate=1``: the final body arrives twice, the copy after it."""
    emulator.set_faults(webhook_duplicate_rate=1.0)
    async with Receiver() as receiver:
        await finished(api, emulator, clock, receiver.url)
        bodies = await receiver.wait_for(2)

    assert bodies[0] == bodies[1]
    assert {"final": 1, "duplicate": 1} == emulator.webhook_stats.delivered


async def test_a_lost_webhook_is_never_sent(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """``webhook_lost_rate=1``: the job completes, nothing is sent, the loss is counted."""
    emulator.set_faults(webhook_lost_rate=1.0)
    async with Receiver() as receiver:
        job_id = await finished(api, emulator, clock, receiver.url)
        await ticks()

    assert [] == receiver.bodies
    assert "completed" == emulator.job_status(job_id)
    assert (1, 0, 0) == (
        emulator.webhook_stats.lost,
        emulator.webhook_stats.attempts,
        emulator.webhooks.pending,
    )


async def test_a_delay_holds_the_delivery_on_the_clock(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """``webhook_delay=10``: nothing at the job's end; delivered once 10 s more have passed."""
    async with Receiver() as receiver:
        emulator.set_faults(webhook_delay=10.0)
        await finished(api, emulator, clock, receiver.url)
        await ticks()
        at_end = len(receiver.bodies)
        clock.advance(10.0)
        await receiver.wait_for(1)

    assert 0 == at_end
    assert 1060 < emulator.webhook_stats.log[0]["at"] <= 1070


async def test_out_of_order_holds_a_final_and_sends_a_stale_body_after_it(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """A held final is overtaken by a later job's, then followed by its in-progress body."""
    emulator.set_faults(webhook_out_of_order_rate=1.0, webhook_hold=5.0)
    async with Receiver() as receiver:
        held = await start(api, receiver.url)
        emulator.set_faults(webhook_out_of_order_rate=0.0)
        clock.advance(1.0)
        prompt = await finished(api, emulator, clock, receiver.url)
        await receiver.wait_for(1)
        clock.advance(5.0)
        bodies = await receiver.wait_for(3)

    assert [(prompt, "completed"), (held, "completed"), (held, "in-progress")] == statuses(bodies)
    assert {"final": 2, "stale": 1} == emulator.webhook_stats.sent


async def test_a_stale_body_waits_for_its_final_to_settle(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """The stale body is sent only after the final's retries end (2xx), never before it."""
    emulator.set_faults(webhook_out_of_order_rate=1.0, webhook_hold=0.0, webhook_backoff=1.0)
    async with Receiver([503]) as receiver:
        await finished(api, emulator, clock, receiver.url)
        await attempts(emulator, 1)
        await ticks()
        before_retry = len(receiver.bodies)
        clock.advance(1.0)
        bodies = await receiver.wait_for(3)

    assert 1 == before_retry
    assert ["completed", "completed", "in-progress"] == [s for _, s in statuses(bodies)]


async def test_a_forged_webhook_claims_a_job_that_does_not_exist(
    api: httpx.AsyncClient, emulator: Emulator
) -> None:
    """``forge_webhook`` sends at once a ``completed`` body for an id no job has."""
    async with Receiver() as receiver:
        job_id = emulator.forge_webhook(receiver.url)
        bodies = await receiver.wait_for(1)
    jobs = await api.get(f"{_paths.JOBS}/{job_id}")

    assert [(job_id, "completed")] == statuses(bodies)
    assert bodies[0]["data"]["videoURL"].endswith(".mp4")
    assert 404 == jobs.status_code
    assert {"forged": 1} == emulator.webhook_stats.sent


async def test_a_forged_webhook_claims_a_running_job_is_completed(
    api: httpx.AsyncClient, emulator: Emulator
) -> None:
    """A forged body may name a real job still running: the API still says in-progress."""
    async with Receiver() as receiver:
        running = await start(api, "http://127.0.0.1:9/unused")
        emulator.forge_webhook(receiver.url, job_id=running, status="completed")
        bodies = await receiver.wait_for(1)

    assert [(running, "completed")] == statuses(bodies)
    assert "in-progress" == emulator.job_status(running)


def test_forge_webhook_refuses_other_hosts_and_statuses() -> None:
    """A forged webhook goes to loopback only, with a status jobs can have."""
    emulator = Emulator(projects=0)

    with pytest.raises(ValueError, match="loopback"):
        emulator.forge_webhook("http://example.com/hook")
    with pytest.raises(ValueError, match="status"):
        emulator.forge_webhook("http://127.0.0.1:9/hook", status="done")


async def test_webhook_faults_and_forgeries_over_the_admin_routes(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock
) -> None:
    """``POST /_emulator/faults``, ``/_emulator/forge-webhook``, ``GET /_emulator/webhooks``."""
    async with Receiver() as receiver:
        faults = await api.post("/_emulator/faults", json={"webhook_duplicate_rate": 1.0})
        await finished(api, emulator, clock, receiver.url)
        forged = await api.post(
            "/_emulator/forge-webhook", json={"url": receiver.url, "job_id": "nope"}
        )
        bad = await api.post("/_emulator/forge-webhook", json={"url": "http://example.com/"})
        await receiver.wait_for(3)
        await attempts(emulator, 3)
        stats = (await api.get("/_emulator/webhooks")).json()

    assert 1.0 == faults.json()["webhook_duplicate_rate"]
    assert ({"job_id": "nope"}, 400) == (forged.json(), bad.status_code)
    assert {"final": 1, "duplicate": 1, "forged": 1} == stats["sent"]
    assert (3, 0) == (stats["attempts"], stats["pending"])


def fates(seed: int) -> tuple[int, int, list[int]]:
    """Lost webhooks, pending deliveries and followers per job for 200 jobs of ``seed``."""
    emulator = Emulator(projects=0, seed=seed, now=NOW)
    emulator.set_faults(
        webhook_lost_rate=0.05, webhook_duplicate_rate=0.1, webhook_out_of_order_rate=0.1
    )
    for n in range(200):
        body = b'{"videoName": "v%d", "scenes": [{"story": "Hi."}], "webhook": "%s"}'
        emulator.handle(
            "POST",
            _paths.STORYBOARD_RENDER,
            b"",
            [(b"authorization", emulator.api_key.encode())],
            body % (n, b"http://127.0.0.1:9/hook"),
        )
    heap = emulator.webhooks._heap
    return emulator.webhook_stats.lost, emulator.webhooks.pending, [len(d.then) for *_, d in heap]


def test_webhook_faults_are_seeded_and_reproducible() -> None:
    """The same seed plans the same losses, duplicates and disorder; another seed others."""
    first, again, other = fates(5), fates(5), fates(6)
    followers = collections.Counter(first[2])

    assert first == again
    assert first != other
    assert 200 == first[0] + first[1]
    assert 2 <= first[0] <= 20
    assert 20 <= followers[1] + 2 * followers[2] <= 60


async def test_two_hundred_jobs_with_every_fault_over_the_real_clock() -> None:
    """W's acceptance setting: each job not lost gets its final; copies and stale bodies add up."""
    emulator = Emulator(projects=0, seed=24, now=NOW)
    emulator.set_render_duration(0)
    emulator.set_faults(
        webhook_duplicate_rate=0.1,
        webhook_out_of_order_rate=0.1,
        webhook_lost_rate=0.05,
        webhook_hold=0.05,
    )
    async with (
        Receiver([503] * 10) as receiver,
        serve(emulator) as running,
        httpx.AsyncClient(
            base_url=running.base_url, headers={"Authorization": emulator.api_key}
        ) as api,
    ):
        made = [await start(api, receiver.url) for _ in range(200)]
        forged = [emulator.forge_webhook(receiver.url) for _ in range(3)]
        stats = emulator.webhook_stats
        expected = 200 - stats.lost + 3
        await receiver.wait_for(expected, timeout=20.0)
        while emulator.webhooks.pending:  # the copies and stale bodies follow their finals
            await ticks(1)
    finals = collections.Counter(
        job for job, status in statuses(receiver.bodies) if status == "completed"
    )
    stale = [job for job, status in statuses(receiver.bodies) if status == "in-progress"]

    assert 13 == stats.lost
    assert {"final": 187, "duplicate": 26, "stale": 20, "forged": 3} == stats.sent
    assert 13 == len(set(made) - {job for job, _ in statuses(receiver.bodies)})
    assert 187 + 26 + 3 + 10 == sum(finals.values())  # finals, copies, forged, 503'd attempts
    assert 20 == len(stale)
    assert set(forged) <= set(finals)
