"""Importing organ-at-risk dose metrics into a plan from a CSV DVH export or DICOM RT files.

``dose_import_start`` records the import and its ``core.Job`` (audited) and queues ``dosimetry.run_import``
after commit; ``dose_import_run`` claims the job with a conditional UPDATE (idempotent under redelivery),
parses with the pure engine (``apps.dosimetry.engine.dvh``) and merges the metrics into the plan through
``plan_update``, which recomputes the dose summary. A rejected file ends the job ``failed`` with the
reason; so does any crash (``apps.core.jobs``), never a job left "running".
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.accounts.models import User
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record
from apps.core.jobs import job_create, job_progress, job_run
from apps.core.models import Job
from apps.dosimetry.engine.dvh import StructureMetrics, dicom_rt_metrics, parse_dvh_csv
from apps.dosimetry.engine.errors import DosimetryError
from apps.dosimetry.models import DoseImportJob, RadiotherapyPlan
from apps.dosimetry.services import plan_update


@transaction.atomic
def dose_import_start(
    *,
    actor: User,
    plan: RadiotherapyPlan,
    kind: str,
    csv_text: str = "",
    rtdose: UploadedFile | None = None,
    rtstruct: UploadedFile | None = None,
) -> DoseImportJob:
    job = job_create(
        kind=Job.Kind.DOSE_IMPORT, task_name="dosimetry.run_import", params={"plan": plan.pk, "kind": kind}, created_by=actor
    )
    record = DoseImportJob(job=job, plan=plan, kind=kind, csv_text=csv_text)
    if rtdose is not None:
        record.rtdose.save(rtdose.name or "rtdose.dcm", rtdose, save=False)
    if rtstruct is not None:
        record.rtstruct.save(rtstruct.name or "rtstruct.dcm", rtstruct, save=False)
    record.save()
    audit_record(
        actor=actor,
        event=AuditEvent.DOSE_IMPORT,
        subject=record,
        board_id=plan.case.board_id,
        after={"plan": plan.pk, "kind": kind, "status": job.status},
    )
    return record


def _parse(record: DoseImportJob) -> dict[str, StructureMetrics]:
    if record.kind == DoseImportJob.Kind.CSV_DVH:
        return parse_dvh_csv(record.csv_text)
    return dicom_rt_metrics(record.rtdose.path, record.rtstruct.path)


def dose_import_run(*, job_id: int, task: Any = None) -> DoseImportJob | None:
    """Run a queued import (``job_id``: the import's id) once; one already claimed (or finished) is left
    alone and None returned. ``task`` is the running Celery task (for retries of transient errors)."""
    record = DoseImportJob.objects.select_related("job", "plan", "plan__case").filter(pk=job_id).first()
    if record is None:
        return None

    def body(job: Job) -> None:
        job_progress(job.pk, done=10)
        try:
            structures = _parse(record)
        except DosimetryError as exc:
            raise RejectedFile(str(exc)) from exc
        metrics: dict[str, Any] = {name: s.metrics for name, s in structures.items() if s.metrics}
        job_progress(job.pk, done=70, log=f"parsed {len(structures)} structures")
        plan = record.plan
        merged = {**(plan.oar_metrics or {}), **metrics}
        plan_update(actor=job.created_by, plan=plan, data={"oar_metrics": merged})
        record.structures = {name: s.to_dict(2) for name, s in structures.items()}
        record.save(update_fields=["structures"])
        job_progress(job.pk, log=f"metrics merged into plan {plan.pk}")

    if not job_run(task, record.job_id, body, total=100, describe_error=_reason):
        return None
    record.job.refresh_from_db()
    return record


class RejectedFile(Exception):
    """The file is not a usable dose export: the job fails with the reason, as the planner should read it."""


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, RejectedFile) else f"{type(exc).__name__}: {exc}"
