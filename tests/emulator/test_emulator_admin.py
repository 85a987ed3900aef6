"""The ``/_emulator/`` admin routes, for servers running in another process."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx
import pytest

from pictory_async.emulator import Emulator, FakeClock, RemoteEmulator, serve

from .support import PROJECTS, Conn


async def test_stats_route_reports_the_counters_and_is_not_counted(conn: Conn) -> None:
    """``GET /_emulator/stats`` is the counters as a dict; admin calls are not counted."""
    await conn.api.get(PROJECTS)

    first = (await conn.anon.get("/_emulator/stats")).json()
    second = (await conn.anon.get("/_emulator/stats")).json()

    assert first == second == conn.emulator.stats.to_dict()
    assert (1, {"list": 1}) == (first["total"], first["by_route"])
    assert [{"method": "GET", "route": "list", "status": 200, "count": 1}] == first["requests"]


async def test_faults_route_reads_and_changes_settings(conn: Conn) -> None:
    """``POST /_emulator/faults`` changes only the settings given, and answers them all."""
    changed = await conn.anon.post("/_emulator/faults", json={"latency": 0.02, "rate_limit": 50})
    read = await conn.anon.get("/_emulator/faults")

    assert 200 == changed.status_code
    assert changed.json() == read.json() == conn.emulator.faults.to_dict()
    assert (0.02, 50, "seconds") == (
        conn.emulator.faults.latency,
        conn.emulator.faults.rate_limit,
        conn.emulator.faults.retry_after,
    )


@pytest.mark.parametrize(
    "body",
    [b'{"error_rate": 2}', b'{"latency_ms": 20}', b"[1, 2]", b"{not json"],
    ids=["out-of-range", "unknown", "not-an-object", "not-json"],
)
async def test_faults_route_refuses_bad_settings(conn: Conn, body: bytes) -> None:
    """Invalid settings are a 400 with a message, and nothing changes."""
    before = conn.emulator.faults

    response = await conn.anon.post("/_emulator/faults", content=body)

    assert 400 == response.status_code
    assert response.json()["message"]
    assert before == conn.emulator.faults


async def test_reset_route_restores_the_seeded_state(conn: Conn) -> None:
    """``POST /_emulator/reset`` brings deleted projects back; ``stats_only`` does not."""
    project_id = conn.emulator.projects()[0].id
    await conn.api.delete(f"{PROJECTS}/{project_id}")

    await conn.anon.post("/_emulator/reset", json={"stats_only": True})
    kept_deleted = not conn.emulator.has_project(project_id)
    reset = await conn.anon.post("/_emulator/reset")

    assert {"reset": True} == reset.json()
    assert (True, True, 0) == (
        kept_deleted,
        conn.emulator.has_project(project_id),
        conn.emulator.stats.total,
    )


async def test_fail_next_route_scripts_an_outcome(conn: Conn) -> None:
    """``POST /_emulator/fail-next`` scripts the next request's outcome."""
    await conn.anon.post("/_emulator/fail-next", json={"outcome": 503, "method": "GET"})

    statuses = [(await conn.api.get(PROJECTS)).status_code for _ in range(2)]

    assert [503, 200] == statuses


async def test_projects_route_generates_or_adds_projects(conn: Conn) -> None:
    """``POST /_emulator/projects`` generates ``count`` projects or adds one as given."""
    generated = await conn.anon.post("/_emulator/projects", json={"count": 3, "account": "other"})
    added = await conn.anon.post(
        "/_emulator/projects",
        json={"id": "given", "name": "Given", "saved": "2025-06-01T10:00:00.000Z"},
    )
    plain = await conn.anon.post("/_emulator/projects", json={"name": "Plain"})

    ids = generated.json()["ids"]
    assert 3 == len(ids)
    assert all(conn.emulator.project(i).account == "other" for i in ids)  # type: ignore[union-attr]
    assert {"ids": ["given"]} == added.json()
    assert "2025-06-01T10:00:00.000Z" == conn.emulator.project_json("given")["saveDate"]
    assert "Plain" == conn.emulator.project_json(plain.json()["ids"][0])["projectName"]


