"""The matching benchmark runs (a smoke test; the figure itself is measured by running the script)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from apps.trials.engine import load_seed_trials

BENCH = Path(__file__).resolve().parents[3] / "bench" / "matching.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_matching", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pure_benchmark_returns_a_rate(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench()
    assert bench.pure_benchmark(cases=20, repeat=1) > 0
    assert bench.main(["--cases", "10", "--repeat", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["benchmark"] == "pure"
    assert report["trials"] == len(load_seed_trials())
    assert report["evaluations_per_second"] > 0
