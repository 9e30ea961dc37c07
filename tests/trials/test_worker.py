"""End to end with a real Celery worker: a registry edit re-matches stored matches of existing cases."""

from __future__ import annotations

import pytest

from apps.trials import services
from apps.trials.models import Trial, TrialMatch
from tests.conftest import Personas, wait_for
from tests.trials.test_matching import make_breast_case


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_registry_edit_rematches_existing_case_through_the_worker(
    seeded_registry: None, personas: Personas, celery_worker_process: None
) -> None:
    case = make_breast_case(personas)
    trial = Trial.objects.get(identifier="NCT03862911")
    edited = trial.current_version + 1
    services.case_match_trials(case.pk)
    assert TrialMatch.objects.get(case=case, trial=trial).eligibility == "eligible"

    criteria = services.trial_definition(trial)["criteria"]
    criteria[1]["rule"] = {"field": "metastases_count", "op": "between", "value": [1, 1]}
    services.trial_update(actor=personas.administrator, trial_id=trial.pk, changes={"criteria": criteria})

    match = wait_for(
        lambda: TrialMatch.objects.filter(case=case, trial=trial, trial_version__version=edited).first(),
        timeout=60,
    )
    assert match.eligibility == "ineligible"
    assert match.payload["trial_version"] == edited
    assert TrialMatch.objects.filter(case=case).count() == Trial.objects.count()
