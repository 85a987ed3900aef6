"""The throttle's side of a shared rate: sends booked through a store other processes share.

``SharedSchedule`` is a ``Schedule`` (see ``_schedule``) that asks a ``SharedRate`` (the
Redis store's channel for one key) before each send: the store answers with the
fleet's shared cool-down and a booking at the fleet's learned rate, as a wait; nothing
is reserved, so a process that dies leaves nothing behind. Every 429 is reported with
the generation of the event the request was booked in, so the store cuts the shared
rate once per event, however many processes see it. Successes are counted here and
handed over with the next call, so the store measures the fleet's rate at no extra
round trip. When this process sees the API open again before the pause's end (the
throttle's lift), the next booking tells the store, which ends the pause for all: the
others ask again every ``POLL`` seconds of a long wait, so they see it end, and a
process waiting out its own 429's pause peeks at the fleet's every ``POLL`` too.

When the store cannot be reached, the schedule stops binding and the client's own
schedules (the pace, the quota batches) take over, with one log line; the store is
asked again every ``RECHECK`` seconds at most (never once per request), and the client
rejoins when it answers. The local gate still limits the attempts in flight. While
the fleet has no pace (no shared rate, no pause, its start pace over), a booking lets
the client send without asking for ``LEASE`` seconds: a fleet that is never throttled
pays one round trip per ``LEASE``, not one per request.
"""

from __future__ import annotations

import asyncio
import collections
import math
from typing import NamedTuple, Protocol

from .._logs import logger
from .._types import Clock
from ._cooldown import Cooldown

__all__ = [
    "LEASE",
    "POLL",
    "RECHECK",
    "Booking",
    "SharedRate",
    "SharedSchedule",
    "SharedStoreError",
]

RECHECK = 1.0  # seconds: an unreachable store is asked again at most this often
LEASE = 0.02  # seconds a fleet with no pace sends without asking (a pause seen this late)
POLL = 0.1  # seconds: a fleet's pause is asked about again this often (another may lift it)
_GENERATIONS = 16  # generations remembered, with when they were first seen


class SharedStoreError(Exception):
    """The shared store did not answer (its message names no address or secret)."""


class Booking(NamedTuple):
    """A store's answer to a booking: how long to wait, and the event generation."""

    wait: float  # seconds before asking again; 0.0: booked, the request may go now
    generation: int  # throttling events the fleet has seen on this key
    paced: bool = True  # False: no shared rate nor pause, sends need no booking for a moment


class SharedRate(Protocol):
    """A rate shared with the other processes on one key (a store's live channel)."""

    async def acquire(self, successes: int, lift: int = -1) -> Booking:
        """Book a send; ``successes`` since the last call are counted for the fleet.

        ``lift``: the generation this process knew when it saw the API open again (a
        request sent after a refused one went through), to end the fleet's pause; -1: none.

        Raises:
            SharedStoreError: The store did not answer.
        """

    async def report(self, generation: int, pause: float, successes: int) -> int:
        """A 429 for a request booked in ``generation``; pause the fleet ``pause`` seconds.

        Returns:
            The generation after it (one more when this 429 began a new event).

        Raises:
            SharedStoreError: The store did not answer.
        """

    async def pause_left(self) -> float:
        """Seconds left in the fleet's pause (0.0: none).

        Raises:
            SharedStoreError: The store did not answer.
        """


