"""The wire format, in one place: a cattrs converter built once, at import.

Reading, it renames Pictory's camelCase keys (or a field's ``wire`` metadata, e.g.
``videoURL``) to snake_case attributes through one hook factory for every attrs class,
and is strict about types (a ``"false"`` string is not silently ``True``) but lenient
about unknown keys, which end up in each model's ``raw``. Tests use
``converter.copy(forbid_extra_keys=True)`` against recorded payloads to notice drift.

Writing (``unstructure``), it turns a model, or any value holding models, into plain
JSON data: snake_case keys by default, or the wire names, and then also every key a
model's ``raw`` holds that the model does not know, so the answer comes back as
received. Datetimes are ISO 8601 in UTC with a ``Z`` (``iso_datetime``), enums their
value, tuples lists, a NaN or an infinity ``None``, anything else its ``str()``. Data
is walked without recursion (only models nest calls), so any depth the JSON decoder
accepted is fine. ``_decode`` applies the converter to responses.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

__all__ = [
    "camel_case",
    "converter",
    "iso_datetime",
    "raw_field",
    "request_body",
    "spread",
    "unstructure",
    "wire",
    "wire_name",
]

T = TypeVar("T")


def camel_case(name: str) -> str:
    """``project_name`` -> ``projectName``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire(name: str) -> dict[str, str]:
    """Field metadata naming a field's wire key when it is not the camelCase of its name."""
    return {"wire": name}


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The key a field has on the wire: its ``wire`` metadata, else its camelCase name."""
    name = field.metadata.get("wire")
    return name if isinstance(name, str) else camel_case(field.name)


def spread() -> dict[str, bool]:
    """Field metadata of a request body's mapping whose keys join the object's own keys.

    A scene's ``extra`` is sent so: ``{"story": ..., **extra}`` (its keys never replace
    a field's).
    """
    return {"spread": True}


def raw_field() -> Any:
    """A model's ``raw``: the payload as received, outside equality, hash and repr."""
    return attrs.field(factory=dict, repr=False, eq=False, hash=False)


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


def _structure_id(value: object, _: object) -> str | int:
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    raise _type_error("a string or integer id", value)


def _structure_optional_id(value: object, _: object) -> str | int | None:
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


