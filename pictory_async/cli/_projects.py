"""The ``pictory projects`` commands, as coroutines that return an exit code."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._bulk import BulkRun, ItemResult, Outcome, as_project_id
from .._client import DEFAULT_MAX_CONNECTIONS, AsyncPictory
from .._models import Project, ProjectSummary
from .._redact import redact_url
from .._reports import ReportFormat, compare_projects, write_report
from .._types import ProjectId
from ._bulkrun import RunSummary, run_bulk
from ._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Settings,
    describe,
    dumps,
    error,
    jsonable,
    open_client,
    printable,
)
from ._console import make_console
from ._display import item_json, label, make_display

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "Confirm",
    "PruneOptions",
    "backup_projects",
    "compare_projects_command",
    "delete_projects",
    "download_project",
    "get_project",
    "list_projects",
    "prune_projects",
    "report_projects",
    "wait_project",
]

PREVIEW_ROWS = 15
"""Projects listed by name in a preview; the rest are counted."""
PROMPT_NAMES = 5
"""Projects named in the confirmation question; the rest are counted (``and 3 more``)."""
PROMPT_NAME_CHARS = 40
"""A project name in the question is cut to this many characters (an id never is)."""

Confirm = Callable[[str], "bool | None"]
"""Asks a yes/no question: ``True`` yes, ``False`` no, ``None`` when nobody can answer."""


def _console() -> Console:
    """Rich on stdout, showing every string as literal text (``make_console``)."""
    return make_console()


def _date(summary: ProjectSummary | Project) -> str:
    saved = summary.saved_date if isinstance(summary, ProjectSummary) else summary.save_date
    return saved.strftime("%Y-%m-%d %H:%M") if saved is not None else "-"


def _client(settings: Settings, concurrency: int | None = None, **options: Any) -> AsyncPictory:
    if concurrency is not None and concurrency > DEFAULT_MAX_CONNECTIONS:
        options["max_connections"] = concurrency
    return open_client(settings, **options)


# -- reading ----------------------------------------------------------------------------


async def list_projects(
    settings: Settings,
    *,
    folder: str | None,
    older_than: timedelta | None,
    sources: Sequence[str],
    json_output: bool,
) -> int:
    """``projects list``: a table, or a JSON line per project."""
    from ._layout import print_table

    async with _client(settings) as client:
        selection = client.projects.select(
            older_than=older_than, source=list(sources) or None, folder=folder
        )
        if json_output:
            async for summary in selection:
                sys.stdout.write(dumps(jsonable(summary)) + "\n")
            return EXIT_OK
        summaries = [summary async for summary in selection]
    rows = [
        [str(summary.id), summary.name or "", summary.source or "", _date(summary)]
        for summary in summaries
    ]
    console = _console()
    print_table(console, ["ID", "Name", "Source", "Saved (UTC)"], rows, wrap=1)
    console.print(count_of(len(summaries)))
    return EXIT_OK


async def get_project(settings: Settings, project_id: ProjectId, *, json_output: bool) -> int:
    """``projects get``: the project's main fields, or all of them as JSON."""
    async with _client(settings) as client:
        project = await client.projects.get(project_id)
    if json_output:
        sys.stdout.write(dumps(jsonable(project)) + "\n")
        return EXIT_OK
    _print_project(project)
    return EXIT_OK


def _print_project(project: Project) -> None:
    """The main fields a line each; an id or a URL is printed whole at any width."""
    from ._layout import print_fields

    rows = [
        ("ID", project.id),
        ("Name", project.project_name),
        ("Source", project.source),
        ("Step", project.step),
        ("Rendered", "yes" if project.is_rendered else "no"),
        ("Saved (UTC)", _date(project)),
        ("Duration", f"{project.video_duration:.0f} s" if project.video_duration else None),
        ("Video", project.video_url),
        ("Share link", project.share_url),
        ("Assets", ", ".join(project.assets) or None),
    ]
    print_fields(_console(), rows)


