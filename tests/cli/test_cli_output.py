"""What the commands print: whole ids and URLs at every width, the delete prompt, dates."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer

from pictory_async import ItemResult, Outcome
from pictory_async._bulk import BulkResult
from pictory_async.cli import _delete, _summary
from pictory_async.cli._bulkrun import RunSummary
from pictory_async.cli._common import dumps
from pictory_async.cli._console import make_console
from pictory_async.cli._layout import print_fields, print_table
from pictory_async.emulator import Emulator

from .conftest import Invoke

WIDTHS = ["60", "80", "200"]
LONG_ID = "20260825082522647d7a46e9ed80a492eb8ec3cc58946b829"
OTHER_ID = "20260825032758891413332cb52c6123272d76219c9d71e6d"
VIDEO = (
    "https://cdn.pictory.ai/renders/" + LONG_ID + "/Quarterly_Business_Review_Final.mp4"
    "?X-Amz-Expires=3600&X-Amz-Signature=" + "0123456789abcdef" * 4
)
SHARE = "https://video.pictory.ai/share/" + LONG_ID + "/" + "a1b2c3d4" * 8


def _long(emulator: Emulator, project_id: str = LONG_ID, video: str = VIDEO) -> None:
    emulator.add_project(
        id=project_id,
        name="Quarterly Business Review",
        extra={"videoURL": video, "shareVideoURL": SHARE},
    )


@pytest.mark.parametrize("columns", WIDTHS)
def test_get_prints_the_id_and_every_url_whole(
    invoke: Invoke, emulator: Emulator, columns: str
) -> None:
    """At 60, 80 and 200 columns the id, the video URL and the share link are whole."""
    _long(emulator)

    result = invoke("projects", "get", LONG_ID, COLUMNS=columns)

    assert 0 == result.exit_code, result.output
    lines = result.stdout.splitlines()
    for value in (LONG_ID, VIDEO, SHARE):
        assert any(value in line for line in lines), value
    assert "…" not in result.stdout


@pytest.mark.parametrize(("columns", "beside"), [("60", False), ("300", True)])
def test_get_puts_a_value_under_its_label_only_when_it_does_not_fit(
    invoke: Invoke, emulator: Emulator, columns: str, beside: bool
) -> None:
    """A URL wider than the terminal goes on its own line; a short name stays beside."""
    _long(emulator)

    lines = invoke("projects", "get", LONG_ID, COLUMNS=columns).stdout.splitlines()

    assert "Name         Quarterly Business Review" in lines
    assert beside == (f"Video        {VIDEO}" in lines)
    assert beside != (f"    {VIDEO}" in lines)


@pytest.mark.parametrize("columns", WIDTHS)
def test_compare_prints_ids_and_urls_whole(
    invoke: Invoke, emulator: Emulator, columns: str
) -> None:
    """``compare --field video_url``: both ids and both URLs whole at any width, nothing cut."""
    other = VIDEO.replace("Final", "Draft")
    _long(emulator)
    _long(emulator, OTHER_ID, other)

    result = invoke(
        "projects",
        "compare",
        LONG_ID,
        OTHER_ID,
        "--field",
        "video_url",
        "--field",
        "layout",
        COLUMNS=columns,
    )

    assert 0 == result.exit_code, result.output
    lines = result.stdout.splitlines()
    for value in (LONG_ID, OTHER_ID, VIDEO, other):
        assert any(value in line for line in lines), value
    assert "…" not in result.stdout
    assert "* video_url" in lines


def test_compare_is_a_table_when_it_fits(invoke: Invoke, emulator: Emulator) -> None:
    """Short values in 80 columns: a header of ids, then a row per field."""
    first, second = (emulator.add_project(id=n, layout="16:9") for n in (91, 92))

    result = invoke(
        "projects", "compare", "91", "92", "--field", "layout", "--field", "id", COLUMNS="80"
    )

    assert 0 == result.exit_code, result.output
    assert ["   field   91    92", "   layout  16:9  16:9", "*  id      91    92"] == (
        result.stdout.splitlines()[:3]
    )
    assert (first.id, second.id) == (91, 92)


def test_compare_shows_hostile_values_inert(invoke: Invoke, emulator: Emulator) -> None:
    """Markup and an escape in a compared name are shown literally, in either layout."""
    name = "[bold]Q3[/bold] \x1b]0;pwn\x07"
    emulator.add_project(id=93, name=name)
    emulator.add_project(id=94, name="plain")

    for columns in ("40", "200"):
        result = invoke(
            "projects", "compare", "93", "94", "--field", "project_name", COLUMNS=columns
        )
        assert 0 == result.exit_code, result.output
        assert "[bold]Q3[/bold] \\x1b]0;pwn\\x07" in result.stdout
        assert "\x1b" not in result.stdout


def test_fields_are_printed_in_a_console_of_any_width() -> None:
    """``print_fields`` never cuts: each value is whole on the line of its label or below."""
    out = io.StringIO()
    console = make_console()
    console.file = out
    console.width = 20

    print_fields(console, [("ID", LONG_ID), ("Name", "x"), ("None", None)])

    assert ["ID", f"    {LONG_ID}", "Name  x", "None  -"] == out.getvalue().splitlines()


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize(
    "command", [["list"], ["prune", "--source", "only-this"], ["delete", LONG_ID, "1"]]
)
def test_list_and_the_delete_preview_never_cut_an_id(
    invoke: Invoke, emulator: Emulator, columns: str, command: list[str]
) -> None:
    """The listing and the preview a user confirms show every id whole at any width."""
    name = "A name long enough to wrap in a narrow table " * 2
    emulator.add_project(id=LONG_ID, name=name, source="only-this")

    result = invoke("projects", *command, COLUMNS=columns)

    assert 0 == result.exit_code, result.output
    lines = result.stdout.splitlines()
    assert any(LONG_ID in line for line in lines)
    assert "…" not in result.stdout
    if command[0] != "delete":
        assert any("2026-" in line or "2025-" in line for line in lines)


@pytest.mark.parametrize("width", [30, 60, 80, 120])
def test_a_table_keeps_every_cell_whole_or_falls_back_to_blocks(width: int) -> None:
    """Ids and dates are never cut nor folded; only the name column wraps."""
    out = io.StringIO()
    console = make_console()
    console.file = out
    console.width = width
    rows = [[LONG_ID, "A long name " * 5, "transcribe", "2026-01-25 10:47"], ["7", "", "url", "-"]]

    print_table(console, ["ID", "Name", "Source", "Saved (UTC)"], rows, wrap=1)

    text = out.getvalue()
    assert LONG_ID in text
    assert "2026-01-25 10:47" in text
    assert "…" not in text
    blocks = width < len(LONG_ID) + len("transcribe") + len("2026-01-25 10:47") + 6 + 12
    assert blocks == (f"{LONG_ID}\n" in text)


# -- the delete prompt ------------------------------------------------------------------


def test_deleting_one_project_asks_about_1_project_by_id(
    invoke: Invoke, emulator: Emulator
) -> None:
    """One id: ``1 project to delete`` and ``Delete 1 project for good: ID?``."""
    pid = str(emulator.projects()[0].id)

    result = invoke("projects", "delete", pid, input="n\n")

    assert 0 == result.exit_code, result.output
    assert "1 project to delete" in result.stdout
    assert f"Delete 1 project for good: {pid}? [y/N]" in result.stderr
    assert 0 == emulator.stats.deletes_applied


def test_the_prune_prompt_names_the_projects_then_counts_the_rest(
    invoke: Invoke, emulator: Emulator
) -> None:
    """The first five by id and name, then ``and N more``; declining deletes nothing."""
    summaries = [
        json.loads(line) for line in invoke("projects", "list", "--json").stdout.splitlines()
    ]
    names = ", ".join(f"{s['id']} ({s['name']})" for s in summaries[:5])

    result = invoke("projects", "prune", "--all", input="n\n")

    expected = f"Delete {len(summaries)} projects for good: {names} and {len(summaries) - 5} more?"
    assert expected in result.stderr
    assert result.stderr.endswith("Nothing was deleted.\n")
    assert 0 == emulator.stats.deletes_applied


def test_the_backup_prompt_says_it_for_one_project(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """``Back up 1 project into DIR, then delete it: ID (name)?``; no deletes it."""
    emulator.add_project(name="Solo", source="only-one", id=96)

    result = invoke(
        "projects", "prune", "--source", "only-one", "--backup-to", str(tmp_path), input="n\n"
    )

    assert 0 == result.exit_code, result.output
    expected = f"Back up 1 project into {tmp_path}, then delete it: 96 (Solo)? [y/N]"
    assert expected in result.stderr
    assert emulator.has_project(96)


def test_names_in_the_prompt_are_inert_and_short(invoke: Invoke, emulator: Emulator) -> None:
    """Markup and escapes in a name reach the prompt as text; a long name is cut, its id not."""
    emulator.add_project(id=97, name="[bold]x[/bold] \x1b]0;pwn\x07", source="hostile")
    emulator.add_project(id=LONG_ID, name="N" * 300, source="hostile")

    result = invoke("projects", "prune", "--source", "hostile", input="n\n")

    assert "97 ([bold]x[/bold] \\x1b]0;pwn\\x07)" in result.stderr
    assert f"{LONG_ID} ({'N' * 39}…)" in result.stderr
    assert "\x1b" not in result.stderr
    assert 0 == emulator.stats.deletes_applied


def test_no_answer_is_a_dry_run_and_says_so(invoke: Invoke, emulator: Emulator) -> None:
    """End of input at the prompt: nothing deleted, and how to delete without asking."""
    result = invoke("projects", "delete", str(emulator.projects()[0].id))

    assert "Nothing was deleted: nobody could answer (a dry run)" in result.stderr
    assert "--yes" in result.stderr


def _abort(cause: BaseException) -> typer.Abort:
    try:
        try:
            raise cause
        except BaseException:
            raise typer.Abort() from None
    except typer.Abort as abort:
        return abort


@pytest.mark.parametrize(("cause", "expected"), [(KeyboardInterrupt(), False), (EOFError(), None)])
def test_ctrl_c_at_the_prompt_is_no_and_end_of_input_is_nobody(
    monkeypatch: pytest.MonkeyPatch, cause: BaseException, expected: bool | None
) -> None:
    """Click turns both into Abort: Ctrl-C is a "no", the end of input "nobody answered"."""

    def confirm(*args: object, **kwargs: object) -> bool:
        raise _abort(cause)

    monkeypatch.setattr(typer, "confirm", confirm)

    assert expected is _delete._confirm("Delete?")


# -- dates in --json ---------------------------------------------------------------------


def test_dates_in_json_read_alike_in_every_command(invoke: Invoke, emulator: Emulator) -> None:
    """``list --json`` and the prune preview's --json give a project's date the same way (Z)."""
    listed = {
        line["id"]: line["saved_date"]
        for line in map(json.loads, invoke("projects", "list", "--json").stdout.splitlines())
    }
    previewed = {
        line["id"]: line["saved_date"]
        for line in map(
            json.loads, invoke("projects", "prune", "--all", "--json").stdout.split("\n")[:-1]
        )
    }

    assert listed == previewed
    assert all(date.endswith("Z") for date in listed.values())


def test_dumps_writes_every_date_as_the_library_does() -> None:
    """A datetime anywhere in a line is ISO 8601 UTC with ``Z``; a naive one is taken as UTC."""
    aware = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=timezone(timedelta(hours=2)))
    line = {"a": aware, "b": [datetime(2026, 1, 2, 3, 4, 5)], "c": float("nan")}

    assert (
        '{"a": "2026-01-02T01:04:05.006Z", "b": ["2026-01-02T03:04:05.000Z"], "c": null}'
        == dumps(line)
    )


# -- width -------------------------------------------------------------------------------


@pytest.mark.parametrize(("columns", "expected"), [("60", 60), ("", 120), ("0", 120), ("x", 120)])
def test_a_console_that_is_no_terminal_takes_its_width_from_columns(
    monkeypatch: pytest.MonkeyPatch, columns: str, expected: int
) -> None:
    """Piped output is ``COLUMNS`` wide when that is a width, else 120 (not Rich's 80)."""
    monkeypatch.setenv("COLUMNS", columns)

    assert expected == make_console().width


def test_the_summary_prints_backup_and_journal_paths_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """In 40 columns, the backups' and the journal's paths are each on one line, whole."""
    monkeypatch.setenv("COLUMNS", "40")
    backups = tmp_path / ("backups-of-the-quarterly-cleanup-" + "x" * 30)
    journal = tmp_path / "prune-journal-of-the-quarterly-cleanup.jsonl"
    result: BulkResult[Any] = BulkResult()
    result.add(ItemResult(item=1, outcome=Outcome.DELETED))
    summary = RunSummary(result=result, not_started=(), stopped=False, error=None, elapsed=1.0)

    _summary.finish(summary, json_output=False, noun="deleted", backups=backups, journal=journal)

    lines = capsys.readouterr().out.splitlines()
    assert f"  Backups: {backups.resolve()}" in lines
    assert f"  Journal: {journal} (run the same command again to resume)" in lines
