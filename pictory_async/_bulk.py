"""The bulk engine: many calls at once, nothing lost, memory flat.

A bounded pool of workers pulls ids from a stream (a list, a generator, an async
iterator such as ``projects.select(...)``); there is never one task per item, so a run
over a million ids costs what a run over a hundred does. Every id pulled from the input
ends in exactly one ``Outcome``, also when the run is cancelled, or a callback raises:
what finished is reported as finished, what was in flight as ``cancelled`` (it may or may
not have been applied), what was read but not started as ``not_started``. When the input
is an in-memory collection, the ids never read from it are ``not_started`` too.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import (
    AsyncIterable,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sized,
)
from types import TracebackType
from typing import Any, Generic, TypeVar

import attrs

from ._exceptions import BulkOperationError, InvalidInputError
from ._ids import validate_project_id
from ._journal import Journal
from ._types import ProjectId

__all__ = ["BulkProgress", "BulkResult", "BulkRun", "ItemResult", "Outcome"]

logger = logging.getLogger("pictory_async")

T = TypeVar("T")

YIELD_EVERY = 1024  # items read from a sync input between two yields to the event loop


class Outcome(str, enum.Enum):
    """How one item of a bulk operation ended."""

    DELETED = "deleted"
    """The project was deleted by this run."""
    FETCHED = "fetched"
    """The project was fetched (``get_many``)."""
    ALREADY_ABSENT = "already_absent"
    """The project did not exist (or was gone before we asked)."""
    SKIPPED = "skipped"
    """Not sent: a dry run, a duplicate in the input, or done by an earlier run."""
    FAILED = "failed"
    """Failed for good; ``error`` says why."""
    CANCELLED = "cancelled"
    """In flight when the run was cancelled: it may or may not have been applied."""
    NOT_STARTED = "not_started"
    """Never sent, because the run was cancelled or stopped first."""


class _Signal(enum.Enum):
    END = "end"  # the input is exhausted (or the run failed)
    YIELD = "yield"  # many items settled without a request: yield to the event loop


_END = _Signal.END
_YIELD = _Signal.YIELD


@attrs.frozen(kw_only=True)
class ItemResult(Generic[T]):
    """The outcome of one item.

    Attributes:
        item: The project id.
        outcome: How it ended.
        value: The result (``DeleteResult`` or ``Project``) when there is one.
        error: The exception, for ``failed`` items.
        reason: Why it was skipped (``dry_run``, ``duplicate``, ``journal``).
    """

    item: ProjectId
    outcome: Outcome
    value: T | None = None
    error: BaseException | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class BulkProgress:
    """A snapshot for progress bars: ``done`` of ``total`` (``None`` when unknown)."""

    done: int
    total: int | None
    counts: Mapping[Outcome, int]


class BulkResult(Generic[T]):
    """Every item of a bulk operation, each in exactly one outcome.

    Ids are kept compactly by outcome (a million skipped ids cost a list of ids, not a
    million objects); results (``DeleteResult``, ``Project``) are kept in ``values``.
    """

    def __init__(self, *, total: int | None = None) -> None:
        self.expected_total = total
        self._ids: dict[Outcome, list[ProjectId]] = {outcome: [] for outcome in Outcome}
        self._skip_reasons: dict[str, list[ProjectId]] = {}
        self._failures: list[ItemResult[T]] = []
        self.values: dict[ProjectId, T] = {}
        """Results by id: a ``DeleteResult`` per deleted project, a ``Project`` per fetch."""
        self.interrupted = False
        """Whether the run was cancelled or stopped before every item was done."""

    def add(self, result: ItemResult[T]) -> None:
        """Record one item's outcome (the engine calls this exactly once per item)."""
        outcome = result.outcome
        self._ids[outcome].append(result.item)
        if outcome is Outcome.FAILED:
            self._failures.append(result)
        elif outcome is Outcome.SKIPPED:
            self._skip_reasons.setdefault(result.reason or "", []).append(result.item)
        if result.value is not None:
            self.values[result.item] = result.value

    @property
    def total(self) -> int:
        """How many items were accounted for."""
        return sum(len(ids) for ids in self._ids.values())

    @property
    def counts(self) -> dict[Outcome, int]:
        """Number of items by outcome (every outcome present, zeros included)."""
        return {outcome: len(ids) for outcome, ids in self._ids.items()}

    def ids(self, outcome: Outcome) -> list[ProjectId]:
        """The ids that ended in ``outcome``, in the order they ended."""
        return list(self._ids[outcome])

    @property
    def deleted(self) -> list[ProjectId]:
        """Ids deleted by this run."""
        return self.ids(Outcome.DELETED)

    @property
    def fetched(self) -> list[T]:
        """Fetched values (``get_many``), in the order they arrived."""
        return [self.values[item] for item in self._ids[Outcome.FETCHED]]

    @property
    def already_absent(self) -> list[ProjectId]:
        """Ids that did not exist."""
        return self.ids(Outcome.ALREADY_ABSENT)

    @property
    def skipped(self) -> list[ProjectId]:
        """Ids not sent (dry run, duplicates, done in an earlier run)."""
        return self.ids(Outcome.SKIPPED)

    def skipped_because(self, reason: str) -> list[ProjectId]:
        """Ids skipped for ``reason``: ``dry_run``, ``duplicate`` or ``journal``."""
        return list(self._skip_reasons.get(reason, ()))

    @property
    def failed(self) -> list[ItemResult[T]]:
        """Failed items, each with its typed ``error``."""
        return list(self._failures)

    @property
    def cancelled(self) -> list[ProjectId]:
        """Ids in flight when the run was cancelled (may or may not be applied)."""
        return self.ids(Outcome.CANCELLED)

    @property
    def not_started(self) -> list[ProjectId]:
        """Ids never sent because the run stopped first."""
        return self.ids(Outcome.NOT_STARTED)

    @property
    def ok(self) -> bool:
        """No item failed, was cancelled, or was left unstarted."""
        counts = self.counts
        return not (
            counts[Outcome.FAILED] or counts[Outcome.CANCELLED] or counts[Outcome.NOT_STARTED]
        )

    def raise_for_failures(self) -> None:
        """Raise ``BulkOperationError`` if any item failed, was cancelled or not started."""
        if not self.ok:
            raise BulkOperationError(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{o.value}={n}" for o, n in self.counts.items() if n)
        return f"BulkResult(total={self.total}, {counts or 'empty'})"


Operation = Callable[[ProjectId], Awaitable[ItemResult[T]]]
ProgressCallback = Callable[[BulkProgress], object]


def dedupe_key(item: ProjectId) -> ProjectId:
    """``5`` and ``"5"`` name the same project; anything else is compared as is."""
    if isinstance(item, str) and item.isdecimal() and (item == "0" or item[0] != "0"):
        return int(item)
    return item


def as_project_id(item: object) -> ProjectId:
    """An id from an id, a ``ProjectSummary`` or a ``Project``."""
    if isinstance(item, (str, int)):
        return item
    found = getattr(item, "id", None)
    if isinstance(found, (str, int)) and not isinstance(found, bool):
        return found
    return item  # type: ignore[return-value]  # rejected by validate_project_id


class BulkRun(Generic[T]):
    """A running bulk operation: an async context manager and an async iterator.

    ::

        async with client.projects.delete_many_stream(ids) as run:
            async for item in run:
                print(item.item, item.outcome)
        print(run.result)   # complete, also after a break, an error or a cancellation

    Leaving the ``async with`` block early cancels what is still running and accounts
    for every item read so far.
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
    ) -> None:
        if isinstance(items, (str, bytes)) or not isinstance(items, (Iterable, AsyncIterable)):
            raise InvalidInputError("ids must be an iterable or async iterable of project ids")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidInputError(f"concurrency must be an int >= 1, got {concurrency!r}")
        self._items = items
        self._operation = operation
        self._concurrency = concurrency
        self._dry_run = dry_run
        self._on_progress = on_progress
        self._journal = journal
        total = len(items) if isinstance(items, Sized) else None
        self.result: BulkResult[T] = BulkResult(total=total)
        self._seen: set[ProjectId] = set()
        self._queue: asyncio.Queue[ProjectId | _Signal] = asyncio.Queue(maxsize=concurrency)
        self._active = 0
        self._events: asyncio.Queue[ItemResult[T] | None] | None = None
        self._in_flight: dict[int, ProjectId] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._sync_rest: Iterator[Any] | None = None
        self._admitting: ProjectId | None = None
        self._done = asyncio.Event()
        self._error: BaseException | None = None
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

    def __aiter__(self) -> BulkRun[T]:
        return self

    async def __anext__(self) -> ItemResult[T]:
        if self._events is None:
            raise RuntimeError("iterate a bulk run inside 'async with'")
        event = await self._events.get()
        if event is None:
            self._events.put_nowait(None)  # stay exhausted
            if self._error is not None:
                raise self._error
            raise StopAsyncIteration
        return event

    async def wait(self) -> BulkResult[T]:
        """Run to the end without streaming; return the complete result."""
        self._start()
        try:
            await self._done.wait()
        finally:
            await self._stop()
        if self._error is not None:
            raise self._error
        return self.result

    def _start(self) -> None:
        if self._started:
            raise RuntimeError("a bulk run can only be started once")
        self._started = True
        self._active = self._concurrency
        self._tasks = [asyncio.create_task(self._worker(n)) for n in range(self._concurrency)]
        if isinstance(self._items, AsyncIterable):
            self._tasks.append(asyncio.create_task(self._feed(self._items)))
        else:
            self._sync_rest = iter(self._items)

    # Sync inputs: workers pull from the shared iterator themselves (no queue, no feeder).
    # Async inputs: one feeder task reads them into a queue, ended by a sentinel.

    def _pull(self) -> ProjectId | _Signal:
        """The next id to send from a sync input; records skips and failures on the way."""
        iterator = self._sync_rest
        if iterator is None:
            return _END
        passed = 0
        try:
            for raw in iterator:
                item = self._admit(raw)
                if item is not None:
                    return item
                passed += 1
                if passed == YIELD_EVERY:
                    return _YIELD  # let the event loop breathe during a long dry run
        except Exception as exc:  # the input itself failed: stop the run
            self._sync_rest = None
            self._fail(exc)
            return _END
        self._sync_rest = None
        return _END

    async def _feed(self, items: AsyncIterable[Any]) -> None:
        try:
            async for raw in items:
                item = self._admit(raw)
                if item is not None:
                    self._admitting = item  # read from the input but not queued yet
                    await self._queue.put(item)
                    self._admitting = None
        except Exception as exc:  # the input itself failed: stop the run
            self._fail(exc)
        self._queue.put_nowait(_END)

    def _admit(self, raw: object) -> ProjectId | None:
        """The id to send for ``raw``, or ``None`` when it was settled without a request."""
        item = as_project_id(raw)
        try:
            validate_project_id(item)
        except InvalidInputError as exc:
            self._record(ItemResult(item=item, outcome=Outcome.FAILED, error=exc))
            return None
        key = dedupe_key(item)
        if key in self._seen:
            self._record(ItemResult(item=item, outcome=Outcome.SKIPPED, reason="duplicate"))
            return None
        self._seen.add(key)
        if self._journal is not None and self._journal.is_done(key):
            self._record(ItemResult(item=item, outcome=Outcome.SKIPPED, reason="journal"))
            return None
        if self._dry_run:
            self._record(ItemResult(item=item, outcome=Outcome.SKIPPED, reason="dry_run"))
            return None
        return item

    async def _next(self) -> ProjectId | _Signal:
        if self._sync_rest is not None:
            while True:
                item = self._pull()
                if item is not _YIELD:
                    return item
                await asyncio.sleep(0)
        if isinstance(self._items, AsyncIterable):
            item = await self._queue.get()
            if item is _END:
                self._queue.put_nowait(_END)  # for the next worker
            return item
        return _END

    async def _worker(self, slot: int) -> None:
        operation = self._operation
        while not self._error:
            item = await self._next()
            if isinstance(item, _Signal):
                break
            self._in_flight[slot] = item
            try:
                result = await operation(item)
            except asyncio.CancelledError:
                raise  # accounted as cancelled by _stop, from _in_flight
            except Exception as exc:
                result = ItemResult(item=item, outcome=Outcome.FAILED, error=exc)
            except BaseException as exc:  # KeyboardInterrupt, SystemExit: stop the run
                self._fail(exc)
                raise
            del self._in_flight[slot]
            self._record(result)
        self._active -= 1
        if self._active == 0:
            self._finish()

    def _record(self, result: ItemResult[T]) -> None:
        if self._finished:
            return
        self.result.add(result)
        if self._journal is not None and not self._dry_run:
            self._journal.record(dedupe_key(result.item), result)
        if self._events is not None:
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
        self._finish()

    def _finish(self) -> None:
        self._done.set()
        if self._events is not None:
            self._events.put_nowait(None)

    async def _stop(self) -> None:
        """Cancel what still runs and account for every item read (idempotent)."""
        if self._finished:
            return
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        leftovers: list[ItemResult[T]] = [
            ItemResult(item=item, outcome=Outcome.CANCELLED) for item in self._in_flight.values()
        ]
        self._in_flight.clear()
        while not self._queue.empty():
            queued = self._queue.get_nowait()
            if not isinstance(queued, _Signal):
                leftovers.append(ItemResult(item=queued, outcome=Outcome.NOT_STARTED))
        if self._admitting is not None:
            leftovers.append(ItemResult(item=self._admitting, outcome=Outcome.NOT_STARTED))
            self._admitting = None
        rest = self._sync_rest
        self._sync_rest = None
        if rest is not None and isinstance(self._items, Collection):  # never drain a stream
            leftovers.extend(
                ItemResult(item=as_project_id(raw), outcome=Outcome.NOT_STARTED) for raw in rest
            )
        if leftovers or self._error is not None or rest is not None:
            self.result.interrupted = True
        for leftover in leftovers:
            self._record(leftover)
        self._finished = True
        if self._journal is not None:
            await self._journal.aclose()
        if self.result.interrupted:
            logger.warning("bulk run stopped early: %r", self.result)
