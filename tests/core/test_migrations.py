"""Migrations are committed and do not churn: the model state is the same in every interpreter run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("seed", ["1", "2"])
def test_no_missing_migrations_whatever_the_hash_seed(seed: str) -> None:
    # Sets iterate in a per-process order; a constraint built from one would rewrite itself every run.
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
