"""Reading a look-up's answer: find its list of items, whatever wraps it, and type them.

Pictory's look-ups answer in several shapes: a bare array (brands, voices, styles),
``{"items": [...]}`` (templates, smart layouts, avatars, music search),
``{"data": {"searchResults": [...]}}`` (media search), and the v1 envelope
``{"success": true, "data": ...}`` around any of them. ``items_of`` accepts each, so a
shape that changes between versions still reads; anything else (a ``success: false``
envelope, an object with no list where one is expected) is a
``ResponseValidationError`` carrying the body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import attrs
import httpx

from ..._decode import decode_json, structure, unwrap_data
from ..._exceptions import ResponseValidationError

__all__ = ["body_of", "items_of", "read_items", "strings_of", "structure_items"]

T = TypeVar("T")

_LIST_KEYS = ("items", "data", "results")
"""Where a list sits when the endpoint's own key is not there."""


def body_of(payload: Any, response: httpx.Response) -> Any:
    """``payload`` out of its wrappers: the v1 envelope, then any ``{"data": {...}}``.

    Raises:
        ResponseValidationError: The envelope says ``success`` is not ``true``.
    """
    if isinstance(payload, dict) and "success" in payload and payload["success"] is not True:
        return unwrap_data(payload, response)  # raises, with the envelope's own message
    body = payload
    for _ in range(2):  # the envelope's ``data``, then a ``data`` object inside it
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            break
        body = body["data"]
    return body


def items_of(payload: Any, response: httpx.Response, key: str | None = None) -> list[Any]:
    """The list of items in a look-up's answer.

    Args:
        payload: The decoded JSON body.
        response: The response, for the error.
        key: The endpoint's own key for its list (``searchResults``), tried first.

    Raises:
        ResponseValidationError: There is no list where the items should be.
    """
    body = body_of(payload, response)
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for name in (key, *_LIST_KEYS) if key else _LIST_KEYS:
            found = body.get(name)
            if isinstance(found, list):
                return found
    where = f"a {key!r} array" if key else "an array"
    raise ResponseValidationError(
        f"unexpected response body: expected {where} of items, got {type(body).__name__}",
        response=response,
        body=payload,
    )


def read_items(
    response: httpx.Response,
    cls: type[T],
    *,
    key: str | None = None,
    aliases: Sequence[tuple[str, str]] = (),
) -> tuple[T, ...]:
    """The items of a look-up's answer, each structured into ``cls``.

    Args:
        response: The successful response.
        cls: The model of one item.
        key: The endpoint's own key for its list.
        aliases: See ``structure_items``.

    Raises:
        ResponseValidationError: The body is not JSON, holds no list of items, or an
            item does not fit ``cls`` (the message says which).
    """
    payload = decode_json(response)
    items = items_of(payload, response, key)
    return structure_items(items, cls, response, aliases=aliases, payload=payload)


def structure_items(
    items: list[Any],
    cls: type[T],
    response: httpx.Response,
    *,
    aliases: Sequence[tuple[str, str]] = (),
    payload: Any = None,
) -> tuple[T, ...]:
    """``items`` structured into ``cls``.

    Args:
        items: The items, as decoded.
        cls: The model of one item.
        response: The response, for the error.
        aliases: ``(wire name, other name)`` pairs: an item that lacks the wire name
            but has the other one is read as if it had the wire name (``templateId``
            sent as ``id``); ``raw`` still holds the item as received.
        payload: The whole decoded body, which the error carries (default: ``items``).

    Raises:
        ResponseValidationError: An item does not fit ``cls`` (the message says which).
    """
    renamed = [_renamed(item, aliases) for item in items] if aliases else items
    try:
        models: tuple[T, ...] = structure(renamed, tuple[cls, ...], response)  # type: ignore[valid-type]
    except ResponseValidationError as exc:
        exc.body = items if payload is None else payload
        raise
    if not aliases:
        return models
    return tuple(_with_raw(model, item) for model, item in zip(models, items, strict=True))


def strings_of(
    response: httpx.Response, fields: Sequence[str] = ("name", "value")
) -> tuple[str, ...]:
    """A catalogue of names (music moods, genres, ...): an array of strings.

    An object in the array is read by its first string field of ``fields``, so a
    catalogue that turns into ``[{"name": ...}]`` still reads.

    Raises:
        ResponseValidationError: The body is not JSON, holds no list, or an item is
            neither a string nor an object naming one.
    """
    payload = decode_json(response)
    names: list[str] = []
    for index, item in enumerate(items_of(payload, response)):
        name = _name_of(item, fields)
        if name is None:
            raise ResponseValidationError(
                f"unexpected response body: item {index} is not a name: {item!r:.80}",
                response=response,
                body=payload,
            )
        names.append(name)
    return tuple(names)


def _name_of(item: Any, fields: Sequence[str]) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for field in fields:
            if isinstance(item.get(field), str):
                return str(item[field])
    return None


def _renamed(item: Any, aliases: Sequence[tuple[str, str]]) -> Any:
    if not isinstance(item, dict):
        return item  # structure() names the misfit
    missing = [(wire, other) for wire, other in aliases if wire not in item and other in item]
    if not missing:
        return item
    return {**item, **{wire: item[other] for wire, other in missing}}


def _with_raw(model: T, original: Any) -> T:
    return attrs.evolve(model, raw=dict(original)) if hasattr(model, "raw") else model  # type: ignore[misc]
