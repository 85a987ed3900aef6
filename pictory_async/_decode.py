"""The edge where a response becomes data: JSON decoding and structuring into models.

Both turn whatever the server sent that does not fit into ``ResponseValidationError``
(with the status and the body to look at), never a raw ``ValueError``, ``KeyError`` or
``TypeError``. The models' wire format itself is ``_converter``'s.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import cattrs
import httpx

from ._converter import converter
from ._exceptions import ResponseValidationError

__all__ = ["decode_json", "structure"]

T = TypeVar("T")

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


def unwrap_data(payload: Any, response: httpx.Response) -> Any:
    """The object a ``{"success": true, "data": {...}}`` envelope holds, else ``payload``.

    The v1 endpoints wrap their answer so, or send it bare; both read the same.

    Raises:
        ResponseValidationError: The envelope says ``success: false`` (even with a 200),
            or holds no ``data`` object.
    """
    if not isinstance(payload, dict) or "success" not in payload:
        return payload
    data = payload.get("data")
    if payload["success"] is not True or not isinstance(data, dict):
        error = payload.get("error")
        said = error.get("error_message") if isinstance(error, dict) else payload.get("message")
        reason = f": {said[:200]}" if isinstance(said, str) and said else ""
        raise ResponseValidationError(
            f"the API did not answer with data (success {payload['success']!r}){reason}",
            response=response,
            body=payload,
        )
    return data
