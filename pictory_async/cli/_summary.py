"""The end of a bulk command: what was done and not done, and the exit code.

After a backup, delete or prune: with ``--json`` a line for each item never started
(each other item had its line as it ended); otherwise counts by outcome, the rate, the
client's rate limiting, where the backups and the journal are, the first failures, and
after a Ctrl-C what is left and how to finish.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import AsyncPictory, ItemResult, Outcome
from ._bulkrun import RunSummary
from ._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    count_of,
    describe,
    dumps,
    error,
    project_id_of,
)
from ._console import make_console
from ._display import item_json, label

__all__ = ["finish"]


def finish(
    summary: RunSummary,
    *,
    json_output: bool,
    noun: str,
    backups: Path | None = None,
    journal: Path | None = None,
    client: AsyncPictory | None = None,
) -> int:
    """Print what was done and not done; the exit code."""
    result = summary.result
    if json_output:
        for item in summary.not_started:
            line = item_json(ItemResult(item=project_id_of(item), outcome=Outcome.NOT_STARTED))
            sys.stdout.write(dumps(line) + "\n")
    else:
        _print_summary(summary, noun=noun, backups=backups, journal=journal, client=client)
    if summary.error is not None:
        error(f"the run stopped: {describe(summary.error)}")
    if summary.stopped:
        return EXIT_INTERRUPTED
    if summary.error is not None or not result.ok:
        return EXIT_FAILED
    return EXIT_OK


def _print_summary(
    summary: RunSummary,
    *,
    noun: str,
    backups: Path | None,
    journal: Path | None,
    client: AsyncPictory | None,
) -> None:
    from rich.text import Text

    console = make_console()
    succeeded = summary.count(Outcome.DELETED) + summary.count(Outcome.FETCHED)
    rate = summary.result.total / summary.elapsed if summary.elapsed > 0 else 0.0
    console.print(
        Text.assemble(
            (f"{noun.capitalize()} {succeeded:,} of {count_of(summary.total)}", "bold"),
            f" in {summary.elapsed:,.1f} s ({rate:,.0f}/s)",
        )
    )
    fetched = "backed up" if noun == "backed up" else "done"
    parts = [
        f"{label(outcome, fetched)} {summary.count(outcome):,}"
        for outcome in Outcome
        if summary.count(outcome) or outcome in (Outcome.FAILED, Outcome.NOT_STARTED)
    ]
    console.print("  " + " · ".join(parts))
    confirmed = len(summary.result.confirmed_gone)
    if confirmed:
        console.print(
            f"  {count_of(confirmed)} deleted by an interrupted earlier run, confirmed gone now"
        )
    if client is not None:
        throttle = client.throttle
        if throttle.throttle_events:
            events = throttle.throttle_events
            times = "once" if events == 1 else f"{events:,} times"
            each = "each time " if events > 1 else ""
            console.print(
                f"  Rate limited (HTTP 429) {times}: {each}all workers waited out one shared "
                "cool-down"
            )
            if throttle.rate:
                console.print(f"  The client's request rate settled at {throttle.rate:,.0f}/s")
    if backups is not None:  # whole on one line (the terminal wraps it): a path to copy
        console.print(f"  Backups: {backups.resolve()}", soft_wrap=True)
    if journal is not None:
        console.print(
            f"  Journal: {journal} (run the same command again to resume)", soft_wrap=True
        )
    failed = summary.result.failed
    for item in failed[:5]:
        console.print(f"  failed {item.item}: {describe(item.error) if item.error else '?'}")
    if len(failed) > 5:
        console.print(f"  ... and {count_of(len(failed) - 5, 'more failure')}")
    if summary.stopped:
        left = summary.count(Outcome.NOT_STARTED)
        hint = "run the same command again to finish"
        if journal is None:
            hint += " (add --journal FILE to skip what is done without asking the API)"
        console.print(
            Text.assemble(("Interrupted", "bold"), f": {count_of(left)} not started; {hint}.")
        )
        cancelled = summary.count(Outcome.CANCELLED)
        if cancelled and noun == "deleted":  # a cancelled read changed nothing
            check = (
                "the journal marks them and the next run confirms each with the API"
                if journal is not None
                else "check them with 'pictory projects get'"
            )
            console.print(
                f"  {count_of(cancelled)} in flight when stopped may have been applied: {check}."
            )
