"""The bulk engine: many calls at once, nothing lost, a few bytes kept per id.

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
import enum
import logging
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
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

from ._exceptions import (
    APIError,
    AuthenticationError,
    BulkOperationError,
    ClientClosedError,
    InvalidInputError,
)
from ._ids import validate_project_id
from ._idstore import IdLog, IdStore, SeenSet
from ._journal import Journal
from ._types import ProjectId

__all__ = ["BulkProgress", "BulkResult", "BulkRun", "ItemResult", "Outcome"]

logger = logging.getLogger("pictory_async")

T = TypeVar("T")

YIELD_EVERY = 1024  # items settled without a request between two yields to the event loop


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
    """In flight when the run stopped: it may or may not have been applied."""
    NOT_STARTED = "not_started"
    """Never sent, because the run was cancelled or stopped first."""


@attrs.frozen(kw_only=True)
class ItemResult(Generic[T]):
    """The outcome of one item.

    Attributes:
        item: The project id (or, for an input that is no id, the input itself).
        outcome: How it ended.
        value: The result (``DeleteResult`` or ``Project``) when there is one.
        error: The exception, for ``failed`` items (and for ``cancelled`` ones when the
            client was closed under them).
        reason: Why it was skipped (``dry_run``, ``duplicate``, ``journal``).
        input: The object the id was read from (a ``ProjectSummary`` or ``Project``)
            when the input gave one rather than a bare id.
    """

    item: ProjectId
    outcome: Outcome
    value: T | None = None
    error: BaseException | None = None
    reason: str | None = None
    input: object = None


@attrs.frozen(kw_only=True)
class BulkProgress:
    """A snapshot for progress bars: ``done`` of ``total`` (``None`` when unknown)."""

    done: int
    total: int | None
    counts: Mapping[Outcome, int]


_REASONS = ["dry_run", "duplicate", "journal"]  # skip reasons, stored as one byte each


class BulkResult(Generic[T]):
    """Every item of a bulk operation, each in exactly one outcome.

    Ids are kept compactly by outcome: each id's bytes once, 8 bytes per item in its
    outcome's log, and one byte more per skipped item for its reason. Per-item results
    (``values``) are kept only where they are the point of the run (``get_many``); a
    delete keeps no ``DeleteResult`` per id (stream the run with ``delete_many_stream``
    to see each one). A dry run keeps the input object (a ``ProjectSummary``, when the
    input gave summaries) in ``previewed``.
    """

    def __init__(self, *, total: int | None = None, keep_values: bool = True) -> None:
        self.expected_total = total
        self._store = IdStore()  # every id's bytes, once; the engine's SeenSet shares it
        self._ids: dict[Outcome, IdLog] = {outcome: IdLog(self._store) for outcome in Outcome}
        self._skip_reasons = bytearray()  # one code per entry of _ids[SKIPPED]
        self._reasons = list(_REASONS)
        self._failures: list[ItemResult[T]] = []
        self._keep_values = keep_values
        self.values: dict[ProjectId, T] = {}
        """Results by id: a ``Project`` per fetch (``get_many``); empty for deletes."""
        self.interrupted = False
        """Whether the run stopped before every item was done (cancelled, or an error)."""
        self.confirmed_gone: list[ProjectId] = []
        """Ids an earlier run's request may have deleted (its journal said so), found gone
        before this run read its input, and journaled as ``deleted``. Not items of this
        run: an input item naming one is then skipped (reason ``journal``)."""
        self.error: BaseException | None = None
        """The error that stopped the run early (a bad API key, a journal that cannot be
        written, a closed client, a failing input or callback), or ``None``."""

    def add(self, result: ItemResult[T], *, handle: int | None = None) -> None:
        """Record one item's outcome (the engine calls this exactly once per item).

        Args:
            result: The outcome.
            handle: Where this result's store already holds ``result.item``, as the same
                kind of id (the engine stored it to find duplicates); else it is stored.
        """
        outcome = result.outcome
        if outcome is Outcome.SKIPPED:
            reason = result.reason or ""
            try:
                code = self._reasons.index(reason)
            except ValueError:
                code = len(self._reasons)
                self._reasons.append(reason)
            self._skip_reasons.append(code)
            if reason == "dry_run" and result.input is not None:
                self._ids[outcome].append(result.input)
            else:
                self._ids[outcome].append(result.item, handle)
            return
        self._ids[outcome].append(result.item, handle)
        if outcome is Outcome.FAILED:
            self._failures.append(result)
        if self._keep_values and result.value is not None:
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
        """The ids that ended in ``outcome``, in the order they ended.

        Args:
            outcome: The ``Outcome`` asked about.

        Returns:
            A new list of ids.
        """
        if outcome is Outcome.SKIPPED:
            return [as_project_id(entry) for entry in self._ids[outcome]]
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
        """Ids skipped for ``reason``.

        Args:
            reason: ``dry_run``, ``duplicate`` or ``journal``.

        Returns:
            A new list of ids.
        """
        return [as_project_id(entry) for entry in self._skipped_entries(reason)]

    def _skipped_entries(self, reason: str) -> list[Any]:
        if reason not in self._reasons:
            return []
        code = self._reasons.index(reason)
        entries = self._ids[Outcome.SKIPPED]
        return [entry for entry, c in zip(entries, self._skip_reasons, strict=True) if c == code]

    @property
    def previewed(self) -> list[Any]:
        """What a dry run would have sent, in order, as the input gave it.

        A ``ProjectSummary`` (with its name and saved date) when the input was
        summaries, e.g. ``client.projects.select(...)``, so a report needs no second
        listing; the bare id when the input was ids.
        """
        return self._skipped_entries("dry_run")

    @property
    def failed(self) -> list[ItemResult[T]]:
        """Failed items, each with its typed ``error``."""
        return list(self._failures)

    @property
    def cancelled(self) -> list[ProjectId]:
        """Ids in flight when the run stopped (may or may not have been applied)."""
        return self.ids(Outcome.CANCELLED)

    @property
    def not_started(self) -> list[ProjectId]:
        """Ids never sent because the run stopped first."""
        return self.ids(Outcome.NOT_STARTED)

    @property
    def ok(self) -> bool:
        """The run went to the end, and no item failed, was cancelled or left unstarted."""
        ids = self._ids
        return not (
            self.interrupted
            or ids[Outcome.FAILED]
            or ids[Outcome.CANCELLED]
            or ids[Outcome.NOT_STARTED]
        )

    def failure_message(self) -> str:
        """One line on what went wrong: counts, the first failure, what stopped the run."""
        counts = self.counts
        message = f"{counts[Outcome.FAILED]} of {self.total} items failed"
        for outcome, label in (
            (Outcome.CANCELLED, "cancelled"),
            (Outcome.NOT_STARTED, "not started"),
        ):
            if counts[outcome]:
                message += f", {counts[outcome]} {label}"
        if self._failures:
            first = self._failures[0]
            message += f"; first: {first.item!r}: {first.error}"
        if self.error is not None:
            message += f"; stopped by {type(self.error).__name__}: {self.error}"
        elif self.interrupted:
            message += "; the run was stopped early"
        return message

    def raise_for_failures(self) -> None:
        """Raise ``BulkOperationError`` unless ``ok``: an item failed, or the run stopped early.

        Raises:
            BulkOperationError: Carrying this result and a message naming the first failure.
        """
        if not self.ok:
            raise BulkOperationError(self, self.failure_message())

    def __repr__(self) -> str:
        counts = ", ".join(f"{o.value}={n}" for o, n in self.counts.items() if n)
        return f"BulkResult(total={self.total}, {counts or 'empty'})"


Operation = Callable[[ProjectId], Awaitable[ItemResult[T]]]
Confirm = Callable[[ProjectId], Awaitable[bool]]
Sent = Callable[[ProjectId], bool]
"""Whether an item's changing request (a DELETE) may have been sent yet."""
"""Whether an earlier run's request for an id, which may have been applied, was: ``True``
(a delete's project is gone), ``False`` (it is still there); raises when it cannot tell."""
ProgressCallback = Callable[[BulkProgress], object]


