"""The layering, checked over the package's own imports (every import, lazy ones included).

- ``aws/`` is the only package that imports boto3 or botocore, and nothing in the pure core
  (diagnosis, catalog, traffic, render, the model modules) imports ``aws/``;
- renderers and output channels (``render/``) import only the report model, the text policy and
  each other (plus the package's name, its typed errors and the watch's progress model);
- no two modules import each other, directly or through others.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "codedeploy_doctor"
ROOT = "codedeploy_doctor"

AWS_LIBRARIES = ("boto3", "botocore", "mypy_boto3")
"""Top-level names that talk to AWS."""

COMPOSITION_ROOTS = frozenset({f"{ROOT}.app", f"{ROOT}.cli", f"{ROOT}.__main__"})
"""Modules that wire the core to ``aws/``: the only ones outside it that may import it."""

RENDER_MAY_IMPORT = frozenset(
    {
        ROOT,
        f"{ROOT}.report",
        f"{ROOT}.sanitize",
        f"{ROOT}.errors",
        f"{ROOT}.watch",
        f"{ROOT}.timefmt",
        f"{ROOT}.lifecycle",
        f"{ROOT}.deployment_facts",
    }
)
"""What ``render/`` may import besides itself: the report model and what it is written with (its time
format and the lifecycle vocabulary: which events run scripts, which move traffic)."""


def module_name(path: Path) -> str:
    """``codedeploy_doctor.traffic.ecs`` for ``.../codedeploy_doctor/traffic/ecs.py``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[str]:
    """Every module ``path`` imports (``from X import Y`` yields X, and X.Y when Y is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            for alias in node.names:
                if (PACKAGE.parent / (base + "." + alias.name).replace(".", "/")).with_suffix(".py").exists() or (
                    PACKAGE.parent / (base + "." + alias.name).replace(".", "/") / "__init__.py"
                ).exists():
                    yield f"{base}.{alias.name}"


def graph() -> dict[str, set[str]]:
    """Module name -> the package's own modules it imports."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in imported(path) if m in modules and m != name} for name, path in modules.items()}


def all_imports() -> dict[str, set[str]]:
    """Module name -> every module it imports, third-party included."""
    return {module_name(path): set(imported(path)) for path in PACKAGE.rglob("*.py")}


def in_package(module: str, package: str) -> bool:
    """Tell whether ``module`` is ``package`` or inside it."""
    return module == package or module.startswith(package + ".")


def test_only_aws_imports_boto3_or_botocore() -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in all_imports().items()
        for target in targets
        if target.split(".")[0] in AWS_LIBRARIES and not in_package(name, f"{ROOT}.aws")
    )
    assert not offenders


def test_nothing_in_the_core_imports_aws() -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in targets
        if in_package(target, f"{ROOT}.aws") and not in_package(name, f"{ROOT}.aws") and name not in COMPOSITION_ROOTS
    )
    assert not offenders


def test_renderers_import_only_the_report_model() -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in graph().items()
        if in_package(name, f"{ROOT}.render")
        for target in targets
        if not in_package(target, f"{ROOT}.render") and target not in RENDER_MAY_IMPORT
    )
    assert not offenders


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _without_package_inits(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drop edges from a package's ``__init__`` to its own modules (re-exports are not a dependency back)."""
    return {name: {t for t in targets if not (in_package(t, name) and t != name)} for name, targets in edges.items()}


def test_no_module_imports_itself_back() -> None:
    assert _cycles(_without_package_inits(graph())) == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": set()}, []),
    ],
)
def test_the_cycle_finder_finds_cycles(edges: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert _cycles(edges) == expected
