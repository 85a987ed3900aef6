"""The rate estimate, driven with plain floats: no event loop, no clock, no sleeping."""

from __future__ import annotations

import math

import pytest

from pictory_async._throttle._estimator import (
    BETA,
    MIN_RATE,
    RECENT,
    SLOT,
    Estimator,
    Refusal,
    SuccessRate,
)

INTERVAL = 0.05  # 20 requests a second


def run(est: Estimator, start: float, seconds: float, *, latency: float = 0.01) -> float:
    """Send one request every ``INTERVAL`` from ``start``, each a success; return the end."""
    now = start
    for _ in range(round(seconds / INTERVAL)):
        est.on_send(now)
        est.on_success(now + latency, now, until=0.0, unwaited=0.0, queued=False)
        now += INTERVAL
    return now


def refuse(est: Estimator, now: float, *, sent: float, retry_after: float | None = 1.0) -> Refusal:
    """A 429 at ``now`` for a request ``sent`` then, pausing until ``now + retry_after``."""
    pause = 0.5 if retry_after is None else retry_after
    return est.on_429(now, sent, retry_after, until=now + pause, waited=0.0, demand=1)


def throttled() -> tuple[Estimator, float, float]:
    """An estimator after two seconds at 20/s and a first 429: it, the time, the rate."""
    est = Estimator()
    now = run(est, 0.0, 2.0)
    refuse(est, now, sent=now - 0.01)
    assert est.rate is not None
    return est, now, est.rate


# -- the success counter ---------------------------------------------------------------


def test_rate_counts_successes_over_the_window() -> None:
    """``SuccessRate`` counts per second over the last ``RECENT`` s and forgets older ones."""
    rate = SuccessRate()
    for step in range(20):
        rate.add(100.0 + step * SLOT)
    assert pytest.approx(20 / RECENT, abs=0.5) == rate.per_second(100.0 + 19 * SLOT, since=0.0)
    assert 0.0 == rate.per_second(100.0 + 10 * RECENT, since=0.0)


def test_rate_divides_by_at_least_the_shortest_span() -> None:
    """Right after ``since``, the count is divided by ``shortest``, not by less."""
    rate = SuccessRate()
    for _ in range(3):
        rate.add(50.0)
    assert 3.0 == rate.per_second(50.05, since=50.0)
    assert 30.0 == pytest.approx(rate.per_second(50.05, since=50.0, shortest=0.1))


# -- events ----------------------------------------------------------------------------


def test_no_rate_until_the_first_event() -> None:
    """Successes alone set no rate: the client goes as fast as the API answers."""
    est = Estimator()
    run(est, 0.0, 2.0)
    assert (None, 0, False) == (est.rate, est.events, est.outage)


def test_a_fixed_limit_is_the_rate_from_the_start() -> None:
    """With ``rate_limit`` and no learning, the rate is the limit, through every event."""
    est = Estimator(rate_limit=7.0, adaptive=False)
    now = run(est, 0.0, 2.0)
    assert Refusal.NEW == refuse(est, now, sent=now - 0.01)
    assert (7.0, 1) == (est.rate, est.events)


def test_the_first_429_cuts_the_rate_to_beta_of_what_went_through() -> None:
    """After a second at 20/s, the first 429 sets the rate to ``BETA`` times 20/s."""
    est = Estimator()
    now = run(est, 0.0, 2.0)
    assert Refusal.NEW == refuse(est, now, sent=now - 0.01)
    assert est.rate is not None
    assert BETA * 18 <= est.rate <= BETA * 20  # a second's slots hold 18 to 20 of them
    assert (1, True, now) == (est.events, est.outage, est.last_throttle)


def test_429s_of_one_event_cut_the_rate_once() -> None:
    """429s for requests sent before the event, and refused probes, are the same event."""
    est, now, rate = throttled()
    late = refuse(est, now + 0.01, sent=now - 0.005)
    probe = refuse(est, now + 1.1, sent=now + 1.05)
    assert (Refusal.LATE, Refusal.PROBE) == (late, probe)
    assert (rate, 1) == (est.rate, est.events)


def test_no_success_seen_leaves_the_limit_unknown() -> None:
    """A 429 before any success sets no rate: nothing says what the API allows."""
    est = Estimator()
    est.on_send(0.0)
    assert Refusal.NEW == refuse(est, 0.03, sent=0.0)
    assert (None, 1) == (est.rate, est.events)


def test_the_rate_never_goes_under_its_floor() -> None:
    """However little went through, the learned rate stays at least ``MIN_RATE``."""
    est = Estimator()
    est.on_sustained(0.1, more=False)
    assert MIN_RATE == est.rate