def dedupe_key(item: ProjectId) -> ProjectId:
    """``5`` and ``"5"`` name the same project; anything else is compared as is.

    Only ASCII digits count: an id of fullwidth or Arabic-Indic digits is another id
    than the int of the same value.
    """
    if isinstance(item, str) and type(item) is not str:
        item = str.__str__(item)  # a subclass's own __eq__ and __hash__ play no part
    elif isinstance(item, int) and type(item) is not int:
        item = int.__int__(item)
    if (
        isinstance(item, str)
        and item.isascii()
        and item.isdecimal()
        and (item == "0" or item[0] != "0")
    ):
        return int(item)
    return item


def as_project_id(item: object) -> ProjectId:
    """An id from an id, a ``ProjectSummary`` or a ``Project``."""
    if isinstance(item, (str, int)):
        return item
    try:
        found = getattr(item, "id", None)
    except Exception:  # a hostile property: the item is refused as no id
        found = None
    if isinstance(found, (str, int)) and not isinstance(found, bool):
        return found
    return item  # type: ignore[return-value]  # rejected by validate_project_id


def _name_of(given: object) -> str | None:
    """The project name a ``ProjectSummary`` (``name``) or ``Project`` carries."""
    for attribute in ("name", "project_name"):
        try:
            name = getattr(given, attribute, None)
        except Exception:  # a hostile property: no name
            name = None
        if isinstance(name, str):
            return name
    return None


