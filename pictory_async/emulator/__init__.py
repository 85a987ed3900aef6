"""A local emulator of Pictory's API (projects, jobs, videos, transcription, look-ups), for tests.

Like moto for AWS: the real client talks to it over real HTTP, in process through
``httpx.ASGITransport`` or over loopback sockets, and it misbehaves on request (latency,
rate limits, 5xx, dropped connections, lost DELETE and job-starting answers, slow or
cut-off downloads; webhooks to loopback, duplicated, delayed, reordered, lost or forged),
deterministically from a seed.

Quick start::

    emulator = Emulator(projects=50, seed=1)
    transport = emulator.transport()
    async with httpx.AsyncClient(transport=transport, base_url=emulator.base_url) as http:
        ...

    async with serve(projects=50) as running:  # loopback, in this event loop
        ...
"""

from ._asgi import ConnectionDroppedError, EmulatorApp, EmulatorTransport
from ._clock import Clock, FakeClock, Sleep
from ._core import DEFAULT_BASE_URL, DEFAULT_CDN_BASE_URL, Emulator
from ._deliveries import DeliveryKind, WebhookStats
from ._faults import Faults, Outcome, RetryAfterMode
from ._media import ASSET_KINDS
from ._renders import JobKind, JobRecord, JobStatus
from ._reply import Reply
from ._server import RemoteEmulator, RunningEmulator, serve, spawn
from ._stats import CdnRequest, Stats
from ._store import ProjectRecord
from ._webhooks import WebhookSender

__all__ = [
    "ASSET_KINDS",
    "DEFAULT_BASE_URL",
    "DEFAULT_CDN_BASE_URL",
    "CdnRequest",
    "Clock",
    "DeliveryKind",
    "ConnectionDroppedError",
    "Emulator",
    "EmulatorApp",
    "EmulatorTransport",
    "FakeClock",
    "Faults",
    "JobKind",
    "JobRecord",
    "JobStatus",
    "Outcome",
    "ProjectRecord",
    "RemoteEmulator",
    "Reply",
    "RetryAfterMode",
    "RunningEmulator",
    "Sleep",
    "Stats",
    "WebhookSender",
    "WebhookStats",
    "serve",
    "spawn",
]
