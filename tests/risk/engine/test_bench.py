"""The benchmark script keeps working (a smoke run: no timing assertion, which would be flaky in CI)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "risk.py"


def test_pure_benchmark_runs_and_reports_a_rate(capsys: object) -> None:
    spec = importlib.util.spec_from_file_location("bench_risk", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.pure_benchmark(n_lesions=300, repeats=1) > 0
    assert module.main(["--lesions", "120", "--repeats", "1"]) == 0
