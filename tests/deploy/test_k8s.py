"""deploy/k8s/ (the cluster shape, docs/scaling.md) checked by parsing: no cluster runs here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SECRET_KEYS = {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"}


def documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


def container(workload: dict[str, Any]) -> dict[str, Any]:
    (only,) = workload["spec"]["template"]["spec"]["containers"]
    return only


def env_vars_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tumorboard" / "settings").glob("*.py"):
        names |= set(re.findall(r'env_\w+\("([A-Z_]+)"', path.read_text()))
    return names | {"DJANGO_SETTINGS_MODULE"}


APP = ("web", "web-events", "worker-engines", "worker-notifications", "worker-exports", "beat")


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk


def test_every_role_has_its_deployment_with_the_right_command() -> None:
    deployments = of_kind("Deployment")
    expected = {
        "web": "gunicorn tumorboard.wsgi:application",
        "web-events": "uvicorn tumorboard.asgi:application",
        "worker-engines": "celery -A tumorboard worker -Q engines,celery",
        "worker-notifications": "celery -A tumorboard worker -Q notifications",
        "worker-exports": "celery -A tumorboard worker -Q exports",
        "beat": "celery -A tumorboard beat",
        "pgbouncer": "",
    }
    assert set(expected) <= set(deployments)
    for name, start in expected.items():
        if start:
            assert " ".join(container(deployments[name])["command"]).startswith(start), name
    assert {"postgres", "redis"} <= set(of_kind("StatefulSet"))
    assert " ".join(container(of_kind("Job")["tumorboard-migrate"])["command"]) == "python manage.py migrate --noinput"


@pytest.mark.parametrize("name", APP)
def test_app_environment_names_only_what_the_settings_read(name: str) -> None:
    workload = of_kind("Deployment")[name]
    spec = container(workload)
    config = of_kind("ConfigMap")["tumorboard"]["data"]
    assert spec["envFrom"] == [{"configMapRef": {"name": "tumorboard"}}]
    names = set(config) | {e["name"] for e in spec["env"]}
    read = env_vars_read_by_settings()
    assert names <= read, f"{name} sets variables the code never reads: {names - read}"
    secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in spec["env"] if "valueFrom" in e}
    assert set(secrets) >= SECRET_KEYS and all(ref["name"] == "tumorboard" for ref in secrets.values())
    assert not SECRET_KEYS & set(config), "secrets belong in the Secret, not the ConfigMap"
    assert config["DJANGO_SETTINGS_MODULE"] == "tumorboard.settings.production"
    # Through PgBouncer's transaction pooling (DATABASE_URL points there in the Secret).
    assert config["DB_CONN_MAX_AGE"] == "0" and config["DB_DISABLE_SERVER_SIDE_CURSORS"] == "true"


@pytest.mark.parametrize("name", ["web", "web-events"])
def test_web_probes_ask_healthz_as_an_allowed_host_over_tls(name: str) -> None:
    spec = container(of_kind("Deployment")[name])
    allowed = of_kind("ConfigMap")["tumorboard"]["data"]["DJANGO_ALLOWED_HOSTS"].split(",")
    for probe in ("readinessProbe", "livenessProbe"):
        get = spec[probe]["httpGet"]
        assert get["path"] == "/healthz" and get["port"] == 8000
        headers = {h["name"]: h["value"] for h in get["httpHeaders"]}
        assert headers["Host"] in allowed
        assert headers["X-Forwarded-Proto"] == "https"
    service = of_kind("Service")[name]
    assert service["spec"]["selector"] == of_kind("Deployment")[name]["spec"]["template"]["metadata"]["labels"]


@pytest.mark.parametrize("name", ["worker-engines", "worker-notifications", "worker-exports"])
def test_worker_pools_autoscale_within_bounds_and_answer_a_ping(name: str) -> None:
    spec = container(of_kind("Deployment")[name])
    command = spec["command"]
    node = command[command.index("-n") + 1].split("@")[0]
    high, low = map(int, command[command.index("--autoscale") + 1].split(","))
    assert 1 <= low <= high <= 8
    assert f"{node}@$HOSTNAME" in " ".join(spec["livenessProbe"]["exec"]["command"])


def test_autoscalers_have_sane_bounds_and_beat_has_none() -> None:
    hpas = of_kind("HorizontalPodAutoscaler")
    deployments = of_kind("Deployment")
    assert set(hpas) == {"web", "web-events", "worker-engines", "worker-notifications", "worker-exports"}
    for name, hpa in hpas.items():
        spec = hpa["spec"]
        assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"] <= 20
        assert deployments[name]["spec"]["replicas"] == spec["minReplicas"]
        target = spec["metrics"][0]["resource"]["target"]
        assert spec["metrics"][0]["resource"]["name"] == "cpu" and 50 <= target["averageUtilization"] <= 90
    assert hpas["web"]["spec"]["minReplicas"] >= 2  # a rolling update never leaves the pages unserved


def test_exactly_one_beat_never_two_during_a_rollout() -> None:
    beat = of_kind("Deployment")["beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    beats = [d for d in of_kind("Deployment").values() if "beat" in " ".join(container(d).get("command", []))]
    assert beats == [beat]


def test_pgbouncer_pools_transactions_in_front_of_postgres() -> None:
    spec = container(of_kind("Deployment")["pgbouncer"])
    env = {e["name"]: e.get("value") for e in spec["env"]}
    assert env["POOL_MODE"] == "transaction" and env["DB_HOST"] == "postgres" and env["LISTEN_PORT"] == "6432"
    assert of_kind("Service")["pgbouncer"]["spec"]["ports"][0]["port"] == 6432
    migrate = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in container(of_kind("Job")["tumorboard-migrate"])["env"]}
    assert migrate["DATABASE_URL"] == "DATABASE_DIRECT_URL"  # DDL straight to PostgreSQL
