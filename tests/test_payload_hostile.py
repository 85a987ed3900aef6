"""Any body a caller writes is sent as given or refused with ``InvalidInputError``."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pictory_async import InvalidInputError
from pictory_async._payload import highlights_body, template_body, transcription_body, video_body

_NAMES = st.sampled_from(
    [
        "videoName",
        "scenes",
        "story",
        "blogUrl",
        "voiceOver",
        "aiVoices",
        "externalVoice",
        "speaker",
        "backgroundMusic",
        "autoMusic",
        "musicUrl",
        "logo",
        "background",
        "elements",
        "brandId",
        "brandName",
        "videoWidth",
        "templateId",
        "audio",
        "text",
        "fileUrl",
        "mediaType",
        "highlight_duration",
        "transcript",
        "voiceover",
    ]
)
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_NAMES | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(body=st.dictionaries(_NAMES, _JSON, max_size=6) | _JSON)
def test_any_body_is_sent_as_given_or_refused(body: Any) -> None:
    """A check raises nothing but ``InvalidInputError``; a body let through is unchanged."""
    for body_of in (video_body, template_body, transcription_body, highlights_body):
        try:
            sent = body_of(body)
        except InvalidInputError:
            continue
        assert body == sent
