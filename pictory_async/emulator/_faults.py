"""Fault settings, the token-bucket rate limiter, and the seeded dice that pick faults."""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Literal, TypeAlias, get_args

import attrs

__all__ = [
    "ERROR_STATUSES",
    "Dice",
    "Faults",
    "Outcome",
    "RateLimiter",
    "RetryAfterMode",
    "ScriptedFaults",
]

RetryAfterMode: TypeAlias = Literal["seconds", "date", "none"]
"""How a 429 says when to come back: ``Retry-After: 2``, an HTTP date, or not at all."""

Outcome: TypeAlias = Literal[429, 500, 502, 503, "drop", "drop_after_apply"]
"""A scripted outcome for :meth:`Emulator.fail_next`.

``"drop"`` closes the connection before anything is applied or sent;
``"drop_after_apply"`` applies the request (a DELETE deletes) and then closes the
connection instead of answering.
"""

ERROR_STATUSES = (500, 502, 503)
_OUTCOMES: frozenset[object] = frozenset(get_args(Outcome))


def _seconds(value: float | timedelta) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _statuses(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


def _share(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value < math.inf:
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _positive_or_none(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not 0 < value < math.inf:
        raise ValueError(f"{attribute.name} must be > 0 or None, got {value!r}")


def _retry_after_mode(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in get_args(RetryAfterMode):
        raise ValueError(f"retry_after must be 'seconds', 'date' or 'none', got {value!r}")


def _error_statuses(
    instance: object, attribute: attrs.Attribute[tuple[int, ...]], value: tuple[int, ...]
) -> None:
    if not value or any(status not in ERROR_STATUSES for status in value):
        raise ValueError(f"error_statuses must be a non-empty subset of {ERROR_STATUSES}")


@attrs.frozen(kw_only=True)
class Faults:
    """What goes wrong, and how often. Every share is drawn from the emulator's seed.

    Attributes:
        latency: Fixed delay before each API response, in seconds.
        jitter: Extra delay drawn uniformly from ``[0, jitter]`` seconds.
        rate_limit: Requests per second allowed per API key (token bucket), or None.
        burst: Bucket size; defaults to one second's worth of ``rate_limit`` (at least 1).
        retry_after: How a 429 says when to retry: ``"seconds"``, ``"date"`` or ``"none"``.
        error_rate: Share of API requests answered 500, 502 (an HTML page) or 503.
        error_statuses: Which of 500, 502, 503 ``error_rate`` picks from, evenly.
        drop_rate: Share of API requests whose connection closes before any answer.
        drop_after_delete_rate: Share of applied DELETEs whose answer is lost: the project
            is gone but the connection closes instead of answering.
        media_truncate_rate: Share of CDN downloads cut off halfway.
        media_bytes_per_second: Throttle CDN downloads to this speed, or None for full speed.
    """

    latency: float = attrs.field(default=0.0, converter=_seconds, validator=_non_negative)
    jitter: float = attrs.field(default=0.0, converter=_seconds, validator=_non_negative)
    rate_limit: float | None = attrs.field(default=None, validator=_positive_or_none)
    burst: int | None = attrs.field(default=None, validator=_positive_or_none)
    retry_after: RetryAfterMode = attrs.field(default="seconds", validator=_retry_after_mode)
    error_rate: float = attrs.field(default=0.0, validator=_share)
    error_statuses: tuple[int, ...] = attrs.field(
        default=ERROR_STATUSES, converter=_statuses, validator=_error_statuses
    )
    drop_rate: float = attrs.field(default=0.0, validator=_share)
    drop_after_delete_rate: float = attrs.field(default=0.0, validator=_share)
    media_truncate_rate: float = attrs.field(default=0.0, validator=_share)
    media_bytes_per_second: float | None = attrs.field(default=None, validator=_positive_or_none)

    def __attrs_post_init__(self) -> None:
        if self.error_rate + self.drop_rate > 1.0:
            raise ValueError("error_rate + drop_rate must not exceed 1")

    @property
    def bucket_size(self) -> float:
        """The token bucket's capacity."""
        if self.burst is not None:
            return float(self.burst)
        return max(1.0, self.rate_limit or 1.0)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-able values."""
        data = attrs.asdict(self)
        data["error_statuses"] = list(self.error_statuses)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base: Faults | None = None) -> Faults:
        """Build settings from a mapping, on top of ``base`` (the defaults when None).

        Raises:
            ValueError: An unknown name or an invalid value.
        """
        known = {field.name for field in attrs.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        return attrs.evolve(base if base is not None else cls(), **data)


class RateLimiter:
    """One token bucket per API key; ``take`` says how long to wait when it is empty."""

    __slots__ = ("_buckets", "_rate", "_size")

    def __init__(self, rate: float, size: float) -> None:
        """Allow ``rate`` requests per second per key, in bursts of up to ``size``."""
        self._rate = rate
        self._size = size
        self._buckets: dict[bytes, list[float]] = {}

    def take(self, key: bytes, now: float) -> float:
        """Take a token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        bucket = self._buckets.get(key)
        if bucket is None:
            self._buckets[key] = [self._size - 1.0, now]
            return 0.0
        tokens = bucket[0] + (now - bucket[1]) * self._rate
        if tokens > self._size:
            tokens = self._size
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / self._rate


class ScriptedFaults:
    """A queue of one-off outcomes for the next matching API requests."""

    __slots__ = ("_queue",)

    def __init__(self) -> None:
        """Start with nothing scripted."""
        self._queue: deque[list[Any]] = deque()

    def __bool__(self) -> bool:
        return bool(self._queue)

    def add(self, outcome: Outcome, *, times: int, method: str | None) -> None:
        """Queue ``outcome`` for the next ``times`` API requests (of ``method``, if given).

        Raises:
            ValueError: An unknown outcome or a count below 1.
        """
        if outcome not in _OUTCOMES or isinstance(outcome, bool):
            raise ValueError(
                f"unknown outcome {outcome!r}; expected one of {sorted(map(str, _OUTCOMES))}"
            )
        if times < 1:
            raise ValueError(f"times must be >= 1, got {times!r}")
        self._queue.append([outcome, times, method.upper() if method else None])

    def pop(self, method: str) -> Outcome | None:
        """Consume and return the first outcome scripted for ``method``, if any."""
        for entry in self._queue:
            if entry[2] is None or entry[2] == method:
                entry[1] -= 1
                if entry[1] == 0:
                    self._queue.remove(entry)
                outcome: Outcome = entry[0]
                return outcome
        return None


class Dice:
    """Seeded random draws, one stream per purpose so settings do not shift each other."""

    __slots__ = ("faults", "jitter", "media")

    def __init__(self, seed: int) -> None:
        """Seed the three streams from ``seed``."""
        self.faults = random.Random(f"faults:{seed}")
        self.jitter = random.Random(f"jitter:{seed}")
        self.media = random.Random(f"media:{seed}")
