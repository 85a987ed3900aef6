"""The Typer application: options and help; the work is in modules imported on use.

Sub-apps are Typer apps added with ``app.add_typer``; a new group (``jobs``) is one
more ``typer.Typer()`` and its commands, calling coroutines through ``run``.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from .._assets import ASSET_KINDS
from ._common import (
    SOURCES,
    Settings,
    parse_age,
    parse_kinds,
    parse_seconds,
    parse_sources,
    read_ids,
    run,
)

__all__ = ["app", "jobs_app", "main", "projects_app"]

app = typer.Typer(
    name="pictory",
    help="Pictory from the shell: list, back up and prune projects. Try: pictory demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # never print locals: they hold the API key
    context_settings={"help_option_names": ["-h", "--help"]},
)
projects_app = typer.Typer(
    help="List, inspect, download, back up and delete projects.", no_args_is_help=True
)
app.add_typer(projects_app, name="projects")
jobs_app = typer.Typer(help="Follow render jobs: get, wait, list.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


def _version(value: bool) -> None:
    if value:
        from .._version import __version__

        typer.echo(f"pictory-async {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="PICTORY_API_KEY",
            help="Your API key (pictai_...); prefer the environment variable.",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="PICTORY_BASE_URL",
            help="The API's origin (e.g. an emulator's).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Tracebacks and the request log on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Pictory from the shell."""
    ctx.obj = Settings(api_key=api_key or None, base_url=base_url or None, debug=debug)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.find_object(Settings)
    return settings if settings is not None else Settings()


def _confirm(question: str) -> bool | None:
    """Ask on the terminal: yes, no (Ctrl-C too), or ``None`` at the end of input."""
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort as exc:  # Click's answer to both Ctrl-C and the end of input
        typer.echo(err=True)
        return False if isinstance(exc.__context__, KeyboardInterrupt) else None


JsonOption = Annotated[bool, typer.Option("--json", help="JSON lines on stdout, nothing else.")]
TimeoutOption = Annotated[
    timedelta,
    typer.Option(parser=parse_seconds, metavar="DURATION", help="Give up after: 30m, 600."),
]
PollOption = Annotated[
    timedelta,
    typer.Option(parser=parse_seconds, metavar="DURATION", help="Between polls (>= 1 s)."),
]
JobArgument = Annotated[str, typer.Argument(metavar="JOB", help="The job id.")]
ProjectArgument = Annotated[str, typer.Argument(metavar="ID", help="The project id.")]
WAIT_TIMEOUT = timedelta(minutes=30)
POLL_INTERVAL = timedelta(seconds=15)  # Pictory advises polling every 10-30 s
FolderOption = Annotated[
    str | None,
    typer.Option("--folder", help="Only projects in this folder (its id).", show_default=False),
]
OlderOption = Annotated[
    timedelta | None,
    typer.Option(
        "--older-than",
        parser=parse_age,
        metavar="AGE",
        help="Only projects last saved longer ago than this: 90d, 12h, 2w.",
        show_default=False,
    ),
]
SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="SOURCE",
        callback=parse_sources,
        help="Only projects of this source (repeatable, or comma-separated): "
        f"{', '.join(SOURCES)}.",
    ),
]
IdsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Project ids; - reads them from stdin, one a line.", show_default=False),
]
IdsFromOption = Annotated[
    str | None,
    typer.Option(
        "--ids-from", metavar="FILE", help="Read ids from FILE (- for stdin), one a line."
    ),
]
KindOption = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        metavar="KIND",
        callback=parse_kinds,
        help=f"Only this asset kind (repeatable, or comma-separated): {', '.join(ASSET_KINDS)}.",
    ),
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option("--concurrency", min=1, help="Projects at once.", show_default=False),
]
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


def _ids(ids: list[str] | None, ids_from: str | None) -> list[int | str]:
    found = read_ids(ids or [], ids_from, sys.stdin)
    if not found:
        raise typer.BadParameter("give at least one project id (or - to read them from stdin)")
    return found


