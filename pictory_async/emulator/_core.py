"""The emulator's facade: one object to configure, seed, script, inspect and serve.

Each control reads or changes the ``State`` its routes share (the controls of jobs,
templates and brands come from ``JobControls``). Serving (``handle``: which
routes answer a request, and counting the reply) comes from its base, ``Dispatcher``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final

from ._admin import AdminRoutes
from ._asgi import EmulatorApp, EmulatorTransport
from ._clock import Clock, Sleep
from ._controls import JobControls
from ._dispatch import Dispatcher
from ._faults import Faults, Outcome
from ._media import asset_bytes, asset_sha256
from ._quota import Quota, changed_quota
from ._reply import Reply
from ._state import ADMIN_PREFIX, State
from ._store import ProjectRecord
from ._webhooks import WebhookSender
from ._wire import media_urls, project_body

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_CDN_BASE_URL", "Emulator", "Reply"]

DEFAULT_BASE_URL: Final = "http://api.pictory.test"
DEFAULT_CDN_BASE_URL: Final = "http://cdn.pictory.test"


class Emulator(Dispatcher, JobControls):
    """An in-memory Pictory API (projects, jobs of every kind, look-ups), seeded, with faults.

    Serve it in process with ``httpx.AsyncClient(transport=emulator.transport())`` or
    over loopback with :func:`pictory_async.emulator.serve`. The same controls exist on
    :class:`RemoteEmulator`, under the same names, for an emulator in another process.

    Attributes:
        stats: Counters of what was seen and done.
        api_keys: Account name to API key; the first account is the main one.
        app: The ASGI application.
        sleep: The async sleep used for latency and slow downloads.
        webhooks: The webhook sender: ``serve`` and ``spawn`` run it; in process, call
            ``webhooks.start()`` in the running loop and ``await webhooks.aclose()``.
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
        render_time: tuple[float, float] | None = None,
        in_progress_share: float = 0.05,
        render_duration: float = 60.0,
        job_retention: float = 7 * 24 * 3600.0,
        small_media: bool = False,
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
            render_time: Range of seconds a generated project's running render takes
                (drawn for each); by default such a render takes ``render_duration``, like
                one started through the API.
            in_progress_share: Share of generated projects with a render running.
            render_duration: Seconds a render takes on the clock, started through the API
                or generated running (change it with ``set_render_duration``).
            job_retention: Seconds a finished job's data is kept; then it is ``cleaned``.
            small_media: Serve videos and audio of 4-8 KiB (thumbnails 1-4 KiB) instead
                of up to 1 MiB: for tests that download or back up many projects.
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
        self._project_count = projects
        self._other_count = max(3, projects // 10) if other_projects is None else other_projects
        self._state = state = State(
            seed=seed,
            accounts=accounts,
            api_keys=api_keys,
            page_size=page_size,
            faults=faults if faults is not None else Faults(),
            clock=clock,
            wall_clock=wall_clock,
            now=now,
            render_time=render_time,
            in_progress_share=in_progress_share,
            render_duration=render_duration,
            job_retention=job_retention,
            small_media=small_media,
        )
        self.api_keys: dict[str, str] = state.api_keys
        state.set_origins(base_url, cdn_base_url)
        state.reseed(self._project_count, self._other_count)
        super().__init__(state, AdminRoutes(self, ADMIN_PREFIX) if admin else None, sleep)
        self.webhooks = WebhookSender(state)
        self.app: EmulatorApp[Emulator] = EmulatorApp(self)

    # ----------------------------------------------------------------- settings

    @property
    def seed(self) -> int:
        """The seed everything random comes from."""
        return self._state.seed

    @property
    def api_key(self) -> str:
        """The main account's API key."""
        return self.api_keys[self._state.accounts[0]]

    @property
    def accounts(self) -> tuple[str, ...]:
        """Account names; the first is the main one."""
        return self._state.accounts

    @property
    def base_url(self) -> str:
        """The API's origin, e.g. ``http://api.pictory.test``."""
        return self._state.base_url

    @property
    def cdn_base_url(self) -> str:
        """The CDN's origin, e.g. ``http://cdn.pictory.test``."""
        return self._state.cdn_base_url

    @property
    def page_size(self) -> int:
        """Items per list page."""
        return self._state.page_size

    @property
    def now(self) -> datetime:
        """The wall time the seeded saved dates lead up to."""
        return self._state.now

    def folders(self, account: str | None = None) -> list[str]:
        """The folder ids of an account (default: the main one)."""
        return list(self._state.folders[self._state.account(account)])

    def set_origins(self, base_url: str, cdn_base_url: str) -> None:
        """Set the origins clients use; media URLs are built on ``cdn_base_url``.

        Raises:
            ValueError: Both origins are the same host and port.
        """
        self._state.set_origins(base_url, cdn_base_url)

    @property
    def faults(self) -> Faults:
        """The fault settings in force; assign to change them at once."""
        return self._state.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._state.apply_faults(faults)

    def set_faults(self, **changes: Any) -> Faults:
        """Change some fault settings, keep the others, and return the new settings.

        Raises:
            ValueError: An unknown setting or an invalid value.
        """
        faults = Faults.from_dict(changes, base=self._state.faults)
        self._state.apply_faults(faults)
        return faults

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
        self._state.scripted.add(outcome, times=times, method=method)

    def reset(self, *, stats_only: bool = False) -> None:
        """Zero the counters, and unless ``stats_only``, restore the initial state.

        The initial state: the seeded projects, the initial faults, no scripted outcomes
        or job failures, no jobs (nor their unsaved videos), the initial render duration,
        full rate-limit buckets, the default quotas and no AI credit debits, the built-in
        templates and brands only, no webhook deliveries waiting (webhook counters are zeroed
        in both cases).
        """
        self._state.stats.reset()
        self.webhooks.clear(stats_only=stats_only)
        if not stats_only:
            self._state.reseed(self._project_count, self._other_count)

    # ------------------------------------------------------------------- data

    def generate_projects(self, count: int, *, account: str | None = None) -> list[ProjectRecord]:
        """Add ``count`` generated projects to an account (default: the main one)."""
        state = self._state
        return state.generate(count, state.account(account))

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
        state = self._state
        return state.add(state.account(account), fields)

    def project(self, project_id: int | str) -> ProjectRecord | None:
        """The stored project with this id, or None (deleted or never there)."""
        record = self._state.store.by_id.get(str(project_id))
        if record is not None:
            self._state.fresh(record)
        return record

    def has_project(self, project_id: int | str) -> bool:
        """Whether a project with this id exists."""
        return str(project_id) in self._state.store.by_id

    def projects(self, account: str | None = None) -> list[ProjectRecord]:
        """The projects of an account (default: the main one), newest first, as listed."""
        state = self._state
        return [state.fresh(r) for r in state.store.projects(state.account(account))]

    def project_json(self, project_id: int | str) -> dict[str, Any]:
        """The body ``GET /pictoryapis/v2/projects/{id}`` returns for this project.

        Raises:
            KeyError: No such project.
        """
        record = self.project(project_id)
        if record is None:
            raise KeyError(project_id)
        return project_body(record, self._state.cdn_base_url)

    def asset_url(self, project_id: int | str, kind: str) -> str:
        """The CDN URL of one media file of a project.

        Raises:
            KeyError: No such project.
        """
        return media_urls(self._state.record(project_id), self._state.cdn_base_url)[kind]

    def asset(self, project_id: int | str, kind: str) -> bytes:
        """The bytes the CDN serves for one media file of a project.

        Raises:
            KeyError: No such project.
            ValueError: An unknown kind.
        """
        state = self._state
        record = state.fresh(state.record(project_id))  # after a render: its new bytes
        return asset_bytes(state.media_file(record, kind))

    def asset_sha256(self, project_id: int | str, kind: str) -> str:
        """The hex SHA-256 of :meth:`asset`.

        Raises:
            KeyError: No such project.
            ValueError: An unknown kind.
        """
        state = self._state
        record = state.fresh(state.record(project_id))  # after a render: its new bytes
        return asset_sha256(state.media_file(record, kind))

    def assets(self, project_id: int | str) -> dict[str, dict[str, Any]]:
        """URL, SHA-256 and size of each media file of a project, by kind.

        Raises:
            KeyError: No such project.
        """
        record = self._state.record(project_id)
        return {
            kind: {
                "url": url,
                "sha256": self.asset_sha256(project_id, kind),
                "size": len(self.asset(project_id, kind)),
            }
            for kind, url in media_urls(record, self._state.cdn_base_url).items()
        }

    # ------------------------------------------------------------------ quota

    def quota(self, account: str | None = None) -> Quota:
        """What ``GET /pictoryapis/v1/quota`` answers an account (default: the main one)."""
        state = self._state
        return changed_quota(state.quotas[state.account(account)], {})

    def set_quota(self, *, account: str | None = None, **counters: Mapping[str, int]) -> Quota:
        """Set the numbers ``GET /pictoryapis/v1/quota`` answers; the others are kept.

        ``set_quota(video_minutes={"used": 590})`` leaves the limit at 600 and the other
        counters as they were. ``reset`` restores the defaults (nothing used).

        Args:
            account: Whose quota (default: the main account).
            **counters: ``video_minutes``, ``transcription_minutes``,
                ``eleven_labs_voice_over_minutes`` or ``ai_credits``: a mapping with
                ``used`` and/or ``limit``, each an int >= 0.

        Returns:
            The account's quota now, as the API answers it.

        Raises:
            ValueError: An unknown account, counter or field, or a bad number.
        """
        state = self._state
        account = state.account(account)
        state.quotas[account] = changed_quota(state.quotas[account], counters)
        return self.quota(account)

    # ------------------------------------------------------------------ info

    def info(self) -> dict[str, Any]:
        """Origins and keys, as printed by ``python -m pictory_async.emulator``."""
        state = self._state
        return {
            "base_url": state.base_url,
            "cdn_base_url": state.cdn_base_url,
            "admin_url": state.base_url + ADMIN_PREFIX.rstrip("/"),
            "api_key": self.api_key,
            "api_keys": dict(self.api_keys),
            "accounts": list(state.accounts),
            "seed": state.seed,
            "projects": len(state.store),
            "page_size": state.page_size,
            "faults": state.faults.to_dict(),
        }

    # ---------------------------------------------------------------- clients

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport that serves requests in process, without sockets.

        Dropped connections surface as ``httpx.RemoteProtocolError``, as over a socket.
        """
        return EmulatorTransport(self.app)
