"""The end of ``videos create-many``: every row accounted for, what is left, the exit code.

With ``--json``, the rows whose end the run did not stream (never started, or abandoned
by a Ctrl-C) get their line here, then one summary line (and on stderr, the rows whose
answer was lost). Otherwise: counts by
outcome, the videos an earlier run made or started, where the files and the journal
are, the first failures, the rows whose request's answer was lost (not sent again, and
what ``--retry-unknown`` would cost), and after a Ctrl-C how to finish.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .. import InvalidInputError, Outcome
from ._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    describe,
    dumps,
    error,
    printable,
)
from ._console import make_console
from ._display import label

if TYPE_CHECKING:
    from rich.console import Console

    from ._bulkrun import RunSummary
    from ._many_rows import ManyOptions, RowsSeen

__all__ = ["finish_many"]

MAX_FAILURES = 5
"""Failed rows named in the summary; the rest are counted (the journal has each)."""
MAX_UNKNOWN = 20
"""Rows with a lost answer named by their line; the rest are counted."""
_LEFT = (Outcome.CREATED, Outcome.FAILED, Outcome.UNKNOWN, Outcome.CANCELLED, Outcome.NOT_STARTED)
"""Outcomes a row may end in without the run streaming it (a second Ctrl-C)."""


def finish_many(summary: RunSummary, rows: RowsSeen, options: ManyOptions) -> int:
    """Print what was made and what was not; the exit code (0, 1, or 130 after Ctrl-C).

    A run that stopped before its first row (a journal that is not one, or in use, or
    cannot be created) sent nothing: its error alone, exit 2 for a bad journal.
    """
    if summary.error is not None and not summary.result.total and not summary.stopped:
        error(f"{describe(summary.error)}; nothing was sent")
        return EXIT_USAGE if isinstance(summary.error, InvalidInputError) else EXIT_FAILED
    if options.json_output:
        _json_rest(summary, rows, options)
        _print_unknown(summary.result.unknown, rows, options, make_console(stderr=True))
    else:
        _print_summary(summary, rows, options)
    if summary.error is not None:
        error(f"the run stopped: {describe(summary.error)}")
    if summary.stopped:
        return EXIT_INTERRUPTED
    if summary.error is not None or not summary.result.ok:
        return EXIT_FAILED
    return EXIT_OK


def _line_of(key: object, rows: RowsSeen) -> int | None:
    return getattr(rows.inputs.get(key), "line", None)


def _json_rest(summary: RunSummary, rows: RowsSeen, options: ManyOptions) -> None:
    """A line for each row not shown yet, then the summary line."""
    result = summary.result
    write = sys.stdout.write
    for outcome in _LEFT:
        for key in result.ids(outcome):
            if key in rows.shown:
                continue
            value = result.values.get(key)
            job_id = getattr(value, "job_id", None)
            entry = {"line": _line_of(key, rows), "key": key, "outcome": outcome.value}
            write(dumps(entry | {"job_id": job_id}) + "\n")
    for row in summary.not_started:
        write(dumps({"line": row.line, "key": None, "outcome": "not_started"}) + "\n")
    counts = {outcome.value: summary.count(outcome) for outcome in Outcome}
    line: dict[str, Any] = {
        "rows": summary.total,
        **{name: count for name, count in counts.items() if count},
        "interrupted": summary.stopped,
        "journal": str(options.journal),
        "error": describe(summary.error) if summary.error is not None else None,
    }
    write(dumps({"summary": line}) + "\n")


def _where(key: object, rows: RowsSeen) -> str:
    line = _line_of(key, rows)
    return f"line {line}" if line is not None else printable(key)


def _print_summary(summary: RunSummary, rows: RowsSeen, options: ManyOptions) -> None:
    from rich.text import Text

    console = make_console()
    result = summary.result
    verb = "done" if options.wait else "created"
    made = summary.count(Outcome.CREATED)
    what = "Made" if options.wait else "Started"
    console.print(
        Text.assemble(
            (f"{what} {made:,} of {summary.total:,} videos", "bold"),
            f" in {summary.elapsed:,.1f} s",
        )
    )
    parts = [
        f"{label(outcome, verb)} {summary.count(outcome):,}"
        for outcome in Outcome
        if summary.count(outcome) or outcome in (Outcome.FAILED, Outcome.NOT_STARTED)
    ]
    console.print("  " + " · ".join(parts))
    earlier = len(result.skipped_because("journal"))
    if earlier:
        console.print(f"  {earlier:,} made by an earlier run (journal): not made again")
    repeated = len(result.skipped_because("duplicate"))
    if repeated:
        console.print(
            f"  {repeated:,} repeating an earlier row's key: skipped (a key is one video)"
        )
    followed = sum(1 for item in rows.started.values() if getattr(item.value, "followed", False))
    if followed:
        console.print(f"  {followed:,} renders an earlier run started were followed, not resent")
    if options.download is not None:
        console.print(f"  Files: {options.download.resolve()}", soft_wrap=True)
    console.print(
        f"  Journal: {options.journal} (run the same command again to resume)", soft_wrap=True
    )
    failures = result.failed
    for item in failures[:MAX_FAILURES]:
        reason = describe(item.error) if item.error is not None else "?"
        if reason.startswith("line "):  # a bad row's error names its line already
            console.print(f"  failed {reason}")
        else:
            console.print(f"  failed {_where(item.item, rows)}: {reason}")
    if len(failures) > MAX_FAILURES:
        console.print(f"  ... and {len(failures) - MAX_FAILURES:,} more failed rows")
    _print_unknown(result.unknown, rows, options, console)
    cancelled = result.cancelled
    rendering = sum(1 for key in cancelled if getattr(result.values.get(key), "job_id", None))
    if rendering:
        console.print(
            f"  {rendering:,} renders started were not waited for: they go on at Pictory, and "
            "the next run with the journal follows them (never starts them again)"
        )
    if len(cancelled) > rendering:
        console.print(
            f"  {len(cancelled) - rendering:,} requests were cut off in flight: they may have "
            "started a render; the next run leaves them 'unknown' (not sent again)"
        )
    if summary.stopped:
        left = summary.count(Outcome.NOT_STARTED)
        console.print(
            Text.assemble(
                ("Interrupted", "bold"),
                f": {left:,} {'row' if left == 1 else 'rows'} not started; run the same "
                f"command again to finish (the journal "
                f"{printable(options.journal)} skips the videos made and follows the renders "
                "started).",
            ),
            soft_wrap=True,
        )


def _print_unknown(
    unknown: list[Any], rows: RowsSeen, options: ManyOptions, console: Console
) -> None:
    """The rows whose request may have made a video whose answer was lost."""
    if not unknown:
        return
    lines = [_where(key, rows) for key in unknown[:MAX_UNKNOWN]]
    minutes = sum(getattr(rows.inputs.get(key), "minutes", 0) or 0 for key in unknown)
    more = f" and {len(unknown) - MAX_UNKNOWN:,} more" if len(unknown) > MAX_UNKNOWN else ""
    them = "it" if len(unknown) == 1 else "them"
    what = (
        "1 row's request may have made a video, but its answer was lost"
        if len(unknown) == 1
        else f"{len(unknown):,} rows' requests may have made videos, but their answers were lost"
    )
    console.print(
        f"  {what} ({', '.join(lines)}{more}): NOT sent again, as a second request could "
        "make a second video.",
        soft_wrap=True,
    )
    if options.retry_unknown:
        return
    console.print(
        f"  See `pictory jobs list`; to send {them} again anyway, run the same command with "
        f"--retry-unknown: each may then make a duplicate video and spend its minutes (about "
        f"{minutes:,} in all).",
        soft_wrap=True,
    )
