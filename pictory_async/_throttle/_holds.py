"""Each refused call's own hold: it waits out its own ``Retry-After``, even if others go.

A lifted cool-down lets the other calls go at once, but the call that got the 429 still
waits what it was told. Without a ``Retry-After``, its hold doubles per refusal in a
row (from ``NO_HINT_MIN`` up to ``NO_HINT_MAX``); a success ends the streak. Holds are
per task and forgotten with it.
"""

from __future__ import annotations

import asyncio
import math
import weakref

from .._types import Clock, Sleep
from ._cooldown import NO_HINT_MAX, NO_HINT_MIN

__all__ = ["Holds"]


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no loop running
        return None


class Holds:
    """When each refused call may try again, and how many of them are waiting for it.

    Args:
        clock: Monotonic clock in seconds.
        sleep: Async sleep.
    """

    def __init__(self, *, clock: Clock, sleep: Sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self.holding = 0  # calls waiting out their own hold
        self._until = -math.inf  # the latest end of any call's hold
        self._held: weakref.WeakKeyDictionary[asyncio.Task[object], float] = (
            weakref.WeakKeyDictionary()
        )
        # how many times in a row each call was refused
        self._streaks: weakref.WeakKeyDictionary[asyncio.Task[object], int] = (
            weakref.WeakKeyDictionary()
        )

    def __bool__(self) -> bool:
        """Whether some call may still be held."""
        return bool(self._held)

    def over(self) -> bool:
        """Forget every hold once the last one has ended; whether they have."""
        if self._clock() < self._until:
            return False
        self._held.clear()
        return True

    def hold(self, now: float, delay: float, *, hinted: bool) -> None:
        """Hold the refused call for ``delay``; without a hint, doubled per refusal in a row."""
        task = _current_task()
        if task is not None:
            streak = self._streaks[task] = self._streaks.get(task, 0) + 1
            if not hinted:
                delay = min(NO_HINT_MAX, max(delay, NO_HINT_MIN) * 2 ** (streak - 1))
            self._held[task] = now + delay
            self._until = max(self._until, now + delay)

    def forget_streak(self) -> None:
        """The current call succeeded: its next refusal is the first in a row."""
        if self._streaks:
            task = _current_task()
            if task is not None:
                self._streaks.pop(task, None)

    async def wait(self) -> None:
        """The current call waits out its own hold, if it has one."""
        task = asyncio.current_task()
        until = self._held.pop(task, None) if task is not None else None
        if until is not None and until > self._clock():
            self.holding += 1  # still wanting to go: counted in the demand
            try:
                await self._sleep(until - self._clock())
            finally:
                self.holding -= 1
