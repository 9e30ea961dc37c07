"""Import rules of ``apps/`` (issue 10).

- The contracts of ``[tool.importlinter]`` in ``pyproject.toml`` (import-linter, run by ``make lint`` as
  ``lint-imports``): the engines, ``apps.clinical``, the vocabulary, the facts and the field table import
  no Django, DRF or Celery, directly or through another module; nothing but the worker loads a tasks
  module; tasks modules are independent; the layers (urls -> frontend -> apps; within an app api ->
  services -> selectors -> models -> engine). The tests below run them and check they have teeth.
- No import cycle between modules of ``apps/`` (services name tasks through ``apps.core.background``
  instead of importing them), checked on the source with the stdlib ``ast`` module, counting imports
  inside functions too: a deferred import hides a cycle from Python, not from the design.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "apps"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for p in APPS.rglob("*.py") if "migrations" not in p.parts}


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """The ``apps.*`` modules ``path`` imports (``from a import b`` counts ``a.b`` when it is a module)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known and name != module}


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    known = set(sources)
    return {module: _imports(path, module, known) for module, path in sources.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that returns to its start), or None (iterative DFS, three colours)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, pending = stack[-1]
            if not pending:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            nxt = pending.pop()
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(graph[nxt])))
    return None


def _is_package_edge(importer: str, imported: str) -> bool:
    # ``apps.x`` (a package's __init__) "imported" by its own submodule is Python's loading order, not a
    # dependency of the package on the submodule.
    return importer.startswith(imported + ".")


def test_there_is_no_import_cycle_in_apps() -> None:
    graph = {m: {i for i in deps if not _is_package_edge(m, i)} for m, deps in _graph().items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    # the check itself: a cycle through three modules is reported, a diamond is not
    found = _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    assert found is not None and found[0] == found[-1] and set(found) == {"a", "b", "c"}
    assert _cycle({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}) is None


def _lint_imports(cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own venv's lint-imports on our own config
        [str(Path(sys.executable).with_name("lint-imports")), "--config", str(config), "--no-cache"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    """The contracts of ``[tool.importlinter]`` (engines import no framework, nothing but the worker
    loads tasks, tasks are independent, layers) hold; ``make lint`` runs the same command."""
    result = _lint_imports(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contracts_cover_every_pure_module() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    pure = next(c for c in contracts if c["forbidden_modules"] == ["django", "rest_framework", "celery"])
    assert set(pure["source_modules"]) == {
        "apps.*.engine",
        "apps.clinical",
        "apps.cases.vocabulary",
        "apps.cases.facts",
        "apps.cases.fields",
    }
    assert any(c.get("forbidden_modules") == ["apps.*.tasks"] for c in contracts)


def test_every_app_but_accounts_is_kept_from_the_scoping_module() -> None:
    """One authorization entry point: a new app is added to the contract, or it could check membership
    its own way (``apps.accounts.scoping``) instead of asking ``apps.accounts.authorization``."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    scoping = next(c for c in contracts if c.get("forbidden_modules") == ["apps.accounts.scoping"])
    apps = {f"apps.{p.name}" for p in APPS.iterdir() if (p / "__init__.py").exists() and p.name != "accounts"}
    assert set(scoping["source_modules"]) == apps | {"frontend", "tumorboard"}


def test_the_contracts_catch_an_engine_importing_django_through_a_helper(tmp_path: Path) -> None:
    """The check itself: a pure engine that loads Django through another module breaks the contract."""
    package = tmp_path / "apps"
    (package / "x" / "engine").mkdir(parents=True)
    for init in (package, package / "x", package / "x" / "engine"):
        (init / "__init__.py").write_text("")
    (package / "x" / "helpers.py").write_text("from django.db import models\n")
    (package / "x" / "engine" / "score.py").write_text("from apps.x import helpers\n")
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.importlinter]\nroot_packages = ['apps']\ninclude_external_packages = true\n"
        "[[tool.importlinter.contracts]]\nname = 'pure'\ntype = 'forbidden'\n"
        "source_modules = ['apps.*.engine']\nforbidden_modules = ['django']\n"
    )
    result = _lint_imports(tmp_path, config)
    assert result.returncode != 0
    assert "apps.x.engine.score -> apps.x.helpers" in result.stdout
