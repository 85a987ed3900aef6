"""The ``/_emulator/`` admin routes: the facade's controls over HTTP, for other processes.

Every body is checked: a malformed one is a 400 with a message saying what is wrong
(a value out of range, a field of the wrong type or unknown, an id no client could put
in a path, a date without a UTC offset), an unknown route a 404, a wrong method a 405.
Admin replies never wait, never fail on purpose, and are not counted as traffic.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Final, Protocol

from ._faults import Faults, Outcome
from ._quota import Quota
from ._renders import JobKind, JobRecord
from ._reply import Reply, json_headers
from ._starts import job_summary
from ._stats import Stats
from ._store import ProjectRecord
from ._webhooks import WebhookSender
from ._wire import dumps

__all__ = ["MAX_ADMIN_COUNT", "MAX_ADMIN_TIMES", "MAX_ID_LENGTH", "AdminRoutes", "Controls"]

MAX_ADMIN_COUNT: Final = 10_000
"""Most projects one ``POST /_emulator/projects`` generates (about a second of work)."""
MAX_ADMIN_TIMES: Final = 1_000_000
"""Most requests or jobs one scripted failure (``fail-next``, ``fail-next-render``,
``fail-next-job``) covers."""
MAX_ID_LENGTH: Final = 200
"""Longest id (characters, or digits of an int) a project added over HTTP may have."""

_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    # the JSON-able fields of a ProjectRecord (``id``, ``saved`` and ``account`` apart)
    "name": (str,),
    "folder": (str,),
    "source": (str,),
    "schema_version": (str,),
    "layout": (str,),
    "aspect_ratio": (str,),
    "step": (str,),
    "video_duration": (int, float),
    "script_language": (str,),
    "voice_over_id": (str,),
    "audio_speed": (int,),
    "video_volume": (int,),
    "brand_id": (str,),
    "smart_template_id": (str,),
    "scene_settings": (dict,),
    "visual_filter": (dict,),
    "project_type": (str,),
    "scenes": (list,),
    "extra": (dict,),
    "in_progress": (bool,),
    "render_seconds": (int, float),
}
_NULLABLE = frozenset(
    {
        "folder",
        "schema_version",
        "aspect_ratio",
        "video_duration",
        "voice_over_id",
        "brand_id",
        "smart_template_id",
        "scenes",
        "project_type",
        "in_progress",  # None: drawn, as for a generated project
        "render_seconds",  # None: the render duration
    }
)
"""Fields that may be ``null`` (left out of the bodies, or chosen by the emulator)."""
_UNADDRESSABLE = frozenset("/?#%\\")
_OLDEST: Final = datetime(1900, 1, 1, tzinfo=timezone.utc)
_NEWEST: Final = datetime(9000, 1, 1, tzinfo=timezone.utc)


class Controls(Protocol):
    """The controls the admin routes put on HTTP: ``Emulator``'s, under the same names."""

    @property
    def stats(self) -> Stats: ...
    @property
    def faults(self) -> Faults: ...
    @property
    def render_duration(self) -> float: ...
    def set_faults(self, **changes: Any) -> Faults: ...
    def fail_next(self, outcome: Outcome, *, times: int = 1, method: str | None = None) -> None: ...
    def reset(self, *, stats_only: bool = False) -> None: ...
    def info(self) -> dict[str, Any]: ...
    def generate_projects(
        self, count: int, *, account: str | None = None
    ) -> list[ProjectRecord]: ...
    def add_project(self, *, account: str | None = None, **fields: Any) -> ProjectRecord: ...
    def assets(self, project_id: int | str) -> dict[str, dict[str, Any]]: ...
    def fail_next_render(
        self, *, error_code: str = ..., error_message: str = ..., times: int = 1
    ) -> None: ...
    def fail_next_job(
        self,
        *,
        error_code: str = ...,
        error_message: str = ...,
        times: int = 1,
        kind: JobKind | None = None,
    ) -> None: ...
    def set_render_duration(self, seconds: float) -> None: ...
    def clean_job(self, job_id: str) -> None: ...
    def job_status(self, job_id: str) -> str: ...
    @property
    def webhooks(self) -> WebhookSender: ...
    def forge_webhook(
        self, url: str, *, job_id: str | None = None, status: str = "completed"
    ) -> str: ...
    def jobs_created(
        self, *, kind: JobKind | None = None, route: str | None = None, account: str | None = None
    ) -> list[JobRecord]: ...
    def add_template(
        self,
        *,
        name: str,
        scenes: Sequence[str],
        variables: Mapping[str, str] | None = None,
        template_id: str | None = None,
        language: str = "en",
    ) -> dict[str, Any]: ...
    def add_brand(
        self, *, name: str, brand_id: str | None = None, account: str | None = None
    ) -> dict[str, Any]: ...
    def quota(self, account: str | None = None) -> Quota: ...
    def set_quota(self, *, account: str | None = None, **counters: Mapping[str, int]) -> Quota: ...


