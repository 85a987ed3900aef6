"""Waiting for a render: follow its job, so that a new video is told from an old one.

A project that had a video before a render keeps showing it while the render runs on
Pictory's side and after the render fails, so the project alone cannot say whether the
video it shows is the new one. The render's job can: ``completed``, ``failed`` or
``cleaned`` (outcome gone). So ``wait_for_render`` follows the job when it has one (the
``Job`` or job id ``render()`` returned) and reads the project once the job completed.

Without one, it reads the project, and the first time it sees the project rendering
it looks for that render's job: the newest job on the first page of the job list that
names the project and is still running. Found, it is followed as if given. Not found
(the API's list does not name projects, or the render is not listed yet), the project
is all there is, and a render that fails and leaves the earlier video in place reads as
done. A project not rendering at the first poll is returned as it is: a render whose
start the project does not show yet, or that failed before the wait began, cannot be
seen from the project. Pass the job for a definite answer.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Protocol

import attrs

from ._exceptions import (
    InvalidInputError,
    InvalidProjectIdError,
    JobOutcomeUnknownError,
    RenderFailedError,
    RenderTimeoutError,
)
from ._ids import validate_project_id
from ._jobs import Job, JobStatus, validate_job_id
from ._models import JobPage, Project
from ._polling import Timing, poll_until
from ._types import ProjectId

__all__ = ["JobReader", "ProjectReader", "render_target", "wait_for_render"]


def render_target(
    project: ProjectId | Project | Job, job: Job | str | None
) -> tuple[ProjectId, str | None]:
    """``(project_id, job_id)`` of a wait, checked before any request.

    ``project`` may be the ``Job`` itself (it names its project); a ``Job`` given as
    ``job`` must name the same project, when it names one.

    Raises:
        InvalidProjectIdError: An unsafe project id, or a ``Project`` without one.
        InvalidInputError: An unsafe job id, a ``Job`` naming no project or another one,
            or the job given twice.
    """
    if isinstance(project, Job):
        if job is not None:
            raise InvalidInputError("give the job once: as the first argument or as job=")
        job = project
        if project.project_id is None:
            raise InvalidInputError(
                f"job {project.id!r} names no project: wait_for_render(project_id, job=job)"
            )
        project = project.project_id
    elif isinstance(project, Project):
        if project.id is None:
            raise InvalidProjectIdError("this Project has no id to wait for")
        project = project.id
    project_id = validate_project_id(project)
    if job is None:
        return project_id, None
    job_id = validate_job_id(job)
    if isinstance(job, Job):
        _check_same_project(job, project_id)
    return project_id, job_id


def _names_another(job: Job, project_id: ProjectId) -> bool:
    """Whether ``job`` says it renders a project other than ``project_id``."""
    return job.project_id is not None and str(job.project_id) != str(project_id)


def _check_same_project(job: Job, project_id: ProjectId) -> None:
    """Raise if ``job`` says it renders a project other than ``project_id``."""
    if _names_another(job, project_id):
        raise InvalidInputError(
            f"job {job.id!r} renders project {job.project_id!r}, not {project_id!r}"
        )


@attrs.frozen
class _Seen:
    """What one poll saw: the job (when following one) and the project (when read)."""

    job: Job | None
    project: Project | None


class ProjectReader(Protocol):
    """What a render wait uses of ``client.projects``: reading one, and the client's timing."""

    @property
    def _client(self) -> Timing: ...

    async def get(self, project_id: ProjectId) -> Project: ...


class JobReader(Protocol):
    """What a render wait uses of ``client.jobs``: reading one, and the job list."""

    async def get(self, job_id: str | Job) -> Job: ...

    def list_pages(self, *, page_key: str | None = None) -> AsyncGenerator[JobPage, None]: ...


