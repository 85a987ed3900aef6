"""Job-starting bodies: request models on the wire, plain-mapping names, the documented rules."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from _support import FIXTURES

from pictory_async import InvalidInputError
from pictory_async._converter import request_body, wire_name
from pictory_async._models.videos import (
    AiVoice,
    BackgroundMusic,
    ExternalVoice,
    HighlightsRequest,
    Logo,
    TemplateVideoRequest,
    TranscriptionRequest,
    VideoRequest,
    VideoScene,
    VoiceOver,
)
from pictory_async._payload import (
    check_names,
    highlights_body,
    template_body,
    transcription_body,
    video_body,
)

EXAMPLES = FIXTURES / "pictory_examples"
Body = Callable[[Any], dict[str, Any]]
_BODY_OF: dict[str, Body] = {
    "storyboard": video_body,
    "render": video_body,
    "from": template_body,
    "transcription": transcription_body,
    "highlights": highlights_body,
}


def _example(path: Path) -> tuple[Body, dict[str, Any]]:
    return _BODY_OF[path.stem.split("_")[0]], json.loads(path.read_text())


def _story(**fields: Any) -> dict[str, Any]:
    return {"videoName": "v", "scenes": [{"story": "Hello."}], **fields}


# -- Pictory's examples -----------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.stem)
def test_every_full_example_payload_passes_as_given(path: Path) -> None:
    """Each example body (elements, search filters, overlays, animations) is sent unchanged."""
    body_of, payload = _example(path)

    assert payload == body_of(payload)


def test_the_examples_cover_every_kind_of_body() -> None:
    """The fixtures hold storyboards, renders, a template, a transcription and highlights."""
    kinds = {path.stem.split("_")[0] for path in EXAMPLES.glob("*.json")}

    assert set(_BODY_OF) == kinds


# -- names of a plain mapping -----------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "path", "nearest"),
    [
        (_story(voiceover={"enabled": True}), "'voiceover'", "'voiceOver'"),
        (
            {
                "videoName": "v",
                "scenes": [
                    {"story": "a"},
                    {"story": "b"},
                    {"story": "c", "creatSceneOnNewLine": True},
                ],
            },
            "'scenes[2].creatSceneOnNewLine'",
            "'createSceneOnNewLine'",
        ),
        (
            _story(voiceOver={"aiVoices": [{"speaker": "Martin", "sped": 90}]}),
            "'voiceOver.aiVoices[0].sped'",
            "'speed'",
        ),
        (_story(backgroundMusic={"autoMusik": True}), "'backgroundMusic.autoMusik'", "'autoMusic'"),
        (_story(logo={"url": "u", "positon": "top-left"}), "'logo.positon'", "'position'"),
        (_story(brandname="Acme"), "'brandname'", "'brandName'"),
    ],
)
def test_an_unknown_name_is_refused_naming_the_nearest_field(
    payload: dict[str, Any], path: str, nearest: str
) -> None:
    """A typo anywhere we model names its path and the known field it was meant to be."""
    with pytest.raises(InvalidInputError) as info:
        video_body(payload)

    assert f"unknown field {path}: did you mean {nearest}?" in str(info.value)
    assert "extra_body=" in str(info.value)


def test_a_name_far_from_every_field_lists_the_known_ones() -> None:
    """With nothing near, the message lists the level's known names."""
    with pytest.raises(InvalidInputError, match=r"'zzz' \(known: videoName, videoWidth"):
        video_body(_story(zzz=1))


def test_a_body_mixing_v1_and_v2_names_says_which_v2_field_replaces_each() -> None:
    """Older names beside current ones: each old name is told its v2 field."""
    mixed = {
        "videoName": "v",
        "voiceOver": {"enabled": True},
        "audio": {"aiVoiceOver": {"speaker": "Jackson"}},
        "scenes": [{"text": "Hello.", "createSceneOnNewLine": True}],
    }
    with pytest.raises(InvalidInputError) as info:
        video_body(mixed)

    message = str(info.value)
    assert "'audio': a v1 API name; the v2 API takes voiceOver and backgroundMusic" in message
    assert "'scenes[0].text': a v1 API name; the v2 API takes story" in message


