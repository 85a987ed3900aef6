"""``pictory projects report`` and ``compare``: files, tables, exit codes, usage errors."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

from pictory_async import AsyncPictory, compare_projects
from pictory_async.emulator import Emulator, RunningEmulator

from .conftest import Invoke, old_ids


def _comparison(server: RunningEmulator, ids: list[int | str]) -> dict[str, object]:
    """What the library says of these projects, fetched over the same socket."""

    async def main() -> dict[str, object]:
        async with AsyncPictory(server.api_key, base_url=server.base_url) as client:
            projects = [await client.projects.get(i) for i in ids]
        return compare_projects(projects).to_dict()

    return asyncio.run(main())


def test_report_csv_has_a_row_per_selected_project(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--older-than 90d into a .csv: the old projects' ids, in a header-first CSV."""
    target = tmp_path / "old.csv"
    result = invoke("projects", "report", str(target), "--older-than", "90d")
    assert 0 == result.exit_code, result.output
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(map(str, old_ids(emulator))) == sorted(row["id"] for row in rows)
    assert f"{len(rows)} projects written to {target}" in result.stdout


def test_report_full_fetches_every_field(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--full: a GET per project, rows with the project's settings and links (jsonl)."""
    target = tmp_path / "all.jsonl"
    folder = emulator.folders()[0]
    result = invoke("projects", "report", str(target), "--folder", folder, "--full")
    assert 0 == result.exit_code, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    expected = [r.id for r in emulator.projects() if r.folder == folder]
    assert sorted(map(str, expected)) == sorted(str(row["id"]) for row in rows)
    assert all("video_duration" in row and "share_url" in row for row in rows)


def test_report_format_option_overrides_the_suffix(invoke: Invoke, tmp_path: Path) -> None:
    """--format json writes a JSON array whatever the file is called."""
    target = tmp_path / "report.txt"
    result = invoke("projects", "report", str(target), "--format", "json")
    assert 0 == result.exit_code, result.output
    assert isinstance(json.loads(target.read_text(encoding="utf-8")), list)


def test_report_usage_errors_send_nothing(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """An unknown format, a missing directory or a directory as FILE: exit 2, nothing sent."""
    unknown = invoke("projects", "report", str(tmp_path / "r.xlsx"))
    no_dir = invoke("projects", "report", str(tmp_path / "missing" / "r.csv"))
    (tmp_path / "d.csv").mkdir()
    a_dir = invoke("projects", "report", str(tmp_path / "d.csv"))
    assert (2, 2, 2) == (unknown.exit_code, no_dir.exit_code, a_dir.exit_code)
    assert "a directory, not a file" in a_dir.stderr
    assert "xlsx" in unknown.stderr
    assert "no such directory" in no_dir.stderr
    assert 0 == emulator.stats.total
    assert not (tmp_path / "missing").exists()


def test_compare_json_matches_the_library(
    invoke: Invoke, emulator: Emulator, server: RunningEmulator
) -> None:
    """--json is ``compare_projects(...).to_dict()`` for the same projects, in order."""
    ids = [record.id for record in emulator.projects()[:3]]
    result = invoke("projects", "compare", *map(str, ids), "--json")
    assert 0 == result.exit_code, result.output
    assert _comparison(server, ids) == json.loads(result.stdout)


def test_compare_table_marks_the_differing_fields(
    invoke: Invoke, emulator: Emulator, server: RunningEmulator
) -> None:
    """The table marks each differing field with ``*``; --differing shows only those."""
    ids = [record.id for record in emulator.projects()[:2]]
    differing = _comparison(server, ids)["differing"]
    assert isinstance(differing, list)
    assert differing, "the seed gives two projects with different settings"
    every = invoke("projects", "compare", *map(str, ids))
    only = invoke("projects", "compare", *map(str, ids), "--differing")
    assert (0, 0) == (every.exit_code, only.exit_code), every.output + only.output
    marked = [line.split()[1] for line in every.stdout.splitlines() if line.startswith("*")]
    assert differing == marked
    rows = [line.split()[1] for line in only.stdout.splitlines() if line.startswith("*")]
    assert differing == rows
    assert f"{len(differing)} of {len(differing)} fields differ" in only.stdout


def test_compare_a_project_with_itself_differs_nowhere(invoke: Invoke, emulator: Emulator) -> None:
    """The same id twice: every field the same."""
    pid = str(emulator.projects()[0].id)
    result = invoke("projects", "compare", pid, pid, "--field", "project_name", "--field", "layout")
    assert 0 == result.exit_code, result.output
    assert "0 of 2 fields differ" in result.stdout


def test_compare_a_missing_project_exits_1_naming_it(invoke: Invoke, emulator: Emulator) -> None:
    """A project that does not exist: its id and the HTTP status on stderr, exit 1."""
    pid = str(emulator.projects()[0].id)
    result = invoke("projects", "compare", pid, "nope-404")
    assert 1 == result.exit_code
    assert "nope-404" in result.stderr
    assert "404" in result.stderr


def test_compare_usage_errors_send_nothing(invoke: Invoke, emulator: Emulator) -> None:
    """One id, or an unknown --field: exit 2 before any request."""
    pid = str(emulator.projects()[0].id)
    one = invoke("projects", "compare", pid)
    bad_field = invoke("projects", "compare", pid, pid, "--field", "no_such_field")
    assert (2, 2) == (one.exit_code, bad_field.exit_code)
    assert "no_such_field" in bad_field.stderr
    assert 0 == emulator.stats.total


def test_get_shows_the_share_link(invoke: Invoke, emulator: Emulator) -> None:
    """``projects get`` prints the project's share link when it has one."""
    for record in emulator.projects():
        result = invoke("projects", "get", str(record.id), "--json")
        share = json.loads(result.stdout)["share_video_url"]
        if share:
            human = invoke("projects", "get", str(record.id))
            assert share in human.stdout.replace("\n", "")
            return
    raise AssertionError("the seed gives a project with a share link")
