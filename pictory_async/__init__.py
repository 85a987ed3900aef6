"""pictory-async: the async Python client for Pictory's video API."""

from __future__ import annotations

from ._assets import ASSET_KINDS, Asset
from ._backup import Backup, BackupFile
from ._bulk import BulkProgress, BulkResult, BulkRun, ItemResult, Outcome
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
from ._redact import redact_url
from ._reports import (
    Comparison,
    ReportFormat,
    compare_projects,
    project_report,
    report_format,
    write_report,
)
from ._throttle import RateControl
from ._transport import AiohttpTransport
from ._types import NOT_GIVEN, NotGiven, ProjectId
from ._version import __version__

__all__ = [
    "ASSET_KINDS",
    "DEFAULT_MAX_CONNECTIONS",
    "MAX_PROJECT_ID_LENGTH",
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
    "ReportFormat",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "Scene",
    "ScriptTxtSceneSettings",
    "UnprocessableEntityError",
    "VisualFilter",
    "__version__",
    "compare_projects",
    "project_report",
    "redact_url",
    "report_format",
    "unstructure",
    "validate_project_id",
    "write_report",
]

_setup_logging()
