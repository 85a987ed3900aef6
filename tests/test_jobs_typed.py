"""``client.jobs`` with job handles: the result of each kind, a failed job, odd shapes."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
import respx
from _support import ClientFactory, FakeTime
from hypothesis import given, settings
from hypothesis import strategies as st
from typing_extensions import assert_type

from pictory_async import (
    InvalidInputError,
    Job,
    JobFailedError,
    JobStatus,
    ResponseValidationError,
)
from pictory_async._job_results import result_of
from pictory_async._jobs import job_from_body
from pictory_async._models.results import (
    Highlights,
    HighlightsJob,
    Storyboard,
    StoryboardJob,
    Transcription,
    TranscriptionJob,
    Video,
    VideoJob,
)

JOB_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
JOBS = "/pictoryapis/v1/jobs"
RENDER_PARAMS = {"videoName": "Hi", "scenes": [{"elements": [{"id": "e1", "type": "text"}]}]}


def _answer(status: str, **data: Any) -> httpx.Response:
    return httpx.Response(
        200, json={"success": status != "failed", "data": {"status": status, **data}}
    )


def _polls(router: respx.Router, *answers: httpx.Response) -> respx.Route:
    return router.get(f"{JOBS}/{JOB_ID}").mock(side_effect=list(answers))


async def test_a_storyboard_job_waits_for_its_storyboard(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The completed data's renderParams, storyboard, preview and project, typed."""
    _polls(
        router,
        _answer("in-progress"),
        _answer(
            "completed",
            renderParams=RENDER_PARAMS,
            storyboard={"scenes": 1},
            previewUrl="https://app.pictory.ai/preview/1",
            projectId="p-3",
        ),
    )
    async with make_client() as client:
        storyboard = await client.jobs.wait(StoryboardJob(id=JOB_ID))
        assert_type(storyboard, Storyboard)  # the overload, checked by mypy

    assert (
        Storyboard(
            job_id=JOB_ID,
            preview_url="https://app.pictory.ai/preview/1",
            project_id="p-3",
            render_params=RENDER_PARAMS,
            storyboard={"scenes": 1},
        )
        == storyboard
    )
    assert "completed" == storyboard.raw["status"]


