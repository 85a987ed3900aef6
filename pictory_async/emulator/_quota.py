"""The account quota ``GET /pictoryapis/v1/quota`` answers, and how tests set it.

Each account has four counters, each ``{"used": int, "limit": int}``. They start at
Pictory's plan figures below and go back to them on ``reset``. The jobs the video and
transcription routes start spend them (``charge``); a start that needs more than is left
is refused with ``QuotaExceededError`` (a 402). A test sets the numbers it needs
(``Emulator.set_quota`` or ``POST /_emulator/quota``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeAlias

__all__ = [
    "QUOTA_COUNTERS",
    "Quota",
    "QuotaExceededError",
    "changed_quota",
    "charge",
    "default_quota",
]

Quota: TypeAlias = dict[str, dict[str, int]]
"""The body of ``GET /pictoryapis/v1/quota``: wire name to ``{"used": ..., "limit": ...}``."""

QUOTA_COUNTERS: Final = {
    "video_minutes": "videoMinutes",
    "transcription_minutes": "transcriptionMinutes",
    "eleven_labs_voice_over_minutes": "elevenLabsVoiceOverMinutes",
    "ai_credits": "aiCredits",
}
"""The counters by the name tests give them (snake_case) to their name on the wire."""

_LIMITS: Final = {
    "videoMinutes": 600,
    "transcriptionMinutes": 600,
    "elevenLabsVoiceOverMinutes": 120,
    "aiCredits": 1000,
}


def default_quota() -> Quota:
    """A fresh account's quota: nothing used, the plan's limits."""
    return {name: {"used": 0, "limit": limit} for name, limit in _LIMITS.items()}


def changed_quota(quota: Quota, changes: Mapping[str, object]) -> Quota:
    """A copy of ``quota`` with ``changes`` applied; counters and fields not given are kept.

    Args:
        quota: The quota now.
        changes: Counter name (``video_minutes``, ``transcription_minutes``,
            ``eleven_labs_voice_over_minutes``, ``ai_credits``) to a mapping with ``used``
            and/or ``limit``, each an int >= 0.

    Raises:
        ValueError: An unknown counter or field, or a value that is not an int >= 0.
    """
    new = {name: dict(counter) for name, counter in quota.items()}
    for key, fields in changes.items():
        wire_name = QUOTA_COUNTERS.get(key)
        if wire_name is None:
            raise ValueError(f"unknown quota counter {key!r}: one of {', '.join(QUOTA_COUNTERS)}")
        if not isinstance(fields, Mapping):
            raise ValueError(f"{key} must be an object with used and/or limit")
        for field, value in fields.items():
            if field not in ("used", "limit"):
                raise ValueError(f"unknown field {field!r} of {key}: used or limit")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{key}.{field} must be an int >= 0, got {value!r}")
            new[wire_name][field] = value
    return new


class QuotaExceededError(Exception):
    """A job needs more of a counter than the account has left.

    Attributes:
        counter: The wire name of the counter (``videoMinutes``, ...).
        needed: What the job needs.
        left: What the account has left.
    """

    def __init__(self, counter: str, needed: int, left: int) -> None:
        """Say which counter ran out, and by how much."""
        super().__init__(
            f"Not enough {counter} left: this job needs {needed}, the account has {left}"
        )
        self.counter = counter
        self.needed = needed
        self.left = left


def charge(quota: Quota, costs: Mapping[str, int]) -> None:
    """Spend ``costs`` (wire counter name to amount) from ``quota``, all or nothing.

    Raises:
        QuotaExceededError: One counter has less left than its cost; nothing is spent.
    """
    for counter, amount in costs.items():
        left = max(0, quota[counter]["limit"] - quota[counter]["used"])
        if amount > left:
            raise QuotaExceededError(counter, amount, left)
    for counter, amount in costs.items():
        quota[counter]["used"] += amount
