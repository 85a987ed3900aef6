"""A real ``redis-server`` for the Redis store's tests, on a Unix socket in a temporary directory.

``redis_server`` starts one per test that asks for it (``--port 0``: no TCP, ``--save ''
--appendonly no``: nothing on disk), and can stop and start it again on the same socket
(the fallback tests). Without ``redis-server`` the tests skip with the reason, except
under ``CI=true``, where they fail: CI must run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["RedisServer", "redis_server"]

BINARY = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


class RedisServer:
    """A ``redis-server`` process on ``socket``; ``url`` is its ``unix://`` address."""

    def __init__(self, binary: str, directory: Path) -> None:
        self._binary = binary
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.url = f"unix://{self.socket}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until its socket answers."""
        self._process = subprocess.Popen(
            [
                self._binary,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop the server (its socket goes away: clients fail to connect)."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None
        self.socket.unlink(missing_ok=True)


def _binary() -> str | None:
    if os.path.exists(BINARY):
        return BINARY
    return shutil.which("redis-server")


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A running ``redis-server`` of this test's own; skipped without one (failed in CI)."""
    binary = _binary()
    if binary is None:
        reason = f"redis-server not installed ({BINARY}; Debian: apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # a short path: a Unix socket's path is limited to about 100 bytes
    directory = Path(tmp_path_factory.mktemp("redis", numbered=True))
    server = RedisServer(binary, directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