# -- successes after an event ----------------------------------------------------------


def test_a_success_sent_before_the_event_is_stale() -> None:
    """An answer to a request sent before the last event says nothing of what follows."""
    est = Estimator()
    now = run(est, 0.0, 1.0)
    refuse(est, now, sent=now - 0.01, retry_after=None)
    seen = est.on_success(now + 0.01, now - 0.02, until=now + 0.5, unwaited=0.0, queued=False)
    assert (False, False, False, True) == (seen.fresh, seen.opened, seen.lifted, est.outage)


def test_the_first_success_after_the_pause_reopens() -> None:
    """The first success for a request sent after the event ends the outage."""
    est = Estimator()
    now = run(est, 0.0, 1.0)
    refuse(est, now, sent=now - 0.01)
    seen = est.on_success(now + 1.05, now + 1.0, until=now + 1.0, unwaited=0.0, queued=False)
    assert (True, True, False, False) == (seen.fresh, seen.opened, seen.lifted, est.outage)


def test_a_later_request_let_through_lifts_the_event() -> None:
    """Sent after the refused one and let through during the pause: the event is lifted."""
    est = Estimator()
    now = run(est, 0.0, 2.0)
    refused = now - 0.02
    refuse(est, now, sent=refused)
    seen = est.on_success(now + 0.005, refused + 0.01, until=now + 1.0, unwaited=1.0, queued=False)
    assert (True, True, False) == (seen.lifted, seen.opened, est.outage)
    assert est.lifted_since(refused)  # a late 429 for it belongs to an event that is over


def test_a_lifted_event_paces_just_under_the_refused_pace() -> None:
    """After a lift the refused pace bounds the limit: the rate is ``BETA`` times it."""
    est, now, first = throttled()
    now = run(est, now + 1.0, 3.0)  # 20 successes and more after the event
    refused = now - 0.02
    refuse(est, now, sent=refused)
    est.on_success(now + 0.005, refused + 0.01, until=now + 1.0, unwaited=1.0, queued=False)
    assert pytest.approx(BETA * first) == est.rate


def test_without_learning_nothing_lifts_a_pause() -> None:
    """With ``adaptive=False`` a later success does not lift: the pause alone holds calls."""
    est = Estimator(rate_limit=10.0, adaptive=False)
    now = run(est, 0.0, 2.0)
    refuse(est, now, sent=now - 0.02)
    seen = est.on_success(now + 0.005, now - 0.01, until=now + 1.0, unwaited=1.0, queued=False)
    assert (False, True) == (seen.lifted, est.outage)


# -- the climb back --------------------------------------------------------------------


def test_the_rate_climbs_only_while_calls_are_queued_behind_it() -> None:
    """After the event, successes raise the rate when the pace binds, and only then."""
    est, now, cut = throttled()
    now += 1.0
    est.on_success(now + 0.01, now, until=now, unwaited=0.0, queued=False)  # reopens
    later = now + 5.0
    est.on_success(later, later - 0.01, until=now, unwaited=0.0, queued=False)
    assert cut == est.rate
    est.on_success(later + 0.01, later, until=now, unwaited=0.0, queued=True)
    assert est.rate is not None
    assert est.rate > cut


def test_after_a_blind_first_event_the_rate_doubles_like_slow_start() -> None:
    """With few successes before the first event, the rate doubles every quarter second."""
    est = Estimator()
    for sent in (0.22, 0.23, 0.24):
        est.on_send(sent)
        est.on_success(sent + 0.03, sent, until=0.0, unwaited=0.0, queued=False)
    refuse(est, 0.3, sent=0.29)
    cut = est.rate
    assert cut is not None
    est.on_success(1.15, 1.1, until=1.1, unwaited=0.0, queued=True)  # reopens at 1.15
    est.on_success(1.65, 1.6, until=1.1, unwaited=0.0, queued=True)  # half a second on
    assert pytest.approx(4 * cut) == est.rate


def test_measured_batches_set_the_limit_or_a_floor() -> None:
    """What batches sustained becomes the limit, or only a floor when the API allowed more."""
    est, _, learned = throttled()
    est.on_sustained(1.0, more=True)
    assert learned == est.rate
    est.on_sustained(10.0, more=False)
    assert BETA * 10.0 == est.rate


def test_a_pure_model_needs_no_time_source() -> None:
    """Every time is an argument: the estimator keeps no clock of its own."""
    est = Estimator()
    assert (math.inf, -math.inf) == (est.first_send, est.last_throttle)
    est.on_send(5.0)
    assert 5.0 == est.first_send
