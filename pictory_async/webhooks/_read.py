"""Reading a delivery's body with a cap, for the framework adapters.

A web framework hands the body over in chunks; reading it whole first would let a
sender make the service hold any amount of memory. ``read_capped`` stops one byte past
the cap, so the receiver answers 413 having held at most ``limit + 1`` bytes of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

__all__ = ["read_capped"]


async def read_capped(chunks: AsyncIterable[bytes], limit: int) -> bytes:
    """The body from ``chunks``, cut one byte past ``limit`` (``parse_event`` refuses it)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(parts)[: limit + 1]
