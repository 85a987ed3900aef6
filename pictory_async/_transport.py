"""The default HTTP transport: one aiohttp connection pool behind two doors.

``AsyncPictory`` holds an ``httpx.AsyncClient`` whose transport is ``AiohttpTransport``:
anything sent through that client (``handle_async_request``) speaks httpx. The client's
own API calls take the second door, ``send_raw``, into the *same* pool: it skips
building ``httpx.Request``/``httpx.Response`` objects on the hot path and builds them
only when an error needs one. Measured on a 2-core machine at concurrency 100 (see
docs/performance.md), httpcore's pool costs ~1.6 ms of CPU per request, httpx over an
aiohttp transport ~0.35-0.55 ms, raw aiohttp ~0.15-0.2 ms; the second door is what lets
a bulk run keep up with raw aiohttp.

aiohttp's exceptions are mapped to the httpx exceptions that mean the same thing,
which decides whether a request may have reached the server: a server that hung up
after the request went out is a ``RemoteProtocolError``, never a ``ConnectTimeout``
(``httpx_aiohttp`` 0.2 gets this and five other cases wrong).
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import ssl
import types
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

import aiohttp
import httpx
from yarl import URL

__all__ = ["AiohttpTransport", "RawResponse", "map_exception"]

_TimeoutKey = tuple[float | None, float | None, float | None]
_HTTP11: Final = b"HTTP/1.1"
_NO_BODY_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS"})


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The verifying TLS context (certifi's CAs, as httpx uses), built once per process.

    Loading the CA bundle costs tens of milliseconds of CPU; every client shares it.
    """
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


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


def map_exception(exc: BaseException, request: httpx.Request) -> httpx.TransportError | None:
    """The httpx exception that means what the aiohttp exception ``exc`` means.

    Never sent: ``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``. Maybe sent:
    ``WriteError``, ``ReadError``, ``ReadTimeout``, ``RemoteProtocolError``. Returns
    ``None`` for exceptions that must propagate unchanged (``CancelledError``, bugs).
    """
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        if _waited_in_pool(exc):
            return httpx.PoolTimeout(message, request=request)
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
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
        if "Connector is closed" in message:  # the session was closed: nothing went out
            return httpx.ConnectError(message, request=request)
        # also raised after connecting ("Connection lost"): assume it may have been sent
        return httpx.ReadError(message, request=request)
    if isinstance(exc, aiohttp.ClientError):
        return httpx.TransportError(message, request=request)
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(message, request=request)
    return None


class RawResponse:
    """A response read in full, without httpx objects (built on demand by ``to_httpx``)."""

    __slots__ = ("content", "decoded", "headers", "raw_headers", "reason", "status_code")

    def __init__(
        self,
        status_code: int,
        headers: Mapping[str, str],
        raw_headers: Any,
        content: bytes,
        reason: str | None,
        *,
        decoded: bool = False,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.raw_headers = raw_headers
        self.content = content
        self.reason = reason
        self.decoded = decoded
        """Whether ``content`` was already decompressed (``Content-Encoding`` undone)."""

    def to_httpx(self, request: httpx.Request) -> httpx.Response:
        """The same response as an ``httpx.Response`` (decoded as httpx would)."""
        extensions: dict[str, Any] = {"http_version": _HTTP11}
        if self.reason:
            extensions["reason_phrase"] = self.reason.encode("ascii", "replace")
        headers = self.raw_headers
        if self.decoded:  # httpx must not decode the body a second time
            headers = [
                (name, value)
                for name, value in headers
                if name.lower() not in (b"content-encoding", b"content-length")
            ]
        return httpx.Response(
            self.status_code,
            headers=headers,
            content=self.content,
            request=request,
            extensions=extensions,
        )


async def _iter_stream(stream: httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class _Stream(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(64 * 1024):
                yield chunk
        except Exception as exc:
            mapped = map_exception(exc, self._request)
            if mapped is None:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one ``aiohttp.ClientSession`` (created lazily, in the loop).

    httpx timeouts map to aiohttp's: ``read`` to ``sock_read``, ``connect`` to
    ``sock_connect``, ``pool`` to ``connect`` (which bounds waiting for a connection and
    connecting together). httpx's ``write`` timeout has no aiohttp counterpart.

    Args:
        max_connections: Size of the connection pool (all hosts together).
        keepalive_expiry: Seconds an idle connection is kept.
        stream: Hand bodies to httpx as a stream instead of reading them first
            (downloads stream; API calls, whose bodies are small JSON, do not).
    """

    def __init__(
        self,
        *,
        max_connections: int = 100,
        keepalive_expiry: float = 15.0,
        stream: bool = False,
    ) -> None:
        self.max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._stream = stream
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[_TimeoutKey, aiohttp.ClientTimeout] = {}
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("Cannot send a request, as the transport has been closed.")
        connector = aiohttp.TCPConnector(
            limit=self.max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=_ssl_context(),
            ttl_dns_cache=300,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept"),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        # aiohttp silently re-sends an idempotent request once when a reused connection
        # fails. Our retry layer must see that failure: a DELETE whose answer was lost
        # may have been applied, and a silent re-send would report it "already absent".
        if hasattr(self._session, "_retry_connection"):
            self._session._retry_connection = False
        return self._session

    def timeout(self, given: Mapping[str, float | None] | None) -> aiohttp.ClientTimeout:
        """The aiohttp timeout for an httpx timeout dict (cached)."""
        key: _TimeoutKey = (
            (None, None, None)
            if not given
            else (given.get("connect"), given.get("read"), given.get("pool"))
        )
        cached = self._timeouts.get(key)
        if cached is None:
            connect, read, pool = key
            cached = aiohttp.ClientTimeout(
                total=None, connect=pool, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 64:
                self._timeouts[key] = cached
        return cached

    async def send_raw(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        timeout: aiohttp.ClientTimeout,
    ) -> RawResponse:
        """Send a body-less request and read the whole response: the lean door.

        Raises:
            aiohttp.ClientError: Transport failures, for the caller to map with
                ``map_exception`` (which needs an ``httpx.Request`` it builds only then).
        """
        session = self._session if self._session is not None else self._open()
        async with session.request(
            method,
            URL(url, encoded=True),
            headers=headers,
            allow_redirects=False,
            auto_decompress=True,
            timeout=timeout,
        ) as response:
            body = await response.read()
            return RawResponse(
                response.status,
                response.headers,
                response.raw_headers,
                body,
                response.reason,
                decoded=True,
            )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send an ``httpx.Request`` through the pool; map aiohttp's errors to httpx's."""
        session = self._session if self._session is not None else self._open()
        headers = request.headers
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
                headers = headers.copy()
                headers.pop("transfer-encoding", None)  # aiohttp chunks the body itself
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=headers.multi_items(),
                data=data,
                allow_redirects=False,
                timeout=self.timeout(request.extensions.get("timeout")),
            )
            if self._stream:
                return httpx.Response(
                    response.status,
                    headers=response.raw_headers,
                    stream=_Stream(response, request),
                    request=request,
                    extensions={"http_version": _HTTP11},
                )
            try:
                body = await response.read()
            finally:
                response.release()
        except Exception as exc:
            mapped = map_exception(exc, request)
            if mapped is None:
                raise
            raise mapped from exc
        raw = RawResponse(
            response.status, response.headers, response.raw_headers, body, response.reason
        )
        result = raw.to_httpx(request)
        result.elapsed = datetime.timedelta(seconds=loop.time() - started)
        return result

    async def aclose(self) -> None:
        """Close the pool. Idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
