"""Hostile text and arguments: server text printed as is and inert, huge ids, a bare prune."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from rich.console import Console

from pictory_async import ItemResult, NotFoundError, Outcome
from pictory_async._bulk import BulkResult
from pictory_async.cli import _common, _display, _summary
from pictory_async.cli._bulkrun import RunSummary
from pictory_async.cli._console import SafeConsole
from pictory_async.emulator import Emulator

from .conftest import Invoke

MARKUP_NAMES = ["Budget [/2024]", "[bold]Q3[/bold] plan", "hot :fire: deal", "[link=x]a[/link]"]
TITLE = "a\x1b]0;x\x07\x1b]52;c;cg==\x07b"
"""Sets the terminal's title and writes its clipboard (OSC 0, OSC 52)."""
CURSOR = "hide\x1b[1A\x1b[2Kprev row"
"""Moves the cursor up a row and erases it (CSI): would hide a row of the preview."""


def _failure(message: str) -> NotFoundError:
    request = httpx.Request("DELETE", "https://api.test/p")
    return NotFoundError(message, response=httpx.Response(404, request=request), body=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Budget [/2024] é 🙂‍↕️ 東京", "Budget [/2024] é 🙂‍↕️ 東京"),
        ("a\x1b[2Kb", "a\\x1b[2Kb"),
        ("t\x07\x00\x7f\x9b", "t\\x07\\x00\\x7f\\x9b"),
        ("one\ntwo\rthree\tfour", "one\\ntwo\\rthree\\tfour"),
        ("abc\u202egpj.exe", "abc\\u202egpj.exe"),
        ("x\u2066y\u2069\u2028", "x\\u2066y\\u2069\\u2028"),
        (1349707, "1349707"),
    ],
)
def test_printable_shows_controls_as_escapes_and_keeps_the_rest(
    text: object, expected: str
) -> None:
    """C0, DEL, C1, line separators and bidi overrides become escapes; all else is kept."""
    assert expected == _common.printable(text)


def test_the_safe_console_prints_strings_and_cells_literally() -> None:
    """Markup, emoji codes and escapes in a string or a table cell are shown as text."""
    from rich.table import Table

    out = io.StringIO()
    console = SafeConsole(file=out, width=200, force_terminal=False)
    table = Table("Name")
    table.add_row("[bold]Q3[/bold] :fire: \x1b]0;t\x07")
    console.print("Budget [/2024]", markup=True)
    console.print(table)
    text = out.getvalue()
    assert "Budget [/2024]" in text
    assert "[bold]Q3[/bold] :fire: \\x1b]0;t\\x07" in text
    assert "\x1b" not in text


def test_list_shows_names_with_markup_as_they_are(invoke: Invoke, emulator: Emulator) -> None:
    """Brackets and emoji codes in names: exit 0, each name shown as is."""
    for name in MARKUP_NAMES:
        emulator.add_project(name=name)
    result = invoke("projects", "list")
    assert 0 == result.exit_code, result.output
    for name in MARKUP_NAMES:
        assert name in result.stdout


def test_get_shows_a_name_with_markup_as_it_is(invoke: Invoke, emulator: Emulator) -> None:
    """``projects get`` of ``Budget [/2024]``: exit 0, the name as is."""
    record = emulator.add_project(name="Budget [/2024]")
    result = invoke("projects", "get", str(record.id))
    assert 0 == result.exit_code, result.output
    assert "Budget [/2024]" in result.stdout


def test_the_prune_preview_shows_names_with_markup_and_asks(
    invoke: Invoke, emulator: Emulator
) -> None:
    """The preview lists ``Budget [/2024]`` as is and asks; no answer deletes nothing."""
    for name in MARKUP_NAMES:
        emulator.add_project(name=name, source="hostile")
    result = invoke("projects", "prune", "--source", "hostile", input="n\n")
    assert 0 == result.exit_code, result.output
    for name in MARKUP_NAMES:
        assert name in result.stdout
    assert f"{len(MARKUP_NAMES)} projects to delete" in result.stdout
    assert 0 == emulator.stats.deletes_applied


def test_escapes_in_names_never_reach_the_terminal(invoke: Invoke, emulator: Emulator) -> None:
    """OSC and CSI in names: escapes in the list and the preview; --json keeps them exact."""
    for name in (TITLE, CURSOR):
        emulator.add_project(name=name, source="hostile")
    for command in ("list", "prune"):
        args = ("projects", command, "--source", "hostile")
        result = invoke(*args, input="n\n")
        assert 0 == result.exit_code, result.output
        assert "\x1b" not in result.output
        assert "\x07" not in result.output
        assert "a\\x1b]0;x\\x07\\x1b]52;c;cg==\\x07b" in result.stdout
        assert "hide\\x1b[1A\\x1b[2Kprev row" in result.stdout
    listed = invoke("projects", "list", "--source", "hostile", "--json")
    assert {TITLE, CURSOR} == {json.loads(line)["name"] for line in listed.stdout.splitlines()}


