"""The Celery application: configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery

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
