"""The embedded default database (SQLite, what ``make run`` uses) must serve every dose read and write.

Regression (issue 9): ``catalogue_revisions_in_force`` unioned two querysets that kept their models'
default ordering; SQLite refuses ORDER BY inside a compound statement, so creating a plan answered 500
(the plan saved anyway) and the case detail answered 500 from then on. These tests run on both
databases; on SQLite they failed before the fix.
"""

from __future__ import annotations

from collections.abc import Callable

from apps.dosimetry.models import ConstraintSet, Regimen
from apps.dosimetry.selectors import catalogue_revisions_in_force
from tests.conftest import Personas
from tests.factories import CaseFactory


def test_catalogue_revisions_in_force_lists_every_row(db: None) -> None:
    in_force = catalogue_revisions_in_force()
    regimens = dict(Regimen.objects.values_list("code", "revision"))
    sets = dict(ConstraintSet.objects.values_list("code", "revision"))
    assert regimens and sets  # seeded by migration 0003
    assert in_force == {
        **{f"regimen:{code}": rev for code, rev in regimens.items()},
        **{f"constraint_set:{code}": rev for code, rev in sets.items()},
    }


def test_plan_create_then_case_detail_answer_on_this_database(
    personas: Personas,
    django_capture_on_commit_callbacks: Callable,  # type: ignore[type-arg]
) -> None:
    case = CaseFactory(board=personas.board)
    client = personas.client(personas.radonc)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            f"/api/v1/cases/{case.pk}/radiotherapy-plans/",
            {"regimen_code": "conv_30gy_10fx"},
            format="json",
        )
    assert created.status_code == 201, created.content
    detail = client.get(f"/api/v1/cases/{case.pk}/")
    assert detail.status_code == 200, detail.content
    plans = detail.json()["dose_summaries"]["plans"]
    assert [p["plan_id"] for p in plans] == [created.json()["plan_id"]]
    assert plans[0]["status"] == "current"
