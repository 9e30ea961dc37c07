"""The engine package: pure Python (no Django), its public names, its version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import apps.dosimetry.engine as engine

REPO = Path(__file__).resolve().parents[3]


def test_importing_the_engine_loads_neither_django_nor_dicompyler() -> None:
    # given a fresh interpreter (pytest-django has already imported Django in this one)
    code = (
        "import sys, apps.dosimetry.engine as e; "
        "e.evaluate([{'fractions': 5, 'total_dose_gy': 20}]); "
        "heavy = ('django', 'rest_framework', 'dicompylercore'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in heavy]; "
        "print(','.join(bad))"
    )
    # when the engine is imported and used
    result = subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    # then no Django (nor the heavy DICOM stack) was imported
    assert result.stdout.strip() == ""


def test_no_engine_module_mentions_django() -> None:
    for path in Path(engine.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path.name


def test_public_names_exist_and_version_is_set() -> None:
    for name in engine.__all__:
        assert hasattr(engine, name), name
    assert engine.ENGINE_VERSION.startswith("dose-")
