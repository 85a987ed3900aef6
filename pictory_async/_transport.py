"""The default HTTP transport: an ``httpx.AsyncBaseTransport`` over aiohttp's pool.

``AsyncPictory`` sends every request through ``httpx.AsyncClient.send``; by default the
client's transport is ``AiohttpTransport``. Measured on a 2-core machine at concurrency
100 (see docs/performance.md), httpcore's pool costs ~1.6 ms of CPU per request and
aiohttp's a fraction of that, so the pool is aiohttp's while everything a user sees and
hooks into (``send``, event hooks, mounts for proxies, respx, OpenTelemetry) is httpx's.

Three properties matter beyond speed:

- **"Never sent" and "maybe sent" stay apart.** aiohttp's exceptions are mapped to the
  httpx exceptions that mean the same thing: a server that hung up after the request
  went out is a ``RemoteProtocolError``, never a ``ConnectTimeout`` (``httpx_aiohttp``
  0.2 gets this and five other cases wrong). A DELETE whose answer was lost depends on it.
- **No silent re-send.** aiohttp re-sends an idempotent request once when a reused
  connection fails; that is turned off, so the retry layer sees the failure.
- **Nothing chained that holds the request headers.** The mapped error is raised
  outside the ``except`` block: aiohttp's exception (whose ``request_info`` and frames
  hold the ``Authorization`` header) is not its ``__cause__`` or ``__context__``.

aiohttp (and yarl) load when the first transport is built, not with this module:
``import pictory_async`` and ``pictory --help`` stay light, and a client given another
transport never loads them.

Bodies reach httpx undecoded (``Content-Encoding`` is undone by httpx, for every
transport alike) and in bounded chunks, so a size cap counted after decompression bounds
memory too.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import ssl
import types
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Final

import httpx

if TYPE_CHECKING:
    import aiohttp
    from yarl import URL

__all__ = ["STREAM", "WITHIN", "AiohttpTransport", "has_header", "map_exception", "read_body"]

_TimeoutKey = tuple[float | None, float | None, float | None]
_NO_BODY_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS"})
_HTTP11: Final = b"HTTP/1.1"

EAGER_READ_LIMIT = 256 * 1024
"""Bodies up to this size (by ``Content-Length``) are read in one go; larger or
unknown-length bodies are streamed."""
ENCODED_CHUNK = 4 * 1024
"""Compressed bodies reach httpx in slices this big: one slice inflates to ~4 MB at most."""
STREAM_CHUNK = 64 * 1024
STREAM: Final = "pictory_async.stream"
"""A request extension: ``True`` streams the body whatever its size (downloads, which
keep what arrived before a cut)."""
WITHIN: Final = "pictory_async.within"
"""A request extension: seconds within which the sender cancels the whole exchange
itself. aiohttp's pool and read timeouts that could only fire later are not armed:
two timers fewer per request, and the same outcome."""


@functools.lru_cache(maxsize=8)
def _default_ssl_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """The verifying TLS context httpx would build, once per CA location per process.

    Loading a CA bundle costs tens of milliseconds of CPU; clients share the context.
    """
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def ssl_context(verify: bool | ssl.SSLContext, *, trust_env: bool) -> ssl.SSLContext | bool:
    """The TLS setting for aiohttp, chosen as httpx chooses it.

    ``SSL_CERT_FILE`` (else ``SSL_CERT_DIR``) replaces certifi's bundle when
    ``trust_env`` is on; ``False`` turns verification off; a context is used as given.
    """
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is False:
        return False
    cafile = os.environ.get("SSL_CERT_FILE") if trust_env else None
    capath = os.environ.get("SSL_CERT_DIR") if trust_env and not cafile else None
    return _default_ssl_context(cafile or None, capath or None)


def _waited_in_pool(exc: BaseException) -> bool:
    """Whether a ``ConnectionTimeoutError`` fired while waiting for a free connection.

    aiohttp raises the same error for "no free connection in time" and "connecting took
    too long"; only the traceback tells them apart. Error path only.
    """
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc.__cause__, exc.__context__]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        tb: types.TracebackType | None = current.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_name == "_wait_for_available_connection":
                return True
            tb = tb.tb_next
        todo.extend((current.__cause__, current.__context__))
    return False


def _describe(exc: BaseException) -> str:
    """A short, clean description: no "ssl:default", no request headers."""
    import aiohttp

    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        reason = os_error.strerror or str(os_error) or type(os_error).__name__
        if isinstance(exc, aiohttp.ClientConnectorCertificateError):
            reason = str(exc.certificate_error)
        return f"cannot connect to {exc.host}:{exc.port}: {reason}"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"malformed response: {exc.message}" if exc.message else "malformed response"
    return str(exc) or type(exc).__name__


def map_exception(exc: BaseException, request: httpx.Request) -> httpx.TransportError | None:
    """The httpx exception that means what the aiohttp exception ``exc`` means.

    Never sent: ``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``, ``ProxyError``.
    Maybe sent: ``WriteError``, ``ReadError``, ``ReadTimeout``, ``RemoteProtocolError``.
    Returns ``None`` for exceptions that must propagate unchanged (``CancelledError``, bugs).
    """
    import aiohttp  # loaded already: only a transport of ours raises its exceptions

    message = _describe(exc)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        if _waited_in_pool(exc):
            return httpx.PoolTimeout(message, request=request)
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, (aiohttp.ClientProxyConnectionError, aiohttp.ClientHttpProxyError)):
        # the proxy could not be reached, or refused the CONNECT: nothing reached the API
        return httpx.ProxyError(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectionResetError):
        return httpx.WriteError(message, request=request)
    if isinstance(exc, aiohttp.ClientOSError):
        if "Can not write request body" in message:
            return httpx.WriteError(message, request=request)
        return httpx.ReadError(message, request=request)
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectionError):
        if "Connector is closed" in message or "Session is closed" in message:
            return httpx.ConnectError(message, request=request)  # nothing went out
        # also raised after connecting ("Connection lost"): assume it may have been sent
        return httpx.ReadError(message, request=request)
    if isinstance(exc, aiohttp.ClientError):
        return httpx.TransportError(message, request=request)
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(message, request=request)
    return None


class _Body(httpx.AsyncByteStream):
    """A body read in full, handed on in slices when it is compressed."""

    __slots__ = ("_body", "_step")

    def __init__(self, body: bytes, step: int | None) -> None:
        self._body = body
        self._step = step

    async def __aiter__(self) -> AsyncIterator[bytes]:
        body, step = self._body, self._step
        if step is None or len(body) <= step:
            if body:
                yield body
            return
        for start in range(0, len(body), step):
            yield body[start : start + step]


def read_body(response: httpx.Response) -> bytes | None:
    """The body of a response of ours that was read in one go and needs no decoding.

    httpx would hand it on unchanged, through five async generators (its stream, the
    wrapper ``send`` puts around it, ``aiter_raw``, ``aiter_bytes``, a chunker) that
    cost ~25 µs a request. ``None`` for anything else: another
    transport's response (respx, a user's), a streamed or compressed body, or one an
    event hook has read already. (``send`` wraps our stream in an object holding it as
    ``_stream``; if a future httpx does not, this is always ``None``.)
    """
    stream = response.stream
    inner = getattr(stream, "_stream", stream)
    if (
        type(inner) is not _Body
        or inner._step is not None
        or response.is_stream_consumed
        or response.is_closed
        or has_header(response.headers, b"content-encoding")
    ):
        return None
    return inner._body


def has_header(headers: httpx.Headers, name: bytes) -> bool:
    """Whether ``headers`` has a header ``name`` (lower case).

    ``name in headers`` works out the headers' encoding first (decoding every one): a
    few microseconds per response, on the hot path twice.
    """
    return name in [key.lower() for key, _ in headers.raw]  # twice as fast as any(...)


class _Stream(httpx.AsyncByteStream):
    """A body streamed from the connection; the connection is released on close."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request, step: int) -> None:
        self._response = response
        self._request = request
        self._step = step

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._response.content.iter_chunked(self._step).__aiter__()
        while True:
            error: httpx.TransportError | None = None
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except Exception as exc:
                error = map_exception(exc, self._request)
                if error is None:
                    raise
            if error is not None:
                self._response.close()
                raise error  # outside the except block: no aiohttp exception chained
            yield chunk

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one ``aiohttp.ClientSession`` (created lazily, in the loop).

    Use it with your own client to keep aiohttp's pool:
    ``httpx.AsyncClient(transport=AiohttpTransport(max_connections=200))``.

    httpx timeouts map to aiohttp's: ``read`` to ``sock_read``, ``connect`` to
    ``sock_connect``, ``pool`` to ``connect`` (which bounds waiting for a connection and
    connecting together). httpx's ``write`` timeout has no aiohttp counterpart.

    Args:
        max_connections: Size of the connection pool (all hosts together).
        keepalive_expiry: Seconds an idle connection is kept.
        verify: Verify TLS certificates (``True``), not at all (``False``), or with
            this ``ssl.SSLContext``.
        trust_env: Take the CA bundle from ``SSL_CERT_FILE``/``SSL_CERT_DIR``, as httpx
            does. (Proxies from the environment are routed by ``httpx.AsyncClient``
            mounts; see ``AsyncPictory``.)
        proxy: Send every request through this HTTP(S) proxy (``http://user:pw@host:port``).
    """

    def __init__(
        self,
        *,
        max_connections: int = 100,
        keepalive_expiry: float = 15.0,
        verify: bool | ssl.SSLContext = True,
        trust_env: bool = True,
        proxy: str | httpx.URL | None = None,
    ) -> None:
        import aiohttp  # here, not at the top: see the module's docstring
        from yarl import URL

        self._to_url = functools.partial(URL, encoded=True)  # yarl, bound once
        self.max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._ssl = ssl_context(verify, trust_env=trust_env)
        self._proxy: URL | None = None
        self._proxy_headers: dict[str, str] | None = None
        if proxy is not None:
            url = URL(str(proxy))
            if url.scheme not in ("http", "https") or not url.host:
                raise ValueError("proxy must be an http:// or https:// URL with a host")
            auth = aiohttp.BasicAuth.from_url(url)
            if auth is not None:  # sent to the proxy only (proxy_auth= is deprecated)
                self._proxy_headers = {"Proxy-Authorization": auth.encode()}
            self._proxy = url.with_user(None)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[_TimeoutKey, aiohttp.ClientTimeout] = {}
        self._closed = False

    def __repr__(self) -> str:
        proxy = f", proxy={str(self._proxy)!r}" if self._proxy is not None else ""
        return f"{type(self).__name__}(max_connections={self.max_connections}{proxy})"

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("Cannot send a request, as the transport has been closed.")
        import aiohttp

        self._loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(
            limit=self.max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=self._ssl,
            ttl_dns_cache=300,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # httpx decodes, the same way for every transport
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept"),
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
        )
        # aiohttp silently re-sends an idempotent request once when a reused connection
        # fails. Our retry layer must see that failure: a DELETE whose answer was lost
        # may have been applied, and a silent re-send would report it "already absent".
        if hasattr(session, "_retry_connection"):
            session._retry_connection = False
        self._session = session
        return session

    def _timeout(
        self, given: Mapping[str, float | None] | None, within: object = None
    ) -> aiohttp.ClientTimeout:
        """The aiohttp timeout for an httpx timeout extension (cached).

        A read or pool timeout no shorter than ``within`` (the sender's own bound on the
        whole exchange, which starts earlier) would never fire first: it is left out.
        """
        if not given:
            key: _TimeoutKey = (None, None, None)
        else:
            read, pool = given.get("read"), given.get("pool")
            if isinstance(within, (int, float)) and not isinstance(within, bool):  # else: none
                if read is not None and read >= within:
                    read = None
                if pool is not None and pool >= within:
                    pool = None
            key = (given.get("connect"), read, pool)
        cached = self._timeouts.get(key)
        if cached is None:
            import aiohttp

            connect, read, pool = key
            cached = aiohttp.ClientTimeout(
                total=None, connect=pool, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 64:
                self._timeouts[key] = cached
        return cached

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send an ``httpx.Request`` through the pool; map aiohttp's errors to httpx's.

        Args:
            request: The request (its ``timeout`` extension maps to aiohttp's timeouts).

        Returns:
            The response, its body streamed (or read in one go when small).

        Raises:
            httpx.TransportError: What ``map_exception`` makes of aiohttp's failure.
            RuntimeError: The transport is closed, or used from another event loop.
        """
        session = self._session
        if session is None:
            session = self._open()
        elif self._loop is not asyncio.get_running_loop():
            raise RuntimeError(
                "This transport (and the client holding it) is bound to the event loop it "
                "was first used in; create one client per event loop."
            )
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        if self._proxy_headers is not None and request.url.scheme == "http":
            # plain HTTP goes to the proxy as is (no CONNECT): it carries the proxy's auth
            headers.extend(self._proxy_headers.items())
        data: bytes | AsyncIterator[bytes] | None = None
        if request.method not in _NO_BODY_METHODS:
            try:
                data = request.content or None
            except httpx.RequestNotRead:
                if not isinstance(request.stream, httpx.AsyncByteStream):
                    raise RuntimeError(
                        "Attempted to send a sync request body with an async transport"
                    ) from None
                data = _iter_stream(request.stream)
                # aiohttp chunks the body itself
                headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        error: httpx.TransportError | None = None
        try:
            response = await session.request(
                request.method,
                self._to_url(str(request.url)),
                headers=headers,
                data=data,
                allow_redirects=False,
                timeout=self._timeout(
                    request.extensions.get("timeout"), request.extensions.get(WITHIN)
                ),
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
            )
            encoded = "Content-Encoding" in response.headers
            length = response.content_length
            if (
                length is not None
                and length <= EAGER_READ_LIMIT
                and not request.extensions.get(STREAM)
            ):
                try:
                    stream: httpx.AsyncByteStream = _Body(
                        await response.read(), ENCODED_CHUNK if encoded else None
                    )
                finally:
                    response.release()
            else:
                stream = _Stream(response, request, ENCODED_CHUNK if encoded else STREAM_CHUNK)
        except Exception as exc:
            error = map_exception(exc, request)
            if error is None:
                raise
        if error is not None:
            raise error  # outside the except block: aiohttp's exception is not chained
        extensions: dict[str, object] = {"http_version": _HTTP11}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("ascii", "replace")
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=stream,
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close the pool. Idempotent; from another event loop, drop it without waiting."""
        self._closed = True
        session, self._session = self._session, None
        if session is None:
            return
        if self._loop is asyncio.get_running_loop():
            await session.close()
            return
        # The pool belongs to another (usually finished) loop: nothing there can be
        # awaited from here. Close its sockets without waiting, where that loop allows.
        connector = session.connector
        session.detach()
        if connector is not None:
            with contextlib.suppress(Exception):
                connector._close()


async def _iter_stream(stream: httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk
