"""The gate: how many attempts may be in flight at once, and the line of calls waiting.

A call takes a slot before it is sent and gives it back when it is answered. Slots go
first come, first served: after a 429 the next probe is another call's, so no one call
spends all its retries on a closed API. The window starts at ``INITIAL_WINDOW`` and,
until the first throttling event, grows by ``SLOW_START`` per success (it doubles
every round trip, like TCP's slow start). An event shrinks it to one request, a probe;
the first success after the pause restores ``BETA`` of what was in flight when the
API said no, and from then on a full window grows by one per round trip. A window
decayed after idle regrows by slow start up to where it was (``restart``).
"""

from __future__ import annotations

import asyncio
import collections

from ._estimator import BETA

__all__ = ["INITIAL_WINDOW", "Gate"]

INITIAL_WINDOW = 10  # requests in flight before the first success (slow start)
SLOW_START = 1  # until the first 429, each success adds this many: x(1 + it) a round trip
MAX_WINDOW = 1_000_000


class Gate:
    """The window of attempts in flight and the FIFO line of calls waiting for a slot.

    Args:
        initial_window: Attempts allowed in flight before the first success.
    """

    def __init__(self, initial_window: int) -> None:
        self.in_flight = 0  # slots taken and not given back
        self.window = float(initial_window)
        self._resume = float(initial_window)  # the window restored after a pause
        self.regrow_to = 0.0  # slow start goes on up to this window (after an idle decay)
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def queued(self) -> int:
        """Calls in line for a slot."""
        return len(self._waiters)

    @property
    def open(self) -> bool:
        """Whether a slot is free and nobody is in line for it."""
        return self.in_flight < self.window and not self._waiters

    @property
    def shrank(self) -> bool:
        """Whether more slots are taken than the window allows now."""
        return self.in_flight > self.window

    async def enter(self) -> None:
        """Take a slot, after the calls already in line."""
        if self.in_flight >= self.window or self._waiters:
            await self.wait()
        else:
            self.in_flight += 1

    async def wait(self) -> None:
        """Wait in line until a slot is handed over (``in_flight`` already counts it)."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.free()  # pass the slot this call was given on
            else:
                self._waiters.remove(waiter)
            raise

    def free(self) -> None:
        """Give a slot back and hand it to the next in line."""
        self.in_flight -= 1
        if self._waiters:
            self.wake()

    def wake(self) -> None:
        """Hand the free slots to the calls in line, first come, first served."""
        while self._waiters and self.in_flight < self.window:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)

    def grow(self, *, slow_start: bool) -> None:
        """A success: a full window grows, doubling a round trip in ``slow_start``."""
        if self.in_flight + 2 > self.window:  # only a window that is full grows
            if slow_start or self.window < self.regrow_to:
                self.window += SLOW_START  # x(1 + SLOW_START) a round trip
            else:
                self.window += 1 / self.window  # one more per round trip
            self.window = min(self.window, MAX_WINDOW)

    def restart(self, window: float, regrow_to: float | None) -> None:
        """Start from a window learned before; slow start regrows up to ``regrow_to``."""
        self.window = self._resume = max(1.0, min(window, MAX_WINDOW))
        self.regrow_to = regrow_to or 0.0

    def probe(self) -> None:
        """A throttling event: one request goes after the pause; BETA of the rest come back."""
        self._resume = max(1.0, BETA * max(self.in_flight + 1, 1))
        self.window = 1.0
        self.regrow_to = 0.0

    def resume_at_least(self, slots: int) -> None:
        """Restore at least ``slots`` when the API opens again."""
        self._resume = max(self._resume, slots)

    def restore(self) -> None:
        """The API is open again: restore the window it had before the event."""
        self.window = max(self.window, self._resume)
