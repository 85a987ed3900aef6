"""Exceptions raised by pictory-async.

The tree::

    PictoryError
    ├── InvalidInputError (also a ValueError)   bad input, raised before any request
    │   ├── InvalidProjectIdError
    │   └── MissingAPIKeyError
    ├── ClientClosedError (also a RuntimeError)  the client was closed; nothing more is sent
    ├── RenderTimeoutError (also a TimeoutError) a render outlasted ``wait_for_render``
    ├── JobTimeoutError (also a TimeoutError)   a render job outlasted ``jobs.wait``
    ├── JobFailedError                          a render job waited on ended ``failed``
    │   └── RenderFailedError                   the render ``wait_for_render`` followed failed
    ├── JobOutcomeUnknownError                  a job was ``cleaned`` before its end was seen
    ├── APIError                                something went wrong talking to the API
    │   ├── APIConnectionError                  no usable response (DNS, refused, reset, ...)
    │   │   └── APITimeoutError
    │   ├── ResponseTooLargeError               a body over ``max_response_bytes``
    │   ├── APIStatusError                      the API answered with an error status
    │   │   ├── BadRequestError                 400
    │   │   ├── AuthenticationError             401
    │   │   ├── PermissionDeniedError           403
    │   │   ├── NotFoundError                   404
    │   │   ├── ConflictError                   409
    │   │   ├── UnprocessableEntityError        422
    │   │   ├── RateLimitError                  429
    │   │   └── InternalServerError             5xx
    │   │   (any other status >= 300, a redirect included, is a plain APIStatusError)
    │   ├── ResponseValidationError             a 2xx body that is not what the API promises
    │   └── AssetDownloadError                  a media file failed (``_download``)
    ├── BackupError                             a backup that did not check out (``_backup``)
    └── BulkOperationError                      ``BulkResult.raise_for_failures()``

No message, ``repr`` or attribute of these exceptions carries the API key: the
``request`` they hold (also as ``response.request``) is a copy whose ``Authorization``
header reads ``[redacted]``, and they chain no transport exception (those can hold the
original headers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ._error_body import request_id, shorten
from ._redact import redact, redacted_request, scrub, secrets_of

if TYPE_CHECKING:
    from ._models import Job, Project
    from ._types import ProjectId

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AssetDownloadError",
    "AuthenticationError",
    "BackupError",
    "BadRequestError",
    "BulkOperationError",
    "ClientClosedError",
    "ConflictError",
    "InternalServerError",
    "InvalidInputError",
    "InvalidProjectIdError",
    "JobFailedError",
    "JobOutcomeUnknownError",
    "JobTimeoutError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "PictoryError",
    "RateLimitError",
    "RenderFailedError",
    "RenderTimeoutError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "UnprocessableEntityError",
]


class PictoryError(Exception):
    """Root of every exception this library raises on purpose."""


class InvalidInputError(PictoryError, ValueError):
    """An argument is invalid; raised before any request is sent."""


class InvalidProjectIdError(InvalidInputError):
    """A project id that is empty, negative, or could reach another endpoint."""


class MissingAPIKeyError(InvalidInputError):
    """No API key was given and ``PICTORY_API_KEY`` is not set."""


class RenderTimeoutError(PictoryError, TimeoutError):
    """A render did not finish before the deadline of ``wait_for_render``.

    Attributes:
        project_id: The project waited for.
        last: The project as last seen (``None`` if no poll got an answer, or the wait
            followed a job that had not completed).
        waited: Seconds waited.
        job: The render job as last seen, when the wait followed one (else ``None``).
    """

    def __init__(
        self,
        message: str,
        *,
        project_id: ProjectId,
        last: Project | None,
        waited: float,
        job: Job | None = None,
    ) -> None:
        super().__init__(message)
        self.project_id = project_id
        self.last = last
        self.waited = waited
        self.job = job


class JobTimeoutError(PictoryError, TimeoutError):
    """A render job did not finish before the deadline of ``jobs.wait``.

    Attributes:
        job_id: The job waited for.
        last: The job as last seen (``None`` if no poll got an answer).
        waited: Seconds waited.
    """

    def __init__(self, message: str, *, job_id: str, last: Job | None, waited: float) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.last = last
        self.waited = waited


class JobFailedError(PictoryError):
    """A job ended ``failed`` (raised by ``jobs.wait``; ``jobs.get`` returns it).

    Attributes:
        job_id: The job.
        error_code: The API's ``error_code`` (as a string), if it gave one.
        error_message: The API's ``error_message``, if it gave one.
        job: The failed ``Job``.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self.job_id = job.id
        self.error_code = job.error_code
        self.error_message = job.error_message
        super().__init__(f"job {job.id!r} failed{_failure(job)}")


