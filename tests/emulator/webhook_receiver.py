"""A tiny HTTP/1.1 webhook receiver on 127.0.0.1, and helpers of the emulator's webhook tests."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx
import pytest

from pictory_async import _paths
from pictory_async.emulator import Emulator, FakeClock, serve
from pictory_async.emulator._webhooks import TICK

from .support import TLS

_REASONS = {200: b"OK", 204: b"No Content", 500: b"Error", 503: b"Unavailable"}


class Receiver:
    """Records every POST's JSON body and answers each with the next scripted status.

    Attributes:
        bodies: The JSON bodies received, in order.
        headers: The headers of each request (lower-case names), in order.
        url: ``http://127.0.0.1:<port>/hook`` once started.
    """

    def __init__(
        self,
        statuses: Iterable[int] = (),
        *,
        port: int = 0,
        stall: bool = False,
        drip: bool = False,
    ) -> None:
        """Answer ``statuses`` in turn, then 200; ``stall``: never; ``drip``: a byte at a time."""
        self._statuses = deque(statuses)
        self._port = port
        self._stall = stall
        self._drip = drip
        self._arrived = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.bodies: list[Any] = []
        self.headers: list[dict[str, str]] = []
        self.url = ""

    async def __aenter__(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self._port)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Any]:
        """The bodies once ``count`` have arrived (a real timeout: they come over a socket)."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.bodies) >= count), timeout
            )
        return list(self.bodies)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await reader.readline():  # the request line
                headers: dict[str, str] = {}
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                async with self._arrived:
                    self.bodies.append(json.loads(body))
                    self.headers.append(headers)
                    self._arrived.notify_all()
                if self._stall:
                    await asyncio.Event().wait()
                status = self._statuses.popleft() if self._statuses else 200
                reason = _REASONS.get(status, b"X")
                if self._drip:  # headers at once, then a body that never ends, slowly
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n")
                    while True:
                        writer.write(b"x")
                        await writer.drain()
                        await asyncio.sleep(0.01)
                writer.write(b"HTTP/1.1 %d %s\r\ncontent-length: 0\r\n\r\n" % (status, reason))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the sender hung up, or the receiver is closing: a cancelled handler ends quietly
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()


SCRIPT = {"videoName": "Hooked", "scenes": [{"story": "Meet the new app."}]}


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the emulator served on loopback (its webhook sender running)."""
    async with (
        serve(emulator) as running,
        httpx.AsyncClient(
            base_url=running.base_url,
            headers={"Authorization": emulator.api_key},
            verify=TLS,
            trust_env=False,
        ) as client,
    ):
        yield client


async def start(api: httpx.AsyncClient, webhook: str, **body: Any) -> str:
    """Start a render whose webhook is ``webhook``; return its job id."""
    response = await api.post(_paths.STORYBOARD_RENDER, json={**SCRIPT, **body, "webhook": webhook})
    assert 200 == response.status_code, response.text
    job_id: str = response.json()["data"]["jobId"]
    return job_id


async def attempts(emulator: Emulator, count: int) -> None:
    """Wait (real time, a socket round trip) until the sender has made ``count`` attempts."""
    for _ in range(250):
        if emulator.webhook_stats.attempts >= count:
            return
        await asyncio.sleep(TICK)
    raise AssertionError(f"{emulator.webhook_stats.attempts} attempts, expected {count}")


async def ticks(count: int = 3) -> None:
    """Let the sender look at the clock a few times (it looks every ``TICK`` of real time)."""
    await asyncio.sleep(count * TICK)


async def finished(
    api: httpx.AsyncClient, emulator: Emulator, clock: FakeClock, webhook: str
) -> str:
    """Start a render whose webhook is ``webhook``, move the clock past its end; its job id."""
    job_id = await start(api, webhook)
    clock.advance(emulator.render_duration)
    return job_id
