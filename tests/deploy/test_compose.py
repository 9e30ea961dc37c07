"""docker-compose.yml and deploy/ cannot run here (no Docker engine): check them by parsing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "web-events", "worker-engines", "worker-notifications", "worker-exports", "beat", "migrate")


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_vars_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tumorboard" / "settings").glob("*.py"):
        names |= set(re.findall(r'env_\w+\("([A-Z_]+)"', path.read_text()))
    return names


def test_production_shape_has_every_service() -> None:
    # The single "worker" became one pool per queue (issue 16); PgBouncer and the ASGI events server joined.
    assert set(compose()["services"]) >= {*APP_SERVICES, "db", "pgbouncer", "redis", "proxy"}


def test_app_services_build_from_deploy_and_run_the_right_command() -> None:
    services = compose()["services"]
    expected = {
        "web": "gunicorn tumorboard.wsgi:application",
        "web-events": "uvicorn tumorboard.asgi:application",
        "worker-engines": "celery -A tumorboard worker -Q engines,celery",
        "worker-notifications": "celery -A tumorboard worker -Q notifications",
        "worker-exports": "celery -A tumorboard worker -Q exports",
        "beat": "celery -A tumorboard beat",
        "migrate": "python manage.py migrate --noinput",
    }
    for name, start in expected.items():
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert " ".join(service["command"]).startswith(start), name
    for name in ("worker-engines", "worker-notifications", "worker-exports"):
        command = services[name]["command"]
        low_high = command[command.index("--autoscale") + 1].split(",")
        assert 1 <= int(low_high[1]) <= int(low_high[0]), f"{name}: --autoscale max,min"
    assert services["beat"]["deploy"]["replicas"] == 1
    assert (ROOT / "tumorboard" / "celery.py").exists()
    assert (ROOT / "tumorboard" / "wsgi.py").exists()
    assert (ROOT / "tumorboard" / "asgi.py").exists()


def test_worker_pools_cover_every_routed_queue() -> None:
    """Every queue the production routes name is read by some pool, and the default queue (beat's sweep)."""
    text = (ROOT / "tumorboard" / "settings" / "production.py").read_text()
    routed = set(re.findall(r'"queue": "([a-z_]+)"', text)) | {"celery"}
    read: set[str] = set()
    for name, service in compose()["services"].items():
        command = service.get("command") or []
        if name.startswith("worker"):
            read |= set(command[command.index("-Q") + 1].split(","))
    assert routed <= read, f"queues nobody reads: {routed - read}"


def test_app_environment_matches_what_the_settings_read() -> None:
    read = env_vars_read_by_settings() | {"DJANGO_SETTINGS_MODULE"}
    for name in APP_SERVICES:
        env = compose()["services"][name]["environment"]
        assert set(env) <= read, f"{name} sets variables the code never reads: {set(env) - read}"
        assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"} <= set(env)
        assert env["DJANGO_SETTINGS_MODULE"] == "tumorboard.settings.production"
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        if name == "migrate":  # DDL goes straight to PostgreSQL
            assert "@db:5432/" in env["DATABASE_URL"]
        else:  # everything else through PgBouncer, with no connection or cursor outliving a transaction
            assert "@pgbouncer:6432/" in env["DATABASE_URL"]
            assert env["DB_CONN_MAX_AGE"] == "0" and env["DB_DISABLE_SERVER_SIDE_CURSORS"] == "true"
    assert (ROOT / "tumorboard" / "settings" / "production.py").exists()


def test_web_health_checks_reach_healthz_as_an_allowed_host_over_tls() -> None:
    services = compose()["services"]
    for name in ("web", "web-events"):
        probe = " ".join(services[name]["healthcheck"]["test"])
        assert "/healthz" in probe and "'Host': 'localhost'" in probe and "'X-Forwarded-Proto': 'https'" in probe
        assert "localhost" in services[name]["environment"]["DJANGO_ALLOWED_HOSTS"]


def test_production_settings_have_no_secret_default() -> None:
    text = (ROOT / "tumorboard" / "settings" / "production.py").read_text()
    assert 'SECRET_KEY = env_str("DJANGO_SECRET_KEY")' in text


def test_dockerfile_copies_the_code_and_proxy_targets_web_and_events() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for part in ("tumorboard", "apps", "frontend", "manage.py"):
        assert f"COPY {part}" in dockerfile
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000" in nginx
    assert "server web-events:8000" in nginx
    events = nginx[nginx.index("location ~ ^/meetings/[0-9]+/events/") :]
    events = events[: events.index("}")]
    assert "proxy_pass http://tumorboard_events" in events and "proxy_buffering off" in events
    proxy = compose()["services"]["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]


def test_production_routes_send_each_task_to_its_pool() -> None:
    """The routes as Celery resolves them (globs, first match wins), against the task names that exist."""
    from celery.app.routes import MapRoute

    namespace: dict[str, Any] = {}
    text = (ROOT / "tumorboard" / "settings" / "production.py").read_text()
    block = text[text.index("CELERY_TASK_ROUTES = {") : text.index("}\n", text.index("CELERY_TASK_ROUTES = {")) + 1]
    exec(block, namespace)  # noqa: S102 - our own settings literal
    route = MapRoute(namespace["CELERY_TASK_ROUTES"])

    def queue(task: str) -> str | None:
        found = route(task)
        return found["queue"] if found else None

    assert queue("risk.assess_cases") == "engines"
    assert queue("trials.match_cases") == "engines"
    assert queue("options.compute_chunk") == "engines"
    assert queue("dosimetry.compute_plan_summaries") == "engines"
    assert queue("dosimetry.run_import") == "exports"
    assert queue("meetings.deliver_notification") == "notifications"
    assert queue("decisions.send_follow_up_reminder") == "notifications"
    assert queue("core.sweep") is None  # the default queue, read by the engines pool
