"""Each benchmark script on a tiny data set (a few cases, one user, about a second per figure), so none can
rot. They assert that the scripts run and measure what they say, never how fast anything is: speed is
for the benchmarks themselves (docs/performance.md), which never run in the suite.

The generator, the minimal views and the query counts run in both modes; the load test, the recompute
through a worker and the meeting hour start real servers and workers against the test database, so
they are ``services`` tests (PostgreSQL and Redis).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from apps.accounts.models import User
from apps.accounts.services import api_token_create
from apps.audit.models import AuditEntry
from apps.audit.verification import verify_chain
from apps.cases import rules
from apps.cases.models import Case, Lesion, PriorRadiotherapyCourse
from apps.decisions.engine.recommendation import content_hash
from apps.decisions.models import Decision
from apps.decisions.services import signed_content
from apps.discussion.models import Comment
from apps.meetings.models import AgendaItem, Meeting
from bench import generate, load, meeting_hour, queries, recompute

pytestmark = pytest.mark.bench

TAG = "smoke"
ROOT = Path(__file__).resolve().parents[2]


def _generate(n_cases: int = 24) -> dict[str, Any]:
    return generate.generate(n_cases=n_cases, n_boards=2, seed=7, tag=TAG, verbose=False)


def _use_test_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Subprocesses (servers, workers, preparation steps) read the test database, not the developer's."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    monkeypatch.setenv("DATABASE_URL", url)


def _require_services() -> None:
    from django.conf import settings

    if connection.vendor != "postgresql" or not getattr(settings, "REDIS_URL", None):
        pytest.fail("this smoke test needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")


@pytest.mark.django_db
def test_generator_writes_valid_linked_data_and_wipes_it_again() -> None:
    result = _generate()
    cases = Case.objects.filter(board__institution__code=TAG)
    assert result["cases"] == cases.count() == 24
    assert result["lesions"] == Lesion.objects.filter(case__in=cases).count() >= 24
    # Everything it wrote passes the same rules as an intake (the CHECK constraints held on insert).
    for case in cases.select_related("patient").prefetch_related("lesions", "prior_radiotherapy"):
        data = {f: getattr(case, f) for f in ("primary_histology", "er_status", "castration_status", "on_systemic_therapy")}
        data["systemic_therapy_classes"] = case.systemic_therapy_classes
        assert rules.case_errors(data, date_of_birth=case.patient.date_of_birth, today=generate.TODAY) == {}
        for lesion in case.lesions.all():
            fields = {f.name: getattr(lesion, f.name) for f in Lesion._meta.concrete_fields}
            assert rules.lesion_errors(fields) == {}
        assert all(c.total_dose_gy > 0 for c in case.prior_radiotherapy.all())
    # Meetings with agendas, signed decisions whose seal verifies, comments by board members.
    assert Meeting.objects.filter(board__institution__code=TAG, status="scheduled").exists()
    assert AgendaItem.objects.filter(case__in=cases).count() == result["agenda_items"]
    for decision in Decision.objects.filter(case__in=cases):
        assert decision.status == "signed" and decision.content_hash == content_hash(signed_content(decision))
        assert decision.case.status in {"decided", "closed"}
    assert Comment.objects.filter(case__in=cases).count() == result["comments"]
    assert User.objects.filter(username__startswith=f"{TAG}-b1-").count() == 6

    # Same seed, same data; a second run replaces the first (idempotent), and --wipe removes it.
    first = list(cases.order_by("pk").values_list("question", "status", "primary_histology"))
    _generate()
    assert (
        list(
            Case.objects.filter(board__institution__code=TAG)
            .order_by("pk")
            .values_list("question", "status", "primary_histology")
        )
        == first
    )
    assert generate.wipe(TAG) == 24
    assert not Case.objects.filter(board__institution__code=TAG).exists()
    assert not Decision.objects.filter(case__board__institution__code=TAG).exists()
    assert not PriorRadiotherapyCourse.objects.filter(case__board__institution__code=TAG).exists()
    # The signed-decision guard is back after the wipe.
    assert User.objects.filter(username=f"{TAG}-b1-coordinator").exists()


@pytest.mark.django_db
@pytest.mark.urls("bench.urls")
def test_minimal_views_answer_the_essential_json_in_few_queries(client: Any, django_assert_max_num_queries: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the minimal views are PostgreSQL SQL (ANY(array), COUNT(*) OVER ()); the benchmark runs there")
    _generate(12)
    user = User.objects.get(username=f"{TAG}-b1-coordinator")
    _, token = api_token_create(user=user, name="smoke")
    board_id = user.memberships.get().board_id
    with django_assert_max_num_queries(2):
        response = client.get("/bench/minimal/cases/?page_size=50", HTTP_AUTHORIZATION=f"Token {token}")
    body = response.json()
    on_board = Case.objects.filter(board_id=board_id)
    assert body["count"] == on_board.count() == len(body["results"])
    newest = on_board.order_by("-created_at", "-id").first()
    assert body["results"][0]["id"] == newest.pk
    assert body["results"][0]["lesion_count"] == newest.lesions.count()
    with django_assert_max_num_queries(4):
        detail = client.get(f"/bench/minimal/cases/{newest.pk}/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert len(detail["lesions"]) == newest.lesions.count()
    # The same-content baseline: the stored results beside the case, and the audited read chained as the
    # product chains it (the chain still verifies).
    from apps.options.services import treatment_options_compute

    treatment_options_compute(case_id=newest.pk)  # with its risk and trial matches
    reads = AuditEntry.objects.filter(event="case.read", case_id=newest.pk).count()
    with django_assert_max_num_queries(12):
        full = client.get(f"/bench/minimal/cases/{newest.pk}/full/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert len(full["lesions"]) == newest.lesions.count()
    assert set(full) >= {"risk", "dose_summaries", "trial_matches", "options", "prior_radiotherapy"}
    assert full["risk"]["payload"]["lesions"]
    assert AuditEntry.objects.filter(event="case.read", case_id=newest.pk).count() == reads + 1
    assert verify_chain().intact
    # The options as the detail API answers them (the stored regimens expanded, lesion ids added).
    api = client.get(f"/api/v1/cases/{newest.pk}/", HTTP_AUTHORIZATION=f"Token {token}").json()["treatment_options"]
    assert full["options"]["lesions"] == api["lesions"]
    assert full["options"]["case"] == api["case"]
    other = Case.objects.filter(board__institution__code=TAG).exclude(board_id=board_id).first()
    assert client.get(f"/bench/minimal/cases/{other.pk}/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 404
    assert client.get("/bench/minimal/cases/").status_code == 401
    assert client.get(f"/bench/minimal/cases/{other.pk}/full/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 404


def test_minimal_views_are_not_mounted_without_the_switch(client: Any) -> None:
    assert client.get("/bench/minimal/ping").status_code == 404


@pytest.mark.django_db
def test_query_counts_script_measures_every_page(tmp_path: Path) -> None:
    _generate(12)
    os.environ.setdefault("TUMORBOARD_BENCH", "1")
    result = queries.measure(TAG)
    rows = {r["request"]: r for r in result["rows"]}
    # The minimal views are mounted only with TUMORBOARD_BENCH=1 at start-up; the app's own pages must answer.
    for name in (
        "case list API (50)",
        "case list page",
        "case detail API",
        "case detail page",
        "agenda API",
        "meeting mode page",
    ):
        assert rows[name]["status"] == 200, rows[name]
        assert rows[name]["queries"] > 0
    assert rows["case creation API (3 lesions)"]["status"] == 201
    assert rows["case creation API (3 lesions)"]["queries"] <= 25
    assert "| case list page |" in queries.markdown(result)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_load_test_runs_against_gunicorn_with_its_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require_services()
    _use_test_database(monkeypatch)
    _generate(12)
    out = tmp_path / "load.json"
    only = "case list API,case detail API,healthz"
    # Its own process: locust monkey-patches the standard library with gevent when imported.
    args = [
        "--tag",
        TAG,
        "--users",
        "1",
        "--seconds",
        "1",
        "--workers",
        "1",
        "--port",
        "8796",
        "--only",
        only,
        "--json",
        str(out),
    ]
    run = subprocess.run([sys.executable, "bench/load.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(out.read_text())
    names = {r["scenario"] for r in result["rows"]}
    assert names == {
        "case list API",
        "minimal case list",
        "case detail API",
        "minimal case detail",
        "minimal full case detail",  # the detail's second baseline comes along
        "healthz",
        "minimal ping",
    }
    assert all(r["requests"] > 0 and r["failures"] == 0 and r["p95_ms"] > 0 for r in result["rows"])
    table = load.markdown(result)
    assert "p50 / baseline p50" in table
    assert "Case detail API over the minimal full case detail (same content): 1 users: p50 " in table


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_recompute_runs_every_engine_through_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_registry: None
) -> None:
    _require_services()
    _use_test_database(monkeypatch)
    _generate(12)
    out = tmp_path / "recompute.json"
    assert recompute.main(["--tag", TAG, "--concurrency", "1", "--chunk-size", "5", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    steps = [r["step"] for r in result["rows"]]
    assert steps[0].startswith("cold") and steps[1].startswith("unchanged") and "nothing changed" in steps[2]
    assert result["stored"]["risk_rows"] == 12 and result["stored"]["options_rows"] == 12
    assert result["stored"]["lesion_row_json_bytes_per_case"] == 0  # the lesion result is stored once
    nothing, one_trial = result["rows"][2], result["rows"][3]
    assert nothing["written"] == 0  # digests equal: nothing evaluated, nothing written
    assert one_trial["written"] == one_trial["open_cases"] > 0  # that trial's rows only


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_meeting_hour_delivers_every_step_to_every_follower(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require_services()
    _use_test_database(monkeypatch)
    _generate(150)  # enough scheduled cases for a coming agenda on the first board
    out = tmp_path / "meeting.json"
    args = ["--tag", TAG, "--followers", "2", "--views-per-minute", "30", "--seconds", "6", "--step-seconds", "2"]
    code = meeting_hour.main([*args, "--workers", "1", "--port", "8806", "--json", str(out)])
    result = json.loads(out.read_text())
    assert result["steps"] >= 2
    assert result["events_received"] == result["events_expected"] == result["steps"] * 2, result["errors"]
    assert result["case_view_ms"]["n"] > 0 and result["baseline_case_view_ms"]["n"] > 0
    assert code == 0


@pytest.mark.django_db
def test_detail_profile_script_counts_cpu_per_request(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import profile_detail

    _generate(12)
    result = profile_detail.measure(TAG, n=2, profile=True)
    rows = {r["request"]: r for r in result["rows"]}
    assert rows["case detail API"]["cpu_ms"] > 0 and rows["case detail page"]["bytes"] > 0
    assert "CaseViewSet.retrieve" in capsys.readouterr().out  # pyinstrument's call tree of the API
    assert "| case detail API |" in profile_detail.markdown(result)
