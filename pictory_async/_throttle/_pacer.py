"""The pacer: requests go evenly spaced at the estimated rate (GCRA).

Calls are booked one at a time behind a lock the throttle holds, and only the first
sleeps, so a rate that changes applies at once and no call is booked far ahead at a
stale rate. A pause voids the bookings made before it; a lifted one lets the next call
go at once. A fixed ``rate_limit`` allows a second's worth of burst after an idle
spell, until the API refuses once; a learned rate paces evenly.
"""

from __future__ import annotations

from typing import Protocol

from .._types import Clock
from ._cooldown import Cooldown

__all__ = ["Pacer", "RateEstimate"]


class RateEstimate(Protocol):
    """Where the pacer reads its rate."""

    @property
    def rate(self) -> float | None:
        """Requests per second, or ``None`` when there is no pace."""


class Pacer:
    """A ``Schedule`` that spaces requests ``1 / rate`` apart.

    Args:
        estimate: Where the rate comes from.
        cooldown: The shared cool-down (a lift ends a wait for the pace).
        clock: Monotonic clock in seconds.
        rate_limit: The fixed ceiling, if any (it allows a burst until the first 429).
        now: The time the throttle was made.
    """

    def __init__(
        self,
        *,
        estimate: RateEstimate,
        cooldown: Cooldown,
        clock: Clock,
        rate_limit: float | None,
        now: float,
    ) -> None:
        self._estimate = estimate
        self._cooldown = cooldown
        self._clock = clock
        self._ceiling = rate_limit
        self._refused = False  # the API has refused once
        self._next_at = now + (self._tolerance(rate_limit) if rate_limit else 0.0)

    @property
    def binds(self) -> bool:
        """Whether there is a rate to keep."""
        return self._estimate.rate is not None

    def behind(self, now: float) -> bool:
        """Whether calls are booked past ``now``: the pace binds."""
        return self._next_at > now

    def start(self, now: float) -> None:
        """A rate was set where there was none: the first booking is ``now``."""
        self._next_at = now

    async def book(self) -> bool:
        """Book the next slot at the pace, or sleep until it is due (``False``)."""
        rate = self._estimate.rate
        if rate is None:
            return True
        now = self._clock()
        at = self._next_at - self._tolerance(rate)
        if at <= now:
            self._next_at = max(self._next_at, now) + 1.0 / rate
            return True
        await self._cooldown.sleep(at - now)  # a lifted cool-down voids the booking
        return False

    def _tolerance(self, rate: float) -> float:
        # a fixed rate allows one second's worth of burst, until the API refuses one; a
        # learned one paces evenly
        if rate != self._ceiling or self._refused:
            return 0.0
        return (max(1.0, rate) - 1.0) / rate

    def on_answer(self, sent: float) -> None:
        """Nothing to do: the pace changes with the estimate."""

    def on_success(self, sent: float, now: float, event_at: float) -> None:
        """Nothing to do: the pace changes with the estimate."""

    def on_429(self, sent: float) -> bool:
        """The pacer sends no probes of its own."""
        return False

    def on_event(
        self, now: float, previous: float, retry_after: float | None, until: float
    ) -> int | None:
        """Bookings made before the event are void: the next goes after the pause."""
        self._refused = True
        self._next_at = until
        return None

    def on_lift(self, now: float) -> None:
        """The API is open: the next booking may go now."""
        self._next_at = min(self._next_at, now)
