"""``pictory projects report`` and ``compare``: many projects read into one file or table.

``report`` writes a row per selected project (from the listing, or each project
fetched with ``--full``) into a json, jsonl or csv file, atomically; ``compare`` puts
projects' settings side by side. Both check FILE, ``--format`` and ``--field`` with the
library before any request, so a bad one is a usage error (exit 2) with nothing sent.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import (
    AsyncPictory,
    InvalidInputError,
    ItemResult,
    Project,
    ProjectId,
    ProjectSummary,
    ReportFormat,
    compare_projects,
    report_format,
    write_report,
)
from ._common import (
    EXIT_FAILED,
    EXIT_OK,
    Settings,
    count_of,
    describe,
    dumps,
    error,
    open_client,
)
from ._options import (
    ConcurrencyOption,
    FolderOption,
    JsonOption,
    OlderOption,
    SourceOption,
    call,
    ids_of,
)

__all__ = ["compare_command", "compare_projects_command", "report_command", "report_projects"]


def report_command(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="The report: .json, .jsonl or .csv (written atomically)."
        ),
    ],
    folder: FolderOption = None,
    older_than: OlderOption = None,
    source: SourceOption = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", help="json, jsonl or csv (default: from FILE's suffix).", show_default=False
        ),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch each project for every field (one GET each).")
    ] = False,
    concurrency: ConcurrencyOption = None,
) -> None:
    """Write a report of projects (a row each) to FILE: json, jsonl or csv."""
    try:
        chosen = report_format(output, format)
    except InvalidInputError as exc:
        raise typer.BadParameter(str(exc), param_hint="FILE / --format") from None
    if not output.parent.is_dir():
        raise typer.BadParameter(f"no such directory: {output.parent}", param_hint="FILE")
    if output.is_dir():
        raise typer.BadParameter(f"a directory, not a file: {output}", param_hint="FILE")
    call(
        ctx,
        report_projects,
        output,
        folder=folder,
        older_than=older_than,
        sources=source or [],
        format=chosen,
        full=full,
        concurrency=concurrency,
    )


def compare_command(
    ctx: typer.Context,
    ids: Annotated[
        list[str],
        typer.Argument(metavar="ID ID...", help="Two or more project ids.", show_default=False),
    ],
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            help="A field to compare (repeatable; nested with a dot, e.g. "
            "script_txt_scene_settings.max_lines). Default: the project settings.",
            show_default=False,
        ),
    ] = None,
    differing: Annotated[
        bool, typer.Option("--differing", help="Only the fields that differ.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Compare projects' settings side by side (* marks the fields that differ)."""
    found = ids_of(ids, None)
    if len(found) < 2:
        raise typer.BadParameter("give at least two project ids to compare")
    fields = list(field or [])
    try:
        compare_projects([], fields)  # no project: only the field names are checked
    except InvalidInputError as exc:
        raise typer.BadParameter(str(exc), param_hint="--field") from None
    call(
        ctx,
        compare_projects_command,
        found,
        fields=fields,
        only_differing=differing,
        json_output=json_output,
    )


# -- workers ----------------------------------------------------------------------------


async def _fetch_all(
    client: AsyncPictory, ids: Sequence[ProjectId], concurrency: int | None
) -> tuple[list[Project], list[ItemResult[Project]]]:
    """The projects in ``ids`` order, and the items that could not be fetched."""
    result = await client.projects.get_many(ids, concurrency=concurrency, missing_ok=False)
    fetched = result.values
    projects = [fetched[key] for key in ids if key in fetched]
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
    from ._console import make_console

    failures: list[ItemResult[Project]] = []
    async with open_client(settings, concurrency) as client:
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
    make_console().print(f"{count_of(rows)} written to {output}")
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
    async with open_client(settings) as client:
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
    from ._console import make_console
    from ._layout import print_comparison

    console = make_console()
    if comparison.fields:
        print_comparison(console, comparison)
    differing = comparison.differing
    console.print(
        f"{len(differing)} of {len(comparison.fields)} fields differ"
        + (f": {', '.join(differing)}" if differing else "")
    )
    return EXIT_OK
