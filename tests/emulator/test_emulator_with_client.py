"""The real ``AsyncPictory`` against the emulator, over loopback and in process alike.

Every test runs twice: through the default transport over a real socket, and in
process through ``httpx.ASGITransport``. Time is fake on both sides (one clock shared
by the emulator and the client), so retries never really wait.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pictory_async import (
    AsyncPictory,
    AuthenticationError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
)
from pictory_async.emulator import Emulator, FakeClock, RetryAfterMode

Connect = Callable[[str], AsyncPictory]


@pytest.fixture(params=["socket", "asgi"])
def pictory_emulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """45 projects in pages of 10, served over loopback or in process."""
    return {
        "transport": request.param,
        "projects": 45,
        "seed": 8,
        "page_size": 10,
        "in_progress_share": 0.0,
    }


@pytest.fixture
async def connect(
    pictory_emulator_options: dict[str, Any],
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    pictory_clock: FakeClock,
) -> AsyncIterator[Connect]:
    """Open more clients on the same emulator and transport, with other API keys."""
    clients: list[AsyncPictory] = []
    http = httpx.AsyncClient(transport=pictory_emulator.transport())
    socket = pictory_emulator_options["transport"] == "socket"
    base_url = pictory_client.base_url if socket else None

    def factory(api_key: str) -> AsyncPictory:
        options: dict[str, Any] = {"sleep": pictory_clock.sleep, "clock": pictory_clock.time}
        if base_url is None:
            options.update(base_url=pictory_emulator.base_url, http_client=http)
        else:
            options.update(base_url=base_url)
        clients.append(AsyncPictory(api_key, **options))
        return clients[-1]

    async with http:
        yield factory
        for client in clients:
            await client.aclose()


async def test_get_returns_the_project(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``projects.get`` returns v2 (int id) and v3 (str id) projects with their fields."""
    records = pictory_emulator.projects()
    v2 = next(r for r in records if isinstance(r.id, int))
    v3 = next(r for r in records if isinstance(r.id, str))

    for record in (v2, v3):
        project = await pictory_client.projects.get(record.id)
        assert record.id == project.id
        assert record.name == project.project_name
        assert record.saved == project.save_date
        assert pictory_emulator.asset_url(record.id, "video") == project.video_url
        assert False is project.in_progress
        assert pictory_emulator.project_json(record.id) == dict(project.raw)


