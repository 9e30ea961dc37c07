"""Referring a case to a trial and following the referral to enrolment."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.trials.models import Trial, TrialReferral
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db


def referrals_url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/referrals/"


def transition_url(referral_id: int) -> str:
    return f"/api/v1/trial-referrals/{referral_id}/transition/"


def test_refer_and_enrol(personas: Personas) -> None:
    case = make_breast_case(personas)
    client = personas.client(personas.radonc)
    response = client.post(referrals_url(case.pk), {"trial": "NCT03862911", "note": "SABR-COMET-3"}, format="json")
    assert response.status_code == 201, response.json()
    referral = response.json()
    assert referral["status"] == "referred"
    assert referral["eligibility_at_referral"] == "eligible"
    assert referral["trial_version"] == Trial.objects.get(identifier="NCT03862911").current_version

    duplicate = client.post(referrals_url(case.pk), {"trial": "NCT03862911"}, format="json")
    assert duplicate.status_code == 400

    for target in ("screening", "consented", "enrolled"):
        response = client.post(transition_url(referral["id"]), {"status": target}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == target
    assert client.post(transition_url(referral["id"]), {"status": "screening"}, format="json").status_code == 400
    # an ending needs its reason
    assert client.post(transition_url(referral["id"]), {"status": "withdrawn"}, format="json").status_code == 400

    listing = personas.client(personas.administrator).get(referrals_url(case.pk)).json()
    assert [r["status"] for r in listing] == ["enrolled"]
    assert (
        client.post(
            transition_url(referral["id"]), {"status": "withdrawn", "reason": "patient moved away"}, format="json"
        ).status_code
        == 200
    )
    assert AuditEntry.objects.filter(event="trial.referral_created").count() == 1
    steps = AuditEntry.objects.filter(event="trial.referral_transitioned").order_by("id")
    assert [s.after["status"] for s in steps] == ["screening", "consented", "enrolled", "withdrawn"]
    assert steps.last().reason == "patient moved away" and steps.last().actor == personas.radonc


def test_ineligible_trial_cannot_be_referred(personas: Personas) -> None:
    case = make_breast_case(personas)
    response = personas.client(personas.radonc).post(referrals_url(case.pk), {"trial": "NCT03721341"}, format="json")
    assert response.status_code == 400
    assert "trial" in response.json()
    assert not TrialReferral.objects.exists()


def test_referrals_are_scoped_and_need_the_permission(personas: Personas) -> None:
    case = make_breast_case(personas)
    body = {"trial": "NCT03862911"}
    assert personas.client(personas.other_member).post(referrals_url(case.pk), body, format="json").status_code == 404
    assert personas.client(personas.other_member).get(referrals_url(case.pk)).status_code == 404
    assert personas.client(personas.administrator).post(referrals_url(case.pk), body, format="json").status_code == 403
    assert personas.client(None).get(referrals_url(case.pk)).status_code == 401
    created = personas.client(personas.coordinator).post(referrals_url(case.pk), body, format="json")
    assert created.status_code == 201
    referral_id = created.json()["id"]
    other = personas.client(personas.other_member).post(transition_url(referral_id), {"status": "referred"})
    assert other.status_code == 404
