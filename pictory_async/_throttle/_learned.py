"""What a throttle learned, as a value: kept across runs and processes, and aged by idle time.

``Throttle.learned()`` takes a ``Learned`` snapshot; ``Throttle(learned=...)`` starts
from one: at the remembered window (no slow start from ``INITIAL_WINDOW``) and paced at
the remembered rate, which is an estimate that climbs like any learned rate, not a
fixed ceiling.

A snapshot goes stale while nobody sends. ``decayed(idle)`` ages it as TCP validates
its congestion window after idle (RFC 2861, RFC 7661): every ``IDLE_HALF_LIFE``
seconds idle halve the window (never below ``INITIAL_WINDOW``) and the paced rate
(never below ``MIN_RATE``), while the highest rate the API allowed (``limit``) and the
window before the decay (``regrow_to``) are kept, as TCP keeps ``ssthresh``: the
window regrows by slow start up to it, and the rate doubles every ``DOUBLING`` seconds
back up to ``limit``, then climbs as after an event. After ``FORGET_AFTER`` half-lives
the snapshot is ``None``: the next run learns from scratch.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from ._estimator import MIN_RATE
from ._gate import INITIAL_WINDOW

__all__ = ["FORGET_AFTER", "IDLE_HALF_LIFE", "IDLE_MIN", "Learned"]

IDLE_HALF_LIFE = 60.0  # seconds of idle that halve the window and the rate
IDLE_MIN = 5.0  # seconds: a shorter idle spell (a page, a poll, a pause) decays nothing
FORGET_AFTER = 8  # half-lives: older than this, what was learned is forgotten


def _positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf
    ):
        raise ValueError(f"{attribute.name} must be a positive finite number, got {value!r}")


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be a count (an int >= 0), got {value!r}")


@attrs.frozen(kw_only=True)
class Learned:
    """What a throttle learned: enough for another run or process to start where it is.

    Attributes:
        rate: The paced rate in requests/second, ``None`` if the API never
            throttled (the client went as fast as it answered).
        limit: The highest rate the API allowed at the last event (the learned
            maximum the rate climbs back to), ``None`` with no event.
        window: Requests allowed in flight at once.
        events: Throttling events seen (429s of one event count once).
        regrow_to: The window before an idle decay: slow start regrows up to it.
    """

    rate: float | None = attrs.field(default=None, validator=_positive)
    limit: float | None = attrs.field(default=None, validator=_positive)
    window: float = attrs.field(default=float(INITIAL_WINDOW), validator=_positive)
    events: int = attrs.field(default=0, validator=_count)
    regrow_to: float | None = attrs.field(default=None, validator=_positive)

    def decayed(self, idle: float) -> Learned | None:
        """This snapshot after ``idle`` seconds without a request; ``None`` once forgotten.

        Args:
            idle: Seconds since the last request was answered.
        """
        if not idle >= IDLE_MIN:  # NaN and negative included
            return self
        halvings = idle / IDLE_HALF_LIFE
        if halvings >= FORGET_AFTER:
            return None
        factor = 0.5**halvings
        window = max(float(INITIAL_WINDOW), min(self.window, self.window * factor))
        rate = None if self.rate is None else max(MIN_RATE, self.rate * factor)
        regrow = max(self.window, self.regrow_to or 0.0)
        return attrs.evolve(
            self,
            rate=rate,
            window=window,
            regrow_to=regrow if regrow > window else None,
        )
