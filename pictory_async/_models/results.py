"""Typed jobs and their results: the handle a job-starting call returns, what it makes.

A handle (``StoryboardJob``, ``VideoJob``, ``TranscriptionJob``, ``HighlightsJob``)
names a job and says which kind of result it will make, so ``client.jobs.wait(handle)``
returns that result, typed: a ``Storyboard``, a ``Video``, a ``Transcription`` or
``Highlights``. Handles are not ``Job``s (a ``Job`` is a job's state, read by
``client.jobs.get``). Plain, frozen attrs classes with no I/O; ``_job_results`` reads a
completed job into its result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._converter import raw_field, wire
from .._types import ProjectId
from .jobs import media_urls

__all__ = [
    "Highlights",
    "HighlightsData",
    "HighlightsJob",
    "JobHandle",
    "Storyboard",
    "StoryboardData",
    "StoryboardJob",
    "Transcription",
    "TranscriptionData",
    "TranscriptionJob",
    "Video",
    "VideoJob",
]


@attrs.frozen(kw_only=True)
class JobHandle:
    """A job a call started: what every handle has.

    Attributes:
        id: The job id (``client.jobs.get(handle)`` reads its state).
        request_id: The request id of the call that started it, when the API sent one
            (quote it to Pictory's support).
        project_id: The project it makes, when known.
    """

    id: str
    request_id: str | None = None
    project_id: ProjectId | None = None


@attrs.frozen(kw_only=True)
class StoryboardJob(JobHandle):
    """A storyboard (preview) job; ``client.jobs.wait`` returns its ``Storyboard``."""


@attrs.frozen(kw_only=True)
class VideoJob(JobHandle):
    """A render job; ``client.jobs.wait`` returns its ``Video``."""


@attrs.frozen(kw_only=True)
class TranscriptionJob(JobHandle):
    """A transcription job; ``client.jobs.wait`` returns its ``Transcription``."""


@attrs.frozen(kw_only=True)
class HighlightsJob(JobHandle):
    """A highlights job; ``client.jobs.wait`` returns its ``Highlights``."""


@attrs.frozen(kw_only=True)
class StoryboardData:
    """The data of a completed storyboard job, as sent (read into ``Storyboard``)."""

    render_params: Mapping[str, Any] | None = None
    storyboard: Any = None
    preview_url: str | None = None
    preview_url_caps: str | None = attrs.field(default=None, metadata=wire("previewURL"))
    project_id: str | int | None = None


@attrs.frozen(kw_only=True)
class Storyboard:
    """A completed preview: what would be rendered, and how to render it.

    Render it as it is with ``client.videos.render_preview(job)``, or change
    ``render_params`` and render that with ``client.videos.render_changed(params)``.

    Attributes:
        job_id: The storyboard job.
        preview_url: A page or video to review the preview, when the API gives one.
        project_id: The project saved with it (``saveProject``), when one was.
        render_params: ``renderParams``: the render request the preview stands for,
            scenes and ``elements[]`` included, exactly as received.
        storyboard: The storyboard as received (its shape is Pictory's).
        raw: The job's ``data`` exactly as received.
    """

    job_id: str
    preview_url: str | None = None
    project_id: ProjectId | None = None
    render_params: Mapping[str, Any] = attrs.field(factory=dict)
    storyboard: Any = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class Video:
    """A rendered video.

    ``client.videos.download(video, directory)`` fetches its files (without the key).

    Attributes:
        job_id: The render job.
        video_url: ``videoURL``: the MP4.
        thumbnail: The thumbnail URL.
        duration: ``videoDuration``, in seconds.
        share_url: ``videoShareURL``: a page to share the video.
        project_id: The project, when one was saved.
        srt_file: SRT subtitles URL.
        vtt_file: WebVTT subtitles URL.
        txt_file: Transcript URL.
        ai_credits_used: ``aiCreditsUsed``.
        raw: The job's ``data`` exactly as received.
    """

    job_id: str
    video_url: str
    thumbnail: str | None = None
    duration: float | None = None
    share_url: str | None = None
    project_id: ProjectId | None = None
    srt_file: str | None = None
    vtt_file: str | None = None
    txt_file: str | None = None
    ai_credits_used: float | None = None
    raw: Mapping[str, Any] = raw_field()

    @property
    def assets(self) -> dict[str, str]:
        """The media URLs, by kind (``video``, ``thumbnail``, ``srt``, ``vtt``, ``txt``)."""
        return media_urls(self)


@attrs.frozen(kw_only=True)
class TranscriptionData:
    """The data of a completed transcription job, as sent (read into ``Transcription``)."""

    transcript: Sequence[Mapping[str, Any]] | None = None
    txt: str | None = None
    srt: str | None = None
    vtt: str | None = None
    media_info: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class Transcription:
    """A completed transcription.

    Attributes:
        job_id: The transcription job.
        transcript: The sentences with their timing, as received.
        txt: The plain-text transcript (as the API gives it).
        srt: The SRT subtitles.
        vtt: The WebVTT subtitles.
        media_info: What the API says of the media (duration, ...), as received.
        raw: The job's ``data`` exactly as received.
    """

    job_id: str
    transcript: tuple[Mapping[str, Any], ...] = ()
    txt: str | None = None
    srt: str | None = None
    vtt: str | None = None
    media_info: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class HighlightsData:
    """The data of a completed highlights job, as sent (read into ``Highlights``)."""

    highlights: Sequence[Mapping[str, Any]] | None = None
    duration: float | None = None


@attrs.frozen(kw_only=True)
class Highlights:
    """A completed highlights job: the parts of a transcript worth a short video.

    Attributes:
        job_id: The highlights job.
        highlights: The chosen parts (``{"startTime", "endTime", "text"}``), as received.
        duration: Their length in seconds, when the API says.
        raw: The job's ``data`` exactly as received.
    """

    job_id: str
    highlights: tuple[Mapping[str, Any], ...] = ()
    duration: float | None = None
    raw: Mapping[str, Any] = raw_field()
