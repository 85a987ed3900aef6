"""Many processes on one API key: the fleet benchmark (``python -m benchmarks --only fleet``).

2, 4 and 8 worker processes share one API key against one emulator (a child process)
limited to a 200/s bucket, then to a window of 100 per 5 s. Each worker runs
``delete_many`` over its share of the projects at concurrency 50. With the memory store
(the library's default) each process learns the limit alone; with the Redis store
(``rate_store="unix://..."``, a ``redis-server`` started here on a Unix socket in a
temporary directory, emptied before each fleet so that every fleet starts cold) they
share the cool-down, the schedule and the learned rate; the table counts the store's
scripts run per request the API answered (one ACQUIRE per booking asked, one REPORT per
429). One more row kills one of 4 workers with SIGKILL a third of the way in: the others
must still finish within the fleet's target, so nothing the dead one held may hold them
back.

The workers are this module run as ``python -m benchmarks._fleet --worker``: each reads
its ids from stdin, opens its client, loads what a run uses (an empty ``delete_many``),
says ``ready``, and starts on ``go``, so the clock starts once every process is set up
(imports and start-up are not counted). The floor is the best any client could do with
the deletes the server applied, counted as the rate-limit matrix counts it
(``benchmarks/_ratelimit.py``): for the bucket, what its burst does not cover at 200/s;
for the window, one quota of 100 at each reset, so 600 deletes take 25 s, not 30. The
429s are the emulator's count among all its answers.
``tests/test_fleet.py`` drives the same workers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
from redis import Redis

from pictory_async import AsyncPictory
from pictory_async.emulator import RemoteEmulator, spawn

from ._report import table

SERVER_CPU, CLIENT_CPU = 0, 1
CONCURRENCY = 50
LATENCY_MS = 30.0
TARGET, MAX_429 = 1.15, 0.05
_ROOT = Path(__file__).resolve().parents[1]
_START_TIMEOUT = 60.0

Ids = list[int | str]


# -- the worker (a child process) ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class Report:
    """What one worker printed when its ``delete_many`` returned."""

    deleted: int
    already_absent: int
    failed: int
    total: int
    seconds: float

    @property
    def accounted(self) -> int:
        """Items with an outcome."""
        return self.deleted + self.already_absent + self.failed


async def _work(base_url: str, store: str | None, concurrency: int, progress: bool) -> None:
    ids: Ids = json.loads(await asyncio.to_thread(sys.stdin.readline))
    options: dict[str, Any] = {} if store is None else {"rate_store": store}

    def done(_: object) -> None:  # a line per item, for a parent waiting for some
        print("+", flush=True)

    on_progress = done if progress else None
    async with AsyncPictory(base_url=base_url, max_connections=concurrency, **options) as client:
        # an empty run loads the modules a run uses (no request is sent, nothing learned)
        await client.projects.delete_many([], concurrency=concurrency)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # "go"
        start = time.perf_counter()
        result = await client.projects.delete_many(
            ids, concurrency=concurrency, on_progress=on_progress
        )
    seconds = time.perf_counter() - start
    report = Report(
        deleted=len(result.deleted),
        already_absent=len(result.already_absent),
        failed=len(result.failed),
        total=result.total,
        seconds=seconds,
    )
    print(json.dumps(attrs.asdict(report)), flush=True)


# -- driving workers ---------------------------------------------------------------------


@attrs.define
class Worker:
    """One worker process and the ids it was given."""

    process: asyncio.subprocess.Process
    ids: Ids
    killed: bool = False

    def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye, whatever it held is left as it was."""
        self.process.send_signal(signal.SIGKILL)
        self.killed = True

    async def done(self, count: int) -> None:
        """Wait until it has finished ``count`` items (started with ``progress=True``)."""
        assert self.process.stdout is not None
        seen = 0
        while seen < count:
            line = await self.process.stdout.readline()
            if not line:
                raise RuntimeError("the worker exited before that")
            seen += line == b"+\n"

    async def report(self) -> Report | None:
        """Its report once it exits; None if it was killed."""
        assert self.process.stdout is not None
        out = await self.process.stdout.read()
        code = await self.process.wait()
        if self.killed:
            return None
        if code != 0:
            raise RuntimeError(f"a worker exited with {code}: {out.decode()[-500:]!r}")
        return Report(**json.loads(out.decode().splitlines()[-1]))


def shares(ids: Sequence[int | str], count: int) -> list[Ids]:
    """``ids`` dealt round-robin into ``count`` shares."""
    return [list(ids[index::count]) for index in range(count)]


