"""Shared fixtures for the unit tests of the core client.

The client under test talks to a ``respx.Router`` through ``httpx.MockTransport`` (our
default transport is aiohttp, which respx does not intercept), and waits through a
``FakeTime`` whose sleep records the delay and moves a fake clock instead of waiting.
Helpers and constants live in ``_support.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, BASE_URL, ClientFactory, FakeTime, mock_http_client

from pictory_async import AsyncPictory


@pytest.fixture
def fake_time() -> FakeTime:
    """A fresh fake clock and sleep."""
    return FakeTime()


@pytest.fixture
def router() -> respx.Router:
    """A respx router for the API; a request no route matches fails the test."""
    return respx.Router(base_url=BASE_URL, assert_all_called=False)


@pytest.fixture
async def make_client(router: respx.Router, fake_time: FakeTime) -> AsyncIterator[ClientFactory]:
    """Build clients on ``router`` and ``fake_time``; keyword arguments override."""
    http_clients: list[httpx.AsyncClient] = []

    def factory(**options: Any) -> AsyncPictory:
        if "http_client" not in options:
            options["http_client"] = mock_http_client(router)
            http_clients.append(options["http_client"])
        options.setdefault("api_key", API_KEY)
        options.setdefault("base_url", BASE_URL)
        options.setdefault("sleep", fake_time.sleep)
        options.setdefault("clock", fake_time.clock)
        return AsyncPictory(**options)

    yield factory
    for http in http_clients:
        await http.aclose()


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``PICTORY_API_KEY`` nor ``PICTORY_BASE_URL`` in the environment."""
    monkeypatch.delenv("PICTORY_API_KEY", raising=False)
    monkeypatch.delenv("PICTORY_BASE_URL", raising=False)