def test_a_typo_in_an_older_body_is_told_in_its_names() -> None:
    """A body nearer the older shape is judged by the older names."""
    older = {
        "videoName": "v",
        "videoDescription": "d",
        "audio": {"aiVoiceOver": {"speaker": "Jackson"}},
        "scenes": [{"text": "Hello.", "splitTextOnPeriood": True}],
    }
    with pytest.raises(InvalidInputError) as info:
        video_body(older)

    assert str(info.value).startswith("read as the older body (audio, scene text); ")
    assert "'scenes[0].splitTextOnPeriood': did you mean 'splitTextOnPeriod'?" in str(info.value)


def test_an_older_body_needs_a_name_and_scenes_with_content() -> None:
    """The older body's own rules: a videoName, scenes of text or article_url."""
    with pytest.raises(InvalidInputError, match=r"scenes\[0\] has no content"):
        video_body({"videoName": "v", "audio": {}, "scenes": [{"fontSize": 3}]})


def test_levels_we_do_not_model_pass_as_given() -> None:
    """Unknown names inside elements, background and font styles are Pictory's to judge."""
    scene = {
        "story": "a",
        "background": {"searchFilter": {"anything": 1}, "newThing": True},
        "elements": [{"type": "text", "future": {"x": 1}}],
        "subtitleStyle": {"brandNewStyle": 2},
    }
    payload = _story(scenes=[scene], subtitleStyle={"whatever": 1})

    assert payload == video_body(payload)


def test_every_model_field_is_a_known_wire_name() -> None:
    """The known names are the models' own: each field's wire name passes at its level."""
    levels: list[tuple[type[Any], Callable[[str], dict[str, Any]]]] = [
        (VideoRequest, lambda name: {name: None}),
        (VideoScene, lambda name: {"scenes": [{name: None}]}),
        (AiVoice, lambda name: {"voiceOver": {"aiVoices": [{name: None}]}}),
        (BackgroundMusic, lambda name: {"backgroundMusic": {name: None}}),
    ]
    for model, payload_of in levels:
        for field in attrs.fields(model):
            if not field.metadata.get("spread"):
                check_names(payload_of(wire_name(field)), VideoRequest)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (["not", "a", "mapping"], "the body must be a VideoRequest or a mapping"),
        (_story(scenes="Hello."), "scenes must be an array"),
        (_story(scenes=["Hello."]), r"scenes\[0\] must be an object"),
        (_story(voiceOver=True), "voiceOver must be an object"),
        (_story(voiceOver={"aiVoices": {"speaker": "M"}}), "voiceOver.aiVoices must be an array"),
    ],
)
def test_a_modelled_level_of_the_wrong_shape_is_refused(payload: Any, message: str) -> None:
    """A level we model must have its shape (an object, an array of objects)."""
    with pytest.raises(InvalidInputError, match=message):
        video_body(payload)


def test_a_body_of_another_model_is_refused() -> None:
    """A transcription request is not a video request."""
    with pytest.raises(InvalidInputError, match="must be a VideoRequest or a mapping"):
        video_body(TranscriptionRequest(file_url="https://x/v.mp4"))  # type: ignore[arg-type]


# -- the documented rules, both forms ---------------------------------------------------


