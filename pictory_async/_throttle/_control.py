"""The throttle: the one place where a client decides when the next attempt may go.

``Throttle.acquire`` (or its sync fast path ``ready``) is consulted before each
attempt, and ``Throttle.release`` is told how each attempt ended, exactly once per
ticket. It composes small parts, none of which assumes a shape of the server's limiter:
the gate (the window of attempts in flight and the line for it), the shared cool-down
after a 429, each refused call's own hold, the rate estimate learned from the answers,
and the schedules that space the sends (a pace, or batches for a quota per pause).
This module only wires them: what each does is in its own module.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable
from typing import Protocol

from .._logs import logger
from .._types import Clock, Sleep
from ._batches import QuotaBatches
from ._cooldown import Cooldown
from ._estimator import Estimator, Refusal
from ._gate import INITIAL_WINDOW, Gate
from ._holds import Holds
from ._learned import IDLE_MIN, Learned
from ._pacer import Pacer
from ._schedule import Schedule
from ._shared import SharedRate, SharedSchedule

__all__ = ["RateControl", "Throttle"]


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
        shared: A rate shared with other processes (a rate store's channel): sends
            are booked through it while it answers (see ``_shared``).
        learned: What an earlier throttle learned (``Throttle.learned()``): start from
            its window and rate instead of slow start (the rate still climbs).
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
        learned: Learned | None = None,
        shared: SharedRate | None = None,
    ) -> None:
        self._clock = clock
        self._adaptive = adaptive
        self._estimator = Estimator(rate_limit=rate_limit, adaptive=adaptive)
        self._gate = Gate(initial_window)
        self._cooldown = Cooldown(sleep=sleep, rand=rand, adaptive=adaptive)
        self._holds = Holds(clock=clock, sleep=sleep)
        self._pacer = Pacer(
            estimate=self._estimator,
            cooldown=self._cooldown,
            clock=clock,
            rate_limit=rate_limit,
            now=clock(),
        )
        # asked in order, the first that binds books the sends: a quota per pause, when
        # one is found, before the pace (a new limiter shape is one more entry here)
        self._schedules: tuple[Schedule, ...] = (self._pacer,)
        self._batches: QuotaBatches | None = None
        if adaptive and rate_limit is None:  # batches could exceed a fixed rate
            batches = self._batches = QuotaBatches(
                cooldown=self._cooldown, clock=clock, sleep=sleep, back_to_pace=self._back_to_pace
            )
            self._schedules = (batches, self._pacer)
        self._shared: SharedSchedule | None = None  # the fleet's schedule, first when there
        if shared is not None:
            self._shared = SharedSchedule(shared, cooldown=self._cooldown, clock=clock)
            self._schedules = (self._shared, *self._schedules)
        self._booking: asyncio.Lock | None = None  # one call books at a time
        self._idle_from: float | None = None  # when the last call was answered, none left
        if learned is not None:
            self._start_from(learned)

    # -- what others may read ----------------------------------------------------------

    @property
    def rate(self) -> float | None:
        """The current client-side rate limit in requests/second, or ``None`` when off."""
        return self._estimator.rate

    @property
    def cooldown_remaining(self) -> float:
        """Seconds left in the shared cool-down."""
        return max(0.0, self._cooldown.until - self._clock())

    @property
    def in_flight(self) -> int:
        """Attempts that hold a ticket not yet released."""
        return self._gate.in_flight

    @property
    def demand(self) -> int:
        """Calls that want to go: in flight, in line, or waiting out their own hold."""
        return self._gate.in_flight + self._gate.queued + self._holds.holding

    @property
    def window(self) -> int:
        """How many attempts may be in flight at once now."""
        return int(self._gate.window)

    @property
    def throttle_events(self) -> int:
        """How many times the API has rate limited this client (429s of one event count once)."""
        return self._estimator.events

    # -- what was learned --------------------------------------------------------------

    def learned(self) -> Learned:
        """What this throttle learned: another run or process can start from it."""
        estimator = self._estimator
        rate, limit = estimator.rate, estimator.limit
        batched = self._batches.rate if self._batches is not None else None
        if batched is not None:  # the pace waits while batches go: what they sustain
            rate = limit = batched
        return Learned(
            rate=rate if limit is not None else None,
            limit=limit,
            window=max(1.0, self._gate.window),
            events=estimator.events,
            regrow_to=self._gate.regrow_to or None,
        )

    def _start_from(self, learned: Learned) -> None:
        """Start from what was learned before (another run, or before an idle spell)."""
        now = self._clock()
        before = self._estimator.rate
        self._estimator.restart(now, rate=learned.rate, limit=learned.limit, events=learned.events)
        self._gate.restart(learned.window, learned.regrow_to)
        if before is None and self._estimator.rate is not None:
            self._pacer.start(now)

    def _after_idle(self) -> None:
        """Age what was learned by the time nobody wanted to send (``Learned.decayed``)."""
        idle_from, self._idle_from = self._idle_from, None
        if idle_from is None:
            return
        idle = self._clock() - max(idle_from, self._cooldown.until)
        if idle >= IDLE_MIN:
            self._start_from(self.learned().decayed(idle) or Learned())

    # -- before an attempt -------------------------------------------------------------

    def ready(self) -> float | None:
        """The ticket if a request may go now without waiting, else ``None``."""
        if self._idle_from is not None:
            self._after_idle()
        if self._schedule() is None and self._gate.open and (not self._holds or self._holds.over()):
            now = self._clock()
            if now >= self._cooldown.until:
                self._gate.in_flight += 1
                self._estimator.on_send(now)
                return now
        return None

    async def acquire(self) -> float:
        """Wait for a slot in flight, the cool-down and the schedule; return the ticket.

        Slots are handed out first come, first served: after a 429, the next probe is
        another call's, so no one call spends all its retries on a closed API.
        """
        if self._idle_from is not None:
            self._after_idle()
        if self._holds:
            await self._holds.wait()
        await self._gate.enter()
        return await self._clear_to_send()

    def _schedule(self) -> Schedule | None:
        """The schedule sends wait for now, if any."""
        for schedule in self._schedules:
            if schedule.binds:
                return schedule
        return None

    async def _clear_to_send(self) -> float:
        """Wait for the cool-down and the schedule, holding a slot; give it up if cancelled."""
        gate = self._gate
        holding = True
        try:
            waited_for = -math.inf
            while True:
                deadline = self._cooldown.until
                now = self._clock()
                if now < deadline and deadline > waited_for:
                    waited_for = deadline  # a deadline is waited for once; a later one again
                    await self._cooldown.sleep(deadline - now)
                    shrank = gate.shrank  # the window shrank meanwhile
                elif self._schedule() is not None:
                    events = self._estimator.events
                    # not booked: throttled while this call waited for its turn, and the
                    # window shrank to a probe
                    shrank = not await self._book(events)
                    if not shrank:
                        if (
                            self._estimator.events != events
                            and self._cooldown.until > self._clock()
                        ):
                            continue  # throttled while this call waited for its turn
                        now = self._clock()
                        break
                else:
                    break
                if shrank:  # the slot this call took before binds it no more
                    holding = False
                    gate.free()
                    await gate.wait()
                    holding = True
            self._estimator.on_send(now)
            return now
        except BaseException:
            if holding:  # else it is not this call's: it left the line, or passed it on
                gate.free()
            raise

    async def _book(self, events: int) -> bool:
        """Wait for this call's turn on the schedule, one call booked at a time.

        Calls queue on a lock and only the first waits, so a schedule that changes
        while they wait applies at once.

        Returns ``False`` (not booked) when a throttling event since ``events`` shrank
        the window below the calls holding a slot: after a 429 one probe goes, not
        every call that was queued here when it came.
        """
        if self._booking is None:
            self._booking = asyncio.Lock()
        async with self._booking:
            while True:
                if self._estimator.events != events and self._gate.shrank:
                    return False
                schedule = self._schedule()
                if schedule is None or await schedule.book():
                    return True

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
        gate = self._gate
        gate.in_flight -= 1
        now = self._clock()
        self._estimator.on_answer(now, gate.in_flight + gate.queued + self._holds.holding)
        if status == 429:
            self._throttled(ticket, retry_after, now)
        elif status is not None:
            self._succeeded(ticket, now)
        for schedule in self._schedules:
            schedule.on_answer(ticket)
        gate.wake()
        if not (gate.in_flight or gate.queued or self._holds.holding):
            self._idle_from = now  # nobody wants to go: idle from here, until the next call

    def _succeeded(self, ticket: float, now: float) -> None:
        """A success: the schedules first (one may hand back to the pace), then the rest."""
        estimator, cooldown = self._estimator, self._cooldown
        self._holds.forget_streak()
        for schedule in self._schedules:
            schedule.on_success(ticket, now, estimator.last_throttle)
        queued = self._schedule() is self._pacer and self._pacer.behind(now)
        seen = estimator.on_success(
            now, ticket, until=cooldown.until, unwaited=cooldown.unwaited(now), queued=queued
        )
        if seen.lifted:
            cooldown.lift(now)
            for schedule in self._schedules:
                schedule.on_lift(now)
        if seen.opened:
            self._gate.restore()
            cooldown.on_open(
                ticket, event_at=estimator.last_throttle, first_send=estimator.first_send
            )
        if seen.fresh:
            cooldown.on_fresh_success()
            self._gate.grow(slow_start=not estimator.events)

    def _throttled(self, ticket: float, retry_after: float | None, now: float) -> None:
        """A 429: hold the call, extend the cool-down, and on a new event reset the parts."""
        estimator, cooldown = self._estimator, self._cooldown
        if retry_after is not None:
            delay = retry_after
        elif estimator.late(ticket):
            delay = max(0.0, cooldown.until - now)  # a late answer to what was sent before
        else:
            delay = cooldown.no_hint_pause(
                now,
                rate=estimator.rate,
                event_at=estimator.last_throttle,
                first_event=estimator.events <= 1,
            )
        hinted = retry_after is not None
        if self._shared is not None:  # every 429 is reported: the store tells the events
            self._shared.report(ticket, delay)
        if self._adaptive:  # without it nothing lifts a pause: the shared one is enough
            self._holds.hold(now, delay, hinted=hinted)
        if estimator.lifted_since(ticket):
            return  # an event already over: the API let later requests through
        for schedule in self._schedules:
            if schedule.on_429(ticket):
                return  # a probe the schedule expected to be refused
        previous, rate = estimator.last_throttle, estimator.rate
        waited = cooldown.extend(now, delay, hinted=hinted)
        refusal = estimator.on_429(
            now, ticket, retry_after, until=cooldown.until, waited=waited, demand=self.demand
        )
        if refusal is Refusal.PROBE:
            cooldown.on_probe_refused(ticket)
        if refusal is not Refusal.NEW:
            return
        # probe with one request once the pause is over; the first success restores
        # most of the window that was in flight when the API said no
        self._gate.probe()
        cooldown.on_event(hinted=hinted)
        for schedule in self._schedules:
            slots = schedule.on_event(now, previous, retry_after, cooldown.until)
            if slots is not None:
                self._gate.resume_at_least(slots)
        if rate is None and estimator.rate is not None:
            self._pacer.start(now)
        logger.warning(
            "rate limited by the API: all calls pause %.2fs; client rate now %s",
            delay,
            "unlimited" if estimator.rate is None else f"{estimator.rate:.1f}/s",
        )

    def _back_to_pace(self, rate: float, more: bool) -> None:
        """A schedule hands back to the pace, at the rate it sustained (at least, if ``more``)."""
        before = self._estimator.rate
        self._estimator.on_sustained(rate, more=more)
        if before is None and self._estimator.rate is not None:
            self._pacer.start(self._clock())
