"""``pictory videos preview`` and ``videos render``: the storyboard flow, against the emulator.

Jobs take 40 s of the emulator's clock; the commands' polls sleep on the same clock
(``fake_time``), so each test runs at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pictory_async.emulator import Emulator
from pictory_async.resources.videos import Videos

from .conftest import Invoke
from .fake_time import clock, emulator, fake_time

__all__ = ["clock", "emulator", "fake_time"]  # the fixtures this module uses

SCRIPT = "Brew green tea at 80 degrees. Never boiling."
STORYBOARD_ID = "4488a0f2-9560-42a7-aa05-6dc933f96e62"


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _preview(invoke: Invoke) -> dict[str, Any]:
    """A storyboard of ``SCRIPT``, previewed with ``--json``."""
    result = invoke("videos", "preview", "--text", SCRIPT, "--json")
    assert 0 == result.exit_code, result.output
    [storyboard] = _lines(result.stdout)
    return storyboard


def _subtitle(elements: list[dict[str, Any]]) -> dict[str, Any]:
    return next(element for element in elements if element.get("elementType") == "subtitle")


def _write(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


# -- preview -----------------------------------------------------------------------------


def test_preview_prints_the_preview_the_job_and_the_elements(
    invoke: Invoke, emulator: Emulator
) -> None:
    """Progress on stderr; the preview URL, the job and a row per element on stdout."""
    result = invoke("videos", "preview", "--text", SCRIPT)

    assert 0 == result.exit_code, result.output
    [job] = emulator.jobs()
    assert "storyboard" == job.kind
    assert f"Storyboard started: job {job.id}" in result.stderr
    assert "Previewing: completed 100%" in result.stderr
    assert f"pictory videos render {job.id} --elements FILE" in result.stderr
    assert f"/preview/{job.id}" in result.stdout
    for element in job.result["renderParams"]["elements"]:
        assert element["id"] in result.stdout
    assert "subtitle" in result.stdout
    assert SCRIPT in " ".join(result.stdout.split())  # the text column may wrap


def test_preview_json_is_one_object_with_the_elements_whole(
    invoke: Invoke, emulator: Emulator
) -> None:
    """--json: the job, the preview URL and every element as the storyboard has it."""
    result = invoke("videos", "preview", "--text", SCRIPT, "--json")

    assert 0 == result.exit_code, result.output
    [storyboard] = _lines(result.stdout)
    [job] = emulator.jobs()
    assert job.id == storyboard["job_id"]
    assert storyboard["preview_url"].endswith(f"/preview/{job.id}")
    assert job.result["renderParams"]["elements"] == storyboard["elements"]
    assert "" == result.stderr


def test_preview_takes_creates_options_for_a_script(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--voice, --aspect-ratio, --no-music, --save-project, --template, --var reach storyboard."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    storyboard = Videos.storyboard

    def spy(self: Videos, request: Any, **kwargs: Any) -> Any:
        calls.append((request, kwargs))
        return storyboard(self, request, **kwargs)

    monkeypatch.setattr(Videos, "storyboard", spy)
    template = _lines(invoke("templates", "list", "--json").stdout)[0]["id"]

    result = invoke(
        "videos", "preview", "--text", SCRIPT, "--voice", "Fiona", "--aspect-ratio", "9:16",
        "--no-music", "--save-project", "--template", template, "--var", "Name=Ann", "--json",
    )  # fmt: skip

    assert 0 == result.exit_code, result.output
    [(request, options)] = calls
    assert SCRIPT == request
    assert ("Fiona", "9:16", False, True) == (
        options["voice"],
        options["aspect_ratio"],
        options["music"],
        options["save_project"],
    )
    assert {"templateId": template, "variables": {"Name": "Ann"}} == options["extra_body"]
    assert _lines(result.stdout)[0]["project_id"] is not None  # saved with it


def test_preview_sends_a_payload_as_given(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--payload: Pictory's JSON, its own elements kept in the storyboard's."""
    body = {
        "videoName": "Tea 101",
        "scenes": [{"story": SCRIPT, "elements": [{"type": "text", "text": "Tea 101"}]}],
    }

    result = invoke("videos", "preview", "--payload", _write(tmp_path / "p.json", body), "--json")

    assert 0 == result.exit_code, result.output
    [storyboard] = _lines(result.stdout)
    assert "Tea 101" in [element.get("text") for element in storyboard["elements"]]


