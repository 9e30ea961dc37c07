"""Stored trial matches: idempotent upsert, re-matching after registry edits, the case-detail section."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEntry
from apps.cases.models import Case
from apps.trials import services
from apps.trials.models import Trial, TrialMatch, TrialVersion
from apps.trials.selectors import trial_matches_section
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory

pytestmark = pytest.mark.django_db


def make_breast_case(p: Personas, **overrides: Any) -> Case:
    """ER+/HER2- breast cancer, primary controlled, 2 bone metastases (pelvis, T8 without epidural disease),
    none visceral."""
    fields: dict[str, Any] = {
        "board": p.board,
        "primary_histology": "breast",
        "er_status": "positive",
        "pr_status": "positive",
        "her2_status": "negative",
        "ecog": 1,
        "primary_controlled": True,
        "primary_diagnosis_date": dt.date(2021, 6, 1),
        "metastasis_diagnosis_date": dt.date(2025, 9, 15),
        "bone_metastases_count": 2,
        "visceral_metastases_count": 0,
        "brain_metastases": False,
        "history_polymetastatic": False,
        "history_oligometastatic_treated": False,
        **overrides,
    }
    case = cast(Case, CaseFactory(**fields))
    LesionFactory(case=case, site="pelvis", subsite=None, cortical_involvement=None, pain=None, radiographic_type="blastic")
    LesionFactory(
        case=case,
        site="thoracic_spine",
        subsite=None,
        cortical_involvement=None,
        pain=None,
        level_from="T8",
        level_to="T8",
        radiographic_type="blastic",
        distance_to_spinal_cord_mm=8,
        spinal_pain="none",
        epidural_compression_grade="0",
    )
    return case


def test_seed_migration_registers_every_seed_trial() -> None:
    from apps.trials.engine import load_seed_trials

    seeds = load_seed_trials()
    assert Trial.objects.count() == len(seeds)
    assert TrialVersion.objects.filter(version=1).count() == len(seeds)
    assert Trial.objects.get(identifier="NCT03862911").short_name == "SABR-COMET-3"


def test_matching_twice_writes_nothing_new(personas: Personas) -> None:
    case = make_breast_case(personas)
    written = services.case_match_trials(case.pk)
    assert written == Trial.objects.count()
    before = {m.pk: (m.computed_at, m.trial_version_id) for m in TrialMatch.objects.filter(case=case)}
    assert services.case_match_trials(case.pk) == 0
    after = {m.pk: (m.computed_at, m.trial_version_id) for m in TrialMatch.objects.filter(case=case)}
    assert after == before
    assert TrialMatch.objects.filter(case=case).count() == Trial.objects.count()


def test_case_change_rematches_on_commit(personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    from apps.cases.services import case_update

    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    with django_capture_on_commit_callbacks(execute=True):
        case_update(actor=personas.coordinator, case_id=case.pk, data={"bone_metastases_count": 6})
    case.refresh_from_db()
    match = TrialMatch.objects.get(case=case, trial__identifier="NCT03862911")
    assert match.case_revision == case.revision
    assert match.eligibility == "ineligible"
    assert TrialMatch.objects.filter(case=case).count() == Trial.objects.count()


def test_section_reports_pending_then_current_then_stale(personas: Personas) -> None:
    case = make_breast_case(personas)
    assert trial_matches_section(case)["status"] == "pending"
    services.case_match_trials(case.pk)
    section = trial_matches_section(case)
    assert section["status"] == "current"
    assert len(section["matches"]) == Trial.objects.count()
    assert section["matches"][0]["trial"]["status"] == "recruiting"
    Case.objects.filter(pk=case.pk).update(revision=case.revision + 1)
    case.refresh_from_db()
    assert trial_matches_section(case)["status"] == "stale"


def test_trial_update_versions_audits_and_rematches(personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    trial = Trial.objects.get(identifier="NCT03862911")
    seeded = trial.current_version  # 2 since the registry v3 seed migration
    criteria = services.trial_definition(trial)["criteria"]
    (count,) = [c for c in criteria if c["code"] == "metastases_1_3"]
    count["rule"] = {"field": "metastases_count", "op": "between", "value": [1, 1]}
    with django_capture_on_commit_callbacks(execute=True):
        services.trial_update(actor=personas.administrator, trial_id=trial.pk, changes={"criteria": criteria})
    trial.refresh_from_db()
    assert trial.current_version == seeded + 1
    assert TrialVersion.objects.filter(trial=trial).count() == seeded + 1
    assert AuditEntry.objects.filter(event="trial.updated", subject_id=str(trial.pk)).exists()
    match = TrialMatch.objects.get(case=case, trial=trial)
    assert match.trial_version.version == seeded + 1
    assert match.eligibility == "ineligible"

    # The same edit again changes nothing: no new version.
    services.trial_update(actor=personas.administrator, trial_id=trial.pk, changes={"criteria": criteria})
    trial.refresh_from_db()
    assert trial.current_version == seeded + 1


def test_trial_update_rejects_typo_with_path_and_non_admins(personas: Personas) -> None:
    trial = Trial.objects.get(identifier="NCT03862911")
    seeded = trial.current_version
    criteria = services.trial_definition(trial)["criteria"]
    criteria[0]["rule"] = {"field": "primary_controled", "op": "eq", "value": True}
    with pytest.raises(ValidationError) as excinfo:
        services.trial_update(actor=personas.administrator, trial_id=trial.pk, changes={"criteria": criteria})
    assert any(key.startswith("$.criteria[0].rule") for key in excinfo.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.trial_update(actor=personas.radonc, trial_id=trial.pk, changes={"summary": "x"})
    trial.refresh_from_db()
    assert trial.current_version == seeded


def test_a_match_stored_by_an_older_matcher_is_stale_until_rematched(personas: Personas) -> None:
    # given current stored matches, then the matcher's rules change (an older engine version on the rows)
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    TrialMatch.objects.filter(case=case).update(engine_version="match-older")
    # then the section reads stale (the listing matches on the spot meanwhile)
    assert trial_matches_section(case)["status"] == "stale"
    # and re-matching the unchanged case rewrites the rows with the current engine
    services.case_match_trials(case.pk)
    assert trial_matches_section(case)["status"] == "current"
    assert not TrialMatch.objects.filter(case=case, engine_version="match-older").exists()
