"""Request bodies checked as Pictory's API checks them, and Pictory's example payloads accepted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pictory_async import _paths
from pictory_async.emulator import FakeClock

from .support import Conn

FIXTURES = Path(__file__).parent / "fixtures"
STORY = {"story": "A scene."}


def payload(name: str) -> Any:
    """One of the example payloads in ``fixtures/``."""
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"videoName": "x"}, ["scenes"], id="no-scenes"),
        pytest.param({"scenes": []}, ["scenes"], id="empty-scenes"),
        pytest.param({"scenes": {"story": "x"}}, ["scenes"], id="scenes-not-array"),
        pytest.param({"scenes": [{"hideSubtitles": True}]}, ["scenes[0]"], id="no-source"),
        pytest.param({"scenes": [STORY, "text"]}, ["scenes[1]"], id="scene-not-object"),
        pytest.param({"scenes": [{"story": ""}]}, ["scenes[0]", "scenes[0].story"], id="blank"),
        pytest.param(
            {"scenes": [{"background": {"settings": {"loop": True}}}]},
            ["scenes[0]"],
            id="background-without-visual",
        ),
        pytest.param(
            {"brandId": "b", "brandName": "Acme", "scenes": [STORY]},
            ["brandId", "brandName"],
            id="brand-id-and-name",
        ),
        pytest.param(
            {"subtitleStyleId": "s", "subtitleStyleName": "Sleek", "scenes": [STORY]},
            ["subtitleStyleId", "subtitleStyleName"],
            id="style-id-and-name",
        ),
        pytest.param({"videoWidth": 1920, "scenes": [STORY]}, ["videoHeight"], id="width-only"),
        pytest.param({"videoHeight": 1080, "scenes": [STORY]}, ["videoWidth"], id="height-only"),
        pytest.param(
            {
                "voiceOver": {"enabled": True, "aiVoices": [], "externalVoice": {"voiceUrl": "u"}},
                "scenes": [STORY],
            },
            ["voiceOver"],
            id="two-voices",
        ),
        pytest.param(
            {"scenes": [{**STORY, "voiceOver": {"aiVoices": [], "externalVoice": {}}}]},
            ["scenes[0].voiceOver"],
            id="two-voices-in-a-scene",
        ),
        pytest.param({"avatar": {"avatarId": "a"}, "scenes": [STORY]}, ["avatar"], id="avatar"),
        pytest.param({"voiceOver": "on", "scenes": [STORY]}, ["voiceOver"], id="voice-type"),
        pytest.param(
            {"voiceOver": {"enabled": True, "aiVoices": "Adison"}, "scenes": [STORY]},
            ["voiceOver.aiVoices"],
            id="voices-not-array",
        ),
        pytest.param(
            {"scenes": [{**STORY, "elements": ["title"]}]},
            ["scenes[0].elements"],
            id="elements-not-objects",
        ),
        pytest.param(
            {"scenes": [{**STORY, "minimumDuration": 5000}]},
            ["scenes[0].minimumDuration"],
            id="too-long",
        ),
        pytest.param(
            {"scenes": [{**STORY, "endPauseDuration": "1s"}]},
            ["scenes[0].endPauseDuration"],
            id="pause-not-number",
        ),
        pytest.param({"aspectRatio": "2:1", "scenes": [STORY]}, ["aspectRatio"], id="ratio"),
        pytest.param(
            {"videoWidth": 1920.5, "videoHeight": 0, "scenes": [STORY]},
            ["videoWidth", "videoHeight"],
            id="pixels",
        ),
        pytest.param({"saveProject": "yes", "scenes": [STORY]}, ["saveProject"], id="flag"),
        pytest.param(
            {"avatar": {"avatarId": "a"}, "voiceOver": {"enabled": False}, "scenes": [STORY]},
            ["avatar"],
            id="avatar-silent",
        ),
    ],
)
@pytest.mark.parametrize("path", [_paths.STORYBOARD, _paths.STORYBOARD_RENDER])
async def test_video_body_rules(
    conn: Conn, path: str, body: dict[str, Any], fields: list[str]
) -> None:
    """Each documented rule is a 400 INVALID_REQUEST_BODY naming its fields; no job starts."""
    response = await conn.api.post(path, json=body)

    assert (400, "INVALID_REQUEST_BODY") == (response.status_code, response.json()["code"])
    assert fields == [field["name"] for field in response.json()["fields"]]
    assert all(field["errors"] for field in response.json()["fields"])
    assert [] == conn.emulator.jobs()


@pytest.mark.parametrize(
    "content", [b"", b"not json", b"[1, 2]", b'"text"'], ids=["empty", "broken", "array", "string"]
)
async def test_a_body_that_is_not_a_json_object_is_400(conn: Conn, content: bytes) -> None:
    """An empty, broken or non-object body is a 400 naming ``body``."""
    response = await conn.api.post(
        _paths.STORYBOARD, content=content, headers={"content-type": "application/json"}
    )

    assert (400, ["body"]) == (
        response.status_code,
        [field["name"] for field in response.json()["fields"]],
    )


async def test_unknown_fields_are_stripped_not_rejected(conn: Conn, clock: FakeClock) -> None:
    """A misspelt ``voiceover`` is dropped silently: the video is accepted, and silent."""
    voices = {"enabled": True, "aiVoices": [{"speaker": "Adison"}]}
    body = {"voiceover": voices, "colour": "red", "scenes": [{**STORY, "txet": "typo"}]}
    response = await conn.api.post(_paths.STORYBOARD, json=body)
    clock.advance(conn.emulator.render_duration)
    job = (await conn.api.get(f"{_paths.JOBS}/{response.json()['data']['jobId']}")).json()
    params = job["data"]["renderParams"]

    assert 200 == response.status_code
    assert {"enabled": False} == params["voiceOver"]
    assert "voiceOver" not in {element["elementType"] for element in params["elements"]}


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("text_to_video_v1.json", _paths.STORYBOARD),
        ("blog_to_video_v1.json", _paths.STORYBOARD),
        ("designed_explainer.json", _paths.STORYBOARD_RENDER),
        ("ai_visuals_vertical.json", _paths.STORYBOARD_RENDER),
        ("everything_v2.json", _paths.STORYBOARD_RENDER),
        ("transcription.json", _paths.TRANSCRIPTION),
        ("highlights_custom.json", _paths.TRANSCRIPTION_HIGHLIGHTS),
    ],
)
async def test_pictorys_example_payloads_are_accepted(
    conn: Conn, clock: FakeClock, name: str, path: str
) -> None:
    """The full payloads of Pictory's public examples start jobs that complete."""
    response = await conn.api.post(path, json=payload(name))
    assert 200 == response.status_code, response.text
    clock.advance(conn.emulator.render_duration)
    job = (await conn.api.get(f"{_paths.JOBS}/{response.json()['data']['jobId']}")).json()

    assert (True, "completed") == (job["success"], job["data"]["status"])


