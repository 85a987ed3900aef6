"""pictory-async: the async Python client for Pictory's video API."""

from __future__ import annotations

from ._assets import Asset
from ._backup import Backup, BackupFile
from ._bulk import BulkProgress, BulkResult, BulkRun, ItemResult, Outcome
from ._client import AsyncPictory
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
from ._jobs import Job, JobPage, JobStatus
from ._logs import setup_from_env as _setup_logging
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
from ._reports import Comparison, compare_projects, project_report, write_report
from ._throttle import RateControl
from ._transport import AiohttpTransport
from ._types import NOT_GIVEN, NotGiven, ProjectId
from ._version import __version__

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AiohttpTransport",
    "Asset",
    "AssetDownloadError",
    "AsyncPictory",
    "AuthenticationError",
    "Backup",
    "BackupError",
    "BackupFile",
    "BadRequestError",
    "BulkOperationError",
    "BulkProgress",
    "BulkResult",
    "BulkRun",
    "Comparison",
    "ClientClosedError",
    "ConflictError",
    "DeleteResult",
    "InternalServerError",
    "InvalidInputError",
    "InvalidProjectIdError",
    "ItemResult",
    "Job",
    "JobFailedError",
    "JobOutcomeUnknownError",
    "JobPage",
    "JobStatus",
    "JobTimeoutError",
    "MissingAPIKeyError",
    "NotFoundError",
    "NotGiven",
    "Outcome",
    "Page",
    "PermissionDeniedError",
    "PictoryError",
    "Project",
    "ProjectId",
    "ProjectSummary",
    "Quota",
    "QuotaUsage",
    "RateControl",
    "RateLimitError",
    "RenderFailedError",
    "RenderTimeoutError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "Scene",
    "ScriptTxtSceneSettings",
    "UnprocessableEntityError",
    "VisualFilter",
    "__version__",
    "compare_projects",
    "project_report",
    "write_report",
]

_setup_logging()
