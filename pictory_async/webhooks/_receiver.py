"""The webhook receiver: answer at once, queue boundedly, confirm, deliver each outcome once.

``accept(body, token)`` runs in the web handler and does no I/O: it checks the token,
parses the body and puts the event on a bounded queue, then returns the answer (202);
a full queue answers 503 so that the sender retries later, and nothing else piles up.
A fixed number of worker tasks take events off the queue, confirm each through the API
with the user's client (unless ``confirm=False``), hand a finished job to the
``jobs.wait`` calls watching it, and call the user's callback once per job outcome:
duplicates, late and out-of-order deliveries are counted and dropped. A callback that
raises is logged; the worker goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, TypedDict

from .._exceptions import ClientClosedError, InvalidInputError
from .._logs import logger
from .._models.jobs import Job, JobStatus
from .._watch import Watch, Watchers
from ._confirm import DEFAULT_CONFIRM_ATTEMPTS, confirm
from ._dedupe import DEFAULT_REMEMBER, Delivered
from ._event import DEFAULT_MAX_BODY_BYTES, InvalidWebhookError, JobEvent, parse_event
from ._results import JobOutcome, WebhookAnswer, WebhookStats
from ._token import check_secret, token_ok, url_with

if TYPE_CHECKING:
    from typing_extensions import Self

    from .._client import AsyncPictory

__all__ = ["Callback", "ReceiverOptions", "WebhookReceiver"]

Callback = Callable[[JobOutcome], Awaitable[object] | None]
"""The user's callback, given each job outcome once: an async function (a plain one is
called as it is, on the event loop: keep it quick)."""

DEFAULT_MAX_PENDING: Final = 1000
DEFAULT_WORKERS: Final = 4
DRAIN_SECONDS: Final = 10.0
"""Seconds a closing receiver lets its workers finish the events queued."""


class ReceiverOptions(TypedDict, total=False):
    """The receiver's options, as the framework adapters pass them on."""

    secret: str | None
    confirm: bool
    max_pending: int
    workers: int
    max_body_bytes: int
    remember: int
    confirm_attempts: int


_OUTCOMES = (JobStatus.COMPLETED, JobStatus.FAILED)
_BUSY = WebhookAnswer(503, "busy: try again later", {"Retry-After": "5"})
_CLOSED = WebhookAnswer(503, "not running: try again later", {"Retry-After": "5"})


