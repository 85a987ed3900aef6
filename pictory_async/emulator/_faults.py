"""Fault settings, the scripted one-off outcomes, and the seeded dice that pick faults.

The rate limiters the settings describe are in ``_limiters`` (``make_limiter`` picks one).
"""

from __future__ import annotations

import itertools
import math
import random
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Final, Literal, TypeAlias, get_args
from urllib.parse import urlsplit

import attrs

from ._limiters import FixedWindow, InFlightCap, Limiter, RateLimiter, SlidingLog

__all__ = [
    "ERROR_STATUSES",
    "MAX_SECONDS",
    "MIN_RATE_LIMIT",
    "Dice",
    "Faults",
    "FixedWindow",
    "InFlightCap",
    "Limiter",
    "Outcome",
    "RateLimitShape",
    "RateLimiter",
    "RetryAfterMode",
    "ScriptedFaults",
    "SlidingLog",
    "make_limiter",
]

RetryAfterMode: TypeAlias = Literal["seconds", "date", "none"]
"""How a 429 says when to come back: ``Retry-After: 2``, an HTTP date, or not at all."""

Outcome: TypeAlias = Literal[429, 500, 502, 503, "drop", "drop_after_apply"]
"""A scripted outcome for :meth:`Emulator.fail_next`.

``"drop"`` closes the connection before anything is applied or sent;
``"drop_after_apply"`` applies the request (a DELETE deletes) and then closes the
connection instead of answering.
"""

RateLimitShape: TypeAlias = Literal["bucket", "window", "sliding", "inflight"]
"""How the limit is counted: a token bucket (``rate_limit`` per second, bursts of
``burst``), a fixed window (``rate_limit`` per ``rate_limit_period``, reset at once), a
sliding log (at most ``rate_limit`` in any ``rate_limit_period``) or a cap on requests in
flight (at most ``rate_limit`` at once)."""

ERROR_STATUSES = (500, 502, 503)
_OUTCOMES: frozenset[object] = frozenset(get_args(Outcome))


MIN_RATE_LIMIT: Final = 0.001
"""The lowest limit in force (``rate_limit`` times any change's factor): one request in
1,000 s. Lower, a 429's ``Retry-After`` would point centuries ahead."""
MAX_SECONDS: Final = 86_400.0
"""The longest latency, jitter or rate-limit period: a day, already an answer that never
comes for any client."""


def _seconds(value: float | timedelta) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number of seconds, got {value!r}")
    return float(value)


def _number(name: str, value: object) -> float:
    """``value`` if it is an int or a float (not a bool).

    Raises:
        ValueError: Anything else.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return value


def _statuses(value: Iterable[int]) -> tuple[int, ...]:
    statuses = tuple(value)
    if any(isinstance(status, bool) or not isinstance(status, int) for status in statuses):
        raise ValueError(f"error_statuses must be ints, got {statuses!r}")
    return statuses


def _share(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= _number(attribute.name, value) <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _delay(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= MAX_SECONDS:
        raise ValueError(f"{attribute.name} must be between 0 and {MAX_SECONDS:g} s, got {value!r}")


def _origin_or_none(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ValueError(f"{attribute.name} must be an http(s) origin like http://host:port")


def _at_least_or_none(low: float) -> Any:
    """A validator: None, or a number from ``low`` (inclusive) up to a finite one."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and not low <= _number(attribute.name, value) < math.inf:
            raise ValueError(f"{attribute.name} must be a number >= {low:g} or None, got {value!r}")

    return check


