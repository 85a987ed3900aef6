"""Peak RSS while downloading one large asset: ``download_assets`` beside plain httpx.

A tiny loopback server (``--serve``, a process of its own) answers the project and
streams a generated video of ``--size`` bytes from one 1 MiB block, so neither it nor the
measured process ever holds the file. Each download runs in a fresh child process
(``--child``), which reports its RSS once the client is set up and its peak RSS
(``ru_maxrss``) at the end: the growth is what the download cost. Baselines in the same run: plain
``httpx.AsyncClient.stream`` into a file (the careful hand-written loop), and
``response.content`` written at once (what Pictory's example does with ``requests``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import httpx

from pictory_async import AsyncPictory

MB = 1024  # ru_maxrss is in KiB on Linux
MIB = 1024 * 1024
DEFAULT_SIZE = 500 * 1000 * 1000  # "a 500 MB asset"
PROJECT_ID = "bench-project"


# -- the server ---------------------------------------------------------------------------


async def _serve(size: int) -> None:
    block = random.Random(0).randbytes(MIB)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = f"127.0.0.1:{writer.get_extra_info('sockname')[1]}"
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                if path.startswith("/pictoryapis/v2/projects/"):
                    body = json.dumps(
                        {"projectName": "big", "videoURL": f"http://{host}/media/video.mp4"}
                    ).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                    )
                elif path == "/media/video.mp4":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n"
                        b"Content-Length: %d\r\n\r\n" % size
                    )
                    left = size
                    while left:
                        chunk = block if left >= MIB else block[:left]
                        writer.write(chunk)
                        left -= len(chunk)
                        await writer.drain()
                else:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


# -- the measured downloads -----------------------------------------------------------


def _peak() -> float:
    """The process's peak RSS so far, MB (``ru_maxrss``)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB


def _rss() -> float:
    """The RSS now, MB, where ``/proc`` tells (else the peak so far: growth is then a floor).

    The growth is counted from here rather than from the peak so far, which an import
    may have set higher than what the process holds when the download starts.
    """
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return _peak()
    return pages * os.sysconf("SC_PAGE_SIZE") / MIB


async def _ours(base_url: str, folder: Path) -> tuple[int, float]:
    async with AsyncPictory(api_key="pictai_bench", base_url=base_url) as client:
        project = await client.projects.get(PROJECT_ID)
        base = _rss()
        assets = await client.projects.download_assets(project, folder, kinds=["video"])
        return assets["video"].size, base


async def _httpx_stream(base_url: str, folder: Path) -> tuple[int, float]:
    async with httpx.AsyncClient() as client:
        project = (await client.get(f"{base_url}/pictoryapis/v2/projects/{PROJECT_ID}")).json()
        base = _rss()
        size = 0
        with (folder / "video.mp4").open("wb") as file:
            async with client.stream("GET", project["videoURL"]) as response:
                async for chunk in response.aiter_bytes():
                    file.write(chunk)
                    size += len(chunk)
        return size, base


async def _httpx_content(base_url: str, folder: Path) -> tuple[int, float]:
    async with httpx.AsyncClient() as client:
        project = (await client.get(f"{base_url}/pictoryapis/v2/projects/{PROJECT_ID}")).json()
        base = _rss()
        content = (await client.get(project["videoURL"])).content
        (folder / "video.mp4").write_bytes(content)
        return len(content), base


_RUNS: dict[str, Callable[[str, Path], Awaitable[tuple[int, float]]]] = {
    "ours": _ours,
    "httpx-stream": _httpx_stream,
    "httpx-content": _httpx_content,
}
_LABELS = {
    "ours": "pictory-async `download_assets`",
    "httpx-stream": "plain httpx, `client.stream` into a file",
    "httpx-content": "plain httpx, `response.content` (Pictory's example, with httpx)",
}


async def _child(mode: str, base_url: str) -> None:
    with tempfile.TemporaryDirectory(prefix="pictory-download-bench-") as folder:
        started = time.perf_counter()
        size, base = await _RUNS[mode](base_url, Path(folder))
        seconds = time.perf_counter() - started
        peak = _peak()
    print(size, base, peak, seconds)


def measure(
    size: int, modes: Sequence[str] = tuple(_RUNS), *, server_cpu: int | None = None
) -> list[list[str]]:
    """Rows of (run, MB/s, RSS before, peak, growth), each download from a fresh process.

    ``server_cpu`` pins the server to that CPU (Linux), away from the measured client.
    """
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._download_memory", "--serve", "--size", str(size)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if server_cpu is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(server.pid, {server_cpu})
        assert server.stdout is not None
        base_url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        rows = []
        for mode in modes:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks._download_memory", "--child", mode, base_url],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            got, base, peak, seconds = int(out[0]), float(out[1]), float(out[2]), float(out[3])
            if got != size:
                raise SystemExit(f"{mode}: downloaded {got} of {size} bytes")
            rows.append(
                [
                    _LABELS[mode],
                    f"{size / 1e6 / seconds:,.0f}",
                    f"{base:.0f}",
                    f"{peak:.0f}",
                    f"{peak - base:+.0f}",
                ]
            )
        return rows
    finally:
        server.terminate()
        server.wait(10)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._download_memory")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "BASE_URL"))
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve(args.size))
    elif args.child:
        asyncio.run(_child(*args.child))
    else:
        for row in measure(args.size):
            print(" | ".join(row))


if __name__ == "__main__":
    main()
