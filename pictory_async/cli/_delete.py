"""``pictory projects delete`` and ``prune``: preview, confirm, then delete (with backups).

Every delete takes one path, ``delete_flow``: a dry run of the library's bulk delete
(or backup-and-delete) names what would go, the user confirms (``--yes`` skips the
question; with nobody to answer it, it is a dry run), then the run goes with a
progress bar and a graceful Ctrl-C, and ends with a summary. ``delete`` takes ids,
``prune`` the projects a filter selects.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import attrs
import typer

from .. import AsyncPictory, BulkRun, ProjectId, ProjectSummary
from ._common import (
    EXIT_OK,
    Settings,
    count_of,
    dumps,
    open_client,
    printable,
    project_id_of,
    saved_at,
)
from ._options import (
    ConcurrencyOption,
    FolderOption,
    IdsArgument,
    IdsFromOption,
    JsonOption,
    KindOption,
    OlderOption,
    SourceOption,
    call,
    ids_of,
)

__all__ = [
    "Confirm",
    "PruneOptions",
    "delete_command",
    "delete_flow",
    "delete_projects",
    "prune_command",
    "prune_projects",
]

PREVIEW_ROWS = 15
"""Projects listed by name in a preview; the rest are counted."""
PROMPT_NAMES = 5
"""Projects named in the confirmation question; the rest are counted (``and 3 more``)."""
PROMPT_NAME_CHARS = 40
"""A project name in the question is cut to this many characters (an id never is)."""

Confirm = Callable[[str], "bool | None"]
"""Asks a yes/no question: ``True`` yes, ``False`` no, ``None`` when nobody can answer."""

RateOption = Annotated[
    float | None,
    typer.Option(
        "--rate-limit", min=0.1, help="At most this many requests per second.", show_default=False
    ),
]
JournalOption = Annotated[
    Path | None,
    typer.Option(
        "--journal",
        metavar="FILE",
        help="Record outcomes here; run again with it to resume without redoing.",
        show_default=False,
    ),
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Delete without asking (default: show, then ask).")
]


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


def delete_command(
    ctx: typer.Context,
    ids: IdsArgument = None,
    ids_from: IdsFromOption = None,
    missing_ok: Annotated[
        bool, typer.Option("--missing-ok", help="A project that does not exist is no failure.")
    ] = False,
    concurrency: ConcurrencyOption = None,
    rate_limit: RateOption = None,
    journal: JournalOption = None,
    yes: YesOption = False,
    json_output: JsonOption = False,
) -> None:
    """Delete projects by id: shows them, then asks (or --yes)."""
    found = ids_of(ids, ids_from)
    options = PruneOptions(
        concurrency=concurrency,
        rate_limit=rate_limit,
        journal=journal,
        yes=yes,
        missing_ok=missing_ok,
        json_output=json_output,
    )
    reads_stdin = "-" in (ids or []) or ids_from == "-"
    confirm = _no_prompt if reads_stdin else _confirm
    call(ctx, delete_projects, found, options=options, confirm=confirm)


def prune_command(
    ctx: typer.Context,
    older_than: OlderOption = None,
    source: SourceOption = None,
    folder: FolderOption = None,
    backup_to: Annotated[
        Path | None,
        typer.Option(
            "--backup-to",
            metavar="DIR",
            help="Back each project up here first; delete only what checks out.",
            show_default=False,
        ),
    ] = None,
    kind: KindOption = None,
    concurrency: ConcurrencyOption = None,
    rate_limit: RateOption = None,
    journal: JournalOption = None,
    yes: YesOption = False,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Select every project: needed to prune without --older-than, --source "
            "or --folder.",
        ),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Delete the projects a filter selects: shows them, then asks (or --yes)."""
    if older_than is None and not source and folder is None and not every:
        raise typer.BadParameter(
            "give a filter, or --all to prune every project",
            param_hint="--older-than / --source / --folder",
        )
    if kind and backup_to is None:  # never ignored: the user meant to keep those files
        raise typer.BadParameter(
            "it chooses what the backup keeps, and there is no backup: give --backup-to "
            "DIR too, or no --kind",
            param_hint="--kind",
        )
    options = PruneOptions(
        backup_to=backup_to,
        kinds=tuple(kind or ()),
        concurrency=concurrency,
        rate_limit=rate_limit,
        journal=journal,
        yes=yes,
        json_output=json_output,
    )
    call(
        ctx,
        prune_projects,
        older_than=older_than,
        sources=source or [],
        folder=folder,
        options=options,
        confirm=_confirm,
    )


def _confirm(question: str) -> bool | None:
    """Ask on the terminal: yes, no (Ctrl-C too), or ``None`` at the end of input."""
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort as exc:  # Click's answer to both Ctrl-C and the end of input
        typer.echo(err=True)
        return False if isinstance(exc.__context__, KeyboardInterrupt) else None


def _no_prompt(question: str) -> bool | None:
    """Stdin held the ids: there is nobody to ask."""
    sys.stderr.write(f"{question} (ids came from stdin, so there is no prompt)\n")
    return None


# -- workers ----------------------------------------------------------------------------


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
    async with open_client(settings, options.concurrency, rate_limit=options.rate_limit) as client:
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
    async with open_client(settings, options.concurrency, rate_limit=options.rate_limit) as client:
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
    from ._bulkrun import run_bulk
    from ._display import make_display
    from ._summary import finish

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
    display = make_display(json_output=options.json_output, verb="deleted")
    description = "Backing up and deleting" if backup_to is not None else "Deleting"
    summary = await run_bulk(start, to_go, display, description=description)
    return finish(
        summary,
        json_output=options.json_output,
        noun="deleted",
        backups=backup_to,
        journal=journal,
        client=client,
    )


def _named(item: Any) -> str:
    """``1349707 (Budget 2024)``, or the id alone when the name is not known."""
    text = printable(project_id_of(item))
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
            line: dict[str, Any] = {"id": project_id_of(item), "outcome": "would_delete"}
            if isinstance(item, ProjectSummary):
                line["name"] = item.name
                line["saved_date"] = item.saved_date  # dumps() writes every date alike
            sys.stdout.write(dumps(line) + "\n")
        sys.stdout.flush()
        return
    from ._console import make_console
    from ._layout import print_table

    console = make_console()
    if to_go:
        summaries = isinstance(to_go[0], ProjectSummary)
        unnamed = ["", ""] if summaries else []  # an id among summaries: no name, no date
        rows = [
            [str(item.id), item.name or "", saved_at(item)]
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
