"""What a rate store is: where a client's learned rate lives, and the memory store.

A ``RateStore`` may do two things for the clients of one key (a ``scope``, the hash
``scope_of`` makes of the base URL and the API key, which never holds the key itself):

- **remember** what a client learned (``recall`` at start, ``keep`` after the run):
  the file store does this, so the next run starts where the last one stopped;
- **share** a live rate with other processes (``share`` hands the throttle a channel,
  see ``_throttle/_shared``): the Redis store does this.

``MemoryRateStore`` does neither: each client learns alone, as it always has.
"""

from __future__ import annotations

import hashlib

from .._throttle._learned import Learned
from .._throttle._shared import SharedRate

__all__ = ["MemoryRateStore", "RateStore", "scope_of"]

_DOMAIN = b"pictory-async rate store v1\0"


def scope_of(base_url: str, api_key: str) -> str:
    """The name of a key's shared state: a hash of base URL and API key (never the key)."""
    digest = hashlib.sha256(_DOMAIN + base_url.encode() + b"\0" + api_key.encode())
    return digest.hexdigest()[:32]


class RateStore:
    """Where clients keep and share what their throttles learn, per key.

    Subclass it for a store of your own; every method has a default that does nothing.
    """

    def recall(self, scope: str) -> Learned | None:
        """What an earlier run learned for ``scope``, aged by the time since (or ``None``)."""
        return None

    async def keep(self, scope: str, learned: Learned) -> None:
        """Remember what a client learned for ``scope`` (at its ``aclose``); never raises."""

    def share(self, scope: str) -> SharedRate | None:
        """A channel to the rate shared by every process on ``scope``, or ``None``."""
        return None

    async def aclose(self) -> None:
        """Release connections (called by a client only for a store it built itself)."""


class MemoryRateStore(RateStore):
    """Nothing shared, nothing kept: each client learns the limit on its own (the default)."""

    def __repr__(self) -> str:
        return "MemoryRateStore()"
