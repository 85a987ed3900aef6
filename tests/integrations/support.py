"""Real servers on loopback for the example apps, and a client factory that counts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import uvicorn
from aiohttp import web

from pictory_async import AsyncPictory
from pictory_async.emulator._server import bind, origin

__all__ = ["Factory", "Served", "aiohttp_serving", "uvicorn_serving"]


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
    sock = bind("127.0.0.1", 0)
    try:
        await server.startup(sockets=[sock])
        served = Served(origin(sock), server.shutdown)
        try:
            yield served
        finally:
            await served.stop()
    finally:
        sock.close()


@contextlib.asynccontextmanager
async def aiohttp_serving(app: web.Application) -> AsyncIterator[Served]:
    """Serve an aiohttp application with ``AppRunner`` and a site on 127.0.0.1."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=10)
    await runner.setup()
    sock = bind("127.0.0.1", 0)
    try:
        # aiohttp listens with a backlog of 128 by default: of 200 connections opened at
        # once, the rest would wait a second for their SYN to be sent again.
        await web.SockSite(runner, sock, backlog=2048).start()
        served = Served(origin(sock), runner.cleanup)
        try:
            yield served
        finally:
            await served.stop()
    finally:
        sock.close()


class Factory:
    """Makes the app's client, pointed at the emulator; remembers every client it made."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.clients: list[AsyncPictory] = []

    def __call__(self) -> AsyncPictory:
        client = AsyncPictory(**self.options)
        self.clients.append(client)
        return client
