"""No ``assert`` guards a code path in the library (``python -O`` removes them; a bare
``AssertionError`` names nothing): a broken invariant raises ``InvariantError``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "persistence", "importers", "services", "cli", "migrations")


def _asserts(source: str, name: str) -> list[int]:
    return [
        node.lineno for node in ast.walk(ast.parse(source, name)) if isinstance(node, ast.Assert)
    ]


def test_no_library_module_contains_an_assert_statement():
    modules = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(modules) > 50  # the walk found the library
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in modules
        for line in _asserts(path.read_text(encoding="utf-8"), str(path))
    ]
    assert found == []


def test_the_walk_finds_an_assert():
    assert _asserts("def f(x):\n    assert x is not None\n    return x\n", "sample.py") == [2]
