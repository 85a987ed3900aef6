"""Injectable time: a monotonic clock, an async sleep, fakes of both, and simulated time."""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from .._types import Clock, Sleep

__all__ = ["Clock", "FakeClock", "Sleep", "VirtualTimeLoop", "run_simulated"]

T = TypeVar("T")


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


class _InstantSelector(selectors.SelectSelector):
    """Polls without blocking; when the loop would sleep, moves its clock instead."""

    loop: VirtualTimeLoop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = super().select(0)
        if events or timeout == 0:
            return events
        if timeout is None:  # pragma: no cover - nothing scheduled: only a thread can wake us
            return super().select(None)
        self.loop.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on simulated time: when every task waits, the clock jumps ahead.

    Unlike :class:`FakeClock`, whose sleep moves the clock by each sleeper's delay,
    concurrent sleeps overlap as they would in real time, so many clients and the
    emulator (given ``clock=loop.time`` and ``asyncio.sleep``) can run minutes of
    traffic in a fraction of a second. Only in-process I/O works on it.
    """

    def __init__(self) -> None:
        """Start the simulated clock at 0."""
        self._now = 0.0
        selector = _InstantSelector()
        super().__init__(selector)
        selector.loop = self

    def time(self) -> float:
        """The simulated time, in seconds."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward."""
        self._now += max(0.0, seconds)


def run_simulated(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` to completion on a fresh :class:`VirtualTimeLoop`."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()
