"""Clinicians flag stored trial matches as wrong; administrators list the flags."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.trials import selectors, services
from apps.trials.models import MatchFlag, TrialMatch
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

TRIAL = "NCT03862911"


def flags_url(case_id: int, identifier: str = TRIAL) -> str:
    return f"/api/v1/cases/{case_id}/trial-matches/{identifier}/flags/"


def test_flag_a_criterion_and_list_it(personas: Personas) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    match = TrialMatch.objects.get(case=case, trial__identifier=TRIAL)
    code = match.payload["criteria"][0]["code"]
    client = personas.client(personas.radonc)

    response = client.post(flags_url(case.pk), {"criterion_code": code, "reason": "ECOG is 2 now"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["criterion_code"] == code and body["trial"] == TRIAL and body["case"] == case.pk
    flag = MatchFlag.objects.get()
    assert flag.match == match and flag.trial_version == match.trial_version and not flag.resolved
    entry = AuditEntry.objects.get(event="trial.match_flagged")
    assert entry.actor == personas.radonc and entry.reason == "ECOG is 2 now"
    assert entry.after is not None and entry.after["criterion_code"] == code

    whole = client.post(flags_url(case.pk), {"reason": "wrong trial altogether"}, format="json")
    assert whole.status_code == 201 and whole.json()["criterion_code"] == ""

    listing = personas.client(personas.administrator).get("/api/v1/trial-match-flags/")
    assert listing.status_code == 200
    rows = listing.json()
    assert len(rows) == 2
    assert {r["reason"] for r in rows} == {"ECOG is 2 now", "wrong trial altogether"}
    assert all(r["trial_version"] == match.trial_version.version and r["created_by"] == "radonc" for r in rows)


def test_bad_criterion_and_empty_reason_are_400(personas: Personas) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    client = personas.client(personas.radonc)
    bad = client.post(flags_url(case.pk), {"criterion_code": "NOPE-99", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "criterion_code" in bad.json()
    empty = client.post(flags_url(case.pk), {"reason": "  "}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()
    assert not MatchFlag.objects.exists()
    assert not AuditEntry.objects.filter(event="trial.match_flagged").exists()


def test_flag_scoping_and_permissions(personas: Personas) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    body = {"reason": "wrong"}
    assert personas.client(personas.other_member).post(flags_url(case.pk), body, format="json").status_code == 404
    assert personas.client(personas.outsider).post(flags_url(case.pk), body, format="json").status_code == 404
    assert personas.client(personas.administrator).post(flags_url(case.pk), body, format="json").status_code == 403
    assert personas.client(None).post(flags_url(case.pk), body, format="json").status_code == 401
    assert personas.client(personas.radonc).post(flags_url(case.pk, "NCT00000000"), body, format="json").status_code == 404
    assert not MatchFlag.objects.exists()
    assert personas.client(personas.radonc).get("/api/v1/trial-match-flags/").status_code == 403
    assert personas.client(None).get("/api/v1/trial-match-flags/").status_code == 401


def test_flag_list_query_count_is_constant(personas: Personas, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    admin = personas.client(personas.administrator)
    for n in range(3):
        case = make_breast_case(personas)
        services.case_match_trials(case.pk)
        for _ in range(n + 1):
            services.match_flag_create(actor=personas.radonc, case_id=case.pk, trial_identifier=TRIAL, reason="r")
        with django_assert_num_queries(1):
            assert admin.get("/api/v1/trial-match-flags/").status_code == 200


# --- resolving flags -----------------------------------------------------------------------------------------


def resolve_url(flag_id: int) -> str:
    return f"/api/v1/trial-match-flags/{flag_id}/resolve/"


def make_flag(personas: Personas, reason: str = "ECOG is 2 now") -> MatchFlag:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    return services.match_flag_create(actor=personas.radonc, case_id=case.pk, trial_identifier=TRIAL, reason=reason)


def test_administrator_resolves_a_flag_with_who_when_and_note(personas: Personas) -> None:
    """Given an open flag, when an administrator resolves it with a note, then the flag records who, when
    and the note, the response shows them, and one audit row carries the note as its reason."""
    flag = make_flag(personas)
    response = personas.client(personas.administrator).post(
        resolve_url(flag.pk), {"note": "  ECOG corrected on the case; match is right.  "}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == flag.pk and body["resolved"] is True
    assert body["resolved_by"] == "auditor" and body["resolved_at"]
    assert body["resolution_note"] == "ECOG corrected on the case; match is right."
    flag.refresh_from_db()
    assert flag.resolved and flag.resolved_by == personas.administrator and flag.resolved_at is not None
    entry = AuditEntry.objects.get(event="trial.match_flag_resolved")
    assert entry.actor == personas.administrator and entry.subject_id == str(flag.pk)
    assert entry.board_id == personas.board.pk
    assert entry.reason == "ECOG corrected on the case; match is right."
    assert entry.before == {"resolved": False}
    assert entry.after is not None and entry.after["resolved"] is True and entry.after["trial"] == TRIAL
    seeded = flag.match.trial.current_version
    assert entry.after["flagged_trial_version"] == seeded and entry.after["current_trial_version"] == seeded


def test_resolving_twice_or_without_a_note_is_400_and_changes_nothing(personas: Personas) -> None:
    flag = make_flag(personas)
    admin = personas.client(personas.administrator)
    empty = admin.post(resolve_url(flag.pk), {"note": "   "}, format="json")
    assert empty.status_code == 400 and "note" in empty.json()
    missing = admin.post(resolve_url(flag.pk), {}, format="json")
    assert missing.status_code == 400 and "note" in missing.json()
    flag.refresh_from_db()
    assert not flag.resolved and flag.resolved_at is None
    assert not AuditEntry.objects.filter(event="trial.match_flag_resolved").exists()

    assert admin.post(resolve_url(flag.pk), {"note": "fixed in v2"}, format="json").status_code == 200
    again = admin.post(resolve_url(flag.pk), {"note": "second try"}, format="json")
    assert again.status_code == 400 and "already resolved by auditor" in again.json()["resolved"][0]
    flag.refresh_from_db()
    assert flag.resolution_note == "fixed in v2"
    assert AuditEntry.objects.filter(event="trial.match_flag_resolved").count() == 1


def test_resolve_scoping_and_permissions(personas: Personas) -> None:
    """Clinicians (members or not) may not resolve flags: 403; no credentials: 401; an unknown flag: 404."""
    flag = make_flag(personas)
    body = {"note": "not mine to resolve"}
    for user in (personas.radonc, personas.coordinator, personas.other_member, personas.outsider):
        assert personas.client(user).post(resolve_url(flag.pk), body, format="json").status_code == 403, user
    assert personas.client(None).post(resolve_url(flag.pk), body, format="json").status_code == 401
    assert personas.client(personas.administrator).post(resolve_url(flag.pk + 999), body, format="json").status_code == 404
    assert personas.client(personas.administrator).get(resolve_url(flag.pk)).status_code == 405
    flag.refresh_from_db()
    assert not flag.resolved
    with pytest.raises(PermissionDenied):
        services.match_flag_resolve(actor=personas.radonc, flag_id=flag.pk, note="x")
    assert not AuditEntry.objects.filter(event="trial.match_flag_resolved").exists()


def test_flag_selector_is_scoped_to_the_users_boards(personas: Personas) -> None:
    flag = make_flag(personas)
    assert list(selectors.match_flag_list(personas.radonc)) == [flag]
    assert list(selectors.match_flag_list(personas.administrator)) == [flag]
    assert not selectors.match_flag_list(personas.other_member).exists()
    assert not selectors.match_flag_list(personas.outsider).exists()
    assert not selectors.match_flag_list(AnonymousUser()).exists()


def test_list_filters_by_resolved_state(personas: Personas) -> None:
    open_flag = make_flag(personas, reason="still open")
    closed = make_flag(personas, reason="will be resolved")
    services.match_flag_resolve(actor=personas.administrator, flag_id=closed.pk, note="criterion fixed")
    admin = personas.client(personas.administrator)
    listing = "/api/v1/trial-match-flags/"

    assert {r["id"] for r in admin.get(listing).json()} == {open_flag.pk, closed.pk}
    open_rows = admin.get(listing, {"resolved": "false"}).json()
    assert [r["id"] for r in open_rows] == [open_flag.pk]
    assert open_rows[0]["resolved_by"] is None and open_rows[0]["resolved_at"] is None
    resolved_rows = admin.get(listing, {"resolved": "true"}).json()
    assert [r["id"] for r in resolved_rows] == [closed.pk]
    assert resolved_rows[0]["resolved_by"] == "auditor" and resolved_rows[0]["resolution_note"] == "criterion fixed"
    bad = admin.get(listing, {"resolved": "maybe"})
    assert bad.status_code == 400 and "resolved" in bad.json()


def test_flag_list_with_resolved_flags_query_count_is_constant(personas: Personas, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    admin = personas.client(personas.administrator)
    for n in range(3):
        for _ in range(n + 1):
            flag = make_flag(personas)
            services.match_flag_resolve(actor=personas.administrator, flag_id=flag.pk, note="done")
        make_flag(personas)
        for params in ({}, {"resolved": "true"}, {"resolved": "false"}):
            with django_assert_num_queries(1):
                assert admin.get("/api/v1/trial-match-flags/", params).status_code == 200


def test_database_refuses_an_incomplete_resolution(personas: Personas) -> None:
    flag = make_flag(personas)
    for changes in (
        {"resolved": True},
        {"resolved": True, "resolved_at": timezone.now(), "resolved_by": personas.administrator},
        {"resolved_at": timezone.now()},
        {"resolution_note": "note on an open flag"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            MatchFlag.objects.filter(pk=flag.pk).update(**changes)
