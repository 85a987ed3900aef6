"""The package has no import circle, and the checker that says so finds the ones it should."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from check_imports import circles, describe, import_graph, main


def _package(root: Path, files: dict[str, str]) -> Path:
    """A throwaway package ``pkg`` under ``root`` with these module sources."""
    package = root / "pkg"
    for name, source in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return package


def test_the_package_has_no_import_circle(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m tests.check_imports`` exits 0 on pictory_async: no module reaches itself."""
    status = main([])

    report = capsys.readouterr().out
    assert 0 == status, report
    assert report.endswith("0 circles\n")
    assert len(import_graph()) > 50  # the real package was read, not an empty folder


def test_a_folder_that_is_no_package_is_an_error(tmp_path: Path) -> None:
    """A wrong root fails loudly instead of finding no circle in no modules."""
    with pytest.raises(FileNotFoundError, match=r"no __init__\.py"):
        import_graph(tmp_path)


@pytest.mark.parametrize(
    "b_source",
    [
        pytest.param(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n",
            id="an import only a type checker runs",
        ),
        pytest.param(
            "def f():\n    from . import a\n    return a\n",
            id="an import hidden in a function body",
        ),
    ],
)
def test_an_import_that_does_not_run_at_import_time_still_closes_a_circle(
    tmp_path: Path, b_source: str
) -> None:
    """Under ``TYPE_CHECKING`` or inside a function, an import still ties two modules."""
    package = _package(tmp_path, {"__init__.py": "", "a.py": "import pkg.b\n", "b.py": b_source})

    assert [["pkg.a", "pkg.b"]] == circles(import_graph(package))


def test_from_a_package_import_a_submodule_depends_on_the_submodule(tmp_path: Path) -> None:
    """``from .sub import mod`` depends on ``sub/mod.py`` as well as on ``sub/__init__.py``."""
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .sub import mod\n",
            "sub/__init__.py": "",
            "sub/mod.py": "from ..a import thing\n",
        },
    )

    graph = import_graph(package)

    assert {"pkg.sub": 1, "pkg.sub.mod": 1} == graph["pkg.a"]
    assert [["pkg.a", "pkg.sub.mod"]] == circles(graph)


def test_a_parent_package_is_no_dependency_and_a_chain_is_no_circle(tmp_path: Path) -> None:
    """Loading ``pkg/__init__`` first is Python's doing; a -> b -> c without a way back is fine."""
    package = _package(
        tmp_path,
        {
            "__init__.py": "from .a import A\n",
            "a.py": "from .b import B\nA = B\n",
            "b.py": "from .c import C\nB = C\n",
            "c.py": "import os\nC = os.sep\n",
        },
    )

    assert [] == circles(import_graph(package))


def test_the_message_names_each_step_and_its_line(tmp_path: Path) -> None:
    """The report walks the circle with the line of each import, to fix it from there."""
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "import os\nfrom .b import B\n",
            "b.py": "from .c import C\n",
            "c.py": "\n\nfrom .a import A\n",
        },
    )
    graph = import_graph(package)

    (component,) = circles(graph)

    expected = "pkg.a (line 2) -> pkg.b (line 1) -> pkg.c (line 3) -> pkg.a"
    assert expected == describe(graph, component)
    assert 1 == main([str(package)])
