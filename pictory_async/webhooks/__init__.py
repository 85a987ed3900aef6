"""Pictory's webhooks: a receiver that answers at once, confirms, and calls back once per outcome.

::

    from pictory_async.webhooks import WebhookReceiver, new_secret

    async with AsyncPictory() as client, WebhookReceiver(
        client, on_outcome, secret=new_secret()
    ) as receiver:
        job = await client.videos.create(script, wait=False, webhook=receiver.url_for(URL))
        video = await client.jobs.wait(job, webhook=receiver)  # or a slow poll, if lost

Serve it with :mod:`pictory_async.webhooks.fastapi` or :mod:`pictory_async.webhooks.aiohttp`
(each imports its framework only when imported itself).
"""

from __future__ import annotations

from ._confirm import DEFAULT_CONFIRM_ATTEMPTS
from ._dedupe import DEFAULT_REMEMBER
from ._event import DEFAULT_MAX_BODY_BYTES, InvalidWebhookError, JobEvent, parse_event
from ._receiver import DEFAULT_MAX_PENDING, DEFAULT_WORKERS, Callback, WebhookReceiver
from ._results import JobOutcome, WebhookAnswer, WebhookStats
from ._token import TOKEN_PARAM, new_secret

__all__ = [
    "DEFAULT_CONFIRM_ATTEMPTS",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_PENDING",
    "DEFAULT_REMEMBER",
    "DEFAULT_WORKERS",
    "TOKEN_PARAM",
    "Callback",
    "InvalidWebhookError",
    "JobEvent",
    "JobOutcome",
    "WebhookAnswer",
    "WebhookReceiver",
    "WebhookStats",
    "new_secret",
    "parse_event",
]
