"""Realistic, seeded project generation."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ._clock import Clock
from ._store import ProjectRecord

__all__ = ["ProjectFactory", "api_key_for", "folder_ids", "slug"]

_YEAR = 365 * 24 * 3600.0
_ADJECTIVES = (
    "Quarterly", "Annual", "Weekly", "Product", "Customer", "Brand", "Holiday", "Launch",
    "Team", "Summer", "Internal", "Onboarding", "Sales", "Webinar", "Podcast", "Training",
    "Hello", "Social", "Explainer", "Campaign",
)  # fmt: skip
_NOUNS = (
    "Update", "Recap", "Highlights", "Teaser", "Story", "Tutorial", "Announcement", "Review",
    "Promo", "Interview", "Walkthrough", "Template", "Reel", "Digest", "Welcome", "Demo",
    "Keynote", "Briefing", "Tips", "Overview",
)  # fmt: skip
_SOURCES = ("script", "script", "script", "transcribe", "transcribe", "url", "article", "ppt")
_LAYOUTS = (("16:9", "sixteen-nine"), ("9:16", "nine-sixteen"), ("1:1", "one-one"))
_CATEGORIES = ("Business", "Technology", "Education", "Lifestyle", "Marketing", "Health")
_PROJECT_TYPES = ("text-to-video", "blog-to-video", "edit-video-using-script")
_WORDS = (
    "growth", "customers", "product", "launch", "team", "results", "vision", "future", "story",
    "brand", "design", "market", "insight", "quality", "journey", "welcome", "simple", "clear",
    "plan", "share", "create",
)  # fmt: skip


def slug(name: str) -> str:
    """A file-name-safe form of a project name, like ``Hello_World_Template``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "project"


def api_key_for(seed: int, account: str) -> str:
    """The deterministic API key of ``account`` under ``seed``."""
    rng = random.Random(f"api-key:{seed}:{account}")
    return f"pictai_{rng.getrandbits(160):040x}"


def folder_ids(seed: int, account: str, count: int = 4) -> list[str]:
    """The ids of an account's folders."""
    rng = random.Random(f"folders:{seed}:{account}")
    return [f"{rng.getrandbits(128):032x}" for _ in range(count)]


