"""docker-compose.yml and deploy/ cannot run here (no Docker engine): check them by parsing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_vars_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tumorboard" / "settings").glob("*.py"):
        names |= set(re.findall(r'env_\w+\("([A-Z_]+)"', path.read_text()))
    return names


def test_production_shape_has_every_service() -> None:
    assert set(compose()["services"]) >= {"web", "worker", "beat", "db", "redis", "proxy"}


def test_app_services_build_from_deploy_and_run_the_right_command() -> None:
    services = compose()["services"]
    expected = {"web": "tumorboard.wsgi:application", "worker": "worker", "beat": "beat"}
    for name, marker in expected.items():
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        command = " ".join(service["command"])
        assert marker in command
        if name != "web":
            assert command.startswith("celery -A tumorboard ")  # the Celery app lives in tumorboard/celery.py
    assert (ROOT / "tumorboard" / "celery.py").exists()
    assert (ROOT / "tumorboard" / "wsgi.py").exists()


def test_app_environment_matches_what_the_settings_read() -> None:
    read = env_vars_read_by_settings() | {"DJANGO_SETTINGS_MODULE"}
    for name in ("web", "worker", "beat"):
        env = compose()["services"][name]["environment"]
        assert set(env) <= read, f"{name} sets variables the code never reads: {set(env) - read}"
        assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"} <= set(env)
        assert env["DJANGO_SETTINGS_MODULE"] == "tumorboard.settings.production"
        assert (ROOT / "tumorboard" / "settings" / "production.py").exists()
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")


def test_production_settings_have_no_secret_default() -> None:
    text = (ROOT / "tumorboard" / "settings" / "production.py").read_text()
    assert 'SECRET_KEY = env_str("DJANGO_SECRET_KEY")' in text


def test_dockerfile_copies_the_code_and_proxy_targets_web() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for part in ("tumorboard", "apps", "frontend", "manage.py"):
        assert f"COPY {part}" in dockerfile
    assert "server web:8000" in (ROOT / "deploy" / "nginx.conf").read_text()
    proxy = compose()["services"]["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