def _attrs_structure_factory(cls: type[T], conv: cattrs.Converter) -> Callable[[Any, Any], T]:
    """Structure hook for an attrs model: wire renames, ``raw`` kept, objects only."""
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    has_raw = any(field.name == "raw" for field in fields)
    overrides = {
        field.name: override(omit=True)
        if field.name == "raw"
        else override(rename=wire_name(field))
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


def iso_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the millisecond as Pictory writes it (or finer).

    A naive datetime is taken to be UTC, as the converter does when it reads one.
    """
    moment = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
    moment = moment.astimezone(timezone.utc)
    timespec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.isoformat(timespec=timespec).replace("+00:00", "Z")


_CONTAINER: Any = object()
"""What ``_scalar`` answers for a value with items to walk."""


def _scalar(value: Any) -> Any:
    """``value`` as a plain JSON scalar, or ``_CONTAINER`` when it has items to walk."""
    if value is None or type(value) in (bool, str, int):
        return value
    if isinstance(value, enum.Enum):
        converted = _scalar(value.value)
        return str(value.value) if converted is _CONTAINER else converted
    if isinstance(value, int):
        return int.__int__(value)  # a subclass of int as a plain int
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Mapping, list, tuple)) or attrs.has(type(value)):
        return _CONTAINER
    return str(value)


def _walk(value: Any, conv: cattrs.Converter) -> Any:
    """``value`` as plain JSON data, each model in it unstructured by ``conv``.

    Raises:
        ValueError: A container holds itself (a circular reference).
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    open_: set[int] = set()  # the containers being walked: the path from the root
    while stack:
        item, parent, key = stack.pop()
        if parent is None:  # every child of this container is done
            open_.discard(item)
            continue
        converted = _scalar(item)
        if converted is not _CONTAINER:
            parent[key] = converted
            continue
        if attrs.has(type(item)):
            parent[key] = conv.unstructure(item)
            continue
        if id(item) in open_:
            raise ValueError("circular reference: a container holds itself")
        open_.add(id(item))
        stack.append((id(item), None, None))
        if isinstance(item, Mapping):
            out: dict[str, Any] = {}
            for name, child in item.items():
                if type(name) is not str:
                    plain = _scalar(name)
                    name = str(name) if plain is _CONTAINER else str(plain)
                out[name] = None
                stack.append((child, out, name))
            parent[key] = out
        else:
            items: list[Any] = [None] * len(item)
            stack.extend((child, items, index) for index, child in enumerate(item))
            parent[key] = items
    return root[0]


def _is_data(t: Any) -> bool:
    """Every type but an attrs model: plain data, walked by ``_walk``."""
    try:
        return not attrs.has(t)
    except TypeError:
        return True


def _data_unstructure_factory(_: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    return lambda value: _walk(value, conv)


def _wire_unstructure_factory(cls: type[Any], conv: cattrs.Converter) -> Callable[[Any], Any]:
    """Unstructure hook for an attrs model: the wire names, then the unknown keys of ``raw``."""
    names = [(field.name, wire_name(field)) for field in attrs.fields(cls) if field.name != "raw"]
    has_raw = any(field.name == "raw" for field in attrs.fields(cls))

    def unstructure_model(obj: Any) -> dict[str, Any]:
        out = {wire: _walk(getattr(obj, name), conv) for name, wire in names}
        raw = obj.raw if has_raw else None
        if isinstance(raw, Mapping):
            out.update(_walk({key: item for key, item in raw.items() if key not in out}, conv))
        return out

    return unstructure_model


def _snake_unstructure_factory(cls: type[Any], conv: cattrs.Converter) -> Callable[[Any], Any]:
    """Unstructure hook for an attrs model: its attribute names, ``raw`` left out."""
    names = [field.name for field in attrs.fields(cls) if field.name != "raw"]

    def unstructure_model(obj: Any) -> dict[str, Any]:
        return {name: _walk(getattr(obj, name), conv) for name in names}

    return unstructure_model


def _request_unstructure_factory(cls: type[Any], conv: cattrs.Converter) -> Callable[[Any], Any]:
    """Unstructure hook for a request body: wire names, ``None`` fields left out, spreads merged."""
    fields = [field for field in attrs.fields(cls) if field.name != "raw"]
    names = [(field.name, wire_name(field)) for field in fields if not field.metadata.get("spread")]
    spreads = [field.name for field in fields if field.metadata.get("spread")]

    def unstructure_body(obj: Any) -> dict[str, Any]:
        out = {
            wire: _walk(value, conv)
            for name, wire in names
            if (value := getattr(obj, name)) is not None
        }
        for name in spreads:
            extra = getattr(obj, name)
            if isinstance(extra, Mapping):
                walked = _walk(dict(extra), conv)
                out.update({key: item for key, item in walked.items() if key not in out})
        return out

    return unstructure_body


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)
    # Scalar and datetime hooks first, the attrs factories after them.
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook_func(lambda t: t == (str | int), _structure_id)
    conv.register_structure_hook_func(lambda t: t == (str | int | None), _structure_optional_id)
    conv.register_structure_hook_factory(attrs.has, _attrs_structure_factory)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_structure_factory)
    conv.register_unstructure_hook_factory(_is_data, _data_unstructure_factory)
    conv.register_unstructure_hook_factory(attrs.has, _wire_unstructure_factory)
    return conv


converter = _make_converter()
"""The one converter for the wire format."""

_snake_case = converter.copy()
_snake_case.register_unstructure_hook_factory(attrs.has, _snake_unstructure_factory)


_requests = converter.copy()
_requests.register_unstructure_hook_factory(attrs.has, _request_unstructure_factory)


def request_body(value: Any) -> Any:
    """A request body model (or data holding them) as the JSON the API takes.

    Pictory's names (camelCase, or a field's ``wire`` metadata); a field left ``None``
    is not sent (the API's default applies); a ``spread`` field's keys are merged into
    its object. Values inside plain mappings are sent as they are, ``None`` included.

    Raises:
        ValueError: A container holds itself (a circular reference).
    """
    return _requests.unstructure(value)


def unstructure(value: Any, *, wire_names: bool = False) -> Any:
    """``value`` (a model, or any data holding models) as plain JSON data.

    ``json.dumps`` takes the result as it is; it is new, so changing it changes nothing.

    Args:
        value: What to convert.
        wire_names: Pictory's keys (``projectName``, ``videoURL``, ...) instead of the
            snake_case names, and then also every key a model's ``raw`` holds that the
            model does not know.

    Raises:
        ValueError: A container holds itself (a circular reference).
    """
    return (converter if wire_names else _snake_case).unstructure(value)
