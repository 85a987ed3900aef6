"""What a receiver hands out: the outcome given to callbacks, its answers, its counters.

Plain frozen attrs classes with no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .._models.jobs import Job
from ._event import JobEvent

__all__ = ["JobOutcome", "WebhookAnswer", "WebhookStats"]


@attrs.frozen(kw_only=True)
class JobOutcome:
    """A job's outcome, as the receiver hands it to the callback (once per job).

    Attributes:
        job: The job as the API answered when the receiver confirmed the event
            (``completed`` or ``failed``); with ``confirm=False``, as the body said.
        event: The delivery that announced it (the body, unconfirmed).
        confirmed: Whether ``job`` comes from the API (always, unless ``confirm=False``).
    """

    job: Job
    event: JobEvent
    confirmed: bool

    @property
    def job_id(self) -> str:
        """The job's id."""
        return self.job.id

    @property
    def is_success(self) -> bool:
        """Whether the job completed (its video, transcript, ... is ready)."""
        return self.job.is_success


@attrs.frozen
class WebhookAnswer:
    """What to answer the sender of a delivery: a status and a short sentence.

    Attributes:
        status: 202 queued, 200 nothing to do (a duplicate, not an outcome), 400 or 413
            a bad body, 401 or 403 a missing or wrong token, 503 full or not running
            (the sender should retry).
        detail: The sentence, for the body ``{"detail": ...}``.
        headers: Extra headers (``Retry-After`` with a 503).
    """

    status: int
    detail: str
    headers: Mapping[str, str] = attrs.field(factory=dict)

    def body(self) -> dict[str, str]:
        """The JSON body: ``{"detail": ...}``."""
        return {"detail": self.detail}


@attrs.frozen(kw_only=True)
class WebhookStats:
    """A receiver's counters since it was made (a snapshot).

    Attributes:
        accepted: Deliveries queued (answered 202).
        overflow: Deliveries refused because the queue was full (503).
        bad_token: Deliveries without the right token (401 or 403).
        bad_body: Deliveries whose body is not a job event (400 or 413).
        ignored: Deliveries of a job not finished yet (answered 200, nothing to do).
        duplicates: Deliveries of an outcome delivered or queued already.
        refuted: Events of a job the API does not know (forged).
        unconfirmed: Events the API contradicts: the job is not finished, or cleaned.
        confirm_failed: Events whose confirmation failed every try (left to the polls).
        delivered: Outcomes handed to the callback.
        callback_errors: Callbacks that raised (logged).
        waits_woken: ``jobs.wait`` calls ended early by a confirmed outcome.
    """

    accepted: int = 0
    overflow: int = 0
    bad_token: int = 0
    bad_body: int = 0
    ignored: int = 0
    duplicates: int = 0
    refuted: int = 0
    unconfirmed: int = 0
    confirm_failed: int = 0
    delivered: int = 0
    callback_errors: int = 0
    waits_woken: int = 0