_RULES: list[tuple[dict[str, Any], VideoRequest | None, str]] = [
    (
        _story(brandId="b1", brandName="Acme"),
        VideoRequest(
            video_name="v", brand_id="b1", brand_name="Acme", scenes=[VideoScene(story="a")]
        ),
        "'brandId' and 'brandName' exclude each other",
    ),
    (
        _story(subtitleStyleId="s1", subtitleStyleName="Bold"),
        VideoRequest(
            video_name="v",
            subtitle_style_id="s1",
            subtitle_style_name="Bold",
            scenes=[VideoScene(story="a")],
        ),
        "'subtitleStyleId' and 'subtitleStyleName' exclude each other",
    ),
    (
        _story(videoWidth=1920),
        VideoRequest(video_name="v", video_width=1920, scenes=[VideoScene(story="a")]),
        "videoWidth and videoHeight go together",
    ),
    (
        _story(voiceOver={"aiVoices": [{"speaker": "M"}], "externalVoice": {"voiceUrl": "u"}}),
        VideoRequest(
            video_name="v",
            voice_over=VoiceOver(
                ai_voices=[AiVoice(speaker="M")], external_voice=ExternalVoice(voice_url="u")
            ),
            scenes=[VideoScene(story="a")],
        ),
        "'aiVoices' and 'externalVoice' exclude each other",
    ),
    (
        _story(backgroundMusic={"autoMusic": True, "musicUrl": "u"}),
        VideoRequest(
            video_name="v",
            background_music=BackgroundMusic(auto_music=True, music_url="u"),
            scenes=[VideoScene(story="a")],
        ),
        "'autoMusic' and 'musicUrl' exclude each other",
    ),
    (
        _story(avatar={"avatarId": "a1"}),
        VideoRequest(video_name="v", avatar={"avatarId": "a1"}, scenes=[VideoScene(story="a")]),
        "an avatar needs a voice-over",
    ),
    (
        {"videoName": "v", "scenes": []},
        VideoRequest(video_name="v", scenes=[]),
        "scenes must be a non-empty array",
    ),
    (
        {"scenes": [{"story": "a"}]},
        VideoRequest(scenes=[VideoScene(story="a")]),
        "videoName .* is required",
    ),
    (
        _story(scenes=[{"story": "a", "blogUrl": "https://b"}]),
        VideoRequest(video_name="v", scenes=[VideoScene(story="a", blog_url="https://b")]),
        r"scenes\[0\] has story and blogUrl: a scene takes exactly one content source",
    ),
    (
        _story(scenes=[{"story": "a"}, {"minimumDuration": 3}]),
        VideoRequest(
            video_name="v", scenes=[VideoScene(story="a"), VideoScene(minimum_duration=3)]
        ),
        r"scenes\[1\] has no content",
    ),
    (
        _story(scenes=[{"audioUrl": "https://a.mp3"}]),
        VideoRequest(video_name="v", scenes=[VideoScene(audio_url="https://a.mp3")]),
        r"scenes\[0\]: a scene with audioUrl needs audioLanguage",
    ),
    (
        _story(
            scenes=[
                {"story": "a", "voiceOver": {"aiVoices": [], "externalVoice": {"voiceUrl": "u"}}}
            ]
        ),
        None,
        r"scenes\[0\]\.voiceOver: 'aiVoices' and 'externalVoice'",
    ),
]


@pytest.mark.parametrize(("payload", "model", "message"), _RULES)
def test_a_broken_rule_is_refused_in_either_form(
    payload: dict[str, Any], model: VideoRequest | None, message: str
) -> None:
    """One check serves models and mappings: the same rule, the same message."""
    with pytest.raises(InvalidInputError, match=message):
        video_body(payload)
    if model is not None:
        with pytest.raises(InvalidInputError, match=message):
            video_body(model)


@pytest.mark.parametrize(
    "payload",
    [
        {"videoName": "v", "templateId": "t1", "variables": {"a": "b"}},
        _story(scenes=[{"background": {"color": "rgb(0,0,0)"}, "minimumDuration": 4}]),
        _story(scenes=[{"videoUrl": "https://v.mp4", "audioLanguage": "en-US"}]),
        _story(
            videoWidth=1080,
            videoHeight=1920,
            brandName="Acme",
            avatar={"avatarId": "a"},
            voiceOver={"enabled": True},
        ),
    ],
    ids=["template-without-scenes", "visual-only-scene", "video-scene", "size-brand-avatar"],
)
def test_bodies_within_the_rules_pass(payload: dict[str, Any]) -> None:
    """A template needs no scenes; a scene may be visual only; a size needs both sides."""
    assert payload == video_body(payload)