@contextlib.asynccontextmanager
async def workers(
    remote: RemoteEmulator,
    parts: Sequence[Ids],
    *,
    store: str | None,
    concurrency: int = CONCURRENCY,
    cpu: int | None = None,
    progress: bool = False,
) -> AsyncIterator[list[Worker]]:
    """Start one worker per share, each set up and waiting for :func:`go`.

    The key reaches the workers through ``PICTORY_API_KEY``, never a command line.
    With ``progress`` each prints a line per item done (see :meth:`Worker.done`).
    Workers still running when the block exits are killed.
    """
    env = {**os.environ, "PICTORY_API_KEY": remote.api_key}
    env.pop("PICTORY_RATE_STORE", None)
    command = [sys.executable, "-m", "benchmarks._fleet", "--worker"]
    command += ["--base-url", remote.base_url, "--concurrency", str(concurrency)]
    if store is not None:
        command += ["--store", store]
    if progress:
        command.append("--progress")
    started: list[Worker] = []
    try:
        for part in parts:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=_ROOT,
                env=env,
            )
            started.append(Worker(process, list(part)))
            if cpu is not None and hasattr(os, "sched_setaffinity"):
                os.sched_setaffinity(process.pid, {cpu})
            assert process.stdin is not None
            process.stdin.write(json.dumps(part).encode() + b"\n")
        for worker in started:
            assert worker.process.stdout is not None
            line = await asyncio.wait_for(worker.process.stdout.readline(), _START_TIMEOUT)
            if line.strip() != b"ready":
                raise RuntimeError(f"a worker did not start: {line!r:.300}")
        yield started
    finally:
        for worker in started:
            if worker.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                await worker.process.wait()


async def go(started: Sequence[Worker]) -> None:
    """Start every worker's ``delete_many`` at once."""
    for worker in started:
        assert worker.process.stdin is not None
        worker.process.stdin.write(b"go\n")
    await asyncio.gather(*(w.process.stdin.drain() for w in started if w.process.stdin))


# -- a redis-server for the Redis store ---------------------------------------------------


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway ``redis-server`` on a Unix socket; yields its ``unix://`` URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("the fleet benchmark needs redis-server (apt-get install redis-server)")
    directory = Path(tempfile.mkdtemp(prefix="pictory-fleet-"))
    sock = directory / "redis.sock"
    args = [binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700"]
    args += ["--save", "", "--appendonly", "no", "--dir", str(directory)]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.01)
        yield f"unix://{sock}"
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(directory, ignore_errors=True)


# -- the benchmark -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Shape:
    """One server limit: its emulator settings and its floor."""

    name: str
    faults: dict[str, Any]
    rate: float  # the steady rate, per second
    burst: int = 0  # a bucket's size
    quota: int = 0  # a window's quota per period
    period: float = 1.0

    def floor(self, count: int) -> float:
        """The best any client could do for ``count`` deletes (as the matrix counts it).

        A bucket: what the full bucket does not cover, at the rate; a window: one
        quota at each reset from the start, the last at ``ceil(count / quota) - 1``.
        """
        if self.quota:
            return (math.ceil(count / self.quota) - 1) * self.period
        return (count - self.burst) / self.rate


SHAPES = (
    Shape(name="bucket 200/s", faults={"rate_limit": 200, "burst": 200}, rate=200, burst=200),
    Shape(
        name="window 100 per 5 s",
        faults={"rate_limit": 100, "rate_limit_shape": "window", "rate_limit_period": 5.0},
        rate=20,
        quota=100,
        period=5.0,
    ),
)


@attrs.frozen(kw_only=True)
class Row:
    """What one fleet did: the figures of a table row."""

    seconds: float
    floor: float
    share_429: float
    failed: int
    lost: int
    store_calls: float | None  # the store's scripts run per request the API answered
    workers: tuple[float, float]  # seconds of the fastest and slowest surviving worker

    @property
    def on_target(self) -> bool:
        """Within the fleet's target: 1.15x the floor, under 5% 429s, nothing failed or lost."""
        good = self.seconds / self.floor <= TARGET and self.share_429 < MAX_429
        return good and self.failed == 0 and self.lost == 0


async def ids_of(remote: RemoteEmulator) -> Ids:
    """Every project id of the emulator's main account."""
    async with AsyncPictory(remote.api_key, base_url=remote.base_url) as client:
        return [summary.id async for summary in client.projects.list()]


