"""Confirming a webhook event: fetching the job through the API before believing it.

A webhook body is a claim anyone who knows the URL can make. The receiver believes the
API instead: it fetches the job with the user's client (its key, its pipeline, its
retries and rate control) and goes by that answer. A job the API does not know (404)
refutes the event. A fetch that fails for a passing reason (no connection, 5xx, 429,
a garbled answer), after the client's own retries, is tried again a few times with
backoff on the client's sleep, then given up: logged, and left to the polls of any
``jobs.wait`` (a lost event costs latency, not an outcome). Another refusal (401, 403,
400) is given up at once: trying again cannot change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import httpx

from .._exceptions import APIStatusError, ClientClosedError, NotFoundError, PictoryError
from .._logs import logger
from .._models.jobs import Job

if TYPE_CHECKING:
    from .._client import AsyncPictory

__all__ = ["DEFAULT_CONFIRM_ATTEMPTS", "Confirmation", "confirm"]

DEFAULT_CONFIRM_ATTEMPTS = 4
"""Fetches tried per event (each with the client's own retries): 1 + 3 more."""

FIRST_BACKOFF = 2.0
"""Seconds before the second try; doubled each time (2, 4, 8 s)."""

_PASSING = frozenset({408, 429})


@attrs.frozen
class Confirmation:
    """What the API said of an event's job.

    Attributes:
        job: The job as the API answered, or ``None`` (refuted or given up).
        response: The answer ``job`` was read from.
        refuted: The API does not know the job (a forged event).
    """

    job: Job | None = None
    response: httpx.Response | None = None
    refuted: bool = False


def _passing(error: PictoryError) -> bool:
    """Whether another try may succeed: not a refusal of the request itself."""
    if isinstance(error, APIStatusError):
        return error.status_code >= 500 or error.status_code in _PASSING
    return True


async def confirm(
    client: AsyncPictory, job_id: str, *, attempts: int = DEFAULT_CONFIRM_ATTEMPTS
) -> Confirmation:
    """Fetch ``job_id`` through ``client``; the answer, a refutation, or nothing.

    Raises:
        ClientClosedError: The client was closed (the receiver is shutting down).
    """
    for attempt in range(attempts):
        try:
            job, response = await client.jobs._fetch(job_id, None)
        except NotFoundError:
            return Confirmation(refuted=True)
        except ClientClosedError:
            raise
        except PictoryError as error:
            if not _passing(error) or attempt + 1 == attempts:
                logger.warning(
                    "webhook: could not confirm job %s (%s: %s); left to the polls",
                    job_id,
                    type(error).__name__,
                    error,
                )
                return Confirmation()
            await client._sleep(FIRST_BACKOFF * 2**attempt)
            continue
        return Confirmation(job, response)
    return Confirmation()  # pragma: no cover - attempts < 1
