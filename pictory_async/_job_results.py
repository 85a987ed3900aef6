"""Typed jobs, both ends: the handle a job-starting answer gives, the result a finished job holds.

``handle_of`` reads ``{"data": {"jobId": ...}}`` into the handle of the call's kind
(with the answer's request id); ``result_of`` reads a completed ``Job``'s ``data`` into
the result its handle promises, through the shared converter. Pure functions: what
the server sent that does not fit is a ``ResponseValidationError``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx

from ._decode import structure
from ._error_body import request_id
from ._exceptions import ResponseValidationError
from ._jobs import started_job
from ._models.jobs import Job
from ._models.results import (
    Highlights,
    HighlightsData,
    HighlightsJob,
    JobHandle,
    Storyboard,
    StoryboardData,
    StoryboardJob,
    Transcription,
    TranscriptionData,
    TranscriptionJob,
    Video,
    VideoJob,
)
from ._types import ProjectId

__all__ = ["Result", "handle_of", "result_of"]

H = TypeVar("H", bound=JobHandle)
Result = Storyboard | Video | Transcription | Highlights

_WHAT = {
    StoryboardJob: "storyboard",
    VideoJob: "render",
    TranscriptionJob: "transcription",
    HighlightsJob: "highlights",
}


def handle_of(
    kind: type[H], payload: object, response: httpx.Response, *, project_id: ProjectId | None = None
) -> H:
    """The handle of ``kind`` a job-starting answer names.

    Raises:
        ResponseValidationError: No safe job id in the answer, or it says it failed.
    """
    job = started_job(payload, project_id, response, what=_WHAT.get(kind, "job"))
    return kind(id=job.id, request_id=request_id(response.headers), project_id=project_id)


def _project(job: Job, handle: JobHandle, wire: Any = None) -> ProjectId | None:
    for value in (job.project_id, wire, handle.project_id):
        if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
            return value
    return None


def _storyboard(job: Job, handle: JobHandle, response: httpx.Response) -> Storyboard:
    data = structure(job.raw, StoryboardData, response)
    if data.render_params is None:
        raise ResponseValidationError(
            f"completed storyboard job {job.id!r} has no renderParams",
            response=response,
            body=dict(job.raw),
        )
    return Storyboard(
        job_id=job.id,
        preview_url=data.preview_url or data.preview_url_caps or job.video_url,
        project_id=_project(job, handle, data.project_id),
        render_params=dict(data.render_params),
        storyboard=data.storyboard,
        raw=job.raw,
    )


def _video(job: Job, handle: JobHandle, response: httpx.Response) -> Video:
    if not job.video_url:
        raise ResponseValidationError(
            f"completed render job {job.id!r} has no videoURL",
            response=response,
            body=dict(job.raw),
        )
    return Video(
        job_id=job.id,
        video_url=job.video_url,
        thumbnail=job.thumbnail,
        duration=job.video_duration,
        share_url=job.video_share_url,
        project_id=_project(job, handle),
        srt_file=job.srt_file,
        vtt_file=job.vtt_file,
        txt_file=job.txt_file,
        ai_credits_used=job.ai_credits_used,
        raw=job.raw,
    )


def _transcription(job: Job, response: httpx.Response) -> Transcription:
    data = structure(job.raw, TranscriptionData, response)
    return Transcription(
        job_id=job.id,
        transcript=tuple(dict(item) for item in data.transcript or ()),
        txt=data.txt,
        srt=data.srt,
        vtt=data.vtt,
        media_info=None if data.media_info is None else dict(data.media_info),
        raw=job.raw,
    )


def _highlights(job: Job, response: httpx.Response) -> Highlights:
    data = structure(job.raw, HighlightsData, response)
    return Highlights(
        job_id=job.id,
        highlights=tuple(dict(item) for item in data.highlights or ()),
        duration=data.duration,
        raw=job.raw,
    )


def result_of(handle: JobHandle, job: Job, response: httpx.Response) -> Result:
    """The result a completed ``job`` holds, of the kind ``handle`` promises.

    Args:
        handle: The handle waited for.
        job: Its completed state.
        response: The answer ``job`` was read from (for errors).

    Raises:
        ResponseValidationError: The data does not fit the kind (a render without a
            video URL, a storyboard without ``renderParams``, a field of the wrong type).
    """
    if isinstance(handle, StoryboardJob):
        return _storyboard(job, handle, response)
    if isinstance(handle, TranscriptionJob):
        return _transcription(job, response)
    if isinstance(handle, HighlightsJob):
        return _highlights(job, response)
    return _video(job, handle, response)