async def test_the_old_examples_scene_names_tell_the_story(conn: Conn, clock: FakeClock) -> None:
    """``text`` and ``article_url`` of the older examples count as ``story`` and ``blogUrl``."""
    ids = [
        (await conn.api.post(_paths.STORYBOARD, json=payload(name))).json()
        for name in ("text_to_video_v1.json", "blog_to_video_v1.json")
    ]
    clock.advance(conn.emulator.render_duration)
    stories = []
    for started in ids:
        job = (await conn.api.get(f"{_paths.JOBS}/{started['data']['jobId']}")).json()
        stories.append([scene["story"] for scene in job["data"]["storyboard"]["scenes"]])

    assert stories[0][0].startswith("The first scene tells the story")
    assert "https://example.com/blog/grow-your-email-list" in stories[1][0]


async def test_a_designed_payload_keeps_its_elements(conn: Conn, clock: FakeClock) -> None:
    """A scene's elements arrive in renderParams with their style, each with a new id."""
    response = await conn.api.post(_paths.STORYBOARD, json=payload("designed_explainer.json"))
    clock.advance(conn.emulator.render_duration)
    job = (await conn.api.get(f"{_paths.JOBS}/{response.json()['data']['jobId']}")).json()
    data = job["data"]
    heading = next(
        e for e in data["renderParams"]["elements"] if e.get("textVariant") == "subheading"
    )

    assert "DM Sans" == heading["style"]["fontFamily"]
    assert 9.4 == data["renderParams"]["scenes"][0]["duration"]  # minimumDuration + end pause
    assert data["projectId"] in {p.id for p in conn.emulator.projects()}
