"""The rate limiter shapes: token bucket, fixed window, sliding log, cap on requests in flight.

Each keeps one entry per API key and scales its limit by the scheduled changes
(``rate_limit_changes``) as time passes; ``make_limiter`` in ``_faults`` builds the one
the fault settings describe.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

__all__ = ["FixedWindow", "InFlightCap", "Limiter", "RateLimiter", "SlidingLog"]


class Limiter:
    """A per-key rate limiter: ``take`` admits a request or says how long to wait.

    Every shape scales its limit by ``rate_limit_changes`` as time passes, counted from
    ``origin`` (when the settings were applied), and keeps one entry per API key.
    """

    __slots__ = ("_changes", "_keys", "_limit", "_origin", "_period")

    def __init__(
        self,
        limit: float = 1.0,
        period: float = 1.0,
        *,
        origin: float = 0.0,
        changes: tuple[tuple[float, float], ...] = (),
    ) -> None:
        """Allow ``limit`` requests (per ``period`` seconds, for the shapes that count time)."""
        self._limit = limit
        self._period = period
        self._origin = origin
        self._changes = changes
        self._keys: dict[bytes, Any] = {}

    def factor(self, now: float) -> float:
        """The share of the nominal limit in force at ``now``."""
        factor = 1.0
        for at, scale in self._changes:
            if now - self._origin < at:
                break
            factor = scale
        return factor

    def allowed(self, now: float) -> int:
        """The whole number of requests the limit in force at ``now`` allows (may be 0)."""
        return math.floor(self._limit * self.factor(now) + 1e-9)

    def take(self, key: bytes, now: float) -> float:
        """Admit one request for ``key``: 0.0 when allowed, else seconds until it would be."""
        raise NotImplementedError

    def done(self, key: bytes) -> None:
        """An admitted request for ``key`` has been answered (only ``inflight`` cares)."""


class RateLimiter(Limiter):
    """One token bucket per API key; ``take`` says how long to wait when it is empty."""

    __slots__ = ("_size",)

    def __init__(
        self,
        rate: float,
        size: float,
        *,
        origin: float = 0.0,
        changes: tuple[tuple[float, float], ...] = (),
    ) -> None:
        """Allow ``rate`` requests per second per key, in bursts of up to ``size``."""
        super().__init__(rate, origin=origin, changes=changes)
        self._size = size

    def take(self, key: bytes, now: float) -> float:
        """Take a token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        rate, size = self._limit, self._size
        if self._changes:
            factor = self.factor(now)
            rate, size = rate * factor, max(1.0, size * factor)
        bucket: list[float] | None = self._keys.get(key)
        if bucket is None:
            self._keys[key] = [size - 1.0, now]
            return 0.0
        tokens = bucket[0] + (now - bucket[1]) * rate
        if tokens > size:
            tokens = size
        bucket[1] = now
        if tokens >= 1.0 - 1e-9:  # a client paced at exactly the rate is not refused
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / rate


class FixedWindow(Limiter):
    """``limit`` requests per key in each ``period``; windows start at ``origin``."""

    __slots__ = ()

    def take(self, key: bytes, now: float) -> float:
        """Count one request in the current window, or say when the window resets."""
        index = math.floor((now - self._origin) / self._period)
        entry: list[float] | None = self._keys.get(key)
        if entry is None or entry[0] != index:
            entry = self._keys[key] = [index, 0.0]
        if entry[1] + 1 > self.allowed(now):
            return self._origin + (index + 1) * self._period - now
        entry[1] += 1
        return 0.0


class SlidingLog(Limiter):
    """At most ``limit`` requests per key in any span of ``period`` seconds."""

    __slots__ = ()

    def take(self, key: bytes, now: float) -> float:
        """Log one request, or say when the oldest logged one leaves the span."""
        log: deque[float] = self._keys.setdefault(key, deque())
        while log and log[0] <= now - self._period:
            log.popleft()
        allowed = max(1, self.allowed(now))
        if len(log) >= allowed:
            return log[len(log) - allowed] + self._period - now
        log.append(now)
        return 0.0


class InFlightCap(Limiter):
    """At most ``limit`` requests per key being served at once (``period`` is not used)."""

    __slots__ = ()

    def take(self, key: bytes, now: float) -> float:
        """Admit one more request in flight, or ask the client to come back in a second."""
        busy: int = self._keys.get(key, 0)
        if busy + 1 > max(1, self.allowed(now)):
            return 1.0
        self._keys[key] = busy + 1
        return 0.0

    def done(self, key: bytes) -> None:
        """Free the slot of an answered request."""
        self._keys[key] -= 1
