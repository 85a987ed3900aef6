"""How a followed job's progress shows: a bar on a terminal, lines elsewhere, none with --json."""

from __future__ import annotations

import io

import pytest

from pictory_async import Job, JobStatus
from pictory_async.cli import _follow

RUNNING = Job(id="j-1", status=JobStatus.IN_PROGRESS, progress=50.0, message="Rendering video")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_is_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal (stderr): a bar with the label, the percent and the job's message."""
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)

    display = _follow._display("Rendering", json_output=False)
    display.update(RUNNING)
    display.close()

    shown = terminal.getvalue()
    assert "Rendering" in shown
    assert "50%" in shown
    assert "Rendering video" in shown


def test_elsewhere_a_line_per_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a terminal: a line when the state changes, none when it does not."""
    log = io.StringIO()
    monkeypatch.setattr("sys.stderr", log)

    display = _follow._display("Rendering", json_output=False)
    for _ in range(3):
        display.update(RUNNING)
    display.close()

    assert "Rendering: in-progress 50% Rendering video\n" == log.getvalue()


def test_json_shows_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """--json: nothing on stderr, even on a terminal."""
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)

    display = _follow._display("Rendering", json_output=True)
    display.update(RUNNING)
    display.close()

    assert "" == terminal.getvalue()
