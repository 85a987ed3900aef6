"""Small shared types: project ids, the "not given" sentinel, durations, sleep and clock.

Types only: this module imports nothing of the package, so every module can use it.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Final, Literal, TypeAlias

__all__ = ["NOT_GIVEN", "Clock", "Duration", "NotGiven", "ProjectId", "Sleep"]

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
