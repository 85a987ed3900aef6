"""The look-up catalogues: brands, voices, stock media, music, avatars, styles, layouts, templates.

Plausible, deterministic data in the shapes Pictory's API reference shows: the same
every run, the same for every seed (a media search depends only on its query). Each
function returns the JSON-able body of one look-up route; nothing here touches state.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "MUSIC_CATALOGUES",
    "avatars",
    "brands",
    "known_voice",
    "make_brand",
    "media_search",
    "music_catalogue",
    "music_search",
    "premium_voice",
    "make_template",
    "smart_layouts",
    "styles",
    "templates",
    "voices",
]

_STATIC: Final = "https://static.pictory.test"


def _uuid(name: str) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


_BRANDS: Final = ("Acme Corporate", "Acme Social", "Northwind Launch", "Contoso Training")


def make_brand(name: str, brand_id: str | None = None) -> dict[str, Any]:
    """A brand as ``GET /v1/brands/video`` lists it: ``{id, name}``.

    Raises:
        ValueError: A name or id that is not a non-empty string.
    """
    for value, label in ((name, "name"), (brand_id, "brand_id")):
        if (value is not None or label == "name") and (not isinstance(value, str) or not value):
            raise ValueError(f"{label} must be a non-empty string")
    return {"id": brand_id or _uuid(f"brand:{name}"), "name": name}


def brands() -> list[dict[str, Any]]:
    """The brands every account starts with (``GET /v1/brands/video`` lists them)."""
    return [make_brand(name) for name in _BRANDS]


_VOICES: Final = (
    # id, name, voice, gender, accent, language, engine, service
    (1001, "Joanna", "Joanna", "female", "American accent", "en-US", "neural", "aws"),
    (1002, "Matthew", "Matthew", "male", "American accent", "en-US", "neural", "aws"),
    (1003, "Adison", "en-US-Neural2-F", "female", "American accent", "en-US", "Neural2", "google"),
    (1004, "Jackson", "en-US-Neural2-D", "male", "American accent", "en-US", "Neural2", "google"),
    (1005, "Martin", "en-GB-Neural2-B", "male", "British accent", "en-GB", "Neural2", "google"),
    (1006, "Fiona", "en-GB-Wavenet-A", "female", "British accent", "en-GB", "WaveNet", "google"),
    (1007, "Hugo", "es-ES-Neural2-B", "male", "Spanish accent", "es-ES", "Neural2", "google"),
    (1008, "Gabriel", "fr-FR-Neural2-B", "male", "French accent", "fr-FR", "Neural2", "google"),
    (1009, "Wilbur", "de-DE-Neural2-B", "male", "German accent", "de-DE", "Neural2", "google"),
    (2001, "Rachel", "21m00Tcm4TlvDq8ikWAM", "female", "American accent", "en-US",
     "eleven_multilingual_v2", "elevenlabs"),
    (2002, "Brian", "nPczCjzI2devNBz1zQrb", "male", "American accent", "en-US",
     "eleven_multilingual_v2", "elevenlabs"),
)  # fmt: skip


def voices() -> list[dict[str, Any]]:
    """``GET /v1/voiceovers/tracks``: a bare array of voice tracks."""
    return [
        {
            "accent": accent,
            "category": "premium" if service == "elevenlabs" else "standard",
            "engine": engine,
            "gender": gender,
            "id": ident,
            "language": language,
            "name": name,
            "sample": f"{_STATIC}/voices/samples/{name}_100_sample.mp3",
            "service": service,
            "voice": voice,
        }
        for ident, name, voice, gender, accent, language, engine, service in _VOICES
    ]


def known_voice(speaker: object) -> bool:
    """Whether ``speaker`` (a track id, a name or a provider voice id; any case) is a voice."""
    text = str(speaker).casefold()
    return any(
        text in (str(ident), name.casefold(), voice.casefold())
        for ident, name, voice, *_ in _VOICES
    )


def premium_voice(speaker: object) -> bool:
    """Whether ``speaker`` (a track id, a name or a provider voice id) is an ElevenLabs voice."""
    text = str(speaker).casefold()
    return any(
        service == "elevenlabs" and text in (str(ident), name.casefold(), voice.casefold())
        for ident, name, voice, *_, service in _VOICES
    )


_MEDIA_WORDS: Final = (
    "aerial", "city", "office", "team", "ocean", "sunrise", "laptop", "forest", "crowd", "studio",
    "mountain", "street", "coffee", "meeting", "night", "river", "desk", "smile", "road", "sky",
)  # fmt: skip
_LIBRARIES: Final = ("story_blocks", "getty")
_PAGE: Final = 12


def media_search(keyword: str, category: str | None, language: str) -> dict[str, Any]:
    """``GET /v1/media/search``: results in ``data.searchResults``, decided by the query.

    An empty keyword finds nothing; any other finds 12 results whose descriptions
    contain it.
    """
    keyword = keyword.strip()
    results: list[dict[str, Any]] = []
    if keyword:
        rng = random.Random(f"media-search:{keyword.casefold()}:{category}:{language}")
        for index in range(_PAGE):
            kind = "video" if rng.random() < 0.6 else "image"
            asset = f"{rng.getrandbits(64):016x}"
            extra = " ".join(rng.sample(_MEDIA_WORDS, 2))
            item: dict[str, Any] = {
                "assetId": asset,
                "mediaType": kind,
                "mediaDescription": f"{keyword} {extra}".capitalize(),
                "preview": {
                    "url": f"{_STATIC}/stock/{asset}/preview.{'mp4' if kind == 'video' else 'jpg'}",
                    "jpg": f"{_STATIC}/stock/{asset}/preview.jpg",
                },
                "searchLibrary": _LIBRARIES[index % 2],
                "category": category or "General",
            }
            if kind == "video":
                item["duration"] = round(rng.uniform(5, 40), 1)
            results.append(item)
    return {"success": True, "data": {"searchResults": results, "total": len(results)}}


_MOODS: Final = (
    "Calm / Serene", "Happy / Bright", "Uplifting / Inspiring", "Dramatic", "Epic",
    "Energetic / Lively", "Hopeful / Optimistic", "Mysterious", "Sad / Melancholic",
    "Playful / Whimsical",
)  # fmt: skip
_GENRES: Final = (
    "Downtempo", "Indie Rock", "Cinematic", "Corporate Pop", "Acoustic Folk", "Techno", "Lo-Fi",
    "Orchestral",
)  # fmt: skip
_GENRE_GROUPS: Final = ("Electronic", "Rock", "Pop", "Folk", "Classical", "Hip Hop")
_INSTRUMENTS: Final = (
    "Piano", "Guitar - Acoustic", "Guitar - Electric", "Synth", "Strings", "Drum Kit",
    "Bass - Electric",
)  # fmt: skip
_PURPOSES: Final = (
    "Corporate / Business", "Technology", "Animation / Explainer", "Trailer / Promo",
    "Educational", "Wedding", "Yoga / Relaxation", "Real Estate",
)  # fmt: skip
MUSIC_CATALOGUES: Final[dict[str, tuple[str, ...]]] = {
    "moods": _MOODS,
    "genres": _GENRES,
    "genres/groups": _GENRE_GROUPS,
    "instruments": _INSTRUMENTS,
    "purposes": _PURPOSES,
}
"""``GET /v1/music/{name}``: each a bare array of names."""
_TITLES: Final = (
    "Bio Journey", "Dusty Road Trip", "Morning Light", "Blue Horizon", "Paper Planes", "City Pulse",
    "Quiet Harbor", "Golden Hour", "Neon Drive", "First Steps", "Open Fields", "Night Shift",
    "Bright Ideas", "Long Way Home", "Skyline", "Slow Tide", "Rising", "Warm Static", "Velvet",
    "Summit", "Daybreak", "Afterglow", "Momentum", "Lanterns",
)  # fmt: skip


def music_catalogue(name: str) -> list[str] | None:
    """The names of one music catalogue, or None for an unknown one."""
    values = MUSIC_CATALOGUES.get(name)
    return list(values) if values is not None else None


def _tracks() -> list[dict[str, Any]]:
    rng = random.Random("music-tracks")
    return [
        {
            "id": 100 + index,
            "title": title,
            "audioUrl": f"{_STATIC}/music/{100 + index}/{title.replace(' ', '_')}.mp3",
            "duration": rng.randint(60, 240),
            "genres": rng.sample(_GENRES, 2),
            "genreGroups": rng.sample(_GENRE_GROUPS, 1),
            "instruments": rng.sample(_INSTRUMENTS, 3),
            "moods": rng.sample(_MOODS, 3),
            "purposes": rng.sample(_PURPOSES, 2),
        }
        for index, title in enumerate(_TITLES)
    ]


_TRACKS: Final = _tracks()
_FILTERS: Final = {
    "genre": "genres",
    "genreGroup": "genreGroups",
    "mood": "moods",
    "instrument": "instruments",
    "purpose": "purposes",
}


def _wanted(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def music_search(query: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /v1/music/search``: ``{items, page, pageSize, total}``, filtered as asked.

    ``query`` matches titles; ``genre``, ``mood``, ... keep tracks with one of the
    values, ``notGenre``, ``notMood``, ... drop them; ``minDuration``/``maxDuration``
    bound the length; ``page`` and ``pageSize`` (20-100) page the rest.
    """
    text = str(query.get("query") or "").casefold()
    tracks = [track for track in _TRACKS if text in track["title"].casefold()]
    for name, key in _FILTERS.items():
        keep, drop = (
            _wanted(query.get(name)),
            _wanted(query.get("not" + name[0].upper() + name[1:])),
        )
        if keep:
            tracks = [track for track in tracks if keep & set(track[key])]
        if drop:
            tracks = [track for track in tracks if not drop & set(track[key])]
    low, high = query.get("minDuration"), query.get("maxDuration")
    if isinstance(low, (int, float)):
        tracks = [track for track in tracks if track["duration"] >= low]
    if isinstance(high, (int, float)):
        tracks = [track for track in tracks if track["duration"] <= high]
    page, size = query.get("page"), query.get("pageSize")
    page = max(1, page) if isinstance(page, int) else 1
    size = min(100, max(20, size)) if isinstance(size, int) else 20
    items = tracks[(page - 1) * size : page * size]
    return {"items": items, "page": page, "pageSize": size, "total": len(tracks)}


