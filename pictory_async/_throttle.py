"""Client-side rate control shared by every call of one client.

Two mechanisms, both consulted by ``Throttle.acquire`` before each attempt:

- **A shared cool-down.** After a 429, every concurrent call waits until the
  ``Retry-After`` deadline (or a backoff, when the API gave none) instead of each
  retrying on its own: one 429 pauses the whole client, not one task.
- **A token bucket** whose rate is fixed (``rate_limit=``) or adaptive. The adaptive rate
  follows botocore's "adaptive" retry mode (CUBIC): off until the first throttle, then it
  drops to a fraction of the rate the API actually allowed and climbs back along a cubic
  curve, so a long bulk run settles just under the API's limit instead of bouncing off it.

429s from requests sent before the last throttle was noted are one event, not many: the
rate drops once per event, not once per response.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Awaitable, Callable

__all__ = ["Throttle"]

logger = logging.getLogger("pictory_async")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

BETA = 0.85  # keep this share of the allowed rate after a throttle (botocore: 0.7)
SCALE = 0.1  # cubic growth constant (botocore: 0.4; lower probes the limit less often)
MIN_RATE = 0.5  # requests/second, the floor of the adaptive rate
WINDOW = 2.0  # seconds of history used to measure the allowed rate
SLOT = 0.1  # seconds per slot of that history
NO_HINT_BASE = 0.5  # cool-down after a 429 without Retry-After; doubles per event
NO_HINT_MAX = 8.0


class _Rate:
    """Counts successes in ``SLOT``-wide slots over the last ``WINDOW`` seconds."""

    def __init__(self) -> None:
        self._slots = [0] * int(WINDOW / SLOT)
        self._current = 0

    def add(self, now: float) -> None:
        index = int(now / SLOT)
        if index != self._current:
            self._advance(index)
        self._slots[index % len(self._slots)] += 1

    def _advance(self, index: int) -> None:
        size = len(self._slots)
        for stale in range(max(self._current + 1, index - size + 1), index + 1):
            self._slots[stale % size] = 0
        self._current = index

    def per_second(self, now: float, since: float) -> float:
        """Successes per second over the window, or since ``since`` when that is later."""
        self._advance(max(self._current, int(now / SLOT)))
        span = min(WINDOW, max(now - since, 1.0))
        return sum(self._slots) / span


class Throttle:
    """The one place where a client decides when the next attempt may go.

    Args:
        clock: Monotonic clock in seconds.
        sleep: Async sleep.
        rate_limit: A fixed ceiling in requests/second, or ``None``.
        adaptive: Learn the API's limit from 429s (on by default).
    """

    def __init__(
        self,
        *,
        clock: Clock,
        sleep: Sleep,
        rate_limit: float | None = None,
        adaptive: bool = True,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self._ceiling = rate_limit
        self._adaptive = adaptive
        self._started = clock()
        self._cooldown_until = 0.0
        self._no_hint_events = 0
        self._last_throttle = -math.inf
        self._last_max_rate = 0.0
        self._cubic_k = 0.0
        self._ok = _Rate()
        # token bucket; rate None means off
        self._rate: float | None = rate_limit
        self._tokens = 1.0
        self._refilled = self._started
        self.throttle_events = 0

    @property
    def rate(self) -> float | None:
        """The current client-side rate limit in requests/second, or ``None`` when off."""
        return self._rate

    @property
    def cooldown_remaining(self) -> float:
        """Seconds left in the shared cool-down."""
        return max(0.0, self._cooldown_until - self._clock())

    def ready(self) -> float | None:
        """The send time if a request may go now without waiting, else ``None``."""
        if self._rate is None:
            now = self._clock()
            if now >= self._cooldown_until:
                return now
        return None

    async def acquire(self) -> float:
        """Wait for the cool-down and a token; return the send time (the "ticket")."""
        waited_for = -math.inf
        while True:
            deadline = self._cooldown_until
            now = self._clock()
            if now < deadline and deadline > waited_for:
                waited_for = deadline  # a deadline is waited for once; a later one again
                await self._sleep(deadline - now)
                continue
            if self._rate is None:
                return now
            wait = self._take_token(now)
            if wait > 0:
                await self._sleep(wait)
            if self._cooldown_until <= waited_for or self._cooldown_until <= self._clock():
                return self._clock()

    def _take_token(self, now: float) -> float:
        rate = self._rate
        assert rate is not None
        capacity = max(1.0, rate)  # one second's worth of burst
        self._tokens = min(capacity, self._tokens + (now - self._refilled) * rate)
        self._refilled = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / rate

    def release(self, ticket: float, status: int | None, retry_after: float | None = None) -> None:
        """The one feedback entry point: how the attempt sent at ``ticket`` ended.

        The pipeline calls it exactly once per ticket from ``ready()``/``acquire()``:
        with the HTTP ``status`` and the ``Retry-After`` seconds it carried, or with
        ``status=None`` when no response came (a transport failure or a cancellation).

        Args:
            ticket: What ``ready()`` or ``acquire()`` returned for this attempt.
            status: The response's status, ``None`` when there was no response.
            retry_after: The server's ``Retry-After`` in seconds, if it sent one
                (already capped by the pipeline's ``max_retry_after`` rule).
        """
        if status == 429:
            self.on_throttled(ticket, retry_after)
        elif status is not None:
            self.on_success(ticket)

    def on_success(self, ticket: float) -> None:
        """Note a response that was not throttled."""
        now = self._clock()
        self._ok.add(now)
        self._no_hint_events = 0
        if self._adaptive and self._last_max_rate and self._rate is not None:
            elapsed = now - self._last_throttle
            cubic = SCALE * (elapsed - self._cubic_k) ** 3 + self._last_max_rate
            measured = self._ok.per_second(now, self._last_throttle)
            self._set_rate(min(cubic, 2 * max(measured, MIN_RATE)))

    def on_throttled(self, ticket: float, retry_after: float | None) -> None:
        """Note a 429 for a request sent at ``ticket``; start or extend the cool-down."""
        now = self._clock()
        same_event = ticket <= self._last_throttle
        if retry_after is not None:
            delay = retry_after
        elif same_event:
            delay = max(0.0, self._cooldown_until - now)
        else:
            self._no_hint_events += 1
            base = min(NO_HINT_MAX, NO_HINT_BASE * 2 ** (self._no_hint_events - 1))
            delay = base * (1 + 0.5 * self._rand())
        if now + delay > self._cooldown_until:
            self._cooldown_until = now + delay
        if same_event:
            return
        self.throttle_events += 1
        self._last_throttle = now
        allowed = self._ok.per_second(now, self._started)
        if self._adaptive and allowed > 0:  # with no success seen, the limit is unknown
            if self._rate is not None:
                allowed = min(allowed, self._rate)
            self._last_max_rate = max(allowed, MIN_RATE)
            self._cubic_k = (self._last_max_rate * (1 - BETA) / SCALE) ** (1 / 3)
            self._set_rate(self._last_max_rate * BETA)
        logger.warning(
            "rate limited by the API: all calls pause %.2fs; client rate now %s",
            delay,
            "unlimited" if self._rate is None else f"{self._rate:.1f}/s",
        )

    def _set_rate(self, rate: float) -> None:
        rate = max(MIN_RATE, rate)
        if self._ceiling is not None:
            rate = min(rate, self._ceiling)
        if self._rate is None:
            self._tokens = 0.0
            self._refilled = self._clock()
        self._rate = rate
