"""``pictory projects ...`` against the emulator over loopback: output, prompts, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pictory_async.emulator import Emulator

from .conftest import Invoke, old_ids


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_list_prints_a_table_of_every_project(invoke: Invoke, emulator: Emulator) -> None:
    """Every project is a row (id, name, source, date), then the count."""
    result = invoke("projects", "list")
    assert 0 == result.exit_code, result.output
    for record in emulator.projects():
        assert str(record.id) in result.stdout
    assert f"{len(emulator.projects())} projects" in result.stdout


def test_list_json_filters_by_age_and_source(invoke: Invoke, emulator: Emulator) -> None:
    """--older-than and --source select; --json prints one object per project, nothing else."""
    result = invoke("projects", "list", "--older-than", "90d", "--source", "url", "--json")
    assert 0 == result.exit_code, result.output
    expected = {i for i in old_ids(emulator) if emulator.project(i).source == "url"}  # type: ignore[union-attr]
    lines = _lines(result.stdout)
    assert expected == {line["id"] for line in lines}
    assert {"url"} == {line["source"] for line in lines}
    assert expected, "the seed gives old url projects"


def test_list_folder(invoke: Invoke, emulator: Emulator) -> None:
    """--folder lists only that folder's projects."""
    folder = emulator.folders()[0]
    result = invoke("projects", "list", "--folder", folder, "--json")
    expected = {r.id for r in emulator.projects() if r.folder == folder}
    assert expected == {line["id"] for line in _lines(result.stdout)}


def test_a_bad_duration_is_a_usage_error(invoke: Invoke) -> None:
    """--older-than 90x exits 2 before any request."""
    result = invoke("projects", "list", "--older-than", "90x")
    assert 2 == result.exit_code
    assert "not a duration" in result.stderr


def test_get_shows_a_project_and_json_has_its_fields(invoke: Invoke, emulator: Emulator) -> None:
    """Get prints the name; --json the snake_case fields."""
    record = emulator.projects()[0]
    human = invoke("projects", "get", str(record.id))
    assert 0 == human.exit_code, human.output
    assert record.name in human.stdout
    data = _lines(invoke("projects", "get", str(record.id), "--json").stdout)[0]
    assert record.id == data["id"]
    assert record.name == data["project_name"]
    assert "raw" not in data


