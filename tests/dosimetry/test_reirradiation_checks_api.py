"""``checks`` of ``POST /api/v1/calculators/reirradiation/`` (api-contract.md, second part).

One entry per Sahgal 2012 check (``cumulative`` <= 70 Gy, ``sbrt_course`` <= 25 Gy, ``share`` <= 50 % of the
cumulative, ``interval`` >= 5 calendar months), EQD2 at alpha/beta 2 of the thecal-sac point maximum, when
the organ is ``spinal_cord`` or ``thecal_sac`` and the last course has 1-5 fractions. Expected figures are
worked by hand here with EQD2 = D (d + ab) / (2 + ab), never read from the code under test.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Personas

URL = "/api/v1/calculators/reirradiation/"
CHECK_KEYS = {"code", "status", "value", "limit", "source"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(personas: Personas) -> APIClient:
    return personas.client(personas.radonc)


def two_fx_dose_for_eqd2(target: float) -> float:
    """Physical dose of a 2-fraction course whose EQD2 at ab 2 is ``target``: D (D/2 + 2) / 4 = target."""
    return -2 + math.sqrt(4 + 8 * target)


def post(client: APIClient, courses: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body = {"organ": "spinal_cord", "courses": courses, **extra}
    response = client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


def by_code(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    checks = data["checks"]
    assert [c["code"] for c in checks] == ["cumulative", "sbrt_course", "share", "interval"]
    for check in checks:
        assert set(check) >= CHECK_KEYS
        assert "Sahgal" in check["source"]
    return {c["code"]: c for c in checks}


def test_the_issue_example_fails_each_of_its_own_checks(client: APIClient) -> None:
    # given 26 Gy/13 (2 Gy/fx: EQD2 26) in January and an SBRT cord Pmax of 14 Gy/2 (EQD2 14 * 9 / 4 = 31.5)
    # four months later: cumulative 57.5 (within 70), SBRT share 31.5 / 57.5 = 54.78 %
    data = post(
        client,
        [
            {"fractions": 13, "total_dose_gy": 26, "date": "2026-01-10"},
            {"fractions": 2, "total_dose_gy": 14, "date": "2026-05-10"},
        ],
    )
    # then within_limit keeps its meaning (cumulative against the limit) ...
    assert data["cumulative_eqd2_gy"] == 57.5
    assert data["within_limit"] is True
    checks = by_code(data)
    # ... and each Sahgal criterion is reported on its own
    assert checks["cumulative"] == {**checks["cumulative"], "status": "pass", "value": 57.5, "limit": 70.0}
    assert checks["sbrt_course"] == {**checks["sbrt_course"], "status": "fail", "value": 31.5, "limit": 25.0}
    assert checks["share"] == {**checks["share"], "status": "fail", "value": 54.78, "limit": 50.0}
    assert checks["interval"] == {**checks["interval"], "status": "fail", "value": 4.0, "limit": 5.0}


@pytest.mark.parametrize(
    ("sbrt_eqd2", "shown", "status"),
    [(24.99, 24.99, "pass"), (25.0, 25.0, "pass"), (25.01, 25.01, "fail"), (25.02, 25.02, "fail")],
)
def test_sbrt_course_boundary_is_25_gy_inclusive(client: APIClient, sbrt_eqd2: float, shown: float, status: str) -> None:
    # a prior 60 Gy/30 (EQD2 60) keeps the share below 50 %
    data = post(
        client,
        [{"fractions": 30, "total_dose_gy": 60}, {"fractions": 2, "total_dose_gy": two_fx_dose_for_eqd2(sbrt_eqd2)}],
    )
    check = by_code(data)["sbrt_course"]
    assert (check["value"], check["status"]) == (shown, status)


@pytest.mark.parametrize(("prior_eqd2", "status"), [(44.99, "pass"), (45.0, "pass"), (45.01, "fail")])
def test_cumulative_boundary_is_70_gy_inclusive(client: APIClient, prior_eqd2: float, status: str) -> None:
    # given a prior course of EQD2 45 (+/- 0.01) and an SBRT course of EQD2 25: cumulative 70 (+/- 0.01)
    data = post(
        client,
        [
            {"fractions": 2, "total_dose_gy": two_fx_dose_for_eqd2(prior_eqd2)},
            {"fractions": 2, "total_dose_gy": two_fx_dose_for_eqd2(25.0)},
        ],
    )
    check = by_code(data)["cumulative"]
    assert (check["value"], check["status"]) == (round(prior_eqd2 + 25.0, 2), status)


def test_share_exactly_50_percent_passes_and_just_above_fails(client: APIClient) -> None:
    # 20 Gy/5 twice: EQD2 30 + 30, the SBRT course is exactly 50 %
    exact = by_code(post(client, [{"fractions": 5, "total_dose_gy": 20}, {"fractions": 5, "total_dose_gy": 20}]))
    assert (exact["share"]["value"], exact["share"]["status"]) == (50.0, "pass")
    # an SBRT EQD2 of 30.012 against 30: 30.012 / 60.012 = 50.01 %
    above = by_code(
        post(client, [{"fractions": 5, "total_dose_gy": 20}, {"fractions": 2, "total_dose_gy": two_fx_dose_for_eqd2(30.012)}])
    )
    assert (above["share"]["value"], above["share"]["status"]) == (50.01, "fail")


@pytest.mark.parametrize(
    ("previous", "sbrt", "months", "status"),
    [
        ("2026-06-23", "2026-11-23", 5.0, "pass"),  # exactly 5 calendar months
        ("2026-06-23", "2026-11-22", 4.0, "fail"),  # one day short
        ("2026-01-31", "2026-06-30", 5.0, "pass"),  # 31 January + 5 months is clamped to 30 June
        ("2026-01-31", "2026-06-29", 4.0, "fail"),
        ("2025-09-30", "2026-02-28", 5.0, "pass"),  # 30 September + 5 months is clamped to 28 February
        ("2025-09-30", "2026-02-27", 4.0, "fail"),
    ],
)
def test_interval_of_5_calendar_months(client: APIClient, previous: str, sbrt: str, months: float, status: str) -> None:
    data = post(
        client,
        [{"fractions": 10, "total_dose_gy": 30, "date": previous}, {"fractions": 2, "total_dose_gy": 12, "date": sbrt}],
    )
    check = by_code(data)["interval"]
    assert (check["value"], check["status"]) == (months, status)


def test_interval_is_unknown_when_a_date_is_missing(client: APIClient) -> None:
    no_sbrt_date = by_code(
        post(client, [{"fractions": 10, "total_dose_gy": 30, "date": "2026-01-01"}, {"fractions": 2, "total_dose_gy": 12}])
    )
    assert no_sbrt_date["interval"]["status"] == "unknown"
    assert no_sbrt_date["interval"]["value"] is None
    no_prior_date = by_code(
        post(client, [{"fractions": 10, "total_dose_gy": 30}, {"fractions": 2, "total_dose_gy": 12, "date": "2026-11-01"}])
    )
    assert no_prior_date["interval"]["status"] == "unknown"
    # the dose checks are still decided
    assert no_prior_date["sbrt_course"]["status"] == "pass"  # 12/2: 12 * 8 / 4 = 24


def test_a_prior_course_dated_after_the_last_makes_the_interval_unknown(client: APIClient) -> None:
    data = post(
        client,
        [
            {"fractions": 10, "total_dose_gy": 30, "date": "2026-12-01"},
            {"fractions": 2, "total_dose_gy": 12, "date": "2026-11-01"},
        ],
    )
    interval = by_code(data)["interval"]
    assert interval["status"] == "unknown"
    assert "courses[0].date" in interval["text"] or "prior_courses[0].date" in interval["text"]


def test_thecal_sac_gets_the_checks_too(client: APIClient) -> None:
    data = post(client, [{"fractions": 10, "total_dose_gy": 30}, {"fractions": 2, "total_dose_gy": 12}], organ="thecal_sac")
    assert len(by_code(data)) == 4


@pytest.mark.parametrize(
    ("organ", "courses"),
    [
        ("cauda_equina", [{"fractions": 10, "total_dose_gy": 30}, {"fractions": 2, "total_dose_gy": 12}]),
        ("kidney", [{"fractions": 10, "total_dose_gy": 10}, {"fractions": 2, "total_dose_gy": 4}]),
        # the last course is not SBRT (6 fractions or more)
        ("spinal_cord", [{"fractions": 5, "total_dose_gy": 20}, {"fractions": 6, "total_dose_gy": 24}]),
        ("spinal_cord", [{"fractions": 5, "total_dose_gy": 20}, {"fractions": 10, "total_dose_gy": 30}]),
        # a single course is not a re-irradiation
        ("spinal_cord", [{"fractions": 2, "total_dose_gy": 12}]),
    ],
)
def test_no_checks_outside_spinal_cord_sbrt_reirradiation(client: APIClient, organ: str, courses: list[dict[str, Any]]) -> None:
    assert post(client, courses, organ=organ)["checks"] == []


def test_five_fractions_is_still_sbrt(client: APIClient) -> None:
    data = post(client, [{"fractions": 10, "total_dose_gy": 30}, {"fractions": 5, "total_dose_gy": 20}])
    checks = by_code(data)
    assert checks["sbrt_course"]["value"] == 30.0  # 20/5: 20 * 6 / 4


def test_checks_stay_on_sahgals_scale_when_another_ratio_is_given(client: APIClient) -> None:
    # the sum at alpha/beta 0.87, but Sahgal's limits are EQD2 at alpha/beta 2: 14/2 -> 31.5 there
    data = post(client, [{"fractions": 10, "total_dose_gy": 30}, {"fractions": 2, "total_dose_gy": 14}], alpha_beta=0.87)
    assert data["alpha_beta"] == 0.87
    assert by_code(data)["sbrt_course"]["value"] == 31.5
    assert any("alpha/beta 2" in warning for warning in data["warnings"])
