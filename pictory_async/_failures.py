"""The one mapping from a failed exchange to the error a caller sees.

An error answer (any status >= 300 the caller did not accept) becomes the
``APIStatusError`` subclass of its status (``make_status_error``). A transport failure
becomes an ``APIConnectionError`` or ``APITimeoutError`` that says whether the request
may have been sent: only a failure that proves it never left (refused, connect or pool
timeout, proxy refused) says it was not (``transport_failure``). Nothing the transport
raised is chained: its frames and ``request_info`` can hold the request's headers.
"""

from __future__ import annotations

import asyncio

import httpx

from ._error_body import decode_error_body
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnprocessableEntityError,
)

__all__ = ["NEVER_SENT", "make_status_error", "transport_failure"]

NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
"""Transport failures that prove the request never left."""

_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def make_status_error(
    response: httpx.Response, *, retry_after: float | None = None, attempts: int = 1
) -> APIStatusError:
    """Build the ``APIStatusError`` subclass that fits ``response`` (any status >= 300)."""
    body, message = decode_error_body(response)
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("location")
        target = f" to {location[:200]}" if location else ""
        message = (
            f"unexpected redirect{target} ({message}); redirects are not followed, "
            "so that the API key goes nowhere else: check base_url"
        )
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    return cls(message, response=response, body=body, retry_after=retry_after, attempts=attempts)


def transport_failure(
    exc: Exception,
    request: httpx.Request,
    *,
    describe: str,
    attempts: int,
    closed: bool,
    total_timeout: float | None,
) -> Exception:
    """The error a caller sees for ``exc``, raised while sending ``request``.

    Args:
        exc: What the exchange raised.
        request: The request sent.
        describe: ``METHOD /path`` (or a CDN download's description) for the message.
        attempts: Attempts made so far.
        closed: Whether the client was closed meanwhile (then nothing is retried).
        total_timeout: The whole-exchange bound that a bare ``TimeoutError`` means.

    Returns:
        ``exc`` itself when it is not a transport failure (a bug, or a failure of ours
        such as ``ResponseTooLargeError``: not ours to dress up).
    """
    if isinstance(exc, (ResponseTooLargeError, ResponseValidationError)):
        return exc
    if closed:
        return ClientClosedError(
            f"{describe}: the client was closed while the request was in flight; it may or "
            "may not have reached the API"
        )
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # the same on 3.11+
        whole = total_timeout is not None
        bound = f" after {total_timeout:g} s (the whole request)" if whole else ""
        return APITimeoutError(f"{describe} timed out{bound}", request=request, attempts=attempts)
    if not isinstance(exc, httpx.TransportError):
        return exc
    never_sent = isinstance(exc, NEVER_SENT)
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{describe} timed out ({type(exc).__name__}): {detail}",
            request=request,
            attempts=attempts,
            may_have_been_sent=not never_sent,
        )
    return APIConnectionError(
        f"{describe} failed ({type(exc).__name__}): {detail}",
        request=request,
        attempts=attempts,
        may_have_been_sent=not never_sent,
    )
