"""Our errors as HTTP answers, for the web framework integrations.

One table, shared by :mod:`pictory_async.fastapi` and :mod:`pictory_async.aiohttp`, so
both frameworks answer the same way:

=====================================================  ======  ===========================
error                                                  status  why
=====================================================  ======  ===========================
``NotFoundError``                                      404     the caller asked for nothing
``PermissionDeniedError``                              403     another account's project
``RateLimitError``                                     429     ``Retry-After`` when known
``InvalidInputError`` (``InvalidProjectIdError``)      422     the caller's input
``MissingAPIKeyError``                                 500     the service is misconfigured
``ClientClosedError``                                  503     the service is shutting down
``APITimeoutError``                                    504     Pictory did not answer
``RenderTimeoutError``, ``JobTimeoutError``            504     a wait passed its deadline
``JobFailedError`` (``RenderFailedError``)             502     Pictory answered: the render
                                                               failed
``JobOutcomeUnknownError``                             502     the job was cleaned before
                                                               its end was seen
``BackupError``                                        500     our own disk or check failed
``AuthenticationError``, every other ``APIError``,     502     an upstream failure, not the
``BulkOperationError``                                         caller's
=====================================================  ======  ===========================

Bodies are ``{"detail": "..."}`` with a fixed sentence per case (or the message of an
``InvalidInputError``, which describes the caller's input): never the API key, never
Pictory's own error text (a job's ``error_message`` included), never a path of the
service's disk. Those are for the service's logs, not its callers: every answer of 500
or more is logged at WARNING with the error's own message.
"""

from __future__ import annotations

import logging
import math
from typing import Final

import attrs

from . import _exceptions as errors
from ._logs import logger

__all__ = ["ErrorAnswer", "answer_for"]

_UPSTREAM: Final = "Pictory's API failed to answer this request."
_BACKUP: Final = "The service could not make or check a backup; nothing was deleted."
_RENDER_TIMEOUT: Final = "The render did not finish in time."
_JOB_TIMEOUT: Final = "The render job did not finish in time."
_RENDER_FAILED: Final = "Pictory could not render the video: the render job failed."
_OUTCOME_UNKNOWN: Final = (
    "The render job was cleaned before its outcome was seen: it may have completed or failed."
)


@attrs.frozen(kw_only=True)
class ErrorAnswer:
    """The HTTP answer a framework integration gives for one of our errors.

    Attributes:
        status: The HTTP status.
        detail: The sentence for the ``{"detail": ...}`` body.
        headers: Extra headers (``Retry-After`` on a 429 when the API gave one).
    """

    status: int
    detail: str
    headers: dict[str, str] = attrs.field(factory=dict)

    def body(self) -> dict[str, str]:
        """The JSON body: ``{"detail": ...}``."""
        return {"detail": self.detail}


def answer_for(error: errors.PictoryError) -> ErrorAnswer:
    """The HTTP answer for ``error``; answers of 500 and more are logged with its message.

    Args:
        error: Any exception of the library.

    Returns:
        The status, body sentence and headers to answer with.
    """
    if isinstance(error, errors.NotFoundError):
        return ErrorAnswer(status=404, detail="Not found.")
    if isinstance(error, errors.PermissionDeniedError):
        return ErrorAnswer(status=403, detail="Access to this resource is denied.")
    if isinstance(error, errors.RateLimitError):
        headers = {}
        if error.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
        return ErrorAnswer(
            status=429, detail="Too many requests to Pictory; retry later.", headers=headers
        )
    if isinstance(error, errors.MissingAPIKeyError):
        return _logged(error, ErrorAnswer(status=500, detail="The service is misconfigured."))
    if isinstance(error, errors.InvalidInputError):
        return ErrorAnswer(status=422, detail=str(error))
    if isinstance(error, errors.ClientClosedError):
        return ErrorAnswer(status=503, detail="The service is shutting down.")
    if isinstance(error, errors.APITimeoutError):
        return _logged(
            error, ErrorAnswer(status=504, detail="Pictory's API did not answer in time.")
        )
    # Our own failures are ours: a wait that ran out its deadline (Pictory answered every
    # poll) is a 504 of this service; a backup that could not be written or checked is
    # our disk (its message names the service's paths, so it goes to the log only).
    if isinstance(error, errors.RenderTimeoutError):
        return _logged(error, ErrorAnswer(status=504, detail=_RENDER_TIMEOUT))
    if isinstance(error, errors.JobTimeoutError):
        return _logged(error, ErrorAnswer(status=504, detail=_JOB_TIMEOUT))
    if isinstance(error, errors.BackupError):
        return _logged(error, ErrorAnswer(status=500, detail=_BACKUP))
    # A failed render is Pictory's outcome, not the caller's input (a 422 would tell
    # them to change a request we cannot say is wrong): a 502 that says what failed.
    if isinstance(error, errors.JobFailedError):
        return _logged(error, ErrorAnswer(status=502, detail=_RENDER_FAILED))
    if isinstance(error, errors.JobOutcomeUnknownError):
        return _logged(error, ErrorAnswer(status=502, detail=_OUTCOME_UNKNOWN))
    # Everything else is upstream: AuthenticationError too (our key is wrong or revoked:
    # the service's problem, not its caller's, so not a 401), any other APIError, and a
    # BulkOperationError.
    return _logged(error, ErrorAnswer(status=502, detail=_UPSTREAM))


def _logged(error: errors.PictoryError, answer: ErrorAnswer) -> ErrorAnswer:
    # str() of our errors never holds the key; the traceback stays out of the log line.
    # A 500 is this service's own failure (its key, its disk): an ERROR, not a WARNING.
    level = logging.ERROR if answer.status == 500 else logging.WARNING
    logger.log(level, "answering %d for %s: %s", answer.status, type(error).__name__, error)
    return answer