_AVATARS: Final = (
    ("Annie", "Female", ("Tan Jacket", "Blue Casual")),
    ("Brandon", "Male", ("Grey Suit",)),
    ("Leah", "Female", ("Office Look", "Red Dress")),
    ("Marcus", "Male", ("Hoodie", "Navy Blazer")),
)


def avatars() -> dict[str, Any]:
    """``GET /v1/avatars``: ``{items: [{id, name, gender, looks[]}], nextPageKey: null}``."""
    items = []
    for name, gender, looks in _AVATARS:
        group = hashlib.sha256(f"avatar:{name}".encode()).hexdigest()[:32]
        items.append(
            {
                "id": group,
                "name": name,
                "gender": gender,
                "looks": [
                    {
                        "id": f"{name}_look{index + 1}_public",
                        "name": f"{name} in {look}",
                        "previewImage": f"{_STATIC}/avatars/{group}/{index + 1}/preview.webp",
                        "previewVideo": f"{_STATIC}/avatars/{group}/{index + 1}/preview.webm",
                    }
                    for index, look in enumerate(looks)
                ],
            }
        )
    return {"items": items, "nextPageKey": None}


_STYLES: Final = ("Default", "Navy blue", "Indigo ink", "Sleek", "Headliner", "Flash")


def styles() -> list[dict[str, Any]]:
    """``GET /v1/styles``: a bare array of ``{id, name}``."""
    return [{"id": _uuid(f"style:{name}"), "name": name} for name in _STYLES]


