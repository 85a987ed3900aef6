"""Starting a job: one POST (or PUT) that must not be applied twice, read into its handle.

Every job-starting call spends the account's credits, so it is sent with
``idempotent=False``: the pipeline resends it only after a 429 or a connection that
never carried it, and an error after it may have been applied says so
(``may_have_been_applied``). Each started job's id is logged at INFO, so that a caller
interrupted while waiting can still find the job it paid for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from .._decode import decode_json
from .._job_results import handle_of
from .._logs import logger
from .._models.results import JobHandle
from ._base import Client

__all__ = ["start_job"]

H = TypeVar("H", bound=JobHandle)


async def start_job(
    client: Client,
    kind: type[H],
    method: str,
    path: str,
    body: object,
    options: Mapping[str, Any],
) -> H:
    """Send a job-starting request once and return the handle of ``kind`` its answer names.

    Raises:
        APIError: The request failed (``may_have_been_applied`` when it may have started
            the job anyway).
        ResponseValidationError: The answer names no safe job id, or says it failed.
    """
    received = await client._request(method, path, json=body, idempotent=False, options=options)
    response = received.response
    handle = handle_of(kind, decode_json(response), response)
    logger.info("%s %s started %s %s", method, path, kind.__name__, handle.id)
    return handle
