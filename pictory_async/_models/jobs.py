"""The job models: a render job's status, the ``Job`` callers get, a page of the list.

Plain, frozen attrs classes with no I/O. ``JobData`` is the job object as the wire
carries it (camelCase, some snake_case keys); ``_jobs`` reads a body into it through
the converter and makes the ``Job`` of it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import attrs

from .._converter import raw_field, wire
from .._types import ProjectId

__all__ = ["Job", "JobData", "JobPage", "JobStatus", "media_urls"]


class JobStatus(str, enum.Enum):
    """Where a render job is. A ``str``: ``job.status == "completed"`` works too.

    Three statuses are final (``is_finished``), and only ``COMPLETED`` is a success
    (``is_success``). ``CLEANED`` means the job's data was dropped (by ``jobs.clean`` or
    after Pictory's retention period), its outcome with it: the job may have completed
    or failed, so it is not a success; ``jobs.wait`` raises ``JobOutcomeUnknownError``
    for it. ``UNKNOWN`` stands for a status this version does not know (the wire value
    stays in ``Job.raw["status"]``); ``jobs.wait`` keeps polling such a job.
    """

    PENDING = "pending"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CLEANED = "cleaned"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object) -> JobStatus:
        """The status a wire value names (``"in_progress"``, ``"COMPLETED"`` too), or UNKNOWN."""
        if not isinstance(value, str):
            return cls.UNKNOWN
        try:
            return cls(value.strip().lower().replace("_", "-").replace(" ", "-"))
        except ValueError:
            return cls.UNKNOWN

    @property
    def is_finished(self) -> bool:
        """Whether the job will not change any more (completed, failed or cleaned)."""
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CLEANED)

    @property
    def is_success(self) -> bool:
        """Whether the job is known to have made its video: ``COMPLETED`` only.

        ``CLEANED`` is not a success: its outcome is gone with its data.
        """
        return self is JobStatus.COMPLETED


@attrs.frozen(kw_only=True)
class JobData:
    """The ``data`` of a job body, as sent (``_jobs`` makes the ``Job`` callers get of it)."""

    job_id: str | int | None = None
    status: Any = None  # anything: an odd status is UNKNOWN, not an error
    render_progress: float | None = None
    render_state: str | None = None
    render_progress_message: str | None = None
    video_url: str | None = attrs.field(default=None, metadata=wire("videoURL"))
    thumbnail: str | None = None
    srt_file: str | None = None
    vtt_file: str | None = None
    txt_file: str | None = None
    video_duration: float | None = None
    video_share_url: str | None = attrs.field(default=None, metadata=wire("videoShareURL"))
    ai_credits_used: float | None = None
    error_code: str | int | None = attrs.field(default=None, metadata=wire("error_code"))
    error_message: str | None = attrs.field(default=None, metadata=wire("error_message"))
    project_id: str | int | None = None
    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class Job:
    """A render job, as ``GET /pictoryapis/v1/jobs/{id}`` (or the list) describes it.

    Every field but ``id`` and ``status`` is optional: Pictory sends what fits the state.

    Attributes:
        id: The job id.
        status: ``JobStatus`` (``UNKNOWN`` for a status this version does not know).
        progress: ``renderProgress``, 0-100, while rendering (and 100 when done).
        render_state: ``renderState``, e.g. ``RUNNING``.
        message: ``renderProgressMessage``.
        video_url: ``videoURL``, once completed.
        thumbnail: The thumbnail URL, once completed.
        srt_file: SRT subtitles URL.
        vtt_file: WebVTT subtitles URL.
        txt_file: Transcript URL.
        video_duration: Seconds of video.
        video_share_url: ``videoShareURL``: a page to share the video.
        ai_credits_used: ``aiCreditsUsed``.
        error_code: A failed job's ``error_code`` (as a string).
        error_message: A failed job's ``error_message``.
        project_id: The project rendered, when the API says (list items do).
        created_at: When the job started, when the API says (aware, UTC).
        raw: The job's ``data`` exactly as received.
    """

    id: str
    status: JobStatus = JobStatus.UNKNOWN
    progress: float | None = None
    render_state: str | None = None
    message: str | None = None
    video_url: str | None = None
    thumbnail: str | None = None
    srt_file: str | None = None
    vtt_file: str | None = None
    txt_file: str | None = None
    video_duration: float | None = None
    video_share_url: str | None = None
    ai_credits_used: float | None = None
    error_code: str | None = None
    error_message: str | None = None
    project_id: ProjectId | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = raw_field()

    @property
    def is_finished(self) -> bool:
        """Whether the job will not change any more (completed, failed or cleaned)."""
        return self.status.is_finished

    @property
    def is_success(self) -> bool:
        """Whether the job is known to have made its video (``completed``; not ``cleaned``)."""
        return self.status.is_success

    @property
    def assets(self) -> dict[str, str]:
        """The media URLs the job gives, by kind (``video``, ``thumbnail``, ``srt``, ...)."""
        return media_urls(self)


class _Media(Protocol):
    @property
    def video_url(self) -> str | None: ...
    @property
    def thumbnail(self) -> str | None: ...
    @property
    def srt_file(self) -> str | None: ...
    @property
    def vtt_file(self) -> str | None: ...
    @property
    def txt_file(self) -> str | None: ...


def media_urls(media: _Media) -> dict[str, str]:
    """The media URLs a job or a video has, by kind (``video``, ``thumbnail``, ``srt``, ...)."""
    urls = {
        "video": media.video_url,
        "thumbnail": media.thumbnail,
        "srt": media.srt_file,
        "vtt": media.vtt_file,
        "txt": media.txt_file,
    }
    return {kind: url for kind, url in urls.items() if url}


@attrs.frozen(kw_only=True)
class JobPage:
    """One page of the job list.

    Attributes:
        items: The jobs on this page, newest first.
        next_page_key: The key of the next page, ``None`` on the last one.
    """

    items: tuple[Job, ...]
    next_page_key: str | None
