"""Driving a library bulk run from the command line, with a graceful Ctrl-C.

The first Ctrl-C stops *starting* work: the items are fed to the run through a gate that
closes, so what is in flight finishes (and is journaled) and the rest is reported as not
started. A second Ctrl-C cancels what is still in flight (``cancelled``: it may or may
not have been applied; the journal, when there is one, says so of each, and the next run
with it asks the API); a run that waits for work it started (``create-many``'s renders)
drains instead, and a third Ctrl-C cancels. Either way every item is accounted for
exactly once.

The library's ``BulkRun`` has no "finish what is in flight" stop of its own (leaving it
cancels in-flight work), hence the gate.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

import attrs

from .. import BulkResult, BulkRun, Outcome, ProjectId
from ._common import project_id_of
from ._display import Display

__all__ = ["RunSummary", "on_interrupt", "run_bulk"]


@attrs.frozen(kw_only=True)
class RunSummary:
    """How a bulk run from the command line ended.

    Attributes:
        result: The library's result for every item that was fed to the run.
        not_started: The items never fed to it (the run was stopped first).
        stopped: Ctrl-C stopped the run.
        error: What stopped the run by itself (a refused key, an unwritable journal).
        elapsed: Seconds the run took.
    """

    result: BulkResult[Any]
    not_started: tuple[Any, ...]
    stopped: bool
    error: BaseException | None
    elapsed: float

    @property
    def total(self) -> int:
        """Every item, in exactly one outcome."""
        return self.result.total + len(self.not_started)

    def count(self, outcome: Outcome) -> int:
        """Items that ended in ``outcome`` (not started ones included)."""
        extra = len(self.not_started) if outcome is Outcome.NOT_STARTED else 0
        return self.result.counts[outcome] + extra

    @property
    def not_started_ids(self) -> list[ProjectId]:
        """The ids of the items never fed to the run, and of those it did not start."""
        return [project_id_of(item) for item in self.not_started] + self.result.not_started


@contextlib.contextmanager
def on_interrupt(callback: Callable[[], object]) -> Iterator[None]:
    """Call ``callback`` on SIGINT (Ctrl-C) in the running loop, instead of raising.

    Where the loop cannot take signal handlers (Windows, a thread that is not the main
    one), Ctrl-C keeps its usual effect: the run is cancelled, and still accounted for.
    """
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGINT)
    try:
        loop.add_signal_handler(signal.SIGINT, callback)
    except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - Windows
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        with contextlib.suppress(TypeError, ValueError):
            signal.signal(signal.SIGINT, previous)


async def run_bulk(
    start: Callable[[AsyncIterator[Any]], BulkRun[Any]],
    items: Sequence[Any],
    display: Display,
    *,
    description: str,
    drain_note: str | None = None,
) -> RunSummary:
    """Run ``start(items)`` to its end (or to a Ctrl-C), showing each outcome.

    Args:
        start: Makes the library's ``BulkRun`` from an async iterator of items.
        items: What to do, in order (ids or summaries).
        display: Where each outcome is shown.
        description: What the run does, e.g. ``Deleting``.
        drain_note: When given, a second Ctrl-C drains the run (``BulkRun.drain``: the
            requests in flight finish, the waits stop) and shows this; a third abandons
            what is in flight.

    Returns:
        The ``RunSummary``: every item in exactly one outcome.
    """
    stop = asyncio.Event()
    fed = 0

    async def gate() -> AsyncIterator[Any]:
        nonlocal fed
        for item in items:
            if stop.is_set():
                return
            fed += 1
            yield item

    run = start(gate())

    async def consume() -> None:
        async with run:
            async for item in run:
                display.advance(item)

    display.start(len(items), description)
    consumer = asyncio.create_task(consume())

    abandoned: list[bool] = []

    def interrupt() -> None:
        if not stop.is_set():
            stop.set()
            display.note(
                "Stopping: nothing new starts; waiting for what is in flight to finish "
                f"(Ctrl-C again to {'stop waiting' if drain_note else 'abandon it'})"
            )
        elif drain_note is not None and not run.draining.is_set():
            run.drain()
            display.note(drain_note)
        elif consumer.cancel() and not abandoned:
            abandoned.append(True)
            display.note(
                "Abandoning what is in flight: it may or may not have been applied (counted "
                "as cancelled; a run with the same journal asks the API about each)"
            )

    error: BaseException | None = None
    try:
        with on_interrupt(interrupt):
            await asyncio.wait({consumer})
    finally:
        if not consumer.done():  # we were cancelled ourselves: the run is accounted for
            consumer.cancel()
            await asyncio.gather(consumer, return_exceptions=True)
        display.close()
    if not consumer.cancelled():
        error = consumer.exception()
    return RunSummary(
        result=run.result,
        not_started=tuple(items[fed:]),
        stopped=stop.is_set(),
        error=error,
        elapsed=display.elapsed,
    )
