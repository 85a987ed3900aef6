"""The emulator's parts without HTTP: seeding, the store, faults, counters, the clock."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pictory_async.emulator import Emulator, FakeClock, Faults, ProjectRecord, Reply, Stats
from pictory_async.emulator._faults import RateLimiter, ScriptedFaults
from pictory_async.emulator._store import Store, decode_page_key, encode_page_key

from .support import NOW, PROJECTS


def _key(emulator: Emulator, account: str | None = None) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", emulator.api_keys[account or emulator.accounts[0]].encode())]


def _snapshot(emulator: Emulator) -> str:
    return json.dumps([emulator.project_json(r.id) for r in emulator.projects()])


def test_seeding_is_deterministic_from_the_seed() -> None:
    """Same seed and now, same projects and keys; another seed, other projects."""
    first = Emulator(projects=40, seed=11, now=NOW)
    again = Emulator(projects=40, seed=11, now=NOW)
    other = Emulator(projects=40, seed=12, now=NOW)

    assert _snapshot(first) == _snapshot(again)
    assert first.api_keys == again.api_keys
    assert _snapshot(first) != _snapshot(other)
    assert first.api_key != other.api_key


def test_seeded_projects_are_varied_like_real_ones() -> None:
    """Seeding mixes v2 (int ids), v3 (str ids) and old projects, sources and folders."""
    emulator = Emulator(projects=300, seed=1, now=NOW)
    records = emulator.projects()

    assert {"v2", "v3", None} == {r.schema_version for r in records}
    assert all(isinstance(r.id, str) == (r.schema_version == "v3") for r in records)
    assert {"script", "transcribe", "url"} <= {r.source for r in records}
    assert set(emulator.folders()) == {r.folder for r in records} - {None}
    assert 5 < sum(r.in_progress for r in records) < 40
    assert all(NOW - timedelta(days=365) <= r.saved <= NOW for r in records)
    assert any(r.scenes for r in records)
    assert all(len(str(r.id)) == 49 for r in records if r.schema_version == "v3")


def test_each_account_gets_a_distinct_pictai_key() -> None:
    """Keys look like Pictory's and differ between accounts; explicit keys are kept."""
    emulator = Emulator(accounts=("a", "b", "c"), api_keys={"c": "pictai_mine"})

    assert ["a", "b", "c"] == list(emulator.api_keys)
    assert all(key.startswith("pictai_") for key in emulator.api_keys.values())
    assert 3 == len(set(emulator.api_keys.values()))
    assert "pictai_mine" == emulator.api_keys["c"]
    assert emulator.api_keys["a"] == emulator.api_key


@pytest.mark.parametrize(
    "options",
    [
        {"accounts": ()},
        {"accounts": ("a", "a")},
        {"projects": -1},
        {"page_size": 0},
        {"now": datetime(2026, 1, 1)},
        {"api_keys": {"other": "same", "primary": "same"}},
        {"base_url": "http://h:1", "cdn_base_url": "http://h:1/cdn"},
    ],
)
def test_invalid_options_are_refused(options: dict[str, object]) -> None:
    """Bad accounts, counts, naive datetimes, shared keys or one origin for both raise."""
    with pytest.raises(ValueError):
        Emulator(**options)  # type: ignore[arg-type]


def test_add_project_infers_schema_from_the_id_type() -> None:
    """An int id makes a v2 project, a str id a v3 one; fields given are kept."""
    emulator = Emulator(projects=0)

    v2 = emulator.add_project(id=7, name="Old one", layout="9:16")
    v3 = emulator.add_project(id="abc", folder="f1", account="other")
    old = emulator.add_project(schema_version=None)

    assert ("v2", "Old one", "9:16", "nine-sixteen") == (
        v2.schema_version,
        v2.name,
        v2.layout,
        v2.aspect_ratio,
    )
    assert ("v3", "f1", "other") == (v3.schema_version, v3.folder, v3.account)
    assert (None, int) == (old.schema_version, type(old.id))
    assert "schemaVersion" not in emulator.project_json(old.id)
    assert {v2.id, old.id} == {r.id for r in emulator.projects()}
    assert v2 is emulator.project(7)
    assert None is emulator.project(8)
    with pytest.raises(KeyError):
        emulator.project_json(8)


