"""The webhook sender: a task in the serving event loop that POSTs each delivery when it is due.

Deliveries (``_deliveries.plan``) wait in a heap ordered by the emulator's clock reading
they are due at. The task sleeps until the first is due (at most ``TICK`` of real time,
so that a fake clock moved by a test is noticed) or until one is scheduled earlier, and
starts each due attempt as its own task, at most ``MAX_IN_FLIGHT`` at once. An attempt
answered other than 2xx, or failing to connect, or taking longer than
``webhook_timeout`` in all, is due again after a back-off on the emulator's clock (doubled each
time, at most ``MAX_BACKOFF``), up to ``webhook_attempts``; once it is settled (a 2xx or
given up) its followers (a duplicate, a stale body) are due at once, so a stale body
always comes after its final. A final's body is what ``GET /pictoryapis/v1/jobs/{id}``
answers at the moment it is sent. Only loopback URLs are called, without following
redirects or any proxy, and never with an API key.

``start`` (in the running loop) and ``aclose`` tie the task to the server: nothing is
sent before, nothing runs after; an attempt cut short by ``aclose`` is pending again.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from typing import Final

import httpx

from ._deliveries import Delivery, WebhookStats, forged_body, is_loopback, plan
from ._faults import MAX_SECONDS
from ._renders import JobRecord
from ._state import State
from ._wire import dumps, job_data

__all__ = ["MAX_BACKOFF", "MAX_IN_FLIGHT", "TICK", "WebhookSender"]

TICK: Final = 0.02
"""Longest real wait, in seconds, between two looks at the clock while deliveries are due."""
MAX_IN_FLIGHT: Final = 256
"""Most webhook POSTs under way at once."""
MAX_BACKOFF: Final = 60.0
"""Longest wait before a retry, in seconds on the emulator's clock."""
FORGED_STATUSES: Final = ("completed", "failed", "in-progress")
_HEADERS: Final = {"content-type": "application/json", "user-agent": "pictory-emulator-webhooks"}
_STALE_PROGRESS: Final = 50
MAX_ANSWER: Final = 65_536
"""Most bytes of a receiver's answer read (the rest is not: a receiver cannot hold an attempt)."""


