"""Options that take a closed set of values (``--kind``) or a list (``--source``).

A bad value is a usage error (exit 2) in every command that takes it, before any
request; an option that would be ignored (``prune --kind`` without a backup) is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from pictory_async.cli._common import parse_kinds, parse_sources
from pictory_async.emulator import Emulator

from .conftest import Invoke

BAD_KINDS = [
    ["--kind", "bogus"],
    ["--kind", ""],
    ["--kind", " "],
    ["--kind", "video,bogus"],
    ["--kind", "video,,srt"],
    ["--kind", ","],
    ["--kind", "VIDEO"],
    ["--kind", "video", "--kind", "bogus"],
]


def _commands(first: str, dest: Path) -> dict[str, list[str]]:
    return {
        "download": ["projects", "download", first, "--dest", str(dest)],
        "backup": ["projects", "backup", first, "--dest", str(dest)],
        "prune": ["projects", "prune", "--all", "--backup-to", str(dest), "--yes"],
    }


@pytest.mark.parametrize("kind", BAD_KINDS, ids=lambda args: "|".join(args[1::2]) or "empty")
@pytest.mark.parametrize("command", ["download", "backup", "prune"])
def test_a_bad_kind_is_a_usage_error_in_every_command(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, command: str, kind: list[str]
) -> None:
    """Unknown, empty or mis-cased --kind: exit 2 naming --kind; nothing sent or written."""
    first = str(emulator.projects()[0].id)
    result = invoke(*_commands(first, tmp_path / "out")[command], *kind)

    assert 2 == result.exit_code, result.output
    assert "--kind" in result.stderr
    assert 0 == emulator.stats.total
    assert not (tmp_path / "out").exists()


def test_the_usage_error_names_the_bad_kind_and_the_choices(invoke: Invoke) -> None:
    """``--kind video,bogus`` names ``bogus`` (not ``video``) and lists the kinds."""
    result = invoke("projects", "backup", "1", "--dest", "x", "--kind", "video,bogus")

    assert 2 == result.exit_code
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "unknown asset kind 'bogus'; choose from video, audio, thumbnail, srt, vtt, txt" in (
        message
    )


def test_a_bad_kind_with_escapes_is_shown_inert(invoke: Invoke) -> None:
    """A kind holding an escape sequence is refused with the escape shown, never sent raw."""
    result = invoke("projects", "backup", "1", "--dest", "x", "--kind", "vid\x1b]0;pwn\x07eo")

    assert 2 == result.exit_code
    assert "\x1b" not in result.stderr
    assert "\\x1b]0;pwn\\x07" in result.stderr


def test_prune_kind_without_backup_to_is_a_usage_error(invoke: Invoke, emulator: Emulator) -> None:
    """``prune --kind video --yes`` with no --backup-to: exit 2, nothing listed or deleted."""
    before = len(emulator.projects())

    result = invoke("projects", "prune", "--all", "--kind", "video", "--yes")

    assert 2 == result.exit_code, result.output
    assert "--backup-to" in result.stderr
    assert 0 == emulator.stats.total
    assert before == len(emulator.projects())


def test_kinds_repeat_or_are_comma_separated_each_once() -> None:
    """``video,srt``, ``srt`` and `` txt `` give video, srt, txt: in order, each once."""
    assert ["video", "srt", "txt"] == parse_kinds(["video,srt", "srt", " txt "])
    assert [] == parse_kinds(None)
    assert [] == parse_kinds([])


@pytest.mark.parametrize("values", [[""], ["video,"], ["bogus"], ["video", "Video"]])
def test_parse_kinds_refuses_empty_and_unknown_names(values: list[str]) -> None:
    """An empty name, a trailing comma or an unknown kind is ``BadParameter``."""
    with pytest.raises(typer.BadParameter):
        parse_kinds(values)


def test_download_takes_comma_separated_kinds(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """``--kind txt,srt --kind txt`` downloads the transcript and the subtitles, once each."""
    record = emulator.projects()[0]

    result = invoke(
        "projects",
        "download",
        str(record.id),
        "--dest",
        str(tmp_path),
        "--kind",
        "txt,srt",
        "--kind",
        "txt",
    )

    assert 0 == result.exit_code, result.output
    assert ["srt", "txt"] == sorted(path.suffix.lstrip(".") for path in tmp_path.iterdir())


def test_sources_repeat_or_are_comma_separated(invoke: Invoke, emulator: Emulator) -> None:
    """``--source url,article`` selects what ``--source url --source article`` does."""
    both = invoke("projects", "list", "--source", "url,article", "--json")
    each = invoke("projects", "list", "--source", "url", "--source", "article", "--json")

    expected = {r.id for r in emulator.projects() if r.source in ("url", "article")}
    assert expected, "the seed gives url and article projects"
    assert expected == {json.loads(line)["id"] for line in both.stdout.splitlines()}
    assert both.stdout == each.stdout


def test_an_empty_source_is_a_usage_error(invoke: Invoke, emulator: Emulator) -> None:
    """``prune --source ''`` (a script's empty variable) is exit 2, not a filter of nothing."""
    result = invoke("projects", "prune", "--source", "", "--yes")

    assert 2 == result.exit_code
    assert 0 == emulator.stats.total


def test_an_unknown_source_is_passed_on() -> None:
    """Sources are not a closed set: a name Pictory may add later is kept as given."""
    assert ["url", "podcast"] == parse_sources(["url", "podcast,url"])


@pytest.mark.parametrize(
    "command", [["projects", "list"], ["projects", "report"], ["projects", "prune"]]
)
def test_help_names_the_sources_pictory_uses(command: list[str], invoke: Invoke) -> None:
    """--source's help lists script, transcribe, ppt, url, article; not ``text``."""
    result = invoke(*command, "--help", COLUMNS="200")

    assert 0 == result.exit_code
    assert "script, transcribe, ppt, url, article" in result.stdout
    assert "text," not in result.stdout


def test_the_emulator_seeds_only_the_sources_the_help_names(emulator: Emulator) -> None:
    """Every source the emulator seeds is one the help names."""
    from pictory_async.cli._common import SOURCES

    assert {record.source for record in emulator.projects()} <= set(SOURCES)
