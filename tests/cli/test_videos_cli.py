"""``pictory videos create`` against the emulator over loopback, on one fake clock.

The render takes 40 s of the emulator's clock; the command's polls sleep on the same
clock (``fake_time``), so each test runs at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pictory_async.cli import _follow
from pictory_async.emulator import Emulator, FakeClock
from pictory_async.resources.videos import Videos

from .conftest import Invoke
from .fake_time import clock, emulator, fake_time

__all__ = ["clock", "emulator", "fake_time"]  # the fixtures this module uses

SCRIPT = "Oceans cover most of the planet. They make half of our oxygen."


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """What the command asked ``client.videos.create`` for (the call still goes through)."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    create = Videos.create

    def spy(self: Videos, request: Any, **kwargs: Any) -> Any:
        calls.append((request, kwargs))
        return create(self, request, **kwargs)

    monkeypatch.setattr(Videos, "create", spy)
    return calls


def test_a_text_becomes_a_video_with_progress_on_stderr(
    invoke: Invoke, emulator: Emulator, clock: FakeClock
) -> None:
    """--text: progress lines while it renders, then the video URL and duration, exit 0."""
    result = invoke("videos", "create", "--text", SCRIPT)

    assert 0 == result.exit_code, result.output
    [job] = emulator.jobs()
    assert f"Render started: job {job.id}" in result.stderr
    assert "Rendering: in-progress 37% Rendering video (37%)" in result.stderr  # 15 s of 40
    assert "Rendering: completed 100%" in result.stderr
    assert any(word.endswith(".mp4") for word in result.stdout.split())
    assert "Duration" in result.stdout
    assert {15.0} == set(clock.sleeps) - {0.0}  # the default interval, on the fake clock


def test_the_wait_reads_the_job_once_per_poll(invoke: Invoke, emulator: Emulator) -> None:
    """40 s at 15 s a poll: four reads of the job (0, 15, 30, 45 s), no extra last look."""
    result = invoke("videos", "create", "--text", SCRIPT, "--json")

    assert 0 == result.exit_code, result.output
    reads = sum(
        count
        for (method, route, _), count in emulator.stats.requests.items()
        if (method, route) == ("GET", "job")
    )
    assert 4 == reads


def test_json_is_the_video_alone(invoke: Invoke, emulator: Emulator) -> None:
    """--json: one line (URL, duration, job), nothing on stderr."""
    result = invoke("videos", "create", "--text", SCRIPT, "--json")

    assert 0 == result.exit_code, result.output
    [video] = _lines(result.stdout)
    [job] = emulator.jobs()
    assert job.id == video["job_id"]
    assert video["video_url"].endswith(".mp4")
    assert video["duration"] > 0
    assert "" == result.stderr


