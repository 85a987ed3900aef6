"""The command line's parts on their own: parsing, displays, summaries, the runner."""

from __future__ import annotations

import asyncio
import io
import json
import runpy
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from rich.console import Console

import pictory_async
from pictory_async import Asset, InvalidInputError, ItemResult, NotFoundError, Outcome
from pictory_async._bulk import BulkResult
from pictory_async.cli import _app, _common, _display, _summary
from pictory_async.cli._bulkrun import RunSummary
from pictory_async.cli._common import Settings, describe, jsonable, parse_age, parse_seconds

from .conftest import Invoke


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", timedelta(days=90)),
        ("90", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("30 min", timedelta(minutes=30)),
        ("45s", timedelta(seconds=45)),
        ("2w", timedelta(weeks=2)),
        ("1.5d", timedelta(days=1.5)),
    ],
)
def test_ages(text: str, expected: timedelta) -> None:
    """Ages take a unit; a bare number is days."""
    assert expected == parse_age(text)


def test_seconds_default_to_seconds_and_defaults_pass_through() -> None:
    """A bare timeout is seconds; a timedelta (Typer's default) is kept."""
    assert timedelta(seconds=600) == parse_seconds("600")
    assert timedelta(minutes=5) == parse_seconds(timedelta(minutes=5))


@pytest.mark.parametrize("text", ["", "d", "90x", "-5d", "1e999d", "9" * 30 + "w"])
def test_bad_durations_are_usage_errors(text: str) -> None:
    """Junk, negative, unknown units and overflows are ``BadParameter``."""
    with pytest.raises(typer.BadParameter):
        parse_age(text)


def test_ids_from_arguments_stdin_and_a_file(tmp_path: Path) -> None:
    """Digits are v2 ints, the rest strings; blank lines and comments are skipped."""
    path = tmp_path / "ids.txt"
    path.write_text("# old ones\n7\n\nabc-1\n")
    stdin = io.StringIO("8\n  v3id  \n")
    assert [1, "x2", 7, "abc-1", 8, "v3id"] == _common.read_ids(["1", "x2", "-"], str(path), stdin)


def test_ids_from_stdin_by_option() -> None:
    """``--ids-from -`` reads stdin."""
    assert [5] == _common.read_ids([], "-", io.StringIO("5\n"))


def test_a_file_that_is_not_text_is_a_usage_error(tmp_path: Path) -> None:
    """Binary junk: ``BadParameter`` naming the file."""
    path = tmp_path / "ids.bin"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(typer.BadParameter, match="not UTF-8"):
        _common.read_ids([], str(path), io.StringIO())


def test_describe() -> None:
    """Status and message; a file error with its path; anything else with its type."""
    request = httpx.Request("GET", "https://api.test/x")
    response = httpx.Response(404, request=request, json={"message": "gone"})
    error = NotFoundError("gone", response=response, body=None)
    assert "HTTP 404 gone" == describe(error)
    assert "/j: Permission denied" == describe(PermissionError(13, "Permission denied", "/j"))
    assert "ValueError: x" == describe(ValueError("x"))


def test_jsonable_turns_paths_and_dates_into_text(tmp_path: Path) -> None:
    """An ``Asset``'s path is a string; the line is valid JSON."""
    asset = Asset(kind="txt", path=tmp_path / "a.txt", size=3, sha256="00", url="http://c/a")
    data = jsonable(asset)
    assert str(tmp_path / "a.txt") == data["path"]
    assert data == json.loads(_common.dumps(data))


def _items() -> list[ItemResult[Any]]:
    failure = NotFoundError(
        "gone",
        response=httpx.Response(404, request=httpx.Request("DELETE", "https://api.test/p")),
        body=None,
    )
    return [
        ItemResult(item=1, outcome=Outcome.DELETED),
        ItemResult(item=2, outcome=Outcome.ALREADY_ABSENT),
        ItemResult(item=3, outcome=Outcome.FAILED, error=failure),
        ItemResult(item=4, outcome=Outcome.DELETED),
    ]


def test_the_rich_display_draws_a_bar_with_counts() -> None:
    """On a terminal: description, done/total, rate and counts by outcome."""
    out = io.StringIO()
    display = _display.RichDisplay(
        verb="deleted", console=Console(file=out, force_terminal=True, width=150)
    )
    display.start(4, "Deleting")
    for item in _items():
        display.advance(item)
    display.close()
    text = out.getvalue()
    assert "Deleting" in text
    assert "4/4" in text
    assert "deleted 2 · already absent 1 · failed 1" in text
    assert "failed 3: HTTP 404 gone" in text


def test_plain_lines_every_tenth(capsys: pytest.CaptureFixture[str]) -> None:
    """Not a terminal: a line at each tenth (here each item) and the failures."""
    display = _display.PlainDisplay(verb="deleted")
    display.start(4, "Deleting")
    for item in _items():
        display.advance(item)
    lines = capsys.readouterr().err.splitlines()
    assert "Deleting: 4 to go" == lines[0]
    assert "failed 3: HTTP 404 gone" in lines
    assert lines[-1].startswith("Deleting: 4/4 (100%)")
    assert lines[-1].endswith("deleted 2 · already absent 1 · failed 1")


def test_failure_lines_stop_after_ten(capsys: pytest.CaptureFixture[str]) -> None:
    """A run of failures shows ten and then says there are more."""
    notes: list[str] = []

    class Recording(_display.Display):
        def note(self, message: str) -> None:
            notes.append(message)

    display = Recording()
    failed = _items()[2]
    for _ in range(15):
        display.advance(failed)
    assert 11 == len(notes)
    assert "more failures: see the summary" == notes[-1]


