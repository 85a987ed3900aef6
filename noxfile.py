"""Developer tasks: ``nox -s lint typecheck tests docs`` is what CI runs.

Every session runs on the Python that runs nox (README: ``python3 -m venv .venv &&
.venv/bin/python -m pip install nox && .venv/bin/nox ...``), whichever 3.10+ that is, in
a virtual environment of its own; ``--force-python 3.12`` picks another interpreter.
"""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["lint", "typecheck", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = None
"""The interpreter nox runs on: no session asks for a version the machine may not have."""
LINT_DEPS = ["ruff>=0.6"]


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite with branch coverage (fails under 95%).

    ``coverage run`` rather than pytest-cov: our pytest plugin (a ``pytest11`` entry
    point) imports the package before pytest-cov would start measuring.
    """
    session.install("-e", ".[test,emulator,fastapi,cli]")
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "report", "--fail-under=95")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install(*LINT_DEPS)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package and the tests."""
    session.install(
        "-e",
        ".[test,emulator,fastapi,cli]",
        "mypy>=1.11",
        "nox",
        "httpx-aiohttp",
        "requests",
        "types-requests",
    )
    session.run(
        "mypy", "--strict", "pictory_async", "tests", "benchmarks", "docs/examples", "noxfile.py"
    )


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site in strict mode: a broken link or reference fails."""
    session.install("-e", ".[docs,fastapi]", *LINT_DEPS)  # ruff formats the signatures
    site = os.path.join(session.create_tmp(), "site")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        site,
        *session.posargs,
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Install the command line and run ``pictory demo`` (options after ``--``)."""
    session.install("-e", ".[cli,emulator]")
    session.run("pictory", "demo", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks against the emulator, with baselines from the same run.

    ``nox -s bench -- --only ratelimit --plots docs/img/ratelimit.json`` runs the
    rate-limit matrix and draws its timelines into ``docs/img``.
    """
    session.install("-e", ".[cli,emulator,redis]", "httpx-aiohttp", "requests", "matplotlib")
    if "--only" not in session.posargs:
        session.run("python", "-m", "benchmarks.emulator_capacity", "--repeat", "5")
    session.run("python", "-m", "benchmarks", *session.posargs)
    if "--plots" in session.posargs:
        timelines = session.posargs[session.posargs.index("--plots") + 1]
        session.run("python", "-m", "benchmarks._plots", timelines, "docs/img")


MUTATED = {  # module -> the mutants of it `nox -s mutants` runs, by mutmut's names
    "pictory_async/_backup.py": ["pictory_async._backup.*"],
    "pictory_async/_assets.py": [
        "pictory_async._assets.x_asset_filename__mutmut_*",
        "pictory_async._assets.x_check_kinds__mutmut_*",
        "pictory_async._assets.x_select_assets__mutmut_*",
    ],
    "pictory_async/_download.py": [  # the checks, not the transfer
        "pictory_async._download.x__expected_sha256__mutmut_*",
        "pictory_async._download.xǁDownloaderǁ_check__mutmut_*",
    ],
    "pictory_async/_download_errors.py": [  # no signed query in an error
        "pictory_async._download_errors.x_redact_error__mutmut_*"
    ],
    "pictory_async/_bulk": ["pictory_async._bulk.*"],  # run, result, keys (pyproject)
    "pictory_async/_conditional.py": ["pictory_async._conditional.*"],  # a 304 proves bytes
    "pictory_async/_idstore.py": ["pictory_async._idstore.*"],  # duplicates, exactly
    "pictory_async/_files.py": ["pictory_async._files.*"],  # the temporary file, its mode
    "pictory_async/_redact.py": ["pictory_async._redact.*"],  # no signed query shown
}


@nox.session(python=PYTHON)
def mutants(session: nox.Session) -> None:
    """Mutation testing of the checks between a user and a deletion (not run by CI).

    mutmut changes ``MUTATED`` one small edit at a time and runs the tests that reach
    the changed function (``[tool.mutmut]`` in pyproject.toml); the report gives the
    counts per module and the diff of each mutant that no test failed.
    ``nox -s mutants -- 'pictory_async._backup.*'`` runs only the mutants so named.
    """
    import fnmatch
    import shutil

    session.install("-e", ".[test,emulator,fastapi,cli]", "mutmut>=3.3,<4")
    shutil.rmtree("mutants", ignore_errors=True)  # mutmut reuses old verdicts; start clean
    patterns = session.posargs or [name for names in MUTATED.values() for name in names]
    session.run("mutmut", "run", *patterns)
    listing = session.run("mutmut", "results", "--all", "true", silent=True)
    verdicts: dict[str, str] = {}
    for line in str(listing).splitlines():
        name, _, verdict = line.strip().rpartition(": ")
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            verdicts[name] = verdict
    survivors: list[str] = []
    table = [f"{'module':<30} {'mutants':>8} {'killed':>7} {'timeout':>8} {'survived':>9}"]
    for module in MUTATED:
        prefix = module.removesuffix(".py").replace("/", ".") + "."
        mine = {name: verdict for name, verdict in verdicts.items() if name.startswith(prefix)}
        killed = sum(verdict == "killed" for verdict in mine.values())
        timeout = sum(verdict == "timeout" for verdict in mine.values())
        alive = sorted(
            name for name, verdict in mine.items() if verdict not in {"killed", "timeout"}
        )
        survivors += alive
        table.append(f"{module:<30} {len(mine):>8} {killed:>7} {timeout:>8} {len(alive):>9}")
    for name in survivors:
        session.run("mutmut", "show", name)  # its verdict and diff
    if shutil.which("git"):
        session.run("git", "rev-parse", "HEAD", external=True, success_codes=[0, 128])
    session.log("\n" + "\n".join(table))