class WebhookSender:
    """Sends the webhooks of the jobs an emulator's requests make.

    Attributes:
        stats: What was sent, answered, lost and refused.
    """

    def __init__(self, state: State) -> None:
        """Send the webhooks of the jobs ``state``'s routes make (it calls ``schedule``)."""
        self._state = state
        self.stats = WebhookStats()
        self._heap: list[tuple[float, int, Delivery]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._attempts: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        state.on_started = self.schedule

    @property
    def running(self) -> bool:
        """Whether the sending task runs (between ``start`` and ``aclose``)."""
        return self._task is not None

    @property
    def pending(self) -> int:
        """Deliveries not settled yet: waiting to be due, or under way."""
        return len(self._heap) + len(self._attempts)

    def schedule(self, job: JobRecord) -> None:
        """Plan the webhook of a job a request has just made (if it gave a ``webhook``)."""
        url = job.webhook
        if url is None:
            return
        if not is_loopback(url):
            self.stats.refused += 1
            self.stats.refused_urls.append(url)
            return
        state = self._state
        planned = plan(job, url, state.faults, state.dice.webhooks)
        if planned is None:
            self.stats.lost += 1
            return
        self._push(*planned)

    def forge(self, url: str, job_id: str, status: str) -> None:
        """Send now a made-up body claiming job ``job_id`` is ``status``.

        Raises:
            ValueError: ``url`` is not on loopback, or an unknown status.
        """
        if not is_loopback(url):
            raise ValueError(f"webhooks only go to loopback URLs, not {url!r}")
        if status not in FORGED_STATUSES:
            raise ValueError(f"status must be one of {', '.join(FORGED_STATUSES)}, got {status!r}")
        state = self._state
        body = dumps(forged_body(job_id, status, state.cdn_base_url))
        self._push(
            state.clock(), Delivery(url=url, kind="forged", job=None, job_id=job_id, body=body)
        )

    def clear(self, *, stats_only: bool = False) -> None:
        """Zero the counters and, unless ``stats_only``, forget the deliveries not yet due."""
        self.stats = WebhookStats()
        if not stats_only:
            self._heap.clear()

    def start(self) -> None:
        """Start sending, in the running event loop (again: nothing more happens)."""
        if self._task is not None:
            return
        self._client = httpx.AsyncClient(
            timeout=MAX_SECONDS,  # each attempt is limited as a whole: see ``_attempt``
            trust_env=False,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=32),
        )
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name="pictory-emulator-webhooks"
        )

    async def aclose(self) -> None:
        """Stop sending: cancel the task and the attempts under way, close the connections."""
        task, client = self._task, self._client
        self._task = self._client = None
        if task is None:
            return
        tasks = [task, *self._attempts]
        for each in tasks:
            each.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._attempts.clear()
        if client is not None:
            await client.aclose()

    def _push(self, due: float, delivery: Delivery) -> None:
        heapq.heappush(self._heap, (due, next(self._order), delivery))
        if self._heap[0][2] is delivery:
            self._wake.set()

    async def _run(self) -> None:
        clock = self._state.clock
        loop = asyncio.get_running_loop()
        heap = self._heap
        while True:
            if not heap or len(self._attempts) >= MAX_IN_FLIGHT:
                self._wake.clear()
                await self._wake.wait()
                continue
            wait = heap[0][0] - clock()
            if wait > 0:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), min(wait, TICK))
                continue
            delivery = heapq.heappop(heap)[2]
            attempt = loop.create_task(self._attempt(delivery))
            self._attempts.add(attempt)
            attempt.add_done_callback(self._finished)

    def _finished(self, attempt: asyncio.Task[None]) -> None:
        self._attempts.discard(attempt)
        self._wake.set()

    async def _attempt(self, delivery: Delivery) -> None:
        state = self._state
        faults = state.faults
        client = self._client
        assert client is not None  # attempts only run between start and aclose
        delivery.attempt += 1
        body = delivery.body if delivery.body is not None else self._body(delivery)
        try:
            answer = await asyncio.wait_for(
                _post(client, delivery.url, body), faults.webhook_timeout
            )
        except (httpx.HTTPError, asyncio.TimeoutError):
            answer = "error"
        except asyncio.CancelledError:
            delivery.attempt -= 1
            self._push(state.clock(), delivery)  # pending again
            raise
        now = state.clock()
        self.stats.attempted(delivery, answer, now)
        if not answer.startswith("2"):
            if delivery.attempt < faults.webhook_attempts:
                backoff = faults.webhook_backoff * 2 ** (delivery.attempt - 1)
                self._push(now + min(MAX_BACKOFF, backoff), delivery)
                return
            self.stats.gave_up += 1
        for follower in delivery.then:
            self._push(now, follower)

    def _body(self, delivery: Delivery) -> bytes:
        """What ``GET /pictoryapis/v1/jobs/{id}`` answers now (or answered while it ran)."""
        state = self._state
        job = delivery.job
        assert job is not None  # only forged deliveries have no job, and they have a body
        if delivery.kind == "stale":
            data = job_data(job, "in-progress", _STALE_PROGRESS, state.cdn_base_url)
            return dumps({"success": True, "data": data})
        status = state.job_status(job)
        data = job_data(job, status, job.progress(state.clock()), state.cdn_base_url)
        return dumps({"success": status != "failed", "data": data})


async def _post(client: httpx.AsyncClient, url: str, body: bytes) -> str:
    """POST ``body`` to ``url``; the answer's status (at most ``MAX_ANSWER`` bytes read)."""
    async with client.stream("POST", url, content=body, headers=_HEADERS) as response:
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read > MAX_ANSWER:
                break  # the connection is closed, not reused
        return str(response.status_code)
