"""``client.transcriptions`` against respx: the transcription and highlights requests."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from _support import ClientFactory, load_fixture

from pictory_async import APIConnectionError, InvalidInputError
from pictory_async._models.results import HighlightsJob, Transcription, TranscriptionJob
from pictory_async._models.videos import TranscriptionRequest

JOB_ID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
TRANSCRIPTION = "/pictoryapis/v2/transcription"
STARTED = httpx.Response(
    200, json={"success": True, "data": {"jobId": JOB_ID}}, headers={"x-request-id": "r-1"}
)


def _sent(route: respx.Route, index: int = -1) -> Any:
    return json.loads(route.calls[index].request.content)


async def test_create_from_a_url_guesses_the_media_type(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A video URL is ``video``, an audio file ``audio``; the language defaults to en-US."""
    route = router.post(TRANSCRIPTION).mock(return_value=STARTED)
    async with make_client() as client:
        job = await client.transcriptions.create("https://cdn.example/talk.mp4")
        await client.transcriptions.create(
            "https://cdn.example/pod.MP3?sig=1", language="de-DE", webhook="https://h.example"
        )

    assert TranscriptionJob(id=JOB_ID, request_id="r-1") == job
    assert {
        "fileUrl": "https://cdn.example/talk.mp4",
        "mediaType": "video",
        "language": "en-US",
    } == _sent(route, 0)
    assert {
        "fileUrl": "https://cdn.example/pod.MP3?sig=1",
        "mediaType": "audio",
        "language": "de-DE",
        "webhook": "https://h.example",
    } == _sent(route, 1)


async def test_create_takes_a_request_or_pictorys_json(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A ``TranscriptionRequest`` and the example payload go out as the API names them."""
    payload = load_fixture("pictory_examples/transcription.json")
    route = router.post(TRANSCRIPTION).mock(return_value=STARTED)
    async with make_client() as client:
        await client.transcriptions.create(payload)
        await client.transcriptions.create(
            TranscriptionRequest(file_url="https://cdn.example/a.wav", media_type="audio")
        )

    assert payload == _sent(route, 0)
    assert {"fileUrl": "https://cdn.example/a.wav", "mediaType": "audio", "language": "en-US"} == (
        _sent(route, 1)
    )


async def test_highlights_posts_to_the_transcription_job(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The transcription job's id is in the path; the duration is ``highlight_duration``."""
    route = router.post(f"{TRANSCRIPTION}/{JOB_ID}/highlights").mock(return_value=STARTED)
    async with make_client() as client:
        job = await client.transcriptions.highlights(TranscriptionJob(id=JOB_ID), duration=30)
        await client.transcriptions.highlights(Transcription(job_id=JOB_ID), language="en-US")

    assert HighlightsJob(id=JOB_ID, request_id="r-1") == job
    assert [{"highlight_duration": 30}, {"language": "en-US"}] == [
        _sent(route, 0),
        _sent(route, 1),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: t.create(""), "file_url is empty"),
        (lambda t: t.create({"fileURL": "https://x"}), "did you mean 'fileUrl'"),
        (lambda t: t.create({"fileUrl": "https://x", "mediaType": "gif"}), "mediaType must be"),
        (lambda t: t.create({"fileUrl": "https://x"}, language="en-US"), "apply to a URL"),
        (lambda t: t.highlights(JOB_ID, duration=-5), "positive number"),
        (lambda t: t.highlights("a/b"), "job id"),
    ],
)
async def test_a_wrong_request_is_refused_before_any_request(
    router: respx.Router, make_client: ClientFactory, call: Any, message: str
) -> None:
    """Bad URLs, names, media types, durations and ids: nothing is sent."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match=message):
            await call(client.transcriptions)

    assert 0 == len(router.calls)


async def test_a_lost_answer_is_not_resent(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A transcription whose answer is lost is sent once and may have started."""
    route = router.post(TRANSCRIPTION).mock(side_effect=httpx.RemoteProtocolError("reset"))
    async with make_client() as client:
        with pytest.raises(APIConnectionError) as info:
            await client.transcriptions.create("https://cdn.example/talk.mp4")

    assert (1, True) == (route.call_count, info.value.may_have_been_applied)


async def test_highlights_of_a_transcript_of_your_own(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A custom transcript goes to ``/v2/transcription/highlights`` with the duration."""
    payload = load_fixture("pictory_examples/highlights_custom_transcript.json")
    route = router.post(f"{TRANSCRIPTION}/highlights").mock(return_value=STARTED)
    async with make_client() as client:
        job = await client.transcriptions.highlights_from_transcript(
            payload["transcript"],
            duration=20,
            language="en-US",
            webhook="https://example.com/hooks/highlights",
        )
        with pytest.raises(InvalidInputError, match="non-empty array"):
            await client.transcriptions.highlights_from_transcript([])

    assert HighlightsJob(id=JOB_ID, request_id="r-1") == job
    assert (1, payload) == (route.call_count, _sent(route))