def test_json_lines_are_strict_json_with_utc_dates(invoke: Invoke, emulator: Emulator) -> None:
    """``--json`` is strict JSON (no ``NaN``), dates in UTC ending in ``Z``."""
    record = emulator.projects()[0]

    def refuse(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    result = invoke("projects", "get", str(record.id), "--json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout, parse_constant=refuse)
    assert data["save_date"].endswith("Z")
    assert (
        record.saved.isoformat(timespec="milliseconds").replace("+00:00", "Z") == data["save_date"]
    )


def test_a_missing_project_is_one_line_with_the_status_and_exit_1(invoke: Invoke) -> None:
    """404: ``error: HTTP 404 ...`` on stderr, no traceback, exit 1."""
    result = invoke("projects", "get", "999999999")
    assert 1 == result.exit_code
    assert ["error: HTTP 404 Project not found"] == result.stderr.splitlines()
    assert "" == result.stdout


def test_an_unsafe_id_is_a_usage_error_before_any_request(
    invoke: Invoke, emulator: Emulator
) -> None:
    """``../x`` exits 2 and the emulator sees nothing."""
    result = invoke("projects", "get", "../x")
    assert 2 == result.exit_code
    assert 0 == emulator.stats.total


def test_wait_returns_a_rendered_project(invoke: Invoke, emulator: Emulator) -> None:
    """A finished render: exit 0 at once, with the project."""
    record = emulator.projects()[0]
    result = invoke("projects", "wait", str(record.id), "--json")
    assert 0 == result.exit_code, result.output
    assert record.id == _lines(result.stdout)[0]["id"]


def test_wait_times_out_with_exit_1(invoke: Invoke, emulator: Emulator) -> None:
    """A render still running at the deadline (0 s): exit 1, the state in one line."""
    record = emulator.add_project(in_progress=True, render_seconds=3600)
    result = invoke("projects", "wait", str(record.id), "--timeout", "0")
    assert 1 == result.exit_code
    assert "still rendering" in result.stderr


def test_download_writes_the_assets(invoke: Invoke, emulator: Emulator, tmp_path: Path) -> None:
    """Download --kind txt writes the transcript, byte for byte."""
    record = emulator.projects()[0]
    result = invoke(
        "projects", "download", str(record.id), "--dest", str(tmp_path), "--kind", "txt"
    )
    assert 0 == result.exit_code, result.output
    (path,) = tmp_path.iterdir()
    assert emulator.asset(record.id, "txt") == path.read_bytes()


def test_backup_backs_up_each_id_and_deletes_nothing(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """Backup ID ID: a manifest per project; every project is still there."""
    ids = [str(r.id) for r in emulator.projects()[:2]]
    result = invoke("projects", "backup", *ids, "--dest", str(tmp_path), "--kind", "txt")
    assert 0 == result.exit_code, result.output
    assert 2 == len(list(tmp_path.glob("*/manifest.json")))
    assert 40 == len(emulator.projects())
    assert "Backed up 2 of 2 projects" in result.stdout


def test_backup_of_a_missing_project_fails_with_exit_1(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """One id missing: the other is backed up, the run exits 1 and names the failure."""
    good = str(emulator.projects()[0].id)
    result = invoke("projects", "backup", good, "999999999", "--dest", str(tmp_path), "--json")
    assert 1 == result.exit_code
    outcomes = {line["id"]: line["outcome"] for line in _lines(result.stdout)}
    assert {emulator.projects()[0].id: "backed_up", 999999999: "failed"} == outcomes


def test_delete_without_yes_is_a_dry_run(invoke: Invoke, emulator: Emulator) -> None:
    """No --yes and no answer at the prompt: the ids are shown, nothing is deleted, exit 0."""
    ids = [str(r.id) for r in emulator.projects()[:3]]
    result = invoke("projects", "delete", *ids)
    assert 0 == result.exit_code, result.output
    assert "3 projects to delete" in result.stdout
    assert "Nothing was deleted" in result.stderr
    assert 0 == emulator.stats.deletes_applied


def test_delete_asks_and_deletes_on_yes(invoke: Invoke, emulator: Emulator) -> None:
    """Answering y at the prompt deletes; n does not, and says only that nothing was deleted."""
    ids = [str(r.id) for r in emulator.projects()[:3]]
    refused = invoke("projects", "delete", *ids, input="n\n")
    assert 0 == emulator.stats.deletes_applied
    assert f"Delete 3 projects for good: {', '.join(ids)}? [y/N]" in refused.stderr
    assert refused.stderr.endswith("Nothing was deleted.\n")
    assert "dry run" not in refused.stderr
    accepted = invoke("projects", "delete", *ids, input="y\n")
    assert 0 == accepted.exit_code, accepted.output
    assert 3 == emulator.stats.deletes_applied
    assert "Deleted 3 of 3 projects" in accepted.stdout


def test_delete_reads_ids_from_stdin_and_never_prompts(invoke: Invoke, emulator: Emulator) -> None:
    """``delete -`` takes ids from stdin; without --yes that is a dry run (no prompt to read)."""
    ids = [r.id for r in emulator.projects()[:4]]
    text = "\n".join(map(str, ids)) + "\n# a comment\n\n"
    dry = invoke("projects", "delete", "-", input=text)
    assert 0 == dry.exit_code
    assert "no prompt" in dry.stderr
    assert 0 == emulator.stats.deletes_applied
    done = invoke("projects", "delete", "-", "--yes", "--json", input=text)
    assert 0 == done.exit_code, done.output
    lines = _lines(done.stdout)
    assert [(i, "would_delete") for i in ids] == [(x["id"], x["outcome"]) for x in lines[:4]]
    assert {(i, "deleted") for i in ids} == {(x["id"], x["outcome"]) for x in lines[4:]}
    assert 4 == emulator.stats.deletes_applied


def test_delete_ids_from_a_file(invoke: Invoke, emulator: Emulator, tmp_path: Path) -> None:
    """--ids-from FILE reads one id a line."""
    ids = [r.id for r in emulator.projects()[:2]]
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(map(str, ids)))
    result = invoke("projects", "delete", "--ids-from", str(path), "--yes")
    assert 0 == result.exit_code, result.output
    assert not any(emulator.has_project(i) for i in ids)


def test_delete_of_a_missing_project_fails_unless_missing_ok(
    invoke: Invoke, emulator: Emulator
) -> None:
    """A 404 is a failure (exit 1) by default, already absent (exit 0) with --missing-ok."""
    failed = invoke("projects", "delete", "999999999", "--yes")
    assert 1 == failed.exit_code
    assert "failed 999999999: HTTP 404 Project not found" in failed.stdout
    ok = invoke("projects", "delete", "999999999", "--yes", "--missing-ok", "--json")
    assert 0 == ok.exit_code
    assert {"id": 999999999, "outcome": "already_absent"} == _lines(ok.stdout)[-1]


def test_delete_usage_errors_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    """No ids, an unsafe id, an unreadable file: exit 2, nothing sent."""
    assert 2 == invoke("projects", "delete").exit_code
    assert 2 == invoke("projects", "delete", "a/b", "--yes").exit_code
    missing = invoke("projects", "delete", "--ids-from", str(tmp_path / "none"), "--yes")
    assert 2 == missing.exit_code


def test_prune_previews_names_and_dates_then_deletes_with_yes(
    invoke: Invoke, emulator: Emulator
) -> None:
    """Prune --older-than shows what would go; --yes deletes exactly those."""
    expected = old_ids(emulator)
    preview = invoke("projects", "prune", "--older-than", "90d")
    assert 0 == preview.exit_code, preview.output
    assert f"{len(expected)} projects to delete" in preview.stdout
    assert emulator.project(expected[0]).name in preview.stdout  # type: ignore[union-attr]
    assert 0 == emulator.stats.deletes_applied
    result = invoke("projects", "prune", "--older-than", "90d", "--yes")
    assert 0 == result.exit_code, result.output
    assert not any(emulator.has_project(i) for i in expected)
    assert 40 - len(expected) == len(emulator.projects())
    assert f"Deleted {len(expected)} of {len(expected)} projects" in result.stdout


def test_prune_json_prints_only_results(invoke: Invoke, emulator: Emulator) -> None:
    """--json: would_delete lines, then one per outcome; stdout holds nothing else."""
    expected = set(old_ids(emulator))
    result = invoke("projects", "prune", "--older-than", "90d", "--yes", "--json")
    lines = _lines(result.stdout)
    assert expected == {x["id"] for x in lines if x["outcome"] == "would_delete"}
    assert expected == {x["id"] for x in lines if x["outcome"] == "deleted"}
    assert 2 * len(expected) == len(lines)


def test_prune_with_backups(invoke: Invoke, emulator: Emulator, tmp_path: Path) -> None:
    """--backup-to: each project is backed up (manifest) before it is deleted."""
    expected = old_ids(emulator, days=300)
    result = invoke(
        "projects",
        "prune",
        "--older-than",
        "300d",
        "--backup-to",
        str(tmp_path),
        "--kind",
        "txt",
        "--yes",
    )
    assert 0 == result.exit_code, result.output
    assert len(expected) == len(list(tmp_path.glob("*/manifest.json")))
    assert not any(emulator.has_project(i) for i in expected)
    assert f"Backups: {tmp_path}" in result.stdout


def test_nothing_to_prune(invoke: Invoke) -> None:
    """A filter that matches nothing: exit 0, nothing asked."""
    result = invoke("projects", "prune", "--source", "no-such-source")
    assert 0 == result.exit_code
    assert "Nothing to delete." in result.stdout


def test_a_backup_that_cannot_be_written_deletes_nothing(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--backup-to a file, not a directory: every project fails and stays; exit 1."""
    target = tmp_path / "not-a-dir"
    target.write_text("")
    expected = old_ids(emulator)
    result = invoke("projects", "prune", "--older-than", "90d", "--backup-to", str(target), "--yes")
    assert 1 == result.exit_code
    assert 0 == emulator.stats.deletes_applied
    assert all(emulator.has_project(i) for i in expected)
    assert f"failed {len(expected)}" in result.stdout


def test_a_journal_of_another_operation_is_refused_before_any_delete(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """A delete journal given to a prune with backups: exit 2, nothing deleted."""
    journal = tmp_path / "j.jsonl"
    first = str(emulator.projects()[0].id)
    assert 0 == invoke("projects", "delete", first, "--yes", "--journal", str(journal)).exit_code
    result = invoke(
        "projects",
        "prune",
        "--all",
        "--backup-to",
        str(tmp_path / "b"),
        "--journal",
        str(journal),
        "--yes",
    )
    assert 2 == result.exit_code
    assert "journal" in result.stderr
    assert 1 == emulator.stats.deletes_applied


def test_download_json_shows_no_signed_query(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Download --json names each file's URL without its query (a signature is a credential)."""
    from pictory_async.emulator import _wire

    plain = _wire.media_urls

    def signed(record: Any, cdn_base_url: str) -> dict[str, str]:
        return {
            k: f"{url}?X-Amz-Signature=s3cr3t" for k, url in plain(record, cdn_base_url).items()
        }

    monkeypatch.setattr(_wire, "media_urls", signed)
    record = emulator.projects()[0]
    result = invoke(
        "projects", "download", str(record.id), "--dest", str(tmp_path), "--kind", "txt", "--json"
    )
    assert 0 == result.exit_code, result.output
    (line,) = _lines(result.stdout)
    assert emulator.asset_url(record.id, "txt") + "?…" == line["url"]
    assert "s3cr3t" not in result.output
