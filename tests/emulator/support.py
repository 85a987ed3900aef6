"""Constants and helpers shared by the emulator's tests."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from pictory_async.emulator import Emulator

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
PROJECTS = "/pictoryapis/v2/projects"
TLS = ssl.create_default_context()
"""One TLS context for every loopback client: building one per client costs ~20 ms."""


@dataclass
class Conn:
    """Clients on one emulator: ``api`` sends the main key, ``anon`` sends none."""

    mode: str
    emulator: Emulator
    api: httpx.AsyncClient
    anon: httpx.AsyncClient

    def auth(self, account: str) -> dict[str, str]:
        """The ``Authorization`` header of another account."""
        return {"Authorization": self.emulator.api_keys[account]}
