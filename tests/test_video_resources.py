"""``client.videos`` against respx: each endpoint's request, its handle, and what is never sent."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, ClientFactory, load_fixture
from typing_extensions import assert_type

from pictory_async import APIConnectionError, InternalServerError, InvalidInputError
from pictory_async._models.lookups import Brand, Voice
from pictory_async._models.results import Storyboard, StoryboardJob, Video, VideoJob
from pictory_async._models.videos import AiVoice, VideoRequest, VideoScene, VoiceOver

JOB_ID = "5b0c3f4e-1d2a-4b6c-9e8f-7a6b5c4d3e2f"
STORYBOARD = "/pictoryapis/v2/video/storyboard"
RENDER = "/pictoryapis/v2/video/storyboard/render"
VIDEO_RENDER = "/pictoryapis/v2/video/render"
FROM_TEMPLATE = "/pictoryapis/v1/video/from-template"
JOBS = "/pictoryapis/v1/jobs"
STARTED = {"success": True, "data": {"jobId": JOB_ID}}
SIMPLE = {"videoName": "Hello", "scenes": [{"story": "Hello world."}]}


def _sent(route: respx.Route, index: int = -1) -> Any:
    return json.loads(route.calls[index].request.content)


def _started(request_id: str | None = "req-123") -> httpx.Response:
    headers = {"x-request-id": request_id} if request_id else {}
    return httpx.Response(200, json=STARTED, headers=headers)


def _job(status: str, **data: Any) -> httpx.Response:
    success = status != "failed"
    return httpx.Response(200, json={"success": success, "data": {"status": status, **data}})


# -- each endpoint ---------------------------------------------------------------------


async def test_storyboard_posts_the_body_and_returns_its_handle(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A mapping is sent as given; the handle has the job id and the answer's request id."""
    payload = load_fixture("pictory_examples/storyboard_designed_explainer.json")
    route = router.post(STORYBOARD).mock(return_value=_started())
    async with make_client() as client:
        job = await client.videos.storyboard(payload)

    assert StoryboardJob(id=JOB_ID, request_id="req-123") == job
    assert payload == _sent(route)
    assert "application/json" == route.calls[0].request.headers["content-type"]