def test_json_display_prints_only_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--json: one object per item on stdout, the failure note on stderr."""
    display = _display.make_display(json_output=True, verb="deleted")
    for item in _items():
        display.advance(item)
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert ["deleted", "already_absent", "failed", "deleted"] == [x["outcome"] for x in lines]
    assert "HTTP 404 gone" == lines[2]["error"]
    assert "failed 3" in err


def test_make_display_picks_by_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bar when stderr is a terminal, plain lines when not."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert isinstance(_display.make_display(json_output=False, verb="x"), _display.RichDisplay)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert isinstance(_display.make_display(json_output=False, verb="x"), _display.PlainDisplay)


class _Throttle:
    throttle_events = 3
    rate = 81.4


class _Client:
    throttle = _Throttle()


def test_the_summary_tells_of_the_shared_cooldown(capsys: pytest.CaptureFixture[str]) -> None:
    """Rate-limit answers and the rate settled at are in the summary; failures listed."""
    result: BulkResult[Any] = BulkResult()
    for item in _items():
        result.add(item)
    summary = RunSummary(result=result, not_started=(5, 6), stopped=False, error=None, elapsed=2.0)
    code = _summary.finish(
        summary,
        json_output=False,
        noun="deleted",
        client=_Client(),  # type: ignore[arg-type]
    )
    out = capsys.readouterr().out
    assert 1 == code
    assert "Deleted 2 of 6 projects" in out
    assert "not started 2" in out
    assert "Rate limited (HTTP 429) 3 times: each time all workers waited out one" in out
    assert "The client's request rate settled at 81/s" in out
    assert "failed 3: HTTP 404 gone" in out


def test_a_run_stopped_by_an_error_says_so(invoke: Invoke) -> None:
    """A key refused mid-delete stops the run: exit 1, the counts, and why."""
    result = invoke("projects", "delete", "1", "2", "3", "--yes", PICTORY_API_KEY="pictai_nope")
    assert 1 == result.exit_code
    assert "error: the run stopped: HTTP 401" in result.stderr
    assert "of 3 projects" in result.stdout


def test_duplicates_are_reported_in_the_preview(invoke: Invoke) -> None:
    """The same id twice: previewed once, the duplicate counted."""
    result = invoke("projects", "delete", "5", "5")
    assert "1 project to delete (1 duplicate ignored)" in result.stdout


def _run(main: Any) -> int:
    with pytest.raises(typer.Exit) as caught:
        _common.run(Settings(), main)
    return caught.value.exit_code


def test_ctrl_c_outside_a_bulk_run_exits_130(capsys: pytest.CaptureFixture[str]) -> None:
    """KeyboardInterrupt (e.g. while listing): ``error: interrupted``, exit 130."""

    async def main() -> int:
        raise KeyboardInterrupt

    assert 130 == _run(main)
    assert "error: interrupted\n" == capsys.readouterr().err


def test_a_closed_pipe_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """``| head`` closing stdout: no error, exit 0."""
    silenced: list[bool] = []
    monkeypatch.setattr(_common, "_silence_stdout", lambda: silenced.append(True))

    async def main() -> int:
        raise BrokenPipeError

    assert 0 == _run(main)
    assert [True] == silenced


def test_an_invalid_input_exits_2() -> None:
    """An ``InvalidInputError`` from the library is a usage error."""

    async def main() -> int:
        raise InvalidInputError("bad")

    assert 2 == _run(main)


def test_main_returns_the_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console script returns Click's exit code (2 for an unknown command)."""
    monkeypatch.setattr(sys, "argv", ["pictory", "nope"])
    assert 2 == _app.main()
    monkeypatch.setattr(sys, "argv", ["pictory", "--version"])
    assert 0 == _app.main()


def test_python_dash_m_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m pictory_async`` exits with ``main()``'s code."""
    monkeypatch.setattr(sys, "argv", ["pictory", "--version"])
    with pytest.raises(SystemExit) as caught:
        runpy.run_path(
            str(Path(pictory_async.__file__).parent / "__main__.py"), run_name="__main__"
        )
    assert 0 == caught.value.code


def test_no_event_loop_is_left_running() -> None:
    """Commands run their own loop with ``asyncio.run``: none is left set."""
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


@pytest.mark.parametrize(
    ("noun", "journal", "expected"),
    [
        ("deleted", Path("j.jsonl"), "the journal marks them and the next run confirms each"),
        ("deleted", None, "check them with 'pictory projects get'"),
        ("backed up", None, None),
    ],
    ids=["delete-journal", "delete-no-journal", "backup"],
)
def test_a_stopped_summary_says_what_was_in_flight_may_have_been_applied(
    noun: str, journal: Path | None, expected: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a second Ctrl-C, cancelled deletes are not 'not done': they may have gone."""
    from pictory_async import ItemResult, Outcome
    from pictory_async._bulk import BulkResult
    from pictory_async.cli import _summary
    from pictory_async.cli._bulkrun import RunSummary

    result: BulkResult[Any] = BulkResult()
    result.add(ItemResult(item=1, outcome=Outcome.DELETED))
    result.add(ItemResult(item=2, outcome=Outcome.CANCELLED))
    result.confirmed_gone.append(1)
    summary = RunSummary(result=result, not_started=(3,), stopped=True, error=None, elapsed=1.0)

    code = _summary.finish(summary, json_output=False, noun=noun, journal=journal)

    out = capsys.readouterr().out
    assert 130 == code
    assert "Interrupted: 1 project not started" in out
    assert "1 project deleted by an interrupted earlier run, confirmed gone now" in out
    if expected is None:
        assert "may have been applied" not in out
    else:
        assert f"1 project in flight when stopped may have been applied: {expected}" in out
