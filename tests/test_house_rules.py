"""House rules for the tests themselves (issue 17), checked so they keep holding as tests are added."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def collected_in(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The functions pytest collects as tests in *path*: every ``test*`` function, methods included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    ]


def test_every_test_function_has_a_docstring() -> None:
    """Every test in tests/test_*.py says in a docstring what it checks and why, so whoever sees it fail
    knows what broke without working it out from the asserts."""
    files = sorted(TESTS.rglob("test_*.py"))
    assert len(files) > 30  # the walk found the suite
    missing = [
        f"{path.relative_to(TESTS.parent)}:{node.lineno} {node.name}"
        for path in files
        for node in collected_in(path)
        if not (ast.get_docstring(node) or "").strip()
    ]
    assert missing == [], "test functions without a docstring:\n" + "\n".join(missing)
