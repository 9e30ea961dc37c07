"""Dose imports keep their inputs here; their state moves to the one ``core.Job`` model (issue 10): each
existing import gets a ``dose_import`` job with its status, progress, log, error, author and dates."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def to_jobs(apps: Any, schema_editor: Any) -> None:
    DoseImportJob = apps.get_model("dosimetry", "DoseImportJob")
    Job = apps.get_model("core", "Job")
    for old in DoseImportJob.objects.order_by("pk").iterator():
        error = old.error or ("failed without a message" if old.status == "failed" else "")
        job = Job.objects.create(
            kind="dose_import",
            status=old.status,
            task_name="dosimetry.run_import",
            params={"plan": old.plan_id, "kind": old.kind},
            total=100,
            done=min(old.progress, 100),
            log=old.log,
            error=error,
            attempts=0 if old.status == "queued" else 1,
            created_by_id=old.created_by_id,
            started_at=None if old.status == "queued" else old.created_at,
            heartbeat_at=old.finished_at or old.created_at,
            finished_at=old.finished_at,
        )
        Job.objects.filter(pk=job.pk).update(created_at=old.created_at)
        DoseImportJob.objects.filter(pk=old.pk).update(job=job)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("dosimetry", "0006_plan_structured_target"),
    ]

    operations = [
        migrations.AddField(
            model_name="doseimportjob",
            name="job",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dose_import",
                to="core.job",
            ),
        ),
        migrations.RunPython(to_jobs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="doseimportjob",
            name="job",
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="dose_import", to="core.job"),
        ),
        migrations.RemoveConstraint(model_name="doseimportjob", name="dose_import_status_valid"),
        migrations.RemoveConstraint(model_name="doseimportjob", name="dose_import_progress_range"),
        migrations.RemoveField(model_name="doseimportjob", name="status"),
        migrations.RemoveField(model_name="doseimportjob", name="progress"),
        migrations.RemoveField(model_name="doseimportjob", name="log"),
        migrations.RemoveField(model_name="doseimportjob", name="error"),
        migrations.RemoveField(model_name="doseimportjob", name="created_by"),
        migrations.RemoveField(model_name="doseimportjob", name="created_at"),
        migrations.RemoveField(model_name="doseimportjob", name="finished_at"),
        migrations.AlterModelOptions(name="doseimportjob", options={"ordering": ("-id",)}),
    ]
