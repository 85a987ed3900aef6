"""Real servers on loopback for the example apps, and a client factory that counts."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from aiohttp import web

from pictory_async import AsyncPictory
from pictory_async.emulator._server import bind, origin

__all__ = [
    "Factory",
    "Served",
    "aiohttp_serving",
    "assert_answered_as_ours",
    "backup_and_wait",
    "uvicorn_serving",
]


class Served:
    """A real server on loopback: its origin, and a way to stop it early (idempotent)."""

    def __init__(self, base_url: str, stop: Callable[[], Any]) -> None:
        self.base_url = base_url
        self._stop = stop
        self.stopped = False

    async def stop(self) -> None:
        """Stop taking requests, let those in flight finish, then run the app's cleanup."""
        if not self.stopped:
            self.stopped = True
            await self._stop()


@contextlib.asynccontextmanager
async def uvicorn_serving(app: Any) -> AsyncIterator[Served]:
    """Serve an ASGI app with uvicorn (lifespan on) on 127.0.0.1, in this event loop."""
    config = uvicorn.Config(
        app,
        http="httptools",
        ws="none",
        lifespan="on",
        access_log=False,
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)

    async def start(sock: socket.socket) -> None:
        await server.startup(sockets=[sock])

    async with _loopback(start, server.shutdown) as served:
        yield served


@contextlib.asynccontextmanager
async def aiohttp_serving(app: web.Application) -> AsyncIterator[Served]:
    """Serve an aiohttp application with ``AppRunner`` and a site on 127.0.0.1."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=10)
    await runner.setup()

    async def start(sock: socket.socket) -> None:
        # aiohttp listens with a backlog of 128 by default: of 200 connections opened at
        # once, the rest would wait a second for their SYN to be sent again.
        await web.SockSite(runner, sock, backlog=2048).start()

    async with _loopback(start, runner.cleanup) as served:
        yield served


@contextlib.asynccontextmanager
async def _loopback(
    start: Callable[[socket.socket], Awaitable[None]], stop: Callable[[], Any]
) -> AsyncIterator[Served]:
    """Start a server on a free port of 127.0.0.1; stop it and close the socket after."""
    sock = bind("127.0.0.1", 0)
    try:
        await start(sock)
        served = Served(origin(sock), stop)
        try:
            yield served
        finally:
            await served.stop()
    finally:
        sock.close()


async def backup_and_wait(served: Served) -> tuple[httpx.Response, httpx.Response]:
    """The answers to ``POST /backup`` and ``GET /wait`` of an app serving both."""
    async with httpx.AsyncClient(base_url=served.base_url) as http:
        return await http.post("/backup"), await http.get("/wait")


def assert_answered_as_ours(
    backed_up: httpx.Response, waited: httpx.Response, *, private: Path, wait_detail: str
) -> None:
    """A backup our disk refused is a 500 naming no path; a wait past its deadline a 504."""
    assert 500 == backed_up.status_code
    assert str(private) not in backed_up.text
    assert "backup" in backed_up.json()["detail"]
    assert (504, {"detail": wait_detail}) == (waited.status_code, waited.json())


class Factory:
    """Makes the app's client, pointed at the emulator; remembers every client it made."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.clients: list[AsyncPictory] = []

    def __call__(self) -> AsyncPictory:
        client = AsyncPictory(**self.options)
        self.clients.append(client)
        return client
