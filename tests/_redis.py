"""Redis for the store's tests: a real ``redis-server``, and a pure-Python twin of its scripts.

``redis_server`` starts one per test that asks for it (``--port 0``: no TCP, ``--save ''
--appendonly no``: nothing on disk), and can stop and start it again on the same socket
(the fallback tests). Without ``redis-server`` the tests skip with the reason, except
under ``CI=true``, where they fail: CI must run them.

``Twin`` does what the Lua scripts ACQUIRE and REPORT do, step for step, on a dict
standing for the hash (values kept as Lua's ``tostring`` writes them, ``%.14g``);
``TwinRate`` is a ``SharedRate`` on a twin, at a fake time, that can be taken down.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pictory_async._ratestore import _scripts as s
from pictory_async._throttle._shared import Booking, SharedStoreError

__all__ = ["RedisServer", "Twin", "TwinRate", "peek", "redis_server"]

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


def _g(value: float) -> str:
    return f"{value:.14g}"


class Twin:
    """ACQUIRE and REPORT in Python, on ``self.hash`` (field -> Lua's ``tostring``)."""

    def __init__(self) -> None:
        self.hash: dict[str, str] = {}

    def _load(self) -> dict[str, float]:
        return {field: float(value) for field, value in self.hash.items()}

    def _count(self, st: dict[str, float], n: float, now: float) -> None:
        st.setdefault("oks", now)
        okt = st.get("okt", now)
        dt = max(0.0, now - okt)
        st["okr"] = st.get("okr", 0.0) * math.exp(-dt / s.TAU) + n * 1000 / s.TAU
        st["cnt"] = st.get("cnt", 0.0) + n
        st["okt"] = now if now > okt else okt

    def _save(self, st: dict[str, float]) -> None:
        self.hash = {field: _g(value) for field, value in st.items()}

    def acquire(self, successes: int, now: float, lift: int = -1) -> tuple[float, int, int]:
        """``(wait ms, generation, paced)``, as ACQUIRE answers."""
        st = self._load()
        self._count(st, successes, now)
        wait = 0.0
        until = st.get("until", 0.0)
        if now < until and lift + 1 >= st.get("gen", 0) and lift >= 0:
            until = st["until"] = st["tat"] = st["okt"] = st["oks"] = now
            st["lf"] = 1
            if "from" in st:
                st["from"] = now
        pace = st.get("rate")
        starting = False
        if pace is None and st.get("gen", 0) == 0:
            st.setdefault("st", now)
            if now - st["st"] < s.START_FOR:
                pace = s.START_RATE * math.exp((now - st["st"]) / s.START_GROW)
                starting = True
        if now < until:
            wait = until - now
        elif pace is not None:
            tat = st.get("tat", now)
            spent = st.get("q", 0.0) > 0 and st.get("qn", 0.0) >= st["q"]
            if spent and st.get("qp", 0.0) + s.PROBE > now:
                wait = st.get("qp", 0.0) + s.PROBE - now
            elif tat > now:
                if st.get("wt") != tat:
                    st["wt"] = tat
                    st["wq"] = 0.0
                wait = tat - now + st["wq"] * 1000 / pace
                st["wq"] += 1
                if not starting:
                    t = (now - st.get("from", now)) / 1000
                    k = st.get("k", s.MIN_PLATEAU)
                    cubic = st["max"] * (1 + (1 - s.BETA) / (k * k * k) * (t - k) ** 3)
                    if cubic > 2 * st["max"]:
                        cubic = st["max"] = 2 * st["max"]
                        st["from"] = now
                        st["k"] = s.MIN_PLATEAU
                    st["rate"] = max(st["rate"], cubic)
            else:
                st["tat"] = max(tat, now - s.SLACK) + 1000 / pace
                st["qn"] = st.get("qn", 0.0) + 1
                if spent:
                    st["qp"] = now
        self._save(st)
        paced = int(pace is not None or now < until)
        return float(_g(wait)), int(st.get("gen", 0)), paced

    def report(self, generation: int, pause: float, successes: int, now: float) -> int:
        """The generation after a 429 booked in ``generation``, as REPORT answers."""
        st = self._load()
        self._count(st, successes, now)
        gen = int(st.get("gen", 0))
        st["until"] = max(st.get("until", 0.0), now + pause)
        if "from" in st and st["from"] < st["until"]:
            st["from"] = st["until"]
        if generation >= gen:
            gen += 1
            st["gen"] = gen
            st["q"] = 0.0
            reset = (
                "rate" in st
                and "ev" in st
                and st.get("lf", 0) == 0
                and st.get("pz", 0) >= s.QUOTA_PAUSE
                and st.get("pz", 0) >= (now - st["ev"]) / 2
            )
            first = gen == 1 and "st" in st and now - st["st"] < s.START_FOR
            if (reset or first) and st["until"] - now >= s.QUOTA_PAUSE and st.get("qn", 0) > 1:
                st["q"] = st["qn"]
            st["qn"] = 0.0
            age = now - st["oks"]
            measured = None
            if age > 0 and st["okr"] > 0:
                measured = st["okr"] / (1 - math.exp(-age / s.TAU))
            allowed = measured
            young = age < s.MIN_AGE and st["okr"] * s.TAU / 1000 < s.MIN_SAMPLES
            if "rate" in st and (measured is None or young or st["rate"] < measured):
                allowed = st["rate"]
            if (
                allowed is not None
                and "ev" in st
                and st.get("lf", 0) == 0
                and not young
                and st.get("pz", 0) < (now - st["ev"]) / 2
            ):
                allowed = min(allowed, st["cnt"] * 1000 / (now - st["ev"]))
            if allowed is not None:
                allowed = max(allowed, s.MIN_RATE)
                st["max"] = allowed
                st["rate"] = max(s.MIN_RATE, s.BETA * allowed)
                k = s.PLATEAU * pause / 1000
                if k < s.MIN_PLATEAU or st["okr"] * s.TAU / 1000 < s.FEW_SAMPLES:
                    k = s.MIN_PLATEAU
                st["k"] = min(k, s.MAX_PLATEAU)
                st["from"] = st["until"]
            st["ev"] = now
            st["cnt"] = st["lf"] = 0
            st["pz"] = st["until"] - now
            resume = st["until"]
            st["tat"] = st["okt"] = st["oks"] = resume
            st["okr"] = 0.0
        if generation == gen - 1 and st.get("q", 0) > 1:
            st["q"] -= 1
        self._save(st)
        return gen


def peek(twin: Twin, now: float) -> float:
    until = float(twin.hash.get("until", "0"))
    return float(_g(until - now)) if until > now else 0.0


class TwinRate:
    """A ``SharedRate`` on a ``Twin`` at ``clock()`` seconds; ``up = False`` takes it down."""

    def __init__(self, twin: Twin, clock: Callable[[], float]) -> None:
        self.twin = twin
        self._clock = clock
        self.up = True
        self.calls = 0

    def _check(self) -> None:
        self.calls += 1
        if not self.up:
            raise SharedStoreError("ConnectionError")

    async def acquire(self, successes: int, lift: int = -1) -> Booking:
        """ACQUIRE on the twin."""
        self._check()
        wait, generation, paced = self.twin.acquire(successes, self._clock() * 1000, lift)
        return Booking(wait / 1000, generation, bool(paced))

    async def pause_left(self) -> float:
        """PEEK on the twin."""
        self._check()
        return peek(self.twin, self._clock() * 1000) / 1000

    async def report(self, generation: int, pause: float, successes: int) -> int:
        """REPORT on the twin."""
        self._check()
        return self.twin.report(generation, pause * 1000, successes, self._clock() * 1000)
