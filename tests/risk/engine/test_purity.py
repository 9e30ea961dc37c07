"""The risk engine stays pure Python: no Django (or any other framework) import in its modules."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[3] / "apps" / "risk" / "engine"
ALLOWED_ROOTS = {
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "hashlib",
    "itertools",
    "json",
    "math",
    "typing",
    "dateutil",
    "apps",
}
ALLOWED_APPS = ("apps.cases.vocabulary", "apps.cases.facts", "apps.clinical", "apps.risk.engine")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_modules_import_only_the_standard_library_dateutil_and_the_facts() -> None:
    # Given every module of the engine
    modules = sorted(ENGINE.glob("*.py"))
    assert modules
    for path in modules:
        for name in imported_modules(path):
            # Then each import is allowed: stdlib, dateutil, the vocabulary/facts and the engine itself
            assert name.split(".")[0] in ALLOWED_ROOTS, f"{path.name} imports {name}"
            if name.startswith("apps"):
                assert name.startswith(ALLOWED_APPS), f"{path.name} imports {name}"