_LAYOUTS: Final = ("Modern minimalist", "Kinetic", "Chic", "Wanderlust", "Bulletin")


def smart_layouts() -> dict[str, Any]:
    """``GET /v1/smartlayouts``: ``{items: [{templateId, templateName, schemaVersion}]}``."""
    return {
        "items": [
            {
                "templateId": "20250714" + hashlib.sha256(name.encode()).hexdigest()[:24],
                "templateName": name,
                "schemaVersion": "v3",
            }
            for name in _LAYOUTS
        ]
    }


_TEMPLATES: Final = (
    ("Hello World Template", {"Name": "NAME"}, ("Hi {{Name}}, how are you doing today?",)),
    (
        "Pending Loan Payment",
        {"customer_name": "John Doe", "payment_date": "2024-01-15"},
        (
            "Dear {{customer_name}}, your payment is due on {{payment_date}}.",
            "Pay online in a minute, or call us any time.",
        ),
    ),
    (
        "Product Launch",
        {"product": "Aura", "launch_date": "June 1"},
        ("Meet {{product}}.", "Available from {{launch_date}}.", "Order yours today."),
    ),
)


def make_template(
    name: str,
    variables: dict[str, str],
    lines: tuple[str, ...],
    *,
    template_id: str | None = None,
    language: str = "en",
) -> dict[str, Any]:
    """A template as ``GET /v1/templates`` lists it: one scene per line of subtitles.

    Raises:
        ValueError: No lines, or a name, line, variable or id that is not a string.
    """
    texts = (name, language, *lines, *variables, *variables.values())
    if not lines or not all(isinstance(text, str) for text in texts):
        raise ValueError("a template needs a name and scenes (strings), variables of strings")
    if template_id is not None and (not isinstance(template_id, str) or not template_id):
        raise ValueError("template_id must be a non-empty string")
    ident = template_id or "20251223" + hashlib.sha256(f"template:{name}".encode()).hexdigest()[:40]
    return {
        "templateId": ident,
        "name": name,
        "language": language,
        "published": True,
        "deprecated": False,
        "schemaVersion": "v3",
        "variables": dict(variables),
        "scenes": [
            {"sceneId": f"{ident[:24]}{index:024d}", "subtitles": [{"text": line}]}
            for index, line in enumerate(lines)
        ],
    }


def templates() -> list[dict[str, Any]]:
    """The templates every account starts with (``GET /v1/templates`` lists them)."""
    return [make_template(name, variables, lines) for name, variables, lines in _TEMPLATES]