def _attempts(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise ValueError(f"{attribute.name} must be an int from 1 to 100, got {value!r}")


def _period(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 < value <= MAX_SECONDS:
        raise ValueError(
            f"{attribute.name} must be > 0 and at most {MAX_SECONDS:g} s, got {value!r}"
        )


def _retry_after_mode(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in get_args(RetryAfterMode):
        raise ValueError(f"retry_after must be 'seconds', 'date' or 'none', got {value!r}")


def _shape(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in get_args(RateLimitShape):
        raise ValueError(
            f"rate_limit_shape must be one of {', '.join(get_args(RateLimitShape))}, got {value!r}"
        )


def _changes(value: Iterable[Iterable[float]]) -> tuple[tuple[float, float], ...]:
    pairs = tuple((float(at), float(factor)) for at, factor in value)
    if any(not 0 <= at < math.inf or not 0 < factor < math.inf for at, factor in pairs):
        raise ValueError("rate_limit_changes must be (seconds >= 0, factor > 0) pairs")
    if any(b[0] <= a[0] for a, b in itertools.pairwise(pairs)):
        raise ValueError("rate_limit_changes must be in increasing order of time")
    return pairs


def _error_statuses(
    instance: object, attribute: attrs.Attribute[tuple[int, ...]], value: tuple[int, ...]
) -> None:
    if not value or any(status not in ERROR_STATUSES for status in value):
        raise ValueError(f"error_statuses must be a non-empty subset of {ERROR_STATUSES}")


@attrs.frozen(kw_only=True)
class Faults:
    """What goes wrong, and how often. Every share is drawn from the emulator's seed.

    Attributes:
        latency: Fixed delay before each API response, in seconds (at most a day).
        jitter: Extra delay drawn uniformly from ``[0, jitter]`` seconds (at most a day).
        rate_limit: The limit per API key, or None: requests per second for a bucket,
            per period for a window or a sliding log, at once for ``inflight``; at least
            ``MIN_RATE_LIMIT`` (0.001), also once scaled by ``rate_limit_changes``.
        burst: Bucket size, at least 1; defaults to one second's worth of ``rate_limit``.
        rate_limit_shape: ``"bucket"``, ``"window"``, ``"sliding"`` or ``"inflight"``.
        rate_limit_period: Seconds of a fixed window or of the sliding log (at most a day).
        rate_limit_changes: ``(seconds, factor)`` pairs: from ``seconds`` after the
            settings were applied, the limit is ``factor`` times ``rate_limit``
            (``((30, 0.5), (60, 1))`` halves it after 30 s and restores it at 60 s).
        retry_after: How a 429 says when to retry: ``"seconds"``, ``"date"`` or ``"none"``.
        error_rate: Share of API requests answered 500, 502 (an HTML page) or 503.
        error_statuses: Which of 500, 502, 503 ``error_rate`` picks from, evenly.
        drop_rate: Share of API requests whose connection closes before any answer.
        drop_after_delete_rate: Share of applied DELETEs whose answer is lost: the project
            is gone but the connection closes instead of answering.
        create_error_rate: Share of job-starting requests (``JOB_ROUTES``: renders,
            storyboards, templates, transcriptions, highlights) answered 500, 502 or 503
            (from ``error_statuses``) before anything is applied: no job is made.
        drop_after_create_rate: Share of applied job-starting requests whose answer is
            lost: the job is made (and runs) but the connection closes instead of answering.
        webhook_lost_rate: Share of finished jobs whose webhook is never sent.
        webhook_duplicate_rate: Share of webhook deliveries sent twice.
        webhook_out_of_order_rate: Share of finished jobs whose final webhook is held back
            ``webhook_hold`` seconds (so later jobs' finals overtake it) and followed by a
            stale body (the job as it was while in progress).
        webhook_delay: Extra delay of each webhook delivery, drawn from ``[0, webhook_delay]``
            seconds on the emulator's clock.
        webhook_hold: Seconds an out-of-order final is held back.
        webhook_attempts: Attempts per delivery (1: no retry); a non-2xx answer or a
            connection error is retried.
        webhook_backoff: Seconds before the first retry on the emulator's clock; doubled
            for each next one (at most a minute).
        webhook_timeout: Seconds one attempt may take (real time), then it failed.
        media_truncate_rate: Share of CDN downloads cut off halfway.
        media_bytes_per_second: Throttle CDN downloads to this speed (at least 1), or None
            for full speed.
        media_redirect: An origin (``http://host:port``) the CDN sends every media
            request to with a ``302`` and the same path, as a CDN that hands downloads
            to a mirror on a third host does; or None.
    """

    latency: float = attrs.field(default=0.0, converter=_seconds, validator=_delay)
    jitter: float = attrs.field(default=0.0, converter=_seconds, validator=_delay)
    rate_limit: float | None = attrs.field(
        default=None, validator=_at_least_or_none(MIN_RATE_LIMIT)
    )
    burst: int | None = attrs.field(default=None, validator=_at_least_or_none(1))
    rate_limit_shape: RateLimitShape = attrs.field(default="bucket", validator=_shape)
    rate_limit_period: float = attrs.field(default=1.0, converter=_seconds, validator=_period)
    rate_limit_changes: tuple[tuple[float, float], ...] = attrs.field(
        default=(), converter=_changes
    )
    retry_after: RetryAfterMode = attrs.field(default="seconds", validator=_retry_after_mode)
    error_rate: float = attrs.field(default=0.0, validator=_share)
    error_statuses: tuple[int, ...] = attrs.field(
        default=ERROR_STATUSES, converter=_statuses, validator=_error_statuses
    )
    drop_rate: float = attrs.field(default=0.0, validator=_share)
    drop_after_delete_rate: float = attrs.field(default=0.0, validator=_share)
    create_error_rate: float = attrs.field(default=0.0, validator=_share)
    drop_after_create_rate: float = attrs.field(default=0.0, validator=_share)
    webhook_lost_rate: float = attrs.field(default=0.0, validator=_share)
    webhook_duplicate_rate: float = attrs.field(default=0.0, validator=_share)
    webhook_out_of_order_rate: float = attrs.field(default=0.0, validator=_share)
    webhook_delay: float = attrs.field(default=0.0, converter=_seconds, validator=_delay)
    webhook_hold: float = attrs.field(default=0.5, converter=_seconds, validator=_delay)
    webhook_attempts: int = attrs.field(default=5, validator=_attempts)
    webhook_backoff: float = attrs.field(default=0.5, converter=_seconds, validator=_delay)
    webhook_timeout: float = attrs.field(default=5.0, converter=_seconds, validator=_period)
    media_truncate_rate: float = attrs.field(default=0.0, validator=_share)
    media_bytes_per_second: float | None = attrs.field(default=None, validator=_at_least_or_none(1))
    media_redirect: str | None = attrs.field(default=None, validator=_origin_or_none)

    def __attrs_post_init__(self) -> None:
        if self.error_rate + self.drop_rate > 1.0:
            raise ValueError("error_rate + drop_rate must not exceed 1")
        if self.rate_limit is not None and self.rate_limit_changes:
            lowest = self.rate_limit * min(factor for _, factor in self.rate_limit_changes)
            if lowest < MIN_RATE_LIMIT:
                raise ValueError(
                    f"rate_limit_changes take the limit to {lowest:g}, "
                    f"below the lowest one, {MIN_RATE_LIMIT:g}"
                )

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
        data["rate_limit_changes"] = [list(pair) for pair in self.rate_limit_changes]
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


def make_limiter(faults: Faults, origin: float) -> Limiter | None:
    """The limiter ``faults`` describe, with its changes counted from ``origin``."""
    limit = faults.rate_limit
    if limit is None:
        return None
    changes = faults.rate_limit_changes
    shape = faults.rate_limit_shape
    if shape == "window":
        return FixedWindow(limit, faults.rate_limit_period, origin=origin, changes=changes)
    if shape == "sliding":
        return SlidingLog(limit, faults.rate_limit_period, origin=origin, changes=changes)
    if shape == "inflight":
        return InFlightCap(limit, origin=origin, changes=changes)
    return RateLimiter(limit, faults.bucket_size, origin=origin, changes=changes)


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
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be an int >= 1, got {times!r}")
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

    __slots__ = ("creates", "faults", "jitter", "media", "webhooks")

    def __init__(self, seed: int) -> None:
        """Seed the streams from ``seed``."""
        self.faults = random.Random(f"faults:{seed}")
        self.jitter = random.Random(f"jitter:{seed}")
        self.media = random.Random(f"media:{seed}")
        self.creates = random.Random(f"creates:{seed}")
        self.webhooks = random.Random(f"webhooks:{seed}")
