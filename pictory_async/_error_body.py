"""What an error answer says: its request id, its decoded body and a short message.

Pure functions over an ``httpx.Response`` that never raise: an error answer may be
JSON of any known shape, an HTML page from a proxy, or empty or broken bytes.
"""

from __future__ import annotations

import json

import httpx

__all__ = ["decode_error_body", "request_id", "shorten"]

_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "cf-ray")
_MAX_MESSAGE_CHARS = 500


def request_id(headers: httpx.Headers) -> str | None:
    """The request id a response carries in one of the usual headers, if any."""
    for name in _REQUEST_ID_HEADERS:
        value: str | None = headers.get(name)
        if value:
            return value
    return None


def decode_error_body(response: httpx.Response) -> tuple[object, str]:
    """Read ``(body, message)`` from an error response of any known shape.

    Handles ``{"message": ...}``, ``{"code", "message", "fields"}``, the legacy
    ``{"success": false, "error": {"error_message": ...}}`` envelope, HTML pages
    and empty or broken bodies, without ever raising.
    """
    text = response.text.lstrip("\ufeff") if response.content else ""
    body: object = None
    if text:
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):
            body = text
    message = _message_from(body) or _html_title(text) or response.reason_phrase or "Error"
    return body, shorten(message)


def _message_from(body: object) -> str | None:
    if not isinstance(body, dict):
        return None
    for key in ("message", "error_message", "errorMessage", "detail"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    error = body.get("error")
    if isinstance(error, dict):
        return _message_from(error)
    if isinstance(error, str) and error:
        return error
    return None


def _html_title(text: str) -> str | None:
    lowered = text[:4096].lower()
    start = lowered.find("<title>")
    end = lowered.find("</title>")
    if start == -1 or end <= start:
        return None
    title = " ".join(text[start + len("<title>") : end].split())
    return title or None


def shorten(message: str) -> str:
    """``message`` on one line, cut to a length a log line can hold."""
    message = " ".join(message.split())
    if len(message) > _MAX_MESSAGE_CHARS:
        return message[: _MAX_MESSAGE_CHARS - 1] + "…"
    return message