_Pulled = tuple[ProjectId, object, "int | None"]
"""The id to send, the input object it came from, and where the result's store holds it."""


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
        self._confirm = confirm
        self._sent = sent  # None: every item in flight may have been applied
        self._unconfirmed: list[ProjectId] = []  # ids to ask about before the input
        self._confirming = 0  # workers still asking
        self._confirmed = asyncio.Event()
        total = len(items) if isinstance(items, Sized) else None
        self.result: BulkResult[T] = BulkResult(total=total, keep_values=keep_values)
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
            if self._confirm is not None and not self._dry_run:
                self._unconfirmed = sorted(self._journal.unconfirmed, key=str, reverse=True)
        self._confirming = self._concurrency
        if not self._unconfirmed:
            self._confirmed.set()
        self._active = self._concurrency
        self._tasks = [asyncio.create_task(self._worker(n)) for n in range(self._concurrency)]

    async def _next(self) -> _Pulled | None:
        """The next item to send, read from the input (by one worker at a time).

        Items settled without a request (invalid, duplicates, done, dry run) are
        recorded on the way. ``None`` when the input is exhausted or failed.
        """
        passed = 0
        while True:
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

    def _admit(self, raw: object, *, stopping: bool = False) -> _Pulled | None:
        """What to send for ``raw``, or ``None`` when it was settled without a request."""
        item = as_project_id(raw)
        given = raw if raw is not item else None
        try:
            validate_project_id(item)
        except InvalidInputError as exc:
            self._record(ItemResult(item=item, outcome=Outcome.FAILED, error=exc, input=given))
            return None
        key = dedupe_key(item)
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
        return item, given, handle

    async def _worker(self, slot: int) -> None:
        try:
            await self._work(slot)
        except Exception as exc:  # a defect, or a hostile input: stop the run, never hang
            self._fail(exc)

    async def _confirm_earlier(self) -> None:
        """Ask about the ids an earlier run may have applied, before any input is read.

        Each answer is journaled: done (``deleted``, reason ``confirmed_gone``) or
        ``not_applied``. An id the API cannot answer about stays unconfirmed; an input
        item naming it is sent as usual, and its own answer confirms it.
        """
        journal, confirm = self._journal, self._confirm
        try:
            while self._unconfirmed and self._error is None and journal and confirm:
                key = self._unconfirmed.pop()
                try:
                    done = await confirm(key)
                except (AuthenticationError, ClientClosedError) as exc:
                    self._fail(exc)  # every other request would fail too
                    return
                except Exception as exc:  # cannot tell: it stays unconfirmed
                    logger.info("could not confirm %r: %s", key, type(exc).__name__)
                    continue
                try:
                    if done:
                        journal.record(key, Outcome.DELETED.value, reason="confirmed_gone")
                        self.result.confirmed_gone.append(key)
                    else:
                        journal.record(key, "not_applied")
                except OSError as exc:
                    self._fail(exc)
                    return
        finally:
            self._confirming -= 1
            if self._confirming == 0:
                self._confirmed.set()
        await self._confirmed.wait()

    async def _work(self, slot: int) -> None:
        if not self._confirmed.is_set():
            await self._confirm_earlier()
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
            item, given, handle = pulled
            try:
                result = await operation(item)
            except asyncio.CancelledError:
                if not self._finished:  # not our stop: the run cannot go on without us
                    self._fail(asyncio.CancelledError("a bulk worker was cancelled"))
                raise  # accounted as cancelled by _settle, from _in_flight
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
                    dedupe_key(result.item),
                    result.outcome.value,
                    error=result.error,
                    name=_name_of(result.input) if result.input is not None else None,
                    may_have_been_applied=may_have_been_applied(result)
                    and (self._sent is None or self._sent(result.item)),
                    reason=result.reason,
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
        for item, given, handle in in_flight:
            self._record(ItemResult(item=item, outcome=Outcome.CANCELLED, input=given), handle)
        rest, self._sync, self._async = self._sync, None, None
        if rest is not None and isinstance(self._items, Collection):  # never drain a stream
            try:
                for raw in rest:
                    self._admit(raw, stopping=True)
            except Exception as exc:  # pragma: no cover - a collection whose iterator fails
                self._fail(exc)
        self.result.interrupted = interrupted
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


_JOURNALED = frozenset({Outcome.DELETED, Outcome.ALREADY_ABSENT, Outcome.FAILED, Outcome.CANCELLED})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def may_have_been_applied(result: ItemResult[Any]) -> bool:
    """Whether the item's request may have changed something on the API's side.

    A request in flight when the run stopped may have (``cancelled``); so may one that
    failed after it may have been received (the error's ``may_have_been_applied``),
    unless it only read (a GET of a backup). Such items are journaled as such, and a
    resume confirms them before it reports them.
    """
    if result.outcome is Outcome.CANCELLED:
        return True
    if result.outcome is not Outcome.FAILED:
        return False
    error = result.error
    if not isinstance(error, APIError) or not error.may_have_been_applied:
        return False
    return error.request.method not in _SAFE_METHODS
