"""The account models: what ``GET /pictoryapis/v1/quota`` says of usage and limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._converter import raw_field

__all__ = ["Quota", "QuotaUsage"]


@attrs.frozen(kw_only=True)
class QuotaUsage:
    """How much of one allowance is used.

    Attributes:
        used: The amount used in the current period (``None`` if not sent).
        limit: The amount allowed in the period (``None`` if not sent).
        raw: The object exactly as received.
    """

    used: float | None = None
    limit: float | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class Quota:
    """The account's allowances. Each is ``None`` when the API did not send it.

    Attributes:
        video_minutes: Minutes of rendered video (``videoMinutes``).
        transcription_minutes: Minutes of transcription (``transcriptionMinutes``).
        eleven_labs_voice_over_minutes: Minutes of ElevenLabs voice-over
            (``elevenLabsVoiceOverMinutes``).
        ai_credits: AI credits (``aiCredits``).
        raw: The object exactly as received (with any allowance added since).
    """

    video_minutes: QuotaUsage | None = None
    transcription_minutes: QuotaUsage | None = None
    eleven_labs_voice_over_minutes: QuotaUsage | None = None
    ai_credits: QuotaUsage | None = None
    raw: Mapping[str, Any] = raw_field()
