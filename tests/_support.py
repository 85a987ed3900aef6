"""Helpers shared by the unit tests of the core client: constants, fake time, mock HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import httpx
import respx

from pictory_async import AsyncPictory

API_KEY = "pictai_TEST-9f8e7d6c5b4a-SECRET"
"""The key every unit test uses; test_security.py hunts for it everywhere."""

BASE_URL = "https://api.pictory.ai"
PROJECTS_PATH = "/pictoryapis/v2/projects"
FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> Any:
    """The decoded JSON of ``tests/fixtures/<name>``."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeTime:
    """A fake monotonic clock and the async sleep that moves it.

    ``sleep`` records the delay, yields once to the event loop (so every task that is
    ready runs at the current fake time first, as it would in real time), then moves the
    clock to the wake-up time. Nothing ever really waits.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        """The fake monotonic time, in seconds."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward, as time passing outside any sleep."""
        self.now += seconds

    async def sleep(self, delay: float) -> None:
        """Record ``delay``, let ready tasks run, then jump the clock to the wake-up."""
        self.sleeps.append(delay)
        wake = self.now + delay
        await asyncio.sleep(0)
        self.now = max(self.now, wake)

    @property
    def waits(self) -> list[float]:
        """The sleeps that actually waited (tenacity also sleeps for 0 s)."""
        return [delay for delay in self.sleeps if delay > 0]


class ClientFactory(Protocol):
    def __call__(self, **options: Any) -> AsyncPictory:
        """An ``AsyncPictory`` wired to the test's router and fake time."""


def mock_http_client(router: respx.Router, **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose requests are answered by ``router``."""
    return httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler), **options)


def refused_url() -> str:
    """A URL on a local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception chained to it (``__cause__`` and ``__context__``)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]