def _count(value: object, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidInputError(f"{name} must be an integer of at least {low}")
    return value


class WebhookReceiver:
    """Receives Pictory's webhook deliveries and calls back once per confirmed outcome.

    An async context manager: its workers run inside the block. Serve it with
    ``pictory_async.webhooks.fastapi`` or ``pictory_async.webhooks.aiohttp``, or call
    ``accept`` from any handler. Give ``url_for(...)`` as the ``webhook`` of the calls
    that start jobs, and the receiver to ``client.jobs.wait(job, webhook=receiver)``.
    """

    def __init__(
        self,
        client: AsyncPictory,
        callback: Callback | None = None,
        *,
        secret: str | None = None,
        confirm: bool = True,
        max_pending: int = DEFAULT_MAX_PENDING,
        workers: int = DEFAULT_WORKERS,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        remember: int = DEFAULT_REMEMBER,
        confirm_attempts: int = DEFAULT_CONFIRM_ATTEMPTS,
    ) -> None:
        """Set the receiver up; it takes deliveries once entered (``async with``).

        Args:
            client: The client that confirms events (its key, retries, rate control).
            callback: Awaited with each job outcome (``JobOutcome``), once per job;
                ``None`` when the receiver only serves ``jobs.wait``.
            secret: The token every delivery's URL must carry (``new_secret()`` makes
                one); ``None``: any caller may deliver (events are confirmed anyway).
            confirm: Fetch each event's job through the API before believing it. With
                ``False`` bodies are trusted: anyone who can reach the URL can make
                the callback see any outcome. Keep the default.
            max_pending: Events queued at most; beyond, deliveries are answered 503.
            workers: Events confirmed and called back at once.
            max_body_bytes: The largest body read (413 beyond).
            remember: Job outcomes remembered to drop duplicates (oldest forgotten).
            confirm_attempts: Fetches tried per event before giving it up.

        Raises:
            InvalidInputError: A bad option.
        """
        if callback is not None and not callable(callback):
            raise InvalidInputError(f"callback must be callable, not {type(callback).__name__}")
        self._client = client
        self._callback = callback
        self._secret = check_secret(secret)
        self._confirm = bool(confirm)
        self._max_body_bytes = _count(max_body_bytes, "max_body_bytes", 1)
        self._attempts = _count(confirm_attempts, "confirm_attempts", 1)
        self._queue: asyncio.Queue[JobEvent] = asyncio.Queue(_count(max_pending, "max_pending", 1))
        self._workers = _count(workers, "workers", 1)
        self._delivered = Delivered(remember)
        self._pending: set[str] = set()
        self._watchers = Watchers()
        self._counts: Counter[str] = Counter()
        self._tasks: list[asyncio.Task[None]] = []
        self._state = "new"

    def __repr__(self) -> str:
        return (
            f"WebhookReceiver(state={self._state!r}, confirm={self._confirm}, "
            f"secret={'set' if self._secret else None}, pending={self._queue.qsize()})"
        )

    # -- lifecycle --------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._state != "new":
            raise RuntimeError("a WebhookReceiver can be entered once")
        self._state = "open"
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self._workers)]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self, *, drain: float = DRAIN_SECONDS) -> None:
        """Stop taking deliveries (503), drain the queue, stop the workers. Idempotent.

        Args:
            drain: Seconds at most the workers get to finish the events queued.
        """
        if self._state == "closed":
            return
        self._state = "closed"
        if self._tasks:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._queue.join(), drain)
        if self._queue.qsize():
            logger.warning(
                "webhook: receiver closed with %d events unconfirmed; left to the polls",
                self._queue.qsize(),
            )
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def join(self) -> None:
        """Wait until every event queued so far has been handled."""
        await self._queue.join()

    # -- the handler's side -----------------------------------------------------------

    @property
    def max_body_bytes(self) -> int:
        """The largest body accepted; adapters read at most one byte more."""
        return self._max_body_bytes

    def url_for(self, base_url: str) -> str:
        """The webhook URL to give a job-starting call: ``base_url`` with the token.

        Args:
            base_url: Where this receiver is served, as Pictory reaches it, e.g.
                ``"https://my.host/pictory/webhook"``.

        Raises:
            InvalidInputError: Not an absolute ``http(s)`` URL.
        """
        return url_with(base_url, self._secret)

    def accept(self, body: bytes, token: str | None = None) -> WebhookAnswer:
        """Take one delivery: check, parse and queue it, with no I/O; the answer to send.

        Args:
            body: The request body (the framework adapters cap what they read).
            token: The ``token`` query parameter of the request, if any.

        Returns:
            202 queued; 200 a duplicate or not an outcome; 400/413 a bad body; 401/403
            no or a wrong token; 503 the queue is full or the receiver not running.
        """
        if self._state != "open":
            return _CLOSED
        if not token_ok(self._secret, token):
            self._counts["bad_token"] += 1
            if token is None:
                return WebhookAnswer(401, "a token is required")
            return WebhookAnswer(403, "wrong token")
        try:
            event = parse_event(body, max_bytes=self._max_body_bytes)
        except InvalidWebhookError as exc:
            self._counts["bad_body"] += 1
            return WebhookAnswer(exc.status_code, str(exc))
        if not event.is_final:
            self._counts["ignored"] += 1
            return WebhookAnswer(200, "not an outcome: nothing to do")
        if event.job_id in self._delivered or event.job_id in self._pending:
            self._counts["duplicates"] += 1
            return WebhookAnswer(200, "delivered already")
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self._counts["overflow"] += 1
            return _BUSY
        self._pending.add(event.job_id)
        self._counts["accepted"] += 1
        return WebhookAnswer(202, "accepted")

    # -- jobs.wait's side ---------------------------------------------------------------

    def watch(self, job_id: str) -> contextlib.AbstractContextManager[Watch]:
        """A watch on ``job_id`` for ``client.jobs.wait``, registered for the block."""
        return self._watchers.watch(job_id)

    @property
    def stats(self) -> WebhookStats:
        """The counters so far (a snapshot)."""
        return WebhookStats(**self._counts)

    def _waiting(self) -> int:
        """Job ids a ``jobs.wait`` watches now (0 once every wait has ended)."""
        return len(self._watchers)

    # -- the workers --------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._handle(event)
            except ClientClosedError:
                logger.warning("webhook: the client is closed; job %s not confirmed", event.job_id)
            except Exception:  # one event's failure must not stop the worker
                logger.exception("webhook: handling job %s failed", event.job_id)
            finally:
                self._queue.task_done()

    async def _handle(self, event: JobEvent) -> None:
        self._pending.discard(event.job_id)
        if event.job_id in self._delivered:
            self._counts["duplicates"] += 1
            return
        job = await self._believed(event)
        if job is None:
            return
        if not self._delivered.claim(job.id):
            self._counts["duplicates"] += 1
            return
        self._counts["delivered"] += 1
        if self._callback is not None:
            await self._call_back(JobOutcome(job=job, event=event, confirmed=self._confirm))

    async def _believed(self, event: JobEvent) -> Job | None:
        """The job's outcome to deliver: the API's (or the body's, unconfirmed), or None."""
        if not self._confirm:
            self._counts["waits_woken"] += self._watchers.wake(event.job_id)
            return event.job
        confirmation = await confirm(self._client, event.job_id, attempts=self._attempts)
        job, response = confirmation.job, confirmation.response
        if confirmation.refuted:
            self._counts["refuted"] += 1
            logger.warning("webhook: job %s is unknown to the API; event dropped", event.job_id)
            return None
        if job is None or response is None:
            self._counts["confirm_failed"] += 1
            return None
        if job.is_finished:
            self._counts["waits_woken"] += self._watchers.give(job, response)
        if job.status not in _OUTCOMES:
            self._counts["unconfirmed"] += 1
            logger.info(
                "webhook: job %s said %s, the API says %s; event dropped",
                event.job_id,
                event.status.value,
                job.status.value,
            )
            return None
        return job

    async def _call_back(self, outcome: JobOutcome) -> None:
        assert self._callback is not None
        try:
            result: Any = self._callback(outcome)
            if inspect.isawaitable(result):
                await result
        except Exception:
            self._counts["callback_errors"] += 1
            logger.exception("webhook: the callback raised for job %s", outcome.job_id)
