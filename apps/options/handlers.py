"""Receivers of the options app, connected once from ``OptionsConfig.ready`` (``connect``).

A case's stored options are recomputed whenever one of their inputs changes:

- the case, its lesions or prior courses: the ``case_changed`` fan-out of the case services' one message;
- its plans: ``post_save`` / ``post_delete`` of ``RadiotherapyPlan`` (the dose app sends no signal of its
  own; its services save the plan row on every change, target lesions included, so a model signal sees
  each one), enqueued after commit;
- the regimen catalogue: ``post_save`` / ``post_delete`` of ``Regimen`` (administrators' edits), which
  starts a visible ``recompute_options`` job over every case that has stored options, in chunks.

A write that bypasses these (a bulk update, a risk-engine release) is still caught on read: the case
section compares the stored fingerprints with today's and says ``stale``, and ``recompute_options`` renews.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from apps.cases.signals import case_changed
from apps.core.background import enqueue
from apps.core.jobs import job_create
from apps.core.models import Job
from apps.core.stale import register_stale_finder
from apps.dosimetry.models import RadiotherapyPlan, Regimen
from apps.options.selectors import cases_with_options_left_behind


def on_case_changed(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    enqueue("options.compute_case", case_id)


def on_plan_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    enqueue("options.compute_case", instance.case_id)


def on_catalogue_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    job_create(
        kind=Job.Kind.RECOMPUTE_OPTIONS,
        task_name="options.recompute",
        params={"scope": "stored", "reason": f"regimen {instance.code} changed"},
    )


def connect() -> None:
    register_stale_finder("treatment_options", task_name="options.compute_case", find=cases_with_options_left_behind)
    case_changed.connect(on_case_changed, dispatch_uid="options.on_case_changed")
    post_save.connect(on_plan_changed, sender=RadiotherapyPlan, dispatch_uid="options.plan_saved")
    post_delete.connect(on_plan_changed, sender=RadiotherapyPlan, dispatch_uid="options.plan_deleted")
    post_save.connect(on_catalogue_changed, sender=Regimen, dispatch_uid="options.regimen_saved")
    post_delete.connect(on_catalogue_changed, sender=Regimen, dispatch_uid="options.regimen_deleted")