def _bad_previews(tmp: Path) -> list[list[str]]:
    (tmp / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp / "ok.json").write_text('{"videoName": "x"}', encoding="utf-8")
    return [
        [],
        ["--template", "t1"],  # a template alone is a video, not a preview: use create
        ["--text", "a", "--url", "https://example.com"],
        ["--url", "example.com/post"],
        ["--text", "  "],
        ["--payload", str(tmp / "list.json")],
        ["--payload", str(tmp / "ok.json"), "--voice", "Fiona"],
        ["--text", "a", "--var", "Name=Ann"],
        ["--text", "a", "--aspect-ratio", "3:2"],
        ["--text", "a", "--silent", "--voice", "Fiona"],
        ["--text", "a", "--poll-interval", "0.5"],
    ]


@pytest.mark.parametrize("case", range(11))
def test_preview_bad_input_exits_2_before_any_request(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, case: int
) -> None:
    """No input, two inputs, a bad URL, payload, option mix or value: exit 2, nothing sent."""
    args = _bad_previews(tmp_path)[case]

    result = invoke("videos", "preview", *args)

    assert 2 == result.exit_code, (args, result.output)
    assert 0 == emulator.stats.total


def test_a_failed_storyboard_exits_1_with_its_code(invoke: Invoke, emulator: Emulator) -> None:
    """The storyboard job fails: exit 1, Pictory's code on stderr, the failed job as JSON."""
    emulator.fail_next_job(error_code="E_SCENE", error_message="no visual", kind="storyboard")

    result = invoke("videos", "preview", "--text", SCRIPT, "--json")

    assert 1 == result.exit_code, result.output
    [job] = _lines(result.stdout)
    assert ("failed", "E_SCENE") == (job["status"], job["error_code"])
    assert "no visual" in result.stderr


def test_a_lost_storyboard_answer_is_not_resent(invoke: Invoke, emulator: Emulator) -> None:
    """The storyboard POST's answer is lost after it was applied: exit 1, one job only."""
    emulator.fail_next("drop_after_apply", method="POST")

    result = invoke("videos", "preview", "--text", SCRIPT)

    assert 1 == result.exit_code, result.output
    assert "storyboard request may have been applied; not resent" in result.stderr
    assert 1 == len(emulator.jobs())


# -- render ------------------------------------------------------------------------------


