"""The default HTTP transport: httpx's interface on top of aiohttp's connection pool.

httpx stays the currency (``httpx.Request`` in, ``httpx.Response`` out, and
``AsyncPictory`` holds an ``httpx.AsyncClient``), but httpcore's pool costs over 1 ms of
CPU per request under high concurrency, with bookkeeping that grows with the square of
the number of connections. aiohttp's pool costs about a tenth of that. This transport is
a lean variant of ``httpx_aiohttp.AiohttpTransport``: it buffers API responses inside the
transport, caches timeouts, and maps aiohttp's exceptions to the httpx ones that mean
the same thing (a server that hung up after the request went out is a
``RemoteProtocolError``, never a ``ConnectTimeout``: that difference decides whether a
DELETE may have been applied).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx

__all__ = ["AiohttpTransport"]

_Timeouts = tuple[float | None, float | None, float | None, float | None]


def _ssl_context() -> ssl.SSLContext:
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def map_exception(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception that means what ``exc`` means."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, (aiohttp.SocketTimeoutError, aiohttp.ServerTimeoutError)):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return httpx.PoolTimeout(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.ReadError(message, request=request)
    if isinstance(exc, aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message, request=request)
    return httpx.ReadError(message, request=request)


class _Stream(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(64 * 1024):
                yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise map_exception(exc, self._request) from exc

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends through one ``aiohttp.ClientSession``.

    Args:
        max_connections: Size of the connection pool (all hosts together).
        keepalive_expiry: Seconds an idle connection is kept.
        stream: Hand bodies back as a stream instead of reading them first. Downloads
            stream; API calls, whose bodies are small JSON, do not.
    """

    def __init__(
        self,
        *,
        max_connections: int = 100,
        keepalive_expiry: float = 15.0,
        stream: bool = False,
    ) -> None:
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._stream = stream
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[_Timeouts, aiohttp.ClientTimeout] = {}
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("the transport has been closed")
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
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
        return self._session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        given: dict[str, Any] = request.extensions.get("timeout", {})
        key = (given.get("connect"), given.get("read"), given.get("write"), given.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            connect, read, _, pool = key
            timeout = aiohttp.ClientTimeout(
                total=None,
                connect=pool if pool is not None and connect is not None else None,
                sock_connect=connect,
                sock_read=read,
            )
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through aiohttp; map its errors to httpx's."""
        session = self._session or self._open()
        content = request.content if request.method not in ("GET", "DELETE", "HEAD") else b""
        try:
            response = await session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=content or None,
                allow_redirects=False,
                timeout=self._timeout(request),
            )
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise map_exception(exc, request) from exc
        extensions = {
            "http_version": b"HTTP/1.1",
            "reason_phrase": (response.reason or "").encode(),
        }
        if self._stream:
            return httpx.Response(
                response.status,
                headers=response.raw_headers,
                stream=_Stream(response, request),
                request=request,
                extensions=extensions,
            )
        try:
            body = await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise map_exception(exc, request) from exc
        finally:
            response.release()
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            content=body,
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close the pool. Idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
