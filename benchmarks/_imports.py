"""Import time: fresh interpreters importing the package or starting ``pictory``.

Each command runs in a new process, the commands taking turns so that a busy moment of
the machine hits them all alike, after one unmeasured round that compiles and caches.
A row is the median wall time; ``python -c pass`` (the interpreter's own start) and
``import httpx`` (the HTTP library under everything) are the baselines of the same run.
One more run of each under ``-X importtime`` counts the modules it loads and tells
whether aiohttp is one of them.

Run it alone as ``python -m benchmarks --only imports``, or as
``python -m benchmarks._imports`` with ``PYTHONPATH`` at another checkout to measure
that code (the before/after figures in docs/performance.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ._report import table

__all__ = ["commands", "main", "measure"]


def commands() -> dict[str, list[str]]:
    """The commands measured, by the label their row shows."""
    python = sys.executable
    script = Path(python).with_name("pictory")
    pictory = [str(script)] if script.is_file() else [python, "-m", "pictory_async"]
    found = {
        "`python -c pass` (baseline: interpreter start)": [python, "-c", "pass"],
        "`import httpx` (baseline)": [python, "-c", "import httpx"],
        "`import pictory_async`": [python, "-c", "import pictory_async"],
        "`import pictory_async; pictory_async.AsyncPictory`": [
            python,
            "-c",
            "import pictory_async; pictory_async.AsyncPictory",
        ],
        "`pictory --help`": [*pictory, "--help"],
        "`pictory --version`": [*pictory, "--version"],
    }
    if importlib.util.find_spec("typer") is None:  # no cli extra: no pictory command
        print("\n(pictory is not measured: it needs the cli extra, Typer and Rich)")
        return {label: command for label, command in found.items() if "pictory --" not in label}
    return found


_UNSET = frozenset({"PICTORY_LOG", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"})


def _env(**extra: str) -> dict[str, str]:
    """This environment without what changes the cost of an import, plus ``extra``."""
    env = {name: value for name, value in os.environ.items() if name not in _UNSET}
    return {**env, "COLUMNS": "100", **extra}


def _seconds(command: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_env())
    return time.perf_counter() - start


def _imported(command: Sequence[str]) -> list[str]:
    """The modules ``command`` imports, read from ``-X importtime`` (on stderr)."""
    done = subprocess.run(
        command,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(PYTHONPROFILEIMPORTTIME="1"),
    )
    return [
        line.rpartition("|")[2].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and not line.endswith("imported package")
    ]


def measure(runs: int) -> list[list[object]]:
    """One row per command: median and fastest ms, ms over the interpreter's start, modules."""
    cases = commands()
    for command in cases.values():  # compile, fill the page cache
        _seconds(command)
    times: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(runs):
        for label, command in cases.items():
            times[label].append(_seconds(command))
    start = statistics.median(next(iter(times.values())))
    rows: list[list[object]] = []
    for label, command in cases.items():
        median = statistics.median(times[label])
        modules = _imported(command)
        rows.append(
            [
                label,
                f"{median * 1000:,.0f}",
                f"{min(times[label]) * 1000:,.0f}",
                f"{(median - start) * 1000:,.0f}",
                len(modules),
                "yes" if "aiohttp" in modules else "no",
            ]
        )
    return rows


def main(quick: bool = False, runs: int | None = None) -> None:
    """Print the import-time table (``quick``: 5 runs of each command, else 21)."""
    runs = runs or (5 if quick else 21)
    table(
        f"Import time: fresh processes (median of {runs})",
        ["command", "ms (median)", "ms (fastest)", "ms over `pass`", "modules", "aiohttp"],
        measure(runs),
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks._imports", description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    main(runs=parser.parse_args().runs)