class SharedSchedule:
    """A ``Schedule`` that books sends through a ``SharedRate``, or stands aside while it is down.

    Args:
        rate: The store's channel for this client's key.
        cooldown: The client's cool-down (a lift ends a wait for the fleet's pace).
        clock: Monotonic clock in seconds.
        recheck: Seconds between attempts to reach a store that did not answer.
    """

    def __init__(
        self, rate: SharedRate, *, cooldown: Cooldown, clock: Clock, recheck: float = RECHECK
    ) -> None:
        self._rate = rate
        self._cooldown = cooldown
        self._clock = clock
        self._recheck = recheck
        self._retry_at = -math.inf  # while down: not asked before this
        self._free_until = -math.inf  # no pace, no pause: sends need no booking until then
        self._down = False
        self._successes = 0  # not yet handed to the store
        self._lift = -1  # the generation whose pause this process saw end, to hand over
        # (when first seen, generation), to tell which generation a ticket was booked in
        self._generations: collections.deque[tuple[float, int]] = collections.deque(
            [(-math.inf, 0)], maxlen=_GENERATIONS
        )
        self._reports: set[asyncio.Task[None]] = set()
        self._watching = False  # a report's task watches the fleet's pause

    @property
    def shared(self) -> bool:
        """Whether the store answers (the fleet's schedule is in use)."""
        return not self._down

    @property
    def binds(self) -> bool:
        """While the store answers (and the fleet is paced), or when it is time to ask again."""
        if self._down:
            return self._clock() >= self._retry_at
        return self._free_until == -math.inf or self._clock() >= self._free_until

    async def book(self) -> bool:
        """Ask the store for a booking; ``False`` after waiting, or when it is down."""
        successes, self._successes = self._successes, 0
        lift, self._lift = self._lift, -1
        try:
            booking = await self._rate.acquire(successes, lift)
        except SharedStoreError as exc:
            self._successes += successes
            self._fell_back(exc)
            return False  # the throttle asks the next schedule that binds
        self._answered(booking.generation)
        self._free_until = -math.inf if booking.paced else self._clock() + LEASE
        if booking.wait <= 0:
            return True
        await self._cooldown.sleep(min(booking.wait, POLL))
        return False

    def report(self, sent: float, pause: float) -> None:
        """A 429 for the request sent at ``sent``: tell the store, without waiting for it."""
        if self._down:
            return
        generation = self._generation_at(sent)
        successes, self._successes = self._successes, 0
        task = asyncio.get_running_loop().create_task(self._report(generation, pause, successes))
        self._reports.add(task)
        task.add_done_callback(self._reports.discard)

    async def _report(self, generation: int, pause: float, successes: int) -> None:
        self._free_until = -math.inf  # the next send asks: the fleet may be paused now
        try:
            after = await self._rate.report(generation, pause, successes)
            self._answered(after)
            await self._watch()
        except SharedStoreError as exc:
            self._fell_back(exc)

    async def _watch(self) -> None:
        """While this process waits out its own pause, end it when the fleet's ends first.

        Another process may lift the fleet's pause (it saw the API open again); this
        one's copy of the pause, from its own 429, would otherwise hold it back.
        """
        if self._watching:
            return
        self._watching = True
        try:
            while self._cooldown.until > self._clock():
                if await self._rate.pause_left() <= 0:
                    self._cooldown.lift(self._clock())
                    return
                await self._cooldown.sleep(min(POLL, self._cooldown.until - self._clock()))
        finally:
            self._watching = False

    async def aclose(self) -> None:
        """Wait for the reports still on their way (each is bounded by the store's timeout)."""
        if self._reports:
            await asyncio.gather(*self._reports, return_exceptions=True)

    def _answered(self, generation: int) -> None:
        if self._down:
            self._down = False
            logger.warning("rate store reachable again: this client rejoins the shared rate")
        if generation != self._generations[-1][1]:
            self._generations.append((self._clock(), generation))

    def _fell_back(self, exc: SharedStoreError) -> None:
        self._retry_at = self._clock() + self._recheck
        if not self._down:
            self._down = True
            logger.warning(
                "rate store unreachable (%s): this client paces itself until it answers", exc
            )

    def _generation_at(self, sent: float) -> int:
        """The generation the store had given when a request was sent at ``sent``."""
        for seen, generation in reversed(self._generations):
            if seen <= sent:
                return generation
        return self._generations[0][1]

    # -- the Schedule protocol: the store learns from counts; the rest is local --------

    def on_answer(self, sent: float) -> None:
        """Nothing to do: a booking holds nothing to give back."""

    def on_success(self, sent: float, now: float, event_at: float) -> None:
        """Count a success, for the fleet's rate (handed over with the next call)."""
        self._successes += 1

    def on_429(self, sent: float) -> bool:
        """Reported through ``report``; never a probe of this schedule's."""
        return False

    def on_event(
        self, now: float, previous: float, retry_after: float | None, until: float
    ) -> int | None:
        """The store learns events from the reports."""
        return None

    def on_lift(self, now: float) -> None:
        """The API let a later request through: the next booking ends the fleet's pause."""
        self._lift = self._generations[-1][1]
        self._free_until = -math.inf
