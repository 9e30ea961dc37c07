"""End to end with a real Celery worker: editing a constraint set recomputes the plans checked against it."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.db import transaction

from apps.dosimetry.models import DoseSummary, OrganConstraint
from apps.dosimetry.services import catalogue_entry_changed, plan_create
from tests.conftest import Personas, wait_for
from tests.factories import CaseFactory

CORD_DMAX = "seed002_spinal_cord_dmax_34gy_10fx"


@pytest.fixture
def seeded_catalogue(transactional_db: None) -> None:
    """The regimen catalogue and constraint sets as the data migration loads them (flushed by
    transactional tests), reloaded with the migration's own idempotent function."""
    import_module("apps.dosimetry.migrations.0003_seed_catalogue").seed(apps, None)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_constraint_set_edit_recomputes_plans_through_the_worker(
    seeded_catalogue: None, personas: Personas, celery_worker_process: None
) -> None:
    # given a 30 Gy/10 plan with a cord Dmax of 30 Gy, computed against seed 002's 34 Gy limit
    case = CaseFactory(board=personas.board)
    with transaction.atomic():
        plan = plan_create(
            actor=personas.radonc,
            case=case,
            data={"regimen_code": "conv_30gy_10fx", "oar_metrics": {"spinal_cord": {"Dmax": 30.0}}},
        )
    first = wait_for(lambda: DoseSummary.objects.filter(plan=plan, is_current=True).first(), timeout=60)

    # when an administrator lowers the limit to 29 Gy (edit + revision bump commit together)
    with transaction.atomic():
        OrganConstraint.objects.filter(code=CORD_DMAX).update(limit=29.0)
        catalogue_entry_changed(kind="constraint_set", code="seed002_sib_30_40_10fx")

    # then the worker stores a new current summary that fails the new limit
    summary = wait_for(lambda: DoseSummary.objects.filter(plan=plan, is_current=True).exclude(pk=first.pk).first(), timeout=60)
    check = next(c for c in summary.payload["constraint_checks"] if c["constraint_code"] == CORD_DMAX)
    assert (check["limit_gy"], check["status"]) == (29.0, "fail")
    assert summary.catalogue_revisions["constraint_set:seed002_sib_30_40_10fx"] == 2
