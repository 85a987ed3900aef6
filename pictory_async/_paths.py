"""Every path of the API the client calls, and the functions that put a checked id in one.

An endpoint's path is written here once; resources import it from here. Ids reach a
path only through ``project_path`` or ``job_path``, after validation (``_ids``,
``_jobs``), so nothing a caller passes can point a request at another endpoint.
"""

from __future__ import annotations

from urllib.parse import quote

from ._ids import PLAIN_ID, validate_project_id
from ._jobs import validate_job_id

__all__ = [
    "AI_CREDITS_USAGE",
    "AVATARS",
    "BRANDS",
    "JOBS",
    "MEDIA_SEARCH",
    "MUSIC",
    "MUSIC_SEARCH",
    "PROJECTS",
    "QUOTA",
    "SMART_LAYOUTS",
    "STORYBOARD",
    "STORYBOARD_RENDER",
    "STYLES",
    "TEMPLATES",
    "TRANSCRIPTION",
    "TRANSCRIPTION_HIGHLIGHTS",
    "VIDEO_FROM_TEMPLATE",
    "VIDEO_RENDER",
    "VOICEOVER_TRACKS",
    "job_path",
    "project_path",
]

PROJECTS = "/pictoryapis/v2/projects"
"""``GET``: the project list; one project below it (``project_path``)."""

JOBS = "/pictoryapis/v1/jobs"
"""``GET``: the job list; one job below it (``job_path``)."""

QUOTA = "/pictoryapis/v1/quota"
"""``GET``: the account's usage and limits."""

AI_CREDITS_USAGE = "/pictoryapis/v1/aicredits/usage"
"""``GET``: the account's AI credit usage."""

STORYBOARD = "/pictoryapis/v2/video/storyboard"
"""``POST``: a storyboard (preview) job; ``{STORYBOARD}/{jobId}/elements`` (``PUT``) changes
a completed preview's elements."""

STORYBOARD_RENDER = "/pictoryapis/v2/video/storyboard/render"
"""``POST``: the same body as ``STORYBOARD``, rendered directly (a render job)."""

VIDEO_RENDER = "/pictoryapis/v2/video/render"
"""``POST``: render a ``renderParams`` object; ``PUT {VIDEO_RENDER}/{storyboardJobId}``: render a
completed preview as it is."""

VIDEO_FROM_TEMPLATE = "/pictoryapis/v1/video/from-template"
"""``POST``: a render job from a template."""

TRANSCRIPTION = "/pictoryapis/v2/transcription"
"""``POST``: a transcription job; ``{TRANSCRIPTION}/{jobId}/highlights`` (``POST``) a highlights
job from a finished transcription."""

TRANSCRIPTION_HIGHLIGHTS = "/pictoryapis/v2/transcription/highlights"
"""``POST``: a highlights job from a custom transcript."""

TEMPLATES = "/pictoryapis/v1/templates"
"""``GET``: the account's templates."""

BRANDS = "/pictoryapis/v1/brands/video"
"""``GET``: the account's video brands (a bare array)."""

VOICEOVER_TRACKS = "/pictoryapis/v1/voiceovers/tracks"
"""``GET``: the AI voices."""

MEDIA_SEARCH = "/pictoryapis/v1/media/search"
"""``GET``: stock media search (``keyword``, ``category``, ``language``)."""

MUSIC = "/pictoryapis/v1/music"
"""``GET {MUSIC}/{moods|genres|genres/groups|instruments|purposes}``: the music catalogues."""

MUSIC_SEARCH = "/pictoryapis/v1/music/search"
"""``POST``: music search."""

AVATARS = "/pictoryapis/v1/avatars"
"""``GET``: the AI avatars."""

STYLES = "/pictoryapis/v1/styles"
"""``GET``: the subtitle/text styles."""

SMART_LAYOUTS = "/pictoryapis/v1/smartlayouts"
"""``GET``: the smart layouts."""


def project_path(project_id: object) -> str:
    """The percent-encoded path of one project, after validation.

    Raises:
        InvalidProjectIdError: The id is not safe to put in a URL path.
    """
    safe_id = validate_project_id(project_id)
    text = str(safe_id)
    if isinstance(safe_id, int) or PLAIN_ID.fullmatch(text):
        return f"{PROJECTS}/{text}"  # nothing to encode
    return f"{PROJECTS}/{quote(text, safe='')}"


def job_path(job_id: object, *, under: str = JOBS) -> str:
    """The path of one job (a ``Job``'s or a job handle's too), after validation.

    ``under`` is another base that takes a job id (``STORYBOARD``, ``VIDEO_RENDER``,
    ``TRANSCRIPTION``).

    Raises:
        InvalidInputError: The id is not safe to put in a URL path.
    """
    return f"{under}/{validate_job_id(job_id)}"
