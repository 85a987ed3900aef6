"""Any JSON a client sends to the new write routes gets an answer below 500, never a crash."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pictory_async import _paths
from pictory_async.emulator import Emulator

_NAMES = st.sampled_from(
    [
        "story", "scenes", "elements", "type", "background", "voiceOver", "aiVoices", "enabled",
        "speaker", "output", "aspectRatio", "duration", "startTime", "id", "text", "sceneId",
        "minimumDuration", "endPauseDuration", "videoWidth", "videoHeight", "templateId",
        "variables", "color", "externalVoice", "avatar", "saveProject", "transcript", "words",
        "word", "is_pause", "start_time", "end_time", "sentence_index", "highlight_duration",
        "fileUrl", "mediaType", "projectName", "storyCoPilot", "blogUrl", "page", "mood",
    ]
)  # fmt: skip
_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=5),
    max_leaves=20,
)
ROUTES = [
    ("POST", _paths.STORYBOARD),
    ("POST", _paths.STORYBOARD_RENDER),
    ("POST", _paths.VIDEO_RENDER),
    ("PUT", f"{_paths.VIDEO_RENDER}/{{storyboard}}"),
    ("PUT", f"{_paths.STORYBOARD}/{{storyboard}}/elements"),
    ("POST", _paths.VIDEO_FROM_TEMPLATE),
    ("PUT", f"{_paths.PROJECTS}/p1"),
    ("POST", _paths.TRANSCRIPTION),
    ("POST", f"{_paths.TRANSCRIPTION}/{{transcription}}/highlights"),
    ("POST", _paths.TRANSCRIPTION_HIGHLIGHTS),
    ("POST", _paths.MUSIC_SEARCH),
]


def _ready() -> tuple[Emulator, dict[str, str]]:
    emulator = Emulator(projects=1, render_duration=0)
    emulator.add_project(id="p1")
    emulator.set_quota(video_minutes={"limit": 10**12}, ai_credits={"limit": 10**12})
    ids = {}
    for name, path, body in (
        ("storyboard", _paths.STORYBOARD, {"scenes": [{"story": "Hi."}]}),
        ("transcription", _paths.TRANSCRIPTION, {"fileUrl": "https://x.test/a.mp4"}),
    ):
        reply = _send(emulator, "POST", path, body)
        ids[name] = json.loads(reply.body)["data"]["jobId"]
    return emulator, ids


def _send(emulator: Emulator, method: str, path: str, body: Any) -> Any:
    headers = [(b"authorization", emulator.api_key.encode()), (b"host", b"api.pictory.test")]
    return emulator.handle(method, path, b"", headers, json.dumps(body).encode())


EMULATOR, IDS = _ready()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(route=st.sampled_from(ROUTES), body=JSON)
def test_any_json_body_is_answered_below_500(route: tuple[str, str], body: Any) -> None:
    """Whatever the JSON, the answer is a 2xx or a 4xx with a JSON body, and the job reads."""
    method, path = route
    reply = _send(EMULATOR, method, path.format(**IDS), body)

    assert reply.status < 500, reply.body
    if reply.body:
        answer = json.loads(reply.body)
        if reply.status == 200 and "jobId" in answer.get("data", {}):
            job = _send(EMULATOR, "GET", f"{_paths.JOBS}/{answer['data']['jobId']}", None)
            assert 200 == job.status
