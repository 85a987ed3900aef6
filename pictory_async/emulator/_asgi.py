"""The ASGI adapter (wait, send, or drop the connection) and an in-process httpx transport."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Generic, TypeAlias, TypeVar

import httpx

from ._dispatch import Dispatcher
from ._reply import Reply
from ._state import ADMIN_PREFIX

__all__ = ["ConnectionDroppedError", "EmulatorApp", "EmulatorTransport"]

Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]


_ServedT = TypeVar("_ServedT", bound=Dispatcher)

_DRAIN_TIMEOUT = 10.0
_WRITES = frozenset({"POST", "PUT", "PATCH"})
_NO_RESPONSE = "Server disconnected without sending a response."


class ConnectionDroppedError(Exception):
    """The emulator closes the connection here; a server that cannot do that sees this.

    In process, :class:`EmulatorTransport` turns it into ``httpx.RemoteProtocolError``,
    which is what a client sees over a real socket.
    """


class EmulatorApp(Generic[_ServedT]):
    """The emulator as an ASGI 3 application.

    Admin routes are served apart: they never wait, fail, or count as traffic.
    """

    __slots__ = ("_emulator",)

    def __init__(self, emulator: _ServedT) -> None:
        """Serve ``emulator``."""
        self._emulator = emulator

    @property
    def emulator(self) -> _ServedT:
        """The emulator this application serves."""
        return self._emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request (or the lifespan protocol)."""
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
            return
        emulator = self._emulator
        method = scope["method"]
        path = scope["path"]
        if path.startswith(ADMIN_PREFIX):
            body = await _read_body(receive)
            reply = emulator.handle(method, path, scope["query_string"], scope["headers"], body)
            await send(
                {"type": "http.response.start", "status": reply.status, "headers": reply.headers}
            )
            await send({"type": "http.response.body", "body": reply.body})
            return
        stats = emulator.stats
        in_flight = stats.in_flight + 1
        stats.in_flight = in_flight
        if in_flight > stats.peak_concurrency:
            stats.peak_concurrency = in_flight
        holding: Reply | None = None  # a reply that holds an in-flight slot until sent
        try:
            body = await _read_body(receive) if method in _WRITES else b""
            reply = emulator.handle(method, path, scope["query_string"], scope["headers"], body)
            if reply.held is not None:
                holding = reply
            if reply.delay > 0:
                await emulator.sleep(reply.delay)
            if reply.drop:
                await _drop(receive, send, _NO_RESPONSE)
            elif reply.streamed:
                await _stream(emulator, reply, receive, send)
            else:
                await send(
                    {
                        "type": "http.response.start",
                        "status": reply.status,
                        "headers": reply.headers,
                    }
                )
                await send({"type": "http.response.body", "body": reply.body})
        finally:
            stats.in_flight -= 1
            if holding is not None:
                emulator.finished(holding)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _stream(emulator: Dispatcher, reply: Reply, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
    body = reply.body
    limit = reply.truncate_at if reply.truncate_at >= 0 else len(body)
    size = reply.chunk_size or max(1, limit)
    sent = 0
    while sent < limit:
        piece = body[sent : min(sent + size, limit)]
        await send({"type": "http.response.body", "body": piece, "more_body": True})
        sent += len(piece)
        if reply.chunk_delay and sent < limit:
            await emulator.sleep(reply.chunk_delay)
    if reply.truncate_at >= 0:
        message = (
            "peer closed connection without sending complete message body: "
            f"received {sent} bytes, expected {len(body)}"
        )
        await _drop(receive, send, message)
        return
    await send({"type": "http.response.body", "body": b""})


async def _drop(receive: Receive, send: Send, message: str) -> None:
    """Close the connection without finishing the response.

    ASGI has no message for that. Under uvicorn, ``send`` is a method of the request
    cycle, which holds the asyncio transport: close it (what was sent is flushed first)
    and wait for uvicorn to notice the disconnect, so it logs nothing. Anywhere else,
    raise :class:`ConnectionDroppedError`.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "is_closing"):
        raise ConnectionDroppedError(message)
    transport.close()
    try:
        await asyncio.wait_for(_disconnected(receive), _DRAIN_TIMEOUT)
    except asyncio.TimeoutError:  # pragma: no cover - a peer that never lets go
        transport.abort()


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class EmulatorTransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` that reports a dropped connection as a socket would."""

    def __init__(self, app: EmulatorApp[Any]) -> None:
        """Serve requests with ``app``, in process."""
        super().__init__(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve ``request``; a dropped connection raises ``httpx.RemoteProtocolError``."""
        try:
            return await super().handle_async_request(request)
        except ConnectionDroppedError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