def test_add_project_refuses_a_taken_id_or_unknown_account() -> None:
    """Ids are unique across accounts; accounts must exist."""
    emulator = Emulator(projects=0)
    emulator.add_project(id="x")

    with pytest.raises(ValueError, match="already exists"):
        emulator.add_project(id="x", account="other")
    with pytest.raises(ValueError, match="unknown account"):
        emulator.add_project(account="nobody")


def test_explicit_ids_are_never_generated_later() -> None:
    """An id added by hand is reserved, so generation cannot collide with it."""
    emulator = Emulator(projects=0, seed=5)
    probe = Emulator(projects=0, seed=5).generate_projects(1)[0].id

    emulator.add_project(id=probe)
    generated = emulator.generate_projects(20)

    assert probe not in [r.id for r in generated]


def test_in_progress_render_completes_on_the_clock() -> None:
    """A render started now completes after its seconds, with a generated date."""
    clock = FakeClock(start=50.0)
    emulator = Emulator(projects=0, clock=clock.time, now=NOW)
    record = emulator.add_project(id="r", in_progress=True, render_seconds=30)

    clock.advance(29.9)
    during = emulator.project_json("r")
    clock.advance(0.1)
    after = emulator.project_json("r")

    assert (True, "RENDER") == (during["inProgress"], during["step"])
    assert "videoURL" not in during
    assert (False, "COMPLETE") == (after["inProgress"], after["step"])
    assert NOW + timedelta(seconds=30) == record.generated


def test_reset_restores_projects_faults_and_counters() -> None:
    """``reset()`` brings back deleted projects and initial faults; ``stats_only`` not."""
    emulator = Emulator(projects=5, faults=Faults(latency=0.5))
    doomed = emulator.projects()[0].id
    emulator.handle("DELETE", f"{PROJECTS}/{doomed}", b"", _key(emulator))
    emulator.faults = Faults(rate_limit=1)

    emulator.reset(stats_only=True)
    gone = emulator.has_project(doomed)
    emulator.reset()

    assert (False, True) == (gone, emulator.has_project(doomed))
    assert 0.5 == emulator.faults.latency
    assert 0 == emulator.stats.total


def test_faults_validate_their_values() -> None:
    """Shares outside [0, 1], negative delays and unknown modes are refused."""
    for bad in (
        {"error_rate": 1.5},
        {"drop_rate": -0.1},
        {"error_rate": 0.6, "drop_rate": 0.6},
        {"latency": -1},
        {"rate_limit": 0},
        {"retry_after": "minutes"},
        {"error_statuses": (404,)},
        {"error_statuses": ()},
    ):
        with pytest.raises(ValueError):
            Faults(**bad)


def test_faults_round_trip_through_dicts() -> None:
    """``to_dict``/``from_dict`` round-trip; durations may be timedeltas; typos raise."""
    faults = Faults(latency=timedelta(milliseconds=20), rate_limit=5, error_statuses=(502,))

    data = faults.to_dict()

    assert 0.02 == faults.latency
    assert faults == Faults.from_dict(data)
    assert [502] == data["error_statuses"]
    assert 3.0 == Faults.from_dict({"burst": 3}, base=faults).bucket_size
    assert 5.0 == faults.bucket_size
    with pytest.raises(ValueError, match="unknown fault settings: latency_ms"):
        Faults.from_dict({"latency_ms": 20})


def test_rate_limiter_refills_at_its_rate() -> None:
    """A bucket of 2 at 4/s: two pass, the third waits 0.25 s, and passes after it."""
    limiter = RateLimiter(rate=4.0, size=2.0)

    waits = [limiter.take(b"k", 0.0) for _ in range(3)]
    later = limiter.take(b"k", 0.25)
    other = limiter.take(b"other", 0.25)

    assert [0.0, 0.0, 0.25] == waits
    assert (0.0, 0.0) == (later, other)


