"""The bulk engine's run: many calls at once through a bounded pool, nothing lost.

A bounded pool of workers pulls items from the input (a list, a generator, an async
iterator such as ``projects.select(...)``), one worker at a time, through one reader;
there is never one task per item, and no queue between the input and the workers. Every
item read from the input ends in exactly one ``Outcome``, also when the run is
cancelled (once or again and again, as anyio cancel scopes do), a callback raises, the
journal cannot be written or the client is closed: what finished is reported as
finished, what was in flight as ``cancelled`` (it may or may not have been applied).
When the input is an in-memory collection, the items never read from it are accounted
too: ``not_started``, or ``failed``/``skipped`` when they are invalid or duplicates.

The stop path (``_settle``) is synchronous: a second cancellation cannot cut it short.
"""

from __future__ import annotations

import asyncio
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Sized,
)
from types import TracebackType
from typing import Any, Generic, TypeVar

import attrs

from .._exceptions import AuthenticationError, ClientClosedError, InvalidInputError
from .._idstore import SeenSet
from .._journal import Journal
from .._logs import logger
from .._options import resolve_count
from .._types import ProjectId
from .before import Before, Confirm, Prepare
from .items import PROJECT_ITEMS, Items
from .result import BulkProgress, BulkResult, ItemResult, Outcome, may_have_been_applied

__all__ = [
    "YIELD_EVERY",
    "BulkRun",
    "Confirm",
    "Operation",
    "Prepare",
    "ProgressCallback",
    "Sent",
    "StopRunError",
    "Stopped",
]

T = TypeVar("T")

YIELD_EVERY = 1024  # items settled without a request between two yields to the event loop
_JOURNALED = frozenset(
    {
        Outcome.DELETED,
        Outcome.ALREADY_ABSENT,
        Outcome.CREATED,
        Outcome.FAILED,
        Outcome.CANCELLED,
        Outcome.UNKNOWN,
    }
)

Operation = Callable[[Any], Awaitable[ItemResult[T]]]
"""One item's request, given the item's payload (a project's id): its ``ItemResult``,
or an exception (the item then ``failed``)."""
Stopped = Callable[[ProjectId], ItemResult[T]]
"""The outcome of an item in flight when the run stopped (default: ``cancelled``)."""
Plan = Callable[[BulkResult[T]], object]
"""A dry run's ``result.plan``, made of its result once the run ends."""
Sent = Callable[[ProjectId], bool]
"""Whether an item's changing request (a DELETE) may have been sent yet."""
ProgressCallback = Callable[[BulkProgress], object]
"""Called with a ``BulkProgress`` after each item; what it returns is ignored."""

_Pulled = tuple[ProjectId, object, object, "int | None"]
"""The item, its operation's payload, the input object it came from, and where the
result's store holds the item."""


class StopRunError(Exception):
    """Raised by an operation whose item ended, but the run cannot go on (its ``error``).

    Args:
        result: The item's outcome.
        error: What stopped the run (``run.result.error``).
    """

    def __init__(self, result: ItemResult[Any], error: BaseException) -> None:
        super().__init__(str(error))
        self.result = result
        self.error = error


