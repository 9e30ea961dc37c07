"""Import rules of ``apps/`` (issue 10), checked on the source with the stdlib ``ast`` module:

- no import cycle between modules of ``apps/`` (services name tasks through ``apps.core.background``
  instead of importing them), counting imports inside functions too: a deferred import hides a cycle
  from Python, not from the design;
- the engines (``apps/*/engine/``) and ``apps/clinical`` import no Django (nor any Django app).
"""

from __future__ import annotations

import ast
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


def test_services_never_import_tasks() -> None:
    graph = _graph()
    offenders = sorted((m, i) for m, deps in graph.items() if not m.endswith(".tasks") for i in deps if i.endswith(".tasks"))
    # ``apps.core.tasks`` holds only operational tasks; nothing else may import a tasks module
    assert offenders == [], offenders


def _django_roots(path: Path) -> set[str]:
    """The framework packages ``path`` imports directly."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            roots.add(node.module.split(".")[0])
    return roots & {"django", "rest_framework", "celery"}


def _closure(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every ``apps`` module importing ``start`` loads: its imports, theirs, and their parent packages."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        todo.extend(".".join(parts[:n]) for n in range(2, len(parts)) if ".".join(parts[:n]) in graph)
        todo.extend(graph.get(module, ()))
    return seen


def test_engines_and_clinical_derivations_import_no_django() -> None:
    """An engine may use other pure modules (``apps.cases.facts``, the vocabulary), but nothing it loads,
    directly or through them, may import Django, DRF or Celery."""
    sources = _sources()
    graph = _graph()
    pure = [m for m in sources if ".engine." in f"{m}." or m.startswith("apps.clinical")]
    assert any(".engine" in m for m in pure) and "apps.clinical.derivations" in pure
    offenders = {m: sorted(f"{dep}: {root}" for dep in _closure(graph, m) for root in _django_roots(sources[dep])) for m in pure}
    assert {m: v for m, v in offenders.items() if v} == {}


def test_the_purity_check_sees_a_django_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from django.db import models\nimport celery\n")
    assert _django_roots(module) == {"django", "celery"}
