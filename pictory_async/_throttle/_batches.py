"""Quota batches: a quota that each short pause resets is sent a batch at a time.

An event that comes back from a ``Retry-After`` of a second or less after as many
successes as the cycle before (within ``QUOTA_MATCH``), all sent within a period of
the pause, shows a quota per pause (a window per second with ``Retry-After: 1``).
Paced, requests would straddle its resets; instead the quota goes at once, one batch a
period after the last request of the one before (a sliding log counts each request's
age). Each batch's first request goes alone and the rest once it is answered, so a
period learned too short costs one 429, not a batch. A probe a quota's interval after
the first batch is refused by a window (no new event: the quota is confirmed); let
through, the API refills between batches (a bucket with a small burst) and the client
paces again. A refused batch sizes the next, unless it shrank by more than
``QUOTA_MATCH``: then there is no fixed quota, and the client paces again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from .._types import Clock, Sleep
from ._cooldown import Cooldown, sleep_or
from ._estimator import MEASURE

__all__ = ["QUOTA_MATCH", "QuotaBatches"]

QUOTA_MATCH = 0.1  # two cycles' successes this close (as a share) are one quota


class QuotaBatches:
    """A ``Schedule`` that sends a learned quota at once, one batch per period.

    Args:
        cooldown: The shared cool-down (no batch goes while it lasts).
        clock: Monotonic clock in seconds.
        sleep: Async sleep.
        back_to_pace: Called when the batches end, with the rate they sustained and
            whether the API allowed more (it refilled between batches).
    """

    def __init__(
        self,
        *,
        cooldown: Cooldown,
        clock: Clock,
        sleep: Sleep,
        back_to_pace: Callable[[float, bool], None],
    ) -> None:
        self._cooldown = cooldown
        self._clock = clock
        self._sleep = sleep
        self._back_to_pace = back_to_pace
        # what finds a quota: the successes of the last two cycles, and the pause
        self._paused_for: float | None = None  # the Retry-After the API was last left for
        self._ok_since_event = 0  # successes sent after the last event
        self._ok_last_cycle = 0  # ...and between the two events before, however late
        self._cycle_from = -math.inf  # when the cycle before the last event began
        # the batches: ``_size`` at a time, one batch per ``_period`` (None: none)
        self._size: int | None = None
        self._period = 0.0
        self._start = -math.inf  # when the current batch's first request went
        self._last = -math.inf  # ...and its latest
        self._sent = 0
        self._ok = 0  # successes of requests sent in the current batch
        self._refused = False  # ...and whether one of them was refused
        # a probe after a batch, sent when a bucket of the batches' rate would have
        # refilled one request: refused, the quota is confirmed; let through, the API
        # refills between batches (a bucket whose burst is under its second's worth)
        self._probe: float | None = None  # None: none due; -inf: due; else sent at
        self._answered: asyncio.Future[None] | None = None  # wakes the batch's rest

    @property
    def binds(self) -> bool:
        """Whether a quota was found: sends go in batches."""
        return self._size is not None

    @property
    def rate(self) -> float | None:
        """The rate the batches sustain (a quota per period), ``None`` while none binds."""
        return None if self._size is None else self._size / self._period

    async def book(self) -> bool:
        """Count this call into the current batch, or wait for the next one to begin."""
        size = self._size
        assert size is not None
        now = self._clock()
        if now < self._cooldown.until:  # throttled while this call waited for its turn
            await self._cooldown.sleep(self._cooldown.until - now)
            return False
        if now >= self._last + self._period:
            if self._refused:  # a batch that was refused shows the quota...
                if self._ok < (1 - QUOTA_MATCH) * size:  # ...unless it shrank
                    self._end(refilled=False)
                    return True
                size = self._size = max(1, self._ok)
            self._start, self._sent = now, 0
            self._ok, self._refused = 0, False
        if self._sent < size:
            if self._sent and not self._ok:
                # the batch's first request goes alone: a quota that has not reset yet
                # (a period learned too short) refuses one request, not the batch
                await self._first_answered(self._last + self._period - now)
                return False
            self._sent += 1
            self._last = now
            return True
        # the next batch goes a period after this one's last request (a sliding log
        # counts each request's age)
        next_batch = self._last + self._period
        if self._probe == -math.inf:  # due: one request a quota's interval later
            probe_at = self._last + self._period / max(2, size)
            if now >= probe_at:
                self._probe = now
                return True
            next_batch = probe_at
        await self._cooldown.sleep(next_batch - now)
        return False

    async def _first_answered(self, timeout: float) -> None:
        """Wait until a request of the current batch is answered, at most ``timeout``."""
        if self._answered is None:
            self._answered = asyncio.get_running_loop().create_future()
        await sleep_or(self._sleep, timeout, self._answered)

    def _begin(self, quota: int, period: float, cycle_from: float) -> None:
        """Send ``quota`` at a time, one batch per ``period``, from the next send on.

        The cycle that began at ``cycle_from`` counts as a refused batch: its successes
        still coming back size the first batch.
        """
        self._size, self._period = quota, period
        self._start, self._ok, self._refused = cycle_from, quota, True
        self._last = cycle_from
        self._sent = quota
        self._probe = -math.inf  # the first batch is followed by a probe

    def _end(self, *, refilled: bool) -> None:
        """Back to a pace, from what the batches sustained.

        ``refilled``: the API let a request through between batches, so it allows more
        than they sent.
        """
        assert self._size is not None
        self._back_to_pace(self._size / self._period, refilled)
        self._size = self._probe = None

    # -- feedback ----------------------------------------------------------------------

    def on_answer(self, sent: float) -> None:
        """An answer to the current batch lets its rest go."""
        answered = self._answered
        if answered is not None and sent >= self._start:
            self._answered = None
            if not answered.done():
                answered.set_result(None)

    def on_success(self, sent: float, now: float, event_at: float) -> None:
        """Count the success into its batch and its cycle; a probe let through ends them."""
        if sent == self._probe:  # the API refilled between batches
            self._end(refilled=True)
        elif sent >= self._start:
            self._ok += 1
        if self._cycle_from <= sent < event_at:
            self._ok_last_cycle += 1  # late, but of the cycle the last event ended
        if sent >= event_at:
            self._ok_since_event += 1

    def on_429(self, sent: float) -> bool:
        """A refused probe confirms the quota; any other refusal marks its batch."""
        if sent == self._probe:
            self._probe = None  # the quota is confirmed; the next batch is due
            return True
        if sent >= self._start:
            self._refused = True
        return False

    def on_event(
        self, now: float, previous: float, retry_after: float | None, until: float
    ) -> int | None:
        """Back from a short pause after as many successes as the cycle before: a quota."""
        paused_for, self._paused_for = self._paused_for, retry_after
        quota, previous_quota = self._ok_since_event, self._ok_last_cycle
        self._ok_last_cycle, self._ok_since_event = quota, 0
        self._cycle_from = previous
        short = (
            paused_for is not None
            and retry_after is not None
            and 0 < max(paused_for, retry_after) <= MEASURE
        )
        if not short:
            self._size = self._probe = None
        elif self._size is None and quota > 0:
            period = max(paused_for or 0.0, retry_after or 0.0)
            # as many successes as the cycle before, all within a period of the pause
            if (
                abs(quota - previous_quota) <= QUOTA_MATCH * max(quota, previous_quota)
                and now - previous <= (paused_for or 0.0) + period
            ):
                self._begin(quota, period, previous)
        return self._size

    def on_lift(self, now: float) -> None:
        """A later request went through: not a quota that resets."""
        self._size = self._probe = None
        self._paused_for = None  # not waited out: the API opened before