class AdminRoutes:
    """``/_emulator/<name>``: stats, faults, scripted failures, reset, data, jobs, quota, info."""

    __slots__ = ("_emulator", "_prefix_len")

    def __init__(self, emulator: Controls, prefix: str) -> None:
        """Control ``emulator``; routes are under ``prefix``."""
        self._emulator = emulator
        self._prefix_len = len(prefix)

    def handle(self, method: str, path: str, body: bytes) -> Reply:
        """Answer one admin request (not counted as traffic)."""
        name = path[self._prefix_len :]
        try:
            data = json.loads(body) if body.strip() else {}
            if not isinstance(data, dict):
                raise ValueError("the body must be a JSON object")
            result = self._action(method, name, data)
        except LookupError as exc:
            return _reply(404, {"message": str(exc)})
        except (ValueError, TypeError, OverflowError) as exc:
            return _reply(400, {"message": str(exc)})
        if result is None:
            return _reply(405, {"message": "Method Not Allowed"})
        return _reply(200, result)

    def _action(self, method: str, name: str, data: dict[str, Any]) -> Any:
        emulator = self._emulator
        if name == "stats" and method == "GET":
            return emulator.stats.to_dict()
        if name == "faults" and method == "GET":
            return emulator.faults.to_dict()
        if name == "faults" and method == "POST":
            return emulator.set_faults(**data).to_dict()
        if name == "reset" and method == "POST":
            emulator.reset(stats_only=bool(data.get("stats_only", False)))
            return {"reset": True}
        if name == "fail-next" and method == "POST":
            outcome = data.get("outcome")
            if isinstance(outcome, bool) or not isinstance(outcome, (int, str)):
                raise ValueError("outcome must be a status (429, 500, ...) or a drop mode")
            fail_method = _string(data, "method")
            emulator.fail_next(outcome, times=_times(data), method=fail_method)  # type: ignore[arg-type]
            return {"scripted": True}
        if name == "info" and method == "GET":
            return emulator.info()
        if name == "projects" and method == "POST":
            account = _string(data, "account", pop=True)
            if "count" in data:
                count = _int(data, "count", 1)
                if not 1 <= count <= MAX_ADMIN_COUNT:
                    # generating runs on the server's event loop: keep each call short
                    raise ValueError(f"count must be between 1 and {MAX_ADMIN_COUNT}")
                records = emulator.generate_projects(count, account=account)
            else:
                records = [emulator.add_project(account=account, **_project_fields(data))]
            return {"ids": [record.id for record in records]}
        if name.startswith("projects/") and name.endswith("/assets") and method == "GET":
            return emulator.assets(name[len("projects/") : -len("/assets")])
        if name in ("fail-next-render", "fail-next-job") and method == "POST":
            job = name == "fail-next-job"
            _only(data, "error_code", "error_message", "times", *(("kind",) if job else ()))
            options: dict[str, Any] = {"times": _times(data)}
            for key in ("error_code", "error_message", "kind"):
                if key in data:
                    if not isinstance(data[key], str):
                        raise ValueError(f"{key} must be a string")
                    options[key] = data[key]
            (emulator.fail_next_job if job else emulator.fail_next_render)(**options)
            return {"scripted": True}
        if name == "render-duration" and method == "POST":
            _only(data, "seconds")
            if "seconds" not in data:
                raise ValueError("seconds is required")
            emulator.set_render_duration(data["seconds"])
            return {"render_duration": emulator.render_duration}
        if name == "quota" and method == "GET":
            return emulator.quota()
        if name == "quota" and method == "POST":
            account = _string(data, "account", pop=True)
            return emulator.set_quota(account=account, **data)
        if name == "templates" and method == "POST":
            _only(data, "name", "scenes", "variables", "template_id", "language")
            if not isinstance(data.get("scenes"), list) or not isinstance(
                data.get("variables", {}), dict
            ):
                raise ValueError("scenes must be an array of strings, variables an object")
            return emulator.add_template(**data)
        if name == "brands" and method == "POST":
            _only(data, "name", "brand_id", "account")
            return emulator.add_brand(**data)
        if name == "webhooks" and method == "GET":
            return {**emulator.webhooks.stats.to_dict(), "pending": emulator.webhooks.pending}
        if name == "forge-webhook" and method == "POST":
            _only(data, "url", "job_id", "status")
            url, job_id = _string(data, "url"), _string(data, "job_id")
            if url is None:
                raise ValueError("url is required")
            status = _string(data, "status") or "completed"
            return {"job_id": emulator.forge_webhook(url, job_id=job_id, status=status)}
        if name == "jobs-created" and method == "GET":
            jobs = emulator.jobs_created()
            return [job_summary(job, emulator.job_status(job.id)) for job in jobs]
        if name.startswith("jobs/") and name.endswith("/clean") and method == "POST":
            emulator.clean_job(name[len("jobs/") : -len("/clean")])
            return {"status": "cleaned"}
        if name in _NAMES:
            return None
        raise LookupError(f"no admin route {name!r}")


