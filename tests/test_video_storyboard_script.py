"""``client.videos.storyboard`` with a script: the request ``create`` would render, previewed."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from _support import ClientFactory

from pictory_async import InvalidInputError

JOB_ID = "5b0c3f4e-1d2a-4b6c-9e8f-7a6b5c4d3e2f"
STORYBOARD = "/pictoryapis/v2/video/storyboard"
STARTED = {"success": True, "data": {"jobId": JOB_ID}}


async def test_a_script_is_previewed_as_create_would_render_it(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A script with create's shortcuts: one narrated scene, the voice, ratio and extra body."""
    route = router.post(STORYBOARD).mock(return_value=httpx.Response(200, json=STARTED))
    async with make_client() as client:
        job = await client.videos.storyboard(
            "Brew green tea at 80 degrees. Never boiling.",
            voice="Fiona",
            aspect_ratio="9:16",
            video_name="Tea",
            extra_body={"templateId": "t-1"},
        )

    body = json.loads(route.calls[0].request.content)
    assert JOB_ID == job.id
    assert ("Tea", "9:16", "t-1") == (body["videoName"], body["aspectRatio"], body["templateId"])
    assert "Fiona" == body["voiceOver"]["aiVoices"][0]["speaker"]
    assert [{"story": "Brew green tea at 80 degrees. Never boiling."}] == [
        {"story": scene["story"]} for scene in body["scenes"]
    ]


async def test_shortcuts_with_a_request_are_refused_before_any_request(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A request takes no shortcut (it would be lost): ``InvalidInputError``, nothing sent."""
    route = router.post(STORYBOARD).mock(return_value=httpx.Response(200, json=STARTED))
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="voice apply to a script"):
            await client.videos.storyboard({"scenes": [{"story": "Hi."}]}, voice="Fiona")

    assert 0 == route.call_count
