"""Importing organ-at-risk dose metrics into a plan from a CSV DVH export or DICOM RT files.

``dose_import_start`` records a job (audited) and queues ``dosimetry.run_import`` after commit;
``dose_import_run`` claims the job with a conditional UPDATE (idempotent under redelivery), parses with
the pure engine (``apps.dosimetry.engine.dvh``) and merges the metrics into the plan through
``plan_update``, which recomputes the dose summary.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record
from apps.core.background import enqueue
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
    job = DoseImportJob(plan=plan, kind=kind, csv_text=csv_text, created_by=actor)
    if rtdose is not None:
        job.rtdose.save(rtdose.name or "rtdose.dcm", rtdose, save=False)
    if rtstruct is not None:
        job.rtstruct.save(rtstruct.name or "rtstruct.dcm", rtstruct, save=False)
    job.save()
    audit_record(
        actor=actor,
        event=AuditEvent.DOSE_IMPORT,
        subject=job,
        board_id=plan.case.board_id,
        after={"plan": plan.pk, "kind": kind, "status": job.status},
    )
    enqueue("dosimetry.run_import", job.pk)
    return job


def _parse(job: DoseImportJob) -> dict[str, StructureMetrics]:
    if job.kind == DoseImportJob.Kind.CSV_DVH:
        return parse_dvh_csv(job.csv_text)
    return dicom_rt_metrics(job.rtdose.path, job.rtstruct.path)


def dose_import_run(*, job_id: int) -> DoseImportJob | None:
    """Run a queued import once; a job already claimed (or finished) is left alone and None returned."""
    claimed = DoseImportJob.objects.filter(pk=job_id, status=DoseImportJob.Status.QUEUED).update(
        status=DoseImportJob.Status.RUNNING, progress=10, log="claimed by worker\n"
    )
    if claimed != 1:
        return None
    job = DoseImportJob.objects.select_related("plan", "plan__case").get(pk=job_id)
    try:
        structures = _parse(job)
    except DosimetryError as exc:
        return _finish(job, status=DoseImportJob.Status.FAILED, error=str(exc), log="file rejected\n")
    metrics: dict[str, Any] = {name: s.metrics for name, s in structures.items() if s.metrics}
    DoseImportJob.objects.filter(pk=job_id).update(progress=70, log=job.log + f"parsed {len(structures)} structures\n")
    plan = job.plan
    merged = {**(plan.oar_metrics or {}), **metrics}
    plan_update(actor=job.created_by, plan=plan, data={"oar_metrics": merged})
    job.structures = {name: s.to_dict(2) for name, s in structures.items()}
    return _finish(job, status=DoseImportJob.Status.SUCCEEDED, error="", log=f"metrics merged into plan {plan.pk}\n")


def _finish(job: DoseImportJob, *, status: str, error: str, log: str) -> DoseImportJob:
    job.refresh_from_db(fields=["log"])
    job.status = status
    job.error = error
    job.progress = 100
    job.log += log
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "progress", "log", "finished_at", "structures"])
    return job
