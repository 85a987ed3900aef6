"""What the webhook sender sends, to whom and when: the seeded plan of each job's deliveries.

When a job-starting request with a ``webhook`` URL makes a job, ``plan`` decides, from
the seeded ``Dice.webhooks`` stream (four draws per job, whatever the settings), whether
its webhook is lost, how long its final delivery waits after the job ends, whether that
final is held back and followed by a stale body (out of order), and whether it is sent
twice. Only loopback URLs (127.0.0.1, ::1, localhost) are ever called; any other is
refused and counted. ``WebhookStats`` holds what tests read.
"""

from __future__ import annotations

import ipaddress
import random
from collections import deque
from typing import Any, Final, Literal, TypeAlias
from urllib.parse import urlsplit

import attrs

from ._faults import Faults
from ._renders import JobRecord

__all__ = [
    "DELIVERY_KINDS",
    "Delivery",
    "DeliveryKind",
    "WebhookStats",
    "forged_body",
    "is_loopback",
    "plan",
]

DeliveryKind: TypeAlias = Literal["final", "duplicate", "stale", "forged"]
"""``final``: the job's body when it ended; ``duplicate``: the same, sent again;
``stale``: the body of the job while it ran, sent after the final; ``forged``: a body
made up by ``forge_webhook``."""
DELIVERY_KINDS: Final[tuple[DeliveryKind, ...]] = ("final", "duplicate", "stale", "forged")
_LOG_SIZE: Final = 10_000


def is_loopback(url: str) -> bool:
    """Whether ``url`` is an http(s) URL whose host is 127.0.0.0/8, ::1 or localhost."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.define(kw_only=True, eq=False)
class Delivery:
    """One webhook POST to make, with its retries.

    Attributes:
        url: Where to POST it (loopback).
        kind: What it carries (``DELIVERY_KINDS``).
        job: The job it is about, or None for a forged body.
        job_id: The id it is about.
        body: The bytes to send, or None: what ``GET /v1/jobs/{id}`` answers when sent.
        attempt: Attempts made so far.
        then: Deliveries to schedule once this one is settled (answered 2xx or given up).
    """

    url: str
    kind: DeliveryKind
    job: JobRecord | None
    job_id: str
    body: bytes | None = None
    attempt: int = 0
    then: list[Delivery] = attrs.field(factory=list)


def plan(
    job: JobRecord, url: str, faults: Faults, dice: random.Random
) -> tuple[float, Delivery] | None:
    """When ``job``'s webhook is first sent, and that final delivery; None: it is lost.

    Returns:
        The clock reading it is due (``job.done_at`` plus a delay drawn from
        ``[0, webhook_delay]``, plus ``webhook_hold`` when out of order) and the final
        delivery; a ``duplicate`` and a ``stale`` body follow it (``then``) when drawn.
    """
    lost, delay, disorder, twice = dice.random(), dice.random(), dice.random(), dice.random()
    if lost < faults.webhook_lost_rate:
        return None
    final = Delivery(url=url, kind="final", job=job, job_id=job.id)
    due = job.done_at + delay * faults.webhook_delay
    if twice < faults.webhook_duplicate_rate:
        final.then.append(Delivery(url=url, kind="duplicate", job=job, job_id=job.id))
    if disorder < faults.webhook_out_of_order_rate:
        final.then.append(Delivery(url=url, kind="stale", job=job, job_id=job.id))
        due += faults.webhook_hold
    return due, final


def forged_body(job_id: str, status: str, cdn_base_url: str) -> dict[str, Any]:
    """A body claiming ``job_id`` is ``status``, with made-up media for a ``completed`` one."""
    data: dict[str, Any] = {"jobId": job_id, "status": status}
    if status == "completed":
        data.update(
            renderProgress=100,
            videoURL=f"{cdn_base_url}/forged/{job_id}.mp4",
            thumbnail=f"{cdn_base_url}/forged/{job_id}.jpg",
            videoDuration=30.0,
        )
    return {"success": status != "failed", "data": data}


class WebhookStats:
    """What the webhook sender did since the emulator started or was reset.

    Attributes:
        sent: First attempts made, per delivery kind (``final``, ``duplicate``,
            ``stale``, ``forged``).
        delivered: Deliveries answered 2xx, per kind.
        attempts: Every POST made, retries included.
        answers: Answers per status (``"503"``, ``"200"``, ...; ``"error"``: connection
            refused or reset, or the attempt took longer than ``webhook_timeout``).
        retries: Attempts that were retries.
        gave_up: Deliveries that got no 2xx in ``webhook_attempts`` attempts.
        lost: Jobs whose webhook was never sent (``webhook_lost_rate``).
        refused: Webhook URLs not on loopback: never called.
        refused_urls: The last of those URLs (at most 10,000).
        log: The last 10,000 attempts: ``{"job_id", "kind", "url", "attempt", "answer",
            "at"}`` (``at``: the emulator's clock reading).
    """

    def __init__(self) -> None:
        """Start every counter at zero."""
        self.sent: dict[str, int] = {}
        self.delivered: dict[str, int] = {}
        self.attempts = 0
        self.answers: dict[str, int] = {}
        self.retries = 0
        self.gave_up = 0
        self.lost = 0
        self.refused = 0
        self.refused_urls: deque[str] = deque(maxlen=_LOG_SIZE)
        self.log: deque[dict[str, Any]] = deque(maxlen=_LOG_SIZE)

    def attempted(self, delivery: Delivery, answer: str, at: float) -> None:
        """Count one attempt of ``delivery`` answered ``answer``."""
        self.attempts += 1
        self.answers[answer] = self.answers.get(answer, 0) + 1
        if delivery.attempt == 1:
            self.sent[delivery.kind] = self.sent.get(delivery.kind, 0) + 1
        else:
            self.retries += 1
        if answer.startswith("2"):
            self.delivered[delivery.kind] = self.delivered.get(delivery.kind, 0) + 1
        self.log.append(
            {
                "job_id": delivery.job_id,
                "kind": delivery.kind,
                "url": delivery.url,
                "attempt": delivery.attempt,
                "answer": answer,
                "at": at,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The counters as plain JSON-able values."""
        return {
            "sent": dict(self.sent),
            "delivered": dict(self.delivered),
            "attempts": self.attempts,
            "answers": dict(self.answers),
            "retries": self.retries,
            "gave_up": self.gave_up,
            "lost": self.lost,
            "refused": self.refused,
            "refused_urls": list(self.refused_urls),
            "log": list(self.log),
        }
