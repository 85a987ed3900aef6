"""Acceptance, over real sockets: the emulator's faulty webhooks, our receiver, ``jobs.wait``.

The emulator (on a fake clock) renders 170 videos and POSTs their webhooks to our
receiver, served by uvicorn (FastAPI) or aiohttp on 127.0.0.1, with 10% duplicates, 10%
out of order (the final held back, then a stale ``in-progress`` body), 5% lost, and 3
forged bodies that carry the right token. Every job is waited for with
``jobs.wait(job, webhook=receiver)``, whose polls sleep until the sender is done.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Iterable
from typing import Any

import pytest

from benchmarks._webhooks import Framework, serving
from pictory_async import AsyncPictory, JobStatus, Video, VideoJob
from pictory_async.emulator import Emulator, FakeClock, serve
from pictory_async.webhooks import JobOutcome, WebhookReceiver, new_secret

JOBS = 170
RENDER_SECONDS = 10.0
HOLD_SECONDS = 5.0


class Settled:
    """The poll's sleep: a long one (a wait's slow poll) lasts until the sender is done."""

    def __init__(self) -> None:
        self.done = asyncio.Event()
        self.slow_polls = 0

    async def sleep(self, seconds: float) -> None:
        if seconds < 60:  # the pipeline's own short waits, if any: real ones
            await asyncio.sleep(seconds)
            return
        self.slow_polls += 1
        await self.done.wait()


async def all_done(tasks: Iterable[asyncio.Task[Any]], timeout: float = 20.0) -> None:
    """Wait (a real timeout: sockets) until every task is done."""
    pending = set(tasks)
    if pending:
        _, pending = await asyncio.wait(pending, timeout=timeout)
    assert set() == pending, f"{len(pending)} tasks still running"


async def sender_idle(emulator: Emulator, clock: FakeClock) -> None:
    """Advance the emulator's clock until its webhook sender has nothing left to send."""
    for _ in range(2000):
        if emulator.webhooks.pending == 0:
            return
        clock.advance(1.0)
        await asyncio.sleep(0.01)
    raise AssertionError(f"{emulator.webhooks.pending} deliveries never settled")


async def forged_delivered(emulator: Emulator, count: int) -> None:
    """Wait (real time: a socket round trip) until ``count`` forged bodies were answered."""
    for _ in range(500):
        if emulator.webhook_stats.delivered.get("forged", 0) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the forged deliveries were not answered")


@pytest.mark.parametrize("framework", ["fastapi", "aiohttp"])
async def test_one_callback_per_real_outcome_none_forged_none_lost(framework: Framework) -> None:
    """~200 faulty deliveries: a callback per delivered outcome, none forged, every wait ends."""
    clock = FakeClock(start=1000.0)
    emulator = Emulator(projects=0, seed=24, clock=clock.time, sleep=clock.sleep)
    emulator.set_render_duration(RENDER_SECONDS)
    emulator.set_faults(
        webhook_lost_rate=0.05,
        webhook_duplicate_rate=0.10,
        webhook_out_of_order_rate=0.10,
        webhook_hold=HOLD_SECONDS,
    )
    outcomes: list[JobOutcome] = []

    async def on_outcome(outcome: JobOutcome) -> None:
        outcomes.append(outcome)

    polls = Settled()
    polled: set[str] = set()
    all_polled = asyncio.Event()

    def first_poll(job: Any) -> None:
        polled.add(job.id)
        if len(polled) == JOBS:
            all_polled.set()

    async with (
        serve(emulator) as running,
        AsyncPictory(running.api_key, base_url=running.base_url, sleep=polls.sleep) as client,
        WebhookReceiver(client, on_outcome, secret=new_secret()) as receiver,
        serving(framework, receiver) as hook,
    ):
        url = receiver.url_for(hook)
        jobs: list[VideoJob] = await asyncio.gather(
            *(
                client.videos.create(f"Video number {n}.", wait=False, webhook=url)
                for n in range(JOBS)
            )
        )
        waits = {
            job.id: asyncio.create_task(
                client.jobs.wait(job, webhook=receiver, timeout=600, on_poll=first_poll)
            )
            for job in jobs
        }
        await asyncio.wait_for(all_polled.wait(), 20)  # every job seen running once

        real = jobs[0].id
        forged = emulator.forge_webhook(url)
        emulator.forge_webhook(url, job_id=jobs[1].id, status="completed")  # still rendering
        await forged_delivered(emulator, 2)
        await receiver.join()
        clock.advance(RENDER_SECONDS + 1)  # every render ends; the sender posts
        await sender_idle(emulator, clock)
        emulator.forge_webhook(url, job_id=real, status="failed")  # completed, in fact
        await sender_idle(emulator, clock)
        await receiver.join()

        stats = emulator.webhook_stats
        finals = {entry["job_id"] for entry in stats.log if entry["kind"] == "final"}
        lost = set(waits) - finals
        await all_done(task for job_id, task in waits.items() if job_id not in lost)
        assert all(not waits[job_id].done() for job_id in lost)  # only the poll is left
        polls.done.set()  # the slow polls come round
        await all_done(waits.values())

    sent = stats.sent
    assert sum(sent.values()) >= 200
    assert (3, len(lost)) == (sent["forged"], stats.lost)
    assert 0 < sent["duplicate"]
    assert 0 < sent["stale"]
    assert 0 < len(lost)
    assert 0 == stats.gave_up  # every delivery was answered 2xx
    counts = collections.Counter(outcome.job_id for outcome in outcomes)
    assert set(waits) - lost == set(counts)
    assert {1} == set(counts.values())
    assert all(
        outcome.confirmed and outcome.job.status is JobStatus.COMPLETED for outcome in outcomes
    )
    assert forged not in counts
    videos = {job_id: task.result() for job_id, task in waits.items()}
    assert all(
        isinstance(video, Video) and video.job_id == job_id for job_id, video in videos.items()
    )
    assert 1 == receiver.stats.refuted
    assert 1 <= receiver.stats.unconfirmed  # the running job said to be completed
