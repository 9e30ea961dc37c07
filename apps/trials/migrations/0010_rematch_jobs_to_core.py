"""Re-match jobs move to the one ``core.Job`` model (issue 10): copy every ``RematchJob`` (kind
``trial_rematch``; counters, dates and author kept), then drop the old table."""

from typing import Any

from django.db import migrations


def copy_jobs(apps: Any, schema_editor: Any) -> None:
    RematchJob = apps.get_model("trials", "RematchJob")
    Job = apps.get_model("core", "Job")
    for old in RematchJob.objects.select_related("trial").order_by("pk").iterator():
        job = Job.objects.create(
            kind="trial_rematch",
            status=old.status,
            task_name="trials.rematch_open_cases",
            params={
                "trial_id": old.trial_id,
                "trial": old.trial.identifier if old.trial_id else None,
                "reason": old.reason,
            },
            total=old.cases_total,
            done=old.cases_done,
            chunks_total=old.chunks_total,
            chunks_done=old.chunks_done,
            written=old.matches_written,
            attempts=0 if old.status == "queued" else 1,
            created_by_id=old.created_by_id,
            started_at=old.started_at,
            heartbeat_at=old.finished_at or old.started_at,
            finished_at=old.finished_at,
            log=f"migrated from trials.RematchJob {old.pk}\n",
        )
        # auto_now_add stamped the copy: keep the original creation time.
        Job.objects.filter(pk=job.pk).update(created_at=old.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("trials", "0009_seed_trials_v3"),
    ]

    operations = [
        migrations.RunPython(copy_jobs, migrations.RunPython.noop),
        migrations.DeleteModel(name="RematchJob"),
    ]
