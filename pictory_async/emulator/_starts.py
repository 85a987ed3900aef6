"""Job-starting requests: their faults before and after applying, and the record of the jobs made.

The handlers of the routes that start a job (``JOB_ROUTES``) are wrapped once, when the
API routes are built, so no other route pays anything. A wrapped handler may answer
500/502/503 before anything is applied (``create_error_rate``, raised as
``InjectedFaultError`` for the API routes to answer), and once a job is made: notes on it the
route, the request's JSON body and its ``webhook`` URL, hands it to ``State.on_started``
(the webhook sender), and may lose the answer (``drop_after_create_rate``: the job runs,
the connection closes). Every draw comes from the seeded ``Dice.creates`` stream.
"""

from __future__ import annotations

import json
from typing import Any, Final

from ._faults import Outcome
from ._renders import JobRecord
from ._reply import Reply
from ._state import Handler, State

__all__ = [
    "JOB_ROUTES",
    "InjectedFaultError",
    "created_jobs",
    "job_starting",
    "job_summary",
    "mark_lost",
    "request_json",
]

JOB_ROUTES: Final = frozenset(
    {
        "render",  # POST /v2/projects/{id}/render
        "storyboard",  # POST /v2/video/storyboard
        "storyboard_render",  # POST /v2/video/storyboard/render
        "render_preview",  # PUT /v2/video/render/{storyboardJobId}
        "render_params",  # POST /v2/video/render
        "from_template",  # POST /v1/video/from-template
        "transcription",  # POST /v2/transcription
        "highlights",  # POST /v2/transcription/{jobId}/highlights
        "custom_highlights",  # POST /v2/transcription/highlights
    }
)
"""The API routes whose success starts a job."""


class InjectedFaultError(Exception):
    """A job-starting request is to be answered with ``outcome`` before it is applied."""

    def __init__(self, outcome: Outcome) -> None:
        """Answer ``outcome`` (500, 502 or 503)."""
        super().__init__(outcome)
        self.outcome: Outcome = outcome


def request_json(body: bytes) -> dict[str, Any]:
    """A request's JSON object, or ``{}`` when it has none (or something else)."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def job_starting(state: State, route: str, handler: Handler) -> Handler:
    """``handler`` of the job-starting ``route``, with its faults and its record of jobs."""

    def start(account: str, ident: str, query: bytes, body: bytes, delay: float) -> Reply:
        state.started = None
        dice = state.dice.creates
        if state.create_error and dice.random() < state.create_error:
            statuses = state.error_statuses
            raise InjectedFaultError(statuses[int(dice.random() * len(statuses))])  # type: ignore[arg-type]
        before = len(state.jobs)
        reply = handler(account, ident, query, body, delay)
        if len(state.jobs) == before:  # refused: nothing made
            return reply
        job: JobRecord = next(reversed(state.jobs.values()))
        job.route = route
        job.request = request_json(body)
        webhook = job.request.get("webhook")
        job.webhook = webhook if isinstance(webhook, str) and webhook else None
        counts = state.stats.jobs_created
        counts[route] = counts.get(route, 0) + 1
        state.started = job
        state.on_started(job)
        if state.drop_after_create and dice.random() < state.drop_after_create:
            state.stats.dropped_after_apply += 1
            job.answer_lost = True
            reply.drop = True
        return reply

    return start


def mark_lost(state: State, route: str, reply: Reply) -> None:
    """Note on the job a scripted ``drop_after_apply`` made that its answer was lost."""
    job = state.started
    if route in JOB_ROUTES and reply.status == 200 and job is not None and job.route == route:
        job.answer_lost = True


def created_jobs(
    state: State,
    *,
    kind: str | None = None,
    route: str | None = None,
    account: str | None = None,
) -> list[JobRecord]:
    """The jobs API requests made (lost answers included), oldest first, filtered."""
    return [
        job
        for job in state.jobs.values()
        if job.route is not None
        and (kind is None or job.kind == kind)
        and (route is None or job.route == route)
        and (account is None or job.account == account)
    ]


def job_summary(job: JobRecord, status: str) -> dict[str, Any]:
    """A made job as ``GET /_emulator/jobs-created`` lists it (JSON-able)."""
    return {
        "job_id": job.id,
        "kind": job.kind,
        "route": job.route,
        "account": job.account,
        "status": status,
        "request": job.request,
        "webhook": job.webhook,
        "answer_lost": job.answer_lost,
    }