async def wait_project(
    settings: Settings,
    project_id: ProjectId,
    *,
    job: str | None = None,
    timeout: timedelta,
    poll_interval: timedelta,
    json_output: bool,
) -> int:
    """``projects wait``: poll until the render is done; exit 1 when it is not.

    With ``job`` (``--job``) the render's job is followed. A failed render, one whose
    job was cleaned before its end was seen, and the deadline exit 1 with the reason on
    stderr.
    """
    from .._exceptions import JobFailedError, JobOutcomeUnknownError, RenderTimeoutError

    if not json_output:
        sys.stderr.write(f"Waiting for the render of {project_id} (up to {timeout})...\n")
    async with _client(settings) as client:
        try:
            project = await client.projects.wait_for_render(
                project_id, job=job, timeout=timeout, poll_interval=poll_interval
            )
        except (RenderTimeoutError, JobFailedError, JobOutcomeUnknownError) as exc:
            error(str(exc))
            return EXIT_FAILED
    if json_output:
        sys.stdout.write(dumps(jsonable(project)) + "\n")
    else:
        _print_project(project)
    return EXIT_OK


async def download_project(
    settings: Settings,
    project_id: ProjectId,
    *,
    dest: Path,
    kinds: Sequence[str],
    json_output: bool,
) -> int:
    """``projects download``: the project's media files into ``dest``, each checked."""
    from rich.table import Table

    async with _client(settings) as client:
        assets = await client.projects.download_assets(project_id, dest, kinds=kinds or None)
    if json_output:
        for asset in assets.values():
            # The file is on disk; a signed URL's query is a credential, not output.
            line = jsonable(asset) | {"url": redact_url(asset.url)}
            sys.stdout.write(dumps(line) + "\n")
        return EXIT_OK
    table = Table("Kind", "File", "Bytes", box=None, pad_edge=False)
    for asset in assets.values():
        table.add_row(asset.kind, str(asset.path), f"{asset.size:,}")
    console = _console()
    console.print(table)
    console.print(f"{count_of(len(assets), 'file')} in {dest}")
    return EXIT_OK


async def _fetch_all(
    client: AsyncPictory, ids: Sequence[ProjectId], concurrency: int | None
) -> tuple[list[Project], list[ItemResult[Project]]]:
    """The projects in ``ids`` order, and the items that could not be fetched."""
    result = await client.projects.get_many(ids, concurrency=concurrency, missing_ok=False)
    fetched = result.values
    projects = [fetched[key] for key in map(as_project_id, ids) if key in fetched]
    return projects, result.failed


def _print_failures(failures: Sequence[ItemResult[Any]]) -> None:
    for item in failures:
        error(f"{item.item}: {describe(item.error) if item.error else 'failed'}")


async def report_projects(
    settings: Settings,
    output: Path,
    *,
    folder: str | None,
    older_than: timedelta | None,
    sources: Sequence[str],
    format: ReportFormat | None,
    full: bool,
    concurrency: int | None,
) -> int:
    """``projects report``: a row per selected project into ``output`` (json, jsonl, csv).

    From the listing by default (id, name, dates, source, folder); ``full`` fetches
    each project for every field. The file is written atomically, also when some
    projects could not be fetched (they are named on stderr, exit 1).
    """
    failures: list[ItemResult[Project]] = []
    async with _client(settings, concurrency) as client:
        selection = client.projects.select(
            older_than=older_than, source=list(sources) or None, folder=folder
        )
        summaries = [summary async for summary in selection]
        items: Sequence[Project | ProjectSummary] = summaries
        if full:
            ids = [summary.id for summary in summaries]
            items, failures = await _fetch_all(client, ids, concurrency)
    rows = await asyncio.to_thread(write_report, items, output, format=format)
    _print_failures(failures)
    _console().print(f"{count_of(rows)} written to {output}")
    return EXIT_FAILED if failures else EXIT_OK


async def compare_projects_command(
    settings: Settings,
    ids: Sequence[ProjectId],
    *,
    fields: Sequence[str],
    only_differing: bool,
    json_output: bool,
) -> int:
    """``projects compare``: the projects' settings side by side, ``*`` where they differ."""
    async with _client(settings) as client:
        projects, failures = await _fetch_all(client, ids, None)
    if failures:
        _print_failures(failures)
        return EXIT_FAILED
    comparison = compare_projects(projects, list(fields) or None)
    if only_differing:
        comparison = compare_projects(projects, comparison.differing)
    if json_output:
        sys.stdout.write(dumps(comparison.to_dict()) + "\n")
        return EXIT_OK
    from ._layout import print_comparison

    console = _console()
    if comparison.fields:
        print_comparison(console, comparison)
    differing = comparison.differing
    console.print(
        f"{len(differing)} of {len(comparison.fields)} fields differ"
        + (f": {', '.join(differing)}" if differing else "")
    )
    return EXIT_OK


