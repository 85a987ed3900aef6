"""``AsyncPictory``: configuration, lifecycle, and the one request pipeline.

Every request, every retry, takes the same few steps::

    build_request (the httpx client's defaults merged in, ours win)
      -> Throttle: wait for the shared cool-down and a token
      -> httpx.AsyncClient.send (event hooks, mounts/proxies, respx, OpenTelemetry)
      -> read the body, capped after decompression, within the total timeout
      -> Throttle.release: one piece of feedback per attempt
      -> classify: a response, or one typed error
      -> RetryPolicy: another attempt, or the final error

There is no other door: the default transport is the project's aiohttp-backed
``httpx.AsyncBaseTransport`` behind the same ``send``. Resources (``client.projects``)
only build requests and parse responses.
"""

from __future__ import annotations

import asyncio
import enum
import os
import ssl
import sys
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Final

import attrs
import httpx

from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientClosedError,
    InvalidInputError,
    MissingAPIKeyError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    make_status_error,
    request_id,
)
from ._http import RequestFactory, default_http_client
from ._logs import logger
from ._retry import RetryPolicy, parse_retry_after
from ._throttle import RateControl, Throttle
from ._transport import read_body
from ._types import NOT_GIVEN, Duration, NotGiven, to_seconds
from ._version import __version__

if TYPE_CHECKING:
    from httpx._client import UseClientDefault

    from .resources.jobs import Jobs
    from .resources.projects import Projects

if sys.version_info >= (3, 11):
    from asyncio import timeout as _deadline
else:  # pragma: no cover - Python 3.10
    from async_timeout import timeout as _deadline

__all__ = ["AsyncPictory"]

DEFAULT_BASE_URL = "https://api.pictory.ai"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 4
DEFAULT_MAX_RETRY_AFTER = 60.0
DEFAULT_MAX_RETRY_TIME = 120.0
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
_DEBUG: Final = 10

Sleep = Callable[[float], Awaitable[None]]

_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
"""Transport failures that prove the request never left."""


class _State(enum.Enum):
    UNOPENED = 1
    OPENED = 2
    CLOSED = 3


