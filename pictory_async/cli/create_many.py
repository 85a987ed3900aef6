"""``pictory videos create-many FILE``: a video for each row of a CSV or JSON Lines file.

The command reads the whole file before anything is sent: a file it cannot read, a row
it cannot make a request of (named by its line) and a column no field reads (a misspelt
``nmae`` would be dropped silently) are usage errors, exit 2. ``--dry-run`` reports the
same and sets the video minutes the rows need beside what the account's quota has left
(the library's ``VideoPlan``): exit 2 for bad rows, 1 when they do not fit.

A run is ``client.videos.create_many_stream`` driven by ``run_bulk``: the progress
display of the other bulk commands (``created`` and ``rendering`` as renders start,
then the outcomes) and their Ctrl-C: the first lets what is in flight finish, a second
stops waiting for the renders (the requests in flight still finish, so no row is left
unknown), a third abandons the requests. A journal, by default beside the file, makes
the same command a resume: videos made are skipped, renders started are followed,
nothing is sent twice. The summary (with ``--json``, a line per row and a last summary
line) accounts for every row, and names the rows whose request's answer was lost: not
sent again unless ``--retry-unknown``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import attrs
import typer

from ._common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Settings, describe, dumps, error, printable
from ._many_rows import ManyOptions, RowsSeen, row_json, where
from ._options import (
    POLL_INTERVAL,
    WAIT_TIMEOUT,
    JsonOption,
    Polling,
    PollOption,
    TimeoutOption,
    call,
)

if TYPE_CHECKING:
    from .. import AsyncPictory, BulkRun, ItemResult, VideoRow
    from ._display import Display

__all__ = ["create_many_command", "create_videos", "plan_videos"]

STOP_WAITING = (
    "Not waiting for the renders any more: the requests in flight finish; the renders go on "
    "at Pictory and a run with the same journal follows them (Ctrl-C again to abandon the "
    "requests in flight)"
)
"""What a second Ctrl-C says (``run_bulk``'s ``drain_note``)."""
MAX_ROW_ERRORS = 20
"""Bad rows named when a run refuses the file; ``--dry-run`` names every one."""


def create_many_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A .csv or .jsonl file: a video per row (script, url or template, name, "
            "voice, brand, aspect_ratio, ...).",
            show_default=False,
        ),
    ],
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, help="Videos at once (default 4).", show_default=False
        ),
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            metavar="FILE",
            help="Record each row here; the same command again resumes from it "
            "(default: FILE.journal.jsonl beside FILE).",
            show_default=False,
        ),
    ] = None,
    download: Annotated[
        Path | None,
        typer.Option("--download", metavar="DIR", help="Download each video's files here."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check every row and the minutes against the quota; send nothing."
        ),
    ] = False,
    retry_unknown: Annotated[
        bool,
        typer.Option(
            "--retry-unknown",
            help="Send again the rows whose earlier request's answer was lost (each may make "
            "a second video and spend its minutes).",
        ),
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait for each video to be rendered.")
    ] = True,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Make a video per row of a CSV or JSON Lines file; run it again to resume."""
    from ._video_input import checked_interval

    if download is not None and not wait:
        raise typer.BadParameter("--download needs the videos: drop --no-wait")
    options = ManyOptions(
        file=file,
        journal=journal if journal is not None else default_journal(file),
        concurrency=concurrency,
        wait=wait,
        download=download,
        retry_unknown=retry_unknown,
        polling=Polling(timeout=timeout, interval=checked_interval(poll_interval)),
        json_output=json_output,
    )
    call(ctx, plan_videos if dry_run else create_videos, options=options)


def default_journal(file: Path) -> Path:
    """``videos.csv.journal.jsonl`` beside ``videos.csv``: a rerun finds it and resumes."""
    return file.with_name(file.name + ".journal.jsonl")


def read_file(file: Path) -> tuple[list[VideoRow], list[str]]:
    """Every row of ``file`` and the columns no field reads; an unreadable file exits 2.

    Raises:
        typer.BadParameter: The file cannot be read, its suffix names no format, or it
            holds no row (nothing was sent).
    """
    from .. import InvalidInputError, read_rows

    try:
        rows = read_rows(file)
        found = list(rows)
    except InvalidInputError as exc:
        raise typer.BadParameter(printable(exc), param_hint="FILE") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise typer.BadParameter(
            f"cannot read {printable(file)}: {printable(reason)}", param_hint="FILE"
        ) from None
    if not found:
        raise typer.BadParameter(f"{printable(file)} holds no row", param_hint="FILE")
    return found, sorted(rows.unknown_columns)


def _unknown_message(unknown: Sequence[str]) -> str:
    names = ", ".join(repr(name) for name in unknown)
    return (
        f"unknown column {names}: no field reads it (a misspelt column would be dropped "
        "silently); rename or remove it"
    )


def refuse_bad_rows(file: Path, rows: Sequence[VideoRow], unknown: Sequence[str]) -> None:
    """Exit 2 (nothing sent) when a row is bad or a column unknown, naming each.

    Raises:
        typer.Exit: With ``EXIT_USAGE``, after the errors on stderr.
    """
    bad = [row for row in rows if row.error is not None]
    if not bad and not unknown:
        return
    if unknown:
        error(_unknown_message(unknown))
    for row in bad[:MAX_ROW_ERRORS]:
        error(str(row.error))
    if len(bad) > MAX_ROW_ERRORS:
        error(f"... and {len(bad) - MAX_ROW_ERRORS:,} more bad rows")
    what = f"{_rows(len(bad))} bad" if bad else "an unknown column"
    error(
        f"{printable(file)}: {what}; nothing was sent. Fix the file and run again "
        "(--dry-run checks it without sending anything)"
    )
    raise typer.Exit(EXIT_USAGE)


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


def _open(settings: Settings, options: ManyOptions) -> AsyncPictory:
    """A client on the commands' timing (tests run it on the emulator's clock)."""
    from . import _follow
    from ._common import open_client

    timing = _follow.timing
    return open_client(settings, options.concurrency, clock=timing.clock, sleep=timing.sleep)


# -- the dry run -------------------------------------------------------------------------


async def plan_videos(settings: Settings, *, options: ManyOptions) -> int:
    """``create-many --dry-run``: every row checked, the minutes beside the quota.

    Returns:
        2 when a row is bad or a column unknown, 1 when the rows do not fit in the
        minutes left or the quota could not tell (a refused key says so), else 0.
    """
    from .. import Outcome

    rows, unknown = read_file(options.file)
    failed: list[ItemResult[Any]] = []
    journal = options.journal if options.journal.exists() else None
    async with _open(settings, options) as client:
        run = client.videos.create_many_stream(
            rows, journal=journal, dry_run=True, concurrency=options.concurrency
        )
        async with run:
            async for item in run:
                if options.json_output:
                    sys.stdout.write(dumps(_plan_json(item)) + "\n")
                elif item.outcome is Outcome.FAILED:
                    failed.append(item)
    plan = run.result.plan
    if options.json_output:
        summary = attrs.asdict(plan) | {"unknown_columns": unknown}
        sys.stdout.write(dumps({"summary": summary}) + "\n")
    else:
        _print_plan(plan, failed, unknown, journal)
    if plan.rows_bad or unknown:
        return EXIT_USAGE
    return EXIT_OK if plan.fits else EXIT_FAILED


def _plan_json(item: ItemResult[Any]) -> dict[str, Any]:
    """A row of a dry run: ``would_create`` with its minutes, or why it is refused."""
    from .. import Outcome

    line = {name: row_json(item).get(name) for name in ("line", "key", "outcome", "name")}
    if item.outcome is Outcome.SKIPPED and item.reason == "dry_run":
        line |= {"outcome": "would_create", "minutes": getattr(item.input, "minutes", None)}
    elif item.reason is not None:
        line["reason"] = item.reason
    if item.error is not None:
        line["error"] = describe(item.error)
    return line


def _print_plan(
    plan: Any, failed: Sequence[ItemResult[Any]], unknown: Sequence[str], journal: Path | None
) -> None:
    from ._console import make_console

    console = make_console()
    if unknown:
        console.print(_unknown_message(unknown))
    for item in failed:
        console.print(describe(item.error) if item.error is not None else where(item))
    parts = [f"{plan.rows_ok:,} to make", f"{plan.rows_bad:,} bad"]
    if plan.rows_done:
        parts.append(f"{plan.rows_done:,} made by an earlier run (journal {journal})")
    if plan.rows_duplicate:
        parts.append(f"{plan.rows_duplicate:,} repeating a key")
    console.print(f"{_rows(plan.rows)}: {', '.join(parts)}")
    needed = f"Video minutes: about {plan.minutes_needed:,} needed"
    if plan.fits is None:
        console.print(f"{needed}; cannot tell whether they fit: {plan.quota_error}")
    elif plan.fits:
        console.print(f"{needed}, {plan.minutes_left:,.0f} left: they fit.")
    else:
        console.print(
            f"{needed}, only {plan.minutes_left:,.0f} left: they do not fit "
            "(the renders past the quota would fail)."
        )
    if plan.rows_bad or unknown:
        console.print("Fix the file and check it again; nothing was sent.")


# -- the run -----------------------------------------------------------------------------


def _display(options: ManyOptions) -> Display:
    from ._display import JsonDisplay, make_display

    verb = "done" if options.wait else "created"

    class RowLines(JsonDisplay):
        """A JSON line per row (``row_json``) on stdout."""

        def advance(self, item: ItemResult[Any]) -> None:
            """Count the row, print its line."""
            super(JsonDisplay, self).advance(item)  # counted as any display; not its line
            sys.stdout.write(dumps(row_json(item)) + "\n")

    display = (
        RowLines(verb=verb) if options.json_output else make_display(json_output=False, verb=verb)
    )
    display.item_name = where
    if options.wait:  # the order the bar shows them in
        display.stages.update(created=0, rendering=0)
    return display


async def create_videos(settings: Settings, *, options: ManyOptions) -> int:
    """``create-many``: the rows' videos, with progress, Ctrl-C, a journal and a summary.

    Every row is read and checked first: a bad one exits 2 with nothing sent.
    """
    from ._bulkrun import run_bulk
    from ._many_summary import finish_many

    rows, unknown = read_file(options.file)
    refuse_bad_rows(options.file, rows, unknown)
    display = _display(options)
    tracker = RowsSeen(display, wait=options.wait)
    display.watch = tracker.ended
    async with _open(settings, options) as client:

        def start(source: AsyncIterator[Any]) -> BulkRun[Any]:
            return client.videos.create_many_stream(
                source,
                concurrency=options.concurrency,
                journal=options.journal,
                wait=options.wait,
                download_to=options.download,
                retry_unknown=options.retry_unknown,
                timeout=options.polling.timeout,
                poll_interval=options.polling.interval,
                on_started=tracker.on_started,
            )

        summary = await run_bulk(
            start, rows, display, description="Making videos", drain_note=STOP_WAITING
        )
    return finish_many(summary, tracker, options)
