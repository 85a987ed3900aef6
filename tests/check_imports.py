"""Find import circles in the ``pictory_async`` package; exit 1 when there is one.

Run it as ``python -m tests.check_imports`` from the repository's root (or through
``tests/test_import_graph.py``, which the test suite runs).

Every ``import`` statement of a module counts, wherever it stands: at the top, under
``if TYPE_CHECKING:``, or inside a function (a lazy import only hides a circle from the
interpreter, not from a reader). The implicit import of a parent package (``a.b``
runs ``a/__init__.py`` first) does not count: that is how Python loads packages, not a
dependency anyone wrote. ``from .pkg import name`` depends on ``pkg/__init__.py``, and
also on ``pkg/name.py`` when that is a module.
"""

from __future__ import annotations

import ast
import itertools
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

__all__ = ["circles", "import_graph", "main"]

PACKAGE = "pictory_async"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


def _modules(root: Path) -> dict[str, Path]:
    """Every module of the package under ``root``, by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_package(name: str, modules: Mapping[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _imported(name: str, tree: ast.AST, modules: Mapping[str, Path]) -> Iterator[tuple[str, int]]:
    """``(module, line)`` for every module of the package that ``tree`` imports."""
    package = name if _is_package(name, modules) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target in modules:
                yield target, node.lineno
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in modules:
                    yield submodule, node.lineno


def import_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """``{module: {module it imports: line of the first such import}}``.

    Raises:
        FileNotFoundError: ``root`` is not a package (an empty graph proves nothing).
    """
    if not (root / "__init__.py").is_file():
        raise FileNotFoundError(f"{root} is not a package: no __init__.py")
    modules = _modules(root)
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: dict[str, int] = {}
        for target, line in _imported(name, tree, modules):
            if target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def circles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative: no recursion limit on deep graphs
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _path_within(graph: Mapping[str, Mapping[str, int]], component: list[str]) -> list[str]:
    """One circle through the component's first module, for the message."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start]
                if child in members and child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return component  # pragma: no cover - a component always has a circle


def describe(graph: Mapping[str, Mapping[str, int]], component: list[str]) -> str:
    """``a (line 3) -> b (line 9) -> a`` for one circle of ``component``."""
    path = _path_within(graph, component)
    steps = [f"{here} (line {graph[here][there]})" for here, there in itertools.pairwise(path)]
    return " -> ".join([*steps, path[-1]])


def main(argv: list[str] | None = None) -> int:
    """Print every circle; 1 if there is one, else 0."""
    root = Path(argv[0]) if argv else ROOT
    graph = import_graph(root)
    found = circles(graph)
    for component in found:
        print(f"circle of {len(component)} modules: {describe(graph, component)}")
        if len(component) > 2:
            print("  all of: " + ", ".join(component))
    print(f"{len(graph)} modules, {sum(map(len, graph.values()))} imports, {len(found)} circles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