class BulkRun(Generic[T]):
    """A running bulk operation: an async context manager and an async iterator.

    ::

        async with client.projects.delete_many_stream(ids) as run:
            async for item in run:
                print(item.item, item.outcome)
        print(run.result)   # complete, also after a break, an error or a cancellation

    Leaving the ``async with`` block early cancels what is still running and accounts
    for every item read so far. An error that stopped the run (``run.result.error``) is
    raised by the iteration, or on leaving the block if the iteration did not see it.
    """

    def __init__(
        self,
        items: Iterable[Any] | AsyncIterable[Any],
        operation: Operation[T],
        *,
        concurrency: int,
        dry_run: bool = False,
        on_progress: ProgressCallback | None = None,
        journal: Journal | None = None,
        keep_values: bool = True,
        confirm: Confirm | None = None,
        sent: Sent | None = None,
        reader: Items = PROJECT_ITEMS,
        stopped: Stopped[T] | None = None,
        prepare: Prepare | None = None,
        plan: Plan[T] | None = None,
    ) -> None:
        if isinstance(items, (str, bytes)) or not isinstance(items, (Iterable, AsyncIterable)):
            raise InvalidInputError("ids must be an iterable or async iterable of project ids")
        self._concurrency = resolve_count(concurrency, name="concurrency", minimum=1)
        self._items = items
        self._operation = operation
        self._dry_run = dry_run
        self._on_progress = on_progress
        self._journal = journal
        self._reader = reader
        self._stopped = stopped
        self._plan = plan
        self._sent = sent  # None: every item in flight may have been applied
        total = len(items) if isinstance(items, Sized) else None
        self.result: BulkResult[T] = BulkResult(total=total, keep_values=keep_values)
        self._before = Before(self._concurrency, prepare, confirm, self.result)
        self._seen = SeenSet(self.result._store)
        self._reading = asyncio.Lock()  # one reader of the input at a time
        self._sync: Iterator[Any] | None = None
        self._async: AsyncIterator[Any] | None = None
        self._exhausted = False
        self._in_flight: dict[int, _Pulled] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._active = 0
        self._events: asyncio.Queue[ItemResult[T] | None] | None = None
        self._quiet = False  # settling: no events for the leftovers
        self._room = asyncio.Event()  # the consumer read an event: room for more work
        self._done = asyncio.Event()
        self.draining = asyncio.Event()
        """Set by ``drain``: no more items are read; an operation may end early on it."""
        self._error: BaseException | None = None
        self._error_raised = False
        self._started = False
        self._finished = False

    # -- running -----------------------------------------------------------------

    async def __aenter__(self) -> BulkRun[T]:
        self._events = asyncio.Queue()
        self._start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop()
        if exc is None and self._error is not None and not self._error_raised:
            self._error_raised = True
            raise self._error

    def __aiter__(self) -> BulkRun[T]:
        return self

    async def __anext__(self) -> ItemResult[T]:
        if self._events is None:
            raise RuntimeError("iterate a bulk run inside 'async with'")
        event = await self._events.get()
        self._room.set()
        if event is None:
            self._events.put_nowait(None)  # stay exhausted
            if self._error is not None:
                self._error_raised = True
                raise self._error
            raise StopAsyncIteration
        return event

    async def wait(self) -> BulkResult[T]:
        """Run to the end without streaming; return the complete result.

        Returns:
            The ``BulkResult``, every item accounted for.

        Raises:
            AuthenticationError: The API key was refused; the run stopped (every item
                is still accounted for in ``result``).
            ClientClosedError: The client was closed during the run.
            OSError: The journal could not be written.
            CancelledError: The run was cancelled.
        """
        self._start()
        try:
            await self._done.wait()
        finally:
            await self._stop()
        if self._error is not None:
            self._error_raised = True
            raise self._error
        return self.result

    def drain(self) -> None:
        """Stop gracefully: read no more items, let those in flight end, then stop.

        The run then ends as if cancelled (``interrupted``; items of a collection never
        read are ``not_started``), but nothing in flight is cut off: a first Ctrl-C.
        An operation may watch ``draining`` to end its item early at a safe point
        (``create_many`` stops waiting for renders once their job ids are journaled).
        """
        self.draining.set()

    def _start(self) -> None:
        if self._started:
            raise RuntimeError("a bulk run can only be started once")
        self._started = True
        items = self._items
        if isinstance(items, AsyncIterable):
            self._async = aiter(items)
        else:
            self._sync = iter(items)
        if self._journal is not None:  # checked, locked and opened before anything is sent
            self._journal.open(write=not self._dry_run)
            self._before.load(None if self._dry_run else self._journal)
        self._active = self._concurrency
        self._tasks = [asyncio.create_task(self._worker(n)) for n in range(self._concurrency)]

    async def _next(self) -> _Pulled | None:
        """The next item to send, read from the input (by one worker at a time).

        Items settled without a request (invalid, duplicates, done, dry run) are
        recorded on the way. ``None`` when the input is exhausted or failed.
        """
        passed = 0
        while not self.draining.is_set():
            try:
                if self._sync is not None:
                    raw = next(self._sync)
                elif self._async is not None:
                    raw = await anext(self._async)
                else:
                    return None
            except (StopIteration, StopAsyncIteration):
                self._sync = self._async = None
                self._exhausted = True
                return None
            except Exception as exc:  # the input itself failed: stop the run
                self._sync = self._async = None
                self._fail(exc)
                return None
            pulled = self._admit(raw)
            if pulled is not None:
                return pulled
            passed += 1
            if passed == YIELD_EVERY:  # let the event loop breathe during a long dry run
                passed = 0
                await asyncio.sleep(0)
        return None

    def _admit(self, raw: object, *, stopping: bool = False) -> _Pulled | None:
        """What to send for ``raw``, or ``None`` when it was settled without a request."""
        item, key, given, payload, error = self._reader.read(raw)
        if error is not None:
            self._record(ItemResult(item=item, outcome=Outcome.FAILED, error=error, input=given))
            return None
        reason = None
        seen = self._seen.add(key)
        # Where the result's store holds the id, to keep its bytes once; not for a
        # duplicate, nor for "5" (deduplicated as 5, and reported as given).
        handle = seen if seen >= 0 and isinstance(item, int) == isinstance(key, int) else None
        if seen < 0:
            reason = "duplicate"
        else:
            if self._journal is not None and self._journal.is_done(key):
                reason = "journal"
            elif stopping:
                self._record(
                    ItemResult(item=item, outcome=Outcome.NOT_STARTED, input=given), handle
                )
                return None
            elif self._dry_run:
                reason = "dry_run"
        if reason is not None:
            skipped: ItemResult[T] = ItemResult(
                item=item, outcome=Outcome.SKIPPED, reason=reason, input=given
            )
            self._record(skipped, handle)
            return None
        return item, payload, given, handle

    async def _worker(self, slot: int) -> None:
        try:
            await self._work(slot)
        except Exception as exc:  # a defect, or a hostile input: stop the run, never hang
            self._fail(exc)

    async def _work(self, slot: int) -> None:
        await self._before.ask(self._fail, lambda: self._error is not None)
        operation = self._operation
        in_flight = self._in_flight
        while self._error is None:
            events = self._events
            if events is not None and events.qsize() >= self._concurrency:
                # A stream whose reader stopped reading (a suspended generator, a
                # disconnected web client) stops the run's progress too.
                self._room.clear()
                await self._room.wait()
                continue
            async with self._reading:
                pulled = await self._next()
                if pulled is None:
                    break
                in_flight[slot] = pulled
            item, payload, given, handle = pulled
            try:
                result = await operation(payload)
            except asyncio.CancelledError:
                if not self._finished:  # not our stop: the run cannot go on without us
                    self._fail(asyncio.CancelledError("a bulk worker was cancelled"))
                raise  # accounted as cancelled by _settle, from _in_flight
            except StopRunError as stop:
                result = stop.result
                self._fail(stop.error)
            except ClientClosedError as exc:  # may have been applied; nothing more is sent
                result = ItemResult(item=item, outcome=Outcome.CANCELLED, error=exc)
                self._fail(exc)
            except AuthenticationError as exc:  # every other request would fail too
                result = ItemResult(item=item, outcome=Outcome.FAILED, error=exc)
                self._fail(exc)
            except Exception as exc:
                result = ItemResult(item=item, outcome=Outcome.FAILED, error=exc)
            except BaseException as exc:  # KeyboardInterrupt, SystemExit: stop the run
                self._fail(exc)
                raise
            if self._finished:
                return  # the stop accounted for this item already
            del in_flight[slot]
            if given is not None:
                result = attrs.evolve(result, input=given)
            self._record(result, handle if result.item is item else None)
        self._active -= 1
        if self._active == 0:
            self._finish()

    def _record(self, result: ItemResult[T], handle: int | None = None) -> None:
        if self._finished:
            return
        self.result.add(result, handle=handle)
        journal = self._journal
        if journal is not None and result.outcome in _JOURNALED:
            try:
                journal.record(
                    self._reader.key(result.item),
                    result.outcome.value,
                    error=result.error,
                    name=self._reader.name(result.input) if result.input is not None else None,
                    may_have_been_applied=may_have_been_applied(result)
                    and (self._sent is None or self._sent(result.item)),
                    reason=result.reason,
                    job_id=self._reader.job_id(result.value) if result.value is not None else None,
                )
            except OSError as exc:  # the journal is closed: stop, and say why
                self._fail(exc)
        if self._events is not None and not self._quiet:
            self._events.put_nowait(result)
        if self._on_progress is not None:
            counts = self.result.counts
            progress = BulkProgress(
                done=sum(counts.values()), total=self.result.expected_total, counts=counts
            )
            try:
                self._on_progress(progress)
            except BaseException as exc:
                self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if self._error is None:
            self._error = exc
            self.result.error = exc
        self._finish()

    def _finish(self) -> None:
        if self._done.is_set():
            return
        self._done.set()
        if self._events is not None:
            self._events.put_nowait(None)

    def _settle(self) -> list[asyncio.Task[None]]:
        """Cancel what still runs and account for every item (synchronous, idempotent).

        Returns the cancelled tasks, for the caller to wait on.
        """
        if self._finished or not self._started:
            return []
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        self._quiet = True
        interrupted = self._error is not None or not self._exhausted or bool(self._in_flight)
        in_flight = list(self._in_flight.values())
        self._in_flight.clear()
        for item, _, given, handle in in_flight:
            stopped: ItemResult[T] = ItemResult(item=item, outcome=Outcome.CANCELLED)
            if self._stopped is not None:
                try:
                    stopped = self._stopped(item)
                except Exception as exc:  # pragma: no cover - a defect: keep it cancelled
                    logger.warning("bulk run: no outcome for %r in flight: %r", item, exc)
            self._record(attrs.evolve(stopped, input=given), handle)
        rest, self._sync, self._async = self._sync, None, None
        if rest is not None and isinstance(self._items, Collection):  # never drain a stream
            try:
                for raw in rest:
                    self._admit(raw, stopping=True)
            except Exception as exc:  # pragma: no cover - a collection whose iterator fails
                self._fail(exc)
        self.result.interrupted = interrupted
        if self._plan is not None:
            try:
                self.result.plan = self._plan(self.result)
            except Exception as exc:  # pragma: no cover - a defect: the run says so
                self._fail(exc)
        self._finished = True
        self._finish()
        if self._journal is not None:
            try:
                self._journal.close()
            except OSError as exc:
                if self._error is None:
                    self._error = self.result.error = exc
        if interrupted:
            logger.warning("bulk run stopped early: %r", self.result)
        return tasks

    async def _stop(self) -> None:
        """Account for everything now, then wait for the cancelled workers to end.

        The accounting cannot be interrupted; if this is cancelled again while waiting,
        the workers still end on their own.
        """
        tasks = self._settle()
        if tasks:
            await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))
