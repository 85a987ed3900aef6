"""The documented rules of a job-starting body, checked on Pictory's names before sending.

One function per kind of body (storyboard or render, the older storyboard body,
template, transcription, highlights) reads the JSON about to be sent, from a request
model or a plain mapping alike, and raises ``InvalidInputError`` for what the API
documents as refused: ``brandId`` with ``brandName``, ``subtitleStyleId`` with
``subtitleStyleName``, a width without a height, ``aiVoices`` with ``externalVoice``,
``autoMusic`` with ``musicUrl``, an avatar without a voice-over, no scenes, a scene
without exactly one content source. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._exceptions import InvalidInputError

__all__ = [
    "ASPECT_RATIOS",
    "SCENE_SOURCES",
    "check_highlights_body",
    "check_legacy_video_body",
    "check_template_body",
    "check_transcription_body",
    "check_video_body",
    "shape",
]

SCENE_SOURCES = ("story", "storyCoPilot", "blogUrl", "pptUrl", "audioUrl", "videoUrl")
"""A scene's content sources: exactly one, or none with a ``background``."""
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:5")
"""The sizes ``aspectRatio`` names (Pictory's request schema)."""
MAX_STORY = 15_000
"""The longest ``story`` a scene takes (Pictory's request schema)."""


def shape(where: str, expected: str, value: object) -> str:
    """What a value of the wrong shape is told: ``scenes[0] must be an object, not str``."""
    return f"{where} must be {expected}, not {type(value).__name__}"


def _given(body: Mapping[str, Any], name: str) -> bool:
    return body.get(name) not in (None, "")


def _exclusive(body: Mapping[str, Any], first: str, second: str, where: str = "") -> None:
    if _given(body, first) and _given(body, second):
        at = f"{where}: " if where else ""
        raise InvalidInputError(
            f"{at}{first!r} and {second!r} exclude each other (the API rejects both); give one"
        )


def _object(body: Mapping[str, Any], name: str, where: str = "") -> Mapping[str, Any]:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError(shape(f"{where}.{name}" if where else name, "an object", value))
    return value


def _check_voice_over(voice_over: Mapping[str, Any], where: str) -> None:
    _exclusive(voice_over, "aiVoices", "externalVoice", where)


def _check_scene(scene: object, where: str) -> None:
    if not isinstance(scene, Mapping):
        raise InvalidInputError(shape(where, "an object", scene))
    sources = [name for name in SCENE_SOURCES if _given(scene, name)]
    if len(sources) > 1:
        raise InvalidInputError(
            f"{where} has {' and '.join(sources)}: a scene takes exactly one content source"
        )
    if not sources and not _given(scene, "background"):
        raise InvalidInputError(
            f"{where} has no content: give one of {', '.join(SCENE_SOURCES)}, or a background"
        )
    story = scene.get("story")
    if story is not None and not isinstance(story, str):
        raise InvalidInputError(shape(f"{where}.story", "a string", story))
    if isinstance(story, str) and len(story) > MAX_STORY:
        raise InvalidInputError(
            f"{where}.story has {len(story):,} characters; a scene takes at most "
            f"{MAX_STORY:,} (split the script into scenes)"
        )
    if sources and sources[0] in ("audioUrl", "videoUrl") and not _given(scene, "audioLanguage"):
        raise InvalidInputError(f"{where}: a scene with {sources[0]} needs audioLanguage")
    _check_voice_over(_object(scene, "voiceOver", where), f"{where}.voiceOver")


