"""The emulator's rate limiter shapes: bucket, fixed window, sliding log, in-flight cap."""

from __future__ import annotations

import asyncio

import pytest

from pictory_async.emulator import Emulator, FakeClock, Faults
from pictory_async.emulator.__main__ import _emulator, _parser, main
from pictory_async.emulator._faults import (
    FixedWindow,
    InFlightCap,
    Limiter,
    RateLimiter,
    SlidingLog,
    make_limiter,
)

from .support import PROJECTS, Conn

KEY = b"key"


def test_a_bucket_follows_its_scheduled_changes() -> None:
    """A bucket of 10/s halved from 30 s on refills at 5/s, then at 10/s again from 60 s."""
    bucket = RateLimiter(10.0, 1.0, origin=100.0, changes=((30.0, 0.5), (60.0, 1.0)))
    assert 0.0 == bucket.take(KEY, 100.0)
    assert pytest.approx(0.1) == bucket.take(KEY, 100.0)
    assert 0.0 == bucket.take(KEY, 131.0)
    assert pytest.approx(0.2) == bucket.take(KEY, 131.0)
    assert (0.5, 1.0) == (bucket.factor(145.0), bucket.factor(170.0))


def test_a_fixed_window_refuses_until_it_resets() -> None:
    """Three per 10 s window from t=0: the fourth waits for the reset, then passes."""
    window = FixedWindow(3, 10.0)
    assert [0.0, 0.0, 0.0] == [window.take(KEY, 1.0 + n) for n in range(3)]
    assert 6.0 == window.take(KEY, 4.0)
    assert 0.0 == window.take(KEY, 10.0)


def test_a_sliding_log_refuses_until_the_oldest_leaves() -> None:
    """Three per any 10 s: the fourth waits until the oldest of the three is 10 s old."""
    log = SlidingLog(3, 10.0)
    assert [0.0, 0.0, 0.0] == [log.take(KEY, t) for t in (1.0, 2.0, 3.0)]
    assert 6.0 == log.take(KEY, 5.0)
    assert 0.0 == log.take(KEY, 11.0)
    assert 0.5 == log.take(KEY, 11.5)


def test_an_in_flight_cap_counts_until_done() -> None:
    """Two at once: the third is refused until one of the two is answered."""
    cap = InFlightCap(2)
    assert [0.0, 0.0, 1.0] == [cap.take(KEY, 0.0) for _ in range(3)]
    cap.done(KEY)
    assert 0.0 == cap.take(KEY, 0.0)


def test_the_base_limiter_admits_nothing_by_itself() -> None:
    """``Limiter`` is abstract: ``take`` must come from a shape; ``done`` is a no-op."""
    limiter = Limiter()
    limiter.done(KEY)
    with pytest.raises(NotImplementedError):
        limiter.take(KEY, 0.0)


@pytest.mark.parametrize(
    ("shape", "kind"),
    [
        ("bucket", RateLimiter),
        ("window", FixedWindow),
        ("sliding", SlidingLog),
        ("inflight", InFlightCap),
    ],
)
def test_faults_pick_the_limiter_shape(shape: str, kind: type[Limiter]) -> None:
    """``rate_limit_shape`` selects the limiter; no ``rate_limit`` means none."""
    faults = Faults(rate_limit=5, rate_limit_shape=shape, rate_limit_period=2.0)  # type: ignore[arg-type]
    assert isinstance(make_limiter(faults, 0.0), kind)
    assert None is make_limiter(Faults(rate_limit_shape=shape), 0.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "settings",
    [
        {"rate_limit_shape": "leaky"},
        {"rate_limit_period": 0},
        {"rate_limit_changes": [(-1, 0.5)]},
        {"rate_limit_changes": [(10, 0)]},
        {"rate_limit_changes": [(20, 0.5), (10, 1.0)]},
    ],
)
def test_invalid_limiter_settings_are_refused(settings: dict[str, object]) -> None:
    """An unknown shape, a period of 0, or bad or unordered changes raise ``ValueError``."""
    with pytest.raises(ValueError):
        Faults.from_dict(settings)


