"""The ``pictory jobs`` commands and ``pictory projects render``, as coroutines."""

from __future__ import annotations

import sys
from datetime import timedelta

from .._jobs import Job, JobStatus
from .._types import ProjectId
from ._common import (
    EXIT_FAILED,
    EXIT_OK,
    Settings,
    dumps,
    error,
    jsonable,
    open_client,
    printable,
)

__all__ = ["get_job", "list_jobs", "render_project", "wait_job"]


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


def _show(job: Job, json_output: bool) -> None:
    if json_output:
        sys.stdout.write(dumps(jsonable(job)) + "\n")
    else:
        _print_job(job)


async def get_job(settings: Settings, job_id: str, *, json_output: bool) -> int:
    """``jobs get``: the job's state; exit 1 when it failed."""
    async with open_client(settings) as client:
        job = await client.jobs.get(job_id)
    _show(job, json_output)
    return EXIT_FAILED if job.status is JobStatus.FAILED else EXIT_OK


async def wait_job(
    settings: Settings,
    job_id: str,
    *,
    timeout: timedelta,
    poll_interval: timedelta,
    json_output: bool,
) -> int:
    """``jobs wait``: poll until the job completed; anything else exits 1.

    A failure, a job cleaned before its end was seen (outcome unknown) and the deadline
    all exit 1, the job's last state on stdout and why on stderr.
    """
    from .._exceptions import JobFailedError, JobOutcomeUnknownError, JobTimeoutError

    if not json_output:
        sys.stderr.write(f"Waiting for job {printable(job_id)} (up to {timeout})...\n")
    async with open_client(settings) as client:
        try:
            job = await client.jobs.wait(job_id, timeout=timeout, poll_interval=poll_interval)
        except (JobFailedError, JobOutcomeUnknownError) as exc:
            _show(exc.job, json_output)
            error(str(exc))
            return EXIT_FAILED
        except JobTimeoutError as exc:
            if exc.last is not None:
                _show(exc.last, json_output)
            error(str(exc))
            return EXIT_FAILED
    _show(job, json_output)
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


async def render_project(
    settings: Settings,
    project_id: ProjectId,
    *,
    wait: bool,
    timeout: timedelta,
    poll_interval: timedelta,
    json_output: bool,
) -> int:
    """``projects render``: start a render and print its job (then wait for it, if asked)."""
    async with open_client(settings) as client:
        job = await client.projects.render(project_id)
    if not wait:
        _show(job, json_output)
        return EXIT_OK
    if not json_output:
        sys.stderr.write(f"Render started: job {printable(job.id)}\n")
    return await wait_job(
        settings, job.id, timeout=timeout, poll_interval=poll_interval, json_output=json_output
    )
