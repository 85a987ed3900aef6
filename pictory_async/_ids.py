"""Validation of project ids: nothing a caller passes may reach another endpoint.

``_paths.project_path`` puts a validated id in its path.
"""

from __future__ import annotations

import re
import unicodedata

from ._exceptions import InvalidProjectIdError
from ._types import ProjectId

__all__ = ["MAX_PROJECT_ID_LENGTH", "PLAIN_ID", "validate_project_id"]

_FORBIDDEN = frozenset("/?#%\\")
MAX_PROJECT_ID_LENGTH = 200
"""The longest project id accepted, in characters (or digits, for an int)."""
_MAX_INT = 10**MAX_PROJECT_ID_LENGTH
PLAIN_ID = re.compile(r"[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*")
"""Ids made of unreserved URL characters with no ``..``: the fast, common case."""


def validate_project_id(project_id: object) -> ProjectId:
    r"""Return ``project_id`` if it is a safe project id.

    Subclasses of ``int`` and ``str`` (an ``IntEnum``, an ORM wrapper) are returned as the
    plain value they hold: their own ``__str__`` or ``__format__`` never reaches a URL.
    Ints must be >= 0 and at most 200 digits (bools are refused). Strings must be
    non-empty, at most 200 characters, and free of ``/ ? # % \\``, whitespace, control
    characters and ``..``.

    Raises:
        InvalidProjectIdError: The id is not safe to put in a URL path.
    """
    if type(project_id) is not str and type(project_id) is not int:
        if isinstance(project_id, bool) or not isinstance(project_id, (int, str)):
            raise InvalidProjectIdError(
                f"project id must be a str or an int, not {type(project_id).__name__}"
            )
        # the plain value, whatever the subclass's __str__/__int__/__index__ say
        project_id = (
            int.__int__(project_id) if isinstance(project_id, int) else str.__str__(project_id)
        )
    if isinstance(project_id, int):
        if project_id < 0:
            raise InvalidProjectIdError(f"project id must not be negative, got {project_id}")
        if project_id >= _MAX_INT:
            raise InvalidProjectIdError(f"project id is longer than {MAX_PROJECT_ID_LENGTH} digits")
        return project_id
    if PLAIN_ID.fullmatch(project_id) and len(project_id) <= MAX_PROJECT_ID_LENGTH:
        if project_id[0] == "-" and project_id[1:].isdigit():
            raise InvalidProjectIdError(f"project id must not be negative, got {project_id!r}")
        return project_id
    if not project_id:
        raise InvalidProjectIdError("project id must not be empty")
    if len(project_id) > MAX_PROJECT_ID_LENGTH:
        raise InvalidProjectIdError(f"project id is longer than {MAX_PROJECT_ID_LENGTH} characters")
    if project_id.startswith("-") and project_id[1:].isdigit():
        raise InvalidProjectIdError(f"project id must not be negative, got {project_id!r}")
    if ".." in project_id or project_id == ".":
        raise InvalidProjectIdError(f"project id must not contain '..': {project_id!r}")
    for char in project_id:
        if char in _FORBIDDEN or char.isspace() or unicodedata.category(char)[0] in "CZ":
            raise InvalidProjectIdError(
                f"project id contains a forbidden character {char!r}: {project_id!r}"
            )
    return project_id
