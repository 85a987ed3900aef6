"""Injectable time: a monotonic clock, an async sleep, and a fake of both for tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeAlias

__all__ = ["Clock", "FakeClock", "Sleep"]

Clock: TypeAlias = Callable[[], float]
"""Returns seconds on a monotonic scale, like ``time.monotonic``."""

Sleep: TypeAlias = Callable[[float], Awaitable[None]]
"""Waits for the given seconds, like ``asyncio.sleep``."""


class FakeClock:
    """A clock that only moves when told to, and a sleep that moves it instead of waiting.

    Give ``clock.time`` and ``clock.sleep`` to the emulator, and ``clock.sleep`` to the
    client: a retry's back-off then advances the emulator's token bucket and render
    timers, and no test really waits.

    Attributes:
        now: The current reading, in seconds.
        sleeps: Every duration passed to ``sleep``, in order.
    """

    def __init__(self, start: float = 0.0) -> None:
        """Start the clock at ``start`` seconds."""
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        """Return the current reading."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards ({seconds!r} s)")
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """Record ``seconds``, advance the clock by it, and yield to the event loop once."""
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"FakeClock(now={self.now!r}, sleeps={len(self.sleeps)})"