async def test_delete_removes_the_project(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``projects.delete`` reports success with the API's message, and the project is gone."""
    project_id = pictory_emulator.projects()[0].id

    result = await pictory_client.projects.delete(project_id)

    assert (True, "Project deleted successfully", False) == (
        result.success,
        result.message,
        result.already_absent,
    )
    assert not pictory_emulator.has_project(project_id)
    assert 1 == pictory_emulator.stats.deletes_applied


async def test_list_walks_every_page(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``projects.list`` yields every project across pages, newest first."""
    ids = [summary.id async for summary in pictory_client.projects.list()]

    assert [r.id for r in pictory_emulator.projects()] == ids
    assert 5 == pictory_emulator.stats.count(route="list", status=200)


async def test_list_filters_by_folder(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``projects.list(folder=...)`` yields only that folder's projects."""
    folder = pictory_emulator.folders()[1]

    ids = [summary.id async for summary in pictory_client.projects.list(folder=folder)]

    assert [r.id for r in pictory_emulator.projects() if r.folder == folder] == ids


async def test_wrong_key_is_an_authentication_error(
    connect: Connect, pictory_emulator: Emulator
) -> None:
    """A key the API does not know raises ``AuthenticationError`` (401), not retried."""
    client = connect("pictai_not_a_real_key")

    with pytest.raises(AuthenticationError) as error:
        await client.projects.get(pictory_emulator.projects()[0].id)

    assert 401 == error.value.status_code
    assert 1 == pictory_emulator.stats.count(status=401)


async def test_another_accounts_project_is_permission_denied(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Another account's project raises ``PermissionDeniedError`` (403) and survives."""
    theirs = pictory_emulator.projects("other")[0].id

    with pytest.raises(PermissionDeniedError) as error:
        await pictory_client.projects.delete(theirs)

    assert 403 == error.value.status_code
    assert "You do not have permission to access this project" == error.value.message
    assert pictory_emulator.has_project(theirs)


async def test_unknown_project_is_not_found(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Unknown ids raise ``NotFoundError``; ``missing_ok`` reports them already absent."""
    project_id = pictory_emulator.projects()[0].id
    await pictory_client.projects.delete(project_id)

    with pytest.raises(NotFoundError):
        await pictory_client.projects.get(project_id)
    with pytest.raises(NotFoundError):
        await pictory_client.projects.delete(project_id)
    again = await pictory_client.projects.delete(project_id, missing_ok=True)

    assert (True, True) == (again.success, again.already_absent)
    assert 3 == pictory_emulator.stats.count(status=404)


@pytest.mark.parametrize("mode", ["seconds", "date", "none"])
async def test_rate_limit_is_waited_out_in_each_retry_after_form(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    pictory_clock: FakeClock,
    mode: RetryAfterMode,
) -> None:
    """After a 429, whatever its Retry-After form, the client waits on its sleep and retries."""
    project_id = pictory_emulator.projects()[0].id
    pictory_emulator.set_faults(rate_limit=10, burst=1, retry_after=mode)

    first = await pictory_client.projects.get(project_id)
    second = await pictory_client.projects.get(project_id)

    assert first == second
    assert 1 == pictory_emulator.stats.rate_limited
    waits = [delay for delay in pictory_clock.sleeps if delay > 0]
    assert waits
    if mode == "seconds":
        assert 1.0 == pytest.approx(max(waits), abs=0.05)
    elif mode == "date":
        assert 0.0 < max(waits) <= 2.0


async def test_bad_gateway_html_page_is_a_server_error(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """An HTML 502 is retried; without retries it raises ``InternalServerError``."""
    project_id = pictory_emulator.projects()[0].id
    pictory_emulator.fail_next(502)

    project = await pictory_client.projects.get(project_id)
    pictory_emulator.fail_next(502)
    with pytest.raises(InternalServerError) as error:
        await pictory_client.with_options(max_retries=0).projects.get(project_id)

    assert project_id == project.id
    assert 502 == error.value.status_code
    assert "502 Bad Gateway" == error.value.message
    assert 2 == pictory_emulator.stats.count(status=502)


async def test_lost_delete_response_is_reported_as_deleted(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A DELETE applied whose answer is lost: the retry's 404 means it was deleted."""
    project_id = pictory_emulator.projects()[0].id
    pictory_emulator.fail_next("drop_after_apply", method="DELETE")

    result = await pictory_client.projects.delete(project_id)

    assert (True, True, False) == (
        result.success,
        result.inferred_from_retry,
        result.already_absent,
    )
    assert not pictory_emulator.has_project(project_id)
    stats = pictory_emulator.stats
    assert (1, 1, 1) == (
        stats.deletes_applied,
        stats.dropped_after_apply,
        stats.count(method="DELETE", status=404),
    )


async def test_media_download_reaches_the_cdn_without_the_key(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_cdn: httpx.AsyncClient
) -> None:
    """Media URLs from ``get`` download real bytes, and no Authorization reaches the CDN."""
    record = pictory_emulator.projects()[0]
    project = await pictory_client.projects.get(record.id)

    for kind, url in project.assets.items():
        response = await pictory_cdn.get(url)
        assert 200 == response.status_code
        digest = hashlib.sha256(response.content).hexdigest()
        assert pictory_emulator.asset_sha256(record.id, kind) == digest

    seen = list(pictory_emulator.stats.cdn_requests)
    assert 6 == len(seen)
    assert [] == [request.path for request in seen if "authorization" in request.headers]
    assert 1 == pictory_emulator.stats.count(route="get", status=200)