def test_limiter_settings_round_trip_as_json_values() -> None:
    """``to_dict`` gives the changes as lists, which ``from_dict`` reads back."""
    faults = Faults(rate_limit=4, rate_limit_shape="window", rate_limit_changes=[(30, 0.5)])
    data = faults.to_dict()
    assert [[30.0, 0.5]] == data["rate_limit_changes"]
    assert faults == Faults.from_dict(data)


async def test_a_window_429_says_when_the_window_resets(conn: Conn, clock: FakeClock) -> None:
    """Past a window of 2 per 10 s, the 429's Retry-After counts the seconds to the reset."""
    conn.emulator.set_faults(rate_limit=2, rate_limit_shape="window", rate_limit_period=10)
    clock.advance(3)
    statuses = [(await conn.api.get(PROJECTS)).status_code for _ in range(2)]
    limited = await conn.api.get(PROJECTS)
    clock.advance(7)
    later = await conn.api.get(PROJECTS)
    assert [200, 200, 429, 200] == [*statuses, limited.status_code, later.status_code]
    assert "7" == limited.headers["retry-after"]


async def test_an_in_flight_cap_frees_a_slot_once_answered(conn: Conn) -> None:
    """With at most 2 in flight and latency, 3 at once get one 429; one after another, none."""
    conn.emulator.set_faults(rate_limit=2, rate_limit_shape="inflight", latency=0.05)
    together = await asyncio.gather(*(conn.api.get(PROJECTS) for _ in range(3)))
    one_by_one = [(await conn.api.get(PROJECTS)).status_code for _ in range(3)]
    assert [200, 200, 429] == sorted(response.status_code for response in together)
    assert [200, 200, 200] == one_by_one


def test_an_in_flight_slot_is_freed_once() -> None:
    """``finished`` frees the slot of a reply once; again, or without a slot, does nothing."""
    emulator = Emulator(projects=1, faults=Faults(rate_limit=1, rate_limit_shape="inflight"))
    key = [(b"authorization", emulator.api_key.encode())]
    reply = emulator.handle("GET", PROJECTS, b"", key)
    assert 429 == emulator.handle("GET", PROJECTS, b"", key).status
    emulator.finished(reply)
    emulator.finished(reply)
    assert 200 == emulator.handle("GET", PROJECTS, b"", key).status


def test_command_line_selects_a_shape_and_its_changes() -> None:
    """``--rate-limit-shape``, ``--rate-limit-period`` and ``--rate-limit-change`` reach Faults."""
    args = _parser().parse_args(
        [
            "--rate-limit",
            "100",
            "--rate-limit-shape",
            "sliding",
            "--rate-limit-period",
            "5",
            "--rate-limit-change",
            "30:0.5",
            "--rate-limit-change",
            "60:1",
        ]
    )
    faults = _emulator(args).faults
    assert ("sliding", 5.0, ((30.0, 0.5), (60.0, 1.0))) == (
        faults.rate_limit_shape,
        faults.rate_limit_period,
        faults.rate_limit_changes,
    )


def test_command_line_refuses_a_malformed_change(capsys: pytest.CaptureFixture[str]) -> None:
    """A ``--rate-limit-change`` that is not SECONDS:FACTOR is a usage error."""
    with pytest.raises(SystemExit):
        main(["--rate-limit", "5", "--rate-limit-change", "30"])
    assert "SECONDS:FACTOR" in capsys.readouterr().err


@pytest.mark.pictory_emulator(
    faults={"rate_limit": 2, "rate_limit_shape": "window", "rate_limit_period": 60}
)
def test_the_plugin_marker_takes_a_limiter_shape(pictory_emulator: Emulator) -> None:
    """The ``pictory_emulator`` marker's ``faults`` dict selects the shape too."""
    assert ("window", 60.0) == (
        pictory_emulator.faults.rate_limit_shape,
        pictory_emulator.faults.rate_limit_period,
    )
