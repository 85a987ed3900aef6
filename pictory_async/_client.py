"""``AsyncPictory``: configuration, lifecycle, and the one send pipeline.

Every request goes: build (pure) -> ``Throttle.acquire`` -> send -> classify -> retry
through ``RetryPolicy``. Resources (``client.projects``) only build requests and parse
responses.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType

import aiohttp
import attrs
import httpx

from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    InvalidInputError,
    MissingAPIKeyError,
    make_status_error,
)
from ._retry import RetryPolicy, parse_retry_after
from ._throttle import Throttle
from ._transport import AiohttpTransport, RawResponse, map_exception
from ._types import NOT_GIVEN, Duration, NotGiven, to_seconds
from ._version import __version__

__all__ = ["AsyncPictory"]

logger = logging.getLogger("pictory_async")

DEFAULT_BASE_URL = "https://api.pictory.ai"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 4
DEFAULT_MAX_RETRY_AFTER = 60.0
DEFAULT_MAX_CONNECTIONS = 100

Sleep = Callable[[float], Awaitable[None]]


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
    lean: AiohttpTransport | None
    """Our own transport, when we built the client: API calls take its lean door."""
    state: _State = _State.UNOPENED


class Reply:
    """A response that passed the pipeline, and how it got there.

    The body is read in full. ``response`` (an ``httpx.Response``) is built only when
    something asks for it: on the hot path nothing does.
    """

    __slots__ = (
        "_client",
        "_method",
        "_params",
        "_path",
        "_raw",
        "_request",
        "_response",
        "attempts",
        "content",
        "headers",
        "lost_attempt",
        "status_code",
    )

    def __init__(
        self,
        source: RawResponse | httpx.Response,
        *,
        attempts: int,
        lost_attempt: bool,
        client: AsyncPictory,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
    ) -> None:
        self.status_code = source.status_code
        self.headers: Mapping[str, str] = source.headers
        self.content: bytes = source.content
        self.attempts = attempts
        self.lost_attempt = lost_attempt
        """Whether an earlier attempt may have reached the API without us seeing the answer."""
        self._raw = source if isinstance(source, RawResponse) else None
        self._response = source if isinstance(source, httpx.Response) else None
        self._client = client
        self._method = method
        self._path = path
        self._params = params

    @property
    def response(self) -> httpx.Response:
        """The response as an ``httpx.Response`` (built on first use)."""
        if self._response is None:
            assert self._raw is not None
            request = self._client._build_request(self._method, self._path, params=self._params)
            self._response = self._raw.to_httpx(request)
        return self._response

    @property
    def text(self) -> str:
        """The body decoded as text."""
        return self.response.text


def _resolve_key(api_key: str | None) -> _Secret:
    key: object = api_key if api_key is not None else os.environ.get("PICTORY_API_KEY")
    if key is not None and not isinstance(key, str):
        raise InvalidInputError(f"api_key must be a str, not {type(key).__name__}")
    if key is None or not key.strip():
        raise MissingAPIKeyError(
            "no API key: pass api_key=... or set the PICTORY_API_KEY environment variable"
        )
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in key):
        raise InvalidInputError("api_key contains whitespace or control characters")
    return _Secret(key)


def _resolve_user_agent(user_agent: str | None) -> str:
    if user_agent is None:
        return f"pictory-async/{__version__} python-httpx/{httpx.__version__}"
    if not isinstance(user_agent, str) or not user_agent.strip():
        raise InvalidInputError("user_agent must be a non-empty str")
    if any(ord(char) < 32 or ord(char) == 127 for char in user_agent):
        raise InvalidInputError("user_agent contains control characters")
    return user_agent


class _SecretHeaders(dict[str, str]):
    """Request headers whose ``repr`` hides the ``Authorization`` value."""

    def __repr__(self) -> str:
        shown = {k: "<redacted>" if k.lower() == "authorization" else v for k, v in self.items()}
        return repr(shown)


def _resolve_base_url(base_url: str | None) -> str:
    url = base_url or os.environ.get("PICTORY_BASE_URL") or DEFAULT_BASE_URL
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise InvalidInputError(f"base_url is not a valid URL: {url!r}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInputError(f"base_url must be an http(s) URL with a host, got {url!r}")
    if parsed.query or parsed.fragment:
        raise InvalidInputError(f"base_url must not have a query or fragment, got {url!r}")
    return str(parsed).rstrip("/")


def _resolve_timeout(timeout: Duration | None) -> httpx.Timeout:
    if timeout is None:
        return httpx.Timeout(None)
    seconds = to_seconds(timeout, name="timeout")
    if seconds == 0:
        raise InvalidInputError("timeout must be > 0, or None for no timeout")
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))


def _resolve_retries(max_retries: int) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise InvalidInputError(f"max_retries must be an int >= 0, got {max_retries!r}")
    return max_retries


class AsyncPictory:
    """The async client for Pictory's API.

    Use it as an async context manager, one per application, shared by all tasks::

        async with AsyncPictory() as client:
            project = await client.projects.get(project_id)

    Args:
        api_key: Your API key (``pictai_...``); defaults to ``PICTORY_API_KEY``.
        base_url: The API's address; defaults to ``PICTORY_BASE_URL`` or
            ``https://api.pictory.ai``.
        timeout: Seconds (or a ``timedelta``) per request; ``None`` for no timeout.
        max_retries: Retries after a transient failure (connection errors, timeouts,
            408, 409, 429, 5xx).
        max_retry_after: Longest ``Retry-After`` to wait for; above it the
            ``RateLimitError`` is raised at once.
        max_connections: Size of the connection pool; bulk operations size their
            concurrency to it.
        rate_limit: A fixed ceiling in requests/second, shared by all calls.
        adaptive_rate_limit: Learn the API's rate limit from 429s and stay under it.
        http_client: Your own ``httpx.AsyncClient``. It is used as is (its transport,
            proxies, event hooks) and not closed by us. The key is sent per request,
            never set on your client.
        user_agent: Replaces the default ``pictory-async/<version> ...`` User-Agent.
        sleep: The async sleep used to wait between attempts (tests pass a fake).
        clock: A monotonic clock in seconds, paired with ``sleep``.

    Raises:
        MissingAPIKeyError: No key was given and ``PICTORY_API_KEY`` is not set.
        InvalidInputError: An option is invalid.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Duration | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_after: Duration = DEFAULT_MAX_RETRY_AFTER,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        rate_limit: float | None = None,
        adaptive_rate_limit: bool = True,
        http_client: httpx.AsyncClient | None = None,
        user_agent: str | None = None,
        sleep: Sleep | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._key = _resolve_key(api_key)
        self.base_url = _resolve_base_url(base_url)
        self._timeout = _resolve_timeout(timeout)
        self._timeout_ext = self._timeout.as_dict()
        self.max_retries = _resolve_retries(max_retries)
        self.max_retry_after = to_seconds(max_retry_after, name="max_retry_after")
        if isinstance(max_connections, bool) or not isinstance(max_connections, int):
            raise InvalidInputError("max_connections must be an int")
        if max_connections < 1:
            raise InvalidInputError(f"max_connections must be >= 1, got {max_connections}")
        self.max_connections = max_connections
        if rate_limit is not None and (
            isinstance(rate_limit, bool)
            or not isinstance(rate_limit, (int, float))
            or not rate_limit > 0
        ):
            raise InvalidInputError(f"rate_limit must be > 0 requests/second, got {rate_limit!r}")
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise InvalidInputError("http_client must be an httpx.AsyncClient")
        self._sleep: Sleep = sleep or asyncio.sleep
        clock = clock or time.monotonic
        self._headers = httpx.Headers(
            {
                "Authorization": self._key.value,
                "User-Agent": _resolve_user_agent(user_agent),
                "Accept": "application/json",
                "Accept-Encoding": "gzip, deflate",
            }
        )
        self._lean_headers = _SecretHeaders(self._headers.items())
        owns_http = http_client is None
        lean = None
        if http_client is None:
            lean = AiohttpTransport(max_connections=max_connections)
            http_client = httpx.AsyncClient(
                transport=lean, timeout=self._timeout, follow_redirects=False
            )
        self._lean_timeout = lean.timeout(self._timeout_ext) if lean else None
        self._shared = _Shared(
            http=http_client,
            owns_http=owns_http,
            lean=lean,
            throttle=Throttle(
                clock=clock,
                sleep=self._sleep,
                rate_limit=float(rate_limit) if rate_limit is not None else None,
                adaptive=adaptive_rate_limit,
            ),
        )
        self._retry = RetryPolicy(
            max_retries=self.max_retries, max_retry_after=self.max_retry_after, sleep=self._sleep
        )
        self._bind_resources()

    def _bind_resources(self) -> None:
        from .resources.projects import Projects

        self.projects = Projects(self)

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
        """Close the connection pool (unless it is a user's ``http_client``). Idempotent."""
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
    ) -> AsyncPictory:
        """A client with other options that shares this one's pool, throttle and state.

        Closing either closes both: the pool is one.
        """
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        if not isinstance(timeout, NotGiven):
            clone._timeout = _resolve_timeout(timeout)
            clone._timeout_ext = clone._timeout.as_dict()
            lean = self._shared.lean
            clone._lean_timeout = lean.timeout(clone._timeout_ext) if lean else None
        if not isinstance(max_retries, NotGiven):
            clone.max_retries = _resolve_retries(max_retries)
        if not isinstance(max_retry_after, NotGiven):
            clone.max_retry_after = to_seconds(max_retry_after, name="max_retry_after")
        clone._retry = RetryPolicy(
            max_retries=clone.max_retries,
            max_retry_after=clone.max_retry_after,
            sleep=self._sleep,
        )
        clone._bind_resources()
        return clone

    # -- the pipeline --------------------------------------------------------------

    @property
    def throttle(self) -> Throttle:
        """The rate control shared by every call of this client."""
        return self._shared.throttle

    def _build_request(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None
    ) -> httpx.Request:
        """A request to the API (pure: nothing is sent)."""
        return httpx.Request(
            method,
            self.base_url + path,
            params=params,
            headers=self._headers,
            extensions={"timeout": self._timeout_ext},
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> Reply:
        """Send one API request with retries; raise a typed error for a failure status.

        Args:
            method: The HTTP method (requests have no body).
            path: The path under the base URL, already validated and encoded.
            params: Query parameters.
            ok_statuses: Error statuses to hand back instead of raising (``404`` for
                ``delete``, which decides what a 404 means).
        """
        shared = self._shared
        if shared.state is _State.CLOSED:
            raise ClientClosedError("Cannot send a request, as the client has been closed.")
        throttle = shared.throttle
        lean = shared.lean
        url = self.base_url + path
        if params:
            url = str(httpx.URL(url, params=params))
        describe = f"{method} {path}"
        attempts = 0
        lost = False

        async def attempt() -> RawResponse | httpx.Response:
            nonlocal attempts, lost
            ticket = throttle.ready()
            if ticket is None:
                ticket = await throttle.acquire()
            attempts += 1
            status: int | None = None
            retry_after: float | None = None
            try:
                if lean is not None:
                    assert self._lean_timeout is not None
                    reply: RawResponse | httpx.Response = await lean.send_raw(
                        method, url, self._lean_headers, self._lean_timeout
                    )
                else:
                    reply = await shared.http.send(self._build_request(method, path, params=params))
                status = reply.status_code
                if status >= 400 and status not in ok_statuses:
                    retry_after = parse_retry_after(reply.headers)
            except Exception as exc:
                lost = lost or _may_have_been_sent(exc)
                error = self._connection_error(exc, method, path, params)
                if error is exc:
                    raise  # not a transport failure: a bug, not ours to dress up
                raise error from exc
            finally:
                capped = None if retry_after is None else min(retry_after, self.max_retry_after)
                throttle.release(ticket, status, capped)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s -> %d (attempt %d)", describe, status, attempts)
            if status < 400 or status in ok_statuses:
                return reply
            if status != 429 and (status >= 500 or status == 408):
                lost = True
            if isinstance(reply, RawResponse):
                reply = reply.to_httpx(self._build_request(method, path, params=params))
            raise make_status_error(reply, retry_after=retry_after)

        try:
            source = await attempt()
        except Exception as exc:
            source = await self._retry.after_failure(attempt, exc, describe=describe)
        return Reply(
            source,
            attempts=attempts,
            lost_attempt=lost,
            client=self,
            method=method,
            path=path,
            params=params,
        )

    def _connection_error(
        self,
        exc: Exception,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
    ) -> Exception:
        """The ``APIConnectionError`` for a transport failure (or ``exc`` itself if a bug)."""
        if isinstance(exc, httpx.TransportError):
            mapped: httpx.TransportError | None = exc
            request = exc.request if _has_request(exc) else None
        else:
            request = self._build_request(method, path, params=params)
            mapped = map_exception(exc, request)
        if mapped is None:
            return exc
        if request is None:
            request = self._build_request(method, path, params=params)
        detail = str(mapped) or type(mapped).__name__
        if isinstance(mapped, httpx.TimeoutException):
            return APITimeoutError(f"{method} {path} timed out: {detail}", request=request)
        return APIConnectionError(
            f"{method} {path} failed: {type(mapped).__name__}: {detail}", request=request
        )


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018
    except RuntimeError:
        return False
    return True


def _may_have_been_sent(exc: BaseException) -> bool:
    """False only for failures that prove the request never left (refused, pool, DNS)."""
    never_sent = (
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.PoolTimeout,
        aiohttp.ClientConnectorError,
        aiohttp.ConnectionTimeoutError,
    )
    return not isinstance(exc, never_sent)