async def wait_for_render(
    projects: ProjectReader,
    jobs: JobReader,
    project_id: ProjectId,
    job_id: str | None,
    *,
    timeout: float,
    interval: float,
) -> Project:
    """Poll until the render is done and return the project with its video.

    Args:
        projects: Reads the project.
        jobs: Reads (and lists) jobs.
        project_id: The project (validated).
        job_id: The render's job (validated), or ``None`` to go by the project.
        timeout: Seconds until the deadline (see ``poll_until``).
        interval: Seconds between polls.

    Raises:
        RenderFailedError: The render's job ended ``failed``.
        JobOutcomeUnknownError: The render's job was ``cleaned`` before its end was seen.
        RenderTimeoutError: The deadline passed first.
        InvalidInputError: The job turned out to render another project.
        NotFoundError: No such project, or no such job.
    """
    follow = job_id
    looked = job_id is not None  # whether the running render's job was looked for
    completed: Job | None = None
    project_seen: Project | None = None

    async def poll() -> _Seen:
        nonlocal follow, looked, completed, project_seen
        job = completed
        if follow is not None and completed is None:
            job = await jobs.get(follow)
            if job.status is not JobStatus.COMPLETED or _names_another(job, project_id):
                return _Seen(job, None)  # judged by ``done``, also after the deadline
            completed = job
        project = project_seen = await projects.get(project_id)
        if not looked and project.in_progress:
            looked = True
            running = await _running_job(jobs, project_id)
            if running is not None:
                follow = running.id
                return _Seen(running, project)
        return _Seen(job, project)

    def done(seen: _Seen) -> bool:
        job = seen.job
        if job is not None:
            _check_same_project(job, project_id)
            if job.status is JobStatus.FAILED:
                raise RenderFailedError(job, project_id=project_id)
            if job.status is JobStatus.CLEANED:
                raise JobOutcomeUnknownError(job, project_id=project_id)
            if job.status is not JobStatus.COMPLETED:
                return False
        return seen.project is not None and seen.project.is_rendered

    def expired(last: _Seen | None, waited: float) -> RenderTimeoutError:
        job = None if last is None else last.job
        if job is not None and job.status is not JobStatus.COMPLETED:
            message = (
                f"render job {job.id!r} of project {project_id!r} not finished after "
                f"{waited:.0f} s (status {job.status.value!r}"
                + (f", {job.progress:g}%" if job.progress is not None else "")
                + ")"
            )
        elif job is not None:
            message = (
                f"project {project_id!r}: render job {job.id!r} completed, but the project "
                f"shows no video after {waited:.0f} s"
            )
        elif project_seen is not None:
            message = (
                f"project {project_id!r} still rendering after {waited:.0f} s "
                f"(step {project_seen.step!r})"
            )
        else:  # no poll answered in time
            message = f"project {project_id!r}: no answer within {waited:.0f} s"
        return RenderTimeoutError(
            message, project_id=project_id, last=project_seen, waited=waited, job=job
        )

    seen = await poll_until(
        projects._client, poll, done, timeout=timeout, interval=interval, expired=expired
    )
    if seen.project is None:  # pragma: no cover - ``done`` holds only with a project
        raise RuntimeError("a render wait ended without the project")
    return seen.project


async def _running_job(jobs: JobReader, project_id: ProjectId) -> Job | None:
    """The running job of ``project_id`` on the first page of the job list, if listed.

    The newest job naming the project is the running render's (a project renders once
    at a time) unless that one is not listed yet: then it is finished, an earlier
    render's, and ``None`` is returned. So is a job whose id is not safe in a URL.
    """
    async with aclosing(jobs.list_pages()) as pages:
        async for page in pages:  # the first page only: the running render is among the newest
            for job in page.items:
                if job.project_id is not None and str(job.project_id) == str(project_id):
                    return None if job.is_finished or not _safe(job.id) else job
            break
    return None


def _safe(job_id: str) -> bool:
    """Whether a job id from the API can be put in a URL (else it is not followed)."""
    try:
        validate_job_id(job_id)
    except InvalidInputError:
        return False
    return True
