"""Jobs of every kind, moving through their states on the clock.

A job (a render, a storyboard preview, a transcription, its highlights) is
``in-progress`` from its start until ``duration`` seconds have passed on the emulator's
clock, then ``completed`` (or ``failed``, when a failure was scripted), then ``cleaned``
once the retention period is over or someone cleaned it. What a completed job holds
besides its status is its ``result`` (a render's media come from its ``project``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal, TypeAlias

import attrs

from ._store import ProjectRecord

__all__ = ["JOB_KINDS", "JobKind", "JobRecord", "JobStatus"]

JobStatus: TypeAlias = Literal["in-progress", "completed", "failed", "cleaned"]
JobKind: TypeAlias = Literal["render", "storyboard", "transcription", "highlights"]
"""``render``: a video (of a project, a storyboard, a template or ``renderParams``);
``storyboard``: a preview; ``transcription`` and ``highlights``: from a media file."""
JOB_KINDS: Final[tuple[JobKind, ...]] = ("render", "storyboard", "transcription", "highlights")


@attrs.define(kw_only=True, eq=False)
class JobRecord:
    """One job.

    Attributes:
        id: The job id (uuid-like).
        seq: Its place in the order jobs were started (listings are newest first).
        account: The account that started it.
        kind: What it makes (``JOB_KINDS``).
        project: The project (or unsaved output) a render makes the video of, kept after
            the project is deleted; a saved storyboard's project; else None.
        project_id: The ``projectId`` its data carries (a saved project), or None.
        result: What its completed data holds besides the status (a storyboard's
            ``renderParams``, a transcript, ...).
        previous_step: The project's ``step`` before the render (restored if it fails).
        started: Emulator clock reading at the start.
        created_at: Wall time of the start.
        duration: Seconds the render takes on the clock.
        failure: ``(error_code, error_message)`` when the render is to fail.
        cleaned: Whether the job's data was cleaned (by request or after retention).
        route: The API route of the request that started it (``storyboard_render``,
            ``from_template``, ...), or None: started by a control or seeded.
        request: That request's JSON body (``{}`` when it had none or not an object, or
            when no request started the job).
        webhook: The ``webhook`` URL that body gave, or None.
        answer_lost: Whether the answer of that request was lost (the connection
            closed after the job was made).
    """

    id: str
    seq: int
    account: str
    kind: JobKind = "render"
    project: ProjectRecord | None = None
    project_id: int | str | None = None
    result: dict[str, Any] = attrs.field(factory=dict)
    previous_step: str = ""
    started: float
    created_at: datetime
    duration: float
    failure: tuple[str, str] | None = None
    cleaned: bool = False
    route: str | None = None
    request: dict[str, Any] = attrs.field(factory=dict)
    webhook: str | None = None
    answer_lost: bool = False

    @property
    def done_at(self) -> float:
        """Clock reading at which the render ends."""
        return self.started + self.duration

    def status(self, now: float, retention: float) -> JobStatus:
        """The status at clock reading ``now``; data older than ``retention`` is cleaned."""
        if self.cleaned:
            return "cleaned"
        if now < self.done_at:
            return "in-progress"
        if now >= self.done_at + retention:
            self.cleaned = True
            return "cleaned"
        return "failed" if self.failure is not None else "completed"

    def progress(self, now: float) -> int:
        """Percent done at clock reading ``now`` (0-100)."""
        if self.duration <= 0:
            return 100
        return max(0, min(100, int((now - self.started) * 100 / self.duration)))