def _failure(job: Job) -> str:
    """`` [code]: message`` of a failed job, for an exception's message."""
    code = f" [{job.error_code}]" if job.error_code else ""
    detail = shorten(job.error_message) if job.error_message else "no message"
    return f"{code}: {detail}"


class RenderFailedError(JobFailedError):
    """The render ``wait_for_render`` followed ended ``failed``: no new video was made.

    The project may still show the video of an earlier render; it is not this one's.
    Catch ``JobFailedError`` to handle a failed ``jobs.wait`` and this alike.

    Attributes:
        project_id: The project whose render failed.
        job_id: The render's job.
        error_code: The API's ``error_code`` (as a string), if it gave one.
        error_message: The API's ``error_message``, if it gave one.
        job: The failed ``Job``.
    """

    def __init__(self, job: Job, *, project_id: ProjectId) -> None:
        super().__init__(job)
        self.project_id = project_id
        self.args = (f"render of project {project_id!r} (job {job.id!r}) failed{_failure(job)}",)


class JobOutcomeUnknownError(PictoryError):
    """A job was ``cleaned`` before the wait saw how it ended: completed or failed, unknown.

    Cleaning (``jobs.clean``, or Pictory's retention period) drops a finished job's data,
    its outcome with it, so a cleaned job is neither a success nor a failure. Raised by
    ``jobs.wait`` and ``wait_for_render``; look at the project (``projects.get``) before
    starting the render again.

    Attributes:
        job_id: The job.
        job: The ``Job`` as last seen (status ``cleaned``).
        project_id: The project the render was of, when known.
    """

    def __init__(self, job: Job, *, project_id: ProjectId | None = None) -> None:
        self.job = job
        self.job_id = job.id
        self.project_id = project_id
        of = "" if project_id is None else f" of project {project_id!r}"
        super().__init__(
            f"render job {job.id!r}{of} was cleaned before its end was seen: it may have "
            "completed or failed (its data is gone); check the project"
        )


class ClientClosedError(PictoryError, RuntimeError):
    """The client was closed (``aclose()``): no new request is sent.

    Raised for a call made after ``aclose()``, and for a call that was in flight when
    the client was closed: such a request may or may not have reached the API.
    """


