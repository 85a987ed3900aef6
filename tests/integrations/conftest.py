"""Fixtures for the framework integrations: real servers on loopback, the example apps.

The example apps live in ``docs/examples/``, which is put on ``sys.path`` here so that
the tests import them as ``fastapi_app`` and ``aiohttp_app`` (as a user who runs
``uvicorn fastapi_app:app`` there would).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pictory_async.emulator import Emulator, FakeClock, RunningEmulator

from .support import Factory

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))


@pytest.fixture
def factory(pictory_server: RunningEmulator, pictory_clock: FakeClock) -> Callable[..., Factory]:
    """Client factories for an app, on the test's emulator over loopback and fake time."""

    def make(**options: Any) -> Factory:
        options.setdefault("api_key", pictory_server.api_key)
        options.setdefault("base_url", pictory_server.base_url)
        options.setdefault("sleep", pictory_clock.sleep)
        options.setdefault("clock", pictory_clock.time)
        options.setdefault("max_retries", 0)
        return Factory(**options)

    return make


@pytest.fixture
def other_project(pictory_emulator: Emulator) -> str:
    """The id of a project of another account than the client's."""
    return str(pictory_emulator.projects(account="other")[0].id)
