"""Request bodies checked as Pictory's API checks them: 400 ``INVALID_REQUEST_BODY``.

Each ``check_*`` function takes the decoded JSON of one endpoint and returns the body
the emulator keeps: unknown fields silently stripped (the API strips them too), defaults
filled in. A body that breaks a documented rule raises :class:`InvalidBodyError`, naming
every field at fault. The older examples' scene names (``text``, ``article_url``) count
as ``story`` and ``blogUrl``, and their ``voiceOver: true`` as ``{"enabled": true}``, so
Pictory's public example payloads are accepted whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from ._wire import bad_request

__all__ = [
    "CONTENT_SOURCES",
    "InvalidBodyError",
    "check_elements",
    "check_highlights",
    "check_project",
    "check_template_video",
    "check_transcription",
    "check_video",
    "parse_json",
    "parse_object",
]

CONTENT_SOURCES: Final = ("story", "storyCoPilot", "blogUrl", "pptUrl", "audioUrl", "videoUrl")
"""What a scene may tell its story with (or else a ``background`` alone)."""

_VIDEO_FIELDS: Final = frozenset(
    {
        "videoName", "videoDescription", "videoWidth", "videoHeight", "aspectRatio", "language",
        "saveProject", "webhook", "webhookInput", "templateId", "variables", "brandId",
        "brandName", "smartLayoutId", "smartLayoutName", "subtitleStyleId", "subtitleStyleName",
        "subtitleStyle", "awsConnectionId", "vimeoConnectionId", "destinations", "voiceOver",
        "backgroundMusic", "logo", "avatar", "scenes", "visualLibraryId",
        "visualSelectionPreference", "projectMetadata", "storyboardVersion",
    }
)  # fmt: skip
_SCENE_FIELDS: Final = frozenset(
    {
        *CONTENT_SOURCES, "sceneId", "audioLanguage", "transcript", "mediaRepurposeSettings",
        "isSSMLStory", "caption", "createSceneOnNewLine", "createSceneOnEndOfSentence",
        "maxSubtitleLines", "highlightKeywords", "hideSubtitles", "minimumDuration",
        "endPauseDuration", "sceneTransition", "subtitleStyle", "background", "backgroundBrolls",
        "backgroundCorpus", "voiceOver", "backgroundMusic", "elements", "avatar",
    }
)  # fmt: skip
_LEGACY_SCENE_NAMES: Final = {"text": "story", "article_url": "blogUrl", "articleUrl": "blogUrl"}
_BACKGROUND_SOURCES: Final = ("visualUrl", "color", "aiVisual", "searchFilter", "motionGraphics")
_TRANSCRIPTION_FIELDS: Final = frozenset(
    {"fileUrl", "mediaType", "language", "webhook", "transcript", "highlights"}
)
_HIGHLIGHT_FIELDS: Final = frozenset({"highlight_duration", "language", "webhook", "transcript"})
_TEMPLATE_FIELDS: Final = frozenset(
    {"templateId", "variables", "scenes", "audio", "videoName", "webhook", "saveProject"}
)
_MEDIA_TYPES: Final = ("video", "audio")
_ASPECT_RATIOS: Final = ("16:9", "9:16", "1:1", "4:5")
_MAX_SECONDS: Final = 3600
_OBJECT, _ARRAY, _STRING, _FLAG = (dict,), (list,), (str,), (bool,)
_VIDEO_TYPES: Final[dict[str, tuple[type, ...]]] = {
    # the JSON type each field must have, where the API says one
    "videoName": _STRING, "videoDescription": _STRING, "language": _STRING,
    "aspectRatio": _STRING, "saveProject": _FLAG, "webhook": _STRING, "webhookInput": _OBJECT,
    "templateId": _STRING, "variables": _OBJECT, "brandId": _STRING, "brandName": _STRING,
    "smartLayoutId": _STRING, "smartLayoutName": _STRING, "subtitleStyleId": _STRING,
    "subtitleStyleName": _STRING, "subtitleStyle": _OBJECT, "destinations": _ARRAY,
    "voiceOver": _OBJECT, "backgroundMusic": _OBJECT, "logo": _OBJECT, "avatar": _OBJECT,
}  # fmt: skip
_SCENE_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "story": _STRING, "storyCoPilot": _OBJECT, "blogUrl": _STRING, "pptUrl": _STRING,
    "audioUrl": _STRING, "videoUrl": _STRING, "sceneId": _STRING, "background": _OBJECT,
    "voiceOver": _OBJECT, "backgroundMusic": _OBJECT, "subtitleStyle": _OBJECT,
    "avatar": _OBJECT, "backgroundBrolls": _ARRAY, "backgroundCorpus": _ARRAY,
}  # fmt: skip
_LABELS: Final = {dict: "an object", list: "an array", str: "a string", bool: "true or false"}


class InvalidBodyError(Exception):
    """A body the API answers with 400 ``INVALID_REQUEST_BODY``.

    Attributes:
        fields: ``(name, what is wrong)`` of each field at fault.
    """

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        """Name the fields at fault; the message joins what is wrong with each."""
        super().__init__("; ".join(f"{name}: {error}" for name, error in fields))
        self.fields = fields

    def body(self) -> bytes:
        """The 400 body: ``{"code", "message", "fields": [{"name", "errors"}]}``."""
        names = [name for name, _ in self.fields]
        return bad_request(str(self), names, [error for _, error in self.fields])


def parse_json(body: bytes) -> Any:
    """The JSON of a request body.

    Raises:
        InvalidBodyError: Empty, or not JSON.
    """
    try:
        return json.loads(body) if body.strip() else None
    except (ValueError, RecursionError) as exc:
        raise InvalidBodyError([("body", "must be valid JSON")]) from exc


def parse_object(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body.

    Raises:
        InvalidBodyError: Empty, not JSON, or not an object.
    """
    data = parse_json(body)
    if not isinstance(data, dict):
        raise InvalidBodyError([("body", "must be a JSON object")])
    return data


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _types(
    data: Mapping[str, Any],
    types: Mapping[str, tuple[type, ...]],
    where: str,
    errors: list[tuple[str, str]],
) -> None:
    """Note each field of ``data`` whose JSON type is not the one ``types`` gives."""
    for name, kinds in types.items():
        value = data.get(name)
        if value is not None and (
            not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)
        ):
            errors.append((f"{where}{name}", f"must be {_LABELS[kinds[0]]}"))


