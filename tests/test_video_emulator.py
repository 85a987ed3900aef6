"""Videos, transcriptions and typed jobs on the emulator, over a real socket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _support import FIXTURES

from pictory_async import APIConnectionError, AsyncPictory, BadRequestError, JobFailedError
from pictory_async._models.results import Storyboard, Transcription, Video
from pictory_async._models.videos import AiVoice, VideoRequest, VideoScene, VoiceOver
from pictory_async.emulator import Emulator

SOCKET = pytest.mark.pictory_emulator(transport="socket", seed=11)
EXAMPLES = FIXTURES / "pictory_examples"
SCRIPT = "Meet the new app. It plans your week for you. Try it today."
REQUEST = VideoRequest(
    video_name="Launch Demo",
    voice_over=VoiceOver(ai_voices=[AiVoice(speaker="Adison")]),
    scenes=[
        VideoScene(story="Meet the new app."),
        VideoScene(story="Try it today.", elements=[{"type": "text", "text": "Download now"}]),
    ],
)


@SOCKET
async def test_create_makes_a_video_and_its_files_download(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """One call: a script in, the finished video out; its files come from the CDN."""
    before = pictory_emulator.quota()["videoMinutes"]["used"]
    video = await pictory_client.videos.create(SCRIPT, save_project=True)
    assets = await pictory_client.videos.download(video, tmp_path, kinds=["video", "srt"])

    assert isinstance(video, Video)
    assert video.project_id is not None
    assert (video.duration or 0) > 0
    assert {"video", "srt"} == set(assets)
    assert "Try it today." in assets["srt"].path.read_text()
    assert pictory_emulator.quota()["videoMinutes"]["used"] > before
    assert video.project_id in [project.id for project in pictory_emulator.projects()]


@SOCKET
async def test_preview_change_an_element_then_render(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Storyboard, its renderParams, one element changed, the preview rendered as changed."""
    job = await pictory_client.videos.storyboard(REQUEST)
    storyboard = await pictory_client.jobs.wait(job)
    element = next(
        e for e in storyboard.render_params["elements"] if e.get("text") == "Download now"
    )
    await pictory_client.videos.update_elements(job, [{"id": element["id"], "text": "Get it"}])
    changed = await pictory_client.jobs.wait(job.id)
    video = await pictory_client.jobs.wait(await pictory_client.videos.render_preview(job))

    assert isinstance(storyboard, Storyboard)
    assert storyboard.preview_url is not None
    assert ["Get it"] == [
        e["text"] for e in changed.raw["renderParams"]["elements"] if e["id"] == element["id"]
    ]
    assert video.video_url.startswith("http")


@SOCKET
async def test_render_directly_changed_params_and_a_template(
    pictory_client: AsyncPictory,
) -> None:
    """Render a request, a storyboard's renderParams, and a template's video."""
    direct = await pictory_client.jobs.wait(await pictory_client.videos.render(REQUEST))
    storyboard = await pictory_client.jobs.wait(await pictory_client.videos.storyboard(REQUEST))
    params = {**storyboard.render_params, "videoName": "Changed"}
    changed = await pictory_client.jobs.wait(await pictory_client.videos.render_changed(params))
    templates = await pictory_client.templates.list()
    template_id = next(t.id for t in templates if t.name == "Hello World Template")
    from_template = await pictory_client.jobs.wait(
        await pictory_client.videos.from_template(
            {"templateId": template_id, "variables": {"Name": "Ada"}, "audio": {}}
        )
    )

    assert all(v.video_url for v in (direct, changed, from_template))


_VIDEO_EXAMPLES = {
    path.stem: json.loads(path.read_text())
    for path in sorted(EXAMPLES.glob("*.json"))
    if path.stem.split("_")[0] in ("storyboard", "render") and "template" not in path.stem
}


@SOCKET
@pytest.mark.parametrize("name", sorted(_VIDEO_EXAMPLES))
async def test_the_emulator_takes_every_example_payload(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, name: str
) -> None:
    """Each full example body (but a template's) starts a storyboard that completes."""
    pictory_emulator.add_brand(name="Lumen")  # the brand an example names (else it fails)
    payload: dict[str, Any] = _VIDEO_EXAMPLES[name]
    storyboard = await pictory_client.jobs.wait(await pictory_client.videos.storyboard(payload))

    assert storyboard.render_params["scenes"]


@SOCKET
async def test_transcribe_then_highlights(pictory_client: AsyncPictory) -> None:
    """A transcription's srt, vtt and txt, then highlights of it and of its transcript."""
    job = await pictory_client.transcriptions.create("https://media.example.test/talk.mp4")
    transcription = await pictory_client.jobs.wait(job)
    highlights = await pictory_client.jobs.wait(
        await pictory_client.transcriptions.highlights(job, duration=10)
    )

    own = await pictory_client.jobs.wait(
        await pictory_client.transcriptions.highlights_from_transcript(
            transcription.transcript, duration=5
        )
    )

    assert isinstance(transcription, Transcription)
    assert own.highlights
    assert str(transcription.srt).startswith("1\n00:00:00,000 --> ")
    assert str(transcription.vtt).startswith("WEBVTT")
    assert transcription.transcript
    assert highlights.highlights
    assert 0 < (highlights.duration or 0) <= 10


@SOCKET
async def test_a_failed_job_raises_with_its_code_and_message(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """The emulator fails the render; the wait raises Pictory's code and message."""
    pictory_emulator.fail_next_job(error_message="The AI voice speaker [Timm] is invalid")

    with pytest.raises(JobFailedError) as info:
        await pictory_client.videos.create(SCRIPT)

    assert ("TEXT_TO_VIDEO_FAILED", "The AI voice speaker [Timm] is invalid") == (
        info.value.error_code,
        info.value.error_message,
    )


@SOCKET
async def test_a_lost_answer_is_not_sent_again(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """The render was applied but its answer lost: one job, and the error says so."""
    pictory_emulator.fail_next("drop_after_apply", method="POST")

    with pytest.raises(APIConnectionError) as info:
        await pictory_client.videos.render(REQUEST)

    assert info.value.may_have_been_applied
    assert 1 == len(pictory_emulator.jobs())
    assert 1 == pictory_emulator.stats.dropped_after_apply


@SOCKET
async def test_a_body_our_checks_pass_but_the_api_refuses_is_a_bad_request(
    pictory_client: AsyncPictory,
) -> None:
    """The API's own 400 (``INVALID_REQUEST_BODY`` with fields) comes back typed."""
    with pytest.raises(BadRequestError) as info:
        await pictory_client.videos.from_template({"templateId": "no-such-template"})

    assert 400 == info.value.status_code
