"""The ``/_emulator/`` admin routes, for servers running in another process."""

from __future__ import annotations

import httpx
import pytest

from pictory_async.emulator import Emulator

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
