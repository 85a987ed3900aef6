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
``AuthenticationError``, every other ``APIError``,     502     an upstream failure, not the
``BulkOperationError``                                         caller's
=====================================================  ======  ===========================

Bodies are ``{"detail": "..."}`` with a fixed sentence per case (or the message of an
``InvalidInputError``, which describes the caller's input): never the API key, never
Pictory's own error text, which is for the service's logs, not its callers.
"""

from __future__ import annotations

import math
from typing import Final

import attrs

from ._exceptions import (
    APITimeoutError,
    ClientClosedError,
    InvalidInputError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    PictoryError,
    RateLimitError,
)
from ._logs import logger

__all__ = ["ErrorAnswer", "answer_for"]

_UPSTREAM: Final = "Pictory's API failed to answer this request."


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


def answer_for(error: PictoryError) -> ErrorAnswer:
    """The HTTP answer for ``error``; upstream failures are logged at WARNING.

    Args:
        error: Any exception of the library.

    Returns:
        The status, body sentence and headers to answer with.
    """
    if isinstance(error, NotFoundError):
        return ErrorAnswer(status=404, detail="Not found.")
    if isinstance(error, PermissionDeniedError):
        return ErrorAnswer(status=403, detail="Access to this resource is denied.")
    if isinstance(error, RateLimitError):
        headers = {}
        if error.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
        return ErrorAnswer(
            status=429, detail="Too many requests to Pictory; retry later.", headers=headers
        )
    if isinstance(error, MissingAPIKeyError):
        return _logged(error, ErrorAnswer(status=500, detail="The service is misconfigured."))
    if isinstance(error, InvalidInputError):
        return ErrorAnswer(status=422, detail=str(error))
    if isinstance(error, ClientClosedError):
        return ErrorAnswer(status=503, detail="The service is shutting down.")
    if isinstance(error, APITimeoutError):
        return _logged(
            error, ErrorAnswer(status=504, detail="Pictory's API did not answer in time.")
        )
    # Everything else is upstream: AuthenticationError too (our key is wrong or revoked:
    # the service's problem, not its caller's, so not a 401), any other APIError, and a
    # BulkOperationError.
    return _logged(error, ErrorAnswer(status=502, detail=_UPSTREAM))


def _logged(error: PictoryError, answer: ErrorAnswer) -> ErrorAnswer:
    # str() of our errors never holds the key; the traceback stays out of the log line.
    logger.warning("answering %d for %s: %s", answer.status, type(error).__name__, error)
    return answer
