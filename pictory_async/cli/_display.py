"""Showing a bulk run: a live bar on a terminal, plain lines elsewhere, JSON lines with --json.

Every display counts outcomes from the items the run streams; none of them drives the
run. Progress goes to stderr, results (JSON lines, the summary) to stdout.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from .. import ItemResult, Outcome
from ._common import describe, dumps, printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

__all__ = ["Display", "JsonDisplay", "PlainDisplay", "RichDisplay", "label", "make_display"]

MAX_FAILURE_LINES = 10
"""Failures printed as they happen; the rest are counted (and in the journal)."""

_LABELS = {
    Outcome.DELETED: "deleted",
    Outcome.FETCHED: "done",
    Outcome.ALREADY_ABSENT: "already absent",
    Outcome.CREATED: "created",
    Outcome.SKIPPED: "skipped",
    Outcome.FAILED: "failed",
    Outcome.CANCELLED: "cancelled",
    Outcome.NOT_STARTED: "not started",
    Outcome.UNKNOWN: "unknown",
}


def label(outcome: Outcome, fetched: str = "done") -> str:
    """How an outcome reads in a sentence (``fetched`` names what a non-delete run did)."""
    return fetched if outcome in (Outcome.FETCHED, Outcome.CREATED) else _LABELS[outcome]


def counts_text(counts: Counter[Outcome], fetched: str = "done") -> str:
    """``deleted 120 · failed 2``: the outcomes seen so far, in a fixed order."""
    return " · ".join(
        f"{label(outcome, fetched)} {counts[outcome]:,}" for outcome in Outcome if counts[outcome]
    )


class Display:
    """The base display: counts outcomes; prints nothing."""

    def __init__(self, *, verb: str = "done") -> None:
        """A display for a run whose successes read as ``verb`` (``deleted``, ``backed up``)."""
        self.verb = verb
        self.counts: Counter[Outcome] = Counter()
        self.total = 0
        self.done = 0
        self.stages: dict[str, int] = {}
        """Counts of items on their way, shown before the outcomes (``rendering 3``)."""
        self.item_name: Callable[[ItemResult[Any]], object] = lambda item: item.item
        """How a failure note names its item (default: its id)."""
        self.watch: Callable[[ItemResult[Any]], object] | None = None
        """Called with each item as it ends, before it is counted (a command's own tally)."""
        self._failures_shown = 0
        self._clock: Callable[[], float] = time.monotonic
        self.started = self._clock()

    def start(self, total: int, description: str) -> None:
        """The run begins with ``total`` items."""
        self.total = total
        self.started = self._clock()

    def advance(self, item: ItemResult[Any]) -> None:
        """One item ended."""
        if self.watch is not None:
            self.watch(item)
        self.counts[item.outcome] += 1
        self.done += 1
        if item.outcome is Outcome.FAILED and item.error is not None:
            self._failures_shown += 1
            if self._failures_shown <= MAX_FAILURE_LINES:
                self.note(f"failed {self.item_name(item)}: {describe(item.error)}")
            elif self._failures_shown == MAX_FAILURE_LINES + 1:
                self.note("more failures: see the summary")

    def stage(self, name: str, change: int = 1) -> None:
        """Move the count of the items at stage ``name`` (``created``, ``rendering``)."""
        self.stages[name] = self.stages.get(name, 0) + change
        self.refresh()

    def counts_line(self) -> str:
        """``created 12 · rendering 3 · done 9``: the stages, then the outcomes."""
        stages = [f"{name} {count:,}" for name, count in self.stages.items()]
        return " · ".join(part for part in (*stages, counts_text(self.counts, self.verb)) if part)

    def refresh(self) -> None:
        """Show the counts now (a live bar; other displays wait for the next item)."""

    def note(self, message: str) -> None:
        """A message for the person watching (stderr)."""

    def close(self) -> None:
        """The run ended: leave the last state on screen."""

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return self._clock() - self.started


class PlainDisplay(Display):
    """A line on stderr every tenth of the run (and at most every 5 s): for logs and pipes."""

    def __init__(self, *, verb: str = "done", stream: TextIO | None = None) -> None:
        """Lines to ``stream`` (default: stderr at the time of writing)."""
        super().__init__(verb=verb)
        self._stream = stream
        self._description = ""
        self._step = 1
        self._last_line = 0.0

    def _write(self, text: str) -> None:
        stream = self._stream or sys.stderr
        stream.write(printable(text) + "\n")
        stream.flush()

    def start(self, total: int, description: str) -> None:
        """Print what starts."""
        super().start(total, description)
        self._description = description
        self._step = max(1, total // 10)
        self._last_line = self.started
        self._write(f"{description}: {total:,} to go")

    def advance(self, item: ItemResult[Any]) -> None:
        """Count the item; print a line at each tenth, or after 5 s without one."""
        super().advance(item)
        now = self._clock()
        if self.done % self._step == 0 or now - self._last_line >= 5.0 or self.done == self.total:
            self._last_line = now
            self._write(self.line())

    def line(self) -> str:
        """``Deleting: 300/1,000 (30%), 120/s, ETA 6 s; deleted 300``."""
        elapsed = self.elapsed
        rate = self.done / elapsed if elapsed > 0 else 0.0
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        eta = ""
        if rate > 0 and self.total > self.done:
            eta = f", ETA {(self.total - self.done) / rate:.0f} s"
        return (
            f"{self._description}: {self.done:,}/{self.total:,}{share}, {rate:,.0f}/s{eta}; "
            f"{self.counts_line()}"
        )

    def note(self, message: str) -> None:
        """Print the message."""
        self._write(message)


class JsonDisplay(Display):
    """One JSON line per item on stdout, nothing else there: for ``jq`` and scripts."""

    def advance(self, item: ItemResult[Any]) -> None:
        """Print the item's line (a non-delete success reads as the verb: ``backed_up``)."""
        super().advance(item)
        line = item_json(item)
        if item.outcome is Outcome.FETCHED:
            line["outcome"] = self.verb.replace(" ", "_")
        sys.stdout.write(dumps(line) + "\n")

    def note(self, message: str) -> None:
        """Messages go to stderr."""
        sys.stderr.write(printable(message) + "\n")


def item_json(item: ItemResult[Any]) -> dict[str, Any]:
    """``{"id": ..., "outcome": ..., "name": ..., "error": ...}`` for one item."""
    line: dict[str, Any] = {"id": item.item, "outcome": item.outcome.value}
    name = getattr(item.input, "name", None)
    if isinstance(name, str):
        line["name"] = name
    if item.reason is not None:
        line["reason"] = item.reason
    if item.error is not None:
        line["error"] = describe(item.error)
    return line


class RichDisplay(Display):
    """A live Rich progress bar on the terminal: done/total, rate, ETA, counts by outcome."""

    def __init__(self, *, verb: str = "done", console: Console | None = None) -> None:
        """A bar on ``console`` (default: a ``SafeConsole`` on stderr)."""
        super().__init__(verb=verb)
        from ._console import make_console

        self.console = console or make_console(stderr=True)
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int, description: str) -> None:
        """Show the bar."""
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        super().start(total, description)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=self.console,
            refresh_per_second=8,
            speed_estimate_period=10.0,
        )
        self._progress.start()
        self._task = self._progress.add_task(description, total=total, counts="", rate="")

    def advance(self, item: ItemResult[Any]) -> None:
        """Move the bar."""
        super().advance(item)
        if self._progress is not None and self._task is not None:
            elapsed = self.elapsed
            rate = f"{self.done / elapsed:,.0f}/s" if elapsed > 0 else ""
            self._progress.update(self._task, advance=1, counts=self.counts_line(), rate=rate)

    def refresh(self) -> None:
        """Show the stages' counts on the bar."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, counts=self.counts_line())

    def note(self, message: str) -> None:
        """Print above the bar."""
        self.console.print(printable(message), markup=False, highlight=False)

    def close(self) -> None:
        """Stop refreshing, leaving the final bar."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def make_display(*, json_output: bool, verb: str) -> Display:
    """JSON lines with ``--json``, a live bar on a terminal, plain lines otherwise."""
    if json_output:
        return JsonDisplay(verb=verb)
    if sys.stderr.isatty():
        return RichDisplay(verb=verb)
    return PlainDisplay(verb=verb)