class _Secret:
    """Holds the API key; its ``repr`` and ``str`` never show it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<redacted>"

    __str__ = __repr__


@attrs.define
class _Shared:
    """What a client and its ``with_options`` copies share: pool, throttle, state."""

    http: httpx.AsyncClient
    owns_http: bool
    throttle: Throttle
    state: _State = _State.UNOPENED
    loop: asyncio.AbstractEventLoop | None = None


class Reply:
    """A response that passed the pipeline (body read), and how it got there."""

    __slots__ = ("attempts", "lost_attempt", "response")

    def __init__(self, response: httpx.Response, attempts: int, lost_attempt: bool) -> None:
        self.response = response
        self.attempts = attempts
        self.lost_attempt = lost_attempt
        """Whether an earlier attempt may have reached the API without us seeing the answer."""


# -- option checks (all before any request) --------------------------------------------


def _resolve_key(api_key: str | None) -> _Secret:
    key: object = api_key if api_key is not None else os.environ.get("PICTORY_API_KEY")
    if key is not None and not isinstance(key, str):
        raise InvalidInputError(f"api_key must be a str, not {type(key).__name__}")
    if key is None or not key.strip():
        raise MissingAPIKeyError(
            "no API key: pass api_key=... or set the PICTORY_API_KEY environment variable"
        )
    if not key.isascii() or not key.isprintable() or any(char.isspace() for char in key):
        raise InvalidInputError(
            "api_key must be printable ASCII without spaces (was it pasted with a smart "
            "quote or a line break?)"
        )
    return _Secret(key)


def _resolve_user_agent(user_agent: str | None) -> str:
    if user_agent is None:
        return f"pictory-async/{__version__} python-httpx/{httpx.__version__}"
    if not isinstance(user_agent, str) or not user_agent.strip():
        raise InvalidInputError("user_agent must be a non-empty str")
    if not user_agent.isascii() or not user_agent.isprintable():
        raise InvalidInputError("user_agent must be printable ASCII")
    return user_agent


def _resolve_base_url(base_url: str | None) -> str:
    """The API's base URL: ``base_url``, else ``PICTORY_BASE_URL``, else Pictory's.

    Both ``httpx`` and ``urllib.parse`` must read it the same way: an http(s) URL with a
    host and no ``user:password@``. A message never shows a URL that may hold one.
    """
    url = base_url or os.environ.get("PICTORY_BASE_URL") or DEFAULT_BASE_URL
    if not isinstance(url, str):
        raise InvalidInputError(f"base_url must be a str, not {type(url).__name__}")
    try:
        split = urllib.parse.urlsplit(url)
        _ = split.port  # reading it checks the port
        parsed = httpx.URL(url)
    except (ValueError, TypeError, httpx.InvalidURL):  # InvalidURL is no ValueError
        # Without an "@" there is no password to hide.
        shown = " (not shown: it may hold credentials)" if "@" in url else f": {url!r}"
        raise InvalidInputError(f"base_url is not a valid URL{shown}") from None
    if parsed.userinfo or "@" in split.netloc:  # never echo it: it holds a password
        raise InvalidInputError(
            "base_url must not contain credentials (user:password@); the API key is the "
            "only credential sent"
        )
    if parsed.scheme not in ("http", "https") or not parsed.host or not split.hostname:
        raise InvalidInputError(f"base_url must be an http(s) URL with a host, got {url!r}")
    if parsed.query or parsed.fragment:
        raise InvalidInputError(f"base_url must not have a query or fragment, got {url!r}")
    return str(parsed).rstrip("/")


def _resolve_timeout(
    timeout: Duration | NotGiven | None, *, own_client: bool
) -> tuple[float | None, httpx.Timeout | UseClientDefault]:
    """``(total seconds per attempt, the httpx timeout)`` for a ``timeout`` option."""
    if isinstance(timeout, NotGiven):
        if not own_client:
            return None, httpx.USE_CLIENT_DEFAULT  # the user's client decides
        timeout = DEFAULT_TIMEOUT
    if timeout is None:
        return None, httpx.Timeout(None)
    seconds = to_seconds(timeout, name="timeout")
    if seconds == 0:
        raise InvalidInputError("timeout must be > 0, or None for no timeout")
    return seconds, httpx.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))


def _resolve_count(value: object, *, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{name} must be an int >= {minimum}, got {value!r}")
    number = int.__int__(value)
    if number < minimum:
        raise InvalidInputError(f"{name} must be an int >= {minimum}, got {number}")
    return number


def _resolve_retry_time(value: Duration | None) -> float | None:
    return None if value is None else to_seconds(value, name="max_retry_time")


class AsyncPictory:
    """The async client for Pictory's API.

    Use it as an async context manager, one per application (and event loop), shared by
    all tasks::

        async with AsyncPictory() as client:
            project = await client.projects.get(project_id)

    Every request goes through one ``httpx.AsyncClient`` (``http_client``), so httpx's
    event hooks, proxies, logging, respx and OpenTelemetry see all of them.

    Args:
        api_key: Your API key (``pictai_...``); defaults to ``PICTORY_API_KEY``.
        base_url: The API's address; defaults to ``PICTORY_BASE_URL`` or
            ``https://api.pictory.ai``.
        timeout: Seconds (or a ``timedelta``) one attempt may take in all: connecting,
            sending, waiting and reading the whole body. ``None``: no limit. Not given:
            60 s, or with your own ``http_client``, that client's own timeout.
        max_retries: Retries after a transient failure (connection errors, timeouts,
            408, 409, 429, 5xx).
        max_retry_after: Longest ``Retry-After`` to wait for; above it the error is
            raised at once.
        max_retry_time: Seconds one call may spend retrying, from its first attempt on;
            a wait that would end later is not started. ``None``: no budget.
        max_response_bytes: Largest response body read, counted after decompression;
            a larger one raises ``ResponseTooLargeError`` (memory stays bounded).
        max_connections: Size of the connection pool; bulk operations size their
            concurrency to it.
        rate_limit: A fixed ceiling in requests/second, shared by all calls.
        adaptive_rate_limit: Learn the API's rate limit from 429s and stay under it.
        http_client: Your own ``httpx.AsyncClient``: its transport, proxies, headers,
            timeout and event hooks apply (our ``Authorization``, ``User-Agent`` and
            ``Accept`` win). It must not have ``auth=`` (it would replace the key) and
            is not closed by us.
        proxy: Send every request through this HTTP(S) proxy (default client only).
        verify: Verify TLS certificates, or use this ``ssl.SSLContext`` (default client).
        trust_env: Read proxies (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``,
            ``NO_PROXY``) and the CA bundle (``SSL_CERT_FILE``, ``SSL_CERT_DIR``) from
            the environment, as httpx does (default client).
        user_agent: Replaces the default ``pictory-async/<version> ...`` User-Agent.
        sleep: The async sleep used to wait between attempts (tests pass a fake).
        clock: A monotonic clock in seconds, paired with ``sleep``.

    Attributes:
        projects: ``client.projects``: get, delete, list, select, bulk operations,
            assets and backups, starting a render (see ``Projects``).
        jobs: ``client.jobs``: render jobs: get, wait, list, clean (see ``Jobs``).
        base_url: The API's address.
        max_retries: Retries after a transient failure.
        max_connections: Size of the connection pool.

    Raises:
        MissingAPIKeyError: No key was given and ``PICTORY_API_KEY`` is not set.
        InvalidInputError: An option is invalid.
    """

    projects: Projects
    jobs: Jobs

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Duration | NotGiven | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_after: Duration = DEFAULT_MAX_RETRY_AFTER,
        max_retry_time: Duration | None = DEFAULT_MAX_RETRY_TIME,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        rate_limit: float | None = None,
        adaptive_rate_limit: bool = True,
        http_client: httpx.AsyncClient | None = None,
        proxy: str | None = None,
        verify: bool | ssl.SSLContext = True,
        trust_env: bool = True,
        user_agent: str | None = None,
        sleep: Sleep | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._key = _resolve_key(api_key)
        self.base_url = _resolve_base_url(base_url)
        if http_client is not None:
            if not isinstance(http_client, httpx.AsyncClient):
                raise InvalidInputError("http_client must be an httpx.AsyncClient")
            if http_client.auth is not None:
                raise InvalidInputError(
                    "http_client has auth= set, which would replace the API key; configure "
                    "proxy credentials in the proxy URL instead"
                )
            if proxy is not None or verify is not True or trust_env is not True:
                raise InvalidInputError(
                    "proxy=, verify= and trust_env= configure the default client; set them "
                    "on your http_client instead"
                )
        self._total_timeout, self._httpx_timeout = _resolve_timeout(
            timeout, own_client=http_client is None
        )
        self.max_retries = _resolve_count(max_retries, name="max_retries", minimum=0)
        self.max_retry_after = to_seconds(max_retry_after, name="max_retry_after")
        self.max_retry_time = _resolve_retry_time(max_retry_time)
        self.max_response_bytes = _resolve_count(
            max_response_bytes, name="max_response_bytes", minimum=1
        )
        self.max_connections = _resolve_count(max_connections, name="max_connections", minimum=1)
        if rate_limit is not None and (
            isinstance(rate_limit, bool)
            or not isinstance(rate_limit, (int, float))
            or not 0 < rate_limit < float("inf")
        ):
            raise InvalidInputError(f"rate_limit must be > 0 requests/second, got {rate_limit!r}")
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self._headers = httpx.Headers(
            {
                "Authorization": self._key.value,
                "User-Agent": _resolve_user_agent(user_agent),
                "Accept": "application/json",
            }
        )
        owns_http = http_client is None
        if http_client is None:
            http_client = default_http_client(
                max_connections=self.max_connections,
                proxy=proxy,
                verify=verify,
                trust_env=trust_env,
                headers={k: v for k, v in self._headers.items() if k != "authorization"},
            )
        self._shared = _Shared(
            http=http_client,
            owns_http=owns_http,
            throttle=Throttle(
                clock=self._clock,
                sleep=self._sleep,
                rate_limit=float(rate_limit) if rate_limit is not None else None,
                adaptive=adaptive_rate_limit,
            ),
        )
        self._retry = self._retry_policy()
        self._requests = RequestFactory(
            http_client, self.base_url, self._headers, self._httpx_timeout, self._total_timeout
        )
        self._bind_resources()

    def _retry_policy(self) -> RetryPolicy:
        throttle = self._shared.throttle
        return RetryPolicy(
            max_retries=self.max_retries,
            max_retry_after=self.max_retry_after,
            max_retry_time=self.max_retry_time,
            sleep=self._sleep,
            clock=self._clock,
            cooldown=lambda: throttle.cooldown_remaining,
        )

    def _bind_resources(self) -> None:
        from .resources.jobs import Jobs
        from .resources.projects import Projects

        self.projects = Projects(self)
        self.jobs = Jobs(self)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<redacted>, "
            f"max_retries={self.max_retries}, state={self._shared.state.name.lower()})"
        )

    # -- lifecycle ---------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        """Whether ``aclose()`` was called."""
        return self._shared.state is _State.CLOSED

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient`` every request goes through (yours, or ours).

        Hook into it as into any httpx client, e.g. OpenTelemetry's
        ``HTTPXClientInstrumentor.instrument_client(client.http_client)``.
        """
        return self._shared.http

    async def __aenter__(self) -> AsyncPictory:
        state = self._shared.state
        if state is _State.OPENED:
            raise RuntimeError("Cannot open a client instance more than once.")
        if state is _State.CLOSED:
            raise RuntimeError("Cannot reopen a client instance, once it has been closed.")
        self._shared.state = _State.OPENED
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (unless it is a user's ``http_client``). Idempotent.

        No new request is sent after it: calls raise ``ClientClosedError``. With the
        default client, calls in flight end with ``ClientClosedError`` too (a request in
        flight may or may not have been applied); with your own ``http_client``, which
        stays open, they finish.
        """
        if self._shared.state is _State.CLOSED:
            return
        self._shared.state = _State.CLOSED
        if self._shared.owns_http:
            await self._shared.http.aclose()

    def with_options(
        self,
        *,
        timeout: Duration | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        max_retry_after: Duration | NotGiven = NOT_GIVEN,
        max_retry_time: Duration | NotGiven | None = NOT_GIVEN,
        max_response_bytes: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPictory:
        """A client with other options that shares this one's pool, throttle and state.

        Closing either closes both: the pool is one.

        Args:
            timeout: As in ``AsyncPictory``; not given: this client's.
            max_retries: As in ``AsyncPictory``; not given: this client's.
            max_retry_after: As in ``AsyncPictory``; not given: this client's.
            max_retry_time: As in ``AsyncPictory``; not given: this client's.
            max_response_bytes: As in ``AsyncPictory``; not given: this client's.

        Returns:
            The new client (``client.with_options(max_retries=0).projects.get(...)``).

        Raises:
            InvalidInputError: An option is invalid.
        """
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        if not isinstance(timeout, NotGiven):
            clone._total_timeout, clone._httpx_timeout = _resolve_timeout(
                timeout, own_client=self._shared.owns_http
            )
        if not isinstance(max_retries, NotGiven):
            clone.max_retries = _resolve_count(max_retries, name="max_retries", minimum=0)
        if not isinstance(max_retry_after, NotGiven):
            clone.max_retry_after = to_seconds(max_retry_after, name="max_retry_after")
        if not isinstance(max_retry_time, NotGiven):
            clone.max_retry_time = _resolve_retry_time(max_retry_time)
        if not isinstance(max_response_bytes, NotGiven):
            clone.max_response_bytes = _resolve_count(
                max_response_bytes, name="max_response_bytes", minimum=1
            )
        clone._retry = clone._retry_policy()
        clone._requests = RequestFactory(
            self._shared.http,
            self.base_url,
            self._headers,
            clone._httpx_timeout,
            clone._total_timeout,
        )
        clone._bind_resources()
        return clone

    # -- the pipeline --------------------------------------------------------------

    @property
    def throttle(self) -> RateControl:
        """The rate control shared by every call of this client, read-only.

        For progress displays and metrics: ``rate``, ``window``, ``in_flight``,
        ``demand``, ``cooldown_remaining`` and ``throttle_events``.
        """
        return self._shared.throttle

    def _check_usable(self) -> None:
        shared = self._shared
        if shared.state is _State.CLOSED:
            raise ClientClosedError("Cannot send a request, as the client has been closed.")
        loop = asyncio.get_running_loop()
        if shared.loop is not loop:
            if shared.loop is not None:
                raise RuntimeError(
                    "This AsyncPictory client was first used in another event loop: its "
                    "connection pool belongs to that loop. Create one client per event loop "
                    "(e.g. inside the coroutine you pass to asyncio.run())."
                )
            shared.loop = loop

    def _build_request(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None
    ) -> httpx.Request:
        """A request to the API with the httpx client's defaults merged in (pure)."""
        return self._requests.build(method, path, params=params)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        ok_statuses: frozenset[int] = frozenset(),
        idempotent: bool = True,
    ) -> Reply:
        """Send one API request with retries; raise a typed error for a failure.

        Args:
            method: The HTTP method (requests have no body).
            path: The path under the base URL, already validated and encoded.
            params: Query parameters.
            ok_statuses: Error statuses to hand back instead of raising (``404`` for
                ``delete``, which decides what a 404 means).
            idempotent: ``False`` for a request that must not be applied twice (starting
                a render): it is retried only after a 429 or a connection that never
                carried it, never once an attempt may have been applied.
        """
        self._check_usable()
        call = _Call(self, self._build_request(method, path, params=params), ok_statuses)
        try:
            response = await call.attempt()
        except Exception as exc:
            try:
                response = await self._retry.after_failure(
                    call.attempt,
                    exc,
                    started=call.started,
                    describe=call.describe,
                    retry_if=None if idempotent else call.unapplied_retry,
                )
            except APIError as final:
                final.may_have_been_applied = call.lost
                raise
        return Reply(response, call.attempts, call.lost)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read its body, all within the total timeout."""
        undecodable: str | None = None
        async with _deadline(self._total_timeout):  # None: no timer at all
            response = await self._shared.http.send(
                request, stream=True, auth=None, follow_redirects=False
            )
            body = read_body(response)
            if body is not None:  # read in one go by our transport, nothing to decode
                response.is_stream_consumed = True  # as httpx's aiter_raw() leaves it
                response._num_bytes_downloaded = len(body)
                await response.aclose()
                _check_size(response, len(body), self.max_response_bytes)
            else:
                try:
                    body = await _read_capped(response, self.max_response_bytes)
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

    def _failure(self, exc: Exception, call: _Call) -> Exception:
        """The one mapping from a failed exchange to the error a caller sees.

        Returns ``exc`` itself when it is not a transport failure (a bug, not ours to
        dress up).
        """
        what = call.describe
        if isinstance(exc, (ResponseTooLargeError, ResponseValidationError)):
            return exc
        if self._shared.state is _State.CLOSED:
            return ClientClosedError(
                f"{what}: the client was closed while the request was in flight; it may or "
                "may not have reached the API"
            )
        request = call.request
        if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # the same on 3.11+
            total = self._total_timeout
            bound = f" after {total:g} s (the whole request)" if total is not None else ""
            return APITimeoutError(
                f"{what} timed out{bound}",
                request=request,
                attempts=call.attempts,
            )
        if not isinstance(exc, httpx.TransportError):
            return exc
        never_sent = isinstance(exc, _NEVER_SENT)
        detail = str(exc) or type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                f"{what} timed out ({type(exc).__name__}): {detail}",
                request=request,
                attempts=call.attempts,
                may_have_been_sent=not never_sent,
            )
        return APIConnectionError(
            f"{what} failed ({type(exc).__name__}): {detail}",
            request=request,
            attempts=call.attempts,
            may_have_been_sent=not never_sent,
        )


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, refusing to hold more than ``limit`` bytes of it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        _check_size(response, size, limit)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _check_size(response: httpx.Response, size: int, limit: int) -> None:
    """Refuse a body of ``size`` bytes (so far) above ``limit``."""
    if size > limit:
        raise ResponseTooLargeError(
            f"the response body is larger than max_response_bytes ({limit} bytes, "
            "counted after decompression); reading stopped there",
            request=response.request,
            status_code=response.status_code,
            limit=limit,
        )


class _Call:
    """One API call's attempts: what ``RetryPolicy`` runs again after a failure."""

    __slots__ = ("attempts", "client", "lost", "ok_statuses", "request", "started")

    def __init__(
        self, client: AsyncPictory, request: httpx.Request, ok_statuses: frozenset[int]
    ) -> None:
        self.client = client
        self.request = request
        self.ok_statuses = ok_statuses
        self.attempts = 0
        self.lost = False
        self.started = 0.0

    def unapplied_retry(self, exc: BaseException) -> bool:
        """Whether a request that must not be applied twice may be sent again after ``exc``.

        Only when nothing so far can have been applied, and ``exc`` is a 429 or a
        connection that never carried the request: any other answer (a 409, a 4xx)
        came from the API, which would answer a retry the same way.
        """
        return not self.lost and isinstance(exc, (RateLimitError, APIConnectionError))

    @property
    def describe(self) -> str:
        """``METHOD /path?query``, for messages and logs."""
        request = self.request
        return f"{request.method} {request.url.raw_path.decode('ascii')}"

    async def attempt(self) -> httpx.Response:
        """One attempt: throttle, exchange, feedback, classify."""
        client = self.client
        if client._shared.state is _State.CLOSED:
            raise ClientClosedError(f"{self.describe}: the client was closed")
        throttle = client._shared.throttle
        ticket = throttle.ready()
        if ticket is None:
            ticket = await throttle.acquire()
        self.attempts += 1
        if self.attempts == 1:
            self.started = client._clock()
        debug = logger.isEnabledFor(_DEBUG)
        began = time.perf_counter() if debug else 0.0
        failure: Exception | None = None
        try:
            response = await client._exchange(self.request)
        except Exception as exc:
            failure = exc
        except BaseException:  # cancelled: the attempt ends without an answer
            throttle.release(ticket, None)
            raise
        if failure is not None:
            throttle.release(ticket, None)
            error = client._failure(failure, self)
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
        throttle.release(ticket, status, client._retry.capped(retry_after))
        if status >= 500 or status == 408:
            self.lost = True
        raise make_status_error(response, retry_after=retry_after, attempts=self.attempts)

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