def _seconds(value: object, name: str, errors: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.append((name, "must be a number of seconds"))
    elif not 0 <= value <= _MAX_SECONDS:
        errors.append((name, f"must be between 0 and {_MAX_SECONDS} seconds"))


def _objects(value: object, name: str, errors: list[tuple[str, str]]) -> None:
    """Note ``value`` unless it is absent or an array of objects."""
    if value is not None and (
        not isinstance(value, list) or not all(isinstance(item, dict) for item in value)
    ):
        errors.append((name, "must be an array of objects"))


def _voice_over(value: object, where: str, errors: list[tuple[str, str]]) -> None:
    if not isinstance(value, Mapping):
        return
    if "aiVoices" in value and "externalVoice" in value:
        errors.append((f"{where}voiceOver", "aiVoices and externalVoice are mutually exclusive"))
    _objects(value.get("aiVoices"), f"{where}voiceOver.aiVoices", errors)


def _scene(index: int, given: object, errors: list[tuple[str, str]]) -> dict[str, Any]:
    where = f"scenes[{index}]"
    if not isinstance(given, dict):
        errors.append((where, "must be an object"))
        return {}
    scene = dict(given)
    for old, new in _LEGACY_SCENE_NAMES.items():
        if old in scene and new not in scene:
            scene[new] = scene[old]
    if isinstance(scene.get("voiceOver"), bool):  # the older examples' on/off
        scene["voiceOver"] = {"enabled": scene["voiceOver"]}
    scene = {key: value for key, value in scene.items() if key in _SCENE_FIELDS}
    background = scene.get("background")
    has_background = isinstance(background, Mapping) and any(
        background.get(key) for key in _BACKGROUND_SOURCES
    )
    if not any(scene.get(key) for key in CONTENT_SOURCES) and not has_background:
        errors.append(
            (where, f"needs one of {', '.join(CONTENT_SOURCES)}, or a background with a visual")
        )
    if "story" in scene and not _text(scene["story"]):
        errors.append((f"{where}.story", "must be a non-empty string"))
    _types(scene, _SCENE_TYPES, f"{where}.", errors)
    _objects(scene.get("elements"), f"{where}.elements", errors)
    for name in ("minimumDuration", "endPauseDuration"):
        _seconds(scene.get(name), f"{where}.{name}", errors)
    _voice_over(scene.get("voiceOver"), f"{where}.", errors)
    return scene


def check_video(data: dict[str, Any]) -> dict[str, Any]:
    """The body of ``POST /v2/video/storyboard`` (and ``.../render``), checked and stripped.

    Raises:
        InvalidBodyError: The rules of Pictory's request schema are broken.
    """
    body = {key: value for key, value in data.items() if key in _VIDEO_FIELDS}
    errors: list[tuple[str, str]] = []
    scenes = body.get("scenes")
    if scenes is None:
        if not body.get("templateId"):
            errors.append(("scenes", "is required (unless templateId is given)"))
    elif not isinstance(scenes, list) or not scenes:
        errors.append(("scenes", "must be a non-empty array"))
    else:
        body["scenes"] = [_scene(index, scene, errors) for index, scene in enumerate(scenes)]
    for one, other in (("brandId", "brandName"), ("subtitleStyleId", "subtitleStyleName")):
        if body.get(one) is not None and body.get(other) is not None:
            errors.append((one, f"{one} and {other} are mutually exclusive"))
            errors.append((other, f"{one} and {other} are mutually exclusive"))
    if ("videoWidth" in body) != ("videoHeight" in body):
        missing = "videoHeight" if "videoWidth" in body else "videoWidth"
        errors.append((missing, "videoWidth and videoHeight must be given together"))
    _types(body, _VIDEO_TYPES, "", errors)
    if isinstance(body.get("aspectRatio"), str) and body["aspectRatio"] not in _ASPECT_RATIOS:
        errors.append(("aspectRatio", f"must be one of {', '.join(_ASPECT_RATIOS)}"))
    for name in ("videoWidth", "videoHeight"):
        size = body.get(name)
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            errors.append((name, "must be a whole number of pixels >= 1"))
    voice = body.get("voiceOver")
    _voice_over(voice, "", errors)
    if body.get("avatar") is not None and not (
        isinstance(voice, Mapping) and voice.get("enabled") is True
    ):
        errors.append(("avatar", "requires voiceOver.enabled: true"))
    if errors:
        raise InvalidBodyError(errors)
    return body


def check_template_video(data: dict[str, Any]) -> dict[str, Any]:
    """The body of ``POST /v1/video/from-template``, checked and stripped.

    Raises:
        InvalidBodyError: No ``templateId``, or ``variables``/``scenes``/``audio`` of the
            wrong type.
    """
    body = {key: value for key, value in data.items() if key in _TEMPLATE_FIELDS}
    errors: list[tuple[str, str]] = []
    if not _text(body.get("templateId")):
        errors.append(("templateId", "is required"))
    for name, kind, label in (
        ("variables", dict, "an object"),
        ("scenes", list, "an array"),
        ("audio", dict, "an object"),
    ):
        if name in body and not isinstance(body[name], kind):
            errors.append((name, f"must be {label}"))
    if errors:
        raise InvalidBodyError(errors)
    return body


def check_transcription(data: dict[str, Any]) -> dict[str, Any]:
    """The body of ``POST /v2/transcription``, checked, stripped, with its defaults.

    Raises:
        InvalidBodyError: No ``fileUrl``, a ``mediaType`` other than video or audio, a
            ``language`` or ``transcript`` of the wrong type.
    """
    body = {key: value for key, value in data.items() if key in _TRANSCRIPTION_FIELDS}
    body.setdefault("mediaType", "video")
    body.setdefault("language", "en-US")
    errors: list[tuple[str, str]] = []
    if not _text(body.get("fileUrl")):
        errors.append(("fileUrl", "is required"))
    if body["mediaType"] not in _MEDIA_TYPES:
        errors.append(("mediaType", "must be video or audio"))
    if not _text(body["language"]):
        errors.append(("language", "must be a language code such as en-US"))
    if "transcript" in body and not isinstance(body["transcript"], list):
        errors.append(("transcript", "must be an array"))
    if errors:
        raise InvalidBodyError(errors)
    return body


def check_highlights(data: dict[str, Any], *, custom: bool = False) -> dict[str, Any]:
    """The body of ``POST /v2/transcription/{jobId}/highlights``, checked and stripped.

    Args:
        data: The decoded body.
        custom: For ``POST /v2/transcription/highlights``: a ``transcript`` is required.

    Raises:
        InvalidBodyError: A ``highlight_duration`` that is not a number of seconds > 0,
            or (``custom``) no transcript.
    """
    body = {key: value for key, value in data.items() if key in _HIGHLIGHT_FIELDS}
    body.setdefault("highlight_duration", 60)
    body.setdefault("language", "en-US")
    duration = body["highlight_duration"]
    errors: list[tuple[str, str]] = []
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration <= 0:
        errors.append(("highlight_duration", "must be a number of seconds > 0"))
    if custom and (not isinstance(body.get("transcript"), list) or not body["transcript"]):
        errors.append(("transcript", "must be a non-empty array"))
    if errors:
        raise InvalidBodyError(errors)
    return body


def check_elements(data: object) -> list[dict[str, Any]]:
    """The body of ``PUT /v2/video/storyboard/{jobId}/elements``: objects with an ``id``.

    Raises:
        InvalidBodyError: Not a non-empty array, or an item without a string ``id``.
    """
    if not isinstance(data, list) or not data:
        raise InvalidBodyError([("body", "must be a non-empty array of elements")])
    errors = [
        (f"[{index}].id", "is required")
        for index, item in enumerate(data)
        if not isinstance(item, dict) or not _text(item.get("id"))
    ]
    if errors:
        raise InvalidBodyError(errors)
    return data


def check_project(data: dict[str, Any]) -> dict[str, Any]:
    """The body of ``PUT /v2/projects/{id}``: a whole project, with its ``projectName``.

    Raises:
        InvalidBodyError: No ``projectName``, or ``scenes`` that is not an array.
    """
    errors: list[tuple[str, str]] = []
    if not _text(data.get("projectName")):
        errors.append(("projectName", "is required: send the whole project"))
    if "scenes" in data and not isinstance(data["scenes"], list):
        errors.append(("scenes", "must be an array"))
    if errors:
        raise InvalidBodyError(errors)
    return data