@pytest.mark.parametrize(
    ("body_of", "payload", "message"),
    [
        (template_body, {"variables": {}}, "templateId .* is required"),
        (transcription_body, {"mediaType": "video"}, "fileUrl .* is required"),
        (transcription_body, {"fileUrl": "https://x", "mediaType": "movie"}, "mediaType must be"),
        (highlights_body, {"highlight_duration": 0}, "positive number"),
        (highlights_body, {"highlight_duration": "30"}, "positive number"),
        (transcription_body, {"fileUrl": "https://x", "fileURL": "y"}, "did you mean 'fileUrl'"),
        (highlights_body, {"highlightDuration": 30}, "did you mean 'highlight_duration'"),
    ],
)
def test_other_bodies_are_checked_too(body_of: Body, payload: object, message: str) -> None:
    """Templates, transcriptions and highlights have their names and rules checked."""
    with pytest.raises(InvalidInputError, match=message):
        body_of(payload)


# -- request models on the wire ---------------------------------------------------------


def test_a_model_is_sent_with_pictory_names_and_without_its_unset_fields() -> None:
    """Pictory's camelCase (and odd) names, nothing for None, a scene's extra merged in."""
    request = VideoRequest(
        video_name="Launch",
        aspect_ratio="9:16",
        save_project=True,
        voice_over=VoiceOver(ai_voices=[AiVoice(speaker="Martin", speed=110)]),
        background_music=BackgroundMusic(auto_music=True, volume=0.1),
        logo=Logo(url="https://l.png", position="top-right"),
        scenes=[
            VideoScene(
                story="<speak>Hi</speak>",
                is_ssml_story=True,
                create_scene_on_end_of_sentence=True,
                elements=[{"type": "text", "text": "Hi", "top": None}],
                extra={"sceneTransition": "ignored: a field wins", "futureField": 1},
            )
        ],
    )
    expected = {
        "videoName": "Launch",
        "aspectRatio": "9:16",
        "saveProject": True,
        "voiceOver": {"enabled": True, "aiVoices": [{"speaker": "Martin", "speed": 110}]},
        "backgroundMusic": {"enabled": True, "autoMusic": True, "volume": 0.1},
        "logo": {"url": "https://l.png", "position": "top-right"},
        "scenes": [
            {
                "story": "<speak>Hi</speak>",
                "isSSMLStory": True,
                "createSceneOnEndOfSentence": True,
                "elements": [{"type": "text", "text": "Hi", "top": None}],
                "sceneTransition": "ignored: a field wins",
                "futureField": 1,
            }
        ],
    }

    assert expected == video_body(request)


def test_a_set_field_wins_over_the_same_name_in_extra() -> None:
    """``extra`` adds names; it never replaces a field that was given."""
    scene = VideoScene(story="Real.", extra={"story": "Shadow."})

    assert {"story": "Real."} == request_body(scene)


def test_other_models_on_the_wire() -> None:
    """Defaults are sent (mediaType, language); highlight_duration keeps its snake name."""
    assert {"fileUrl": "u", "mediaType": "video", "language": "en-US"} == transcription_body(
        TranscriptionRequest(file_url="u")
    )
    assert {"highlight_duration": 30} == highlights_body(HighlightsRequest(highlight_duration=30))
    assert {"templateId": "t", "variables": {"a": "b"}} == template_body(
        TemplateVideoRequest(template_id="t", variables={"a": "b"})
    )


def test_an_unknown_name_is_a_type_error_at_construction() -> None:
    """The models have no place for a typo."""
    with pytest.raises(TypeError, match="voiceover"):
        VideoRequest(voiceover=VoiceOver())  # type: ignore[call-arg]


def test_checks_do_not_change_the_mapping_given() -> None:
    """The body sent is a copy; the caller's mapping is left as it was."""
    payload: Mapping[str, Any] = _story()
    body = video_body(payload)
    body["extra"] = 1

    assert "extra" not in payload


@pytest.mark.parametrize(
    ("story", "message"),
    [("s" * 15_001, "15,001 characters"), (42, "story must be a string")],
)
def test_a_story_too_long_or_not_text_is_refused(story: object, message: str) -> None:
    """Pictory's schema caps a scene's story at 15,000 characters; it must be text."""
    with pytest.raises(InvalidInputError, match=message):
        video_body({"videoName": "v", "scenes": [{"story": story}]})


def test_a_story_at_the_limit_passes() -> None:
    """15,000 characters is still one scene."""
    video_body({"videoName": "v", "scenes": [{"story": "s" * 15_000}]})
