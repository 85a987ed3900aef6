"""The wire format, in one place: a cattrs converter built once, at import.

Renames snake_case attributes to Pictory's camelCase keys (or to a field's ``wire``
metadata, e.g. ``videoURL``) through one hook factory for every attrs class, and is
strict about types (a ``"false"`` string is not silently ``True``) but lenient about
unknown keys, which end up in each model's ``raw``. Tests use
``converter.copy(forbid_extra_keys=True)`` against recorded payloads to notice drift.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar

import attrs
import cattrs
import httpx
from cattrs.gen import make_dict_structure_fn, override

from ._exceptions import ResponseValidationError
from ._types import ProjectId

__all__ = ["converter", "decode_json", "structure"]

T = TypeVar("T")


def camel_case(name: str) -> str:
    """``project_name`` -> ``projectName``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _type_error(expected: str, value: object) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__} {value!r:.60}")


def _structure_str(value: object, _: object) -> str:
    if isinstance(value, str):
        return value
    raise _type_error("a string", value)


def _structure_bool(value: object, _: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _type_error("a boolean", value)


def _structure_float(value: object, _: object) -> float:
    if (isinstance(value, (int, float)) and not isinstance(value, bool)) or isinstance(value, str):
        result = float(value)
    else:
        raise _type_error("a number", value)
    if not math.isfinite(result):
        raise ValueError(f"expected a finite number, got {value!r}")
    return result


def _structure_int(value: object, _: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise _type_error("an integer", value)


def _structure_id(value: object, _: object) -> ProjectId:
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    raise _type_error("a string or integer id", value)


def _structure_optional_id(value: object, _: object) -> ProjectId | None:
    return None if value is None else _structure_id(value, _)


def _structure_datetime(value: object, _: object) -> datetime:
    if isinstance(value, str):
        # Python 3.10's fromisoformat does not read the "Z" every Pictory date ends with.
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        parsed = datetime.fromisoformat(text)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds or seconds
        parsed = datetime.fromtimestamp(seconds, tz=timezone.utc)
    else:
        raise _type_error("an ISO 8601 datetime", value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _is_homogeneous_tuple(t: Any) -> bool:
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    return getattr(t, "__origin__", None) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_structure_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """``tuple[X, ...]`` from a JSON array; ``null`` is an empty tuple."""
    item_type = t.__args__[0]
    item_hook = None if item_type is Any else conv.get_structure_hook(item_type)

    def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
        if value is None:
            return ()
        if not isinstance(value, (list, tuple)):
            raise _type_error("an array", value)
        if item_hook is None:
            return tuple(value)
        return tuple(item_hook(item, item_type) for item in value)

    return structure_tuple


def _unstructure_datetime(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _wire_name(field: attrs.Attribute[Any]) -> str:
    wire = field.metadata.get("wire")
    return wire if isinstance(wire, str) else camel_case(field.name)


def _attrs_structure_factory(cls: type[T], conv: cattrs.Converter) -> Callable[[Any, Any], T]:
    """Structure hook for an attrs model: wire renames, ``raw`` kept, objects only."""
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    has_raw = any(field.name == "raw" for field in fields)
    overrides = {
        field.name: override(omit=True)
        if field.name == "raw"
        else override(rename=_wire_name(field))
        for field in fields
    }
    inner = make_dict_structure_fn(
        cls,
        conv,
        _cattrs_forbid_extra_keys=conv.forbid_extra_keys,
        **overrides,  # type: ignore[arg-type]
    )

    def structure_model(value: Any, _: Any) -> T:
        if not isinstance(value, Mapping):
            raise _type_error("a JSON object", value)
        obj = inner(value, cls)
        if has_raw:
            obj = attrs.evolve(obj, raw=dict(value))  # type: ignore[misc]
        return obj

    return structure_model


def _attrs_unstructure_factory(cls: type[Any], conv: cattrs.Converter) -> Callable[[Any], Any]:
    """Unstructure hook for an attrs model: back to the wire names, ``raw`` left out."""
    names = [(field.name, _wire_name(field)) for field in attrs.fields(cls) if field.name != "raw"]

    def unstructure_model(obj: Any) -> dict[str, Any]:
        return {wire: conv.unstructure(getattr(obj, name)) for name, wire in names}

    return unstructure_model


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)
    # Scalar and datetime hooks first, the attrs factories after them.
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_structure_hook_func(lambda t: t == (str | int), _structure_id)
    conv.register_structure_hook_func(lambda t: t == (str | int | None), _structure_optional_id)
    conv.register_structure_hook_factory(attrs.has, _attrs_structure_factory)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, _attrs_unstructure_factory)
    return conv


converter = _make_converter()
"""The one converter for the wire format."""


_BOM = b"\xef\xbb\xbf"


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of a successful response (a UTF-8 byte order mark is tolerated).

    Raises:
        ResponseValidationError: The body is empty, not JSON (e.g. an HTML page), or
            nested too deeply to decode.
    """
    content = response.content
    if not content:
        raise ResponseValidationError(
            f"empty body in a {response.status_code} response, expected JSON",
            response=response,
        )
    try:
        try:
            # JSON on the wire is UTF-8 (RFC 8259); decoding first skips json's sniffing.
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return json.loads(content)  # UTF-16/32, which json detects
        return json.loads(text[1:] if content.startswith(_BOM) else text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        kind = (
            "JSON nested too deeply"
            if isinstance(exc, RecursionError)
            else "an HTML page"
            if response.text.lstrip()[:1] == "<"
            else "broken JSON"
        )
        error = ResponseValidationError(
            f"got {kind} in a {response.status_code} response, expected JSON",
            response=response,
            body=response.text[:10_000],
        )
    raise error  # outside the except block: json's error is not chained


def structure(
    payload: Any,
    cls: type[T],
    response: httpx.Response,
    conv: cattrs.Converter = converter,
) -> T:
    """Structure ``payload`` into ``cls``, turning any mismatch into a typed error.

    Raises:
        ResponseValidationError: The payload does not fit ``cls``; the message says where.
    """
    try:
        return conv.structure(payload, cls)
    except cattrs.BaseValidationError as exc:
        problems = "; ".join(cattrs.transform_error(exc, path=cls.__name__))
        raise ResponseValidationError(
            f"unexpected response body: {problems}", response=response, body=payload
        ) from exc
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise ResponseValidationError(
            f"unexpected response body for {cls.__name__}: {exc}",
            response=response,
            body=payload,
        ) from exc