async def test_a_transcription_job_waits_for_its_transcript(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Transcript sentences, txt, srt, vtt and the media info."""
    sentence = {"text": "Hello there.", "start": 0.0, "end": 1.2}
    _polls(
        router,
        _answer(
            "completed",
            transcript=[sentence],
            txt="Hello there.",
            srt="1\n00:00:00,000 --> 00:00:01,200\nHello there.\n",
            vtt="WEBVTT\n",
            mediaInfo={"duration": 1.2},
        ),
    )
    async with make_client() as client:
        result = await client.jobs.wait(TranscriptionJob(id=JOB_ID))
        assert_type(result, Transcription)

    assert isinstance(result, Transcription)
    assert ((sentence,), "Hello there.", "WEBVTT\n", {"duration": 1.2}) == (
        result.transcript,
        result.txt,
        result.vtt,
        result.media_info,
    )
    assert "1\n00:00:00,000 --> 00:00:01,200\nHello there.\n" == result.srt


async def test_a_video_job_and_a_highlights_job_wait_for_theirs(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A render's ``Video`` (project from the handle when the job names none), highlights."""
    _polls(
        router,
        _answer("completed", videoURL="https://cdn.example/v.mp4", videoDuration=9),
        _answer(
            "completed",
            highlights=[{"startTime": 1.0, "endTime": 3.5, "text": "Best bit."}],
            duration=2.5,
        ),
    )
    async with make_client() as client:
        video = await client.jobs.wait(VideoJob(id=JOB_ID, project_id=7))
        highlights = await client.jobs.wait(HighlightsJob(id=JOB_ID))
        assert_type((video, highlights), tuple[Video, Highlights])

    assert (
        Video(job_id=JOB_ID, video_url="https://cdn.example/v.mp4", duration=9.0, project_id=7)
        == video
    )
    assert (
        Highlights(
            job_id=JOB_ID,
            highlights=({"startTime": 1.0, "endTime": 3.5, "text": "Best bit."},),
            duration=2.5,
        )
        == highlights
    )


async def test_an_id_or_a_job_still_waits_for_the_job(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Without a handle the completed ``Job`` comes back, as before."""
    _polls(router, _answer("completed", videoURL="https://cdn.example/v.mp4"))
    async with make_client() as client:
        job = await client.jobs.wait(JOB_ID)
        assert_type(job, Job)

    assert isinstance(job, Job)
    assert JobStatus.COMPLETED == job.status


async def test_get_and_clean_take_a_handle(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``jobs.get(handle)`` reads the job's state; ``clean`` takes a handle too."""
    _polls(router, _answer("in-progress", renderProgress=12))
    clean = router.delete(f"{JOBS}/{JOB_ID}/clean").respond(200, json={"success": True})
    async with make_client() as client:
        job = await client.jobs.get(TranscriptionJob(id=JOB_ID))
        await client.jobs.clean(VideoJob(id=JOB_ID))

    assert (JOB_ID, 12.0, 1) == (job.id, job.progress, clean.call_count)


async def test_a_failed_job_raises_with_pictorys_code_and_message(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A failed render is ``JobFailedError`` with ``error_code`` and ``error_message``."""
    _polls(
        router,
        _answer("in-progress"),
        _answer(
            "failed",
            error_code="TEXT_TO_VIDEO_FAILED",
            error_message="The AI voice speaker [Timm] is invalid",
        ),
    )
    async with make_client() as client:
        with pytest.raises(JobFailedError) as info:
            await client.jobs.wait(VideoJob(id=JOB_ID))

    assert (JOB_ID, "TEXT_TO_VIDEO_FAILED", "The AI voice speaker [Timm] is invalid") == (
        info.value.job_id,
        info.value.error_code,
        info.value.error_message,
    )


async def test_polls_default_to_pictorys_advice(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """Polls are ~15 s apart (jittered by ±10%), within Pictory's 10-30 s."""
    _polls(router, _answer("in-progress"), _answer("in-progress"), _answer("completed", txt="t"))
    async with make_client() as client:
        await client.jobs.wait(TranscriptionJob(id=JOB_ID))

    assert 2 == len(fake_time.waits)
    assert all(13.5 <= wait <= 16.5 for wait in fake_time.waits)


@pytest.mark.parametrize(
    ("handle", "data", "message"),
    [
        (VideoJob(id=JOB_ID), {}, "has no videoURL"),
        (StoryboardJob(id=JOB_ID), {"previewUrl": "https://p"}, "has no renderParams"),
        (StoryboardJob(id=JOB_ID), {"renderParams": ["not", "an", "object"]}, "unexpected"),
        (TranscriptionJob(id=JOB_ID), {"transcript": "not a list"}, "unexpected"),
        (TranscriptionJob(id=JOB_ID), {"transcript": [1, 2]}, "unexpected"),
        (TranscriptionJob(id=JOB_ID), {"srt": 5}, "unexpected"),
        (HighlightsJob(id=JOB_ID), {"highlights": {"text": "not a list"}}, "unexpected"),
    ],
)
async def test_odd_result_shapes_are_typed_errors(
    router: respx.Router,
    make_client: ClientFactory,
    handle: Any,
    data: dict[str, Any],
    message: str,
) -> None:
    """A completed job whose data does not fit its kind is a ``ResponseValidationError``."""
    _polls(router, _answer("completed", **data))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match=message):
            await client.jobs.wait(handle)


def test_handles_are_not_jobs() -> None:
    """A handle is not a ``Job``, so the ``wait`` overloads never overlap."""
    assert not any(
        issubclass(kind, Job) for kind in (StoryboardJob, VideoJob, TranscriptionJob, HighlightsJob)
    )


_KEYS = st.sampled_from(
    [
        *("renderParams", "storyboard", "previewUrl", "projectId", "videoURL", "transcript"),
        *("srt", "txt", "vtt", "mediaInfo", "highlights", "duration", "videoDuration"),
    ]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=15,
)


@given(
    data=st.dictionaries(_KEYS, _JSON, max_size=6),
    kind=st.sampled_from([StoryboardJob, VideoJob, TranscriptionJob, HighlightsJob]),
)
@settings(max_examples=300, deadline=None)
def test_any_completed_data_is_a_result_or_a_typed_error(data: dict[str, Any], kind: Any) -> None:
    """Whatever a completed job's data holds, it is its handle's result or a typed error."""
    response = httpx.Response(200, request=httpx.Request("GET", "https://api.pictory.ai/x"))
    body = {"success": True, "data": {**data, "status": "completed"}}
    try:
        job = job_from_body(body, JOB_ID, response)
        result = result_of(kind(id=JOB_ID), job, response)
    except ResponseValidationError:
        return
    assert JOB_ID == result.job_id


async def test_on_poll_is_called_with_each_polled_state(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """``on_poll`` gets the ``Job`` of every poll, the completed one included, in order."""
    _polls(
        router,
        httpx.Response(200, json={"data": {"status": "in-progress", "renderProgress": 10}}),
        httpx.Response(200, json={"data": {"status": "in-progress", "renderProgress": 60}}),
        _answer("completed", txt="t"),
    )
    seen: list[Job] = []
    async with make_client() as client:
        await client.jobs.wait(TranscriptionJob(id=JOB_ID), on_poll=seen.append)

    assert [("in-progress", 10.0), ("in-progress", 60.0), ("completed", None)] == [
        (job.status.value, job.progress) for job in seen
    ]
    assert {JOB_ID} == {job.id for job in seen}


async def test_on_poll_sees_a_failed_state_before_the_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A failed job is handed to ``on_poll`` too, then raised as ``JobFailedError``."""
    _polls(router, _answer("failed", error_code="E", error_message="no"))
    seen: list[Job] = []
    async with make_client() as client:
        with pytest.raises(JobFailedError):
            await client.jobs.wait(VideoJob(id=JOB_ID), on_poll=seen.append)

    assert [JobStatus.FAILED] == [job.status for job in seen]


async def test_an_on_poll_error_stops_the_wait_and_propagates(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """What ``on_poll`` raises ends the wait at once: no further poll, no sleep."""
    route = _polls(router, _answer("in-progress"), _answer("completed", txt="t"))

    def stop(job: Job) -> None:
        raise LookupError(f"stop at {job.status.value}")

    async with make_client() as client:
        with pytest.raises(LookupError, match="stop at in-progress"):
            await client.jobs.wait(TranscriptionJob(id=JOB_ID), on_poll=stop)

    assert 1 == route.call_count
    assert [] == fake_time.waits


@pytest.mark.parametrize("on_poll", ["print", 3], ids=["a string", "a number"])
async def test_an_on_poll_that_is_not_callable_is_refused_before_any_request(
    router: respx.Router, make_client: ClientFactory, on_poll: Any
) -> None:
    """A non-callable ``on_poll`` is an ``InvalidInputError``; nothing is sent."""
    route = _polls(router, _answer("completed", txt="t"))
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="on_poll must be callable"):
            await client.jobs.wait(TranscriptionJob(id=JOB_ID), on_poll=on_poll)

    assert 0 == route.call_count


async def test_an_async_on_poll_is_refused_before_any_request(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An ``async def`` would never run (it is called, not awaited): refused up front."""
    route = _polls(router, _answer("completed", txt="t"))

    async def show(job: Job) -> None:
        """Never awaited."""

    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="not awaited"):
            await client.jobs.wait(TranscriptionJob(id=JOB_ID), on_poll=show)
        with pytest.raises(InvalidInputError, match="not awaited"):
            await client.videos.create("Hello world.", on_poll=show)

    assert 0 == route.call_count
    assert 0 == len(router.calls)


def test_on_poll_is_absent_by_default() -> None:
    """``jobs.wait`` and ``videos.create`` call nothing back unless asked to."""
    from pictory_async.resources.jobs import Jobs
    from pictory_async.resources.videos import Videos

    assert (None, None) == (
        inspect.signature(Jobs.wait).parameters["on_poll"].default,
        inspect.signature(Videos.create).parameters["on_poll"].default,
    )


async def test_create_hands_each_render_poll_to_on_poll(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """``videos.create(..., on_poll=...)`` sees the render's states as ``jobs.wait`` does."""
    router.post("/pictoryapis/v2/video/storyboard/render").mock(
        return_value=httpx.Response(200, json={"success": True, "data": {"jobId": JOB_ID}})
    )
    _polls(
        router,
        _answer("in-progress"),
        _answer("completed", videoURL="https://cdn.example/v.mp4"),
    )
    seen: list[Job] = []
    async with make_client() as client:
        video = await client.videos.create("Hello world.", on_poll=seen.append)

    assert "https://cdn.example/v.mp4" == video.video_url
    assert ["in-progress", "completed"] == [job.status.value for job in seen]
