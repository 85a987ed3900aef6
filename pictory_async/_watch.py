"""Waking a wait early: the registry of ``jobs.wait`` calls that a webhook can end.

A wait given a webhook receiver registers a ``Watch`` for its job id for as long as it
runs (a ``with`` block, so a cancelled or timed-out wait leaves nothing behind). When
the receiver has an outcome the API confirmed for that job, it hands the job and the
answer it was read from to every watch of that id: the wait's sleep between polls ends
at once, and its next poll takes that answer instead of sending a request (a receiver
that does not confirm only wakes the wait: its next poll asks the API). A wait without
an outcome handed over polls as before, so a lost webhook costs latency only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Protocol

import httpx

from ._exceptions import InvalidInputError
from ._models.jobs import Job
from ._types import Sleep

__all__ = ["Watch", "Watcher", "Watchers", "check_watcher"]


class Watch:
    """One wait's view of a job: the confirmed answer a receiver handed over, if any."""

    def __init__(self, job_id: str) -> None:
        """Watch ``job_id``; nothing handed over yet."""
        self.job_id = job_id
        self._given: tuple[Job, httpx.Response] | None = None
        self._event = asyncio.Event()

    def give(self, job: Job, response: httpx.Response) -> None:
        """Hand over ``job``, as the API answered it in ``response``; wakes the wait."""
        self._given = (job, response)
        self._event.set()

    def wake(self) -> None:
        """End the wait's sleep without an answer: its next poll asks the API."""
        self._event.set()

    def take(self) -> tuple[Job, httpx.Response] | None:
        """What was handed over since the last ``take`` (then forgotten), or ``None``."""
        given, self._given = self._given, None
        self._event.clear()
        return given

    async def sleep(self, sleep: Sleep, seconds: float) -> None:
        """``sleep(seconds)``, cut short when an answer is handed over."""
        if self._event.is_set():
            return
        napping = asyncio.ensure_future(sleep(seconds))
        woken = asyncio.ensure_future(self._event.wait())
        try:
            await asyncio.wait({napping, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (napping, woken):
                task.cancel()
            await asyncio.gather(napping, woken, return_exceptions=True)
        if not napping.cancelled():
            napping.result()  # what the sleep raised, if anything


class Watcher(Protocol):
    """What ``jobs.wait(webhook=...)`` needs of a receiver: a watch on one job id."""

    def watch(self, job_id: str) -> contextlib.AbstractContextManager[Watch]:
        """A ``Watch`` on ``job_id``, registered while the block runs."""
        ...


class Watchers:
    """The watches of the waits under way, by job id (empty when no wait runs)."""

    def __init__(self) -> None:
        """No watch yet."""
        self._by_id: dict[str, list[Watch]] = {}

    def __len__(self) -> int:
        """The number of job ids watched (0 once every wait has ended)."""
        return len(self._by_id)

    @contextlib.contextmanager
    def watch(self, job_id: str) -> Iterator[Watch]:
        """Register a ``Watch`` on ``job_id`` for the block; removed however it ends."""
        watch = Watch(job_id)
        self._by_id.setdefault(job_id, []).append(watch)
        try:
            yield watch
        finally:
            watches = self._by_id.get(job_id, [])
            if watch in watches:
                watches.remove(watch)
            if not watches:
                self._by_id.pop(job_id, None)

    def give(self, job: Job, response: httpx.Response) -> int:
        """Hand ``job`` to every watch of its id; the number of waits woken."""
        watches = self._by_id.get(job.id, [])
        for watch in watches:
            watch.give(job, response)
        return len(watches)

    def wake(self, job_id: str) -> int:
        """Wake every wait on ``job_id`` to poll now; the number woken."""
        watches = self._by_id.get(job_id, [])
        for watch in watches:
            watch.wake()
        return len(watches)


def check_watcher(webhook: object) -> None:
    """Check a wait's ``webhook`` before any request: ``None`` or a receiver.

    Raises:
        InvalidInputError: Something without a callable ``watch`` (a URL string, ...).
    """
    if webhook is not None and not callable(getattr(webhook, "watch", None)):
        raise InvalidInputError(
            "webhook must be a WebhookReceiver (pictory_async.webhooks), not "
            f"{type(webhook).__name__}; a URL goes to the call that starts the job"
        )
