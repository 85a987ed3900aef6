"""Fixtures for the emulator's own tests.

One emulator on fake time, reached in process (``httpx.ASGITransport``) or over
loopback, with the same tests for both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from pictory_async.emulator import Emulator, FakeClock, serve

from .support import NOW, TLS, Conn


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock; the emulator's latency and throttled downloads sleep on it."""
    return FakeClock(start=1000.0)


@pytest.fixture
def emulator(clock: FakeClock) -> Emulator:
    """60 seeded projects in pages of 10, no in-progress renders unless added."""
    return Emulator(
        projects=60,
        seed=3,
        page_size=10,
        now=NOW,
        in_progress_share=0.0,
        clock=clock.time,
        sleep=clock.sleep,
    )


@pytest.fixture(params=["asgi", "socket"])
async def conn(request: pytest.FixtureRequest, emulator: Emulator) -> AsyncIterator[Conn]:
    """The emulator in process or over loopback: every test using it runs both ways."""
    key = {"Authorization": emulator.api_key}
    if request.param == "asgi":
        async with (
            httpx.AsyncClient(
                transport=emulator.transport(), base_url=emulator.base_url, headers=key
            ) as api,
            httpx.AsyncClient(transport=emulator.transport(), base_url=emulator.base_url) as anon,
        ):
            yield Conn("asgi", emulator, api, anon)
        return
    async with (
        serve(emulator) as running,
        httpx.AsyncClient(
            base_url=running.base_url, headers=key, verify=TLS, trust_env=False
        ) as api,
        httpx.AsyncClient(base_url=running.base_url, verify=TLS, trust_env=False) as anon,
    ):
        yield Conn("socket", emulator, api, anon)
