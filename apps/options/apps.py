"""The options app recomputes a case's stored options whenever one of their inputs changes:

- the case, its lesions or prior courses: the explicit ``case_changed`` signal the case services send;
- its plans: ``post_save`` / ``post_delete`` of ``RadiotherapyPlan`` (the dose app, owned separately, sends
  no signal of its own; its services save the plan row on every change, target lesions included, so a
  model signal sees each one), enqueued after commit;
- the regimen catalogue: ``post_save`` / ``post_delete`` of ``Regimen`` (administrators' edits), which
  recomputes every case that has stored options, in chunks.

A write that bypasses these (a bulk update, a risk-engine release) is still caught on read: the case
section compares the stored fingerprints with today's and says ``stale``, and ``recompute_options`` renews.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import transaction


def _enqueue_case(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    """``case_changed`` is sent after commit: queue the case's options."""
    from apps.options.tasks import compute_case_options

    compute_case_options.delay(case_id)


def _plan_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from apps.options.tasks import compute_case_options

    case_id = instance.case_id
    transaction.on_commit(lambda: compute_case_options.delay(case_id))


def _catalogue_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from apps.options.tasks import recompute_all_options

    transaction.on_commit(lambda: recompute_all_options.delay())


class OptionsConfig(AppConfig):
    name = "apps.options"
    label = "options"
    verbose_name = "Prognosis and treatment options"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from apps.cases.derived import register_section
        from apps.cases.services import case_changed
        from apps.dosimetry.models import RadiotherapyPlan, Regimen
        from apps.options.selectors import prognosis_section, treatment_options_section

        case_changed.connect(_enqueue_case, dispatch_uid="options.enqueue_case")
        post_save.connect(_plan_changed, sender=RadiotherapyPlan, dispatch_uid="options.plan_saved")
        post_delete.connect(_plan_changed, sender=RadiotherapyPlan, dispatch_uid="options.plan_deleted")
        post_save.connect(_catalogue_changed, sender=Regimen, dispatch_uid="options.regimen_saved")
        post_delete.connect(_catalogue_changed, sender=Regimen, dispatch_uid="options.regimen_deleted")
        register_section("prognosis", prognosis_section)
        register_section("treatment_options", treatment_options_section)
