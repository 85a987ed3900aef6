"""A pretend user's tests: only the plugin's fixtures and marker, nothing else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from pictory_async import AsyncPictory, NotFoundError
from pictory_async.emulator import Emulator, FakeClock, RunningEmulator

from .cleanup import back_up_video, delete_older_than

pytestmark = pytest.mark.asyncio  # these tests run in pytest-asyncio strict mode too


async def test_deletes_only_projects_older_than_the_cutoff(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Projects saved before the cutoff are deleted, the others are left alone."""
    cutoff = pictory_emulator.now - timedelta(days=90)
    expected = [r.id for r in pictory_emulator.projects() if r.saved < cutoff]

    deleted = await delete_older_than(pictory_client, cutoff)

    assert expected == deleted
    assert all(r.saved >= cutoff for r in pictory_emulator.projects())
    assert 30 == len(deleted) + len(pictory_emulator.projects())


@pytest.mark.pictory_emulator(projects=40, faults={"error_rate": 0.2, "drop_rate": 0.05})
async def test_cleanup_gets_through_a_flaky_api(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """5xx answers and dropped connections are retried: the same projects end up deleted."""
    cutoff = pictory_emulator.now - timedelta(days=180)
    expected = [r.id for r in pictory_emulator.projects() if r.saved < cutoff]

    deleted = await delete_older_than(pictory_client, cutoff)

    assert expected == deleted
    assert pictory_emulator.stats.errors_injected > 0
    assert pictory_emulator.stats.dropped > 0


@pytest.mark.pictory_emulator(faults={"rate_limit": 5, "burst": 2})
async def test_cleanup_waits_out_the_rate_limit_on_fake_time(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """Under a 5/s rate limit the cleanup still finishes, waiting on the fake clock only."""
    cutoff = pictory_emulator.now

    deleted = await delete_older_than(pictory_client, cutoff)

    assert 30 == len(deleted)
    assert [] == pictory_emulator.projects()
    assert pictory_emulator.stats.rate_limited > 0
    assert pictory_clock.time() - 1000.0 >= (32 - 2) / 5  # 32 requests, a burst of 2


async def test_cleanup_can_stay_in_one_folder(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """With a folder, projects outside it survive whatever their age."""
    folder = pictory_emulator.folders()[0]
    outside = [r.id for r in pictory_emulator.projects() if r.folder != folder]

    await delete_older_than(pictory_client, pictory_emulator.now, folder=folder)

    assert outside == [r.id for r in pictory_emulator.projects()]


async def test_backup_downloads_the_video_without_sending_the_key(
    pictory_client: AsyncPictory,
    pictory_cdn: httpx.AsyncClient,
    pictory_emulator: Emulator,
    tmp_path: Path,
) -> None:
    """The video lands on disk intact, and the CDN never saw an Authorization header."""
    project = pictory_emulator.add_project(id="to-back-up", in_progress=False)

    path, digest = await back_up_video(pictory_client, pictory_cdn, project.id, tmp_path)

    assert pictory_emulator.asset_sha256(project.id, "video") == digest
    assert pictory_emulator.asset("to-back-up", "video") == path.read_bytes()
    assert not pictory_emulator.stats.cdn_authorization_seen


async def test_backup_waits_for_the_render_to_finish(
    pictory_client: AsyncPictory,
    pictory_cdn: httpx.AsyncClient,
    pictory_emulator: Emulator,
    pictory_clock: FakeClock,
    tmp_path: Path,
) -> None:
    """While the render runs there is no video; after its time on the fake clock there is."""
    pictory_emulator.add_project(id="rendering", in_progress=True, render_seconds=120)

    with pytest.raises(LookupError, match="no video yet"):
        await back_up_video(pictory_client, pictory_cdn, "rendering", tmp_path)
    pictory_clock.advance(120)
    path, _ = await back_up_video(pictory_client, pictory_cdn, "rendering", tmp_path)

    assert pictory_emulator.asset("rendering", "video") == path.read_bytes()


async def test_backup_of_a_missing_project_is_not_found(
    pictory_client: AsyncPictory, pictory_cdn: httpx.AsyncClient, tmp_path: Path
) -> None:
    """A project id nobody has raises the client's ``NotFoundError``."""
    with pytest.raises(NotFoundError):
        await back_up_video(pictory_client, pictory_cdn, "no-such-project", tmp_path)


@pytest.mark.pictory_emulator(transport="socket", projects=12)
async def test_the_same_over_a_real_socket(
    pictory_client: AsyncPictory,
    pictory_cdn: httpx.AsyncClient,
    pictory_server: RunningEmulator,
    pictory_emulator: Emulator,
    tmp_path: Path,
) -> None:
    """With ``transport="socket"`` the client talks to a loopback server instead."""
    keep = pictory_emulator.add_project(id="keep", in_progress=False, saved=pictory_emulator.now)

    _, digest = await back_up_video(pictory_client, pictory_cdn, keep.id, tmp_path)
    deleted = await delete_older_than(pictory_client, pictory_emulator.now - timedelta(days=1))

    assert pictory_server.base_url == pictory_client.base_url
    assert pictory_emulator.asset_sha256("keep", "video") == digest
    assert "keep" not in deleted
    assert 12 == len(deleted) + len(pictory_emulator.projects()) - 1
