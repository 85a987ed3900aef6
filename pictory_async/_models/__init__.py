"""The models: what the API returns and the request bodies it takes, every name re-exported here."""

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
from .results import (
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
from .videos import (
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

__all__ = [
    "AiVoice",
    "BackgroundMusic",
    "DeleteBody",
    "DeleteResult",
    "ExternalVoice",
    "Highlights",
    "HighlightsJob",
    "HighlightsRequest",
    "Job",
    "JobData",
    "JobHandle",
    "JobPage",
    "JobStatus",
    "Logo",
    "Page",
    "PageBody",
    "PremiumVoiceSettings",
    "Project",
    "ProjectSummary",
    "Quota",
    "QuotaUsage",
    "Scene",
    "ScriptTxtSceneSettings",
    "Storyboard",
    "StoryboardJob",
    "TemplateVideoRequest",
    "Transcription",
    "TranscriptionJob",
    "TranscriptionRequest",
    "Video",
    "VideoJob",
    "VideoRequest",
    "VideoScene",
    "VisualFilter",
    "VoiceOver",
]
