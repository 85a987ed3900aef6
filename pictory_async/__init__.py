"""pictory-async: the async Python client for Pictory's video API.

Every public name is loaded on first use (PEP 562): ``import pictory_async`` reads this
table and nothing else, and ``pictory_async.AsyncPictory`` (or ``from pictory_async import
AsyncPictory``) imports the module that defines it, once. A script, a test run or
``pictory --help`` pays only for what it touches; aiohttp waits for the first
``AiohttpTransport`` (see ``_transport``), and httpx's own command line is not loaded
at all (see ``_lazy``).

To export a name, add one line to ``_EXPORTS`` (the name and its module), the name to
``__all__``, and its import to the ``TYPE_CHECKING`` block, which is what type checkers
and IDEs read. ``tests/test_lazy_imports.py`` fails when the three disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import import_module as _import_module
from ._logs import setup_from_env as _setup_logging

if TYPE_CHECKING:
    from ._assets import ASSET_KINDS, Asset
    from ._backup import Backup, BackupFile
    from ._bulk import BulkProgress, BulkResult, BulkRun, ItemResult, Outcome
    from ._bulk.plan import VideoPlan
    from ._bulk.video_items import VideoItem
    from ._bulk.videos import CreatedVideo
    from ._call_options import (
        RequestOptions,
    )
    from ._client import DEFAULT_MAX_CONNECTIONS, AsyncPictory
    from ._converter import unstructure
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AssetDownloadError,
        AuthenticationError,
        BackupError,
        BadRequestError,
        BulkOperationError,
        ClientClosedError,
        ConflictError,
        InternalServerError,
        InvalidInputError,
        InvalidProjectIdError,
        JobFailedError,
        JobOutcomeUnknownError,
        JobTimeoutError,
        MissingAPIKeyError,
        NotFoundError,
        PermissionDeniedError,
        PictoryError,
        RateLimitError,
        RenderFailedError,
        RenderTimeoutError,
        ResponseTooLargeError,
        ResponseValidationError,
        UnprocessableEntityError,
    )
    from ._ids import MAX_PROJECT_ID_LENGTH, validate_project_id
    from ._jobs import Job, JobPage, JobStatus
    from ._models import (
        DeleteResult,
        Page,
        Project,
        ProjectSummary,
        Quota,
        QuotaUsage,
        Scene,
        ScriptTxtSceneSettings,
        VisualFilter,
    )
    from ._models.account import (
        AiCreditTransaction,
    )
    from ._models.lookups import (
        Avatar,
        AvatarLook,
        AvatarPage,
        Brand,
        MediaItem,
        MediaPreview,
        MusicTrack,
        SmartLayout,
        Style,
        Template,
        Voice,
    )
    from ._models.results import (
        Highlights,
        HighlightsJob,
        JobHandle,
        Storyboard,
        StoryboardJob,
        Transcription,
        TranscriptionJob,
        Video,
        VideoJob,
    )
    from ._models.videos import (
        AiVoice,
        BackgroundMusic,
        ExternalVoice,
        HighlightsRequest,
        Logo,
        PremiumVoiceSettings,
        TemplateVideoRequest,
        TranscriptionRequest,
        VideoRequest,
        VideoScene,
        VoiceOver,
    )
    from ._ratestore import FileRateStore, MemoryRateStore, RateStore, RedisRateStore
    from ._raw import (
        RawResponse,
    )
    from ._redact import redact_url
    from ._reports import (
        Comparison,
        ReportFormat,
        compare_projects,
        project_report,
        report_format,
        write_report,
    )
    from ._throttle import Learned, RateControl
    from ._transport import AiohttpTransport
    from ._types import NOT_GIVEN, NotGiven, ProjectId
    from ._version import __version__
    from ._video_rows import Rows, VideoRow, read_rows

_EXPORTS: dict[str, str] = {  # public name -> the module that defines it
    "ASSET_KINDS": "_assets",
    "Asset": "_assets",
    "Backup": "_backup",
    "BackupFile": "_backup",
    "BulkProgress": "_bulk",
    "BulkResult": "_bulk",
    "BulkRun": "_bulk",
    "ItemResult": "_bulk",
    "Outcome": "_bulk",
    "VideoPlan": "_bulk.plan",
    "VideoItem": "_bulk.video_items",
    "CreatedVideo": "_bulk.videos",
    "RequestOptions": "_call_options",
    "DEFAULT_MAX_CONNECTIONS": "_client",
    "AsyncPictory": "_client",
    "unstructure": "_converter",
    "APIConnectionError": "_exceptions",
    "APIError": "_exceptions",
    "APIStatusError": "_exceptions",
    "APITimeoutError": "_exceptions",
    "AssetDownloadError": "_exceptions",
    "AuthenticationError": "_exceptions",
    "BackupError": "_exceptions",
    "BadRequestError": "_exceptions",
    "BulkOperationError": "_exceptions",
    "ClientClosedError": "_exceptions",
    "ConflictError": "_exceptions",
    "InternalServerError": "_exceptions",
    "InvalidInputError": "_exceptions",
    "InvalidProjectIdError": "_exceptions",
    "JobFailedError": "_exceptions",
    "JobOutcomeUnknownError": "_exceptions",
    "JobTimeoutError": "_exceptions",
    "MissingAPIKeyError": "_exceptions",
    "NotFoundError": "_exceptions",
    "PermissionDeniedError": "_exceptions",
    "PictoryError": "_exceptions",
    "RateLimitError": "_exceptions",
    "RenderFailedError": "_exceptions",
    "RenderTimeoutError": "_exceptions",
    "ResponseTooLargeError": "_exceptions",
    "ResponseValidationError": "_exceptions",
    "UnprocessableEntityError": "_exceptions",
    "MAX_PROJECT_ID_LENGTH": "_ids",
    "validate_project_id": "_ids",
    "Job": "_jobs",
    "JobPage": "_jobs",
    "JobStatus": "_jobs",
    "DeleteResult": "_models",
    "Page": "_models",
    "Project": "_models",
    "ProjectSummary": "_models",
    "Quota": "_models",
    "QuotaUsage": "_models",
    "Scene": "_models",
    "ScriptTxtSceneSettings": "_models",
    "VisualFilter": "_models",
    "AiCreditTransaction": "_models.account",
    "Template": "_models.lookups",
    "Brand": "_models.lookups",
    "Voice": "_models.lookups",
    "MediaItem": "_models.lookups",
    "MediaPreview": "_models.lookups",
    "MusicTrack": "_models.lookups",
    "Avatar": "_models.lookups",
    "AvatarLook": "_models.lookups",
    "AvatarPage": "_models.lookups",
    "Style": "_models.lookups",
    "SmartLayout": "_models.lookups",
    "JobHandle": "_models.results",
    "StoryboardJob": "_models.results",
    "VideoJob": "_models.results",
    "TranscriptionJob": "_models.results",
    "HighlightsJob": "_models.results",
    "Storyboard": "_models.results",
    "Video": "_models.results",
    "Transcription": "_models.results",
    "Highlights": "_models.results",
    "VideoRequest": "_models.videos",
    "VideoScene": "_models.videos",
    "VoiceOver": "_models.videos",
    "AiVoice": "_models.videos",
    "PremiumVoiceSettings": "_models.videos",
    "ExternalVoice": "_models.videos",
    "BackgroundMusic": "_models.videos",
    "Logo": "_models.videos",
    "TemplateVideoRequest": "_models.videos",
    "TranscriptionRequest": "_models.videos",
    "HighlightsRequest": "_models.videos",
    "RedisRateStore": "_ratestore",
    "FileRateStore": "_ratestore",
    "MemoryRateStore": "_ratestore",
    "RateStore": "_ratestore",
    "RawResponse": "_raw",
    "redact_url": "_redact",
    "Comparison": "_reports",
    "ReportFormat": "_reports",
    "compare_projects": "_reports",
    "project_report": "_reports",
    "report_format": "_reports",
    "write_report": "_reports",
    "Learned": "_throttle",
    "RateControl": "_throttle",
    "AiohttpTransport": "_transport",
    "NOT_GIVEN": "_types",
    "NotGiven": "_types",
    "ProjectId": "_types",
    "__version__": "_version",
    "Rows": "_video_rows",
    "VideoRow": "_video_rows",
    "read_rows": "_video_rows",
}

__all__ = [
    "ASSET_KINDS",
    "DEFAULT_MAX_CONNECTIONS",
    "MAX_PROJECT_ID_LENGTH",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AiCreditTransaction",
    "AiVoice",
    "AiohttpTransport",
    "Asset",
    "AssetDownloadError",
    "AsyncPictory",
    "AuthenticationError",
    "Avatar",
    "AvatarLook",
    "AvatarPage",
    "BackgroundMusic",
    "Backup",
    "BackupError",
    "BackupFile",
    "BadRequestError",
    "Brand",
    "BulkOperationError",
    "BulkProgress",
    "BulkResult",
    "BulkRun",
    "ClientClosedError",
    "Comparison",
    "ConflictError",
    "CreatedVideo",
    "DeleteResult",
    "ExternalVoice",
    "FileRateStore",
    "Highlights",
    "HighlightsJob",
    "HighlightsRequest",
    "InternalServerError",
    "InvalidInputError",
    "InvalidProjectIdError",
    "ItemResult",
    "Job",
    "JobFailedError",
    "JobHandle",
    "JobOutcomeUnknownError",
    "JobPage",
    "JobStatus",
    "JobTimeoutError",
    "Learned",
    "Logo",
    "MediaItem",
    "MediaPreview",
    "MemoryRateStore",
    "MissingAPIKeyError",
    "MusicTrack",
    "NotFoundError",
    "NotGiven",
    "Outcome",
    "Page",
    "PermissionDeniedError",
    "PictoryError",
    "PremiumVoiceSettings",
    "Project",
    "ProjectId",
    "ProjectSummary",
    "Quota",
    "QuotaUsage",
    "RateControl",
    "RateLimitError",
    "RateStore",
    "RawResponse",
    "RedisRateStore",
    "RenderFailedError",
    "RenderTimeoutError",
    "ReportFormat",
    "RequestOptions",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "Rows",
    "Scene",
    "ScriptTxtSceneSettings",
    "SmartLayout",
    "Storyboard",
    "StoryboardJob",
    "Style",
    "Template",
    "TemplateVideoRequest",
    "Transcription",
    "TranscriptionJob",
    "TranscriptionRequest",
    "UnprocessableEntityError",
    "Video",
    "VideoItem",
    "VideoJob",
    "VideoPlan",
    "VideoRequest",
    "VideoRow",
    "VideoScene",
    "VisualFilter",
    "Voice",
    "VoiceOver",
    "__version__",
    "compare_projects",
    "project_report",
    "read_rows",
    "redact_url",
    "report_format",
    "unstructure",
    "validate_project_id",
    "write_report",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use; the name is then a plain attribute."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


_setup_logging()