async def test_assets_route_gives_urls_and_checksums(conn: Conn) -> None:
    """``GET /_emulator/projects/{id}/assets`` lists each file's URL, SHA-256 and size."""
    project_id = conn.emulator.add_project(id="a1", in_progress=False).id

    assets = (await conn.anon.get(f"/_emulator/projects/{project_id}/assets")).json()
    missing = await conn.anon.get("/_emulator/projects/none/assets")

    assert ["video", "audio", "thumbnail", "srt", "vtt", "txt"] == list(assets)
    assert conn.emulator.asset_sha256(project_id, "srt") == assets["srt"]["sha256"]
    assert len(conn.emulator.asset(project_id, "video")) == assets["video"]["size"]
    assert 404 == missing.status_code


async def test_info_route_and_unknown_routes(conn: Conn) -> None:
    """``GET /_emulator/info`` gives origins and keys; other names 404, wrong methods 405."""
    info = (await conn.anon.get("/_emulator/info")).json()
    unknown = await conn.anon.get("/_emulator/nothing")
    wrong_method = await conn.anon.delete("/_emulator/stats")

    assert conn.emulator.info() == info
    assert (404, 405) == (unknown.status_code, wrong_method.status_code)


async def test_admin_routes_can_be_turned_off() -> None:
    """With ``admin=False`` the admin routes do not exist."""
    emulator = Emulator(projects=1, admin=False)

    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url=emulator.base_url
    ) as http:
        response = await http.get("/_emulator/stats")

    assert 404 == response.status_code


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("projects", b'{"saved": 5}'),
        ("projects", b'{"saved": "not-a-date"}'),
        ("projects", b'{"id": [1, 2]}'),
        ("projects", b'{"id": {"a": 1}}'),
        ("projects", b'{"id": true}'),
        ("projects", b'{"scenes": 5}'),
        ("projects", b'{"name": 7}'),
        ("projects", b'{"account": 3}'),
        ("projects", b'{"count": 300000}'),
        ("projects", b'{"count": "5"}'),
        ("projects", b'{"count": 0}'),
        ("fail-next", b"{}"),
        ("fail-next", b'{"outcome": 500, "times": "x"}'),
        ("fail-next", b'{"outcome": 500, "method": 5}'),
        ("fail-next", b'{"outcome": true}'),
        ("reset", b"[1]"),
    ],
)
async def test_admin_routes_refuse_bad_input_with_a_400(
    conn: Conn, route: str, body: bytes
) -> None:
    """Malformed admin input is a 400 with a message (not a 500), and nothing is added."""
    before = len(conn.emulator.projects())
    response = await conn.anon.post(f"/_emulator/{route}", content=body)
    assert 400 == response.status_code, response.text
    assert response.json()["message"]
    assert before == len(conn.emulator.projects())


