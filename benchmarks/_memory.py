"""Peak RSS of bulk runs over a million ids: dry runs and real deletes.

Each figure comes from a fresh child process (``python -m benchmarks._memory --child``),
so one run's garbage does not flatter the next. A real run replaces the HTTP call with an
instant fake ``projects.delete`` (which yields to the event loop once, as a request
would): what is measured is what the engine keeps, not the emulator's store of a million
projects. Ids are v2-style ints or v3-style 49-character strings, from a generator.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence

from pictory_async import AsyncPictory, DeleteResult, ProjectId

MB = 1024  # ru_maxrss is in KiB on Linux


def _ids(count: int, kind: str) -> Iterator[ProjectId]:
    if kind == "int":
        return iter(range(1_000_000, 1_000_000 + count))
    return (f"20261123{i:011d}{'a' * 30}" for i in range(count))  # 49 characters


async def _child(count: int, kind: str, mode: str) -> None:
    async with AsyncPictory(api_key="pictai_memory", base_url="http://127.0.0.1:9") as client:

        async def fake_delete(
            project_id: ProjectId, *, missing_ok: bool = False, **options: object
        ) -> DeleteResult:
            await asyncio.sleep(0)
            return DeleteResult(project_id=project_id, success=True)

        client.projects.delete = fake_delete  # type: ignore[method-assign]
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        if mode == "gather":

            async def one(item: ProjectId) -> ProjectId:
                await asyncio.sleep(0)
                return item

            await asyncio.gather(*(one(i) for i in _ids(count, kind)))
            total = count
        else:
            result = await client.projects.delete_many(
                _ids(count, kind), dry_run=mode == "dry", concurrency=100
            )
            total = result.total
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(total, base / MB, peak / MB, seconds)


def measure(count: int) -> list[list[str]]:
    """Rows of (run, after import, peak, growth, seconds), each from a fresh process."""
    rows = []
    runs = [
        ("dry", "int", count),
        ("dry", "str", count),
        ("real", "int", count),
        ("real", "str", count),
        ("gather", "int", count // 10),
    ]
    for mode, kind, n in runs:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks._memory", "--child", mode, kind, str(n)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        total, base, peak, seconds = int(out[0]), float(out[1]), float(out[2]), float(out[3])
        if total != n:
            raise SystemExit(f"{mode} {kind}: {total} of {n} accounted")
        ids = "int ids" if kind == "int" else "49-character ids"
        label = {
            "dry": f"`delete_many` dry run, generator of {n:,} {ids}",
            "real": f"`delete_many` (instant fake delete), generator of {n:,} {ids}",
            "gather": f"one task per item, `asyncio.gather` ({n:,} items)",
        }[mode]
        rows.append([label, f"{base:.0f}", f"{peak:.0f}", f"{peak - base:+.0f}", f"{seconds:.1f}"])
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._memory")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "KIND", "COUNT"))
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    if args.child:
        mode, kind, count = args.child
        asyncio.run(_child(int(count), kind, mode))
        return
    for row in measure(args.count):
        print(" | ".join(row))


if __name__ == "__main__":
    main()
