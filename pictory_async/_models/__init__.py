"""The models the API returns, one module per resource, every name re-exported here."""

from __future__ import annotations

from .account import Quota, QuotaUsage
from .jobs import Job, JobData, JobPage, JobStatus
from .projects import (
    DeleteResult,
    Project,
    ProjectSummary,
    Scene,
    ScriptTxtSceneSettings,
    VisualFilter,
)

__all__ = [
    "DeleteResult",
    "Job",
    "JobData",
    "JobPage",
    "JobStatus",
    "Project",
    "ProjectSummary",
    "Quota",
    "QuotaUsage",
    "Scene",
    "ScriptTxtSceneSettings",
    "VisualFilter",
]
