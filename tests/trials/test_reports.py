"""Administrators' trial reports: referral outcomes, eligible cases not referred, criterion attrition."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db.models import F

from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.trials import services
from apps.trials.models import TrialMatch, TrialReferral
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

TRIAL = "NCT03862911"
REFERRALS = "/api/v1/reports/referrals/"
ELIGIBLE = "/api/v1/reports/eligible-not-referred/"
ATTRITION = "/api/v1/reports/attrition/"
ATTRITION_TRIAL = "NCT01446744"
ATTRITION_CODES = (
    "controlled_primary",
    "metastases_1_5",
    "no_femoral_metastasis",
    "no_focus_within_3mm_of_cord",
    "no_spinal_cord_compression",
)


def refer(p: Personas, case: Case, *steps: str, reason: str = "") -> TrialReferral:
    actor = p.radonc if case.board_id == p.board.pk else p.other_member
    referral = services.referral_create(actor=actor, case_id=case.pk, trial_identifier=TRIAL)
    for target in steps:
        services.referral_transition(actor=actor, referral_id=referral.pk, target=target, reason=reason)
    referral.refresh_from_db()
    return referral


def parse_csv(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("url", [REFERRALS, ELIGIBLE, f"{ATTRITION}?trial={TRIAL}"])
def test_reports_are_for_administrators(personas: Personas, url: str) -> None:
    assert personas.client(personas.administrator).get(url).status_code == 200
    csv_url = f"{url}{'&' if '?' in url else '?'}format=csv"
    as_csv = personas.client(personas.administrator).get(csv_url)
    assert as_csv.status_code == 200
    assert parse_csv(as_csv)[0]  # a header row even when there are no rows
    assert personas.client(personas.radonc).get(url).status_code == 403
    assert personas.client(personas.coordinator).get(url).status_code == 403
    assert personas.client(None).get(url).status_code == 401


def test_referral_report_figures_and_csv(personas: Personas) -> None:
    enrolled = refer(personas, make_breast_case(personas), "screening", "consented", "enrolled")
    failed = refer(personas, make_breast_case(personas), "screening", "screen_failed", reason="ECOG 3 at screening")
    refer(personas, make_breast_case(personas), "screening", "screen_failed", reason="ECOG 3 at screening")
    refer(personas, make_breast_case(personas), "declined", reason="prefers standard care")
    other = refer(personas, make_breast_case(personas, board=personas.other_board), "withdrawn", reason="moved")
    assert enrolled.enrolled_at is not None and enrolled.ended_at is None
    assert failed.ended_at is not None and failed.end_reason == "ECOG 3 at screening"
    assert other.end_reason == "moved"
    TrialReferral.objects.filter(pk=enrolled.pk).update(enrolled_at=F("created_at") + dt.timedelta(days=12))

    client = personas.client(personas.administrator)
    rows = {r["board_id"]: r for r in client.get(REFERRALS).json()}
    assert set(rows) == {personas.board.pk, personas.other_board.pk}
    main = rows[personas.board.pk]
    assert main["trial"] == TRIAL and main["board"] == personas.board.name
    assert (main["referrals"], main["enrolled"], main["screen_failed"], main["declined"], main["withdrawn"]) == (
        4,
        1,
        2,
        1,
        0,
    )
    assert main["median_days_to_enrollment"] == 12.0
    assert main["screen_failure_reasons"] == [{"reason": "ECOG 3 at screening", "count": 2}]
    second = rows[personas.other_board.pk]
    assert (second["referrals"], second["withdrawn"], second["median_days_to_enrollment"]) == (1, 1, None)
    assert second["screen_failure_reasons"] == []

    table = parse_csv(client.get(REFERRALS, {"format": "csv"}))
    assert table[0] == [
        "trial",
        "trial_short_name",
        "board_id",
        "board",
        "referrals",
        "enrolled",
        "screen_failed",
        "declined",
        "withdrawn",
        "median_days_to_enrollment",
        "screen_failure_reasons",
    ]
    assert len(table) == 3
    by_board = {row[2]: row for row in table[1:]}
    assert by_board[str(personas.board.pk)][4:10] == ["4", "1", "2", "1", "0", "12.0"]
    assert "ECOG 3 at screening" in by_board[str(personas.board.pk)][10]
    # the Accept header works as well as ?format=csv
    assert client.get(REFERRALS, HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")


def test_eligible_not_referred(personas: Personas) -> None:
    referred = make_breast_case(personas)
    waiting = make_breast_case(personas)
    closed = make_breast_case(personas)
    for case in (referred, waiting, closed):
        services.case_match_trials(case.pk)
    refer(personas, referred, "declined", reason="prefers standard care")  # any referral counts, ended or not
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)

    client = personas.client(personas.administrator)
    rows = client.get(ELIGIBLE).json()
    pairs = {(r["case_id"], r["trial"]) for r in rows}
    assert (waiting.pk, TRIAL) in pairs
    assert (referred.pk, TRIAL) not in pairs
    assert all(r["case_id"] != closed.pk for r in rows)
    expected = set(
        TrialMatch.objects.filter(eligibility="eligible", case__in=(referred, waiting))
        .exclude(case=referred, trial__identifier=TRIAL)
        .values_list("case_id", "trial__identifier")
    )
    assert pairs == expected
    assert all(r["board_id"] == personas.board.pk and r["trial_version"] >= 1 for r in rows)

    table = parse_csv(client.get(ELIGIBLE, {"format": "csv"}))
    assert table[0] == [
        "case_id",
        "case_status",
        "board_id",
        "board",
        "trial",
        "trial_short_name",
        "trial_status",
        "trial_version",
        "computed_at",
    ]
    assert len(table) == len(rows) + 1


def _set_results(case: Case, results: tuple[str, ...]) -> None:
    match = TrialMatch.objects.get(case=case, trial__identifier=ATTRITION_TRIAL)
    payload = match.payload
    by_code = dict(zip(ATTRITION_CODES, results, strict=True))
    for criterion in payload["criteria"]:
        criterion["result"] = by_code[criterion["code"]]
    TrialMatch.objects.filter(pk=match.pk).update(payload=payload)


def test_attrition_figures(personas: Personas) -> None:
    cases = [make_breast_case(personas) for _ in range(4)]
    for case in cases:
        services.case_match_trials(case.pk)
    _set_results(cases[0], ("met", "met", "met", "met", "met"))
    _set_results(cases[1], ("met", "not_met", "met", "met", "met"))
    _set_results(cases[2], ("unknown", "met", "met", "not_met", "met"))
    _set_results(cases[3], ("met", "met", "met", "met", "met"))
    Case.objects.filter(pk=cases[3].pk).update(status=CaseStatus.CLOSED)

    client = personas.client(personas.administrator)
    report = client.get(ATTRITION, {"trial": ATTRITION_TRIAL}).json()
    assert report["trial"] == ATTRITION_TRIAL and report["open_cases"] == 3 and report["stale_matches"] == 0
    figures = [
        (r["code"], r["remaining"], r["not_met"], r["unknown"], r["excluded_alone"], r["unknown_alone"])
        for r in report["criteria"]
    ]
    assert figures == [
        ("controlled_primary", 2, 0, 1, 0, 1),
        ("metastases_1_5", 1, 1, 0, 1, 0),
        ("no_femoral_metastasis", 1, 0, 0, 0, 0),
        ("no_focus_within_3mm_of_cord", 1, 0, 0, 1, 0),
        ("no_spinal_cord_compression", 1, 0, 0, 0, 0),
    ]
    assert [r["position"] for r in report["criteria"]] == [1, 2, 3, 4, 5]

    table = parse_csv(client.get(ATTRITION, {"trial": ATTRITION_TRIAL, "format": "csv"}))
    assert table[0] == [
        "position",
        "code",
        "kind",
        "text",
        "remaining",
        "not_met",
        "unknown",
        "excluded_alone",
        "unknown_alone",
    ]
    assert [row[1] for row in table[1:]] == list(ATTRITION_CODES)
    assert table[2][4:] == ["1", "1", "0", "1", "0"]


def test_attrition_needs_a_known_trial(personas: Personas) -> None:
    client = personas.client(personas.administrator)
    assert client.get(ATTRITION).status_code == 400
    assert client.get(ATTRITION, {"trial": "NCT00000000"}).status_code == 404


def test_reports_run_a_constant_number_of_queries(personas: Personas, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = personas.client(personas.administrator)
    for n in range(3):
        for _ in range(n + 1):
            case = make_breast_case(personas, board=personas.board if n % 2 else personas.other_board)
            services.case_match_trials(case.pk)
            refer(personas, case, "screening", "screen_failed", reason=f"reason {n}")
            refer(personas, case, "screening", "consented", "enrolled")
        with django_assert_num_queries(3):
            assert len(client.get(REFERRALS).json()) == min(n + 1, 2)
        with django_assert_num_queries(1):
            assert client.get(ELIGIBLE).status_code == 200
        with django_assert_num_queries(3):
            assert client.get(ATTRITION, {"trial": ATTRITION_TRIAL}).json()["open_cases"] == (n + 1) * (n + 2) // 2
