"""``pictory jobs``: follow render jobs (get, wait, list), each command with its worker.

A command parses and checks its options; its worker is a coroutine that returns the
exit code (``call`` runs it). ``projects render --wait`` follows its job with
``wait_job``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import Job, JobFailedError, JobOutcomeUnknownError, JobStatus, JobTimeoutError
from ._common import EXIT_FAILED, EXIT_OK, Settings, dumps, error, jsonable, open_client, printable
from ._options import (
    POLL_INTERVAL,
    WAIT_TIMEOUT,
    JsonOption,
    Polling,
    PollOption,
    TimeoutOption,
    call,
)

__all__ = ["app", "get_job", "list_jobs", "show_job", "wait_job"]

app = typer.Typer(help="Follow render jobs: get, wait, list.", no_args_is_help=True)

JobArgument = Annotated[str, typer.Argument(metavar="JOB", help="The job id.")]


@app.command("get")
def _get(ctx: typer.Context, job_id: JobArgument, json_output: JsonOption = False) -> None:
    """Show a render job (exit 1 if it failed)."""
    call(ctx, get_job, job_id, json_output=json_output)


@app.command("wait")
def _wait(
    ctx: typer.Context,
    job_id: JobArgument,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Wait until a render job completed (exit 1 if it failed, was cleaned, or timed out)."""
    polling = Polling(timeout=timeout, interval=poll_interval)
    call(ctx, wait_job, job_id, polling=polling, json_output=json_output)


@app.command("list")
def _list(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many (newest first).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List render jobs, newest first."""
    call(ctx, list_jobs, limit=limit, json_output=json_output)


# -- workers ----------------------------------------------------------------------------


def _print_job(job: Job) -> None:
    from rich.table import Table

    from ._console import make_console

    table = Table(show_header=False, box=None, pad_edge=False)
    progress = f"{job.progress:.0f}%" if job.progress is not None else None
    error = " ".join(filter(None, (job.error_code, job.error_message))) or None
    rows = [
        ("Job", job.id),
        ("Status", job.status.value),
        ("Progress", progress),
        ("Message", job.message),
        ("Project", job.project_id),
        ("Video", job.video_url),
        ("Share", job.video_share_url),
        ("Error", error),
    ]
    for name, value in rows:
        if value is not None:
            table.add_row(name, str(value))
    make_console().print(table)


def show_job(job: Job, json_output: bool) -> None:
    """The job as a table, or as one JSON line."""
    if json_output:
        sys.stdout.write(dumps(jsonable(job)) + "\n")
    else:
        _print_job(job)


async def get_job(settings: Settings, job_id: str, *, json_output: bool) -> int:
    """``jobs get``: the job's state; exit 1 when it failed."""
    async with open_client(settings) as client:
        job = await client.jobs.get(job_id)
    show_job(job, json_output)
    return EXIT_FAILED if job.status is JobStatus.FAILED else EXIT_OK


async def wait_job(
    settings: Settings,
    job_id: str,
    *,
    polling: Polling,
    json_output: bool,
) -> int:
    """``jobs wait``: poll until the job completed; anything else exits 1.

    A failure, a job cleaned before its end was seen (outcome unknown) and the deadline
    all exit 1, the job's last state on stdout and why on stderr.
    """
    if not json_output:
        sys.stderr.write(f"Waiting for job {printable(job_id)} (up to {polling.timeout})...\n")
    async with open_client(settings) as client:
        try:
            job = await client.jobs.wait(
                job_id, timeout=polling.timeout, poll_interval=polling.interval
            )
        except (JobFailedError, JobOutcomeUnknownError) as exc:
            show_job(exc.job, json_output)
            error(str(exc))
            return EXIT_FAILED
        except JobTimeoutError as exc:
            if exc.last is not None:
                show_job(exc.last, json_output)
            error(str(exc))
            return EXIT_FAILED
    show_job(job, json_output)
    return EXIT_OK


async def list_jobs(settings: Settings, *, limit: int | None, json_output: bool) -> int:
    """``jobs list``: the newest jobs first, as a table or JSON lines."""
    jobs: list[Job] = []
    seen = 0
    async with open_client(settings) as client:
        async for job in client.jobs.list():
            if limit is not None and seen >= limit:
                break
            seen += 1
            if json_output:
                sys.stdout.write(dumps(jsonable(job)) + "\n")
            else:
                jobs.append(job)
    if json_output:
        return EXIT_OK
    from rich.table import Table

    from ._console import make_console

    table = Table("Job", "Status", "Progress", "Project", box=None, pad_edge=False)
    for job in jobs:
        progress = f"{job.progress:.0f}%" if job.progress is not None else "-"
        project = "-" if job.project_id is None else str(job.project_id)
        table.add_row(job.id, job.status.value, progress, project)
    console = make_console()
    console.print(table)
    console.print(f"{len(jobs):,} jobs")
    return EXIT_OK