# -- bulk -----------------------------------------------------------------------------


async def backup_projects(
    settings: Settings,
    ids: Sequence[ProjectId],
    *,
    dest: Path,
    kinds: Sequence[str],
    concurrency: int,
    json_output: bool,
) -> int:
    """``projects backup``: back each project up into ``dest`` (nothing is deleted)."""
    display = make_display(json_output=json_output, verb="backed up")
    async with _client(settings, concurrency) as client:

        async def backup_one(project_id: ProjectId) -> ItemResult[Any]:
            backup = await client.projects.backup(project_id, dest, kinds=kinds or None)
            return ItemResult(item=project_id, outcome=Outcome.FETCHED, value=backup)

        def start(source: AsyncIterator[Any]) -> BulkRun[Any]:
            return BulkRun(source, backup_one, concurrency=concurrency, keep_values=False)

        summary = await run_bulk(start, ids, display, description="Backing up")
    return _finish(summary, json_output=json_output, noun="backed up", backups=dest)


@attrs.frozen(kw_only=True)
class PruneOptions:
    """How a delete or prune runs.

    Attributes:
        backup_to: Back each project up here, and delete it only once its backup checks.
        kinds: Asset kinds to back up (default: all).
        concurrency: Projects at once (default: the library's).
        rate_limit: Client-side requests per second (default: adaptive only).
        journal: JSONL journal to resume from and record to.
        yes: Delete without asking.
        missing_ok: A project that does not exist is no failure.
        json_output: JSON lines on stdout, nothing else there.
    """

    backup_to: Path | None = None
    kinds: tuple[str, ...] = ()
    concurrency: int | None = None
    rate_limit: float | None = None
    journal: Path | None = None
    yes: bool = False
    missing_ok: bool = True
    json_output: bool = False


async def prune_projects(
    settings: Settings,
    *,
    older_than: timedelta | None,
    sources: Sequence[str],
    folder: str | None,
    options: PruneOptions,
    confirm: Confirm,
) -> int:
    """``projects prune``: select, preview, confirm, then delete (with backups)."""
    async with _client(settings, options.concurrency, rate_limit=options.rate_limit) as client:
        if not options.json_output:
            sys.stderr.write("Listing projects...\n")
        candidates: list[Any] = [
            summary
            async for summary in client.projects.select(
                older_than=older_than, source=list(sources) or None, folder=folder
            )
        ]
        return await delete_flow(client, candidates, options, confirm)


async def delete_projects(
    settings: Settings, ids: Sequence[ProjectId], *, options: PruneOptions, confirm: Confirm
) -> int:
    """``projects delete``: preview, confirm, then delete the given ids."""
    async with _client(settings, options.concurrency, rate_limit=options.rate_limit) as client:
        return await delete_flow(client, list(ids), options, confirm)