async def test_an_admin_added_project_with_a_null_id_gets_one(conn: Conn) -> None:
    """``{"id": null}`` adds a project with a generated id."""
    response = await conn.anon.post("/_emulator/projects", json={"id": None, "name": "N"})
    [new_id] = response.json()["ids"]
    assert "N" == conn.emulator.project_json(new_id)["projectName"]


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("fail-next-render", b'{"times": 1000000000000000}'),
        ("fail-next-render", b'{"times": 0}'),
        ("fail-next-render", b'{"kind": "render"}'),
        ("fail-next-job", b'{"kind": "lunch"}'),
        ("fail-next-job", b'{"kind": 3}'),
        ("fail-next-job", b'{"error_code": ""}'),
        ("fail-next-job", b'{"times": 0}'),
        ("fail-next", b'{"outcome": 503, "times": 1000000000000000}'),
        ("faults", b'{"rate_limit": true}'),
        ("faults", b'{"rate_limit": 1e-300, "burst": 1, "retry_after": "date"}'),
        ("faults", b'{"rate_limit": 5, "rate_limit_changes": [[1, 1e-300]]}'),
        ("faults", b'{"burst": 0.5, "rate_limit": 5}'),
        ("faults", b'{"rate_limit_period": 1e300, "rate_limit": 5}'),
        ("faults", b'{"latency": 1e300}'),
        ("faults", b'{"drop_rate": true}'),
        ("faults", b'{"error_statuses": [500.0]}'),
        ("faults", b'{"media_bytes_per_second": 1e-300}'),
        ("projects", b'{"in_progress": true, "render_seconds": NaN}'),
        ("projects", b'{"in_progress": true, "render_seconds": Infinity}'),
        ("projects", b'{"in_progress": true, "render_seconds": -5}'),
        ("projects", b'{"id": 1' + b"0" * 250 + b"}"),
        ("projects", b'{"id": -1}'),
        ("projects", b'{"id": "a/b?c"}'),
        ("projects", b'{"id": "a\\nb"}'),
        ("projects", b'{"id": ".."}'),
        ("projects", b'{"id": "' + b"x" * 201 + b'"}'),
        ("projects", b'{"saved": "2025-01-01T00:00:00"}'),
        ("projects", b'{"saved": "0001-01-01T00:00:00+00:00"}'),
        ("projects", b'{"generated": "2025-01-01T00:00:00Z"}'),
        ("projects", b'{"render_done_at": 5}'),
        ("projects", b'{"step": 5}'),
        ("projects", b'{"video_duration": NaN}'),
        ("projects", b'{"name": null}'),
        ("projects", b'{"scene_settings": null}'),
    ],
)
async def test_admin_routes_refuse_out_of_range_input_and_keep_serving(
    conn: Conn, route: str, body: bytes
) -> None:
    """Values a route could not serve are a 400; settings stay as they were and the API answers."""
    faults_before = conn.emulator.faults
    projects_before = len(conn.emulator.projects())

    response = await conn.anon.post(f"/_emulator/{route}", content=body)
    listing = [(await conn.api.get(PROJECTS)).status_code for _ in range(3)]
    rendered = await conn.api.post(f"{PROJECTS}/{conn.emulator.projects()[0].id}/render")

    assert 400 == response.status_code, response.text
    assert response.json()["message"]
    assert (faults_before, projects_before) == (conn.emulator.faults, len(conn.emulator.projects()))
    assert [200, 200, 200] == listing
    assert (200, None) == (rendered.status_code, conn.emulator.jobs()[0].failure)


async def test_the_lowest_rate_limit_answers_a_retry_after_date(conn: Conn) -> None:
    """At the lowest rate limit, a 429's ``Retry-After`` date is the wait, within 1,000 s."""
    await conn.anon.post(
        "/_emulator/faults", json={"rate_limit": 0.001, "burst": 1, "retry_after": "date"}
    )

    first = await conn.api.get(PROJECTS)
    refused = await conn.api.get(PROJECTS)

    assert (200, 429) == (first.status_code, refused.status_code)
    waited = parsedate_to_datetime(refused.headers["retry-after"]) - datetime.now(timezone.utc)
    assert 900 < waited.total_seconds() <= 1001


async def test_a_scripted_render_failure_counts_its_renders(conn: Conn) -> None:
    """``fail-next-render`` with ``times`` fails that many renders, then renders succeed."""
    await conn.anon.post("/_emulator/render-duration", json={"seconds": 0})
    scripted = await conn.anon.post(
        "/_emulator/fail-next-render", json={"error_code": "E1", "times": 2}
    )
    for record in conn.emulator.projects()[:3]:
        await conn.api.post(f"{PROJECTS}/{record.id}/render")

    failures = [job.failure for job in reversed(conn.emulator.jobs())]
    assert 200 == scripted.status_code
    assert [("E1", "The render failed")] * 2 + [None] == failures


