"""The models the API returns, one module per resource, every name re-exported here."""

from __future__ import annotations

from .account import Quota, QuotaUsage
from .jobs import Job, JobData, JobPage, JobStatus
from .projects import (
    DeleteBody,
    DeleteResult,
    Page,
    PageBody,
    Project,
    ProjectSummary,
    Scene,
    ScriptTxtSceneSettings,
    VisualFilter,
)

__all__ = [
    "DeleteBody",
    "DeleteResult",
    "Job",
    "JobData",
    "JobPage",
    "JobStatus",
    "Page",
    "PageBody",
    "Project",
    "ProjectSummary",
    "Quota",
    "QuotaUsage",
    "Scene",
    "ScriptTxtSceneSettings",
    "VisualFilter",
]
