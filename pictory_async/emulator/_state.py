"""What every route reads and changes: settings, the store, the faults in force, the stats.

One ``State`` per emulator, shared by its API, CDN and admin routes and by the facade
(``Emulator``). ``reseed`` puts the data and faults back as they were at the start.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, TypeAlias
from urllib.parse import urlsplit

from ._clock import Clock
from ._faults import Dice, Faults, Limiter, ScriptedFaults, make_limiter
from ._lookups import brands, templates
from ._media import MediaFile
from ._quota import Quota, default_quota
from ._renders import JOB_KINDS, JobKind, JobRecord, JobStatus
from ._reply import Reply
from ._seed import ProjectFactory, api_key_for, folder_ids
from ._stats import Stats
from ._store import ProjectRecord, Store
from ._wire import dumps, list_item, project_body

__all__ = ["Handler", "Routes", "State"]

ADMIN_PREFIX: Final = "/_emulator/"

Handler: TypeAlias = Callable[[str, str, bytes, bytes, float], Reply]
"""An API route's handler: ``(account, id, query, body, delay)`` to the reply."""


class State:
    """The emulator's settings and data, and the faults in force.

    Attributes:
        seed: Seed of everything random.
        accounts: Account names; the first is the main one.
        api_keys: Account name to API key.
        by_key: API key (bytes) to account name.
        page_size: Items per list page.
        clock: The emulator's monotonic clock.
        wall_clock: Epoch seconds, for ``Retry-After`` dates.
        now: The wall time seeded saved dates lead up to.
        base_url: The API origin.
        cdn_base_url: The CDN origin.
        cdn_host: The CDN's ``host:port``, as a ``Host`` header carries it.
        generation: Bumped when origins change, so cached bodies are rebuilt.
        stats: The counters.
        store: The projects.
        folders: Folder ids per account.
        factory: Makes seeded projects.
        faults: The fault settings in force (set with ``apply_faults``).
        dice: The seeded random streams of faults, jitter and media.
        scripted: Outcomes scripted with ``fail_next``.
        limiter: The rate limiter, or None.
        jobs: Jobs of every kind, by id.
        render_duration: Seconds a job started through the API takes.
        job_retention: Seconds a finished job's data is kept before it is ``cleaned``.
        small_media: Serve media of a few KiB (see ``asset_bytes``).
        job_failures: Scripted failures of the next jobs, in order:
            ``[(error_code, error_message), jobs it still applies to, kind or None]``.
        quotas: Each account's quota, as ``GET /pictoryapis/v1/quota`` answers it.
        outputs: Videos rendered without ``saveProject``: served by the CDN, never listed.
        credit_log: Each account's AI credit transactions, oldest first.
        templates: The templates ``GET /v1/templates`` lists, by id.
        brands: Each account's brands, as ``GET /v1/brands/video`` lists them.
        started: The job the last job-starting request made (see ``_starts``), or None.
        on_started: Called with each job a request made (the webhook sender's hook).
    """

    def __init__(
        self,
        *,
        seed: int,
        accounts: Sequence[str],
        api_keys: Mapping[str, str] | None,
        page_size: int,
        faults: Faults,
        clock: Clock,
        wall_clock: Clock,
        now: datetime,
        render_time: tuple[float, float] | None,
        in_progress_share: float,
        render_duration: float,
        job_retention: float,
        small_media: bool = False,
    ) -> None:
        """Hold the settings; ``reseed`` fills the data.

        Raises:
            ValueError: Two accounts share a key, or a bad render time, render duration
                or retention.
        """
        self.seed = seed
        self.accounts = tuple(accounts)
        self.api_keys: dict[str, str] = {a: api_key_for(seed, a) for a in self.accounts}
        self.api_keys.update(api_keys or {})
        self.by_key = {key.encode(): account for account, key in self.api_keys.items()}
        if len(self.by_key) != len(self.api_keys):
            raise ValueError("two accounts share an API key")
        self.page_size = page_size
        self.initial_faults = faults
        self.clock = clock
        self.wall_clock = wall_clock
        self.now = now
        if render_time is not None:
            low, high = (check_seconds(value, "render_time") for value in render_time)
            if low > high:
                raise ValueError(f"render_time must be (low, high), got {render_time!r}")
        self.render_time = render_time
        self.in_progress_share = in_progress_share
        self.initial_render_duration = check_seconds(render_duration, "render_duration")
        self.job_retention = check_seconds(job_retention, "job_retention")
        self.small_media = small_media
        self.stats = Stats()
        self.generation = 0
        self.base_url = ""
        self.cdn_base_url = ""
        self.cdn_host = b""
        self.started: JobRecord | None = None
        self.on_started: Callable[[JobRecord], None] = _ignore

    def reseed(self, project_count: int, other_count: int) -> None:
        """Start over: fresh dice, the initial faults, seeded projects, no scripted outcomes.

        Also no jobs, the initial render duration and the default quotas.
        """
        self.dice = Dice(self.seed)
        self.scripted = ScriptedFaults()
        self.apply_faults(self.initial_faults)
        self.store = Store()
        self.clock_start = self.clock()
        self.render_duration = self.initial_render_duration
        self.folders = {account: folder_ids(self.seed, account) for account in self.accounts}
        self.factory = ProjectFactory(
            random.Random(f"projects:{self.seed}"),
            now=self.now,
            clock=self.clock,
            render_time=self.render_time,
            render_duration=lambda: self.render_duration,
            in_progress_share=self.in_progress_share,
            folders=self.folders,
        )
        self.generate(project_count, self.accounts[0])
        for account in self.accounts[1:]:
            self.generate(other_count, account)
        self.jobs: dict[str, JobRecord] = {}
        self.job_ids = random.Random(f"jobs:{self.seed}")
        self.job_failures: deque[list[Any]] = deque()
        self.quotas: dict[str, Quota] = {account: default_quota() for account in self.accounts}
        self.outputs = Store()
        self.templates = {template["templateId"]: template for template in templates()}
        self.brands = {account: brands() for account in self.accounts}
        self.credit_log: dict[str, list[dict[str, Any]]] = {
            account: [] for account in self.accounts
        }

    def generate(self, count: int, account: str) -> list[ProjectRecord]:
        """Add ``count`` generated projects to ``account``."""
        records = [self.factory.make(account) for _ in range(count)]
        for record in records:
            self.store.add(record)
        return records

    def add(self, account: str, fields: dict[str, Any]) -> ProjectRecord:
        """Add one project to ``account``; the fields not given are generated.

        Raises:
            ValueError: The id is taken.
        """
        if "id" in fields:
            if str(fields["id"]) in self.store.by_id:
                raise ValueError(f"a project with id {fields['id']!r} already exists")
            self.factory.reserve(fields["id"])
        record = self.factory.make(account, **fields)
        self.store.add(record)
        return record

    def account(self, account: str | None) -> str:
        """``account``, checked; None means the main one.

        Raises:
            ValueError: An unknown account.
        """
        if account is None:
            return self.accounts[0]
        if account not in self.folders:
            raise ValueError(f"unknown account {account!r}")
        return account

    def set_origins(self, base_url: str, cdn_base_url: str) -> None:
        """Set the API and CDN origins.

        Raises:
            ValueError: Both origins are the same host and port.
        """
        base_url, cdn_base_url = base_url.rstrip("/"), cdn_base_url.rstrip("/")
        if urlsplit(base_url).netloc == urlsplit(cdn_base_url).netloc:
            raise ValueError("the CDN must be on another host or port than the API")
        self.base_url = base_url
        self.cdn_base_url = cdn_base_url
        self.cdn_host = urlsplit(cdn_base_url).netloc.encode()
        self.generation += 1

    def apply_faults(self, faults: Faults) -> None:
        """Put ``faults`` in force (the rate limiter starts over, full)."""
        self.faults = faults
        self.latency = faults.latency
        self.jitter = faults.jitter
        self.limiter: Limiter | None = make_limiter(faults, self.clock())
        self.holds = faults.rate_limit_shape == "inflight"
        self.drop_cut = faults.drop_rate
        self.error_cut = faults.drop_rate + faults.error_rate
        self.error_statuses = faults.error_statuses
        self.drop_after_delete = faults.drop_after_delete_rate
        self.create_error = faults.create_error_rate
        self.drop_after_create = faults.drop_after_create_rate

    def wall(self) -> datetime:
        """The wall time now, on the emulator's clock (``now`` when it started or was reset)."""
        return self.now + timedelta(seconds=self.clock() - self.clock_start)

    def record(self, project_id: int | str) -> ProjectRecord:
        """The stored project with this id.

        Raises:
            KeyError: No such project.
        """
        record = self.store.by_id.get(str(project_id))
        if record is None:
            raise KeyError(project_id)
        return record

    def media_file(self, record: ProjectRecord, kind: str) -> MediaFile:
        """What decides the bytes the CDN serves for one media file of ``record`` now."""
        return MediaFile(
            self.seed, record.asset_key, kind, record.script, self.small_media, record.renders
        )

    def fresh(self, record: ProjectRecord) -> ProjectRecord:
        """``record`` as of now on the clock (a finished render applied), wire bodies cached."""
        done_at = record.render_done_at
        if done_at is not None and self.clock() >= done_at:
            job = self.jobs.get(record.render_job) if record.render_job is not None else None
            record.render_done_at = None
            record.render_job = None
            if job is not None and job.failure is not None:
                record.step = job.previous_step  # a failed render leaves no video
            else:
                record.step = "COMPLETE"
                record.generated = self.now + timedelta(seconds=done_at - self.clock_start)
                record.renders += 1  # a new video: new bytes on the CDN
            record.invalidate()
        if record.cache_generation != self.generation:
            record.cached_body = dumps(project_body(record, self.cdn_base_url))
            record.cached_item = dumps(list_item(record, self.cdn_base_url))
            record.cache_generation = self.generation
        return record

    # -- jobs

    def start_job(
        self,
        account: str,
        kind: JobKind,
        *,
        project: ProjectRecord | None = None,
        project_id: int | str | None = None,
        result: dict[str, Any] | None = None,
        failure: tuple[str, str] | None = None,
    ) -> JobRecord:
        """Start a job of ``kind`` now; it takes ``render_duration`` seconds on the clock.

        Its fate is ``failure`` (``(error_code, error_message)``: the request itself is at
        fault) if given, else the next failure scripted for its kind
        (``script_job_failures``), else success.
        """
        now = self.clock()
        bits = f"{self.job_ids.getrandbits(128):032x}"
        job = JobRecord(
            id=f"{bits[:8]}-{bits[8:12]}-4{bits[13:16]}-a{bits[17:20]}-{bits[20:]}",
            seq=len(self.jobs),
            account=account,
            kind=kind,
            project=project,
            project_id=project_id,
            result=result if result is not None else {},
            previous_step=project.step if project is not None else "",
            started=now,
            created_at=self.now + timedelta(seconds=now - self.clock_start),
            duration=self.render_duration,
            failure=failure if failure is not None else self._next_failure(kind),
        )
        self.jobs[job.id] = job
        return job

    def start_render(
        self, record: ProjectRecord, failure: tuple[str, str] | None = None
    ) -> JobRecord:
        """Start rendering ``record`` now; the project shows it until the job ends.

        ``failure``: as ``start_job``'s.

        Raises:
            ValueError: A render of this project is already running.
        """
        self.fresh(record)
        if record.in_progress:
            raise ValueError(f"project {record.id!r} is already rendering")
        saved = self.store.by_id.get(record.key) is record
        job = self.start_job(
            record.account,
            "render",
            project=record,
            project_id=record.id if saved else None,
            failure=failure,
        )
        record.render_done_at = job.done_at
        record.render_job = job.id
        record.step = "RENDER"
        record.generated = None
        record.invalidate()
        if job.duration == 0:
            self.fresh(record)
        return job

    def script_job_failures(
        self, error_code: str, error_message: str, times: int, kind: JobKind | None = None
    ) -> None:
        """Make the next ``times`` jobs (of ``kind``, if given) fail with this code and message.

        Raises:
            ValueError: An empty code or message, ``times`` below 1, or an unknown kind.
        """
        if not isinstance(error_code, str) or not error_code:
            raise ValueError("error_code must be a non-empty string")
        if not isinstance(error_message, str) or not error_message:
            raise ValueError("error_message must be a non-empty string")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError("times must be an int >= 1")
        if kind is not None and kind not in JOB_KINDS:
            raise ValueError(f"kind must be one of {', '.join(JOB_KINDS)}, got {kind!r}")
        self.job_failures.append([(error_code, error_message), times, kind])

    def _next_failure(self, kind: JobKind) -> tuple[str, str] | None:
        for entry in self.job_failures:
            if entry[2] is None or entry[2] == kind:
                entry[1] -= 1
                if entry[1] == 0:
                    self.job_failures.remove(entry)
                failure: tuple[str, str] = entry[0]
                return failure
        return None

    def job(self, job_id: str) -> JobRecord:
        """The job with this id.

        Raises:
            KeyError: No such job.
        """
        job = self.jobs.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    def clean(self, job: JobRecord) -> None:
        """Clean a finished job's data (again: nothing changes).

        Raises:
            ValueError: The job is still running.
        """
        if self.job_status(job) == "in-progress":
            raise ValueError(f"job {job.id!r} is still running; only finished jobs are cleaned")
        job.cleaned = True

    def job_status(self, job: JobRecord) -> JobStatus:
        """The job's status now (its project brought up to date with it)."""
        if job.project is not None:
            self.fresh(job.project)
        return job.status(self.clock(), self.job_retention)

    def account_jobs(self, account: str) -> list[JobRecord]:
        """The jobs of ``account``, newest first."""
        return sorted(
            (job for job in self.jobs.values() if job.account == account),
            key=lambda job: -job.seq,
        )


class Routes:
    """Some API routes over one ``State``: ``handlers`` names each route's handler."""

    __slots__ = ("_state",)

    def __init__(self, state: State) -> None:
        """Serve the data of ``state``."""
        self._state = state

    def handlers(self) -> dict[str, Handler]:
        """Route name to handler."""
        raise NotImplementedError


def _ignore(job: JobRecord) -> None:
    """The ``on_started`` hook when nothing listens."""


def check_seconds(value: object, name: str) -> float:
    """``value`` as seconds >= 0.

    Raises:
        ValueError: Not a finite number >= 0.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number of seconds")
    if not 0 <= value < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)
