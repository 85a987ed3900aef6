"""The one-call flow's shortcut: a script or a URL (and a few keywords) as a ``VideoRequest``.

``client.videos.create("Cats sleep a lot.")`` renders one narrated scene split at each
sentence, with Pictory's documented default voice for the language and automatic music
under it; an ``http(s)://`` URL is a blog-to-video scene. A request given instead is
used as it is, and the keywords, which would be silently lost, are refused. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._exceptions import InvalidInputError
from ._models.lookups import Brand, Voice
from ._models.videos import AiVoice, BackgroundMusic, VideoRequest, VideoScene, VoiceOver
from ._types import NotGiven

__all__ = ["DEFAULT_VOICES", "MUSIC_VOLUME", "script_request"]

DEFAULT_VOICES = {
    "en": "Martin",
    "nl": "Tim",
    "fr": "Gabriel",
    "de": "Wilbur",
    "it": "Marco",
    "pt": "Aurelio",
    "es": "Hugo",
}
"""The narrator ``create`` picks by script language: Pictory's documented default voices."""

MUSIC_VOLUME = 0.12
"""The volume ``create`` sets for automatic music: under a narration, as Pictory advises."""

_URL = re.compile(r"https?://\S+\Z", re.IGNORECASE)


def _name_of(script: str) -> str:
    """A video name from a script's first words (or a URL's last part)."""
    if _URL.match(script):
        parts = [part for part in re.split(r"[/?#]", script.split("://", 1)[1]) if part]
        return (parts[-1] if len(parts) > 1 else parts[0])[:80]
    words = script.split()
    name = " ".join(words[:8])
    return (name[:77] + "...") if len(name) > 80 else name


def _from_script(
    script: str,
    *,
    video_name: str | None,
    voice: str | Voice | NotGiven | None,
    brand: str | int | Brand | None,
    aspect_ratio: str | None,
    language: str | None,
    music: bool | str,
    save_project: bool | None,
    webhook: str | None,
) -> VideoRequest:
    """The ``VideoRequest`` of ``create`` for a script or a URL (checked before sending).

    Raises:
        InvalidInputError: An empty script, or no default voice for the language.
    """
    text = script.strip()
    if not text:
        raise InvalidInputError("the script is empty")
    if isinstance(voice, Voice):
        voice = voice.name
    if isinstance(voice, NotGiven):
        voice = DEFAULT_VOICES.get((language or "en").split("-")[0].lower())
        if voice is None:
            raise InvalidInputError(
                f"no default voice for language {language!r}: pass voice= (client.voices "
                "lists them), or voice=None for a silent video"
            )
    scene = (
        VideoScene(blog_url=text)
        if _URL.match(text)
        else VideoScene(story=text, create_scene_on_end_of_sentence=True)
    )
    background_music = None
    if isinstance(music, str):
        background_music = BackgroundMusic(music_url=music, volume=MUSIC_VOLUME)
    elif music:
        background_music = BackgroundMusic(auto_music=True, volume=MUSIC_VOLUME)
    return VideoRequest(
        video_name=video_name or _name_of(text),
        aspect_ratio=aspect_ratio,
        language=language,
        save_project=save_project,
        webhook=webhook,
        brand_id=brand.id
        if isinstance(brand, Brand)
        else brand
        if isinstance(brand, int)
        else None,
        brand_name=brand if isinstance(brand, str) else None,
        voice_over=None if voice is None else VoiceOver(ai_voices=[AiVoice(speaker=voice)]),
        background_music=background_music,
        scenes=[scene],
    )


def script_request(
    script_or_request: str | VideoRequest | Mapping[str, Any],
    *,
    video_name: str | None,
    voice: str | Voice | NotGiven | None,
    brand: str | int | Brand | None,
    aspect_ratio: str | None,
    language: str | None,
    music: bool | str,
    save_project: bool | None,
    webhook: str | None,
) -> VideoRequest | Mapping[str, Any]:
    """What ``create`` renders: a script's request, or the request given (without keywords).

    Raises:
        InvalidInputError: An empty script, no default voice for the language, or
            keywords given with a request.
    """
    if isinstance(script_or_request, str):
        return _from_script(
            script_or_request,
            video_name=video_name,
            voice=voice,
            brand=brand,
            aspect_ratio=aspect_ratio,
            language=language,
            music=music,
            save_project=save_project,
            webhook=webhook,
        )
    shortcuts = {
        "video_name": video_name,
        "voice": None if isinstance(voice, NotGiven) else voice,
        "brand": brand,
        "aspect_ratio": aspect_ratio,
        "language": language,
        "save_project": save_project,
        "webhook": webhook,
    }
    given = [name for name, value in shortcuts.items() if value is not None]
    if music is not True:
        given.append("music")
    if given:
        raise InvalidInputError(
            f"{', '.join(given)} apply to a script; set them in the request instead"
        )
    return script_or_request
