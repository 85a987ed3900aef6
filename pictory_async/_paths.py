"""Every path of the API the client calls, and the functions that put a checked id in one.

An endpoint's path is written here once; resources import it from here. Ids reach a
path only through ``project_path`` or ``job_path``, after validation (``_ids``,
``_jobs``), so nothing a caller passes can point a request at another endpoint.
"""

from __future__ import annotations

from urllib.parse import quote

from ._ids import PLAIN_ID, validate_project_id
from ._jobs import validate_job_id

__all__ = ["JOBS", "PROJECTS", "QUOTA", "job_path", "project_path"]

PROJECTS = "/pictoryapis/v2/projects"
"""``GET``: the project list; one project below it (``project_path``)."""

JOBS = "/pictoryapis/v1/jobs"
"""``GET``: the job list; one job below it (``job_path``)."""

QUOTA = "/pictoryapis/v1/quota"
"""``GET``: the account's usage and limits."""


def project_path(project_id: object) -> str:
    """The percent-encoded path of one project, after validation.

    Raises:
        InvalidProjectIdError: The id is not safe to put in a URL path.
    """
    safe_id = validate_project_id(project_id)
    text = str(safe_id)
    if isinstance(safe_id, int) or PLAIN_ID.fullmatch(text):
        return f"{PROJECTS}/{text}"  # nothing to encode
    return f"{PROJECTS}/{quote(text, safe='')}"


def job_path(job_id: object) -> str:
    """The path of one job (a ``Job``'s too), after validation.

    Raises:
        InvalidInputError: The id is not safe to put in a URL path.
    """
    return f"{JOBS}/{validate_job_id(job_id)}"
