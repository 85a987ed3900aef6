"""The account models: usage and limits (``/v1/quota``), the AI credit ledger."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._converter import raw_field

__all__ = ["AiCreditTransaction", "Quota", "QuotaUsage"]


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


@attrs.frozen(kw_only=True)
class AiCreditTransaction:
    """One entry of the AI credit ledger: credits spent or added.

    Attributes:
        transaction_id: The entry's id.
        type: ``debit`` (credits spent) or ``credit`` (credits added).
        amount: How many credits.
        source: What spent or added them (``Text-to-Image``, ``Monthly Reset``, ...).
        description: A sentence saying so.
        plan: The plan the account was on.
        transaction_date: When, aware and in UTC.
        raw: The object exactly as received.
    """

    transaction_id: str | int
    type: str | None = None
    amount: float | None = None
    source: str | None = None
    description: str | None = None
    plan: str | None = None
    transaction_date: datetime | None = None
    raw: Mapping[str, Any] = raw_field()
