"""Choosing a client's rate store (``rate_store=`` or ``PICTORY_RATE_STORE``), and its binding.

``resolve_rate_store`` reads the option, before any request: ``"memory"`` (the
default), ``"file"`` or ``"file:/a/directory"``, a ``redis://``, ``rediss://`` or
``unix://`` URL, or a ``RateStore`` object; anything else is an ``InvalidInputError``
that never echoes a URL (it may hold a password). ``RateBinding`` is what the client
keeps: its key's scope, what the store remembered for it, its shared channel, and the
one call that keeps what the client learned and closes a store the client made.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .._exceptions import InvalidInputError
from .._logs import logger
from .._throttle._learned import Learned
from .._throttle._shared import SharedRate
from ._base import MemoryRateStore, RateStore, scope_of
from ._file import FileRateStore
from ._redis import SCHEMES, RedisRateStore

__all__ = ["ENV", "RateBinding", "resolve_rate_store"]

ENV = "PICTORY_RATE_STORE"
_MEMORY = MemoryRateStore()


def resolve_rate_store(
    value: str | RateStore | None, environ: Mapping[str, str] = os.environ
) -> tuple[RateStore, bool]:
    """``(store, made_here)`` for a ``rate_store`` option (``None``: ``PICTORY_RATE_STORE``).

    Raises:
        InvalidInputError: Not a store this client knows, or the ``redis`` extra is missing.
    """
    if isinstance(value, RateStore):
        return value, False
    named = "rate_store"
    if value is None:
        value = environ.get(ENV, "").strip() or "memory"
        named = ENV
    if not isinstance(value, str):
        raise InvalidInputError(
            f"rate_store must be a str or a RateStore, not {type(value).__name__}"
        )
    if value == "memory":
        return _MEMORY, False
    if value == "file":
        return FileRateStore(), True
    if value.startswith("file:"):
        directory = value.removeprefix("file:")
        if not directory or os.path.isfile(directory):
            raise InvalidInputError(f"{named}: file:<directory> needs a directory, got {value!r}")
        return FileRateStore(directory), True
    scheme = value.partition("://")[0].lower()
    if scheme in SCHEMES:
        return RedisRateStore(value), True
    shown = " (not shown: it may hold credentials)" if "@" in value else f": {value!r}"
    raise InvalidInputError(
        f"{named} must be 'memory', 'file', 'file:<directory>', a redis://, rediss:// or "
        f"unix:// URL, or a RateStore{shown}"
    )


class RateBinding:
    """A client's rate store, bound to its key.

    Args:
        store: The store.
        made_here: Whether the client made it (then the client closes it).
        base_url: The client's base URL.
        api_key: The client's API key (only its hash is kept).
    """

    def __init__(self, store: RateStore, *, made_here: bool, base_url: str, api_key: str) -> None:
        self.store = store
        self._made_here = made_here
        self.scope = scope_of(base_url, api_key)
        self.recalled = store.recall(self.scope)
        self.shared: SharedRate | None = store.share(self.scope)

    async def close(self, learned: Learned) -> None:
        """Keep what the client learned (if anything new), then close a store it made."""
        try:
            if learned != self.recalled and learned != Learned():
                await self.store.keep(self.scope, learned)
        except Exception:  # a store of the user's: never let it break aclose
            logger.warning("the rate store could not keep what this client learned", exc_info=True)
        finally:
            if self._made_here:
                await self.store.aclose()
