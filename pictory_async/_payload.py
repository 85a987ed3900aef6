"""A job-starting body before it is sent: a model's JSON, or a plain mapping's names checked.

Pictory silently drops a field it does not know, so a typo (``voiceover``) would make
a silent video instead of an error. A body comes as a request model (``_models.videos``,
whose unknown names are already a ``TypeError``) or as a plain mapping, as Pictory's
own examples are JSON. A mapping is sent as given after its names are checked at the
levels the models describe (the top level, ``scenes[]``, ``voiceOver``,
``voiceOver.aiVoices[]``, ``backgroundMusic``, ``logo``, ...): the known names are the
models' wire names, and an unknown one is an ``InvalidInputError`` that names the
nearest known field and where it is (``scenes[2].creatSceneOnNewLine``). Levels the
models keep as mappings (``elements``, ``background``, font styles) pass as given. A
storyboard body wholly in the older names of Pictory's first examples (``audio``, scene
``text``; ``_models.videos.LegacyVideoRequest``) passes as that body.

Either way the JSON about to be sent then meets the documented rules of its kind
(``_payload_rules``). Everything here is pure and runs before any request.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from ._converter import request_body, wire_name
from ._exceptions import InvalidInputError
from ._models.videos import (
    HighlightsRequest,
    LegacyVideoRequest,
    TemplateVideoRequest,
    TranscriptionRequest,
    VideoRequest,
)
from ._payload_rules import (
    check_highlights_body,
    check_legacy_video_body,
    check_template_body,
    check_transcription_body,
    check_video_body,
    shape,
)

__all__ = [
    "check_names",
    "highlights_body",
    "name_problems",
    "template_body",
    "transcription_body",
    "video_body",
]

M = TypeVar("M")

_MAX_LISTED = 5

_V1_NAMES = {
    "audio": "voiceOver and backgroundMusic",
    "videoDescription": "videoName",
    "text": "story",
    "splitTextOnPeriod": "createSceneOnEndOfSentence",
    "splitTextOnNewLine": "createSceneOnNewLine",
    "article_url": "blogUrl",
    "brandLogo": "logo",
}
"""Names of the retired v1 storyboard body (Pictory's older examples), with their v2 names."""


# -- names ---------------------------------------------------------------------------


@attrs.frozen
class _Child:
    """A field whose value is a modelled level: one object, or an array of them."""

    model: type[Any]
    many: bool


def _child(hint: Any) -> _Child | None:
    """The modelled level a field's type names, if any (``X | None``, ``Sequence[X]``)."""
    for arg in typing.get_args(hint) or (hint,):
        if attrs.has(arg):
            return _Child(arg, many=False)
        if typing.get_origin(arg) is Sequence:
            (item,) = typing.get_args(arg)
            if attrs.has(item):
                return _Child(item, many=True)
    return None


_LEVELS: dict[type[Any], dict[str, _Child | None]] = {}


def _level(model: type[Any]) -> dict[str, _Child | None]:
    """The wire names a model knows, each with its modelled level (``None``: as given)."""
    level = _LEVELS.get(model)
    if level is None:
        hints = typing.get_type_hints(model)
        level = _LEVELS[model] = {
            wire_name(field): _child(hints[field.name])
            for field in attrs.fields(model)
            if not field.metadata.get("spread")
        }
    return level


def _nearest(name: str, known: Sequence[str]) -> str | None:
    folded = {key.lower(): key for key in known}
    if name.lower() in folded:
        return folded[name.lower()]
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not match:
        match = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.6)
        match = [folded[key] for key in match]
    return match[0] if match else None


def _walk_names(payload: Mapping[str, Any], model: type[Any], where: str, out: list[str]) -> None:
    level = _level(model)
    for name, value in payload.items():
        path = f"{where}.{name}" if where else str(name)
        if name not in level:
            near = _nearest(str(name), list(level))
            if name in _V1_NAMES and _V1_NAMES[name].split()[0] in level:
                hint = f": a v1 API name; the v2 API takes {_V1_NAMES[name]}"
            elif near:
                hint = f": did you mean {near!r}?"
            else:
                hint = f" (known: {', '.join(level)})"
            out.append(f"unknown field {path!r}{hint}")
            continue
        child = level[name]
        if child is None or value is None:
            continue
        if not child.many:
            if isinstance(value, Mapping):
                _walk_names(value, child.model, path, out)
            else:
                out.append(shape(path, "an object", value))
            continue
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            out.append(shape(path, "an array", value))
            continue
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                _walk_names(item, child.model, f"{path}[{index}]", out)
            else:
                out.append(shape(f"{path}[{index}]", "an object", item))


def name_problems(payload: Mapping[str, Any], model: type[Any]) -> list[str]:
    """What is wrong with a plain mapping's names (and modelled shapes) for ``model``."""
    problems: list[str] = []
    _walk_names(payload, model, "", problems)
    return problems


def _refuse(problems: list[str]) -> InvalidInputError:
    listed = "; ".join(problems[:_MAX_LISTED])
    more = f" (and {len(problems) - _MAX_LISTED} more)" if len(problems) > _MAX_LISTED else ""
    return InvalidInputError(
        f"{listed}{more} (Pictory drops unknown fields silently; send a field this "
        "library does not know yet with extra_body=)"
    )


def check_names(payload: Mapping[str, Any], model: type[Any]) -> None:
    """Check a plain-mapping body's names against ``model``'s, level by level.

    Raises:
        InvalidInputError: A modelled level of the wrong shape, or an unknown name (each
            named with its path and the nearest known field).
    """
    problems = name_problems(payload, model)
    if problems:
        raise _refuse(problems)


# -- bodies --------------------------------------------------------------------------


def _body(
    request: object, model: type[M], check: Callable[[Mapping[str, Any]], None]
) -> dict[str, Any]:
    """The JSON body of ``request`` (a ``model`` or a plain mapping), checked."""
    if isinstance(request, model):
        body: dict[str, Any] = request_body(request)
    elif isinstance(request, Mapping):
        check_names(request, model)
        body = dict(request)
    else:
        raise InvalidInputError(
            f"the body must be a {model.__name__} or a mapping (a JSON object), "
            f"not {type(request).__name__}"
        )
    check(body)
    return body


def video_body(request: VideoRequest | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of a storyboard or render request, checked (see ``check_video_body``).

    A mapping wholly in the older body's names (``audio``, scene ``text``; Pictory's
    first public examples) passes as that body; one that mixes the two is refused by
    the current names (or, when it is nearer the older body, by those).
    """
    current = name_problems(request, VideoRequest) if isinstance(request, Mapping) else []
    if current and isinstance(request, Mapping):
        older = name_problems(request, LegacyVideoRequest)
        if not older:
            body = dict(request)
            check_legacy_video_body(body)
            return body
        if len(older) < len(current):  # nearer the older body: say what is wrong there
            raise _refuse(["read as the older body (audio, scene text)", *older])
    return _body(request, VideoRequest, check_video_body)


def template_body(request: TemplateVideoRequest | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of a from-template request, checked."""
    return _body(request, TemplateVideoRequest, check_template_body)


def transcription_body(request: TranscriptionRequest | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of a transcription request, checked."""
    return _body(request, TranscriptionRequest, check_transcription_body)


def highlights_body(request: HighlightsRequest | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of a highlights request, checked."""
    return _body(request, HighlightsRequest, check_highlights_body)
