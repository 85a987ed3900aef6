"""The API routes: authentication, rate limits, faults, then the handler of each route.

Projects, jobs and the quota are served here; videos (``VideoRoutes``), transcription
(``TranscribeRoutes``) and look-ups (``LookupRoutes``) by their own modules, whose
handlers take the same arguments. Each handler decides the whole ``Reply`` (status,
body, delay, drop) and applies its effect on the store; a body it refuses raises
``InvalidBodyError`` (a 400) and a job the quota cannot pay for ``QuotaExceededError``
(a 402). Nothing here counts requests: ``Emulator.handle`` counts each reply once,
after it is decided.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from email.utils import formatdate
from typing import Final
from urllib.parse import parse_qsl

from ._faults import Outcome
from ._lookup_routes import LookupRoutes
from ._lookups import MUSIC_CATALOGUES
from ._quota import QuotaExceededError
from ._reply import HTML, Reply, json_headers
from ._starts import JOB_ROUTES, InjectedFaultError, job_starting, mark_lost
from ._state import Handler, State
from ._store import ProjectRecord, decode_page_key, encode_page_key
from ._transcribe import TranscribeRoutes
from ._validate import InvalidBodyError
from ._videos import VideoRoutes
from ._wire import (
    BAD_GATEWAY_HTML,
    DELETED,
    FORBIDDEN,
    INTERNAL_ERROR,
    JOB_NOT_FINISHED,
    JOB_NOT_FOUND,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    PROJECT_NOT_FOUND,
    RENDER_RUNNING,
    SERVICE_UNAVAILABLE,
    TOO_MANY_REQUESTS,
    UNAUTHORIZED,
    bad_request,
    dumps,
    iso,
    job_data,
    quota_exceeded,
)

__all__ = ["API_PREFIXES", "JOBS_PREFIX", "PROJECTS_PREFIX", "QUOTA_PATH", "ApiRoutes", "route_of"]

PROJECTS_PREFIX: Final = "/pictoryapis/v2/projects"
JOBS_PREFIX: Final = "/pictoryapis/v1/jobs"
QUOTA_PATH: Final = "/pictoryapis/v1/quota"
API_PREFIXES: Final = ("/pictoryapis/",)
# The emulator keeps its own copy of the API's paths (the tests hold them to the client's
# ``_paths``): importing the client's would import its models, 80 ms the server never uses.
_V1, _V2 = "/pictoryapis/v1", "/pictoryapis/v2"
_STORYBOARD: Final = f"{_V2}/video/storyboard"
_VIDEO_RENDER: Final = f"{_V2}/video/render"
_TRANSCRIPTION: Final = f"{_V2}/transcription"
_EXACT: Final[dict[str, tuple[dict[str, str], str]]] = {
    # path: ({method: route}, the id the route is given)
    PROJECTS_PREFIX: ({"GET": "list"}, ""),
    JOBS_PREFIX: ({"GET": "jobs"}, ""),
    QUOTA_PATH: ({"GET": "quota"}, ""),
    f"{_V1}/aicredits/usage": ({"GET": "ai_credits"}, ""),
    _STORYBOARD: ({"POST": "storyboard"}, ""),
    f"{_STORYBOARD}/render": ({"POST": "storyboard_render"}, ""),
    _VIDEO_RENDER: ({"POST": "render_params"}, ""),
    f"{_V1}/video/from-template": ({"POST": "from_template"}, ""),
    _TRANSCRIPTION: ({"POST": "transcription"}, ""),
    f"{_TRANSCRIPTION}/highlights": ({"POST": "custom_highlights"}, ""),
    f"{_V1}/brands/video": ({"GET": "brands"}, ""),
    f"{_V1}/voiceovers/tracks": ({"GET": "voices"}, ""),
    f"{_V1}/media/search": ({"GET": "media_search"}, ""),
    f"{_V1}/music/search": ({"POST": "music_search"}, ""),
    f"{_V1}/avatars": ({"GET": "avatars"}, ""),
    f"{_V1}/styles": ({"GET": "styles"}, ""),
    f"{_V1}/smartlayouts": ({"GET": "smart_layouts"}, ""),
    f"{_V1}/templates": ({"GET": "templates"}, ""),
    **{f"{_V1}/music/{name}": ({"GET": "music"}, name) for name in MUSIC_CATALOGUES},
}
_PATTERNS: Final[dict[tuple[str, str | None], dict[str, str]]] = {
    # (prefix, sub-path after the id, or None for the id alone): {method: route}
    (PROJECTS_PREFIX, None): {"GET": "get", "DELETE": "delete", "PUT": "update"},
    (PROJECTS_PREFIX, "render"): {"POST": "render"},
    (JOBS_PREFIX, None): {"GET": "job"},
    (JOBS_PREFIX, "clean"): {"DELETE": "clean"},
    (_STORYBOARD, "elements"): {"PUT": "elements"},
    (_VIDEO_RENDER, None): {"PUT": "render_preview"},
    (_TRANSCRIPTION, "highlights"): {"POST": "highlights"},
}
_PREFIXES: Final = tuple(sorted({prefix for prefix, _ in _PATTERNS}, key=len, reverse=True))


def route_of(method: str, path: str) -> tuple[str, str] | None:
    """``(route, id)`` of an API path (route ``other`` for a wrong method), or None: a 404.

    Routes: ``list``, ``get``, ``delete``, ``update``, ``render`` (projects); ``jobs``,
    ``job``, ``clean`` (jobs); ``quota``, ``ai_credits`` (the account); ``storyboard``,
    ``storyboard_render``, ``render_preview``, ``render_params``, ``elements``,
    ``from_template`` (videos); ``transcription``, ``highlights``, ``custom_highlights``;
    ``brands``, ``voices``, ``media_search``, ``music_search``, ``music``, ``avatars``,
    ``styles``, ``smart_layouts``, ``templates`` (look-ups).
    """
    exact = _EXACT.get(path[:-1] if path.endswith("/") else path)
    if exact is not None:
        return exact[0].get(method, "other"), exact[1]
    for prefix in _PREFIXES:
        if path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] == "/":
            break
    else:
        return None
    ident, sep, sub = path[len(prefix) + 1 :].partition("/")
    if not ident or (sep and not sub) or "/" in sub:
        return None
    methods = _PATTERNS.get((prefix, sub or None))
    if methods is None:
        return None
    return methods.get(method, "other"), ident


class ApiRoutes:
    """``/pictoryapis/...``: what the client talks to."""

    __slots__ = ("_handlers", "_state")

    def __init__(self, state: State) -> None:
        """Serve the projects, jobs, quotas, videos, transcriptions and look-ups of ``state``."""
        self._state = state
        self._handlers: dict[str, Handler] = {
            # route: handler(account, id, query, body, delay)
            "get": self._get,
            "delete": self._delete,
            "list": self._list,
            "render": self._render,
            "job": self._job,
            "jobs": self._jobs,
            "clean": self._clean,
            "quota": self._quota,
            **VideoRoutes(state).handlers(),
            **TranscribeRoutes(state).handlers(),
            **LookupRoutes(state).handlers(),
        }
        for route in JOB_ROUTES:
            self._handlers[route] = job_starting(state, route, self._handlers[route])

    def handle(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes = b"",
    ) -> Reply:
        """Decide the answer to one API request (``body``: its content) and apply its effect."""
        state = self._state
        auth = host = None
        for name, value in headers:
            if name == b"authorization":
                auth = value
            elif name == b"host":
                host = value
        found = route_of(method, path)
        if found is None:
            return Reply.answer("other", 404, NOT_FOUND)
        route, ident = found
        if host == state.cdn_host:
            return Reply.answer("other", 404, NOT_FOUND)
        delay = state.latency
        if state.jitter:
            delay += state.dice.jitter.random() * state.jitter
        if auth is None or (account := state.by_key.get(auth)) is None:
            return Reply.answer(route, 401, UNAUTHORIZED, delay)
        limiter = state.limiter
        if limiter is not None:
            wait = limiter.take(auth, state.clock())
            if wait:
                return self._too_many(route, wait, delay)
            if state.holds:
                reply = self._admitted(method, route, account, ident, query, body, delay)
                reply.held = auth
                return reply
        return self._admitted(method, route, account, ident, query, body, delay)

    def finished(self, reply: Reply) -> None:
        """Note that ``reply`` has been sent (or dropped): it frees an in-flight slot."""
        held = reply.held
        if held is not None:
            reply.held = None
            state = self._state
            if state.limiter is not None and state.holds:
                state.limiter.done(held)

    def _admitted(
        self,
        method: str,
        route: str,
        account: str,
        ident: str,
        query: bytes,
        body: bytes,
        delay: float,
    ) -> Reply:
        state = self._state
        outcome: Outcome | None = None
        if state.scripted:
            outcome = state.scripted.pop(method)
        if outcome is None and state.error_cut:
            roll = state.dice.faults.random()
            if roll < state.drop_cut:
                outcome = "drop"
            elif roll < state.error_cut:
                statuses = state.error_statuses
                pick = statuses[int(state.dice.faults.random() * len(statuses))]
                outcome = pick  # type: ignore[assignment]
        if outcome is not None and outcome != "drop_after_apply":
            return self._fault(route, outcome, delay)
        handler = self._handlers.get(route)
        if handler is None:
            reply = Reply.answer(route, 405, METHOD_NOT_ALLOWED, delay)
        else:
            try:
                reply = handler(account, ident, query, body, delay)
            except InvalidBodyError as exc:
                reply = Reply.answer(route, 400, exc.body(), delay)
            except QuotaExceededError as exc:
                reply = Reply.answer(route, 402, quota_exceeded(exc), delay)
            except InjectedFaultError as exc:
                return self._fault(route, exc.outcome, delay)
            reply.route = route
        if (
            route == "delete"
            and outcome is None
            and reply.status == 200
            and state.drop_after_delete
            and state.dice.faults.random() < state.drop_after_delete
        ):
            outcome = "drop_after_apply"
        if outcome == "drop_after_apply" and not reply.drop:
            state.stats.dropped_after_apply += 1
            reply.drop = True
            mark_lost(state, route, reply)
        return reply

    def _too_many(self, route: str, wait: float, delay: float) -> Reply:
        state = self._state
        state.stats.rate_limited += 1
        headers = json_headers(TOO_MANY_REQUESTS)
        mode = state.faults.retry_after
        seconds = max(1, math.ceil(wait))
        if mode == "seconds":
            headers.append((b"retry-after", b"%d" % seconds))
        elif mode == "date":
            moment = math.ceil(state.wall_clock()) + seconds
            headers.append((b"retry-after", formatdate(moment, usegmt=True).encode()))
        return Reply.answer(route, 429, TOO_MANY_REQUESTS, delay, headers)

    def _fault(self, route: str, outcome: Outcome, delay: float) -> Reply:
        stats = self._state.stats
        if outcome == "drop":
            stats.dropped += 1
            return Reply(0, [], b"", delay, drop=True, route=route)
        if outcome == 429:
            return self._too_many(route, 1.0, delay)
        stats.errors_injected += 1
        if outcome == 502:
            headers = [HTML, (b"content-length", b"%d" % len(BAD_GATEWAY_HTML))]
            return Reply.answer(route, 502, BAD_GATEWAY_HTML, delay, headers)
        if outcome == 503:
            return Reply.answer(route, 503, SERVICE_UNAVAILABLE, delay)
        return Reply.answer(route, 500, INTERNAL_ERROR, delay)

    def _get(self, account: str, project_id: str, query: bytes, body: bytes, delay: float) -> Reply:
        record = self._state.store.by_id.get(project_id)
        if record is None or record.account != account:
            return _refused("get", record, delay)
        return Reply.answer("get", 200, self._state.fresh(record).cached_body, delay)

    def _delete(
        self, account: str, project_id: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        state = self._state
        record = state.store.by_id.get(project_id)
        if record is None or record.account != account:
            return _refused("delete", record, delay)
        state.store.remove(project_id)
        state.stats.deletes_applied += 1
        return Reply.answer("delete", 200, DELETED, delay)

    def _list(self, account: str, ident: str, query: bytes, body: bytes, delay: float) -> Reply:
        state = self._state
        folder = page_key = None
        if query:
            for name, value in parse_qsl(query.decode("latin-1")):
                if name == "pagekey":
                    page_key = value
                elif name == "folder":
                    folder = value or None
        after = None
        if page_key:
            try:
                after = decode_page_key(page_key)
            except ValueError:
                body = bad_request("pagekey is not a valid page key", ["pagekey"])
                return Reply.answer("list", 400, body, delay)
        records, cursor = state.store.page(account, folder, after, state.page_size)
        items = b",".join(state.fresh(record).cached_item for record in records)
        next_key = b"null" if cursor is None else b'"%s"' % encode_page_key(cursor).encode()
        body = b'{"items":[' + items + b'],"pageKey":' + next_key + b"}"
        return Reply.answer("list", 200, body, delay)

    # -- render jobs

    def _render(
        self, account: str, project_id: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        record = self._state.store.by_id.get(project_id)
        if record is None or record.account != account:
            return _refused("render", record, delay)
        try:
            job = self._state.start_render(record)
        except ValueError:
            return Reply.answer("render", 409, RENDER_RUNNING, delay)
        return Reply.answer(
            "render", 200, dumps({"success": True, "data": {"jobId": job.id}}), delay
        )

    def _job(self, account: str, job_id: str, query: bytes, body: bytes, delay: float) -> Reply:
        state = self._state
        job = state.jobs.get(job_id)
        if job is None or job.account != account:  # another account's job is not found either
            return Reply.answer("job", 404, JOB_NOT_FOUND, delay)
        status = state.job_status(job)
        data = job_data(job, status, job.progress(state.clock()), state.cdn_base_url)
        body = dumps({"success": status != "failed", "data": data})
        return Reply.answer("job", 200, body, delay)

    def _jobs(self, account: str, ident: str, query: bytes, body: bytes, delay: float) -> Reply:
        state = self._state
        after: int | None = None
        for name, value in parse_qsl(query.decode("latin-1")) if query else ():
            if name == "nextPageKey" and value:
                try:
                    after = -decode_page_key(value)[0]
                except ValueError:
                    body = bad_request("nextPageKey is not a valid page key", ["nextPageKey"])
                    return Reply.answer("jobs", 400, body, delay)
        jobs = [j for j in state.account_jobs(account) if after is None or j.seq < after]
        page = jobs[: state.page_size]
        now = state.clock()
        items = []
        for job in page:
            item = job_data(job, state.job_status(job), job.progress(now), state.cdn_base_url)
            if job.project_id is not None:
                item["projectId"] = job.project_id
            item["createdAt"] = iso(job.created_at)
            items.append(item)
        next_key = encode_page_key((-page[-1].seq, page[-1].id)) if len(jobs) > len(page) else None
        body = dumps({"success": True, "data": items, "nextPageKey": next_key})
        return Reply.answer("jobs", 200, body, delay)

    def _clean(self, account: str, job_id: str, query: bytes, body: bytes, delay: float) -> Reply:
        state = self._state
        job = state.jobs.get(job_id)
        if job is None or job.account != account:
            return Reply.answer("clean", 404, JOB_NOT_FOUND, delay)
        if state.job_status(job) == "in-progress":
            return Reply.answer("clean", 400, JOB_NOT_FINISHED, delay)
        job.cleaned = True
        body = dumps({"success": True, "data": {"jobId": job.id, "status": "cleaned"}})
        return Reply.answer("clean", 200, body, delay)

    # -- the account

    def _quota(self, account: str, ident: str, query: bytes, body: bytes, delay: float) -> Reply:
        return Reply.answer("quota", 200, dumps(self._state.quotas[account]), delay)


def _refused(route: str, record: ProjectRecord | None, delay: float) -> Reply:
    """404 for a project that is not there, 403 for another account's."""
    if record is None:
        return Reply.answer(route, 404, PROJECT_NOT_FOUND, delay)
    return Reply.answer(route, 403, FORBIDDEN, delay)
