"""Render jobs: how the jobs endpoints' bodies become a ``Job``, and which job ids are safe.

``GET /pictoryapis/v1/jobs/{id}`` wraps a job in ``{"success": ..., "data": {...}}``; a
failed job is ``success: false`` with HTTP 200. The body is read into ``JobData`` by the
shared converter, then into ``Job`` here (pure functions, no I/O), so an
unknown status, a missing field or an odd type is tolerated or a typed error, never a
``KeyError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from ._decode import structure
from ._exceptions import InvalidInputError, NotFoundError, ResponseValidationError
from ._ids import PLAIN_ID
from ._models.jobs import Job, JobData, JobPage, JobStatus
from ._models.results import JobHandle
from ._types import ProjectId

__all__ = [
    "Job",  # the models are defined in _models.jobs; these names are kept for importers
    "JobPage",
    "JobStatus",
    "job_from_body",
    "job_page_from_body",
    "started_job",
    "validate_job_id",
]

JOB_NOT_FOUND_CODES = frozenset({"5000", "JOB_NOT_FOUND"})
_MAX_LENGTH = 200


def validate_job_id(job_id: object) -> str:
    """Return ``job_id`` (a ``Job``'s or a job handle's id too) if it is safe in a URL path.

    Job ids are strings (uuid-like) of letters, digits, ``-``, ``_``, ``~`` and single
    dots, at most 200 characters.

    Raises:
        InvalidInputError: Anything else; nothing is sent.
    """
    if isinstance(job_id, (Job, JobHandle)):
        job_id = job_id.id
    if not isinstance(job_id, str):
        raise InvalidInputError(f"job id must be a str, not {type(job_id).__name__}")
    text = str.__str__(job_id)  # the plain value, whatever a subclass's __str__ says
    if not text:
        raise InvalidInputError("job id must not be empty")
    if len(text) > _MAX_LENGTH:
        raise InvalidInputError(f"job id is longer than {_MAX_LENGTH} characters")
    if not PLAIN_ID.fullmatch(text):
        raise InvalidInputError(
            f"job id may hold only letters, digits, '-', '_', '~' and single dots: {text!r}"
        )
    return text


def _job(payload: Mapping[str, Any], job_id: str | None, response: httpx.Response) -> Job:
    data = structure(payload, JobData, response)
    wire_id = data.job_id
    the_id = str(wire_id) if wire_id is not None and wire_id != "" else job_id
    if the_id is None:
        raise ResponseValidationError(
            "a job in the list has no jobId", response=response, body=dict(payload)
        )
    status = JobStatus.parse(data.status)
    return Job(
        id=the_id,
        status=status,
        progress=data.render_progress,
        render_state=data.render_state,
        message=data.render_progress_message,
        video_url=data.video_url,
        thumbnail=data.thumbnail,
        srt_file=data.srt_file,
        vtt_file=data.vtt_file,
        txt_file=data.txt_file,
        video_duration=data.video_duration,
        video_share_url=data.video_share_url,
        ai_credits_used=data.ai_credits_used,
        error_code=None if data.error_code is None else str(data.error_code),
        error_message=data.error_message,
        project_id=data.project_id,
        created_at=data.created_at,
        raw=dict(payload),
    )


def _error_of(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(error_code, error_message)`` of a ``success: false`` body without job data."""
    error = payload.get("error")
    source = error if isinstance(error, Mapping) else payload
    code, message = source.get("error_code"), source.get("error_message")
    return (
        None if code is None or isinstance(code, (dict, list)) else str(code),
        message if isinstance(message, str) else None,
    )


def job_from_body(payload: object, job_id: str, response: httpx.Response) -> Job:
    """The ``Job`` a ``GET /pictoryapis/v1/jobs/{id}`` body describes.

    Accepts the documented envelope and, defensively, the job object unwrapped. A
    ``success: false`` body whose job data has no status is a failed job.

    Raises:
        NotFoundError: The body says the job does not exist (``error_code`` 5000 or
            ``JOB_NOT_FOUND``, in ``error`` or in ``data``), even with a 200.
        ResponseValidationError: Anything that is not a job.
    """
    if not isinstance(payload, Mapping):
        raise ResponseValidationError(
            "unexpected job body: expected a JSON object", response=response, body=payload
        )
    data = payload.get("data", payload if "status" in payload else None)
    if not isinstance(data, Mapping):
        data = {}
    if data.get("status") is None:
        for source in (data, payload):
            code, message = _error_of(source)
            if code in JOB_NOT_FOUND_CODES or message in JOB_NOT_FOUND_CODES:
                raise NotFoundError(
                    f"job {job_id!r} not found ({message or code})",
                    response=response,
                    body=dict(payload),
                )
    if data:
        job = _job(data, job_id, response)
        if payload.get("success") is False and job.status is JobStatus.UNKNOWN:
            job = attrs.evolve(job, status=JobStatus.FAILED, raw=job.raw)
        return job
    code, message = _error_of(payload)
    raise ResponseValidationError(
        "unexpected job body: no job data" + (f" ({code}: {message})" if code or message else ""),
        response=response,
        body=dict(payload),
    )


def job_page_from_body(payload: object, response: httpx.Response) -> JobPage:
    """One ``JobPage`` from a ``GET /pictoryapis/v1/jobs`` body (jobs in ``data`` or ``items``).

    Raises:
        ResponseValidationError: The body is not a page of jobs.
    """
    if not isinstance(payload, Mapping):
        raise ResponseValidationError(
            "unexpected job list: expected a JSON object", response=response, body=payload
        )
    items = payload.get("data", payload.get("items"))
    if items is None:
        items = []
    next_key = payload.get("nextPageKey")
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise ResponseValidationError(
            "unexpected job list: data must be an array of objects",
            response=response,
            body=dict(payload),
        )
    if next_key is not None and not isinstance(next_key, str):
        raise ResponseValidationError(
            "unexpected job list: nextPageKey must be a string or null",
            response=response,
            body=dict(payload),
        )
    return JobPage(
        items=tuple(_job(item, None, response) for item in items),
        next_page_key=next_key or None,
    )


def started_job(
    payload: object, project_id: ProjectId | None, response: httpx.Response, *, what: str = "render"
) -> Job:
    """The ``Job`` a job-starting answer names (``{"data": {"jobId": ...}}``).

    Older v1 answers say ``job_id``; both are read.

    Raises:
        ResponseValidationError: No usable job id in the answer, or it says it failed.
    """
    data = payload.get("data") if isinstance(payload, Mapping) else None
    job_id = None
    if isinstance(data, Mapping):
        job_id = data.get("jobId", data.get("job_id"))
    if isinstance(payload, Mapping) and payload.get("success") is False:
        _, message = _error_of(payload)
        raise ResponseValidationError(
            f"the API reported the {what} as not started: {message or 'no message'}",
            response=response,
            body=dict(payload),
        )
    if isinstance(job_id, int) and not isinstance(job_id, bool):
        job_id = str(job_id)
    if not isinstance(job_id, str) or not job_id.strip():
        raise ResponseValidationError(
            f"the {what} answer has no jobId", response=response, body=payload
        )
    try:
        validate_job_id(job_id)
    except InvalidInputError:
        raise ResponseValidationError(
            f"the {what} answer's jobId is not a safe id: {job_id[:80]!r}",
            response=response,
            body=payload,
        ) from None
    return Job(id=job_id, status=JobStatus.PENDING, project_id=project_id, raw=dict(data or {}))
