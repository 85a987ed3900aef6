"""``pictory demo``: the main job end to end, against a local emulator with faults.

The emulator serves on 127.0.0.1 from a thread of this process (its own event loop), so
Ctrl-C reaches only the command, which stops the prune gracefully while the emulator
keeps answering what is in flight. No key, no network, and nothing left behind: the
backups and the journal go to a temporary directory removed at the end, unless ``dest``
asks to keep them. The command parses its options into ``DemoOptions``; ``demo`` is
its worker.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import attrs
import typer

from ._common import EXIT_FAILED, EXIT_OK, Settings, open_client, run, saved_at
from ._delete import PruneOptions, delete_flow

if TYPE_CHECKING:
    from ..emulator import Emulator, RunningEmulator

__all__ = ["DemoOptions", "command", "demo", "serving"]

OLDER_THAN = timedelta(days=90)
BACKUP_KINDS = ("thumbnail", "txt")
"""What the demo backs up besides ``project.json``: small files, so it takes a minute."""
_START_TIMEOUT = 30.0


@attrs.frozen(kw_only=True)
class DemoOptions:
    """How big and how hostile the demo's emulator is.

    Attributes:
        projects: Projects seeded (about three in four were saved over 90 days ago).
        latency: Seconds each API answer takes (plus up to half as much jitter).
        rate_limit: The emulator's limit in requests per second (a token bucket).
        faults: Inject 2% 5xx answers and 2% lost DELETE answers.
        dest: Where to keep the backups and the journal; by default they go to a
            temporary directory, removed when the demo ends (also on Ctrl-C or an error).
        seed: Seed of the data and of the faults.
    """

    projects: int = 2500
    latency: float = 0.02
    rate_limit: float = 100.0
    faults: bool = True
    dest: Path | None = None
    seed: int = 7


def command(
    projects: Annotated[int, typer.Option(min=1, max=10_000, help="Projects to seed.")] = 2500,
    latency_ms: Annotated[float, typer.Option(min=0, help="API latency (ms).")] = 20.0,
    rate_limit: Annotated[
        float, typer.Option(min=1, help="The emulator's rate limit (requests/s).")
    ] = 100.0,
    faults: Annotated[bool, typer.Option(help="Inject 5xx errors and lost DELETE answers.")] = True,
    dest: Annotated[
        Path | None,
        typer.Option(
            help="Keep the backups and the journal in DIR (default: a temporary directory, "
            "removed at the end)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the emulator's data and faults.")] = 7,
) -> None:
    """See the main job end to end against a local emulator: no key, no network."""
    options = DemoOptions(
        projects=projects,
        latency=latency_ms / 1000,
        rate_limit=rate_limit,
        faults=faults,
        dest=dest,
        seed=seed,
    )
    run(Settings(), lambda: demo(options))


def _emulator(options: DemoOptions) -> Emulator:
    from ..emulator import Emulator, Faults

    faults = Faults(
        latency=options.latency,
        jitter=options.latency / 2,
        rate_limit=options.rate_limit,
        burst=max(1, int(options.rate_limit // 4)),
        error_rate=0.02 if options.faults else 0.0,
        drop_after_delete_rate=0.02 if options.faults else 0.0,
    )
    return Emulator(projects=options.projects, seed=options.seed, faults=faults)


@contextmanager
def serving(emulator: Emulator) -> Iterator[RunningEmulator]:
    """Serve ``emulator`` on 127.0.0.1 from a thread until the block exits.

    Raises:
        RuntimeError: The server did not start.
    """
    from ..emulator import serve

    ready = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        box["loop"] = asyncio.get_running_loop()
        box["stop"] = stop = asyncio.Event()
        try:
            async with serve(emulator) as running:
                box["running"] = running
                ready.set()
                await stop.wait()
        except BaseException as exc:
            box["error"] = exc
            raise
        finally:
            ready.set()

    def thread_main() -> None:
        try:
            asyncio.run(main())
        except BaseException:  # reported through box["error"]
            return

    thread = threading.Thread(target=thread_main, name="pictory-demo-emulator", daemon=True)
    thread.start()
    ready.wait(_START_TIMEOUT)
    running = box.get("running")
    try:
        if running is None:
            raise RuntimeError(f"the emulator did not start: {box.get('error')!r}")
        yield running
    finally:
        loop = box.get("loop")
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(box["stop"].set)
        thread.join(_START_TIMEOUT)


async def demo(options: DemoOptions) -> int:
    """Run the demo; the exit code is the prune's.

    Without ``options.dest`` the backups and the journal are written to a temporary
    directory and removed with it when the demo ends, however it ends.
    """
    if options.dest is not None:
        return await _run(options, options.dest, keep=True)
    with tempfile.TemporaryDirectory(prefix="pictory-demo-", ignore_cleanup_errors=True) as temp:
        return await _run(options, Path(temp), keep=False)


async def _run(options: DemoOptions, dest: Path, *, keep: bool) -> int:
    from rich.text import Text

    from ._console import make_console

    console = make_console()
    faults = "2% 5xx errors, 2% lost DELETE answers" if options.faults else "no faults"
    console.print(
        Text.assemble(
            ("Starting a local Pictory emulator", "bold"),
            f" on 127.0.0.1: {options.projects:,} projects, {options.latency * 1000:.0f} ms "
            f"latency, a rate limit of {options.rate_limit:,.0f} requests/s, {faults}.",
        )
    )
    emulator = await asyncio.to_thread(_emulator, options)
    with serving(emulator) as running:
        console.print(f"Serving at {running.base_url} (its API key is the emulator's own).")
        console.print()
        settings = Settings(api_key=running.api_key, base_url=running.base_url)
        # the emulator's key is new each run: nothing learned is worth keeping on disk
        async with open_client(settings, rate_store="memory") as client:
            console.rule(Text("1. List and filter", style="bold"))
            console.print("$ pictory projects list --older-than 90d")
            cutoff = datetime.now(timezone.utc) - OLDER_THAN
            everything = [summary async for summary in client.projects.list()]
            old = [s for s in everything if s.saved_date is not None and s.saved_date < cutoff]
            by_source = Counter(summary.source or "?" for summary in old)
            console.print(
                f"{len(everything):,} projects; {len(old):,} last saved over 90 days ago "
                f"({', '.join(f'{n:,} {source}' for source, n in by_source.most_common())})."
            )
            oldest = sorted(old, key=lambda s: s.saved_date or cutoff)[:3]
            for summary in oldest:
                console.print(f"  oldest: {summary.name!r}, saved {saved_at(summary)}")
            console.print()
            console.rule(Text("2. Back up, then prune", style="bold"))
            backups = dest / "backups"
            journal = dest / "prune.journal.jsonl"
            console.print(
                f"$ pictory projects prune --older-than 90d --backup-to {backups} "
                f"--kind thumbnail --kind txt --journal {journal} --yes"
            )
            console.print(
                "Each project is backed up (project.json, its thumbnail and transcript, a "
                "manifest), read back and checked, and only then deleted."
            )
            console.print()
            code = await delete_flow(
                client,
                list(old),
                PruneOptions(backup_to=backups, kinds=BACKUP_KINDS, journal=journal, yes=True),
                lambda question: True,
            )
        stats = emulator.stats
        left = len(emulator.projects())
    console.print()
    console.rule(Text("3. What the emulator saw", style="bold"))
    console.print(
        f"{stats.total:,} requests; {stats.rate_limited:,} answered 429 (rate limited), "
        f"{stats.errors_injected:,} injected 5xx, {stats.dropped_after_apply:,} DELETE answers "
        f"lost after the delete was applied (confirmed by a retry); {left:,} projects left."
    )
    dirs = sum(1 for path in backups.iterdir() if path.is_dir()) if backups.is_dir() else 0
    if keep:
        console.print(
            Text("Backups", style="bold"), f": {dirs:,} project directories in {backups}", sep=""
        )
        console.print(Text("Journal", style="bold"), f": {journal}", sep="")
    else:
        console.print(
            Text("Backups", style="bold"),
            f": {dirs:,} project directories, checked and then removed with the demo's "
            "temporary directory, as is the journal (--dest DIR keeps them).",
            sep="",
        )
    return EXIT_OK if code == EXIT_OK else (code or EXIT_FAILED)
