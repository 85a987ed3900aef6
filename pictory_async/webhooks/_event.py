"""A webhook body as a typed ``JobEvent``: the one job body parser, behind a size cap.

Pictory does not document the body it POSTs to a job's ``webhook`` URL; we read it as
what ``GET /pictoryapis/v1/jobs/{id}`` answers (``{"job_id": ..., "success": ...,
"data": {"status": ...}}``), through the same ``job_from_body`` the API's answers go
through. The job id is read from ``job_id`` or ``jobId``, at the top or in ``data``,
and must be a safe id. A body that is too large, not JSON, not a job or without a safe
id is an ``InvalidWebhookError`` (with the HTTP status to answer), never a raw
exception. A ``JobEvent`` is a claim, not a fact: nothing checks it against the API.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import attrs
import httpx

from .._converter import raw_field
from .._exceptions import InvalidInputError, NotFoundError, PictoryError, ResponseValidationError
from .._jobs import job_from_body, validate_job_id
from .._models.jobs import Job, JobStatus

__all__ = ["DEFAULT_MAX_BODY_BYTES", "InvalidWebhookError", "JobEvent", "parse_event"]

DEFAULT_MAX_BODY_BYTES: Final = 256 * 1024
"""The largest webhook body read, in bytes: a job body is a few kilobytes."""

_ID_KEYS = ("job_id", "jobId")
_WHERE = httpx.Request("POST", "http://webhook.invalid/")
"""What the parser's errors name as the request: a delivery has no request of ours."""


class InvalidWebhookError(PictoryError, ValueError):
    """A webhook body that is not a job event: too large, not JSON, no safe job id, ...

    Attributes:
        status_code: What to answer the sender: 400, or 413 for a body over the cap.
    """

    def __init__(self, message: str, *, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


@attrs.frozen(kw_only=True)
class JobEvent:
    """One webhook delivery: the job as the body describes it (unconfirmed).

    Attributes:
        job_id: The job's id (a safe id).
        status: The status the body claims.
        job: The body read as a ``Job``, as ``client.jobs.get`` would read it.
        raw: The whole body as received, unknown fields included.
    """

    job_id: str
    status: JobStatus
    job: Job
    raw: Mapping[str, Any] = raw_field()

    @property
    def is_final(self) -> bool:
        """Whether the body claims an outcome: ``completed`` or ``failed``."""
        return self.status in (JobStatus.COMPLETED, JobStatus.FAILED)


def _job_id(payload: Mapping[str, Any]) -> str:
    data = payload.get("data")
    sources = (payload, data) if isinstance(data, Mapping) else (payload,)
    for source in sources:
        for key in _ID_KEYS:
            value = source.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if isinstance(value, str) and value:
                try:
                    return validate_job_id(value)
                except InvalidInputError as exc:
                    raise InvalidWebhookError(
                        f"the webhook body's job id is unsafe: {exc}"
                    ) from None
    raise InvalidWebhookError("the webhook body names no job (job_id or jobId)")


def parse_event(body: bytes, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> JobEvent:
    """The ``JobEvent`` a webhook body describes.

    Args:
        body: The request body, as received.
        max_bytes: The largest body accepted.

    Returns:
        The event: the job id, the claimed status, the body as a ``Job``.

    Raises:
        InvalidWebhookError: The body is over ``max_bytes`` (``status_code`` 413), or is
            not a job body with a safe id (400).
    """
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise InvalidWebhookError(f"a webhook body is bytes, not {type(body).__name__}")
    if len(body) > max_bytes:
        raise InvalidWebhookError(f"the webhook body is over {max_bytes} bytes", status_code=413)
    try:
        payload = json.loads(bytes(body))
    except (ValueError, RecursionError):
        kind = "an HTML page" if bytes(body).lstrip()[:1] == b"<" else "not JSON"
        raise InvalidWebhookError(f"the webhook body is {kind}") from None
    if not isinstance(payload, dict):
        raise InvalidWebhookError("the webhook body is not a JSON object")
    job_id = _job_id(payload)
    try:
        job = job_from_body(payload, job_id, httpx.Response(200, request=_WHERE))
    except (ResponseValidationError, NotFoundError) as exc:
        raise InvalidWebhookError(f"the webhook body is not a job: {exc}") from None
    if job.id != job_id:
        raise InvalidWebhookError("the webhook body names two different job ids")
    return JobEvent(job_id=job_id, status=job.status, job=job, raw=payload)
