"""What a video request names in the account's catalogues: its speakers and its brand.

Pictory accepts such a request and finds out while making the video: a speaker that is
not a voice of ``GET /v1/voiceovers/tracks`` (its track id, name or provider voice id,
in any case), or a ``brandId``/``brandName`` that is not one of ``GET /v1/brands/video``,
makes the job end ``failed`` with ``TEXT_TO_VIDEO_FAILED`` and a message naming it (its
docs show "The AI voice speaker [Timm] is invalid"). A ``templateId`` is different: the
request cannot be read without its template, so an unknown one is a 400 at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from ._lookups import known_voice

__all__ = ["VIDEO_FAILED", "reference_failure"]

VIDEO_FAILED: Final = "TEXT_TO_VIDEO_FAILED"


def _speakers(body: Mapping[str, Any]) -> Iterator[object]:
    """The speakers a request or ``renderParams`` names (disabled voice-overs left out)."""
    scenes = body.get("scenes")
    for holder in [body, *(scenes if isinstance(scenes, list) else ())]:
        voice = holder.get("voiceOver") if isinstance(holder, Mapping) else None
        if not isinstance(voice, Mapping) or voice.get("enabled") is False:
            continue
        given = voice.get("aiVoices")
        for item in given if isinstance(given, list) else ():
            if isinstance(item, Mapping) and item.get("speaker") is not None:
                yield item["speaker"]
    elements = body.get("elements")
    for element in elements if isinstance(elements, list) else ():
        if (
            isinstance(element, Mapping)
            and element.get("elementType") == "voiceOver"
            and element.get("speaker") is not None
        ):
            yield element["speaker"]


def reference_failure(
    body: Mapping[str, Any], brands: Sequence[Mapping[str, Any]]
) -> tuple[str, str] | None:
    """Why the job of ``body`` fails, ``(error_code, error_message)``, or None.

    It fails when ``body`` (a request, or ``renderParams``) names a voice, or a brand
    not in ``brands`` (the account's).
    """
    for speaker in _speakers(body):
        if not known_voice(speaker):
            return VIDEO_FAILED, f"The AI voice speaker [{speaker}] is invalid"
    brand_id, brand_name = body.get("brandId"), body.get("brandName")
    if brand_id is not None and str(brand_id).casefold() not in {
        str(b["id"]).casefold() for b in brands
    }:
        return VIDEO_FAILED, f"The brand with id [{brand_id}] was not found in this account"
    if brand_name is not None and str(brand_name).casefold() not in {
        str(b["name"]).casefold() for b in brands
    }:
        return VIDEO_FAILED, f"The brand [{brand_name}] was not found in this account"
    return None
