"""Settings: production refuses the demo fallbacks, and no settings module loads domain code."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_PROBE = "import django, sys; django.setup(); print('started')"


# Production refuses weak secret keys (issue 15): these probes use a strong-looking one.
STRONG_KEY = "x9Qv7Lm2Kp4Rt8Wz3Hn6Bd1Fg5Js0Yc" * 2


def _start(settings: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"}}
    clean.update({"DJANGO_SETTINGS_MODULE": settings, **env})
    return subprocess.run([sys.executable, "-c", _PROBE], env=clean, capture_output=True, text=True, timeout=60)  # noqa: S603


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "DATABASE_URL and REDIS_URL"),
        ({"DATABASE_URL": "postgres://u@127.0.0.1/x"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "DATABASE_URL"),
        ({"DATABASE_URL": "", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without_database_and_broker(env: dict[str, str], missing: str) -> None:
    result = _start("tumorboard.settings.production", DJANGO_SECRET_KEY=STRONG_KEY, **env)
    assert result.returncode != 0
    assert f"Production needs {missing}" in result.stderr
    assert "started" not in result.stdout


def test_production_starts_with_both() -> None:
    result = _start(
        "tumorboard.settings.production",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DATABASE_URL="postgres://u@127.0.0.1/x",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize("module", ["base", "local", "test", "production"])
def test_settings_import_no_domain_code(module: str) -> None:
    code = (
        f"import os, sys; os.environ.setdefault('DJANGO_SECRET_KEY', 'x9Qv7Lm2Kp4Rt8Wz3Hn6Bd1Fg5Js0Yc' * 2); "
        f"os.environ.setdefault('DATABASE_URL', 'postgres://u@127.0.0.1/x'); os.environ.setdefault('REDIS_URL', 'redis://x'); "
        f"import tumorboard.settings.{module}; "
        "print(sorted(m for m in sys.modules if m == 'apps' or m.startswith('apps.') or m == 'frontend'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)  # noqa: S603
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