def _iso_id(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


class ProjectFactory:
    """Makes projects from one seeded random stream, unique ids guaranteed."""

    def __init__(
        self,
        rng: random.Random,
        *,
        now: datetime,
        clock: Clock,
        render_time: tuple[float, float] | None,
        render_duration: Callable[[], float],
        in_progress_share: float,
        folders: dict[str, list[str]],
    ) -> None:
        """Generate around wall time ``now``, with renders timed on the emulator clock.

        A generated project with a render running finishes it ``render_duration()``
        seconds after it is made (the emulator's render duration then, as for a render
        started through the API), or after a time drawn from ``render_time`` if given.
        """
        self._rng = rng
        self._now = now
        self._clock = clock
        self._render_time = render_time
        self._render_duration = render_duration
        self._in_progress_share = in_progress_share
        self._folders = folders
        self._next_int = rng.randint(1_000_000, 2_000_000)
        self._used: set[str] = set()

    def _hex(self, bits: int = 128) -> str:
        return f"{self._rng.getrandbits(bits):0{bits // 4}x}"

    def _uuid(self) -> str:
        h = self._hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def _new_id(self, schema_version: str | None, saved: datetime) -> int | str:
        while True:
            if schema_version == "v3":
                candidate: int | str = _iso_id(saved - timedelta(hours=1)) + self._hex()
            else:
                self._next_int += self._rng.randint(1, 40)
                candidate = self._next_int
            if str(candidate) not in self._used:
                self._used.add(str(candidate))
                return candidate

    def reserve(self, project_id: int | str) -> None:
        """Never generate ``project_id`` (it was added explicitly)."""
        self._used.add(str(project_id))

    def make(self, account: str, **overrides: Any) -> ProjectRecord:
        """A new random project of ``account``; ``overrides`` set fields explicitly.

        Besides the record's fields, ``in_progress=True`` starts a render that finishes
        after ``render_seconds`` (default: the render duration, or a time drawn from the
        render time range if the factory has one).

        Raises:
            ValueError: ``render_seconds`` is not a finite number >= 0.
        """
        rng = self._rng
        in_progress = overrides.pop("in_progress", None)
        render_seconds = overrides.pop("render_seconds", None)
        if render_seconds is not None and (
            isinstance(render_seconds, bool)
            or not isinstance(render_seconds, (int, float))
            or not 0 <= render_seconds < math.inf
        ):
            raise ValueError(f"render_seconds must be a finite number >= 0, got {render_seconds!r}")
        if in_progress is None:
            in_progress = rng.random() < self._in_progress_share
        given_id = overrides.get("id")
        roll = rng.random()
        if "schema_version" in overrides:
            schema_version = overrides["schema_version"]
        elif given_id is not None:
            schema_version = "v3" if isinstance(given_id, str) else "v2"
        else:
            schema_version = "v3" if roll < 0.6 else "v2" if roll < 0.9 else None
        age = rng.random() * (3600.0 if in_progress else _YEAR)
        saved = self._now - timedelta(seconds=age)
        saved = saved.replace(microsecond=saved.microsecond // 1000 * 1000)
        layout, aspect_ratio = rng.choice(_LAYOUTS)
        name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        if rng.random() < 0.5:
            name += f" {rng.randint(2, 99)}"
        scenes = None
        if schema_version == "v3" and rng.random() < 0.5:
            scenes = [
                {
                    "sceneId": self._uuid(),
                    "text": " ".join(rng.choice(_WORDS) for _ in range(8)).capitalize() + ".",
                    "keywords": rng.sample(_WORDS, 2),
                    "category": rng.choice(_CATEGORIES),
                    "sortOrder": order,
                }
                for order in range(rng.randint(2, 6))
            ]
        folders = self._folders.get(account) or []
        fields: dict[str, Any] = {
            "account": account,
            "name": name,
            "source": rng.choice(_SOURCES),
            "folder": rng.choice(folders) if folders and rng.random() < 0.6 else None,
            "schema_version": schema_version,
            "layout": layout,
            "aspect_ratio": aspect_ratio if rng.random() < 0.9 else None,
            "saved": saved,
            "step": rng.choice(("STORYBOARD", "STORYBOARD", "EDIT", "COMPLETE", "COMPLETE")),
            "video_duration": round(rng.uniform(5.0, 600.0), 2),
            "script_language": rng.choice(("en", "en", "en", "es", "de", "fr")),
            "voice_over_id": _iso_id(saved) + self._hex() if rng.random() < 0.8 else None,
            "audio_speed": rng.choice((90, 100, 100, 110)),
            "video_volume": rng.choice((30, 50, 50, 70)),
            "brand_id": self._uuid() if rng.random() < 0.7 else None,
            "smart_template_id": _iso_id(saved) + self._hex(64)[:15]
            if rng.random() < 0.5
            else None,
            "scene_settings": {
                "autoHighlightKeywords": rng.random() < 0.7,
                "maxLines": rng.choice((1, 2, 2, 3)),
                "autoVisualSelection": rng.random() < 0.8,
            },
            "scenes": scenes,
            "project_type": rng.choice(_PROJECT_TYPES) if rng.random() < 0.3 else None,
            "asset_key": self._uuid(),
            "share_token": _iso_id(saved) + self._hex(64),
        }
        fields["generated"] = saved - timedelta(seconds=rng.uniform(60, 7200))
        fields.update(overrides)
        if "aspect_ratio" not in overrides and "layout" in overrides:
            fields["aspect_ratio"] = dict(_LAYOUTS).get(fields["layout"])
        if given_id is None:
            fields["id"] = self._new_id(fields["schema_version"], fields["saved"])
        if fields["schema_version"] == "v3" and rng.random() < 0.1 and "extra" not in overrides:
            fields["extra"] = {"project_id": fields["id"]}
        if in_progress:
            if render_seconds is None:
                draw = rng.random()  # drawn either way: a seed makes the same projects
                if self._render_time is None:
                    render_seconds = self._render_duration()
                else:
                    low, high = self._render_time
                    render_seconds = low + (high - low) * draw
            fields["render_done_at"] = self._clock() + render_seconds
            if "step" not in overrides:
                fields["step"] = "RENDER"
            fields["generated"] = None
        return ProjectRecord(**fields)
