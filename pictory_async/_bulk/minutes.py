"""How many video minutes a request will spend: an estimate, before anything is sent.

Pictory charges a render its length in whole minutes (at least one). Before the render
that length is not known, so a dry run estimates it from the script at narration pace:
each scene's ``story`` at ``WORDS_PER_SECOND`` (150 words a minute), at least
``MIN_SCENE_SECONDS`` a scene, plus a scene's ``minimumDuration`` and
``endPauseDuration`` as given. The emulator (``emulator/_videos.py``) times its renders
by the same rule, so its charges and these estimates agree for scripts. A scene Pictory
fills itself (an article's URL, slides, a prompt) or a template's scenes cannot be timed
from the request: each such video counts as its scenes' minimum, so at least one minute.
It is an estimate: a voice's pace, pauses and visuals can make the real video longer.
Pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["MIN_SCENE_SECONDS", "WORDS_PER_SECOND", "estimate_minutes", "estimate_seconds"]

WORDS_PER_SECOND: Final = 2.5
"""Narration pace: 150 words a minute."""
MIN_SCENE_SECONDS: Final = 3.0
"""The shortest scene."""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value) if value >= 0 else None


def _scene_seconds(scene: Mapping[str, Any]) -> float:
    story = scene.get("story")
    words = len(story.split()) if isinstance(story, str) else 0
    spoken = max(MIN_SCENE_SECONDS, words / WORDS_PER_SECOND) if words else 0.0
    minimum = _number(scene.get("minimumDuration"))
    if minimum is not None:
        spoken = max(spoken, minimum)
    pause = _number(scene.get("endPauseDuration"))
    if pause is not None:
        spoken += pause
    return round(spoken or MIN_SCENE_SECONDS, 2)


def estimate_seconds(body: Mapping[str, Any]) -> float:
    """The estimated length of the video a render body makes, in seconds."""
    scenes = body.get("scenes")
    if not isinstance(scenes, list):
        return 0.0
    return sum(_scene_seconds(scene) for scene in scenes if isinstance(scene, Mapping))


def estimate_minutes(body: Mapping[str, Any], *, template: bool = False) -> int:
    """The video minutes a render of ``body`` is estimated to spend (at least 1).

    Args:
        body: The JSON about to be sent (Pictory's names).
        template: A template's render: its scenes are the template's, so 1.
    """
    if template:
        return 1
    return max(1, math.ceil(estimate_seconds(body) / 60))
