"""What names an item of a bulk run: its id, the key it is deduplicated by, its name.

The input of a bulk run may give bare ids, ``ProjectSummary`` or ``Project`` objects,
or anything else (which is then refused as no id). These functions read each item
without trusting it: a hostile property or a ``str``/``int`` subclass with its own
``__eq__`` changes nothing, and ``5`` and ``"5"`` are the same project.
"""

from __future__ import annotations

from .._types import ProjectId

__all__ = ["as_project_id", "dedupe_key", "name_of"]


def dedupe_key(item: ProjectId) -> ProjectId:
    """``5`` and ``"5"`` name the same project; anything else is compared as is.

    Only ASCII digits count: an id of fullwidth or Arabic-Indic digits is another id
    than the int of the same value.
    """
    if isinstance(item, str) and type(item) is not str:
        item = str.__str__(item)  # a subclass's own __eq__ and __hash__ play no part
    elif isinstance(item, int) and type(item) is not int:
        item = int.__int__(item)
    if (
        isinstance(item, str)
        and item.isascii()
        and item.isdecimal()
        and (item == "0" or item[0] != "0")
    ):
        return int(item)
    return item


def as_project_id(item: object) -> ProjectId:
    """An id from an id, a ``ProjectSummary`` or a ``Project``."""
    if isinstance(item, (str, int)):
        return item
    try:
        found = getattr(item, "id", None)
    except Exception:  # a hostile property: the item is refused as no id
        found = None
    if isinstance(found, (str, int)) and not isinstance(found, bool):
        return found
    return item  # type: ignore[return-value]  # rejected by validate_project_id


def name_of(given: object) -> str | None:
    """The project name a ``ProjectSummary`` (``name``) or ``Project`` carries."""
    for attribute in ("name", "project_name"):
        try:
            name = getattr(given, attribute, None)
        except Exception:  # a hostile property: no name
            name = None
        if isinstance(name, str):
            return name
    return None