def test_a_failed_job_message_with_markup_and_escapes_is_shown_inert(
    invoke: Invoke, emulator: Emulator
) -> None:
    """``jobs get`` and ``jobs wait`` of a failed render: the message as is, escapes shown."""
    emulator.set_render_duration(0)
    emulator.fail_next_render(error_code="E[/x]", error_message="bad \x1b]8;;http://e\x07[/y]")
    started = invoke("projects", "render", str(emulator.projects()[0].id), "--json")
    job_id = json.loads(started.stdout)["id"]
    shown = invoke("jobs", "get", job_id)
    assert 1 == shown.exit_code, shown.output
    assert "E[/x] bad \\x1b]8;;http://e\\x07[/y]" in shown.stdout
    waited = invoke("jobs", "wait", job_id)
    assert 1 == waited.exit_code, waited.output
    assert "\x1b" not in waited.output
    assert "bad \\x1b]8;;http://e\\x07[/y]" in waited.stderr


def test_an_error_line_shows_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    """``error:`` lines (Pictory's messages) show an OSC 8 link's escapes as text."""
    _common.error("HTTP 400 bad \x1b]8;;http://evil.example\x07click\x1b]8;;\x07")
    expected = "error: HTTP 400 bad \\x1b]8;;http://evil.example\\x07click\\x1b]8;;\\x07\n"
    assert expected == capsys.readouterr().err


def test_the_summary_survives_markup_in_failures_and_paths(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A failure ``[/locked]`` and ``[/b]`` paths: the counts, failures and hint all print."""
    result: BulkResult[Any] = BulkResult()
    result.add(ItemResult(item=1, outcome=Outcome.DELETED))
    result.add(ItemResult(item=2, outcome=Outcome.FAILED, error=_failure("no [/locked] \x1b[2K")))
    summary = RunSummary(result=result, not_started=(3,), stopped=True, error=None, elapsed=1.0)
    backups = Path("[/b]")
    journal = Path("[red]j.jsonl")
    code = _summary.finish(
        summary, json_output=False, noun="deleted", backups=backups, journal=journal
    )
    out = capsys.readouterr().out
    assert 130 == code
    assert "Deleted 1 of 3 projects" in out
    assert "failed 2: HTTP 404 no [/locked] \\x1b[2K" in out
    assert f"Backups: {backups.resolve()}" in out
    assert f"Journal: {journal} (run the same command again to resume)" in out
    assert "Interrupted: 1 project not started; run the same command again to finish." in out


@pytest.mark.parametrize("terminal", [False, True])
def test_displays_show_failures_with_markup_and_escapes_inert(
    terminal: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """The failure line above the bar or in the log: ``[/locked]`` as is, escapes shown."""
    out = io.StringIO()
    display: _display.Display
    if terminal:
        display = _display.RichDisplay(console=Console(file=out, force_terminal=True, width=150))
    else:
        display = _display.PlainDisplay(stream=out)
    display.start(1, "Deleting")
    failure = _failure("cannot [/locked] \x1b]0;t\x07")
    display.advance(ItemResult(item=7, outcome=Outcome.FAILED, error=failure))
    display.close()
    assert "failed 7: HTTP 404 cannot [/locked] \\x1b]0;t\\x07" in out.getvalue()
    assert "\x07" not in out.getvalue()


def test_a_huge_numeric_id_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    """5,000 digits as an argument or in --ids-from: exit 2, one message, no digits echoed."""
    digits = "9" * 5000
    path = tmp_path / "ids.txt"
    path.write_text(f"1\n{digits}\n")
    for args in (("projects", "get", digits), ("projects", "delete", "--ids-from", str(path))):
        result = invoke(*args)
        assert 2 == result.exit_code, result.output
        assert "project id is longer than 200 digits" in result.stderr
        assert "9" * 201 not in result.output


def test_read_ids_bounds_digits_as_the_library_does() -> None:
    """200 digits are an id (the library's bound); 201, or a 5,000-digit line, are not."""
    assert [10**199] == _common.read_ids(["1" + "0" * 199], None, io.StringIO())
    for text in ("1" + "0" * 200, "0" * 5000):
        with pytest.raises(typer.BadParameter, match="longer than 200 digits"):
            _common.read_ids([], "-", io.StringIO(text + "\n"))


def test_prune_without_a_filter_is_a_usage_error(invoke: Invoke, emulator: Emulator) -> None:
    """``prune --yes`` with no filter: exit 2, nothing listed or deleted, --all named."""
    requests = emulator.stats.total
    result = invoke("projects", "prune", "--yes")
    assert 2 == result.exit_code, result.output
    assert "--all" in result.stderr
    assert requests == emulator.stats.total
    assert 40 == len(emulator.projects())


def test_prune_all_selects_every_project(invoke: Invoke, emulator: Emulator) -> None:
    """``prune --all`` previews every project; with --yes it deletes them all."""
    preview = invoke("projects", "prune", "--all", input="n\n")
    assert 0 == preview.exit_code, preview.output
    assert "40 projects to delete" in preview.stdout
    assert 40 == len(emulator.projects())
    result = invoke("projects", "prune", "--all", "--yes")
    assert 0 == result.exit_code, result.output
    assert [] == emulator.projects()
