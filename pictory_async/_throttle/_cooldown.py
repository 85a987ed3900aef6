"""The shared cool-down: after a 429 every call of the client pauses, not one task.

The pause lasts until the ``Retry-After`` deadline. Without one, it starts short (a
few request intervals, ``NO_HINT_MIN`` to ``NO_HINT_BASE``) and grows per refused
probe, up to ``NO_HINT_MAX``: it doubles, and grows by half once the API has refused
for ``LONG_OUTAGE``; in the first event, whose pause is a blind guess, each refused
probe makes the time searched since the 429 half as long again. Later events start
from where the last outage still refused a probe, and an outage of ``LONG_OUTAGE`` or
more is taken for a quota that resets (a window, a sliding log): its first probe goes
as long after its open phase began as the last phase's outage did. An outage whose
first probe went through halves that wait.

The pause is **lifted** (``lift``) when the API shows it is open: a request sent after
the refused one went through. Calls sleeping in the cool-down wake at once.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from .._types import Sleep

__all__ = ["LONG_OUTAGE", "NO_HINT_MAX", "NO_HINT_MIN", "Cooldown", "sleep_or"]

NO_HINT_MIN = 0.05  # first pause after a 429 without Retry-After, at least...
NO_HINT_BASE = 0.5  # ...and at most; it doubles per refused probe
NO_HINT_MAX = 8.0
LONG_OUTAGE = 1.0  # seconds: an outage without a hint this long is a quota that resets


async def sleep_or(sleep: Sleep, seconds: float, event: asyncio.Future[None]) -> None:
    """Sleep ``seconds``, or until ``event`` is set."""
    sleeper = asyncio.ensure_future(sleep(seconds))
    try:
        await asyncio.wait((sleeper, event), return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()


class Cooldown:
    """The deadline every call waits for after a 429, and how long to wait without a hint.

    Args:
        sleep: Async sleep.
        rand: Random source for the jitter of pauses without ``Retry-After``.
        adaptive: Time outages (the learning is the adaptive rate's).
    """

    def __init__(self, *, sleep: Sleep, rand: Callable[[], float], adaptive: bool) -> None:
        self._sleep = sleep
        self._rand = rand
        self._adaptive = adaptive
        self.until = 0.0  # the deadline
        self._hinted_from = math.inf  # from when the deadline waits out a Retry-After
        self._lifted: asyncio.Future[None] | None = None  # wakes the sleepers
        # pauses without a hint, and the outages they time
        self._no_hint_pause = 0.0
        self._event_hinted = False  # whether this event came with a Retry-After
        self._outage_floor = 0.0  # the last outage without a hint refused probes this long
        self._open_from = math.inf  # when the first request of this open phase was sent
        # (the first phase: from the first send)
        self._reopens_after = math.inf  # ...and the last one refused probes this long after
        self._probed_until = -math.inf  # the latest refused probe of this event, sent at

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of the cool-down, or until it is lifted."""
        if self._lifted is None:
            self._lifted = asyncio.get_running_loop().create_future()
        await sleep_or(self._sleep, seconds, self._lifted)

    def extend(self, now: float, delay: float, *, hinted: bool) -> float:
        """Pause until ``now + delay`` unless it ends later; return the ``Retry-After`` added."""
        before = self.until
        if now + delay <= before:
            return 0.0
        self.until = now + delay
        if not hinted:
            self._hinted_from = math.inf
            return 0.0
        self._hinted_from = min(self._hinted_from, max(before, now))
        return now + delay - max(before, now)

    def unwaited(self, now: float) -> float:
        """Seconds of ``Retry-After`` in the deadline not waited out by ``now``."""
        if self.until > self._hinted_from:
            return self.until - max(now, self._hinted_from)
        return 0.0

    def lift(self, now: float) -> None:
        """End the cool-down now, and wake every call sleeping in it."""
        self.until = now
        lifted, self._lifted = self._lifted, None
        if lifted is not None and not lifted.done():
            lifted.set_result(None)

    # -- pauses without a hint ---------------------------------------------------------

    def no_hint_pause(
        self, now: float, *, rate: float | None, event_at: float, first_event: bool
    ) -> float:
        """The next pause without ``Retry-After``, jittered: it grows per refused probe.

        Args:
            now: When the 429 came.
            rate: The paced rate, if any (the first pause is four of its intervals).
            event_at: When the last throttling event was noted.
            first_event: Whether at most one event was noted (nothing learned yet).
        """
        jitter = 1 + 0.5 * self._rand()
        if self._no_hint_pause:
            searched = now - event_at
            if first_event:
                pause = max(self._no_hint_pause, 0.5 * searched)
            else:
                pause = (2.0 if searched < LONG_OUTAGE else 1.5) * self._no_hint_pause
            self._no_hint_pause = min(NO_HINT_MAX, pause)
            return self._no_hint_pause * jitter
        interval = 4 / rate if rate else NO_HINT_BASE
        self._no_hint_pause = min(NO_HINT_BASE, max(NO_HINT_MIN, interval))
        floor = self._outage_floor
        # a long outage is a quota that resets, about as long after this open phase
        # began as the last one was
        if self._reopens_after < math.inf:
            reopens_in = self._open_from + self._reopens_after - now
            if reopens_in > 0 and max(floor, reopens_in) >= LONG_OUTAGE:
                # at most twice the outage counted from the 429 (one long outage, say a
                # closed API, must not stretch later short ones), unless that outage
                # outlasted what is counted
                if floor < NO_HINT_MAX:
                    reopens_in = min(reopens_in, 2 * max(floor, LONG_OUTAGE))
                floor = reopens_in
        return floor + self._no_hint_pause * jitter

    def on_event(self, *, hinted: bool) -> None:
        """A new throttling event, with a ``Retry-After`` or without."""
        self._event_hinted = hinted
        self._probed_until = -math.inf

    def on_probe_refused(self, sent: float) -> None:
        """A probe sent at ``sent`` was refused: the outage lasted at least until then."""
        self._probed_until = max(self._probed_until, sent)

    def on_open(self, sent: float, *, event_at: float, first_send: float) -> None:
        """The API let a request ``sent`` then through: time the outage that ended.

        Args:
            sent: When the request that went through was sent.
            event_at: When the event that began the outage was noted.
            first_send: When the client's first request went (the first open phase).
        """
        open_from = self._open_from if self._open_from < math.inf else first_send
        self._open_from = sent
        if self._event_hinted or not self._adaptive:  # learning the API is adaptive
            return
        if self._probed_until > event_at:
            refused_for = self._probed_until - event_at
            self._outage_floor = min(NO_HINT_MAX, refused_for)
            self._reopens_after = self._probed_until - open_from
        else:  # the first probe went through: the API may have opened sooner
            self._outage_floor /= 2
            self._reopens_after -= self._no_hint_pause

    def on_fresh_success(self) -> None:
        """A request sent after the last event went through: the next pause starts short."""
        self._no_hint_pause = 0.0
