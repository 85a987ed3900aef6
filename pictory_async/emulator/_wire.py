"""What goes on the wire: project bodies in Pictory's exact key names, and error bodies."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ._media import EXTENSIONS
from ._renders import JobRecord
from ._reply import Reply
from ._seed import slug
from ._store import ProjectRecord

__all__ = [
    "BAD_GATEWAY_HTML",
    "DELETED",
    "FORBIDDEN",
    "INTERNAL_ERROR",
    "JOB_NOT_FINISHED",
    "JOB_NOT_FOUND",
    "RENDER_RUNNING",
    "METHOD_NOT_ALLOWED",
    "NOT_FOUND",
    "PROJECT_NOT_FOUND",
    "SERVICE_UNAVAILABLE",
    "TOO_MANY_REQUESTS",
    "UNAUTHORIZED",
    "ai_credits",
    "bad_request",
    "dumps",
    "iso",
    "job_data",
    "job_started",
    "list_item",
    "media_urls",
    "project_body",
    "quota_exceeded",
]


def dumps(value: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def iso(moment: datetime) -> str:
    """``2025-12-23T01:54:26.658Z``: milliseconds, UTC, with a ``Z``."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


UNAUTHORIZED = dumps({"message": "Unauthorized"})
NOT_FOUND = dumps({"message": "Not Found"})
PROJECT_NOT_FOUND = dumps({"success": False, "message": "Project not found"})
METHOD_NOT_ALLOWED = dumps({"message": "Method Not Allowed"})
TOO_MANY_REQUESTS = dumps({"message": "Too Many Requests"})
SERVICE_UNAVAILABLE = dumps({"message": "Service Unavailable"})
DELETED = dumps({"success": True, "message": "Project deleted successfully"})
FORBIDDEN = dumps(
    {
        "success": False,
        "error": {
            "error_message": "You do not have permission to access this project",
            "error_code": 403,
        },
    }
)
INTERNAL_ERROR = dumps(
    {
        "success": False,
        "error": {"error_message": "Internal server error, please retry", "error_code": 500},
    }
)
JOB_NOT_FOUND = dumps(
    {"success": False, "error": {"error_code": "5000", "error_message": "JOB_NOT_FOUND"}}
)
JOB_NOT_FINISHED = dumps(
    {
        "success": False,
        "error": {
            "error_code": "JOB_NOT_FINISHED",
            "error_message": "Only a completed or failed job can be cleaned",
        },
    }
)
RENDER_RUNNING = dumps(
    {
        "success": False,
        "error": {
            "error_code": "RENDER_IN_PROGRESS",
            "error_message": "A render of this project is already in progress",
        },
    }
)
BAD_GATEWAY_HTML = b"""<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
"""


def bad_request(message: str, fields: list[str], errors: list[str] | None = None) -> bytes:
    """A 400 body in the ``INVALID_REQUEST_BODY`` shape: ``fields`` as ``{name, errors}``.

    Args:
        message: What is wrong, in one sentence.
        fields: The names of the fields at fault (``scenes[0].story``).
        errors: What is wrong with each field (default: ``message`` for each).
    """
    said = errors if errors is not None else [message] * len(fields)
    named = [{"name": name, "errors": error} for name, error in zip(fields, said, strict=True)]
    return dumps({"code": "INVALID_REQUEST_BODY", "message": message, "fields": named})


def quota_exceeded(exc: Exception) -> bytes:
    """The 402 body of a job the account's quota cannot pay for.

    ``{"code": "QUOTA_EXCEEDED", "message": ..., "counter": "videoMinutes", "needed": 5,
    "left": 2}`` (``exc`` is a ``QuotaExceededError``).
    """
    return dumps(
        {
            "code": "QUOTA_EXCEEDED",
            "message": str(exc),
            "counter": getattr(exc, "counter", None),
            "needed": getattr(exc, "needed", None),
            "left": getattr(exc, "left", None),
        }
    )


def media_urls(record: ProjectRecord, cdn_base_url: str) -> dict[str, str]:
    """The CDN URL of each media file of ``record``, by kind (rendered ones included)."""
    base = f"{cdn_base_url}/media/{record.asset_key}"
    name = slug(record.name)
    return {
        "video": f"{base}/video/{name}.{EXTENSIONS['video']}",
        "audio": f"{base}/audio/{name}.{EXTENSIONS['audio']}",
        "thumbnail": f"{base}/thumbnail/{record.asset_key}.jpg",
        "srt": f"{base}/srt/{record.asset_key}.srt",
        "vtt": f"{base}/vtt/{record.asset_key}.vtt",
        "txt": f"{base}/txt/{record.asset_key}.txt",
    }


