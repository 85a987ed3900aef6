"""``pictory projects``: the sub-app, and the commands that read or render one project.

``list``, ``get``, ``wait``, ``render`` and ``download`` live here, each command with its
worker: a command parses and checks its options (a bad one exits 2 before anything is
sent), its worker is a coroutine that returns the exit code. The commands over many
projects are registered here from their own modules, in the order ``--help`` lists
them: ``backup`` (``_backup``), ``report`` and ``compare`` (``_report``), ``delete``
and ``prune`` (``_delete``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from .. import (
    JobFailedError,
    JobOutcomeUnknownError,
    Project,
    ProjectId,
    RenderTimeoutError,
    redact_url,
)
from ._backup import backup_command
from ._common import (
    EXIT_FAILED,
    EXIT_OK,
    Settings,
    count_of,
    dumps,
    error,
    jsonable,
    open_client,
    printable,
    saved_at,
)
from ._delete import delete_command, prune_command
from ._options import (
    POLL_INTERVAL,
    WAIT_TIMEOUT,
    FolderOption,
    JsonOption,
    KindOption,
    OlderOption,
    Polling,
    PollOption,
    ProjectArgument,
    SourceOption,
    TimeoutOption,
    call,
    one_id,
)
from ._report import compare_command, report_command
from .jobs import show_job, wait_job

__all__ = [
    "app",
    "download_project",
    "get_project",
    "list_projects",
    "render_project",
    "wait_project",
]

app = typer.Typer(
    help="List, inspect, download, back up and delete projects.", no_args_is_help=True
)


@app.command("list")
def _list(
    ctx: typer.Context,
    folder: FolderOption = None,
    older_than: OlderOption = None,
    source: SourceOption = None,
    json_output: JsonOption = False,
) -> None:
    """List projects: a table, or JSON lines with --json."""
    call(
        ctx,
        list_projects,
        folder=folder,
        older_than=older_than,
        sources=source or [],
        json_output=json_output,
    )


@app.command("get")
def _get(ctx: typer.Context, project_id: ProjectArgument, json_output: JsonOption = False) -> None:
    """Show one project."""
    call(ctx, get_project, one_id(project_id), json_output=json_output)


@app.command("wait")
def _wait(
    ctx: typer.Context,
    project_id: ProjectArgument,
    job: Annotated[
        str | None,
        typer.Option(
            "--job", metavar="JOB", help="The render's job id (`projects render` prints it)."
        ),
    ] = None,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Wait until a project's render is done (exit 1 if it failed or on the timeout)."""
    polling = Polling(timeout=timeout, interval=poll_interval)
    call(ctx, wait_project, one_id(project_id), job=job, polling=polling, json_output=json_output)


@app.command("render")
def _render(
    ctx: typer.Context,
    project_id: ProjectArgument,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the render to finish.")] = False,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Start rendering a project's video; print the job (--wait: follow it to the end)."""
    polling = Polling(timeout=timeout, interval=poll_interval)
    call(
        ctx, render_project, one_id(project_id), wait=wait, polling=polling, json_output=json_output
    )


@app.command("download")
def _download(
    ctx: typer.Context,
    project_id: ProjectArgument,
    dest: Annotated[Path, typer.Option("--dest", help="The directory (created if missing).")],
    kind: KindOption = None,
    json_output: JsonOption = False,
) -> None:
    """Download a project's media files, each checked against the CDN's size and hash."""
    found = one_id(project_id)
    call(ctx, download_project, found, dest=dest, kinds=kind or [], json_output=json_output)


app.command("backup")(backup_command)
app.command("report")(report_command)
app.command("compare")(compare_command)
app.command("delete")(delete_command)
app.command("prune")(prune_command)


# -- workers ----------------------------------------------------------------------------


async def list_projects(
    settings: Settings,
    *,
    folder: str | None,
    older_than: timedelta | None,
    sources: Sequence[str],
    json_output: bool,
) -> int:
    """``projects list``: a table, or a JSON line per project."""
    from ._console import make_console
    from ._layout import print_table

    async with open_client(settings) as client:
        selection = client.projects.select(
            older_than=older_than, source=list(sources) or None, folder=folder
        )
        if json_output:
            async for summary in selection:
                sys.stdout.write(dumps(jsonable(summary)) + "\n")
            return EXIT_OK
        summaries = [summary async for summary in selection]
    rows = [
        [str(summary.id), summary.name or "", summary.source or "", saved_at(summary)]
        for summary in summaries
    ]
    console = make_console()
    print_table(console, ["ID", "Name", "Source", "Saved (UTC)"], rows, wrap=1)
    console.print(count_of(len(summaries)))
    return EXIT_OK


async def get_project(settings: Settings, project_id: ProjectId, *, json_output: bool) -> int:
    """``projects get``: the project's main fields, or all of them as JSON."""
    async with open_client(settings) as client:
        project = await client.projects.get(project_id)
    _show_project(project, json_output)
    return EXIT_OK


def _show_project(project: Project, json_output: bool) -> None:
    if json_output:
        sys.stdout.write(dumps(jsonable(project)) + "\n")
    else:
        _print_project(project)


def _print_project(project: Project) -> None:
    """The main fields a line each; an id or a URL is printed whole at any width."""
    from ._console import make_console
    from ._layout import print_fields

    rows = [
        ("ID", project.id),
        ("Name", project.project_name),
        ("Source", project.source),
        ("Step", project.step),
        ("Rendered", "yes" if project.is_rendered else "no"),
        ("Saved (UTC)", saved_at(project)),
        ("Duration", f"{project.video_duration:.0f} s" if project.video_duration else None),
        ("Video", project.video_url),
        ("Share link", project.share_url),
        ("Assets", ", ".join(project.assets) or None),
    ]
    print_fields(make_console(), rows)


async def wait_project(
    settings: Settings,
    project_id: ProjectId,
    *,
    job: str | None = None,
    polling: Polling,
    json_output: bool,
) -> int:
    """``projects wait``: poll until the render is done; exit 1 when it is not.

    With ``job`` (``--job``) the render's job is followed. A failed render, one whose
    job was cleaned before its end was seen, and the deadline exit 1 with the reason on
    stderr.
    """
    if not json_output:
        sys.stderr.write(f"Waiting for the render of {project_id} (up to {polling.timeout})...\n")
    async with open_client(settings) as client:
        try:
            project = await client.projects.wait_for_render(
                project_id, job=job, timeout=polling.timeout, poll_interval=polling.interval
            )
        except (RenderTimeoutError, JobFailedError, JobOutcomeUnknownError) as exc:
            error(str(exc))
            return EXIT_FAILED
    _show_project(project, json_output)
    return EXIT_OK


async def render_project(
    settings: Settings,
    project_id: ProjectId,
    *,
    wait: bool,
    polling: Polling,
    json_output: bool,
) -> int:
    """``projects render``: start a render and print its job (then wait for it, if asked)."""
    async with open_client(settings) as client:
        job = await client.projects.render(project_id)
    if not wait:
        show_job(job, json_output)
        return EXIT_OK
    if not json_output:
        sys.stderr.write(f"Render started: job {printable(job.id)}\n")
    return await wait_job(settings, job.id, polling=polling, json_output=json_output)


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

    from ._console import make_console

    async with open_client(settings) as client:
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
    console = make_console()
    console.print(table)
    console.print(f"{count_of(len(assets), 'file')} in {dest}")
    return EXIT_OK