async def delete_flow(
    client: AsyncPictory, candidates: list[Any], options: PruneOptions, confirm: Confirm
) -> int:
    """Dry run, preview, confirmation, run and summary: the one path every delete takes.

    Args:
        client: The open client.
        candidates: Ids or summaries.
        options: How to run.
        confirm: Asks the user; ``False`` when nobody can answer.

    Returns:
        The exit code.
    """
    projects = client.projects
    journal = options.journal
    backup_to = options.backup_to
    kinds = options.kinds or None

    def start(source: Any, *, dry_run: bool = False) -> BulkRun[Any]:
        if backup_to is not None:
            return projects.backup_and_delete_stream(
                source,
                backup_to,
                kinds=kinds,
                concurrency=options.concurrency,
                dry_run=dry_run,
                journal=journal,
            )
        return projects.delete_many_stream(
            source,
            concurrency=options.concurrency,
            dry_run=dry_run,
            missing_ok=options.missing_ok,
            journal=journal,
        )

    preview = await start(candidates, dry_run=True).wait()
    to_go = preview.previewed
    done_before = len(preview.skipped_because("journal"))
    _show_preview(to_go, done_before, preview.skipped_because("duplicate"), options)
    if not to_go:
        return EXIT_OK
    if not options.yes:
        answer = confirm(_question(to_go, backup_to))
        if answer is None:
            sys.stderr.write(
                "Nothing was deleted: nobody could answer (a dry run). Pass --yes to delete "
                "without asking.\n"
            )
            return EXIT_OK
        if not answer:
            sys.stderr.write("Nothing was deleted.\n")
            return EXIT_OK
    verb = "deleted"
    display = make_display(json_output=options.json_output, verb=verb)
    description = "Backing up and deleting" if backup_to is not None else "Deleting"
    summary = await run_bulk(start, to_go, display, description=description)
    return _finish(
        summary,
        json_output=options.json_output,
        noun="deleted",
        backups=backup_to,
        journal=journal,
        client=client,
    )


def count_of(count: int, noun: str = "project") -> str:
    """``1 project``, ``2,867 projects``."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _named(item: Any) -> str:
    """``1349707 (Budget 2024)``, or the id alone when the name is not known."""
    text = printable(as_project_id(item))
    name = item.name if isinstance(item, ProjectSummary) else None
    if name:
        name = name if len(name) <= PROMPT_NAME_CHARS else name[: PROMPT_NAME_CHARS - 1] + "…"
        text += f" ({printable(name)})"
    return text


def _question(to_go: Sequence[Any], backup_to: Path | None) -> str:
    """``Delete 2 projects for good: 1 (A), 2 (B)?``: the count, and the projects by name.

    Every string in it is ``printable``: the question is printed as it is, not by Rich.
    """
    names = ", ".join(_named(item) for item in to_go[:PROMPT_NAMES])
    if len(to_go) > PROMPT_NAMES:
        names += f" and {len(to_go) - PROMPT_NAMES:,} more"
    count = count_of(len(to_go))
    if backup_to is None:
        return f"Delete {count} for good: {names}?"
    them = "it" if len(to_go) == 1 else "them"
    return f"Back up {count} into {printable(backup_to)}, then delete {them}: {names}?"


def _show_preview(
    to_go: Sequence[Any], done_before: int, duplicates: Sequence[Any], options: PruneOptions
) -> None:
    if options.json_output:
        for item in to_go:
            line: dict[str, Any] = {"id": as_project_id(item), "outcome": "would_delete"}
            if isinstance(item, ProjectSummary):
                line["name"] = item.name
                line["saved_date"] = item.saved_date  # dumps() writes every date alike
            sys.stdout.write(dumps(line) + "\n")
        sys.stdout.flush()
        return
    from ._layout import print_table

    console = _console()
    if to_go:
        summaries = isinstance(to_go[0], ProjectSummary)
        unnamed = ["", ""] if summaries else []  # an id among summaries: no name, no date
        rows = [
            [str(item.id), item.name or "", _date(item)]
            if isinstance(item, ProjectSummary)
            else [str(item), *unnamed]
            for item in to_go[:PREVIEW_ROWS]
        ]
        header = ["ID", "Name", "Saved (UTC)"] if summaries else ["ID"]
        print_table(console, header, rows, wrap=1 if summaries else None)
        if len(to_go) > PREVIEW_ROWS:
            console.print(f"... and {len(to_go) - PREVIEW_ROWS:,} more")
    what = "would be backed up and deleted" if options.backup_to else "to delete"
    console.print(f"{count_of(len(to_go))} {what}", end="")
    extra = []
    if done_before:
        extra.append(f"{done_before:,} already done by an earlier run (journal)")
    if duplicates:
        extra.append(f"{count_of(len(duplicates), 'duplicate')} ignored")
    console.print(f" ({'; '.join(extra)})" if extra else "")
    if not to_go:
        console.print("Nothing to delete.")


def _finish(
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
            line = item_json(ItemResult(item=as_project_id(item), outcome=Outcome.NOT_STARTED))
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

    console = _console()
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
