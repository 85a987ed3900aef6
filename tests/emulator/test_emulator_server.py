"""Serving over loopback: in this event loop, and as a command in another process."""

from __future__ import annotations

import sys

import httpx
import pytest

from pictory_async.emulator import (
    DEFAULT_BASE_URL,
    DEFAULT_CDN_BASE_URL,
    Emulator,
    RemoteEmulator,
    serve,
    spawn,
)
from pictory_async.emulator.__main__ import main

from .support import PROJECTS, TLS


async def test_serve_binds_loopback_on_two_free_ports() -> None:
    """API and CDN listen on 127.0.0.1, on two ports; origins are restored on exit."""
    emulator = Emulator(projects=3)

    async with serve(emulator) as running:
        api_port = running.base_url.rsplit(":", 1)[1]
        cdn_port = running.cdn_base_url.rsplit(":", 1)[1]
        origins = (emulator.base_url, emulator.cdn_base_url)

    assert running.base_url.startswith("http://127.0.0.1:")
    assert running.cdn_base_url.startswith("http://127.0.0.1:")
    assert api_port != cdn_port
    assert (running.base_url, running.cdn_base_url) == origins
    assert (DEFAULT_BASE_URL, DEFAULT_CDN_BASE_URL) == (emulator.base_url, emulator.cdn_base_url)
    assert emulator.api_key == running.api_key
    assert "RunningEmulator(base_url='http://127.0.0.1:" in repr(running)


async def test_serve_builds_an_emulator_from_options() -> None:
    """Options make a new emulator; options and an emulator together are refused."""
    async with serve(projects=4, seed=2) as running:
        projects = running.emulator.projects()

    assert 4 == len(projects)
    with pytest.raises(TypeError):
        async with serve(Emulator(), projects=4):
            pass  # pragma: no cover


async def test_serve_refuses_a_port_in_use() -> None:
    """Asking for a port another server listens on fails at once, leaking nothing."""
    async with serve(projects=1) as running:
        port = int(running.base_url.rsplit(":", 1)[1])
        with pytest.raises(OSError):
            async with serve(projects=1, port=port):
                pass  # pragma: no cover


async def test_serve_stops_with_keep_alive_connections_open() -> None:
    """Leaving the block closes idle keep-alive connections instead of waiting on them."""
    async with httpx.AsyncClient(verify=TLS, trust_env=False) as http:
        async with serve(projects=2) as running:
            first = await http.get(running.base_url + PROJECTS)
        with pytest.raises(httpx.TransportError):
            await http.get(running.base_url + PROJECTS)

    assert 401 == first.status_code


async def test_command_line_server_in_another_process() -> None:
    """The command line prints its origins and keys, serves, and obeys its admin routes."""
    args = ["--projects", "12", "--seed", "4", "--latency-ms", "5", "--retry-after", "date"]
    async with (
        spawn(args=args, cpu=0) as remote,
        httpx.AsyncClient(base_url=remote.base_url, verify=TLS, trust_env=False) as http,
    ):
        key = {"Authorization": remote.api_key}
        listed = (await http.get(PROJECTS, headers=key)).json()
        await remote.fail_next(502, method="GET")
        failed = await http.get(PROJECTS, headers=key)
        faults = await remote.set_faults(rate_limit=100)
        stats = await remote.stats()
        ids = await remote.generate_projects(2, account="other")
        assets = await remote.assets(listed["items"][0]["id"])
        audio = await http.get(assets["audio"]["url"])
        await remote.reset()
        after_reset = await remote.stats()
        read_back = await remote.faults()

    assert remote.info["pid"] == remote.pid
    assert Emulator(seed=4).api_keys == remote.api_keys
    assert remote.cdn_base_url.startswith("http://127.0.0.1:")
    assert 12 == len(listed["items"])
    assert 502 == failed.status_code
    assert (0.005, 100, "date") == (faults.latency, faults.rate_limit, faults.retry_after)
    assert {"GET 200": 1, "GET 502": 1} == stats["by_method_status"]
    assert 2 == len(ids)
    assert (200, len(audio.content)) == (audio.status_code, assets["audio"]["size"])
    assert (0, None) == (after_reset["total"], read_back.rate_limit)
    assert repr(remote).startswith("RemoteEmulator(base_url='http://127.0.0.1:")


async def test_spawn_reports_a_server_that_does_not_start() -> None:
    """A child that exits without printing its first line is an error, not a hang."""
    with pytest.raises(RuntimeError, match="did not start"):
        async with spawn(args=["--error-rate", "2"], python=sys.executable):
            pass  # pragma: no cover


def test_command_line_refuses_invalid_settings(capsys: pytest.CaptureFixture[str]) -> None:
    """Invalid fault settings end the command with a usage error."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--drop-rate", "1.5"])

    assert 2 == exit_info.value.code
    assert "drop_rate must be between 0 and 1" in capsys.readouterr().err


def test_remote_controls_have_the_emulator_names(emulator: Emulator) -> None:
    """Every control of ``RemoteEmulator`` is an ``Emulator`` method or attribute of that name."""
    remote = {
        name
        for name, value in vars(RemoteEmulator).items()
        if not name.startswith("_") and callable(value) and name not in ("aclose", "add_projects")
    }

    assert set() == {name for name in remote if not hasattr(emulator, name)}


async def test_remote_seeding_controls(emulator: Emulator) -> None:
    """``add_project`` adds one; ``add_projects`` still generates, with a ``DeprecationWarning``."""
    async with serve(emulator):
        remote = RemoteEmulator(emulator.info(), pid=0)
        try:
            with pytest.warns(DeprecationWarning, match="generate_projects"):
                ids = await remote.add_projects(2)
            added = await remote.add_project(id="named", name="Named One")
        finally:
            await remote.aclose()

    assert 2 == len(ids)
    assert all(emulator.has_project(project_id) for project_id in ids)
    assert ("named", "Named One") == (added, emulator.project("named").name)  # type: ignore[union-attr]
    assert emulator.seed == remote.seed