def check_video_body(body: Mapping[str, Any]) -> None:
    """The documented rules of a storyboard or render body (wire names).

    Raises:
        InvalidInputError: No ``videoName``; ``brandId`` with ``brandName``,
            ``subtitleStyleId`` with ``subtitleStyleName``, a width without a height,
            ``aiVoices`` with ``externalVoice``, ``autoMusic`` with ``musicUrl``, an
            ``avatar`` without an enabled voice-over; no scenes (without a template); a
            scene with no content source or more than one.
    """
    name = body.get("videoName")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("videoName (video_name) is required: a non-empty string")
    _exclusive(body, "brandId", "brandName")
    _exclusive(body, "subtitleStyleId", "subtitleStyleName")
    if _given(body, "videoWidth") != _given(body, "videoHeight"):
        raise InvalidInputError("videoWidth and videoHeight go together (or give aspectRatio)")
    ratio = body.get("aspectRatio")
    if isinstance(ratio, str) and ratio not in ASPECT_RATIOS:
        raise InvalidInputError(
            f"aspectRatio must be one of {', '.join(ASPECT_RATIOS)}, not {ratio!r}"
        )
    voice_over = _object(body, "voiceOver")
    _check_voice_over(voice_over, "voiceOver")
    music = _object(body, "backgroundMusic")
    if music.get("autoMusic") is True and _given(music, "musicUrl"):
        raise InvalidInputError(
            "backgroundMusic: 'autoMusic' and 'musicUrl' exclude each other; give one"
        )
    if _given(body, "avatar") and voice_over.get("enabled") is not True:
        raise InvalidInputError("an avatar needs a voice-over with enabled true")
    scenes = body.get("scenes")
    if scenes is None and _given(body, "templateId"):
        return
    if isinstance(scenes, (str, bytes)) or not isinstance(scenes, Sequence) or not scenes:
        raise InvalidInputError("scenes must be a non-empty array (or give a templateId)")
    for index, scene in enumerate(scenes):
        _check_scene(scene, f"scenes[{index}]")


def check_legacy_video_body(body: Mapping[str, Any]) -> None:
    """The rules of the older storyboard body: a name, and scenes of ``text`` or ``article_url``.

    Raises:
        InvalidInputError: No ``videoName``, no scenes, or a scene with neither.
    """
    name = body.get("videoName")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("videoName is required: a non-empty string")
    scenes = body.get("scenes")
    if isinstance(scenes, (str, bytes)) or not isinstance(scenes, Sequence) or not scenes:
        raise InvalidInputError("scenes must be a non-empty array")
    for index, scene in enumerate(scenes):
        if not (_given(scene, "text") or _given(scene, "article_url")):
            raise InvalidInputError(f"scenes[{index}] has no content: give text or article_url")


def check_template_body(body: Mapping[str, Any]) -> None:
    """The rules of a from-template body: a ``templateId``.

    Raises:
        InvalidInputError: No ``templateId``.
    """
    if not _given(body, "templateId"):
        raise InvalidInputError("templateId (template_id) is required")


def check_transcription_body(body: Mapping[str, Any]) -> None:
    """The rules of a transcription body: a ``fileUrl``, a known ``mediaType``.

    Raises:
        InvalidInputError: No ``fileUrl``, or a ``mediaType`` other than video or audio.
    """
    url = body.get("fileUrl")
    if not isinstance(url, str) or not url.strip():
        raise InvalidInputError("fileUrl (file_url) is required: the URL of the media")
    if body.get("mediaType", "video") not in ("video", "audio"):
        raise InvalidInputError(
            f"mediaType must be 'video' or 'audio', not {body.get('mediaType')!r}"
        )


def check_highlights_body(body: Mapping[str, Any]) -> None:
    """The rules of a highlights body: a positive ``highlight_duration``, a non-empty transcript.

    Raises:
        InvalidInputError: A ``highlight_duration`` that is not a positive number, or a
            ``transcript`` given that is not a non-empty array.
    """
    transcript = body.get("transcript")
    if transcript is not None and (
        isinstance(transcript, (str, bytes))
        or not isinstance(transcript, Sequence)
        or not transcript
    ):
        raise InvalidInputError("transcript must be a non-empty array of segments")
    duration = body.get("highlight_duration")
    if duration is None:
        return
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration <= 0:
        raise InvalidInputError(
            f"highlight_duration must be a positive number of seconds, not {duration!r}"
        )
