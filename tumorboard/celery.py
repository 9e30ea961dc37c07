"""The Celery application: configuration comes from Django settings (``CELERY_*``)."""

import gc
import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.local")

app = Celery("tumorboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

#: Celery beat: the outbox and job sweep (``apps.core.tasks.sweep``) once a minute, beside the entries
#: the settings declare (``CELERY_BEAT_SCHEDULE``).
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "core.sweep": {"task": "core.sweep", "schedule": 60.0, "options": {"expires": 55.0}},
}


@worker_process_init.connect
def freeze_startup_heap(**_: Any) -> None:
    """Move every object alive when a worker process starts (Django, the apps, the compiled engines) out of
    the garbage collector's reach: a recompute chunk allocates enough to run a full collection every few
    chunks, and each walked those ~120,000 long-lived objects again (about a sixth of a chunk's CPU,
    ``docs/performance.md`` "Recompute, round 5"). Nothing is leaked: frozen objects are the ones that
    live as long as the process."""
    gc.freeze()
