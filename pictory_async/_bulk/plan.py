"""A dry run of ``create_many`` as a plan: rows fine and bad, minutes needed and left.

The dry run reads every row through the run (each refused row is a ``failed`` item
with its line), sends nothing that creates anything, and reads the account's quota
once before the rows. ``plan_of`` sums what the rows that would be sent are estimated
to need (``minutes``) and sets it beside what the quota says is left. Pure.
"""

from __future__ import annotations

from typing import Any

import attrs

from .._models.account import Quota
from .result import BulkResult, Outcome
from .video_items import VideoItem

__all__ = ["QuotaLeft", "VideoPlan", "plan_of", "quota_plan"]


@attrs.frozen(kw_only=True)
class QuotaLeft:
    """What the account's quota said before the dry run read the rows.

    Attributes:
        minutes_left: Video minutes left (limit minus used), or ``None`` when unknown.
        minutes_limit: The plan's video minutes, when known.
        error: Why the quota could not be read, or ``None``.
    """

    minutes_left: float | None = None
    minutes_limit: float | None = None
    error: str | None = None


@attrs.frozen(kw_only=True)
class VideoPlan:
    """What a ``create_many`` dry run found (``BulkResult.plan``).

    Attributes:
        rows: Items read.
        rows_ok: Items that would be sent (each checked as ``videos.render`` checks it).
        rows_bad: Items refused (their errors: ``result.failed``, each naming its line).
        rows_done: Items an earlier run made (the journal says so): not sent again.
        rows_duplicate: Items whose ``key`` an earlier row gave: not sent.
        minutes_needed: Video minutes the rows to send are estimated to need (from
            each script's length at narration pace; see ``estimate_minutes``). An
            estimate: the videos may come out longer.
        minutes_left: Video minutes the account has left, or ``None`` when unknown.
        fits: ``minutes_needed <= minutes_left``; ``None`` when the quota is unknown.
        quota_error: Why the quota could not be read, or ``None``.
    """

    rows: int
    rows_ok: int
    rows_bad: int
    rows_done: int
    rows_duplicate: int
    minutes_needed: int
    minutes_left: float | None
    fits: bool | None
    quota_error: str | None = None


def quota_plan(quota: Quota | BaseException | None) -> QuotaLeft:
    """What ``quota`` (or the error reading it) says is left of the video minutes."""
    if quota is None:
        return QuotaLeft(error="the quota was not read")
    if isinstance(quota, BaseException):
        return QuotaLeft(error=f"{type(quota).__name__}: {quota}")
    minutes = quota.video_minutes
    if minutes is None or minutes.limit is None:
        return QuotaLeft(error="the quota names no video minutes limit")
    left = max(0.0, minutes.limit - (minutes.used or 0))
    return QuotaLeft(minutes_left=left, minutes_limit=minutes.limit)


def plan_of(result: BulkResult[Any], quota: QuotaLeft) -> VideoPlan:
    """The plan of a dry run's ``result``, beside what ``quota`` says is left."""
    previewed = result.previewed
    needed = sum(item.minutes for item in previewed if isinstance(item, VideoItem))
    counts = result.counts
    left = quota.minutes_left
    return VideoPlan(
        rows=result.total,
        rows_ok=len(previewed),
        rows_bad=counts[Outcome.FAILED],
        rows_done=len(result.skipped_because("journal")),
        rows_duplicate=len(result.skipped_because("duplicate")),
        minutes_needed=needed,
        minutes_left=left,
        fits=None if left is None else needed <= left,
        quota_error=quota.error,
    )
