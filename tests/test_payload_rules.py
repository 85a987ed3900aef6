"""The documented rules, called on bodies the name check let through in odd shapes."""

from __future__ import annotations

from typing import Any

import pytest
from _support import ClientFactory

from pictory_async import InvalidInputError, VideoRequest
from pictory_async._payload_rules import check_legacy_video_body, check_video_body
from pictory_async._script import script_request


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"videoName": "v", "scenes": [{"story": "s", "voiceOver": "on"}]}, "voiceOver must be"),
        ({"videoName": "v", "scenes": ["a scene"]}, r"scenes\[0\] must be an object"),
    ],
)
def test_a_nested_object_of_the_wrong_shape_is_refused(body: Any, message: str) -> None:
    """A scene or its voiceOver that is not an object: a typed error saying where."""
    with pytest.raises(InvalidInputError, match=message):
        check_video_body(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scenes": [{"text": "t"}]}, "videoName is required"),
        ({"videoName": " ", "scenes": [{"text": "t"}]}, "videoName is required"),
        ({"videoName": "v", "scenes": "text"}, "non-empty array"),
        ({"videoName": "v", "scenes": []}, "non-empty array"),
    ],
)
def test_the_older_body_needs_a_name_and_scenes(body: Any, message: str) -> None:
    """The v1 storyboard body: a name and a non-empty array of scenes."""
    with pytest.raises(InvalidInputError, match=message):
        check_legacy_video_body(body)


def test_a_music_url_becomes_the_background_track() -> None:
    """music="https://..." is that track, at the volume under the voice."""
    request = script_request(
        "One sentence.",
        video_name=None,
        voice=None,
        brand=None,
        aspect_ratio=None,
        language=None,
        music="https://cdn.example/track.mp3",
        save_project=None,
        webhook=None,
    )
    assert isinstance(request, VideoRequest)
    music = request.background_music
    assert music is not None
    assert "https://cdn.example/track.mp3" == music.music_url
    assert music.auto_music is None


async def test_music_with_a_full_request_is_refused(make_client: ClientFactory) -> None:
    """Shortcuts are for a script: music=False with a request is an error, nothing sent."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="music"):
            await client.videos.create(
                {"videoName": "v", "scenes": [{"story": "s"}]}, music=False, wait=False
            )
