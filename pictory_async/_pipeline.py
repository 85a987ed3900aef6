"""The one door every request goes through: API calls and CDN downloads alike.

An API call (``Pipeline.send``) takes these steps, every attempt, every retry::

    Throttle: wait for the shared cool-down and a token
      -> httpx.AsyncClient.send (event hooks, mounts/proxies, respx, OpenTelemetry)
      -> read the body, capped after decompression, within the total timeout
      -> Throttle.release: one piece of feedback per attempt
      -> classify: a response, or one typed error (``_failures``)
      -> RetryPolicy: another attempt, or the final error

A CDN download differs only in its arguments: it is built without the key
(``cdn_request``), is not paced by the API's throttle, is bounded per phase (connecting,
each read) rather than as a whole, and its body is left to the downloader, which
streams it to disk (``open``). Its attempts go through the same ``RetryPolicy``
(``retried``) and the same failure mapping (``failure``).
"""

from __future__ import annotations

import asyncio
import enum
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Final, TypeVar

import attrs
import httpx

from ._body import check_size, read_capped, read_some
from ._error_body import request_id
from ._exceptions import (
    APIConnectionError,
    APIError,
    ClientClosedError,
    ResponseValidationError,
)
from ._failures import make_status_error, transport_failure
from ._logs import logger
from ._retry import RetryPolicy, parse_retry_after
from ._throttle import Throttle
from ._transport import STREAM, read_body
from ._types import Clock

if TYPE_CHECKING:
    from httpx._client import UseClientDefault

if sys.version_info >= (3, 11):
    from asyncio import timeout as _deadline
else:  # pragma: no cover - Python 3.10
    from async_timeout import timeout as _deadline

__all__ = ["ERROR_BODY_BYTES", "Pipeline", "Received", "Shared", "State"]

ERROR_BODY_BYTES = 64 * 1024
"""Of a CDN's error answer, the bytes read for its message."""
_DEBUG: Final = 10
_NO_STATUSES: Final = frozenset[int]()
_KEYS = ("authorization", "proxy-authorization")
T = TypeVar("T")


def _none(exc: Exception) -> None:
    return None


class State(enum.Enum):
    """A client's lifecycle: requests are sent only while it is ``OPENED`` (or unopened)."""

    UNOPENED = 1
    OPENED = 2
    CLOSED = 3


@attrs.define
class Shared:
    """What a client and its ``with_options`` copies share: pool, throttle, state."""

    http: httpx.AsyncClient
    owns_http: bool
    throttle: Throttle
    state: State = State.UNOPENED
    loop: asyncio.AbstractEventLoop | None = None

    def check_usable(self) -> None:
        """Refuse a request from a closed client, or from another event loop than its own.

        Raises:
            ClientClosedError: The client was closed.
            RuntimeError: The client was first used in another event loop.
        """
        if self.state is State.CLOSED:
            raise ClientClosedError("Cannot send a request, as the client has been closed.")
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            if self.loop is not None:
                raise RuntimeError(
                    "This AsyncPictory client was first used in another event loop: its "
                    "connection pool belongs to that loop. Create one client per event loop "
                    "(e.g. inside the coroutine you pass to asyncio.run())."
                )
            self.loop = loop


class Received:
    """A response that passed the pipeline (body read), and how it got there."""

    __slots__ = ("attempts", "lost_attempt", "response")

    def __init__(self, response: httpx.Response, attempts: int, lost_attempt: bool) -> None:
        self.response = response
        self.attempts = attempts
        self.lost_attempt = lost_attempt
        """Whether an earlier attempt may have reached the API without us seeing the answer."""