async def test_render_sends_a_model_with_pictory_names(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A ``VideoRequest`` goes out in camelCase, its unset fields left out."""
    route = router.post(RENDER).mock(return_value=_started(None))
    request = VideoRequest(
        video_name="Hi",
        voice_over=VoiceOver(ai_voices=[AiVoice(speaker="Martin")]),
        scenes=[VideoScene(story="Hi there.", create_scene_on_new_line=True)],
    )
    async with make_client() as client:
        job = await client.videos.render(request)

    assert VideoJob(id=JOB_ID) == job
    assert {
        "videoName": "Hi",
        "voiceOver": {"enabled": True, "aiVoices": [{"speaker": "Martin"}]},
        "scenes": [{"story": "Hi there.", "createSceneOnNewLine": True}],
    } == _sent(route)


async def test_render_preview_puts_to_the_storyboard_job(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The preview's job id is in the path; a webhook is the body, else an empty object."""
    route = router.put(f"{VIDEO_RENDER}/{JOB_ID}").mock(return_value=_started())
    async with make_client() as client:
        first = await client.videos.render_preview(StoryboardJob(id=JOB_ID))
        await client.videos.render_preview(JOB_ID, webhook="https://hook.example/done")

    assert VideoJob(id=JOB_ID, request_id="req-123") == first
    assert [{}, {"webhook": "https://hook.example/done"}] == [_sent(route, 0), _sent(route, 1)]


async def test_render_changed_posts_the_render_params_unwrapped(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The body is ``renderParams`` itself, from a mapping or a ``Storyboard``."""
    params = {"videoName": "Hi", "scenes": [{"elements": [{"id": "e1", "text": "Changed"}]}]}
    route = router.post(VIDEO_RENDER).mock(return_value=_started())
    async with make_client() as client:
        await client.videos.render_changed(params)
        await client.videos.render_changed(Storyboard(job_id=JOB_ID, render_params=params))

    assert [params, params] == [_sent(route, 0), _sent(route, 1)]


async def test_update_elements_puts_the_array_and_returns_nothing(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The elements go as a JSON array; an answer without content is fine."""
    elements = [{"id": "e1", "elementType": "text", "startTime": 1.5, "duration": 3}]
    route = router.put(f"{STORYBOARD}/{JOB_ID}/elements").mock(return_value=httpx.Response(204))
    async with make_client() as client:
        await client.videos.update_elements(StoryboardJob(id=JOB_ID), elements)

    assert elements == _sent(route)


async def test_from_template_posts_the_template_body(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A template body goes to the v1 endpoint and starts a render job."""
    payload = load_fixture("pictory_examples/from_template.json")
    route = router.post(FROM_TEMPLATE).mock(return_value=_started())
    async with make_client() as client:
        job = await client.videos.from_template(payload)

    assert (JOB_ID, payload) == (job.id, _sent(route))
    assert isinstance(job, VideoJob)


async def test_extra_body_adds_fields_we_do_not_model(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``extra_body=`` carries a field the library does not know yet."""
    route = router.post(RENDER).mock(return_value=_started())
    async with make_client() as client:
        await client.videos.render(SIMPLE, extra_body={"visualNovelty": "high"})

    assert {**SIMPLE, "visualNovelty": "high"} == _sent(route)


async def test_a_legacy_job_id_is_read_too(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Older answers say ``data.job_id``."""
    router.post(RENDER).respond(200, json={"success": True, "data": {"job_id": JOB_ID}})
    async with make_client() as client:
        job = await client.videos.render(SIMPLE)

    assert JOB_ID == job.id


# -- what is never sent ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda v: v.storyboard({**SIMPLE, "voiceover": {}}), "did you mean 'voiceOver'"),
        (lambda v: v.render({**SIMPLE, "brandId": "1", "brandName": "A"}), "exclude each other"),
        (lambda v: v.render({"videoName": "x", "scenes": []}), "non-empty array"),
        (lambda v: v.from_template({"templateID": "t"}), "did you mean 'templateId'"),
        (lambda v: v.render_preview("../admin"), "job id"),
        (lambda v: v.render_changed({}), "non-empty mapping"),
        (lambda v: v.update_elements(JOB_ID, [{"text": "no id"}]), r"elements\[0\]"),
        (lambda v: v.update_elements(JOB_ID, []), "nothing to change"),
        (lambda v: v.create("   "), "script is empty"),
        (lambda v: v.create("Hallo Welt.", language="ja"), "no default voice"),
        (lambda v: v.create(SIMPLE, voice="Martin"), "voice apply to a script"),
    ],
)
async def test_a_wrong_body_is_refused_before_any_request(
    router: respx.Router, make_client: ClientFactory, call: Any, message: str
) -> None:
    """Typos, broken rules and bad ids raise ``InvalidInputError`` with nothing sent."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match=message):
            await call(client.videos)

    assert 0 == len(router.calls)


async def test_a_lost_answer_is_not_resent_and_may_have_been_applied(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A render whose answer is lost is sent once; the error says it may have started."""
    route = router.post(RENDER).mock(side_effect=httpx.ReadTimeout("lost"))
    async with make_client() as client:
        with pytest.raises(APIConnectionError) as info:
            await client.videos.render(SIMPLE)

    assert (1, True) == (route.call_count, info.value.may_have_been_applied)


async def test_a_5xx_is_not_retried_but_a_429_is(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 503 may hide a started job: raised at once; a 429 proves nothing started."""
    route = router.post(STORYBOARD).mock(
        side_effect=[httpx.Response(503), httpx.Response(429), _started()]
    )
    async with make_client() as client:
        with pytest.raises(InternalServerError) as info:
            await client.videos.storyboard(SIMPLE)
        job = await client.videos.storyboard(SIMPLE)

    assert (3, True, JOB_ID) == (route.call_count, info.value.may_have_been_applied, job.id)


# -- create: the one-call flow ----------------------------------------------------------


async def test_create_renders_a_script_and_waits_for_the_video(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A script becomes one narrated scene; the polls end with the finished ``Video``."""
    route = router.post(RENDER).mock(return_value=_started())
    done = {
        "videoURL": "https://cdn.example/v.mp4",
        "thumbnail": "https://cdn.example/t.jpg",
        "videoDuration": 42.5,
        "videoShareURL": "https://video.pictory.ai/s/1",
        "srtFile": "https://cdn.example/v.srt",
        "aiCreditsUsed": 3,
        "projectId": "p-9",
    }
    polls = router.get(f"{JOBS}/{JOB_ID}").mock(
        side_effect=[_job("in-progress", renderProgress=40), _job("completed", **done)]
    )
    async with make_client() as client:
        video = await client.videos.create(
            "Cats sleep a lot. They dream too.", aspect_ratio="9:16", brand="Acme"
        )
        assert_type(video, Video)  # wait=True's overload, checked by mypy

    assert {
        "videoName": "Cats sleep a lot. They dream too.",
        "aspectRatio": "9:16",
        "brandName": "Acme",
        "voiceOver": {"enabled": True, "aiVoices": [{"speaker": "Martin"}]},
        "backgroundMusic": {"enabled": True, "autoMusic": True, "volume": 0.12},
        "scenes": [
            {"story": "Cats sleep a lot. They dream too.", "createSceneOnEndOfSentence": True}
        ],
    } == _sent(route)
    assert 2 == polls.call_count
    assert (JOB_ID, "https://cdn.example/v.mp4", 42.5, "p-9") == (
        video.job_id,
        video.video_url,
        video.duration,
        video.project_id,
    )
    assert {"video", "thumbnail", "srt"} == set(video.assets)


async def test_create_with_a_url_makes_a_blog_video_and_can_skip_the_wait(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An http(s) URL is a ``blogUrl`` scene; ``wait=False`` returns the job at once."""
    route = router.post(RENDER).mock(return_value=_started())
    async with make_client() as client:
        job = await client.videos.create(
            "https://blog.example/posts/why-cats-sleep", wait=False, voice=None, music=False
        )
        assert_type(job, VideoJob)

    assert VideoJob(id=JOB_ID, request_id="req-123") == job
    assert {
        "videoName": "why-cats-sleep",
        "scenes": [{"blogUrl": "https://blog.example/posts/why-cats-sleep"}],
    } == _sent(route)


async def test_create_renders_a_mapping_as_given(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A full payload goes out unchanged (with ``extra_body``), and the polls carry no body."""
    route = router.post(RENDER).mock(return_value=_started())
    router.get(f"{JOBS}/{JOB_ID}").mock(
        return_value=_job("completed", videoURL="https://cdn.example/v.mp4")
    )
    async with make_client() as client:
        video = await client.videos.create(SIMPLE, extra_body={"x": 1}, extra_headers={"X-T": "1"})

    assert {**SIMPLE, "x": 1} == _sent(route)
    assert all("1" == call.request.headers["x-t"] for call in router.calls)
    assert "https://cdn.example/v.mp4" == video.video_url


async def test_download_fetches_a_videos_files_without_the_key(
    router: respx.Router, make_client: ClientFactory, tmp_path: Path
) -> None:
    """The files go through the keyless downloader, named by the project (else the job)."""
    router.get("https://cdn.example/v.mp4").respond(200, content=b"MP4DATA")
    router.get("https://cdn.example/v.srt").respond(200, content=b"1\n00:00 --> 00:01\nHi\n")
    video = Video(
        job_id=JOB_ID, video_url="https://cdn.example/v.mp4", srt_file="https://cdn.example/v.srt"
    )
    async with make_client() as client:
        assets = await client.videos.download(video, tmp_path)

    assert {"video", "srt"} == set(assets)
    assert b"MP4DATA" == assets["video"].path.read_bytes()
    assert tmp_path / f"{JOB_ID}-video.mp4" == assets["video"].path
    assert all(API_KEY not in str(call.request.headers) for call in router.calls)


async def test_download_refuses_what_is_not_a_video(make_client: ClientFactory) -> None:
    """Only a ``Video`` has files to download."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="expected a Video"):
            await client.videos.download(VideoJob(id=JOB_ID), ".")  # type: ignore[arg-type]


async def test_a_job_start_has_its_raw_response(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``with_raw_response`` gives the start's status and request id, and the handle."""
    router.post(RENDER).mock(return_value=_started("req-9"))
    async with make_client() as client:
        raw = await client.videos.with_raw_response.render(SIMPLE)

    assert (200, "req-9") == (raw.status_code, raw.request_id)
    assert VideoJob(id=JOB_ID, request_id="req-9") == raw.parse()


async def test_a_started_job_is_logged_with_its_id(
    router: respx.Router, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The job id is in an INFO line as soon as the POST answers (found after a Ctrl-C)."""
    router.post("/pictoryapis/v2/video/storyboard/render").respond(
        200, json={"success": True, "data": {"jobId": "job-77"}}
    )
    caplog.set_level(logging.INFO, logger="pictory_async")
    async with make_client() as client:
        job = await client.videos.create("One sentence.", wait=False)
    assert "job-77" == job.id
    assert any("VideoJob job-77" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("brand", "expected"),
    [
        (Brand(id="0f9c-uuid", name="Acme"), {"brandId": "0f9c-uuid"}),
        ("Acme", {"brandName": "Acme"}),
        (42, {"brandId": 42}),
    ],
)
async def test_create_sends_a_brand_object_by_id_and_a_name_by_name(
    router: respx.Router, make_client: ClientFactory, brand: Any, expected: dict[str, Any]
) -> None:
    """A Brand from brands.list() goes as brandId (its UUID is not a name); a str as brandName."""
    route = router.post(RENDER).respond(200, json={"success": True, "data": {"jobId": "j"}})
    async with make_client() as client:
        await client.videos.create("One sentence.", brand=brand, wait=False)
    sent = json.loads(route.calls.last.request.content)
    assert expected == {key: sent[key] for key in ("brandId", "brandName") if key in sent}


async def test_create_takes_a_voice_object_by_its_name(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A Voice from voices.list() is sent as its name, the speaker Pictory takes."""
    route = router.post(RENDER).respond(200, json={"success": True, "data": {"jobId": "j"}})
    async with make_client() as client:
        await client.videos.create("One sentence.", voice=Voice(name="Adison", id=7), wait=False)
    sent = json.loads(route.calls.last.request.content)
    assert [{"speaker": "Adison"}] == sent["voiceOver"]["aiVoices"]