class APIError(PictoryError):
    """Base for errors that happen while talking to the API.

    Attributes:
        message: A human-readable description.
        request: The request that failed, with its secret headers redacted.
        attempts: How many attempts were made before this error was final (1 when it
            was not retried).
        may_have_been_applied: Whether an earlier attempt of this call may have reached
            the API without its answer reaching us (a read timeout, a reset after
            sending, a 408 or 5xx): a DELETE that fails so may still have deleted.
    """

    message: str
    request: httpx.Request
    attempts: int
    may_have_been_applied: bool = False

    def __init__(self, message: str, *, request: httpx.Request, attempts: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.request = redact(request)
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message + _attempts(self.attempts)


def _attempts(attempts: int) -> str:
    return f" (after {attempts} attempts)" if attempts > 1 else ""


class APIConnectionError(APIError):
    """The request got no usable response: refused, reset, DNS, TLS, protocol errors.

    Attributes:
        may_have_been_sent: ``False`` only when the failure proves the request never
            left (refused, connect or pool timeout, proxy refused); a DELETE that may
            have been sent may also have been applied.
    """

    def __init__(
        self,
        message: str = "Connection error.",
        *,
        request: httpx.Request,
        attempts: int = 1,
        may_have_been_sent: bool = True,
    ) -> None:
        super().__init__(message, request=request, attempts=attempts)
        self.may_have_been_sent = may_have_been_sent


class APITimeoutError(APIConnectionError):
    """The request timed out (the whole request is bounded by the client's ``timeout``)."""

    def __init__(
        self,
        message: str = "Request timed out.",
        *,
        request: httpx.Request,
        attempts: int = 1,
        may_have_been_sent: bool = True,
    ) -> None:
        super().__init__(
            message, request=request, attempts=attempts, may_have_been_sent=may_have_been_sent
        )


class ResponseTooLargeError(APIError):
    """The response body (after decompression) was larger than ``max_response_bytes``.

    Reading stopped at the limit, so memory stayed bounded; not retried.

    Attributes:
        status_code: The response's status.
        limit: The limit in bytes.
    """

    def __init__(
        self, message: str, *, request: httpx.Request, status_code: int, limit: int
    ) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.limit = limit


class ResponseValidationError(APIError):
    """A successful response whose body is not what the API documents.

    Attributes:
        response: The response.
        body: The decoded body when it was JSON, else the text.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: object = None) -> None:
        super().__init__(message, request=response.request)
        response.request = self.request
        self.response = response
        self.body = body


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status.

    Attributes:
        status_code: The HTTP status.
        message: The error message read from the body, or the reason phrase.
        body: The decoded JSON body, the text of a non-JSON body, or ``None`` when empty.
        request_id: A request id from the response headers, when one was given.
        retry_after: Seconds the server asked us to wait (``Retry-After``), if it did.
        response: The response (its ``request`` is the redacted copy).
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        retry_after: float | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, request=response.request, attempts=attempts)
        response.request = self.request
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.request_id = request_id(response.headers)
        self.retry_after = retry_after

    def __str__(self) -> str:
        suffix = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.status_code} {self.message}{suffix}{_attempts(self.attempts)}"


class BadRequestError(APIStatusError):
    """400: the API rejected the request."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""

    def __str__(self) -> str:
        return (
            super().__str__() + "; check the API key (PICTORY_API_KEY or api_key=) and that "
            "base_url points at the API it belongs to"
        )


class PermissionDeniedError(APIStatusError):
    """403: the project belongs to another account, or Cloudflare refused the client."""


class NotFoundError(APIStatusError):
    """404: no such project (or it was already deleted)."""


class ConflictError(APIStatusError):
    """409: the resource is busy or changed; retried automatically."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but not acceptable."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` says for how long, when the API said so."""


class InternalServerError(APIStatusError):
    """5xx: the API or a proxy in front of it failed."""


class AssetDownloadError(APIError):
    """A media file could not be downloaded or written; nothing was renamed.

    Every failure of a download is one: an error answer or a connection that failed
    for good, a file that does not match its announced size or checksum, a URL that
    cannot be requested (not http(s), a port out of range, a bad redirect), and a
    destination that cannot be written (a missing or read-only directory, a full disk;
    the ``OSError`` is then the ``__cause__``).

    A signed URL's query is a credential: neither the message, ``args``, ``repr`` nor
    any attribute holds it, nor user info (``user:password@``).

    Attributes:
        kind: The asset kind (``video``, ``srt``, ...).
        url: The URL without its query, fragment and user info (scheme, host, port and
            path). The whole URL is the project's (``project.assets[kind]``).
        request: The request, its secret headers redacted and its URL as ``url``.
        status_code: The CDN's status, when the failure was an error answer.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request,
        kind: str,
        status_code: int | None = None,
        attempts: int = 1,
    ) -> None:
        message = scrub(message, secrets_of([request.url]))
        super().__init__(message, request=redacted_request(request), attempts=attempts)
        self.kind = kind
        self.url = str(self.request.url)
        self.status_code = status_code


class BackupError(PictoryError):
    """A backup is incomplete or does not match its manifest; nothing was deleted.

    Attributes:
        project_id: The project.
        file: The file (or asset kind) at fault, when one is.
    """

    def __init__(self, message: str, *, project_id: ProjectId, file: str | None = None) -> None:
        super().__init__(message)
        self.project_id = project_id
        self.file = file


class BulkOperationError(PictoryError):
    """Some items of a bulk operation failed, or the run stopped early.

    Attributes:
        result: The complete ``BulkResult``, failures and successes alike.
    """

    def __init__(self, result: Any, message: str | None = None) -> None:
        """Wrap ``result``; ``message`` defaults to ``result.failure_message()``."""
        self.result = result
        super().__init__(message if message is not None else result.failure_message())
