"""Client-side rate control shared by every call of one client.

``Throttle.acquire`` (or its sync fast path ``ready``) is consulted before each attempt,
and ``Throttle.release`` is told how each attempt ended, exactly once per ticket. Four
mechanisms work together, none of which assumes a shape of the server's limiter:

- **A shared cool-down.** After a 429, every concurrent call waits until the
  ``Retry-After`` deadline, or, without one, for a pause that starts short (a few
  request intervals) and doubles while the API keeps refusing (past a second of
  refusals, it grows by half: doubling up to a reset seconds away overshoots it by up to
  as much again; in the first event, whose half-second pause is a blind guess, each
  refused probe makes the time since the 429 half as long again). With the adaptive
  rate, such an event's first pause also adds how long the last such outage still
  refused probes; an outage whose first probe went through halves that wait (the API may
  open sooner). An outage of a second or more is taken for a quota that resets, as a
  window or a sliding log does: it is expected as long after its open phase began as the
  last one was, since a phase that ran slower leaves less of the period to wait. One 429
  pauses the whole client, not one task, **unless the API shows it is open**: a success
  for a request sent *after* the refused one (already in flight when the 429 came) lifts
  the pause for everyone. That is what a cap on requests in flight, or a bucket with a
  burst of one at a pace just above its rate, looks like: the refused request was one
  too many, not a sign of a closed API. The refused call itself still waits its own
  ``Retry-After`` (without one, a pause that doubles per refusal in a row). A lift
  trades the pause for a cut of the paced rate, so it needs the adaptive rate: with
  ``adaptive=False`` the pause always stands, and it alone holds every call back.
- **A window of requests in flight.** It starts small and doubles every round trip
  (TCP's slow start) until the first 429; after every cool-down it starts again from
  one request (a probe) and grows back up to a ceiling learned from the API: a
  twentieth of what one throttling cycle let through. A limiter that refuses everything
  in flight once it runs out then costs a few 429s per cycle, never a storm.
- **A paced rate.** Off until the first 429, fixed with ``rate_limit=``, or adaptive:
  at each throttling event it is set to the rate the API let through since the
  previous event (not counting time spent waiting out a ``Retry-After``, nor time when
  the calls wanting to go were under a quarter of what they are at the event: a listing
  one page at a time before a bulk run shows what the client asked for, not what the
  API allows), never above
  the rate that was just refused, times ``BETA``; then it climbs back along a cubic
  curve whose plateau lasts ten times the pause the event cost (a lifted event: the
  time until it was lifted, not the ``Retry-After`` it came with), so probing upward is
  gentle exactly when a probe is expensive. When the event was lifted, the refused
  pace bounds the limit closely (the API let the next requests through), so the
  maximum is that pace and the climb back takes a second; but not when the previous
  event was lifted only a few successes earlier: refused again at once, the limiter
  refuses whatever the pace (an empty bucket, a spent quota). After a first event with
  few successes to go by (the blind start-up round), the rate doubles every
  ``DOUBLING`` seconds instead, like slow start; the event that ends that climb keeps
  at least half the refused pace (it went through a moment before) and climbs back
  without a plateau. An event refused while the pace was probing past the last
  maximum takes at least the pace of the last ``FEW_SAMPLES`` successes (never above
  the refused pace): a pace that climbs within the measured second leaves that
  second's average well under what the API just let through (a bucket of 20/s with a
  burst of 1 was measured at 14/s and held there by the plateau).
- **Batches, for a quota per pause.** An event that comes back from a ``Retry-After``
  of a second or less after as many successes as the cycle before (within
  ``QUOTA_MATCH``), all sent within a period of the pause, shows a quota that each such
  pause resets (a window per second with ``Retry-After: 1``). Paced, requests straddle
  its resets and the pace came down only 15% an event. Instead, the quota goes at once,
  one batch a period after the last request of the one before: its first request
  alone (a period learned too short costs one 429, not a batch), the rest once it is
  answered. A probe a quota's interval after the first batch is refused by a window
  (no new event); let through, the API refills between batches (a bucket with a small
  burst) and the pace comes back. A refused batch sizes the next, unless it shrank by
  more than ``QUOTA_MATCH``: then no quota is fixed, and the client paces again.

429s answering requests sent before the last throttle was noted, and 429s before any
success came back after it, belong to one event: the rate drops once per event, not
once per response.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import random
import weakref
from collections.abc import Awaitable, Callable
from typing import Protocol

__all__ = ["RateControl", "Throttle"]

logger = logging.getLogger("pictory_async")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

BETA = 0.85  # pace at this share of the rate the API allowed, after a throttle
PLATEAU = 10.0  # the cubic plateau lasts at least this many times the event's pause
MIN_PLATEAU = 1.0  # seconds: the shortest time to climb back to the previous maximum
MEASURE = 1.0  # seconds of recent successes the allowed rate is measured over
DOUBLING = 0.25  # seconds: after a blind first event the rate doubles this often
MIN_SAMPLES = 20  # fewer successes than this make the measured rate a guess
FEW_SAMPLES = 5  # fewer successes than this lately: no plateau, climb back fast
MIN_RATE = 0.5  # requests/second, the floor of the adaptive rate
QUOTA_MATCH = 0.1  # two cycles' successes this close (as a share) are one quota
INITIAL_WINDOW = 10  # requests in flight before the first success (slow start)
SLOW_START = 1  # until the first 429, each success adds this many: x(1 + it) a round trip
MAX_WINDOW = 1_000_000
RECENT = 2.0  # seconds of history for the recent success rate
SLOT = 0.1  # seconds per slot of that history
NO_HINT_MIN = 0.05  # first pause after a 429 without Retry-After, at least...
NO_HINT_BASE = 0.5  # ...and at most; it doubles per refused probe
NO_HINT_MAX = 8.0
LONG_OUTAGE = 1.0  # seconds: an outage without a hint this long is a quota that resets


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no loop running
        return None


class _Rate:
    """Counts successes in ``SLOT``-wide slots over the last ``RECENT`` seconds."""

    def __init__(self) -> None:
        self._slots = [0] * int(RECENT / SLOT)
        self._current = 0

    def add(self, now: float) -> None:
        index = max(self._current, int(now / SLOT))
        if index != self._current:
            self._advance(index)
        self._slots[index % len(self._slots)] += 1

    def _advance(self, index: int) -> None:
        size = len(self._slots)
        for stale in range(max(self._current + 1, index - size + 1), index + 1):
            self._slots[stale % size] = 0
        self._current = index

    def per_second(self, now: float, since: float, shortest: float = 1.0) -> float:
        """Successes per second over the history, or since ``since`` when that is later.

        The count is divided by at least ``shortest`` seconds.
        """
        self._advance(max(self._current, int(now / SLOT)))
        span = min(RECENT, max(now - since, shortest))
        slots = min(len(self._slots), math.ceil(span / SLOT - 1e-9))
        size = len(self._slots)
        count = sum(self._slots[(self._current - back) % size] for back in range(slots))
        return count / span


class RateControl(Protocol):
    """What a client's rate control shows: read-only, for progress displays and metrics.

    ``AsyncPictory.throttle`` returns it. Every value is a snapshot of the moment it
    is read; the rate control itself stays private to the client's pipeline.
    """

    @property
    def rate(self) -> float | None:
        """The client-side rate limit in requests/second, or ``None`` while there is none."""

    @property
    def window(self) -> int:
        """How many attempts may be in flight at once now."""

    @property
    def in_flight(self) -> int:
        """Attempts sent and not answered yet."""

    @property
    def demand(self) -> int:
        """Calls that want to go: in flight, in line, or waiting out their own hold."""

    @property
    def cooldown_remaining(self) -> float:
        """Seconds left in the shared cool-down after a 429 (0.0 when there is none)."""

    @property
    def throttle_events(self) -> int:
        """How many times the API has rate limited this client (429s of one event count once)."""


class Throttle:
    """The one place where a client decides when the next attempt may go.

    Args:
        clock: Monotonic clock in seconds.
        sleep: Async sleep.
        rate_limit: A fixed ceiling in requests/second, or ``None``.
        adaptive: Learn the API's limit from 429s (on by default).
        rand: Random source for the jitter of pauses without ``Retry-After``.
        initial_window: Requests in flight allowed before the first success.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        sleep: Sleep,
        rate_limit: float | None = None,
        adaptive: bool = True,
        rand: Callable[[], float] = random.random,
        initial_window: int = INITIAL_WINDOW,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self._ceiling = rate_limit
        self._adaptive = adaptive
        self.throttle_events = 0
        self._started = clock()
        self._first_send = math.inf
        self._cooldown_until = 0.0
        self._no_hint_pause = 0.0
        self._outage_floor = 0.0  # the last outage without a hint refused probes this long
        self._open_from = math.inf  # when the first request of this open phase was sent
        # (the first phase: from the first send)
        self._reopens_after = math.inf  # ...and the last one refused probes this long after
        self._probed_until = -math.inf  # the latest refused probe of this event, sent at
        self._event_hinted = False  # whether this event came with a Retry-After
        self._paused_for: float | None = None  # the Retry-After the API was last left for
        self._ok_since_event = 0  # successes sent after the last event
        self._ok_last_cycle = 0  # ...and between the two events before, however late
        self._last_throttle = -math.inf
        self._climb_from = -math.inf
        self._outage = False  # a throttle was noted and no success came back since
        self._ok = _Rate()
        self._rtt = 0.0
        self._paused = 0.0  # seconds of Retry-After waited out, in total
        self._resumed = -math.inf  # when the last pause ended, on the active clock
        self._event_pause = 0.0
        self._blind = False  # the only event so far came with few successes to go by
        self._refused_pace: float | None = None  # the pace the event's requests went at
        # when the last few successes came back, on the active clock
        self._last_ok: collections.deque[float] = collections.deque(maxlen=FEW_SAMPLES)
        self._lifted_at = -math.inf  # when a cool-down was last lifted
        self._since_lift = 0  # successes sent after the last lifted cool-down
        self._trust_pace = False  # whether this event's refused pace bounds the limit
        self._refused_at = math.inf  # when the first refused request of the event was sent
        self._hinted_from = math.inf  # from when the cool-down waits out a Retry-After
        self._held_until = -math.inf  # the latest end of any call's own hold
        self._lifted: asyncio.Future[None] | None = None  # wakes the cool-down's sleepers
        # a refused call's own Retry-After, which outlives a lifted cool-down
        self._held: weakref.WeakKeyDictionary[asyncio.Task[object], float] = (
            weakref.WeakKeyDictionary()
        )
        # how many times in a row each call was refused
        self._streaks: weakref.WeakKeyDictionary[asyncio.Task[object], int] = (
            weakref.WeakKeyDictionary()
        )
        # the paced rate (None: off) and its cubic climb
        self._rate: float | None = rate_limit
        self._max_rate = 0.0
        self._cubic_k = 0.0
        self._cubic_scale = 0.0
        self._next_at = self._started + (self._tolerance(rate_limit) if rate_limit else 0.0)
        # requests in flight and the window that bounds them
        self._in_flight = 0
        self._holding = 0  # calls waiting out their own Retry-After
        # when calls wanting to go last numbered at most 2**k - 1, per k: the allowed
        # rate is measured only over time when demand was high
        self._low_demand = [-math.inf] * 32
        self._window = float(initial_window)
        self._resume_window = float(initial_window)
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._pacer: asyncio.Lock | None = None
        # batches: a quota that each short Retry-After resets (a window per second) is
        # sent ``_batch`` at a time, one batch per ``_batch_period``, in place of a pace
        self._batch: int | None = None
        self._batch_period = 0.0
        self._batch_start = -math.inf  # when the current batch's first request went
        self._batch_last = -math.inf  # ...and its latest
        self._batch_sent = 0
        self._batch_ok = 0  # successes of requests sent in the current batch
        self._batch_refused = False  # ...and whether one of them was refused
        # a probe after a batch, sent when a bucket of the batches' rate would have
        # refilled one request: refused, the quota is confirmed; let through, the API
        # refills between batches (a bucket whose burst is under its second's worth)
        self._batch_probe: float | None = None  # None: none due; -inf: due; else sent at
        self._batch_gate: asyncio.Future[None] | None = None  # wakes the batch's rest
        self._cycle_from = -math.inf  # when the cycle before the last event began

    # -- what others may read ----------------------------------------------------------

    @property
    def rate(self) -> float | None:
        """The current client-side rate limit in requests/second, or ``None`` when off."""
        return self._rate

    @property
    def cooldown_remaining(self) -> float:
        """Seconds left in the shared cool-down."""
        return max(0.0, self._cooldown_until - self._clock())

    @property
    def in_flight(self) -> int:
        """Attempts that hold a ticket not yet released."""
        return self._in_flight

    @property
    def demand(self) -> int:
        """Calls that want to go: in flight, in line, or waiting out their own hold."""
        return self._in_flight + len(self._waiters) + self._holding

    @property
    def window(self) -> int:
        """How many attempts may be in flight at once now."""
        return int(self._window)

    # -- before an attempt -------------------------------------------------------------

    def ready(self) -> float | None:
        """The ticket if a request may go now without waiting, else ``None``."""
        if (
            self._rate is None
            and self._batch is None
            and self._in_flight < self._window
            and not self._waiters
            and (not self._held or self._holds_over())
        ):
            now = self._clock()
            if now >= self._cooldown_until:
                self._in_flight += 1
                if now < self._first_send:
                    self._first_send = now
                return now
        return None

    async def acquire(self) -> float:
        """Wait for a slot in flight, the cool-down and a token; return the ticket.

        Slots are handed out first come, first served: after a 429, the next probe is
        another call's, so no one call spends all its retries on a closed API.
        """
        if self._held:
            await self._own_retry_after()
        if self._in_flight >= self._window or self._waiters:
            await self._wait_for_slot()
        else:
            self._in_flight += 1
        return await self._clear_to_send()

    def _holds_over(self) -> bool:
        """Forget every call's own hold once the last one has ended (for ``ready``)."""
        if self._clock() < self._held_until:
            return False
        self._held.clear()
        return True

    async def _own_retry_after(self) -> None:
        """A refused call waits out its own hold, even if the others may go."""
        task = asyncio.current_task()
        until = self._held.pop(task, None) if task is not None else None
        if until is not None and until > self._clock():
            self._holding += 1  # still wanting to go: counted in the demand
            try:
                await self._sleep(until - self._clock())
            finally:
                self._holding -= 1

    async def _cooldown(self, seconds: float) -> None:
        """Sleep ``seconds`` of the shared cool-down, or until it is lifted."""
        if self._lifted is None:
            self._lifted = asyncio.get_running_loop().create_future()
        await self._sleep_or(seconds, self._lifted)

    async def _sleep_or(self, seconds: float, event: asyncio.Future[None]) -> None:
        """Sleep ``seconds``, or until ``event`` is set."""
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait((sleeper, event), return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()

    async def _clear_to_send(self) -> float:
        """Wait for the cool-down and the pace, holding a slot; give it up if cancelled."""
        holding = True
        try:
            waited_for = -math.inf
            while True:
                deadline = self._cooldown_until
                now = self._clock()
                if now < deadline and deadline > waited_for:
                    waited_for = deadline  # a deadline is waited for once; a later one again
                    await self._cooldown(deadline - now)
                    shrank = self._in_flight > self._window  # the window shrank meanwhile
                elif self._rate is not None or self._batch is not None:
                    events = self.throttle_events
                    # not booked: throttled while this call waited for its turn, and the
                    # window shrank to a probe
                    shrank = not await self._pace(events)
                    if not shrank:
                        if self.throttle_events != events and self._cooldown_until > self._clock():
                            continue  # throttled while this call waited for its turn
                        now = self._clock()
                        break
                else:
                    break
                if shrank:  # the slot this call took before binds it no more
                    holding = False
                    self._free_slot()
                    await self._wait_for_slot()
                    holding = True
            if now < self._first_send:
                self._first_send = now
            return now
        except BaseException:
            if holding:  # else it is not this call's: it left the line, or passed it on
                self._free_slot()
            raise

    async def _wait_for_slot(self) -> None:
        """Wait until a slot is handed over (``_in_flight`` already counts it)."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._free_slot()  # pass the slot this call was given on
            else:
                self._waiters.remove(waiter)
            raise

    def _wake(self) -> None:
        while self._waiters and self._in_flight < self._window:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._in_flight += 1
                waiter.set_result(None)

    def _free_slot(self) -> None:
        self._in_flight -= 1
        if self._waiters:
            self._wake()

    async def _pace(self, events: int) -> bool:
        """Wait for this call's turn at the paced rate (GCRA, one call booked at a time).

        Calls queue on a lock and only the first sleeps, so a rate that changes while
        they wait applies at once, and none is booked far ahead at a stale rate.

        Returns ``False`` (not booked) when a throttling event since ``events`` shrank
        the window below the calls holding a slot: after a 429 one probe goes, not
        every call that was queued here when it came.
        """
        if self._pacer is None:
            self._pacer = asyncio.Lock()
        async with self._pacer:
            while True:
                if self.throttle_events != events and self._in_flight > self._window:
                    return False
                if self._batch is not None:
                    if await self._next_in_batch(self._batch):
                        return True
                    continue
                rate = self._rate
                if rate is None:
                    return True
                now = self._clock()
                at = self._next_at - self._tolerance(rate)
                if at <= now:
                    self._next_at = max(self._next_at, now) + 1.0 / rate
                    return True
                await self._cooldown(at - now)  # a lifted cool-down voids the booking

    async def _next_in_batch(self, size: int) -> bool:
        """Count this call into the current batch, or wait for the next one to begin."""
        now = self._clock()
        if now < self._cooldown_until:  # throttled while this call waited for its turn
            await self._cooldown(self._cooldown_until - now)
            return False
        if now >= self._batch_last + self._batch_period:
            if self._batch_refused:  # a batch that was refused shows the quota...
                if self._batch_ok < (1 - QUOTA_MATCH) * size:  # ...unless it shrank
                    self._end_batches(refilled=False)
                    return True
                size = self._batch = max(1, self._batch_ok)
            self._batch_start, self._batch_sent = now, 0
            self._batch_ok, self._batch_refused = 0, False
        if self._batch_sent < size:
            if self._batch_sent and not self._batch_ok:
                # the batch's first request goes alone: a quota that has not reset yet
                # (a period learned too short) refuses one request, not the batch
                await self._batch_answered(self._batch_last + self._batch_period - now)
                return False
            self._batch_sent += 1
            self._batch_last = now
            return True
        # the next batch goes a period after this one's last request (a sliding log
        # counts each request's age)
        next_batch = self._batch_last + self._batch_period
        if self._batch_probe == -math.inf:  # due: one request a quota's interval later
            probe_at = self._batch_last + self._batch_period / max(2, size)
            if now >= probe_at:
                self._batch_probe = now
                return True
            next_batch = probe_at
        await self._cooldown(next_batch - now)
        return False

    async def _batch_answered(self, timeout: float) -> None:
        """Wait until a request of the current batch is answered, at most ``timeout``."""
        if self._batch_gate is None:
            self._batch_gate = asyncio.get_running_loop().create_future()
        await self._sleep_or(timeout, self._batch_gate)

    def _tolerance(self, rate: float) -> float:
        # a fixed rate allows one second's worth of burst, until the API refuses one; a
        # learned one paces evenly
        if rate != self._ceiling or self.throttle_events:
            return 0.0
        return (max(1.0, rate) - 1.0) / rate

    # -- after an attempt --------------------------------------------------------------

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
        self._in_flight -= 1
        now = self._clock()
        self._low_demand[min(self.demand.bit_length(), 31)] = now
        if status == 429:
            self._throttled(ticket, retry_after, now)
        elif status is not None:
            self._succeeded(ticket, now)
        answered = self._batch_gate
        if answered is not None and ticket >= self._batch_start:
            self._batch_gate = None
            if not answered.done():
                answered.set_result(None)
        if self._waiters:
            self._wake()

    def _succeeded(self, ticket: float, now: float) -> None:
        if self._streaks:
            task = _current_task()
            if task is not None:
                self._streaks.pop(task, None)
        self._ok.add(self._active(now))
        rtt = now - ticket
        self._rtt = rtt if not self._rtt else 0.9 * self._rtt + 0.1 * rtt
        if ticket > self._lifted_at:
            self._since_lift += 1
        if ticket == self._batch_probe:  # the API refilled between batches
            self._end_batches(refilled=True)
        elif ticket >= self._batch_start:
            self._batch_ok += 1
        if self._cycle_from <= ticket < self._last_throttle:
            self._ok_last_cycle += 1  # late, but of the cycle the last event ended
        lifts = self._adaptive and self._outage and ticket > self._refused_at
        if lifts and now < self._cooldown_until:
            # sent after a refused request, and let through: open again (a lift trades
            # the pause for a cut of the pace, so only when the pace can be cut)
            self._lift(now, ticket)
        if ticket < self._last_throttle:
            return  # sent before the last throttle: says nothing about what follows
        self._last_ok.append(self._active(now))
        self._ok_since_event += 1
        if self._outage:  # the first success after a throttle: the API is open again
            self._outage_over(now, ticket)
        self._no_hint_pause = 0.0
        if self._in_flight + 2 > self._window:  # only a window that is full grows
            if self.throttle_events:
                self._window += 1 / self._window  # one more per round trip
            else:
                self._window += SLOW_START  # slow start: x(1 + SLOW_START) a round trip
            self._window = min(self._window, MAX_WINDOW)
        if (
            self._adaptive
            and self._batch is None
            and self._rate is not None
            and self._next_at > now
        ):
            # calls are queued behind the pace, so it binds: raise it
            elapsed = now - self._climb_from
            cubic = self._max_rate * (1 + self._cubic_scale * (elapsed - self._cubic_k) ** 3)
            if self._blind:  # the first event's guess says little: climb like slow start
                cubic = max(cubic, BETA * self._max_rate * 2 ** (elapsed / DOUBLING))
            self._set_rate(max(self._rate, cubic))

    def _lift(self, now: float, sent: float) -> None:
        """End the shared cool-down early: the API let a later request through."""
        if self._cooldown_until > self._hinted_from:  # a Retry-After not waited out
            self._paused -= self._cooldown_until - max(now, self._hinted_from)
        self._cooldown_until = now
        self._lifted_at = now
        # a later request went through: not a quota that resets
        self._batch = self._batch_probe = None
        self._since_lift = 0
        self._next_at = min(self._next_at, now)
        self._resumed = self._active(now)
        self._paused_for = None  # not waited out: the API opened before
        self._outage_over(now, sent)
        # the event cost next to nothing, and a later request went through: the limit
        # binds the pace or the number in flight, and the refused pace bounds it closely
        self._event_pause = now - self._last_throttle
        refused = self._refused_pace
        if self._adaptive and refused is not None and self._trust_pace:
            self._max_rate = max(refused, MIN_RATE)
            self._set_rate(max(self._rate or 0.0, BETA * self._max_rate))
            self._set_plateau(MIN_PLATEAU)
            self._blind = False
        elif self._adaptive and self._rate is not None:
            # the plateau was sized for the pause the event would cost; it cost this much
            plateau = max(MIN_PLATEAU, PLATEAU * self._event_pause)
            if plateau < self._cubic_k:
                self._set_plateau(plateau)
        lifted, self._lifted = self._lifted, None
        if lifted is not None and not lifted.done():
            lifted.set_result(None)

    def _hold(self, now: float, delay: float, hinted: bool) -> None:
        """Hold the refused call for ``delay``; without a hint, doubled per refusal in a row."""
        task = _current_task()
        if task is not None:
            streak = self._streaks[task] = self._streaks.get(task, 0) + 1
            if not hinted:
                delay = min(NO_HINT_MAX, max(delay, NO_HINT_MIN) * 2 ** (streak - 1))
            self._held[task] = now + delay
            self._held_until = max(self._held_until, now + delay)

    def _throttled(self, ticket: float, retry_after: float | None, now: float) -> None:
        same_event = ticket <= self._last_throttle or self._outage
        before = self._cooldown_until
        if retry_after is not None:
            delay = retry_after
        elif ticket <= self._last_throttle:
            delay = max(0.0, before - now)  # a late answer to what was sent before
        else:
            delay = self._next_no_hint_pause(now)
        if self._adaptive:  # without it nothing lifts a pause: the shared one is enough
            self._hold(now, delay, retry_after is not None)
        if ticket <= self._lifted_at:
            return  # an event already over: the API let later requests through
        if ticket == self._batch_probe:
            self._batch_probe = None  # the quota is confirmed; the next batch is due
            return
        if now + delay > before:
            self._cooldown_until = now + delay
            if retry_after is not None:
                self._paused += now + delay - max(before, now)
                self._hinted_from = min(self._hinted_from, max(before, now))
            else:
                self._hinted_from = math.inf
        if not same_event or ticket < self._refused_at:
            self._refused_at = ticket
        if ticket >= self._batch_start:
            self._batch_refused = True
        if same_event and ticket > self._last_throttle:  # a probe, refused
            self._probed_until = max(self._probed_until, ticket)
        if same_event:
            self._event_pause = max(self._event_pause, self._cooldown_until - self._last_throttle)
            return
        self._new_event(now, retry_after)
        logger.warning(
            "rate limited by the API: all calls pause %.2fs; client rate now %s",
            delay,
            "unlimited" if self._rate is None else f"{self._rate:.1f}/s",
        )

    def _demand_rose(self) -> float:
        """When calls wanting to go last numbered at most a quarter of what they do now.

        Before that, the client asked for less than the API allowed (a listing one page
        at a time before a bulk run): what went through then says nothing of the limit.
        """
        demand = self.demand + 1  # with the refused call
        if demand < 8:
            return -math.inf
        level = (demand // 4).bit_length()
        return max(self._low_demand[: level + 1])

    def _active(self, now: float) -> float:
        """``now`` on a clock that stands still while a ``Retry-After`` is waited out."""
        return now - self._paused

    def _next_no_hint_pause(self, now: float) -> float:
        """The next pause without ``Retry-After``, jittered: it grows per refused probe.

        An event's first pause starts where the last such outage still refused a probe:
        a window or a sliding log refuses for about as long each cycle, and doubling up
        from a few request intervals to a reset seconds away would overshoot it by up
        to as much again. For the same reason the pause grows by half, not double, once
        the API has refused for a second, and in the first event (nothing learned yet)
        the time searched since the 429 grows by half from the first refused probe on.
        """
        jitter = 1 + 0.5 * self._rand()
        if self._no_hint_pause:
            searched = now - self._last_throttle
            if self.throttle_events <= 1:
                # the first event's pause is a blind guess: doubled, a half-second guess
                # came back to a window per second 1.2 s after it reset; let the time
                # searched grow by half instead
                pause = max(self._no_hint_pause, 0.5 * searched)
            else:
                # past a second, a quota that resets: grow gentler, or the probe that
                # finds it open comes up to as long again after it opened
                pause = (2.0 if searched < LONG_OUTAGE else 1.5) * self._no_hint_pause
            self._no_hint_pause = min(NO_HINT_MAX, pause)
            return self._no_hint_pause * jitter
        interval = 4 / self._rate if self._rate else NO_HINT_BASE
        self._no_hint_pause = min(NO_HINT_BASE, max(NO_HINT_MIN, interval))
        floor = self._outage_floor
        # a long outage is a quota that resets: a sliding log when the first request it
        # let through ages out, a window at a fixed cadence; both about as long after
        # this open phase began as the last one was (the outage moves with the pace: a
        # slower phase leaves less of the period to wait)
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

    def _outage_over(self, now: float, sent: float) -> None:
        """The API is open again for a request ``sent`` then.

        Restore the window, note how long probes were refused, and begin an open phase.
        """
        self._outage = False
        self._window = max(self._window, self._resume_window)
        self._climb_from = now  # the cubic counts from here, not from the throttle
        open_from = self._open_from if self._open_from < math.inf else self._first_send
        self._open_from = sent
        if self._event_hinted or not self._adaptive:  # learning the API is adaptive
            return
        if self._probed_until > self._last_throttle:
            refused_for = self._probed_until - self._last_throttle
            self._outage_floor = min(NO_HINT_MAX, refused_for)
            self._reopens_after = self._probed_until - open_from
        else:  # the first probe went through: the API may have opened sooner
            self._outage_floor /= 2
            self._reopens_after -= self._no_hint_pause

    def _new_event(self, now: float, retry_after: float | None) -> None:
        """Note a new throttling event: learn from the cycle it ends, start a new one."""
        self.throttle_events += 1
        previous = self._last_throttle
        # what succeeded lately, not counting time spent waiting out a Retry-After
        active = self._active(now)
        # the run started with the first send, or when demand last rose (before that,
        # the client asked for less than the API allows: a listing one page at a time)
        start = self._active(self._first_send) if self._first_send < now else -math.inf
        start = max(start, self._active(self._demand_rose()))
        since = max(start, self._resumed)
        # over MEASURE seconds, or over the run's age when it is younger than that
        # (dividing a young run's successes by a whole second would take its first
        # tenth of a second for the limit)
        age = active - start if start > -math.inf else 0.0
        shortest = min(MEASURE, max(age, self._rtt, SLOT))
        allowed = self._ok.per_second(active, max(since, active - MEASURE), shortest=shortest)
        samples = self._ok.per_second(active, since) * min(RECENT, max(active - since, 1.0))
        # probe with one request once the pause is over; the first success restores
        # most of the window that was in flight when the API said no
        self._resume_window = max(1.0, BETA * max(self._in_flight + 1, 1))
        self._window = 1.0
        self._next_at = self._cooldown_until  # bookings made before the event are void
        self._resumed = self._active(self._cooldown_until)
        self._outage = True
        self._last_throttle = now
        self._event_hinted = retry_after is not None
        self._probed_until = -math.inf
        self._event_pause = self._cooldown_until - now
        self._refused_pace = self._rate
        # refused again right after a lifted cool-down: the limiter is refusing whatever
        # the pace (an empty bucket, a spent quota), so that pace says nothing
        lifted_last = self._lifted_at >= previous
        self._trust_pace = not lifted_last or self._since_lift >= MIN_SAMPLES
        ended_blind_climb = self._blind
        # back from a Retry-After of a second or less and refused again after as many
        # successes as the cycle before: a quota that each such pause resets (a window
        # per second, ``Retry-After: 1``); the API lets that many through per pause
        paused_for, self._paused_for = self._paused_for, retry_after
        quota, previous_quota = self._ok_since_event, self._ok_last_cycle
        self._ok_last_cycle, self._ok_since_event = quota, 0
        self._cycle_from = previous
        short = (
            paused_for is not None
            and retry_after is not None
            and 0 < max(paused_for, retry_after) <= MEASURE
        )
        if not short or not self._adaptive or self._ceiling is not None:
            self._batch = self._batch_probe = None
        elif self._batch is None and quota > 0:
            period = max(paused_for or 0.0, retry_after or 0.0)
            # as many successes as the cycle before, all within a period of the pause
            if (
                abs(quota - previous_quota) <= QUOTA_MATCH * max(quota, previous_quota)
                and now - previous <= (paused_for or 0.0) + period
            ):
                self._start_batches(quota, period, previous)
        if self._batch is not None:
            self._resume_window = max(self._resume_window, self._batch)
        if self._adaptive and allowed > 0:  # with no success seen, the limit is unknown
            rate = self._rate
            if rate is not None:
                allowed = min(allowed, rate)
                if ended_blind_climb:  # the pace doubled a moment ago and went through
                    allowed = max(allowed, rate / 2)
                elif rate > self._max_rate:
                    # refused while probing past the last maximum: a second's successes
                    # lag a pace that climbs; the last few went as fast as the API allowed
                    allowed = max(allowed, min(self._recent_pace(), rate))
            self._max_rate = max(allowed, MIN_RATE)
            self._set_rate(self._max_rate * BETA)
            # the cubic starts at BETA * max and is back at max after K seconds; with
            # few successes to go by, the maximum is a guess: climb back fast
            few = samples < FEW_SAMPLES or ended_blind_climb
            plateau = 0.0 if few else PLATEAU * self._event_pause
            self._blind = self.throttle_events == 1 and samples < MIN_SAMPLES
            self._set_plateau(max(MIN_PLATEAU, plateau))

    def _start_batches(self, quota: int, period: float, cycle_from: float) -> None:
        """Send ``quota`` at a time, one batch per ``period``, from the next send on.

        The cycle that began at ``cycle_from`` counts as a refused batch: its successes
        still coming back size the first batch.
        """
        self._batch, self._batch_period = quota, period
        self._batch_start, self._batch_ok, self._batch_refused = cycle_from, quota, True
        self._batch_last = cycle_from
        self._batch_sent = quota
        self._batch_probe = -math.inf  # the first batch is followed by a probe

    def _end_batches(self, refilled: bool) -> None:
        """Back to a pace, climbing from what the batches sustained.

        ``refilled``: the API let a request through between batches, so it allows more
        than they sent; the pace learned before the batches stands if it is higher.
        """
        assert self._batch is not None
        sustained = self._batch / self._batch_period
        if refilled:
            self._set_rate(max(self._rate or 0.0, sustained))
        else:
            self._max_rate = max(sustained, MIN_RATE)
            self._set_rate(BETA * self._max_rate)
            self._set_plateau(MIN_PLATEAU)
            self._blind = False
        self._batch = self._batch_probe = None

    def _set_plateau(self, seconds: float) -> None:
        """The cubic starts at ``BETA`` times the maximum and is back at it after ``seconds``."""
        self._cubic_k = seconds
        self._cubic_scale = (1 - BETA) / seconds**3

    def _recent_pace(self) -> float:
        """Successes per second over the last ``FEW_SAMPLES`` of them (0.0 if unknown)."""
        times = self._last_ok
        if len(times) < FEW_SAMPLES or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def _set_rate(self, rate: float) -> None:
        rate = max(MIN_RATE, rate)
        if self._ceiling is not None:
            rate = min(rate, self._ceiling)
        if self._rate is None:
            self._next_at = self._clock()
        self._rate = rate
