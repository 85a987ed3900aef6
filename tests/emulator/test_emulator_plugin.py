"""The pytest plugin: fixtures, the marker, and a foreign suite in strict mode."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from pictory_async import AsyncPictory
from pictory_async.emulator import Emulator, FakeClock, Faults

FOREIGN_SUITE = """
import pytest

@pytest.mark.asyncio
async def test_client_in_strict_mode(pictory_client, pictory_emulator):
    project = pictory_emulator.projects()[0]
    assert project.name == (await pictory_client.projects.get(project.id)).project_name

@pytest.mark.asyncio
@pytest.mark.pictory_emulator(transport="socket", projects=2)
async def test_socket_in_strict_mode(pictory_client, pictory_server):
    assert pictory_server.base_url == pictory_client.base_url

@pytest.mark.pictory_emulator(5)
def test_positional_marker_arguments(pictory_emulator):
    pass

@pytest.mark.pictory_emulator(transport="carrier-pigeon")
def test_unknown_transport(pictory_emulator):
    pass
"""


def test_the_marker_configures_the_emulator_on_fake_time(
    pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """Without a marker: the default options, and the shared fake clock and sleep."""
    assert 20 == len(pictory_emulator.projects())
    assert pictory_clock.sleep == pictory_emulator.sleep
    assert Faults() == pictory_emulator.faults


@pytest.mark.pictory_emulator(projects=3, seed=5, faults=Faults(latency=0.5))
def test_the_marker_takes_emulator_options_and_faults(pictory_emulator: Emulator) -> None:
    """Marker keywords are emulator options; ``faults`` may be a ``Faults``."""
    assert 3 == len(pictory_emulator.projects())
    assert (5, 0.5) == (pictory_emulator.seed, pictory_emulator.faults.latency)


@pytest.mark.pictory_emulator(real_time=True, faults={"rate_limit": 3})
def test_real_time_keeps_the_real_clock(pictory_emulator: Emulator) -> None:
    """``real_time=True`` leaves the real sleep in place; ``faults`` may be a dict."""
    assert asyncio.sleep == pictory_emulator.sleep
    assert 3 == pictory_emulator.faults.rate_limit


@pytest.mark.pictory_emulator(client_options={"max_retries": 0})
async def test_client_options_reach_the_client(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``client_options`` are passed to ``AsyncPictory``; the key is the main account's."""
    project = pictory_emulator.projects()[0]

    fetched = await pictory_client.projects.get(project.id)

    assert 0 == pictory_client.max_retries
    assert project.id == fetched.id
    assert 1 == pictory_emulator.stats.count(status=200)


async def test_cdn_fixture_downloads_in_process(
    pictory_cdn: httpx.AsyncClient, pictory_emulator: Emulator
) -> None:
    """``pictory_cdn`` reaches the in-process CDN, with no key."""
    record = pictory_emulator.add_project(id="cdn", in_progress=False)

    response = await pictory_cdn.get(pictory_emulator.asset_url(record.id, "thumbnail"))

    assert pictory_emulator.asset(record.id, "thumbnail") == response.content
    assert not pictory_emulator.stats.cdn_authorization_seen


def test_a_foreign_suite_in_strict_mode(tmp_path: Path) -> None:
    """As an entry point, the plugin serves a foreign suite in strict mode, checking markers."""
    (tmp_path / "test_foreign.py").write_text(textwrap.dedent(FOREIGN_SUITE))
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\n"
    )

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )

    assert "2 passed, 2 errors" in result.stdout, result.stdout + result.stderr
    assert "takes keyword arguments only" in result.stdout
    assert "transport must be 'asgi' or 'socket'" in result.stdout
