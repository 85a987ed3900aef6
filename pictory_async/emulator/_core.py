"""The emulator itself: state, faults, and one synchronous ``handle`` for every request.

``Emulator.handle(method, path, query, headers, body)`` decides everything about a
request (status, headers, body, how long to wait, whether to drop the connection) and
applies its effect on the store. The ASGI adapter in ``_asgi`` only waits and sends, so
the same logic serves in-process tests and the loopback server.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import math
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, urlsplit

from ._clock import Clock, Sleep
from ._faults import Dice, Faults, Outcome, ScriptedFaults, make_limiter
from ._media import ASSET_KINDS, CONTENT_TYPES, RENDERED_KINDS, asset_bytes, asset_sha256
from ._seed import ProjectFactory, api_key_for, folder_ids
from ._stats import CdnRequest, Stats
from ._store import ProjectRecord, Store, decode_page_key, encode_page_key
from ._wire import (
    BAD_GATEWAY_HTML,
    DELETED,
    FORBIDDEN,
    INTERNAL_ERROR,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    PROJECT_NOT_FOUND,
    SERVICE_UNAVAILABLE,
    TOO_MANY_REQUESTS,
    UNAUTHORIZED,
    bad_request,
    dumps,
    list_item,
    media_urls,
    project_body,
)

if TYPE_CHECKING:
    import httpx

    from ._asgi import EmulatorApp

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_CDN_BASE_URL", "Emulator", "Reply"]

DEFAULT_BASE_URL: Final = "http://api.pictory.test"
DEFAULT_CDN_BASE_URL: Final = "http://cdn.pictory.test"

_PROJECTS = "/pictoryapis/v2/projects"
_PROJECTS_LEN = len(_PROJECTS)
_ADMIN = "/_emulator/"
_JSON = (b"content-type", b"application/json; charset=utf-8")
_HTML = (b"content-type", b"text/html; charset=utf-8")
_MEDIA_CHUNK = 64 * 1024


def _json_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [_JSON, (b"content-length", b"%d" % len(body))]


class Reply:
    """What to answer to one request.

    Attributes:
        status: The HTTP status.
        headers: Response headers (lower-case names).
        body: The full body (for a range request, the requested part).
        delay: Seconds to wait before answering.
        drop: Close the connection instead of answering.
        truncate_at: Close the connection after this many body bytes (-1: never).
        chunk_size: Send the body in chunks of this size (0: in one piece).
        chunk_delay: Seconds to wait between chunks.
        held: The API key whose in-flight slot this request holds until answered.
    """

    __slots__ = (
        "body",
        "chunk_delay",
        "chunk_size",
        "delay",
        "drop",
        "headers",
        "held",
        "status",
        "truncate_at",
    )

    def __init__(
        self,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        delay: float = 0.0,
        drop: bool = False,
    ) -> None:
        """Answer ``status`` with ``headers`` and ``body`` after ``delay`` seconds."""
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.drop = drop
        self.truncate_at = -1
        self.chunk_size = 0
        self.chunk_delay = 0.0
        self.held: bytes | None = None

    @property
    def streamed(self) -> bool:
        """Whether the body goes out in paced or truncated chunks."""
        return self.chunk_size > 0 or self.truncate_at >= 0

    def __repr__(self) -> str:
        return f"Reply(status={self.status}, body={self.body[:60]!r}, drop={self.drop})"


class Emulator:
    """An in-memory Pictory projects API with seeded data and fault injection.

    Serve it in process with ``httpx.AsyncClient(transport=emulator.transport())`` or
    over loopback with :func:`pictory_async.emulator.serve`.

    Attributes:
        stats: Counters of what was seen and done.
        api_keys: Account name to API key; the first account is the main one.
        app: The ASGI application.
    """

    def __init__(
        self,
        *,
        projects: int = 20,
        seed: int = 0,
        accounts: Sequence[str] = ("primary", "other"),
        api_keys: Mapping[str, str] | None = None,
        other_projects: int | None = None,
        page_size: int = 25,
        faults: Faults | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Clock = time.time,
        now: datetime | None = None,
        base_url: str = DEFAULT_BASE_URL,
        cdn_base_url: str = DEFAULT_CDN_BASE_URL,
        render_time: tuple[float, float] = (30.0, 600.0),
        in_progress_share: float = 0.05,
        admin: bool = True,
    ) -> None:
        """Create an emulator and seed it.

        Args:
            projects: How many projects to generate for the first account.
            seed: Seed of everything random: projects, keys, faults, media bytes.
            accounts: Account names; each gets a deterministic API key.
            api_keys: Explicit keys for some accounts (account name to key).
            other_projects: Projects generated for each other account (default:
                a tenth of ``projects``, at least 3).
            page_size: Items per list page.
            faults: Fault settings to start with (and to go back to on ``reset``).
            clock: Monotonic clock for the rate limiter and render timers.
            sleep: Async sleep for latency and slow downloads.
            wall_clock: Epoch seconds, for ``Retry-After`` dates.
            now: The wall time saved dates are spread over the year before; default
                today at midnight UTC.
            base_url: The API's origin as clients see it.
            cdn_base_url: The CDN's origin (another host or port than ``base_url``).
            render_time: Range of seconds a running render takes.
            in_progress_share: Share of generated projects with a render running.
            admin: Serve the ``/_emulator/`` admin routes.

        Raises:
            ValueError: Invalid arguments.
        """
        if not accounts or len(set(accounts)) != len(accounts):
            raise ValueError("accounts must be non-empty and unique")
        if projects < 0 or page_size < 1:
            raise ValueError("projects must be >= 0 and page_size >= 1")
        if now is None:
            today = datetime.fromtimestamp(wall_clock(), timezone.utc)
            now = today.replace(hour=0, minute=0, second=0, microsecond=0)
        elif now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        self._seed = seed
        self._accounts = tuple(accounts)
        self._project_count = projects
        self._other_count = max(3, projects // 10) if other_projects is None else other_projects
        self._page_size = page_size
        self._initial_faults = faults if faults is not None else Faults()
        self._clock = clock
        self.sleep: Sleep = sleep
        self._wall_clock = wall_clock
        self._now = now
        self._render_time = render_time
        self._in_progress_share = in_progress_share
        self._admin = admin
        self.api_keys: dict[str, str] = {a: api_key_for(seed, a) for a in self._accounts}
        self.api_keys.update(api_keys or {})
        self._by_key = {key.encode(): account for account, key in self.api_keys.items()}
        if len(self._by_key) != len(self.api_keys):
            raise ValueError("two accounts share an API key")
        self.stats = Stats()
        self._generation = 0
        self.set_origins(base_url, cdn_base_url)
        self._build()
        from ._asgi import EmulatorApp

        self.app: EmulatorApp = EmulatorApp(self)

    def _build(self) -> None:
        self._dice = Dice(self._seed)
        self._scripted = ScriptedFaults()
        self._apply_faults(self._initial_faults)
        self._store = Store()
        self._clock_start = self._clock()
        self._folders = {account: folder_ids(self._seed, account) for account in self._accounts}
        self._factory = ProjectFactory(
            random.Random(f"projects:{self._seed}"),
            now=self._now,
            clock=self._clock,
            render_time=self._render_time,
            in_progress_share=self._in_progress_share,
            folders=self._folders,
        )
        self.generate_projects(self._project_count)
        for account in self._accounts[1:]:
            self.generate_projects(self._other_count, account=account)

    # ----------------------------------------------------------------- settings

    @property
    def seed(self) -> int:
        """The seed everything random comes from."""
        return self._seed

    @property
    def api_key(self) -> str:
        """The main account's API key."""
        return self.api_keys[self._accounts[0]]

    @property
    def accounts(self) -> tuple[str, ...]:
        """Account names; the first is the main one."""
        return self._accounts

    @property
    def base_url(self) -> str:
        """The API's origin, e.g. ``http://api.pictory.test``."""
        return self._base_url

    @property
    def cdn_base_url(self) -> str:
        """The CDN's origin, e.g. ``http://cdn.pictory.test``."""
        return self._cdn_base_url

    @property
    def page_size(self) -> int:
        """Items per list page."""
        return self._page_size

    @property
    def now(self) -> datetime:
        """The wall time the seeded saved dates lead up to."""
        return self._now

    def folders(self, account: str | None = None) -> list[str]:
        """The folder ids of an account (default: the main one)."""
        return list(self._folders[account or self._accounts[0]])

    def set_origins(self, base_url: str, cdn_base_url: str) -> None:
        """Set the origins clients use; media URLs are built on ``cdn_base_url``.

        Raises:
            ValueError: Both origins are the same host and port.
        """
        base_url, cdn_base_url = base_url.rstrip("/"), cdn_base_url.rstrip("/")
        if urlsplit(base_url).netloc == urlsplit(cdn_base_url).netloc:
            raise ValueError("the CDN must be on another host or port than the API")
        self._base_url = base_url
        self._cdn_base_url = cdn_base_url
        self._cdn_host = urlsplit(cdn_base_url).netloc.encode()
        self._generation += 1

    @property
    def faults(self) -> Faults:
        """The fault settings in force; assign to change them at once."""
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._apply_faults(faults)

    def set_faults(self, **changes: Any) -> Faults:
        """Change some fault settings, keep the others, and return the new settings.

        Raises:
            ValueError: An unknown setting or an invalid value.
        """
        faults = Faults.from_dict(changes, base=self._faults)
        self._apply_faults(faults)
        return faults

    def _apply_faults(self, faults: Faults) -> None:
        self._faults = faults
        self._latency = faults.latency
        self._jitter = faults.jitter
        self._limiter = make_limiter(faults, self._clock())
        self._holds = faults.rate_limit_shape == "inflight"
        self._drop_cut = faults.drop_rate
        self._error_cut = faults.drop_rate + faults.error_rate
        self._error_statuses = faults.error_statuses
        self._drop_after_delete = faults.drop_after_delete_rate

    def fail_next(self, outcome: Outcome, *, times: int = 1, method: str | None = None) -> None:
        """Script the outcome of the next ``times`` API requests (of ``method``, if given).

        Scripted outcomes come after authentication and the rate limiter, before the
        random faults, in the order they were scripted.

        Args:
            outcome: 429, 500, 502, 503, ``"drop"`` or ``"drop_after_apply"``.
            times: How many requests it applies to.
            method: Only requests with this method (e.g. ``"DELETE"``).

        Raises:
            ValueError: An unknown outcome or a count below 1.
        """
        self._scripted.add(outcome, times=times, method=method)

    def reset(self, *, stats_only: bool = False) -> None:
        """Zero the counters, and unless ``stats_only``, restore the initial state.

        The initial state: the seeded projects, the initial faults, no scripted outcomes,
        full rate-limit buckets.
        """
        self.stats.reset()
        if not stats_only:
            self._build()

    # ------------------------------------------------------------------- data

    def generate_projects(self, count: int, *, account: str | None = None) -> list[ProjectRecord]:
        """Add ``count`` generated projects to an account (default: the main one)."""
        account = self._account(account)
        records = [self._factory.make(account) for _ in range(count)]
        for record in records:
            self._store.add(record)
        return records

    def add_project(self, *, account: str | None = None, **fields: Any) -> ProjectRecord:
        """Add one project; fields not given are generated.

        Args:
            account: The owner (default: the main account).
            **fields: Any :class:`ProjectRecord` field (``id``, ``name``, ``folder``,
                ``saved``, ``schema_version``, ``scenes``, ``extra``, ...), plus
                ``in_progress=True`` and ``render_seconds=...`` to start a render.

        Returns:
            The stored record.

        Raises:
            ValueError: The id is taken, or an unknown account.
        """
        account = self._account(account)
        if "id" in fields:
            if str(fields["id"]) in self._store.by_id:
                raise ValueError(f"a project with id {fields['id']!r} already exists")
            self._factory.reserve(fields["id"])
        record = self._factory.make(account, **fields)
        self._store.add(record)
        return record

    def _account(self, account: str | None) -> str:
        if account is None:
            return self._accounts[0]
        if account not in self._folders:
            raise ValueError(f"unknown account {account!r}")
        return account

    def project(self, project_id: int | str) -> ProjectRecord | None:
        """The stored project with this id, or None (deleted or never there)."""
        record = self._store.by_id.get(str(project_id))
        if record is not None:
            self._fresh(record)
        return record

    def has_project(self, project_id: int | str) -> bool:
        """Whether a project with this id exists."""
        return str(project_id) in self._store.by_id

    def projects(self, account: str | None = None) -> list[ProjectRecord]:
        """The projects of an account (default: the main one), newest first, as listed."""
        return [self._fresh(r) for r in self._store.projects(self._account(account))]

    def project_json(self, project_id: int | str) -> dict[str, Any]:
        """The body ``GET /pictoryapis/v2/projects/{id}`` returns for this project.

        Raises:
            KeyError: No such project.
        """
        record = self.project(project_id)
        if record is None:
            raise KeyError(project_id)
        return project_body(record, self._cdn_base_url)

    def asset_url(self, project_id: int | str, kind: str) -> str:
        """The CDN URL of one media file of a project.

        Raises:
            KeyError: No such project.
        """
        record = self._record(project_id)
        return media_urls(record, self._cdn_base_url)[kind]

    def asset(self, project_id: int | str, kind: str) -> bytes:
        """The bytes the CDN serves for one media file of a project.

        Raises:
            KeyError: No such project.
            ValueError: An unknown kind.
        """
        record = self._record(project_id)
        return asset_bytes(self._seed, record.asset_key, kind, record.script)

    def asset_sha256(self, project_id: int | str, kind: str) -> str:
        """The hex SHA-256 of :meth:`asset`.

        Raises:
            KeyError: No such project.
            ValueError: An unknown kind.
        """
        record = self._record(project_id)
        return asset_sha256(self._seed, record.asset_key, kind, record.script)

    def _record(self, project_id: int | str) -> ProjectRecord:
        record = self._store.by_id.get(str(project_id))
        if record is None:
            raise KeyError(project_id)
        return record

    def _fresh(self, record: ProjectRecord) -> ProjectRecord:
        done_at = record.render_done_at
        if done_at is not None and self._clock() >= done_at:
            record.render_done_at = None
            record.step = "COMPLETE"
            record.generated = self._now + timedelta(seconds=done_at - self._clock_start)
            record.invalidate()
        if record.cache_generation != self._generation:
            record.cached_body = dumps(project_body(record, self._cdn_base_url))
            record.cached_item = dumps(list_item(record, self._cdn_base_url))
            record.cache_generation = self._generation
        return record

    # ---------------------------------------------------------------- clients

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport that serves requests in process, without sockets.

        Dropped connections surface as ``httpx.RemoteProtocolError``, as over a socket.
        """
        from ._asgi import EmulatorTransport

        return EmulatorTransport(self.app)

    # ----------------------------------------------------------------- serving

    def handle(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes = b"",
    ) -> Reply:
        """Decide the answer to one request and apply its effect.

        Args:
            method: The HTTP method, upper case.
            path: The decoded path.
            query: The raw query string.
            headers: Header pairs with lower-case names, as in an ASGI scope.
            body: The request body (admin routes only).
        """
        if path.startswith(_PROJECTS):
            return self._api(method, path, query, headers)
        if path.startswith(_ADMIN):
            return self._admin_route(method, path, body)
        if path.startswith(("/media/", "/share/")):
            return self._cdn(method, path, headers)
        return self._answer(method, "other", 404, NOT_FOUND, 0.0)

    def _answer(
        self,
        method: str,
        route: str,
        status: int,
        body: bytes,
        delay: float,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> Reply:
        key = (method, route, status)
        requests = self.stats.requests
        requests[key] = requests.get(key, 0) + 1
        return Reply(status, headers or _json_headers(body), body, delay)

    def _api(
        self, method: str, path: str, query: bytes, headers: Iterable[tuple[bytes, bytes]]
    ) -> Reply:
        auth = host = None
        for name, value in headers:
            if name == b"authorization":
                auth = value
            elif name == b"host":
                host = value
        rest = path[_PROJECTS_LEN:]
        project_id = ""
        if not rest or rest == "/":
            route = "list" if method == "GET" else "other"
        elif rest[0] == "/" and "/" not in rest[1:]:
            project_id = rest[1:]
            route = "get" if method == "GET" else "delete" if method == "DELETE" else "other"
        else:
            return self._answer(method, "other", 404, NOT_FOUND, 0.0)
        if host == self._cdn_host:
            return self._answer(method, "other", 404, NOT_FOUND, 0.0)
        delay = self._latency
        if self._jitter:
            delay += self._dice.jitter.random() * self._jitter
        if auth is None or (account := self._by_key.get(auth)) is None:
            return self._answer(method, route, 401, UNAUTHORIZED, delay)
        limiter = self._limiter
        if limiter is not None:
            wait = limiter.take(auth, self._clock())
            if wait:
                return self._too_many(method, route, wait, delay)
            if self._holds:
                reply = self._admitted(method, route, account, project_id, query, delay)
                reply.held = auth
                return reply
        return self._admitted(method, route, account, project_id, query, delay)

    def finished(self, reply: Reply) -> None:
        """Note that ``reply`` has been sent (or dropped): it frees an in-flight slot."""
        held = reply.held
        if held is not None:
            reply.held = None
            if self._limiter is not None and self._holds:
                self._limiter.done(held)

    def _admitted(
        self, method: str, route: str, account: str, project_id: str, query: bytes, delay: float
    ) -> Reply:
        outcome: Outcome | None = None
        if self._scripted:
            outcome = self._scripted.pop(method)
        if outcome is None and self._error_cut:
            roll = self._dice.faults.random()
            if roll < self._drop_cut:
                outcome = "drop"
            elif roll < self._error_cut:
                statuses = self._error_statuses
                pick = statuses[int(self._dice.faults.random() * len(statuses))]
                outcome = pick  # type: ignore[assignment]
        if outcome is not None and outcome != "drop_after_apply":
            return self._fault(method, route, outcome, delay)
        if route == "get":
            reply = self._get(method, account, project_id, delay)
        elif route == "delete":
            reply = self._delete(account, project_id, delay)
            if (
                outcome is None
                and reply.status == 200
                and self._drop_after_delete
                and self._dice.faults.random() < self._drop_after_delete
            ):
                outcome = "drop_after_apply"
        elif route == "list":
            reply = self._list(account, query, delay)
        else:
            reply = self._answer(method, route, 405, METHOD_NOT_ALLOWED, delay)
        if outcome == "drop_after_apply":
            requests = self.stats.requests
            key = (method, route, reply.status)
            requests[key] -= 1
            if not requests[key]:
                del requests[key]
            self.stats.dropped_after_apply += 1
            reply.drop = True
        return reply

    def _too_many(self, method: str, route: str, wait: float, delay: float) -> Reply:
        self.stats.rate_limited += 1
        headers = _json_headers(TOO_MANY_REQUESTS)
        mode = self._faults.retry_after
        seconds = max(1, math.ceil(wait))
        if mode == "seconds":
            headers.append((b"retry-after", b"%d" % seconds))
        elif mode == "date":
            moment = math.ceil(self._wall_clock()) + seconds
            headers.append((b"retry-after", formatdate(moment, usegmt=True).encode()))
        return self._answer(method, route, 429, TOO_MANY_REQUESTS, delay, headers)

    def _fault(self, method: str, route: str, outcome: Outcome, delay: float) -> Reply:
        if outcome == "drop":
            self.stats.dropped += 1
            return Reply(0, [], b"", delay, drop=True)
        if outcome == 429:
            return self._too_many(method, route, 1.0, delay)
        self.stats.errors_injected += 1
        if outcome == 502:
            headers = [_HTML, (b"content-length", b"%d" % len(BAD_GATEWAY_HTML))]
            return self._answer(method, route, 502, BAD_GATEWAY_HTML, delay, headers)
        if outcome == 503:
            return self._answer(method, route, 503, SERVICE_UNAVAILABLE, delay)
        return self._answer(method, route, 500, INTERNAL_ERROR, delay)

    def _get(self, method: str, account: str, project_id: str, delay: float) -> Reply:
        record = self._store.by_id.get(project_id)
        if record is None:
            return self._answer(method, "get", 404, PROJECT_NOT_FOUND, delay)
        if record.account != account:
            return self._answer(method, "get", 403, FORBIDDEN, delay)
        return self._answer(method, "get", 200, self._fresh(record).cached_body, delay)

    def _delete(self, account: str, project_id: str, delay: float) -> Reply:
        record = self._store.by_id.get(project_id)
        if record is None:
            return self._answer("DELETE", "delete", 404, PROJECT_NOT_FOUND, delay)
        if record.account != account:
            return self._answer("DELETE", "delete", 403, FORBIDDEN, delay)
        self._store.remove(project_id)
        self.stats.deletes_applied += 1
        return self._answer("DELETE", "delete", 200, DELETED, delay)

    def _list(self, account: str, query: bytes, delay: float) -> Reply:
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
                return self._answer("GET", "list", 400, body, delay)
        records, cursor = self._store.page(account, folder, after, self._page_size)
        items = b",".join(self._fresh(record).cached_item for record in records)
        next_key = b"null" if cursor is None else b'"%s"' % encode_page_key(cursor).encode()
        body = b'{"items":[' + items + b'],"pageKey":' + next_key + b"}"
        return self._answer("GET", "list", 200, body, delay)

    # -------------------------------------------------------------------- CDN

    def _cdn(self, method: str, path: str, headers: Iterable[tuple[bytes, bytes]]) -> Reply:
        seen = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}
        self.stats.cdn_requests.append(CdnRequest(method=method, path=path, headers=seen))
        route = "media" if path.startswith("/media/") else "share"
        if seen.get("host", "").encode() != self._cdn_host:
            return self._answer(method, route, 404, NOT_FOUND, 0.0)
        if method not in ("GET", "HEAD"):
            return self._answer(method, route, 405, METHOD_NOT_ALLOWED, 0.0)
        parts = path.split("/")
        if route == "share":
            return self._share(method, parts)
        record = self._store.by_asset.get(parts[2]) if len(parts) == 5 else None
        kind = parts[3] if len(parts) == 5 else ""
        if record is not None:
            self._fresh(record)
        if (
            record is None
            or kind not in ASSET_KINDS
            or (kind in RENDERED_KINDS and record.in_progress)
        ):
            return self._media_missing(method)
        content = asset_bytes(self._seed, record.asset_key, kind, record.script)
        digest = asset_sha256(self._seed, record.asset_key, kind, record.script)
        size = len(content)
        status, start, end = 200, 0, size
        range_header = seen.get("range")
        out_headers = [
            (b"content-type", CONTENT_TYPES[kind]),
            (b"accept-ranges", b"bytes"),
            (b"etag", b'"%s"' % digest.encode()),
            (b"x-amz-checksum-sha256", base64.b64encode(binascii.unhexlify(digest))),
        ]
        if range_header is not None:
            parsed = _parse_range(range_header, size)
            if parsed is None:
                out_headers = [(b"content-range", b"bytes */%d" % size), (b"content-length", b"0")]
                return self._answer(method, "media", 416, b"", 0.0, out_headers)
            status, (start, end) = 206, parsed
            out_headers.append((b"content-range", b"bytes %d-%d/%d" % (start, end - 1, size)))
        body = content[start:end]
        out_headers.append((b"content-length", b"%d" % len(body)))
        reply = self._answer(
            method, "media", status, b"" if method == "HEAD" else body, 0.0, out_headers
        )
        if method == "HEAD":
            return reply
        faults = self._faults
        if faults.media_bytes_per_second:
            rate = faults.media_bytes_per_second
            reply.chunk_size = int(min(_MEDIA_CHUNK, max(1024.0, rate / 10)))
            reply.chunk_delay = reply.chunk_size / rate
        if faults.media_truncate_rate and self._dice.media.random() < faults.media_truncate_rate:
            reply.truncate_at = len(body) // 2
            self.stats.truncated_downloads += 1
        return reply

    def _media_missing(self, method: str) -> Reply:
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
            b"<Message>The specified key does not exist.</Message></Error>"
        )
        headers = [(b"content-type", b"application/xml"), (b"content-length", b"%d" % len(body))]
        return self._answer(method, "media", 404, body, 0.0, headers)

    def _share(self, method: str, parts: list[str]) -> Reply:
        record = self._store.by_id.get(parts[2]) if len(parts) == 4 else None
        if record is None or record.share_token != parts[3] or record.in_progress:
            body = b"<!DOCTYPE html><html><head><title>Video not found</title></head></html>"
            status = 404
        else:
            self._fresh(record)
            video = media_urls(record, self._cdn_base_url)["video"]
            title, src = _html_escape(record.name), _html_escape(video)
            body = (
                f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
                f'<video controls src="{src}"></video></body></html>'
            ).encode()
            status = 200
        headers = [_HTML, (b"content-length", b"%d" % len(body))]
        return self._answer(
            method, "share", status, b"" if method == "HEAD" else body, 0.0, headers
        )

    # ------------------------------------------------------------------ admin

    def _admin_route(self, method: str, path: str, body: bytes) -> Reply:
        if not self._admin:
            return self._answer(method, "other", 404, NOT_FOUND, 0.0)
        name = path[len(_ADMIN) :]
        try:
            data = json.loads(body) if body.strip() else {}
            if not isinstance(data, dict):
                raise ValueError("the body must be a JSON object")
            result = self._admin_action(method, name, data)
        except LookupError as exc:
            return _admin_reply(404, {"message": str(exc)})
        except (ValueError, TypeError) as exc:
            return _admin_reply(400, {"message": str(exc)})
        if result is None:
            return _admin_reply(405, {"message": "Method Not Allowed"})
        return _admin_reply(200, result)

    def _admin_action(self, method: str, name: str, data: dict[str, Any]) -> Any:
        if name == "stats" and method == "GET":
            return self.stats.to_dict()
        if name == "faults" and method == "GET":
            return self._faults.to_dict()
        if name == "faults" and method == "POST":
            return self.set_faults(**data).to_dict()
        if name == "reset" and method == "POST":
            self.reset(stats_only=bool(data.get("stats_only", False)))
            return {"reset": True}
        if name == "fail-next" and method == "POST":
            outcome = data.get("outcome")
            times = data.get("times", 1)
            fail_method = data.get("method")
            if isinstance(outcome, bool) or not isinstance(outcome, (int, str)):
                raise ValueError("outcome must be a status (429, 500, ...) or a drop mode")
            if isinstance(times, bool) or not isinstance(times, int):
                raise ValueError("times must be an int")
            if fail_method is not None and not isinstance(fail_method, str):
                raise ValueError("method must be a string")
            self.fail_next(outcome, times=times, method=fail_method)  # type: ignore[arg-type]
            return {"scripted": True}
        if name == "info" and method == "GET":
            return self.info()
        if name == "projects" and method == "POST":
            account = data.pop("account", None)
            if account is not None and not isinstance(account, str):
                raise ValueError("account must be a string")
            if "count" in data:
                count = data["count"]
                if isinstance(count, bool) or not isinstance(count, int):
                    raise ValueError("count must be an int")
                if not 1 <= count <= MAX_ADMIN_COUNT:
                    # generating runs on the server's event loop: keep each call short
                    raise ValueError(f"count must be between 1 and {MAX_ADMIN_COUNT}")
                records = self.generate_projects(count, account=account)
            else:
                records = [self.add_project(account=account, **_project_fields(data))]
            return {"ids": [record.id for record in records]}
        if name.startswith("projects/") and name.endswith("/assets") and method == "GET":
            project_id = name[len("projects/") : -len("/assets")]
            record = self._record(project_id)
            return {
                kind: {
                    "url": url,
                    "sha256": self.asset_sha256(project_id, kind),
                    "size": len(self.asset(project_id, kind)),
                }
                for kind, url in media_urls(record, self._cdn_base_url).items()
            }
        if name in ("stats", "faults", "reset", "fail-next", "info", "projects"):
            return None
        raise LookupError(f"no admin route {name!r}")

    def info(self) -> dict[str, Any]:
        """Origins and keys, as printed by ``python -m pictory_async.emulator``."""
        return {
            "base_url": self._base_url,
            "cdn_base_url": self._cdn_base_url,
            "admin_url": self._base_url + _ADMIN.rstrip("/"),
            "api_key": self.api_key,
            "api_keys": dict(self.api_keys),
            "accounts": list(self._accounts),
            "seed": self._seed,
            "projects": len(self._store),
            "page_size": self._page_size,
            "faults": self._faults.to_dict(),
        }


MAX_ADMIN_COUNT = 10_000
"""Most projects one ``POST /_emulator/projects`` generates (about a second of work)."""

_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "folder": (str,),
    "source": (str,),
    "schema_version": (str,),
    "in_progress": (bool,),
    "render_seconds": (int, float),
    "scenes": (list,),
    "extra": (dict,),
}


def _project_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of an admin-added project, checked (a ``ValueError`` says what is wrong)."""
    fields = dict(data)
    if "id" in fields:
        given = fields["id"]
        if given is None:
            del fields["id"]  # generate one
        elif isinstance(given, bool) or not isinstance(given, (str, int)) or given == "":
            raise ValueError("id must be a non-empty string or an int")
    if "saved" in fields:
        saved = fields["saved"]
        if not isinstance(saved, str):
            raise ValueError("saved must be an ISO 8601 date string")
        fields["saved"] = datetime.fromisoformat(saved.replace("Z", "+00:00"))
    for key, kinds in _FIELD_TYPES.items():
        value = fields.get(key)
        if value is not None and (
            not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool))
        ):
            raise ValueError(f"{key} must be {' or '.join(k.__name__ for k in kinds)}")
    return fields


def _admin_reply(status: int, data: Any) -> Reply:
    body = dumps(data)
    return Reply(status, _json_headers(body), body)


def _html_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` to a half-open ``(start, end)``, or None."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            length = int(last)
            if length <= 0:
                return None
            return (max(0, size - length), size)
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return None
    if start >= size or end <= start:
        return None
    return (start, min(end, size))