async def run_fleet(
    remote: RemoteEmulator,
    shape: Shape,
    processes: int,
    store: str | None,
    *,
    kill_after: float | None = None,
) -> Row:
    """One fleet against ``shape``: ``processes`` workers, one killed after ``kill_after`` s."""
    await remote.reset()
    ids = await ids_of(remote)
    parts = shares(ids, processes)
    redis = None if store is None else _fresh(store)
    async with workers(remote, parts, store=store, cpu=CLIENT_CPU) as started:
        await remote.set_faults(**shape.faults)
        await remote.reset(stats_only=True)
        start = time.perf_counter()
        await go(started)
        if kill_after is not None:
            await asyncio.sleep(kill_after)
            started[0].kill()
        reports = await asyncio.gather(*(worker.report() for worker in started))
        seconds = time.perf_counter() - start
    stats = await remote.stats()
    await remote.set_faults(rate_limit=None)
    left = set(await ids_of(remote))
    alive = [(w, r) for w, r in zip(started, reports, strict=True) if r is not None]
    # every id of a survivor has an outcome, and only its failed ones are still there
    lost = sum(
        len(w.ids) - r.accounted + max(0, len(left.intersection(w.ids)) - r.failed)
        for w, r in alive
    )
    return Row(
        seconds=seconds,
        floor=shape.floor(stats["deletes_applied"]),
        share_429=stats["rate_limited"] / max(1, stats["total"]),
        failed=sum(r.failed for _, r in alive),
        lost=lost,
        store_calls=None if redis is None else _script_calls(redis) / max(1, stats["total"]),
        workers=(min(r.seconds for _, r in alive), max(r.seconds for _, r in alive)),
    )


def _fresh(url: str) -> Redis:
    """A fleet starts cold: nothing learned by the one before, the counters at zero."""
    redis = Redis.from_url(url)
    redis.flushall()
    redis.config_resetstat()
    return redis


def _script_calls(redis: Redis) -> int:
    """The scripts the store ran since ``_fresh`` (one ACQUIRE or REPORT each)."""
    stats = redis.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("evalsha", "eval"))


def _cells(row: Row) -> list[str]:
    return [
        f"{row.floor:.1f}",
        f"{row.seconds:.1f}",
        f"{row.workers[0]:.1f}-{row.workers[1]:.1f}",
        f"{row.seconds / row.floor:.2f}x",
        f"{row.share_429:.1%}",
        str(row.failed) + (f", **{row.lost} lost**" if row.lost else ""),
        "" if row.store_calls is None else f"{row.store_calls:.1f}",
        "yes" if row.on_target else "**no**",
    ]


async def _measure(quick: bool, stores: dict[str, str | None]) -> list[list[object]]:
    seconds = 10 if quick else 30  # the floor of each run
    rows: list[list[object]] = []
    for shape in SHAPES:
        count = int(shape.rate * seconds)
        args = ["--projects", str(count), "--other-projects", "0", "--page-size", "1000"]
        args += ["--in-progress-share", "0", "--latency-ms", str(LATENCY_MS)]
        async with spawn(args=args, cpu=SERVER_CPU) as remote:
            for processes in (2, 4) if quick else (2, 4, 8):
                for label, store in stores.items():
                    row = await run_fleet(remote, shape, processes, store)
                    rows.append([shape.name, processes, label, *_cells(row)])
                    print(" | ".join(map(str, rows[-1])), file=sys.stderr, flush=True)
            label, store = list(stores.items())[-1]
            row = await run_fleet(remote, shape, 4, store, kill_after=seconds / 3)
            killed = f"4, one killed at {seconds / 3:.0f} s"
            rows.append([shape.name, killed, label, *_cells(row)])
            print(" | ".join(map(str, rows[-1])), file=sys.stderr, flush=True)
    return rows


def _redis_store_works() -> bool:
    """Whether this checkout's client takes ``rate_store=``."""
    import inspect

    return "rate_store" in inspect.signature(AsyncPictory).parameters


def main(quick: bool = False) -> None:
    """Print the fleet table: every shape, fleet size and store, and the kill row."""
    logging.getLogger("pictory_async").setLevel(logging.ERROR)
    with contextlib.ExitStack() as stack:
        stores: dict[str, str | None] = {"memory": None}
        if _redis_store_works():
            stores["redis"] = stack.enter_context(redis_server())
        else:
            print("(no rate_store= in this checkout: memory store only)", file=sys.stderr)
        rows = asyncio.run(_measure(quick, stores))
    table(
        f"Many processes on one key: delete_many at concurrency {CONCURRENCY} per process, "
        f"{LATENCY_MS:g} ms latency (target {TARGET}x the floor, under {MAX_429:.0%} 429s, "
        "0 failed)",
        [
            *("server limit", "processes", "store", "floor s", "seconds", "workers' seconds"),
            *("vs floor", "429s"),
            *("failed", "store calls per request", "on target"),
        ],
        rows,
    )


def _worker_main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._fleet")
    parser.add_argument("--worker", action="store_true", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--store")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("pictory_async").setLevel(logging.ERROR)
    asyncio.run(_work(args.base_url, args.store, args.concurrency, args.progress))


if __name__ == "__main__":
    _worker_main()
