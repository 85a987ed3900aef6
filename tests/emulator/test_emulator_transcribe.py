"""Transcription and highlights jobs over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from pictory_async import _paths
from pictory_async.emulator import FakeClock

from .support import Conn

MEDIA = {"fileUrl": "https://media.example.test/interview.mp4"}


async def transcribe(conn: Conn, clock: FakeClock, body: dict[str, Any]) -> dict[str, Any]:
    """Start a transcription, let it finish, and return the job's ``data``."""
    response = await conn.api.post(_paths.TRANSCRIPTION, json=body)
    assert 200 == response.status_code, response.text
    clock.advance(conn.emulator.render_duration)
    job = await conn.api.get(f"{_paths.JOBS}/{response.json()['data']['jobId']}")
    data: dict[str, Any] = job.json()["data"]
    return data


async def test_a_transcription_holds_the_files_contents(conn: Conn, clock: FakeClock) -> None:
    """The result has the timed transcript, the txt, srt and vtt texts, and mediaInfo."""
    data = await transcribe(conn, clock, MEDIA)
    words = [word for segment in data["transcript"] for word in segment["words"]]
    spoken = [word["word"] for word in words if not word["is_pause"]]

    assert "completed" == data["status"]
    assert (" ".join(spoken) + "\n").replace(". ", ".\n") == data["txt"]
    assert data["srt"].startswith("1\n00:00:00,000 --> ")
    assert data["vtt"].startswith("WEBVTT\n\n00:00:00.000 --> ")
    assert any(word["is_pause"] and word["pause_size"] for word in words)
    assert {"duration", "width", "height", "aspectRatio"} <= set(data["mediaInfo"])
    assert ("en-US", "video") == (data["language"], data["mediaInfo"]["mediaType"])


async def test_the_same_file_gives_the_same_transcript(conn: Conn, clock: FakeClock) -> None:
    """A transcript depends on the file URL (and seed) only; audio has no dimensions."""
    first = await transcribe(conn, clock, MEDIA)
    again = await transcribe(conn, clock, {**MEDIA, "mediaType": "video"})
    audio = await transcribe(conn, clock, {"fileUrl": "https://x.test/a.mp3", "mediaType": "audio"})

    assert first["txt"] == again["txt"]
    assert "width" not in audio["mediaInfo"]
    assert first["txt"] != audio["txt"]


async def test_transcription_spends_its_minutes(conn: Conn, clock: FakeClock) -> None:
    """The media's minutes are spent from transcriptionMinutes; too few left is a 402."""
    data = await transcribe(conn, clock, MEDIA)
    minutes = -(-data["mediaInfo"]["duration"] // 60)
    quota = (await conn.api.get(_paths.QUOTA)).json()
    conn.emulator.set_quota(transcription_minutes={"used": 600})
    refused = await conn.api.post(_paths.TRANSCRIPTION, json=MEDIA)

    assert {"used": minutes, "limit": 600} == quota["transcriptionMinutes"]
    assert (402, "QUOTA_EXCEEDED", "transcriptionMinutes") == (
        refused.status_code,
        refused.json()["code"],
        refused.json()["counter"],
    )
    assert 1 == len(conn.emulator.jobs())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "fileUrl", id="no-file"),
        pytest.param({"fileUrl": ""}, "fileUrl", id="blank-file"),
        pytest.param({**MEDIA, "mediaType": "image"}, "mediaType", id="bad-media-type"),
        pytest.param({**MEDIA, "language": 5}, "language", id="bad-language"),
        pytest.param({**MEDIA, "transcript": "words"}, "transcript", id="bad-transcript"),
    ],
)
async def test_transcription_body_rules(conn: Conn, body: dict[str, Any], field: str) -> None:
    """A missing fileUrl or a mediaType other than video/audio is a 400 naming the field."""
    response = await conn.api.post(_paths.TRANSCRIPTION, json=body)

    assert (400, [field]) == (
        response.status_code,
        [item["name"] for item in response.json()["fields"]],
    )


async def test_highlights_of_a_finished_transcription(conn: Conn, clock: FakeClock) -> None:
    """Highlights pick whole sentences that fit the duration, from the transcript."""
    started = await conn.api.post(_paths.TRANSCRIPTION, json=MEDIA)
    transcription_id = started.json()["data"]["jobId"]
    path = f"{_paths.TRANSCRIPTION}/{transcription_id}/highlights"
    early = await conn.api.post(path, json={"highlight_duration": 10})
    clock.advance(conn.emulator.render_duration)
    response = await conn.api.post(path, json={"highlight_duration": 10, "language": "en-US"})
    clock.advance(conn.emulator.render_duration)
    job = await conn.api.get(f"{_paths.JOBS}/{response.json()['data']['jobId']}")
    data = job.json()["data"]
    transcript = (await conn.api.get(f"{_paths.JOBS}/{transcription_id}")).json()["data"]["txt"]

    assert (400, "jobId") == (early.status_code, early.json()["fields"][0]["name"])
    assert ("completed", 10, transcription_id) == (
        data["status"],
        data["highlightDuration"],
        data["transcriptionJobId"],
    )
    assert data["highlights"]
    assert all(h["text"] in transcript for h in data["highlights"])


@pytest.mark.parametrize(
    ("job", "body", "field"),
    [
        pytest.param("nope", {"highlight_duration": 10}, "jobId", id="unknown-job"),
        pytest.param(None, {"highlight_duration": 0}, "highlight_duration", id="zero-duration"),
        pytest.param(None, {"highlight_duration": "long"}, "highlight_duration", id="not-number"),
    ],
)
async def test_highlights_body_rules(
    conn: Conn, clock: FakeClock, job: str | None, body: dict[str, Any], field: str
) -> None:
    """Highlights of an unknown job or with a bad duration are 400s."""
    if job is None:
        started = await conn.api.post(_paths.TRANSCRIPTION, json=MEDIA)
        job = started.json()["data"]["jobId"]
        clock.advance(conn.emulator.render_duration)
    response = await conn.api.post(f"{_paths.TRANSCRIPTION}/{job}/highlights", json=body)

    assert (400, field) == (response.status_code, response.json()["fields"][0]["name"])


async def test_highlights_of_a_storyboard_job_are_refused(conn: Conn, clock: FakeClock) -> None:
    """Only a transcription job has highlights; a storyboard's id is a 400."""
    body = {"scenes": [{"story": "Hello."}]}
    preview = (await conn.api.post(_paths.STORYBOARD, json=body)).json()["data"]["jobId"]
    clock.advance(conn.emulator.render_duration)
    response = await conn.api.post(f"{_paths.TRANSCRIPTION}/{preview}/highlights", json={})

    assert 400 == response.status_code


async def test_highlights_from_a_custom_transcript_need_one(conn: Conn) -> None:
    """``POST /v2/transcription/highlights`` without a transcript is a 400."""
    response = await conn.api.post(_paths.TRANSCRIPTION_HIGHLIGHTS, json={"highlight_duration": 5})

    assert (400, "transcript") == (response.status_code, response.json()["fields"][0]["name"])