def test_a_script_file_with_save_project_prints_the_project(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--script FILE --name --save-project: the project is made, named, and its id printed."""
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT + "\n", encoding="utf-8")

    result = invoke(
        "videos", "create", "--script", str(script), "--name", "Oceans", "--save-project", "--json"
    )

    assert 0 == result.exit_code, result.output
    [video] = _lines(result.stdout)
    project = emulator.project(video["project_id"])
    assert project is not None
    assert "Oceans" == project.name


def test_a_script_from_stdin(invoke: Invoke, sent: list[tuple[Any, dict[str, Any]]]) -> None:
    """--script -: the script is read from stdin, trimmed."""
    result = invoke("videos", "create", "--script", "-", "--no-wait", input=f"\n{SCRIPT}\n")

    assert 0 == result.exit_code, result.output
    assert [SCRIPT] == [request for request, _ in sent]


def test_the_options_reach_the_library(
    invoke: Invoke, sent: list[tuple[Any, dict[str, Any]]]
) -> None:
    """--voice, --brand, --aspect-ratio, --no-music, --template and --var are each passed on."""
    template = _lines(invoke("templates", "list", "--json").stdout)[0]["id"]
    result = invoke(
        "videos",
        "create",
        "--url",
        "https://example.com/blog/oceans",
        "--voice",
        "Fiona",
        "--brand",
        "Acme Social",
        "--aspect-ratio",
        "9:16",
        "--language",
        "en",
        "--no-music",
        "--template",
        template,
        "--var",
        "Name=Ann",
        "--var",
        "city=Oslo=Norway",
        "--no-wait",
    )

    assert 0 == result.exit_code, result.output
    expected = {
        "wait": False,
        "video_name": None,
        "voice": "Fiona",
        "brand": "Acme Social",
        "aspect_ratio": "9:16",
        "language": "en",
        "music": False,
        "save_project": None,
        "extra_body": {"templateId": template, "variables": {"Name": "Ann", "city": "Oslo=Norway"}},
    }
    assert [("https://example.com/blog/oceans", expected)] == sent


def test_silent_sends_no_narrator(invoke: Invoke, sent: list[tuple[Any, dict[str, Any]]]) -> None:
    """--silent: voice=None (a silent video), which a language with no usual voice needs."""
    result = invoke("videos", "create", "--text", SCRIPT, "--language", "ja", "--silent", "--json")

    assert 0 == result.exit_code, result.output
    [(_, options)] = sent
    assert options["voice"] is None


def test_an_api_refusal_exits_1_with_its_message(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """A payload the API refuses (400): exit 1, the status and Pictory's message, no job."""
    payload = tmp_path / "payload.json"
    payload.write_text(
        json.dumps({"videoName": "x", "templateId": "t-none", "scenes": [{"story": "Hi."}]}),
        encoding="utf-8",
    )

    result = invoke("videos", "create", "--payload", str(payload))

    assert 1 == result.exit_code, result.output
    assert result.stderr.startswith("error: HTTP 400")
    assert "templateId" in result.stderr
    assert [] == emulator.jobs()


def test_no_wait_prints_the_job_to_follow(invoke: Invoke, emulator: Emulator) -> None:
    """--no-wait: the job id at once (JSON: the handle), how to follow it on stderr."""
    human = invoke("videos", "create", "--text", SCRIPT, "--no-wait")
    data = invoke("videos", "create", "--text", SCRIPT, "--no-wait", "--json")

    assert (0, 0) == (human.exit_code, data.exit_code), human.output + data.output
    first, second = sorted(emulator.jobs(), key=lambda job: job.seq)
    assert f"Render started: job {first.id}" in human.stdout
    assert f"pictory jobs wait {first.id}" in human.stderr
    assert second.id == _lines(data.stdout)[0]["id"]


def test_a_payload_is_sent_as_given(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, sent: list[tuple[Any, dict[str, Any]]]
) -> None:
    """--payload: Pictory's JSON (unmodelled levels included) passes unchanged, and renders."""
    body = {
        "videoName": "From a payload",
        "voiceOver": {"enabled": True, "aiVoices": [{"speaker": "Joanna"}]},
        "scenes": [
            {
                "story": SCRIPT,
                "background": {"searchFilter": {"query": "ocean waves"}},
                "elements": [{"type": "text", "text": "OCEANS", "textVariant": "heading"}],
            }
        ],
    }
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(body), encoding="utf-8")

    result = invoke("videos", "create", "--payload", str(payload), "--json")

    assert 0 == result.exit_code, result.output
    assert [(body, {"wait": False})] == sent
    assert 1 == len(_lines(result.stdout))