@attrs.frozen(kw_only=True)
class Pipeline:
    """Sends requests for one client (one per ``with_options`` copy): the one door.

    Attributes:
        shared: The pool, throttle and state the client shares with its copies.
        policy: Decides every failed attempt.
        clock: The monotonic clock the policy's budget is measured on.
        total_timeout: Seconds one API attempt may take in all (``None``: no bound).
        timeout: The httpx timeout, per phase; the CDN's only bound.
        max_response_bytes: Largest API response body read, after decompression.
    """

    shared: Shared
    policy: RetryPolicy
    clock: Clock
    total_timeout: float | None
    timeout: httpx.Timeout | UseClientDefault
    max_response_bytes: int

    async def send(
        self,
        request: httpx.Request,
        *,
        ok_statuses: frozenset[int] = _NO_STATUSES,
        idempotent: bool = True,
    ) -> Received:
        """Send one API request, paced, with retries; raise a typed error for a failure.

        Args:
            request: The request (built with the key, see ``RequestFactory``).
            ok_statuses: Error statuses to hand back instead of raising (``404`` for
                ``delete``, which decides what a 404 means).
            idempotent: ``False`` for a request that must not be applied twice (starting
                a render): it is retried only after a 429 or a connection that never
                carried it, never once an attempt may have been applied.

        Raises:
            APIError: The final failure (``may_have_been_applied`` set).
            ClientClosedError: The client was closed.
        """
        self.shared.check_usable()
        call = _Call(self, request, ok_statuses)
        try:
            response = await call.attempt()
        except Exception as exc:
            try:
                response = await self.policy.after_failure(
                    call.attempt,
                    exc,
                    started=call.started,
                    describe=call.describe,
                    applied=None if idempotent else call.applied,
                )
            except APIError as final:
                final.may_have_been_applied = call.lost
                raise
        return Received(response, call.attempts, call.lost)

    async def retried(self, attempt: Callable[[], Awaitable[T]], *, describe: str) -> T:
        """Run ``attempt`` (unpaced: a CDN download, its redirects and body) with retries.

        The first attempt runs as is; from its first failure on, the policy decides, as
        for API calls, except that no shared cool-down waits out a 429: the API's
        throttle does not pace another server, so its ``Retry-After`` is waited here.

        Args:
            attempt: One attempt; it raises what ``open`` and ``failure`` map.
            describe: What is attempted, for the log.
        """
        started = self.clock()
        try:
            return await attempt()
        except Exception as exc:
            return await self.policy.after_failure(
                attempt, exc, started=started, describe=describe, shared_cooldown=False
            )

    def cdn_request(self, url: httpx.URL, headers: Mapping[str, str]) -> httpx.Request:
        """A GET for a CDN file: the client's defaults, never a key, bounded per phase.

        Any ``Authorization``/``Proxy-Authorization`` the httpx client itself carries is
        removed; the body is streamed whatever its size (``STREAM``), so that a cut
        keeps what came, and only each phase is bounded: a whole-request bound would
        fail a large file that is still arriving.
        """
        request = self.shared.http.build_request(
            "GET", url, headers=headers, timeout=self.timeout, extensions={STREAM: True}
        )
        for name in _KEYS:
            if name in request.headers:
                del request.headers[name]
        return request

    async def open(
        self,
        request: httpx.Request,
        *,
        describe: str,
        attempts: int,
        ok_statuses: frozenset[int] = _NO_STATUSES,
        refused: Callable[[Exception], Exception | None] = _none,
    ) -> httpx.Response:
        """One unpaced attempt at a CDN ``request``: the response, its body unread.

        An answer below 400 (or in ``ok_statuses``) is the caller's to read and close
        (redirects are not followed: the caller follows them, so that no hop can pick a
        key up).

        Args:
            request: From ``cdn_request``.
            describe: What the request is, for messages.
            attempts: Attempts made so far, this one included.
            ok_statuses: Error statuses handed back (a conditional request's 412).
            refused: The caller's error for a failure of the URL rather than of the
                connection (``None``: mapped as for API calls).

        Raises:
            APIStatusError: An answer of 400 or more (``Retry-After`` read, the start of
                its body kept for its message).
            APIConnectionError: The request could not be sent or got no answer.
        """
        failure: Exception | None = None
        try:
            response = await self.shared.http.send(
                request, stream=True, auth=None, follow_redirects=False
            )
        except Exception as exc:
            failure = exc
        if failure is not None:
            error = refused(failure) or self.failure(
                failure, request, describe=describe, attempts=attempts
            )
            del failure
            raise error  # outside the except block: nothing from the transport is chained
        if response.status_code < 400 or response.status_code in ok_statuses:
            return response
        try:
            response._content = await read_some(response, ERROR_BODY_BYTES)  # as aread()
        finally:
            await response.aclose()
        retry_after = parse_retry_after(response.headers)  # waited as for API calls
        raise make_status_error(response, retry_after=retry_after, attempts=attempts)

    def failure(
        self, exc: Exception, request: httpx.Request, *, describe: str, attempts: int
    ) -> Exception:
        """The error a caller sees for ``exc``, raised by an exchange of ``request``.

        ``exc`` itself when it is not a transport failure (not ours to dress up).
        """
        return transport_failure(
            exc,
            request,
            describe=describe,
            attempts=attempts,
            closed=self.shared.state is State.CLOSED,
            total_timeout=self.total_timeout,
        )


