"""Small shared types: project ids, the "not given" sentinel, durations, sleep and clock."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Final, Literal, TypeAlias

__all__ = ["NOT_GIVEN", "Clock", "Duration", "NotGiven", "ProjectId", "Sleep", "to_seconds"]

Sleep: TypeAlias = Callable[[float], Awaitable[None]]
"""An async sleep (``asyncio.sleep``, or a fake one in tests)."""

Clock: TypeAlias = Callable[[], float]
"""A monotonic clock in seconds (``time.monotonic``, or a fake one in tests)."""

ProjectId: TypeAlias = str | int
"""A project id: a string for v3 projects, an integer for v2 and older ones."""

Duration: TypeAlias = float | timedelta
"""A duration in seconds, or a ``timedelta``."""


class NotGiven(enum.Enum):
    """Sentinel type: "use the client's default", as opposed to ``None`` ("turned off")."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN


def to_seconds(value: Duration, *, name: str) -> float:
    """Turn a ``float | timedelta`` option into non-negative seconds.

    Raises:
        InvalidInputError: The value is negative, not finite, or not a duration.
    """
    from ._exceptions import InvalidInputError

    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise InvalidInputError(
            f"{name} must be seconds or a timedelta, not {type(value).__name__}"
        )
    if not seconds >= 0 or seconds == float("inf"):
        raise InvalidInputError(f"{name} must be a finite duration >= 0, got {value!r}")
    return seconds