def test_scripted_faults_match_methods_in_order() -> None:
    """Scripted outcomes are consumed in order, by the methods they were scripted for."""
    scripted = ScriptedFaults()
    scripted.add(500, times=2, method="delete")
    scripted.add("drop", times=1, method=None)

    popped = [scripted.pop("GET"), scripted.pop("DELETE"), scripted.pop("DELETE")]

    assert ["drop", 500, 500] == popped
    assert (None, False) == (scripted.pop("DELETE"), bool(scripted))
    with pytest.raises(ValueError):
        scripted.add(404, times=1, method=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        scripted.add(500, times=0, method=None)


def test_page_keys_are_opaque_and_checked() -> None:
    """Page keys round-trip; anything else is refused."""
    cursor = (-1_700_000_000_000, "abc")

    assert cursor == decode_page_key(encode_page_key(cursor))
    for forged in ("%%%", "e30", "WzEsMl0", "eyJzIjoiYSIsImsiOiJiIn0"):
        with pytest.raises(ValueError, match="invalid page key"):
            decode_page_key(forged)


def _record(project_id: int | str, minute: int, **fields: object) -> ProjectRecord:
    return ProjectRecord(
        id=project_id,
        account=str(fields.pop("account", "a")),
        name="n",
        saved=NOW - timedelta(minutes=minute),
        asset_key=f"asset-{project_id}",
        share_token="t",
        **fields,  # type: ignore[arg-type]
    )


def test_store_pages_skip_deleted_entries_and_sweep_them() -> None:
    """After many deletes, pages still hold only live projects, newest first."""
    store = Store()
    for n in range(2500):
        store.add(_record(n, n))
    for n in range(2500):
        if n % 3:
            store.remove(str(n))

    page, after = store.page("a", None, None, 3)
    rest, _ = store.page("a", None, after, 10_000)

    assert [0, 3, 6] == [r.id for r in page]
    assert list(range(9, 2500, 3)) == [r.id for r in rest]
    assert None is store.remove("1")


def test_store_refuses_duplicates_and_lists_readded_ids_once() -> None:
    """Ids and asset keys are unique; an id deleted and added again is listed once."""
    store = Store()
    store.add(_record(1, 1))
    with pytest.raises(ValueError, match="id 1"):
        store.add(_record(1, 2))
    with pytest.raises(ValueError, match="asset key"):
        store.add(
            ProjectRecord(
                id=2, account="a", name="n", saved=NOW, asset_key="asset-1", share_token="t"
            )
        )

    store.remove("1")
    store.add(_record(1, 1))
    store.add(_record(3, 3, account="b", folder="f"))
    store.remove("3")
    store.add(_record(3, 3, account="b", folder="g"))

    assert [1] == [r.id for r in store.page("a", None, None, 10)[0]]
    assert [3] == [r.id for r in store.page("b", "g", None, 10)[0]]
    assert [] == store.page("b", "f", None, 10)[0]
    assert [] == store.page("a", "f", None, 10)[0]


def test_stats_reset_keeps_requests_in_flight() -> None:
    """Zeroing the counters does not forget requests still being served."""
    stats = Stats()
    stats.in_flight = 2
    stats.requests[("GET", "get", 200)] = 5

    stats.reset()

    assert (2, 0, {}) == (stats.in_flight, stats.total, stats.requests)


def test_fake_clock_moves_only_forward_and_records_sleeps() -> None:
    """The fake clock advances by sleeps and by hand, never backwards."""
    clock = FakeClock(start=10.0)

    clock.advance(2.5)

    assert 12.5 == clock.time()
    with pytest.raises(ValueError):
        clock.advance(-1)
    assert "FakeClock(now=12.5, sleeps=0)" == repr(clock)


async def test_fake_clock_sleep_advances_instead_of_waiting() -> None:
    """``sleep`` records its argument and moves the clock by it."""
    clock = FakeClock()

    await clock.sleep(3.0)
    await clock.sleep(-1.0)

    assert ([3.0, -1.0], 3.0) == (clock.sleeps, clock.time())


def test_handle_is_a_pure_decision_for_other_paths() -> None:
    """Paths outside API, CDN and admin are 404 and counted as ``other``."""
    emulator = Emulator(projects=0)

    reply = emulator.handle("GET", "/", b"", [])

    assert (404, False) == (reply.status, reply.drop)
    assert 1 == emulator.stats.count(route="other")
    assert repr(reply).startswith("Reply(status=404")
    assert isinstance(reply, Reply)


def test_info_describes_origins_and_keys() -> None:
    """``info()`` is what the command line prints first."""
    emulator = Emulator(projects=2, seed=9)

    info = emulator.info()

    assert "http://api.pictory.test/_emulator" == info["admin_url"]
    assert (25, emulator.page_size) == (info["page_size"], 25)
    assert (emulator.api_key, 9, 2 + 3) == (info["api_key"], info["seed"], info["projects"])


def test_now_defaults_to_midnight_of_the_wall_clock_day() -> None:
    """Without ``now``, dates lead up to midnight UTC of the wall clock's day."""
    emulator = Emulator(projects=0, wall_clock=lambda: 1_700_000_000.0)

    assert datetime(2023, 11, 14, tzinfo=timezone.utc) == emulator.now


async def test_asgi_app_speaks_lifespan_and_ignores_websockets() -> None:
    """The app completes the lifespan protocol and ignores scopes it does not serve."""
    emulator = Emulator(projects=0)
    incoming: list[MutableMapping[str, Any]] = [
        {"type": "lifespan.startup"},
        {"type": "lifespan.shutdown"},
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, object]) -> None:
        sent.append(dict(message))

    await emulator.app({"type": "lifespan"}, receive, send)
    await emulator.app({"type": "websocket"}, receive, send)

    assert [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}] == sent
    assert emulator is emulator.app.emulator