def test_render_sends_the_element_changes_then_renders(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--elements: the storyboard's element changed first, then rendered; the video printed."""
    storyboard = _preview(invoke)
    subtitle = _subtitle(storyboard["elements"])
    changes = _write(tmp_path / "changes.json", [{"id": subtitle["id"], "text": "Never boil."}])

    result = invoke("videos", "render", storyboard["job_id"], "--elements", changes)

    assert 0 == result.exit_code, result.output
    record = emulator.job(storyboard["job_id"])
    assert record is not None
    assert "Never boil." == _subtitle(record.result["renderParams"]["elements"])["text"]
    render = next(job for job in emulator.jobs() if job.kind == "render")
    assert f"Changed 1 element of storyboard {storyboard['job_id']}" in result.stderr
    assert f"Render started: job {render.id}" in result.stderr
    assert "Rendering: completed 100%" in result.stderr
    assert any(word.endswith(".mp4") for word in result.stdout.split())


def test_render_json_without_changes_is_the_video_alone(invoke: Invoke, emulator: Emulator) -> None:
    """No --elements: the storyboard rendered as it is; --json prints the video, no stderr."""
    storyboard = _preview(invoke)

    result = invoke("videos", "render", storyboard["job_id"], "--json")

    assert 0 == result.exit_code, result.output
    [video] = _lines(result.stdout)
    assert video["video_url"].endswith(".mp4")
    assert "" == result.stderr
    assert ["render", "storyboard"] == sorted(job.kind for job in emulator.jobs())


def test_render_no_wait_prints_the_job_to_follow(invoke: Invoke, emulator: Emulator) -> None:
    """--no-wait: the render's job id at once, how to follow it on stderr."""
    storyboard = _preview(invoke)

    result = invoke("videos", "render", storyboard["job_id"], "--no-wait")

    assert 0 == result.exit_code, result.output
    render = next(job for job in emulator.jobs() if job.kind == "render")
    assert f"Render started: job {render.id}" in result.stdout
    assert f"pictory jobs wait {render.id}" in result.stderr


def _bad_renders(tmp: Path) -> list[list[str]]:
    files = {
        "object.json": {"id": "e1"},
        "empty.json": [],
        "numbers.json": [1, 2],
        "no-id.json": [{"text": "x"}],
    }
    for name, value in files.items():
        _write(tmp / name, value)
    (tmp / "broken.json").write_text("[", encoding="utf-8")
    return [
        [STORYBOARD_ID, "--elements", str(tmp / "missing.json")],
        [STORYBOARD_ID, "--elements", str(tmp / "broken.json")],
        *([STORYBOARD_ID, "--elements", str(tmp / name)] for name in files),
        ["../jobs", "--json"],
        [STORYBOARD_ID, "--no-wait", "--download", str(tmp)],
        [STORYBOARD_ID, "--poll-interval", "0.5"],
        [],
    ]


@pytest.mark.parametrize("case", range(10))
def test_render_bad_input_exits_2_before_any_request(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, case: int
) -> None:
    """A bad elements file, job id or option mix: exit 2, nothing sent."""
    args = _bad_renders(tmp_path)[case]

    result = invoke("videos", "render", *args)

    assert 2 == result.exit_code, (args, result.output)
    assert 0 == emulator.stats.total


def test_an_unknown_element_exits_1_and_renders_nothing(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """The API refuses a change to an element the storyboard lacks: exit 1, no render."""
    storyboard = _preview(invoke)
    changes = _write(tmp_path / "changes.json", [{"id": "no-such-element", "text": "x"}])

    result = invoke("videos", "render", storyboard["job_id"], "--elements", changes)

    assert 1 == result.exit_code, result.output
    assert result.stderr.startswith("error: HTTP 4")
    assert ["storyboard"] == [job.kind for job in emulator.jobs()]


def test_a_failed_render_of_a_storyboard_exits_1(invoke: Invoke, emulator: Emulator) -> None:
    """The render job fails: exit 1, Pictory's code and message, no video printed."""
    storyboard = _preview(invoke)
    emulator.fail_next_job(error_code="E_RENDER", error_message="render broke", kind="render")

    result = invoke("videos", "render", storyboard["job_id"])

    assert 1 == result.exit_code, result.output
    assert "E_RENDER" in result.stderr
    assert "render broke" in result.stderr
    assert ".mp4" not in result.stdout


def test_a_lost_render_answer_is_not_resent(invoke: Invoke, emulator: Emulator) -> None:
    """The render's PUT answer is lost after it was applied: exit 1, said so, one render."""
    storyboard = _preview(invoke)
    emulator.fail_next("drop_after_apply", method="PUT")

    result = invoke("videos", "render", storyboard["job_id"])

    assert 1 == result.exit_code, result.output
    assert "render request may have been applied; not resent" in result.stderr
    assert "pictory jobs list" in result.stderr
    assert ["render", "storyboard"] == sorted(job.kind for job in emulator.jobs())


def test_a_lost_elements_answer_is_resent_then_the_render_goes_on(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """The element changes set values (idempotent): their lost answer is retried; one render."""
    storyboard = _preview(invoke)
    subtitle = _subtitle(storyboard["elements"])
    changes = _write(tmp_path / "changes.json", [{"id": subtitle["id"], "text": "Never boil."}])
    emulator.fail_next("drop_after_apply", method="PUT")

    result = invoke("videos", "render", storyboard["job_id"], "--elements", changes, "--json")

    assert 0 == result.exit_code, result.output
    assert ["render", "storyboard"] == sorted(job.kind for job in emulator.jobs())
    assert 1 == emulator.stats.dropped_after_apply
