"""The options engine stays pure Python: no Django import, only the facts, the vocabulary and other engines."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[3] / "apps" / "options" / "engine"
ALLOWED_ROOTS = {"__future__", "collections", "dataclasses", "enum", "hashlib", "itertools", "json", "typing", "apps"}
ALLOWED_APPS = (
    "apps.cases.vocabulary",
    "apps.cases.facts",
    "apps.clinical",  # pure (the import-linter contract): the one anatomical overlap rule
    "apps.options.engine",
    "apps.risk.engine",
    "apps.dosimetry.engine.lq",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_modules_import_only_the_standard_library_the_facts_and_pure_engines() -> None:
    modules = sorted(ENGINE.glob("*.py"))
    assert len(modules) >= 7
    for path in modules:
        for name in imported_modules(path):
            assert name.split(".")[0] in ALLOWED_ROOTS, f"{path.name} imports {name}"
            if name.startswith("apps"):
                assert name.startswith(ALLOWED_APPS), f"{path.name} imports {name}"