async def test_admin_body_reading_stops_at_a_disconnect() -> None:
    """An admin POST whose client went away is read as an empty body."""
    emulator = Emulator(projects=0)
    sent: list[MutableMapping[str, object]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/_emulator/reset", "query_string": b""}
    await emulator.app({**scope, "headers": []}, receive, send)

    assert 200 == sent[0]["status"]


class _Transport:
    """Stands in for the asyncio transport uvicorn keeps on its request cycle."""

    def __init__(self) -> None:
        self.closed = False

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


class _Cycle:
    """Stands in for uvicorn's request cycle, whose ``send`` method holds the transport."""

    def __init__(self) -> None:
        self.transport = _Transport()
        self.sent: list[MutableMapping[str, object]] = []

    async def send(self, message: MutableMapping[str, object]) -> None:
        self.sent.append(message)


async def test_drop_closes_the_servers_transport_when_it_can_reach_it() -> None:
    """Under a server that exposes its transport, a drop closes it and waits quietly."""
    emulator = Emulator(projects=1)
    emulator.fail_next("drop")
    cycle = _Cycle()
    incoming: list[MutableMapping[str, Any]] = [
        {"type": "http.request", "body": b""},
        {"type": "http.disconnect"},
    ]

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    scope = {"type": "http", "method": "GET", "path": PROJECTS, "query_string": b""}
    await emulator.app({**scope, "headers": _key(emulator)}, receive, cycle.send)

    assert (True, [], []) == (cycle.transport.closed, cycle.sent, incoming)
    assert 1 == emulator.stats.dropped


def test_seeded_renders_finish_after_the_render_duration() -> None:
    """Projects seeded with a render running finish ``render_duration`` later, as started ones."""
    clock = FakeClock(start=10.0)
    emulator = Emulator(projects=200, seed=3, now=NOW, clock=clock.time, render_duration=45)
    running = [record.id for record in emulator.projects() if record.in_progress]

    clock.advance(44.9)
    during = [emulator.project_json(project_id)["inProgress"] for project_id in running]
    clock.advance(0.1)
    after = [emulator.project_json(project_id) for project_id in running]

    assert len(running) > 3
    assert [True] * len(running) == during
    assert [("COMPLETE", False)] * len(running) == [(p["step"], p["inProgress"]) for p in after]
    assert all("videoURL" in project for project in after)


def test_projects_generated_later_render_for_the_duration_then_in_force() -> None:
    """A project generated running after ``set_render_duration`` takes the new duration."""
    clock = FakeClock()
    emulator = Emulator(projects=0, seed=3, now=NOW, clock=clock.time, in_progress_share=1.0)
    emulator.set_render_duration(5)

    [record] = emulator.generate_projects(1)
    clock.advance(5)

    assert 5 == record.render_done_at
    assert "COMPLETE" == emulator.project_json(record.id)["step"]


def test_a_render_time_range_still_draws_each_seeded_render() -> None:
    """``render_time=(low, high)`` draws each seeded render's time; the data stays the same."""
    clock = FakeClock()
    drawn = Emulator(projects=200, seed=3, now=NOW, clock=clock.time, render_time=(30, 600))
    default = Emulator(projects=200, seed=3, now=NOW, clock=clock.time)

    times = [r.render_done_at for r in drawn.projects() if r.render_done_at is not None]

    assert all(30 <= seconds <= 600 for seconds in times)
    assert len(set(times)) == len(times) > 3
    assert [r.id for r in drawn.projects()] == [r.id for r in default.projects()]


@pytest.mark.parametrize("render_time", [(-1.0, 5.0), (5.0, 1.0), (0.0, float("nan"))])
def test_a_bad_render_time_range_is_refused(render_time: tuple[float, float]) -> None:
    """A render time range that is negative, upside down or not a number is a ``ValueError``."""
    with pytest.raises(ValueError, match="render_time"):
        Emulator(projects=0, render_time=render_time)


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -5, True, "5"])
def test_add_project_refuses_a_render_time_that_never_ends(seconds: object) -> None:
    """``render_seconds`` must be a finite number >= 0: NaN or infinity would never finish."""
    emulator = Emulator(projects=0)

    with pytest.raises(ValueError, match="render_seconds"):
        emulator.add_project(in_progress=True, render_seconds=seconds)
    assert [] == emulator.projects()