def project_body(record: ProjectRecord, cdn_base_url: str) -> dict[str, Any]:
    """The body of ``GET /pictoryapis/v2/projects/{id}``, keys in the documented order."""
    urls = media_urls(record, cdn_base_url)
    rendered = not record.in_progress
    body: dict[str, Any] = {
        "projectName": record.name,
        "source": record.source,
        "step": record.step,
    }
    if record.schema_version is not None:
        body["schemaVersion"] = record.schema_version
    body["layout"] = record.layout
    body["thumbnail"] = urls["thumbnail"]
    if rendered:
        body["videoURL"] = urls["video"]
        body["shareVideoURL"] = f"{cdn_base_url}/share/{record.key}/{record.share_token}"
    body["audioURL"] = urls["audio"]
    if rendered and record.video_duration is not None:
        body["videoDuration"] = record.video_duration
    body["saveDate"] = iso(record.saved)
    if rendered and record.generated is not None:
        body["generatedDate"] = iso(record.generated)
    if rendered:
        body["srtFile"] = urls["srt"]
        body["vttFile"] = urls["vtt"]
        body["txtFile"] = urls["txt"]
    body["scriptLanguage"] = record.script_language
    if record.voice_over_id is not None:
        body["voiceOverId"] = record.voice_over_id
    body["audioSpeed"] = record.audio_speed
    body["videoVolume"] = record.video_volume
    if record.brand_id is not None:
        body["brandId"] = record.brand_id
    if record.smart_template_id is not None:
        body["smartTemplateId"] = record.smart_template_id
    body["inProgress"] = record.in_progress
    body["scriptTxtSceneSettings"] = record.scene_settings
    body["visualFilter"] = record.visual_filter
    if record.scenes is not None:
        body["scenes"] = record.scenes
    if record.project_type is not None:
        body["projectType"] = record.project_type
    body.update(record.extra)
    return body


def list_item(record: ProjectRecord, cdn_base_url: str) -> dict[str, Any]:
    """One item of ``GET /pictoryapis/v2/projects`` (``savedDate`` here, not ``saveDate``)."""
    item: dict[str, Any] = {
        "id": record.id,
        "name": record.name,
        "source": record.source,
        "projectPreview": None
        if record.in_progress
        else media_urls(record, cdn_base_url)["thumbnail"],
        "savedDate": iso(record.saved),
    }
    if record.aspect_ratio is not None:
        item["aspectRatio"] = record.aspect_ratio
    item["schemaVersion"] = record.schema_version
    item["type"] = "project"
    return item


def job_data(job: JobRecord, status: str, progress: int, cdn_base_url: str) -> dict[str, Any]:
    """The ``data`` of ``GET /pictoryapis/v1/jobs/{id}`` (and of a list item)."""
    data: dict[str, Any] = {"jobId": job.id, "status": status}
    if status == "in-progress":
        data["renderProgress"] = progress
        data["renderState"] = "RUNNING"
        data["renderProgressMessage"] = (
            "Preparing scenes" if progress < 10 else f"Rendering video ({progress}%)"
        )
    elif status == "completed":
        data["renderProgress"] = 100
        record = job.project
        if job.kind == "render" and record is not None:
            urls = media_urls(record, cdn_base_url)
            data["videoURL"] = urls["video"]
            data["thumbnail"] = urls["thumbnail"]
            data["srtFile"] = urls["srt"]
            data["vttFile"] = urls["vtt"]
            data["txtFile"] = urls["txt"]
            if record.video_duration is not None:
                data["videoDuration"] = record.video_duration
            data["videoShareURL"] = f"{cdn_base_url}/share/{record.key}/{record.share_token}"
            data["aiCreditsUsed"] = ai_credits(record.video_duration)
        elif job.kind == "storyboard":
            data["previewUrl"] = f"{cdn_base_url}/preview/{job.id}"
        data.update(job.result)
        if job.project_id is not None:
            data["projectId"] = job.project_id
    elif status == "failed" and job.failure is not None:
        data["error_code"], data["error_message"] = job.failure
    return data


def ai_credits(video_duration: float | None) -> int:
    """The AI credits a render of this many seconds uses (one a minute, at least one)."""
    return max(1, round((video_duration or 60) / 60))


def job_started(job: JobRecord, delay: float) -> Reply:
    """The answer of a job-starting call: ``{"success": true, "data": {"jobId": ...}}``.

    Counted under the route of the call that started it (the API routes set it).
    """
    body = dumps({"success": True, "data": {"jobId": job.id}})
    return Reply.answer(None, 200, body, delay)
