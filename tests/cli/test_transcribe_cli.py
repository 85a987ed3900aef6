"""``pictory transcribe URL`` against the emulator over loopback, on one fake clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from pictory_async.emulator import Emulator
from pictory_async.resources.jobs import Jobs

from .conftest import Invoke
from .fake_time import clock, emulator, fake_time

__all__ = ["clock", "emulator", "fake_time"]  # the fixtures this module uses

URL = "https://media.example.com/talks/keynote.mp4"


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _result(emulator: Emulator) -> dict[str, Any]:
    [job] = emulator.jobs()
    return job.result


def test_the_files_asked_for_are_written_and_listed(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--srt, --vtt, --txt: each file holds the job's text; a table lists them; progress shown."""
    paths = {kind: tmp_path / f"keynote.{kind}" for kind in ("srt", "vtt", "txt")}

    result = invoke(
        "transcribe",
        URL,
        "--srt",
        str(paths["srt"]),
        "--vtt",
        str(paths["vtt"]),
        "--txt",
        str(paths["txt"]),
    )

    assert 0 == result.exit_code, result.output
    data = _result(emulator)
    for kind, path in paths.items():
        assert data[kind] == path.read_text(encoding="utf-8")
        assert str(path) in result.stdout
    assert "Transcription started: job" in result.stderr
    assert "Transcribing: completed 100%" in result.stderr


def test_without_files_the_text_goes_to_stdout(invoke: Invoke, emulator: Emulator) -> None:
    """No file asked for: the plain text on stdout, the sentence count on stderr."""
    result = invoke("transcribe", URL)

    assert 0 == result.exit_code, result.output
    data = _result(emulator)
    assert data["txt"].splitlines() == result.stdout.splitlines()
    assert f"Transcribed: {len(data['transcript'])} sentences" in result.stderr


def test_json_is_the_transcription_and_the_files(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--json: one line (transcript, srt, vtt, txt, media info, files), nothing on stderr."""
    srt = tmp_path / "a.srt"

    result = invoke(
        "transcribe",
        URL,
        "--media-type",
        "audio",
        "--language",
        "de-DE",
        "--srt",
        str(srt),
        "--json",
    )

    assert 0 == result.exit_code, result.output
    [line] = _lines(result.stdout)
    assert _result(emulator)["srt"] == line["srt"]
    assert {"srt": str(srt)} == line["files"]
    assert "audio" == line["media_info"]["mediaType"]
    assert "" == result.stderr


def _bad(tmp: Path) -> list[list[str]]:
    (tmp / "sub").mkdir()
    return [
        ["media.example.com/a.mp4"],
        ["https://media.example.com/my talk.mp4"],
        [URL, "--media-type", "image"],
        [URL, "--language", " "],
        [URL, "--srt", str(tmp / "missing" / "a.srt")],
        [URL, "--vtt", str(tmp / "sub")],
        [URL, "--srt", str(tmp / "a.txt"), "--txt", str(tmp / "a.txt")],
        [URL, "--poll-interval", "0.5"],
        [],
    ]


@pytest.mark.parametrize("case", range(9))
def test_bad_input_exits_2_before_any_request(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, case: int
) -> None:
    """A bad URL, media type, language, file or interval: exit 2, nothing sent."""
    args = _bad(tmp_path)[case]

    result = invoke("transcribe", *args)

    assert 2 == result.exit_code, (args, result.output)
    assert 0 == emulator.stats.total


def test_a_failed_transcription_exits_1_and_writes_nothing(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """The job fails: exit 1, its code and message on stderr, no file written."""
    emulator.fail_next_job(
        error_code="MEDIA_UNREADABLE", error_message="cannot read the file", kind="transcription"
    )
    srt = tmp_path / "a.srt"

    result = invoke("transcribe", URL, "--srt", str(srt))

    assert 1 == result.exit_code, result.output
    assert "MEDIA_UNREADABLE" in result.stderr
    assert "cannot read the file" in result.stderr
    assert not srt.exists()


def test_a_lost_answer_is_not_resent(invoke: Invoke, emulator: Emulator) -> None:
    """The POST's answer is lost after it was applied: exit 1, said so, one job only."""
    emulator.fail_next("drop_after_apply", method="POST")

    result = invoke("transcribe", URL, "--json")

    assert 1 == result.exit_code, result.output
    assert "may have been applied; not resent" in result.stderr
    assert 1 == len(emulator.jobs())
    assert "" == result.stdout


def test_a_result_without_the_subtitles_asked_for_exits_1(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The finished job has no SRT: the other files are written, exit 1 says which is missing."""
    wait = Jobs.wait

    async def without_srt(self: Jobs, job: Any, **options: Any) -> Any:
        return attrs.evolve(await wait(self, job, **options), srt=None)

    monkeypatch.setattr(Jobs, "wait", without_srt)
    srt, txt = tmp_path / "a.srt", tmp_path / "a.txt"

    result = invoke("transcribe", URL, "--srt", str(srt), "--txt", str(txt))

    assert 1 == result.exit_code, result.output
    assert "the transcription has no srt" in result.stderr
    assert (False, True) == (srt.exists(), txt.exists())