async def test_fail_next_job_over_http_fails_the_next_jobs_of_a_kind(conn: Conn) -> None:
    """``fail-next-job`` with a kind fails that kind's next jobs; others go on."""
    scripted = await conn.anon.post(
        "/_emulator/fail-next-job", json={"kind": "storyboard", "times": 2, "error_code": "E2"}
    )
    body = {"scenes": [{"story": "Hello."}]}
    for path in ("storyboard/render", "storyboard", "storyboard", "storyboard"):
        await conn.api.post(f"/pictoryapis/v2/video/{path}", json=body)

    failures = [(job.kind, job.failure) for job in reversed(conn.emulator.jobs())]
    failed = ("E2", "The video could not be created")
    assert (200, {"scripted": True}) == (scripted.status_code, scripted.json())
    assert [
        ("render", None),
        ("storyboard", failed),
        ("storyboard", failed),
        ("storyboard", None),
    ] == failures


async def test_remote_fail_next_job(emulator: Emulator, clock: FakeClock) -> None:
    """``RemoteEmulator.fail_next_job`` scripts the server's next job failure."""
    async with serve(emulator) as running:
        remote = RemoteEmulator(emulator.info(), pid=0)
        try:
            await remote.fail_next_job(error_code="E3", kind="transcription")
        finally:
            await remote.aclose()
        async with httpx.AsyncClient(
            base_url=running.base_url, headers={"Authorization": emulator.api_key}
        ) as api:
            started = await api.post(
                "/pictoryapis/v2/transcription", json={"fileUrl": "https://x.test/a.mp4"}
            )
            clock.advance(emulator.render_duration)
            job = await api.get(f"/pictoryapis/v1/jobs/{started.json()['data']['jobId']}")

    assert (False, "E3") == (job.json()["success"], job.json()["data"]["error_code"])


async def test_templates_added_over_http_and_remotely(emulator: Emulator) -> None:
    """``POST /_emulator/templates`` and ``RemoteEmulator.add_template`` add listed templates."""
    async with serve(emulator):
        remote = RemoteEmulator(emulator.info(), pid=0)
        try:
            added = await remote.add_template(
                name="Promo", scenes=["Hi {{who}}."], variables={"who": "you"}, template_id="t1"
            )
            async with httpx.AsyncClient(base_url=emulator.base_url) as admin:
                refused = await admin.post("/_emulator/templates", json={"name": "x"})
                taken = await admin.post(
                    "/_emulator/templates", json={"name": "x", "scenes": ["y"], "template_id": "t1"}
                )
        finally:
            await remote.aclose()

    assert ("t1", {"who": "you"}) == (added["templateId"], added["variables"])
    assert added == emulator.templates()[-1]
    assert (400, 400) == (refused.status_code, taken.status_code)


async def test_brands_added_over_http_and_remotely(emulator: Emulator) -> None:
    """``POST /_emulator/brands`` and ``RemoteEmulator.add_brand`` give an account a brand."""
    async with serve(emulator):
        remote = RemoteEmulator(emulator.info(), pid=0)
        try:
            added = await remote.add_brand(name="Lumen", brand_id="brand_42")
            other = await remote.add_brand(name="Globex", account="other")
            async with httpx.AsyncClient(base_url=emulator.base_url) as admin:
                taken = await admin.post(
                    "/_emulator/brands", json={"name": "Again", "brand_id": "brand_42"}
                )
                typo = await admin.post("/_emulator/brands", json={"nmae": "x"})
        finally:
            await remote.aclose()

    assert {"id": "brand_42", "name": "Lumen"} == added == emulator.brands()[-1]
    assert other == emulator.brands("other")[-1]
    assert "Globex" not in [brand["name"] for brand in emulator.brands()]
    assert (400, 400) == (taken.status_code, typo.status_code)


async def test_an_added_project_saved_with_an_offset_is_stored_in_utc(conn: Conn) -> None:
    """A ``saved`` date with another offset is the same moment in UTC, and lists in order."""
    response = await conn.anon.post(
        "/_emulator/projects", json={"id": "east", "saved": "2025-06-01T12:00:00+02:00"}
    )
    listing = await conn.api.get(PROJECTS)

    assert (200, 200) == (response.status_code, listing.status_code)
    assert "2025-06-01T10:00:00.000Z" == conn.emulator.project_json("east")["saveDate"]
    assert timezone.utc == conn.emulator.project("east").saved.tzinfo  # type: ignore[union-attr]