_NAMES = frozenset(
    {
        "stats",
        "faults",
        "reset",
        "fail-next",
        "info",
        "projects",
        "fail-next-render",
        "fail-next-job",
        "render-duration",
        "quota",
        "templates",
        "brands",
        "jobs-created",
        "webhooks",
        "forge-webhook",
    }
)


def _only(data: dict[str, Any], *keys: str) -> None:
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(unknown)}")


def _string(data: dict[str, Any], key: str, *, pop: bool = False) -> str | None:
    """``data[key]``: a string, or None when absent or null; ``pop`` takes it out of ``data``."""
    value = data.pop(key, None) if pop else data.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def _int(data: dict[str, Any], key: str, default: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be an int")
    return value


def _times(data: dict[str, Any]) -> int:
    times = _int(data, "times", 1)
    if not 1 <= times <= MAX_ADMIN_TIMES:
        raise ValueError(f"times must be between 1 and {MAX_ADMIN_TIMES:,}")
    return times


def _project_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of an admin-added project, checked (a ``ValueError`` says what is wrong)."""
    fields = dict(data)
    _only(fields, "id", "saved", *_FIELD_TYPES)
    if "id" in fields:
        if fields["id"] is None:
            del fields["id"]  # generate one
        else:
            _check_id(fields["id"])
    if "saved" in fields:
        fields["saved"] = _saved(fields["saved"])
    for key, kinds in _FIELD_TYPES.items():
        if key not in fields or (fields[key] is None and key in _NULLABLE):
            continue
        value = fields[key]
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            raise ValueError(f"{key} must be {' or '.join(k.__name__ for k in kinds)}")
    for key in ("render_seconds", "video_duration"):
        value = fields.get(key)
        if value is not None and not 0 <= value < math.inf:
            raise ValueError(f"{key} must be a finite number >= 0, got {value!r}")
    return fields


def _check_id(given: object) -> None:
    """Refuse an id no client could ask for by its path (the client's own rules).

    In process, ``Emulator.add_project`` takes any id, to test how a client meets one.
    """
    if isinstance(given, bool) or not isinstance(given, (str, int)):
        raise ValueError("id must be a non-empty string or an int")
    if isinstance(given, int):
        if not 0 <= given < 10**MAX_ID_LENGTH:
            raise ValueError(f"an int id must be >= 0 and have at most {MAX_ID_LENGTH} digits")
        return
    if not given or len(given) > MAX_ID_LENGTH:
        raise ValueError(f"id must have 1 to {MAX_ID_LENGTH} characters")
    if given in (".", "..") or ".." in given:
        raise ValueError(f"id must not contain '..': {given!r}")
    for char in given:
        if char in _UNADDRESSABLE or not char.isprintable() or char.isspace():
            raise ValueError(f"id {given!r} cannot be in a URL path: it contains {char!r}")


def _saved(saved: object) -> datetime:
    if not isinstance(saved, str):
        raise ValueError("saved must be an ISO 8601 date string")
    moment = datetime.fromisoformat(saved.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"saved must have a UTC offset (or Z): {saved!r}")
    if not _OLDEST <= moment <= _NEWEST:
        raise ValueError(f"saved must be between the years 1900 and 9000: {saved!r}")
    return moment.astimezone(timezone.utc)


def _reply(status: int, data: Any) -> Reply:
    body = dumps(data)
    return Reply(status, json_headers(body), body)