def _one_id(text: str) -> int | str:
    return read_ids([text], None, sys.stdin)[0]


@projects_app.command("list")
def _list(
    ctx: typer.Context,
    folder: FolderOption = None,
    older_than: OlderOption = None,
    source: SourceOption = None,
    json_output: JsonOption = False,
) -> None:
    """List projects: a table, or JSON lines with --json."""
    from ._projects import list_projects

    settings = _settings(ctx)
    run(
        settings,
        lambda: list_projects(
            settings,
            folder=folder,
            older_than=older_than,
            sources=source or [],
            json_output=json_output,
        ),
    )


@projects_app.command("get")
def _get(
    ctx: typer.Context,
    project_id: ProjectArgument,
    json_output: JsonOption = False,
) -> None:
    """Show one project."""
    from ._projects import get_project

    settings = _settings(ctx)
    found = _one_id(project_id)
    run(settings, lambda: get_project(settings, found, json_output=json_output))


@projects_app.command("wait")
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
    from ._projects import wait_project

    settings = _settings(ctx)
    found = _one_id(project_id)
    run(
        settings,
        lambda: wait_project(
            settings,
            found,
            job=job,
            timeout=timeout,
            poll_interval=poll_interval,
            json_output=json_output,
        ),
    )


@projects_app.command("render")
def _render(
    ctx: typer.Context,
    project_id: ProjectArgument,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the render to finish.")] = False,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Start rendering a project's video; print the job (--wait: follow it to the end)."""
    from ._jobs import render_project

    settings = _settings(ctx)
    found = _one_id(project_id)
    run(
        settings,
        lambda: render_project(
            settings,
            found,
            wait=wait,
            timeout=timeout,
            poll_interval=poll_interval,
            json_output=json_output,
        ),
    )


@jobs_app.command("get")
def _job_get(ctx: typer.Context, job_id: JobArgument, json_output: JsonOption = False) -> None:
    """Show a render job (exit 1 if it failed)."""
    from ._jobs import get_job

    settings = _settings(ctx)
    run(settings, lambda: get_job(settings, job_id, json_output=json_output))


@jobs_app.command("wait")
def _job_wait(
    ctx: typer.Context,
    job_id: JobArgument,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Wait until a render job completed (exit 1 if it failed, was cleaned, or timed out)."""
    from ._jobs import wait_job

    settings = _settings(ctx)
    run(
        settings,
        lambda: wait_job(
            settings,
            job_id,
            timeout=timeout,
            poll_interval=poll_interval,
            json_output=json_output,
        ),
    )


@jobs_app.command("list")
def _job_list(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many (newest first).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List render jobs, newest first."""
    from ._jobs import list_jobs

    settings = _settings(ctx)
    run(settings, lambda: list_jobs(settings, limit=limit, json_output=json_output))


@projects_app.command("download")
def _download(
    ctx: typer.Context,
    project_id: ProjectArgument,
    dest: Annotated[Path, typer.Option("--dest", help="The directory (created if missing).")],
    kind: KindOption = None,
    json_output: JsonOption = False,
) -> None:
    """Download a project's media files, each checked against the CDN's size and hash."""
    from ._projects import download_project

    settings = _settings(ctx)
    found = _one_id(project_id)
    run(
        settings,
        lambda: download_project(
            settings, found, dest=dest, kinds=kind or [], json_output=json_output
        ),
    )


@projects_app.command("backup")
def _backup(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Option("--dest", help="Where each project's directory goes.")],
    ids: IdsArgument = None,
    ids_from: IdsFromOption = None,
    kind: KindOption = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Projects at once.")] = 8,
    json_output: JsonOption = False,
) -> None:
    """Back projects up (metadata, media, manifest); nothing is deleted."""
    from ._projects import backup_projects

    settings = _settings(ctx)
    found = _ids(ids, ids_from)
    run(
        settings,
        lambda: backup_projects(
            settings,
            found,
            dest=dest,
            kinds=kind or [],
            concurrency=concurrency,
            json_output=json_output,
        ),
    )


@projects_app.command("report")
def _report(
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
    from .._exceptions import InvalidInputError
    from .._reports import _format_of
    from ._projects import report_projects

    settings = _settings(ctx)
    try:
        chosen = _format_of(output, format)
    except InvalidInputError as exc:
        raise typer.BadParameter(str(exc), param_hint="FILE / --format") from None
    if not output.parent.is_dir():
        raise typer.BadParameter(f"no such directory: {output.parent}", param_hint="FILE")
    if output.is_dir():
        raise typer.BadParameter(f"a directory, not a file: {output}", param_hint="FILE")
    run(
        settings,
        lambda: report_projects(
            settings,
            output,
            folder=folder,
            older_than=older_than,
            sources=source or [],
            format=chosen,
            full=full,
            concurrency=concurrency,
        ),
    )


@projects_app.command("compare")
def _compare(
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
    from .._exceptions import InvalidInputError
    from .._reports import _check_field
    from ._projects import compare_projects_command

    settings = _settings(ctx)
    found = _ids(ids, None)
    if len(found) < 2:
        raise typer.BadParameter("give at least two project ids to compare")
    try:
        fields = [_check_field(name) for name in field or []]
    except InvalidInputError as exc:
        raise typer.BadParameter(str(exc), param_hint="--field") from None
    run(
        settings,
        lambda: compare_projects_command(
            settings, found, fields=fields, only_differing=differing, json_output=json_output
        ),
    )


@projects_app.command("delete")
def _delete(
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
    from ._projects import PruneOptions, delete_projects

    settings = _settings(ctx)
    found = _ids(ids, ids_from)
    options = PruneOptions(
        concurrency=concurrency,
        rate_limit=rate_limit,
        journal=journal,
        yes=yes,
        missing_ok=missing_ok,
        json_output=json_output,
    )
    reads_stdin = "-" in (ids or []) or ids_from == "-"
    run(
        settings,
        lambda: delete_projects(
            settings, found, options=options, confirm=_no_prompt if reads_stdin else _confirm
        ),
    )


def _no_prompt(question: str) -> bool | None:
    """Stdin held the ids: there is nobody to ask."""
    sys.stderr.write(f"{question} (ids came from stdin, so there is no prompt)\n")
    return None


@projects_app.command("prune")
def _prune(
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
    from ._projects import PruneOptions, prune_projects

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
    settings = _settings(ctx)
    options = PruneOptions(
        backup_to=backup_to,
        kinds=tuple(kind or ()),
        concurrency=concurrency,
        rate_limit=rate_limit,
        journal=journal,
        yes=yes,
        json_output=json_output,
    )
    run(
        settings,
        lambda: prune_projects(
            settings,
            older_than=older_than,
            sources=source or [],
            folder=folder,
            options=options,
            confirm=_confirm,
        ),
    )


@app.command("demo")
def _demo(
    projects: Annotated[int, typer.Option(min=1, max=10_000, help="Projects to seed.")] = 2500,
    latency_ms: Annotated[float, typer.Option(min=0, help="API latency (ms).")] = 20.0,
    rate_limit: Annotated[
        float, typer.Option(min=1, help="The emulator's rate limit (requests/s).")
    ] = 100.0,
    faults: Annotated[bool, typer.Option(help="Inject 5xx errors and lost DELETE answers.")] = True,
    dest: Annotated[
        Path | None,
        typer.Option(
            help="Keep the backups and the journal in DIR (default: a temporary directory, "
            "removed at the end)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the emulator's data and faults.")] = 7,
) -> None:
    """See the main job end to end against a local emulator: no key, no network."""
    from ._demo import DemoOptions, demo

    options = DemoOptions(
        projects=projects,
        latency=latency_ms / 1000,
        rate_limit=rate_limit,
        faults=faults,
        dest=dest,
        seed=seed,
    )
    run(Settings(), lambda: demo(options))


def main() -> int:
    """The ``pictory`` console script.

    Returns:
        The exit code.
    """
    try:
        app(prog_name="pictory")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