class _Call:
    """One API call's attempts: what ``RetryPolicy`` runs again after a failure."""

    __slots__ = ("attempts", "lost", "ok_statuses", "pipeline", "request", "started")

    def __init__(
        self, pipeline: Pipeline, request: httpx.Request, ok_statuses: frozenset[int]
    ) -> None:
        self.pipeline = pipeline
        self.request = request
        self.ok_statuses = ok_statuses
        self.attempts = 0
        self.lost = False
        self.started = 0.0

    def applied(self) -> bool:
        """Whether an attempt so far may have reached the API without its answer reaching us."""
        return self.lost

    @property
    def describe(self) -> str:
        """``METHOD /path?query``, for messages and logs."""
        request = self.request
        return f"{request.method} {request.url.raw_path.decode('ascii')}"

    async def attempt(self) -> httpx.Response:
        """One attempt: throttle, exchange, feedback, classify."""
        pipeline = self.pipeline
        shared = pipeline.shared
        if shared.state is State.CLOSED:
            raise ClientClosedError(f"{self.describe}: the client was closed")
        throttle = shared.throttle
        ticket = throttle.ready()
        if ticket is None:
            ticket = await throttle.acquire()
        self.attempts += 1
        if self.attempts == 1:
            self.started = pipeline.clock()
        debug = logger.isEnabledFor(_DEBUG)
        began = time.perf_counter() if debug else 0.0
        failure: Exception | None = None
        try:
            response = await self._exchange()
        except Exception as exc:
            failure = exc
        except BaseException:  # cancelled: the attempt ends without an answer
            throttle.release(ticket, None)
            raise
        if failure is not None:
            throttle.release(ticket, None)
            error = pipeline.failure(
                failure, self.request, describe=self.describe, attempts=self.attempts
            )
            if isinstance(error, APIConnectionError):
                self.lost = self.lost or error.may_have_been_sent
            if debug:
                self._log(began, None, error)
            del failure
            raise error  # outside the except block: nothing from the transport is chained
        status = response.status_code
        if debug:
            self._log(began, response, None)
        if status < 300 or status in self.ok_statuses:
            throttle.release(ticket, status)
            return response
        retry_after = parse_retry_after(response.headers)
        # Above max_retry_after this call fails at once; the other calls pause for the cap.
        throttle.release(ticket, status, pipeline.policy.capped(retry_after))
        if status >= 500 or status == 408:
            self.lost = True
        raise make_status_error(response, retry_after=retry_after, attempts=self.attempts)

    async def _exchange(self) -> httpx.Response:
        """Send the request and read its body, all within the total timeout."""
        pipeline = self.pipeline
        limit = pipeline.max_response_bytes
        undecodable: str | None = None
        async with _deadline(pipeline.total_timeout):  # None: no timer at all
            response = await pipeline.shared.http.send(
                self.request, stream=True, auth=None, follow_redirects=False
            )
            body = read_body(response)
            if body is not None:  # read in one go by our transport, nothing to decode
                # as httpx's aiter_raw() leaves it (a fast twin: tests/test_twins.py)
                response.is_stream_consumed = True
                response._num_bytes_downloaded = len(body)
                await response.aclose()
                check_size(response, len(body), limit)
            else:
                try:
                    body = await read_capped(response, limit)
                except httpx.DecodingError as exc:
                    undecodable = str(exc) or "undecodable body"
                    body = b""
                finally:
                    await response.aclose()
        response._content = body  # what httpx's own aread() sets
        if undecodable is not None and response.status_code < 400:
            encoding = response.headers.get("content-encoding", "none")
            raise ResponseValidationError(
                f"the body of a {response.status_code} response could not be decoded "
                f"(Content-Encoding: {encoding}): {undecodable}",
                response=response,
            )
        return response

    def _log(self, began: float, response: httpx.Response | None, error: Exception | None) -> None:
        elapsed = (time.perf_counter() - began) * 1000
        if response is not None:
            rid = request_id(response.headers)
            logger.debug(
                "%s -> %d (attempt %d, %.1f ms%s)",
                self.describe,
                response.status_code,
                self.attempts,
                elapsed,
                f", request id {rid}" if rid else "",
            )
        else:
            logger.debug(
                "%s -> %s (attempt %d, %.1f ms)",
                self.describe,
                type(error).__name__,
                self.attempts,
                elapsed,
            )
