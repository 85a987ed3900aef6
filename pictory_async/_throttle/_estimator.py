"""The rate estimate: how fast the API lets this client go, learned from its answers.

A pure, synchronous model fed events with the time they happened (no clock, no
asyncio): ``on_success`` for every success, ``on_429`` for every 429, which says
whether it began a new throttling event. 429s answering requests sent before the last
event was noted, and 429s before any success came back after it, belong to one event:
the rate drops once per event, not once per response.

The estimate (``rate``, requests/second) is ``None`` until the first event, unless a
ceiling was given. At each event it is set to ``BETA`` times the rate the API let
through since the previous event, never above the rate that was just refused. Only
*active* time counts (time spent waiting out a ``Retry-After`` stands still) and only
time when the calls wanting to go were at least a quarter of what they are at the
event (before that, what went through was the client's demand, not the API's limit).
Then the rate climbs back along a cubic curve, flat near the last maximum for ten
times the pause the event cost, faster beyond it, and only while calls are queued
behind the pace. Three estimates refine the maximum:

- a **lifted** event (a request sent after the refused one went through) bounds the
  limit by the refused pace, unless it came right after another lift (an empty bucket
  refuses whatever the pace);
- after a **blind** first event (few successes to go by) the rate doubles every
  ``DOUBLING`` seconds, like slow start, and the event ending that climb keeps half
  the refused pace;
- an event refused while the pace probed past its last maximum takes at least the
  pace of the last ``FEW_SAMPLES`` successes (a second's average lags a climbing pace).

``restart`` starts from a rate learned before (another run's, or this one's after an
idle decay, see ``_learned``): on the cubic where it passes that rate.
"""

from __future__ import annotations

import collections
import enum
import math
from typing import NamedTuple

__all__ = [
    "BETA",
    "MEASURE",
    "MIN_RATE",
    "RECENT",
    "SLOT",
    "Estimator",
    "Refusal",
    "Success",
    "SuccessRate",
]

BETA = 0.85  # pace at this share of the rate the API allowed, after a throttle
PLATEAU = 10.0  # the cubic plateau lasts at least this many times the event's pause
MIN_PLATEAU = 1.0  # seconds: the shortest time to climb back to the previous maximum
MEASURE = 1.0  # seconds of recent successes the allowed rate is measured over
DOUBLING = 0.25  # seconds: after a blind first event the rate doubles this often
MIN_SAMPLES = 20  # fewer successes than this make the measured rate a guess
FEW_SAMPLES = 5  # fewer successes than this lately: no plateau, climb back fast
MIN_RATE = 0.5  # requests/second, the floor of the adaptive rate
RECENT = 2.0  # seconds of history for the recent success rate
SLOT = 0.1  # seconds per slot of that history


class SuccessRate:
    """Counts successes in ``SLOT``-wide slots over the last ``RECENT`` seconds."""

    def __init__(self) -> None:
        self._slots = [0] * int(RECENT / SLOT)
        self._current = 0

    def add(self, now: float) -> None:
        """Count one success at ``now``."""
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


class Refusal(enum.Enum):
    """What a 429 was, as ``Estimator.on_429`` tells it."""

    NEW = "a new throttling event"
    PROBE = "a refused probe: sent after the event was noted, before the API opened"
    LATE = "a late answer to a request sent before the event was noted"


class Success(NamedTuple):
    """What a success showed, as ``Estimator.on_success`` tells it."""

    fresh: bool  # sent after the last event (else it says nothing about what follows)
    opened: bool  # the first success since the event: the API is open again
    lifted: bool  # ...and the cool-down ends now, before its deadline


_STALE = Success(fresh=False, opened=False, lifted=False)
_LIFTED_STALE = Success(fresh=False, opened=True, lifted=True)
_LIFTED = Success(fresh=True, opened=True, lifted=True)
_REOPENED = Success(fresh=True, opened=True, lifted=False)
_FRESH = Success(fresh=True, opened=False, lifted=False)


