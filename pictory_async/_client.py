"""``AsyncPictory``: configuration and lifecycle; every request through one pipeline.

The client checks its options, builds the shared parts (the ``httpx.AsyncClient``, the
``Throttle``, the ``RetryPolicy``) and hands each request to its ``Pipeline``
(``_pipeline``): API calls from the resources (``client.projects``), which only build
requests and parse responses, and CDN downloads (``_download``) alike. There is no other
door: the default transport is the project's aiohttp-backed ``httpx.AsyncBaseTransport``
behind the same ``httpx.AsyncClient.send``.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Coroutine, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import httpx

from ._exceptions import InvalidInputError
from ._http import RequestFactory, default_http_client
from ._options import (
    resolve_base_url,
    resolve_count,
    resolve_key,
    resolve_retry_time,
    resolve_timeout,
    resolve_user_agent,
    to_seconds,
)
from ._pipeline import Pipeline, Received, Shared, State
from ._retry import RetryPolicy
from ._throttle import RateControl, Throttle
from ._types import NOT_GIVEN, Clock, Duration, NotGiven, Sleep

if TYPE_CHECKING:
    from .resources.account import Account
    from .resources.jobs import Jobs
    from .resources.projects import Projects

__all__ = ["AsyncPictory"]

DEFAULT_MAX_RETRIES = 4
DEFAULT_MAX_RETRY_AFTER = 60.0
DEFAULT_MAX_RETRY_TIME = 120.0
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
_NO_STATUSES: Final = frozenset[int]()


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
        account: ``client.account``: the account's usage and limits (see ``Account``).
        base_url: The API's address.
        max_retries: Retries after a transient failure.
        max_connections: Size of the connection pool.

    Raises:
        MissingAPIKeyError: No key was given and ``PICTORY_API_KEY`` is not set.
        InvalidInputError: An option is invalid.
    """

    projects: Projects
    jobs: Jobs
    account: Account

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
        clock: Clock | None = None,
    ) -> None:
        self._key = resolve_key(api_key)
        self.base_url = resolve_base_url(base_url)
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
        self._total_timeout, self._httpx_timeout = resolve_timeout(
            timeout, own_client=http_client is None
        )
        self.max_retries = resolve_count(max_retries, name="max_retries", minimum=0)
        self.max_retry_after = to_seconds(max_retry_after, name="max_retry_after")
        self.max_retry_time = resolve_retry_time(max_retry_time)
        self.max_response_bytes = resolve_count(
            max_response_bytes, name="max_response_bytes", minimum=1
        )
        self.max_connections = resolve_count(max_connections, name="max_connections", minimum=1)
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
                "User-Agent": resolve_user_agent(user_agent),
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
        self._shared = Shared(
            http=http_client,
            owns_http=owns_http,
            throttle=Throttle(
                clock=self._clock,
                sleep=self._sleep,
                rate_limit=float(rate_limit) if rate_limit is not None else None,
                adaptive=adaptive_rate_limit,
            ),
        )
        self._wire()

    def _wire(self) -> None:
        """Build what depends on this client's options: its pipeline and resources."""
        throttle = self._shared.throttle
        policy = RetryPolicy(
            max_retries=self.max_retries,
            max_retry_after=self.max_retry_after,
            max_retry_time=self.max_retry_time,
            sleep=self._sleep,
            clock=self._clock,
            cooldown=lambda: throttle.cooldown_remaining,
        )
        self._pipeline = Pipeline(
            shared=self._shared,
            policy=policy,
            clock=self._clock,
            total_timeout=self._total_timeout,
            timeout=self._httpx_timeout,
            max_response_bytes=self.max_response_bytes,
        )
        self._requests = RequestFactory(
            self._shared.http,
            self.base_url,
            self._headers,
            self._httpx_timeout,
            self._total_timeout,
        )
        self._bind_resources()

    def _bind_resources(self) -> None:
        from .resources.account import Account
        from .resources.jobs import Jobs
        from .resources.projects import Projects

        self.projects = Projects(self)
        self.jobs = Jobs(self)
        self.account = Account(self)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<redacted>, "
            f"max_retries={self.max_retries}, state={self._shared.state.name.lower()})"
        )

    # -- lifecycle ---------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        """Whether ``aclose()`` was called."""
        return self._shared.state is State.CLOSED

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient`` every request goes through (yours, or ours).

        Hook into it as into any httpx client, e.g. OpenTelemetry's
        ``HTTPXClientInstrumentor.instrument_client(client.http_client)``.
        """
        return self._shared.http

    async def __aenter__(self) -> AsyncPictory:
        state = self._shared.state
        if state is State.OPENED:
            raise RuntimeError("Cannot open a client instance more than once.")
        if state is State.CLOSED:
            raise RuntimeError("Cannot reopen a client instance, once it has been closed.")
        self._shared.state = State.OPENED
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
        if self._shared.state is State.CLOSED:
            return
        self._shared.state = State.CLOSED
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
            clone._total_timeout, clone._httpx_timeout = resolve_timeout(
                timeout, own_client=self._shared.owns_http
            )
        if not isinstance(max_retries, NotGiven):
            clone.max_retries = resolve_count(max_retries, name="max_retries", minimum=0)
        if not isinstance(max_retry_after, NotGiven):
            clone.max_retry_after = to_seconds(max_retry_after, name="max_retry_after")
        if not isinstance(max_retry_time, NotGiven):
            clone.max_retry_time = resolve_retry_time(max_retry_time)
        if not isinstance(max_response_bytes, NotGiven):
            clone.max_response_bytes = resolve_count(
                max_response_bytes, name="max_response_bytes", minimum=1
            )
        clone._wire()
        return clone

    # -- requests ------------------------------------------------------------------

    @property
    def throttle(self) -> RateControl:
        """The rate control shared by every call of this client, read-only.

        For progress displays and metrics: ``rate``, ``window``, ``in_flight``,
        ``demand``, ``cooldown_remaining`` and ``throttle_events``.
        """
        return self._shared.throttle

    def _build_request(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None
    ) -> httpx.Request:
        """A request to the API with the httpx client's defaults merged in (pure)."""
        return self._requests.build(method, path, params=params)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        ok_statuses: frozenset[int] = _NO_STATUSES,
        idempotent: bool = True,
    ) -> Coroutine[Any, Any, Received]:
        """Send one API request with retries (await it); raise a typed error for a failure.

        The resources' one entry point: build the request, hand it to the pipeline
        (``Pipeline.send``, which the returned coroutine runs).

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
        return self._pipeline.send(
            self._requests.build(method, path, params=params),
            ok_statuses=ok_statuses,
            idempotent=idempotent,
        )
