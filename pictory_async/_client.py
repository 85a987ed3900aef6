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

from ._bind import Bound, forget
from ._call_options import CallOptions, encode_json, resolve_call_options
from ._exceptions import InvalidInputError
from ._generic import GenericRequests
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
from ._ratestore import RateBinding, RateStore, resolve_rate_store
from ._raw import RawResponses, capturing, record
from ._retry import RetryPolicy
from ._throttle import RateControl, Throttle
from ._types import NOT_GIVEN, Clock, Duration, NotGiven, Sleep

if TYPE_CHECKING:
    from .resources.account import Account
    from .resources.jobs import Jobs
    from .resources.lookups import (
        Avatars,
        Brands,
        Media,
        Music,
        SmartLayouts,
        Styles,
        Templates,
        Voices,
    )
    from .resources.projects import Projects
    from .resources.transcriptions import Transcriptions
    from .resources.videos import Videos

__all__ = ["AsyncPictory"]

DEFAULT_MAX_RETRIES = 4
DEFAULT_MAX_RETRY_AFTER = 60.0
DEFAULT_MAX_RETRY_TIME = 120.0
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
_NO_STATUSES: Final = frozenset[int]()
_NO_OPTIONS: Final = CallOptions()
_MAX_VARIANTS: Final = 32
"""Client variants kept for per-call ``timeout``/``max_retries`` (beyond: built anew)."""


class AsyncPictory(GenericRequests):
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
        rate_store: Where what the rate control learns lives: ``"memory"`` (this
            client alone), ``"file"`` or ``"file:<directory>"`` (remembered across
            runs), a ``redis://``, ``rediss://`` or ``unix://`` URL (shared live by
            every process on the key; extra ``[redis]``), or a ``RateStore``. Not
            given: ``PICTORY_RATE_STORE``, else ``"memory"``.
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
        projects: ``client.projects``: get, update, delete, list, select, bulk
            operations, assets and backups, starting a render (see ``Projects``).
        videos: ``client.videos``: create videos from scripts, URLs, storyboards and
            templates (see ``Videos``).
        transcriptions: ``client.transcriptions``: transcripts and highlights.
        jobs: ``client.jobs``: get, wait for (typed by kind), list and clean jobs.
        account: ``client.account``: the account's usage and limits (see ``Account``).
        templates: ``client.templates``: the account's video templates.
        brands: ``client.brands``: the account's brands.
        voices: ``client.voices``: the AI voices.
        media: ``client.media``: stock media search.
        music: ``client.music``: music search and catalogues.
        avatars: ``client.avatars``: AI avatars.
        styles: ``client.styles``: text and subtitle styles.
        smart_layouts: ``client.smart_layouts``: smart layouts.
        base_url: The API's address.
        max_retries: Retries after a transient failure.
        max_connections: Size of the connection pool.

    Raises:
        MissingAPIKeyError: No key was given and ``PICTORY_API_KEY`` is not set.
        InvalidInputError: An option is invalid.
    """

    projects: Bound[Projects] = Bound(".resources.projects", "Projects")
    jobs: Bound[Jobs] = Bound(".resources.jobs", "Jobs")
    account: Bound[Account] = Bound(".resources.account", "Account")
    videos: Bound[Videos] = Bound(".resources.videos", "Videos")
    transcriptions: Bound[Transcriptions] = Bound(".resources.transcriptions", "Transcriptions")
    templates: Bound[Templates] = Bound(".resources.lookups", "Templates")
    brands: Bound[Brands] = Bound(".resources.lookups", "Brands")
    voices: Bound[Voices] = Bound(".resources.lookups", "Voices")
    media: Bound[Media] = Bound(".resources.lookups", "Media")
    music: Bound[Music] = Bound(".resources.lookups", "Music")
    avatars: Bound[Avatars] = Bound(".resources.lookups", "Avatars")
    styles: Bound[Styles] = Bound(".resources.lookups", "Styles")
    smart_layouts: Bound[SmartLayouts] = Bound(".resources.lookups", "SmartLayouts")

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
        rate_store: str | RateStore | None = None,
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
        store, made_here = resolve_rate_store(rate_store)
        self._rates = RateBinding(
            store, made_here=made_here, base_url=self.base_url, api_key=self._key.value
        )
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
                learned=self._rates.recalled,
                shared=self._rates.shared,
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
        self._variants: dict[tuple[object, object], AsyncPictory] = {}
        forget(self)  # a copy's resources are its own (built on first use)

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
        stays open, they finish. The rate store keeps what the client learned (the file
        store writes it), and a store the client made from a string is closed.
        """
        if self._shared.state is State.CLOSED:
            return
        self._shared.state = State.CLOSED
        try:
            if self._shared.owns_http:
                await self._shared.http.aclose()
        finally:
            await self._rates.close(self._shared.throttle.learned())

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

    @property
    def with_raw_response(self) -> RawResponses[AsyncPictory]:
        """``client.with_raw_response.get(path)``: the ``RawResponse`` of a generic call."""
        return RawResponses(self)

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
        json: object = NOT_GIVEN,
        ok_statuses: frozenset[int] = _NO_STATUSES,
        idempotent: bool = True,
        options: Mapping[str, Any] | None = None,
    ) -> Coroutine[Any, Any, Received]:
        """Send one API request with retries (await it); raise a typed error for a failure.

        The one entry point of the resources and of ``get``/``post``/...: check the
        call's options, build the request, hand it to the pipeline (``Pipeline.send``,
        which the returned coroutine runs). Bad input raises here, before anything is
        sent.

        Args:
            method: The HTTP method.
            path: The path under the base URL, already validated and encoded.
            params: Query parameters.
            json: The JSON body (a dict, a list or an attrs body); not given or
                ``None``: no body.
            ok_statuses: Error statuses to hand back instead of raising (``404`` for
                ``delete``, which decides what a 404 means).
            idempotent: ``False`` for a request that must not be applied twice (starting
                a video or a render): it is retried only after a 429 or a connection
                that never carried it, never once an attempt may have been applied.
            options: The caller's per-call options (``RequestOptions``), unchecked.

        Raises:
            TypeError: An unknown per-call option.
            InvalidInputError: A bad option or a body that is not JSON.
        """
        target = self
        call = _NO_OPTIONS if not options else resolve_call_options(options)
        if call.changes_client:
            target = self._variant(call)
        if call.extra_query:
            params = {**(params or {}), **call.extra_query}
        body: bytes | None = None
        if not (json is None or isinstance(json, NotGiven)):
            body = encode_json(json, call.extra_body)
        elif call.extra_body:
            raise InvalidInputError(f"extra_body given for a {method} request, which has no body")
        sent = target._pipeline.send(
            target._requests.build(
                method, path, params=params, json=body, headers=call.extra_headers
            ),
            ok_statuses=ok_statuses,
            idempotent=idempotent,
        )
        captured = capturing()
        return sent if captured is None else record(sent, captured)

    def _variant(self, call: CallOptions) -> AsyncPictory:
        """This client with a call's ``timeout``/``max_retries`` (cached, pool shared)."""
        key = (call.timeout, call.max_retries)
        variant = self._variants.get(key)
        if variant is None:
            variant = self.with_options(timeout=call.timeout, max_retries=call.max_retries)
            if len(self._variants) >= _MAX_VARIANTS:
                self._variants.clear()
            self._variants[key] = variant
        return variant