class Estimator:
    """The learned rate and the throttling events it is learned from.

    Every method takes the time as an argument; nothing here sleeps or reads a clock.

    Args:
        rate_limit: A fixed ceiling in requests/second, or ``None``.
        adaptive: Learn the rate from 429s; without it the rate stays ``rate_limit``.
    """

    def __init__(self, *, rate_limit: float | None = None, adaptive: bool = True) -> None:
        self._ceiling = rate_limit
        self._adaptive = adaptive
        self.rate: float | None = rate_limit  # the paced rate (None: off)
        self.events = 0  # throttling events so far
        self.last_throttle = -math.inf  # when the last event was noted
        self.outage = False  # an event was noted and no success came back since
        self.first_send = math.inf
        self._refused_at = math.inf  # when the first refused request of the event was sent
        self._lifted_at = -math.inf  # when a cool-down was last lifted
        self._since_lift = 0  # successes sent after the last lifted cool-down
        self._event_pause = 0.0  # what the event cost, in seconds
        self._ok = SuccessRate()
        self._rtt = 0.0
        self._paused = 0.0  # seconds of Retry-After waited out, in total
        self._resumed = -math.inf  # when the last pause ended, on the active clock
        # when calls wanting to go last numbered at most 2**k - 1, per k: the allowed
        # rate is measured only over time when demand was high
        self._low_demand = [-math.inf] * 32
        # the cubic climb back to the last maximum
        self._max_rate = 0.0
        self._climb_from = -math.inf
        self._cubic_k = 0.0
        self._cubic_scale = 0.0
        self._blind = False  # the only event so far came with few successes to go by
        self._refused_pace: float | None = None  # the pace the event's requests went at
        self._trust_pace = False  # whether this event's refused pace bounds the limit
        # when the last few successes came back, on the active clock
        self._last_ok: collections.deque[float] = collections.deque(maxlen=FEW_SAMPLES)
        self._regrow: tuple[float, float] | None = None  # restarted below the cubic: at, from

    @property
    def limit(self) -> float | None:
        """The highest rate the API allowed at the last event (``None`` before any)."""
        return self._max_rate if self.events and self._adaptive and self._max_rate else None

    def restart(self, now: float, *, rate: float | None, limit: float | None, events: int) -> None:
        """Start at ``now`` from a rate learned before: by another run, or before an idle spell.

        The rate goes on along the cubic from where it passes ``rate``, as after an
        event that cost a second (back at ``limit`` within ``PLATEAU`` seconds, then
        past it); from below the curve it first doubles every ``DOUBLING`` seconds.

        Args:
            now: When the new start is.
            rate: The rate to pace at, ``None`` for none (the ceiling, if any).
            limit: The highest rate the API allowed, the maximum the rate climbs to.
            events: Throttling events seen so far.
        """
        self.events = events
        self._regrow = None
        self._blind = False
        if not self._adaptive or rate is None:
            self.rate, self._max_rate = self._ceiling, 0.0
            return
        paced = self._set_rate(rate)
        self._max_rate = max(limit or 0.0, paced)
        # on the cubic where it passes the remembered rate, as after an event that cost
        # a second (below its start, slow start up to it first)
        self._set_plateau(PLATEAU * MIN_PLATEAU)
        share = paced / self._max_rate
        if share < BETA:
            self._climb_from = now
            self._regrow = (now, paced)
        else:
            self._climb_from = now - self._cubic_k + ((1 - share) / self._cubic_scale) ** (1 / 3)

    # -- events ------------------------------------------------------------------------

    def on_send(self, now: float) -> None:
        """A request is sent at ``now``."""
        if now < self.first_send:
            self.first_send = now

    def on_answer(self, now: float, demand: int) -> None:
        """An answer came at ``now``, with ``demand`` calls still wanting to go."""
        self._low_demand[min(demand.bit_length(), 31)] = now

    def late(self, sent: float) -> bool:
        """Whether a request ``sent`` then went before the last event was noted."""
        return sent <= self.last_throttle

    def lifted_since(self, sent: float) -> bool:
        """Whether a cool-down was lifted after a request ``sent`` then: its event is over."""
        return sent <= self._lifted_at

    def on_429(
        self,
        now: float,
        sent: float,
        retry_after: float | None,
        *,
        until: float,
        waited: float,
        demand: int,
    ) -> Refusal:
        """A 429 at ``now`` for a request ``sent`` then; the first of an event cuts the rate.

        Args:
            now: When the 429 came.
            sent: When its request was sent.
            retry_after: The ``Retry-After`` it carried, if any.
            until: When the shared cool-down ends, this 429 counted.
            waited: Seconds of ``Retry-After`` this 429 added to the cool-down.
            demand: Calls wanting to go besides the refused one.
        """
        same_event = sent <= self.last_throttle or self.outage
        self._paused += waited
        if not same_event or sent < self._refused_at:
            self._refused_at = sent
        if same_event:
            self._event_pause = max(self._event_pause, until - self.last_throttle)
            return Refusal.PROBE if sent > self.last_throttle else Refusal.LATE
        self._new_event(now, retry_after, until, demand)
        return Refusal.NEW

    def on_success(
        self, now: float, sent: float, *, until: float, unwaited: float, queued: bool
    ) -> Success:
        """A success at ``now`` for a request ``sent`` then.

        Args:
            now: When the success came.
            sent: When its request was sent.
            until: When the shared cool-down ends.
            unwaited: Seconds of ``Retry-After`` in the cool-down not waited out yet.
            queued: Whether calls are queued behind the pace (only then does it climb).
        """
        self._ok.add(self._active(now))
        rtt = now - sent
        self._rtt = rtt if not self._rtt else 0.9 * self._rtt + 0.1 * rtt
        if sent > self._lifted_at:
            self._since_lift += 1
        lifted = self._adaptive and self.outage and sent > self._refused_at and now < until
        if lifted:
            # sent after a refused request, and let through: open again (a lift trades
            # the pause for a cut of the pace, so only when the pace can be cut)
            self._lift(now, unwaited)
        if sent < self.last_throttle:
            return _LIFTED_STALE if lifted else _STALE
        self._last_ok.append(self._active(now))
        if lifted:
            return _LIFTED
        if self.outage:  # the first success after a throttle: the API is open again
            self._reopened(now)
            seen = _REOPENED
        else:
            seen = _FRESH
        if self._adaptive and self.rate is not None and queued:
            self._climb(now)
        return seen

    def on_sustained(self, rate: float, *, more: bool) -> None:
        """Requests went at ``rate`` without a pace; ``more``: the API allowed more.

        With ``more`` the rate is at least ``rate``; without, ``rate`` is the limit, and
        the rate climbs back to it within a second.
        """
        if more:
            self._set_rate(max(self.rate or 0.0, rate))
        else:
            self._max_rate = max(rate, MIN_RATE)
            self._set_rate(BETA * self._max_rate)
            self._set_plateau(MIN_PLATEAU)
            self._blind = False

    # -- learning ----------------------------------------------------------------------

    def _active(self, now: float) -> float:
        """``now`` on a clock that stands still while a ``Retry-After`` is waited out."""
        return now - self._paused

    def _demand_rose(self, demand: int) -> float:
        """When calls wanting to go last numbered at most a quarter of what they do now.

        Before that, the client asked for less than the API allowed (a listing one page
        at a time before a bulk run): what went through then says nothing of the limit.
        """
        demand += 1  # with the refused call
        if demand < 8:
            return -math.inf
        level = (demand // 4).bit_length()
        return max(self._low_demand[: level + 1])

    def _reopened(self, now: float) -> None:
        self.outage = False
        self._climb_from = now  # the cubic counts from here, not from the throttle

    def _lift(self, now: float, unwaited: float) -> None:
        """The cool-down ends early: the API let a later request through."""
        self._paused -= unwaited
        self._lifted_at = now
        self._since_lift = 0
        self._resumed = self._active(now)
        self._reopened(now)
        # the event cost next to nothing, and a later request went through: the limit
        # binds the pace or the number in flight, and the refused pace bounds it closely
        self._event_pause = now - self.last_throttle
        refused = self._refused_pace
        if self._adaptive and refused is not None and self._trust_pace:
            self._max_rate = max(refused, MIN_RATE)
            self._set_rate(max(self.rate or 0.0, BETA * self._max_rate))
            self._set_plateau(MIN_PLATEAU)
            self._blind = False
        elif self._adaptive and self.rate is not None:
            # the plateau was sized for the pause the event would cost; it cost this much
            plateau = max(MIN_PLATEAU, PLATEAU * self._event_pause)
            if plateau < self._cubic_k:
                self._set_plateau(plateau)

    def _new_event(self, now: float, retry_after: float | None, until: float, demand: int) -> None:
        """Note a new throttling event: learn from the cycle it ends, start a new one."""
        self.events += 1
        self._regrow = None
        previous = self.last_throttle
        # what succeeded lately, not counting time spent waiting out a Retry-After
        active = self._active(now)
        # the run started with the first send, or when demand last rose (before that,
        # the client asked for less than the API allows: a listing one page at a time)
        start = self._active(self.first_send) if self.first_send < now else -math.inf
        start = max(start, self._active(self._demand_rose(demand)))
        since = max(start, self._resumed)
        # over MEASURE seconds, or over the run's age when it is younger than that
        # (dividing a young run's successes by a whole second would take its first
        # tenth of a second for the limit)
        age = active - start if start > -math.inf else 0.0
        shortest = min(MEASURE, max(age, self._rtt, SLOT))
        allowed = self._ok.per_second(active, max(since, active - MEASURE), shortest=shortest)
        samples = self._ok.per_second(active, since) * min(RECENT, max(active - since, 1.0))
        self._resumed = self._active(until)
        self.outage = True
        self.last_throttle = now
        self._event_pause = until - now
        self._refused_pace = self.rate
        # refused again right after a lifted cool-down: the limiter is refusing whatever
        # the pace (an empty bucket, a spent quota), so that pace says nothing
        lifted_last = self._lifted_at >= previous
        self._trust_pace = not lifted_last or self._since_lift >= MIN_SAMPLES
        ended_blind_climb = self._blind
        if self._adaptive and allowed > 0:  # with no success seen, the limit is unknown
            rate = self.rate
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
            self._blind = self.events == 1 and samples < MIN_SAMPLES
            self._set_plateau(max(MIN_PLATEAU, plateau))

    def _climb(self, now: float) -> None:
        """Calls are queued behind the pace, so it binds: raise it along the cubic."""
        assert self.rate is not None
        elapsed = now - self._climb_from
        cubic = self._max_rate * (1 + self._cubic_scale * (elapsed - self._cubic_k) ** 3)
        if self._regrow is not None:  # restarted below the curve: slow start up to it
            at, rate = self._regrow
            doubled = rate * 2 ** ((now - at) / DOUBLING)
            if doubled < cubic:
                cubic = doubled
            else:
                self._regrow = None
        if self._blind:  # the first event's guess says little: climb like slow start
            cubic = max(cubic, BETA * self._max_rate * 2 ** (elapsed / DOUBLING))
        self._set_rate(max(self.rate, cubic))

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

    def _set_rate(self, rate: float) -> float:
        rate = max(MIN_RATE, rate)
        if self._ceiling is not None:
            rate = min(rate, self._ceiling)
        self.rate = rate
        return rate
