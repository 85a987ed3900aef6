"""Fixtures for commands that follow a job: the emulator and the command on one fake clock.

A render or a transcription takes its time on the emulator's clock; the command sleeps
between polls on the same ``FakeClock`` (``cli._follow.timing``), so nothing really
waits. Import the fixtures into a test module to use them.
"""

from __future__ import annotations

import pytest

from pictory_async import _polling
from pictory_async.cli import _follow
from pictory_async.emulator import Emulator, FakeClock

__all__ = ["clock", "emulator", "fake_time"]


@pytest.fixture
def clock() -> FakeClock:
    """The one clock of the emulator and the command."""
    return FakeClock(start=1000.0)


@pytest.fixture
def emulator(clock: FakeClock) -> Emulator:
    """A small emulator on the fake clock; jobs take 40 s of it."""
    emulator = Emulator(
        projects=3, seed=11, in_progress_share=0.0, clock=clock.time, sleep=clock.sleep
    )
    emulator.set_render_duration(40)
    return emulator


@pytest.fixture(autouse=True)
def fake_time(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    """The command's polls sleep on the fake clock, the interval unjittered (fixed progress)."""
    monkeypatch.setattr(_follow, "timing", _follow.Timing(clock=clock.time, sleep=clock.sleep))
    monkeypatch.setattr(_polling, "_jitter", lambda: 1.0)