def test_a_render_failure_scripted_many_times_is_kept_as_a_count() -> None:
    """``fail_next_render(times=10**15)`` costs no memory: renders fail until it is used up."""
    emulator = Emulator(projects=3, render_duration=0)
    emulator.fail_next_render(error_code="E1", times=10**15)
    emulator.fail_next_render(error_code="E2", times=1)

    jobs = [emulator.start_render(record.id) for record in emulator.projects()]

    assert ["E1", "E1", "E1"] == [job.failure[0] for job in jobs if job.failure is not None]


@pytest.mark.parametrize("times", [1.5, True, 0])
def test_scripted_faults_take_whole_counts(times: object) -> None:
    """``fail_next`` with a count that could never be used up (1.5, True) or 0 is refused."""
    with pytest.raises(ValueError, match="times"):
        ScriptedFaults().add(503, times=times, method=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        {"rate_limit": True},
        {"rate_limit": 1e-300},
        {"rate_limit": 10, "rate_limit_changes": [(1, 1e-5)]},
        {"burst": 0.5},
        {"burst": True},
        {"rate_limit_period": 1e300},
        {"latency": 86_401},
        {"jitter": float("nan")},
        {"latency": True},
        {"error_rate": True},
        {"error_statuses": (500.0,)},
        {"media_bytes_per_second": 0.5},
    ],
)
def test_faults_refuse_settings_no_answer_could_follow(bad: dict[str, Any]) -> None:
    """Bools as numbers, limits so low a 429 would point centuries ahead, delays over a day."""
    with pytest.raises(ValueError):
        Faults(**bad)


def test_faults_accept_the_extremes_they_document() -> None:
    """The lowest rate limit, a day of latency and a burst of 1 are valid settings."""
    faults = Faults(rate_limit=0.001, burst=1, latency=86_400, rate_limit_period=86_400, jitter=0)

    assert (0.001, 1.0, 86_400.0) == (faults.rate_limit, faults.bucket_size, faults.latency)