def test_a_typo_in_a_payload_exits_2_naming_the_field(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """``voiceover`` for ``voiceOver``: exit 2, the nearest field named, nothing sent."""
    payload = tmp_path / "payload.json"
    payload.write_text(
        json.dumps({"videoName": "x", "voiceover": {}, "scenes": [{"story": "Hi."}]}),
        encoding="utf-8",
    )

    result = invoke("videos", "create", "--payload", str(payload))

    assert 2 == result.exit_code, result.output
    assert "'voiceover'" in result.stderr
    assert "'voiceOver'" in result.stderr
    assert 0 == emulator.stats.total


def _bad_inputs(tmp: Path) -> list[list[str]]:
    (tmp / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp / "broken.json").write_text("{", encoding="utf-8")
    (tmp / "ok.json").write_text('{"videoName": "x"}', encoding="utf-8")
    (tmp / "empty.txt").write_text(" \n", encoding="utf-8")
    return [
        ["--script", str(tmp / "empty.txt")],
        [],
        ["--text", "a", "--url", "https://example.com"],
        ["--url", "example.com/post"],
        ["--url", "https://example.com/a post"],
        ["--text", "   "],
        ["--script", str(tmp / "missing.txt")],
        ["--payload", str(tmp / "list.json")],
        ["--payload", str(tmp / "broken.json")],
        ["--payload", str(tmp / "ok.json"), "--voice", "Fiona"],
        ["--payload", str(tmp / "ok.json"), "--template", "t1"],
        ["--text", "a", "--var", "Name=Ann"],
        ["--text", "a", "--template", "t1", "--var", "novalue"],
        ["--text", "a", "--aspect-ratio", "3:2"],
        ["--text", "a", "--silent", "--voice", "Fiona"],
        ["--payload", str(tmp / "ok.json"), "--silent"],
        ["--text", "a", "--no-wait", "--download", str(tmp)],
        ["--text", "a", "--poll-interval", "0.5"],
        ["--text", "a", "--timeout", "soon"],
        ["--template", "t1", "--voice", "Fiona"],
        ["--template", "t1", "--name", "x", "--save-project"],
        ["--template", "  "],
        ["--var", "Name=Ann"],
    ]


@pytest.mark.parametrize("case", range(23))
def test_bad_input_exits_2_before_any_request(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, case: int
) -> None:
    """No input, two inputs, a bad URL, file, payload, option mix or value: exit 2, nothing sent."""
    args = _bad_inputs(tmp_path)[case]

    result = invoke("videos", "create", *args)

    assert 2 == result.exit_code, (args, result.output)
    assert 0 == emulator.stats.total
    assert [] == emulator.jobs()


def test_a_failed_render_exits_1_with_its_code(invoke: Invoke, emulator: Emulator) -> None:
    """The job fails: exit 1, Pictory's code and message on stderr, no video printed."""
    emulator.fail_next_job(error_code="E_SPEAKER", error_message="invalid speaker", kind="render")

    result = invoke("videos", "create", "--text", SCRIPT)
    as_json = invoke("videos", "create", "--text", "Second try.", "--json")

    assert 1 == result.exit_code, result.output
    assert "E_SPEAKER" in result.stderr
    assert "invalid speaker" in result.stderr
    assert "Video " not in result.stdout
    assert 0 == as_json.exit_code, as_json.output  # one failure was scripted


def test_a_failed_render_in_json_prints_the_failed_job(invoke: Invoke, emulator: Emulator) -> None:
    """--json: the failed job's state on stdout, why on stderr, exit 1."""
    emulator.fail_next_job(error_code="E_SPEAKER", kind="render")

    result = invoke("videos", "create", "--text", SCRIPT, "--json")

    assert 1 == result.exit_code, result.output
    [job] = _lines(result.stdout)
    assert ("failed", "E_SPEAKER") == (job["status"], job["error_code"])


def test_a_lost_answer_is_not_resent(invoke: Invoke, emulator: Emulator) -> None:
    """The POST's answer is lost after it was applied: exit 1, said so, one job only."""
    emulator.fail_next("drop_after_apply", method="POST")

    result = invoke("videos", "create", "--text", SCRIPT)

    assert 1 == result.exit_code, result.output
    assert "may have been applied; not resent" in result.stderr
    assert "pictory jobs list" in result.stderr
    assert 1 == len(emulator.jobs())  # applied once, never sent again


def test_the_deadline_exits_1_with_how_to_keep_waiting(invoke: Invoke, emulator: Emulator) -> None:
    """--timeout shorter than the render: exit 1, the last progress, ``pictory jobs wait``."""
    result = invoke(
        "videos", "create", "--text", SCRIPT, "--timeout", "20", "--poll-interval", "10"
    )

    assert 1 == result.exit_code, result.output
    [job] = emulator.jobs()
    assert "did not end within 0:00:20 (in-progress, 50%)" in result.stderr
    assert f"pictory jobs wait {job.id}" in result.stderr


def test_download_fetches_the_videos_files(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--download DIR: the video printed, then each file written and listed."""
    result = invoke("videos", "create", "--text", SCRIPT, "--download", str(tmp_path / "out"))

    assert 0 == result.exit_code, result.output
    files = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert any(name.endswith(".mp4") for name in files)
    assert f"{len(files)} files in {tmp_path / 'out'}" in result.stdout
    assert result.stdout.index("Video") < result.stdout.index("Kind")


def test_download_json_is_the_video_then_a_line_per_file(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--download --json: the video's line, then one per file with its path and size."""
    result = invoke("videos", "create", "--text", SCRIPT, "--download", str(tmp_path), "--json")

    assert 0 == result.exit_code, result.output
    video, *assets = _lines(result.stdout)
    assert "video_url" in video
    kinds = {asset["kind"] for asset in assets}
    assert "video" in kinds
    for asset in assets:
        assert Path(asset["path"]).stat().st_size == asset["size"]


def test_ctrl_c_while_waiting_says_the_render_goes_on(
    invoke: Invoke, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    """Ctrl-C during the wait: exit 130, and how to keep following the job."""

    async def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_follow, "timing", _follow.Timing(clock=clock.time, sleep=interrupted))

    result = invoke("videos", "create", "--text", SCRIPT)

    assert 130 == result.exit_code, result.output
    [job] = emulator.jobs()
    assert f"Stopped waiting; the job goes on: pictory jobs wait {job.id}" in result.stderr


def test_credits_lists_what_a_render_spent(invoke: Invoke) -> None:
    """After a render, ``credits --json`` has its debit."""
    assert 0 == invoke("videos", "create", "--text", SCRIPT, "--json").exit_code

    result = invoke("credits", "--json")

    assert 0 == result.exit_code, result.output
    [entry] = _lines(result.stdout)
    assert "debit" == entry["type"]
    assert entry["amount"] > 0


def _template(invoke: Invoke) -> str:
    """The id of the account's first template."""
    return str(_lines(invoke("templates", "list", "--json").stdout)[0]["id"])


def test_a_template_alone_makes_its_video(
    invoke: Invoke, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--template ID --var with no script: the template's video (from_template), printed."""
    requests: list[Any] = []
    from_template = Videos.from_template

    def spy(self: Videos, request: Any, **kwargs: Any) -> Any:
        requests.append(request)
        return from_template(self, request, **kwargs)

    monkeypatch.setattr(Videos, "from_template", spy)
    template = _template(invoke)

    result = invoke("videos", "create", "--template", template, "--var", "Name=Ada")

    assert 0 == result.exit_code, result.output
    [request] = requests
    assert (template, {"Name": "Ada"}) == (request.template_id, request.variables)
    [job] = emulator.jobs()
    assert f"Render started: job {job.id}" in result.stderr
    assert "Rendering: completed 100%" in result.stderr
    assert any(word.endswith(".mp4") for word in result.stdout.split())


def test_a_template_alone_in_json_is_the_video(invoke: Invoke, emulator: Emulator) -> None:
    """--template --json: the video's one line, nothing on stderr."""
    result = invoke("videos", "create", "--template", _template(invoke), "--json")

    assert 0 == result.exit_code, result.output
    [video] = _lines(result.stdout)
    [job] = emulator.jobs()
    assert job.id == video["job_id"]
    assert "" == result.stderr


def test_a_failed_template_video_exits_1(invoke: Invoke, emulator: Emulator) -> None:
    """The template's render fails: exit 1 with Pictory's code."""
    emulator.fail_next_job(error_code="E_TEMPLATE", kind="render")

    result = invoke("videos", "create", "--template", _template(invoke))

    assert 1 == result.exit_code, result.output
    assert "E_TEMPLATE" in result.stderr


def test_a_lost_template_answer_is_not_resent(invoke: Invoke, emulator: Emulator) -> None:
    """The from-template POST's answer is lost after it was applied: exit 1, one job."""
    template = _template(invoke)
    emulator.fail_next("drop_after_apply", method="POST")

    result = invoke("videos", "create", "--template", template)

    assert 1 == result.exit_code, result.output
    assert "render request may have been applied; not resent" in result.stderr
    assert 1 == len(emulator.jobs())
