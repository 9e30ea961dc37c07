"""The one way to run work after commit: ``enqueue(task_name, *args)``, through a transactional outbox.

Services name the task (``"risk.assess_case"``) and never import ``tasks`` modules, so no import cycle
can form between an app's services and its tasks. ``enqueue`` inserts an :class:`OutboxMessage` in the
caller's transaction (the work exists exactly when the change commits) and, after commit, sends it with a
short broker timeout and stamps it sent. If the broker is down the request still succeeds: the row stays
unsent and ``core.sweep`` (Celery beat, ``tumorboard/celery.py``) sends it once the broker is back.
Without ``REDIS_URL`` (eager mode, the demo) the task runs in this process right after commit.

Tasks may run more than once (a resend after a lost acknowledgement, a redelivery after a worker died):
every task behind this is idempotent (results keyed by input digest, jobs claimed by conditional UPDATE).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.models import OutboxMessage

logger = logging.getLogger(__name__)

#: A row younger than this is left to its own after-commit send; the sweep resends only older ones.
SEND_GRACE = timedelta(seconds=30)
#: Sent rows are kept this long (to answer "was it sent?"), then the sweep deletes them.
SENT_RETENTION = timedelta(days=7)
#: Rows the sweep sends per run (the next run takes the rest).
SWEEP_BATCH = 500


def _current_queue() -> str:
    """The queue the running task came from, so follow-up work stays on it (a worker may serve a
    dedicated queue; follow-ups must not wait on a queue nobody reads). "" outside a worker."""
    from celery import current_task

    if not current_task or getattr(current_task.request, "is_eager", False):  # a proxy: falsy outside a task
        return ""
    delivery = getattr(current_task.request, "delivery_info", None) or {}
    return str(delivery.get("routing_key") or "")


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> OutboxMessage:
    """Record ``task_name(*args, **kwargs)`` to run after the current transaction commits.

    Arguments must be JSON (ids, codes), never model instances. Outside a transaction the message is
    sent at once. It goes to the queue of the task this is called from (follow-ups stay on the queue
    their worker reads), else to the default queue.
    """
    return enqueue_to(_current_queue(), task_name, *args, **kwargs)


def enqueue_to(queue: str, task_name: str, *args: Any, **kwargs: Any) -> OutboxMessage:
    """``enqueue`` on a named queue ("" for the default one)."""
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args), kwargs=kwargs, queue=queue)
    # Sent from the row just written, not read back (issue 16: a query per change). Nothing else can have
    # sent it before this commit: the sweep sees only committed rows older than ``SEND_GRACE``.
    transaction.on_commit(lambda: send(message.pk, message=message))
    return message


def runs_in_process() -> bool:
    """True when enqueued work runs in this process right after commit (no broker: the demo's eager
    mode), so a change's derived results exist once its transaction has committed; False when a worker
    computes them later."""
    from tumorboard.celery import app

    return bool(app.conf.task_always_eager)


def _publish(message: OutboxMessage) -> None:
    from tumorboard.celery import app

    options: dict[str, Any] = {"queue": message.queue} if message.queue else {}
    if runs_in_process():
        # Eager mode: run in process (exceptions propagate, as they do for ``.delay`` in eager mode).
        if message.task_name not in app.tasks:
            app.loader.import_default_modules()
        app.tasks[message.task_name].apply_async(tuple(message.args), message.kwargs, **options)
        return
    # No publish retries: a broker that does not answer within the connect timeout fails this send at
    # once, the row stays unsent and the sweep retries it. The request is never held up by the broker.
    # ``ignore_result``: nobody waits on an outbox task, and subscribing to its result would make the
    # Redis result backend retry its connection for 20 s before giving up (issue 15's slow 500s).
    app.send_task(message.task_name, args=message.args, kwargs=message.kwargs, retry=False, ignore_result=True, **options)


def send(message_id: int, *, message: OutboxMessage | None = None) -> bool:
    """Send one outbox message if it is still unsent; True when the broker took it. Never raises for a
    broker failure (it is recorded on the row for the sweep). ``message``: the row as its transaction
    wrote it (the after-commit send), else it is read, and skipped if sent meanwhile."""
    if message is None:
        message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is None:
        return False
    if not runs_in_process():
        try:
            _publish(message)
        except Exception as exc:
            OutboxMessage.objects.filter(pk=message_id).update(
                attempts=message.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            logger.warning("outbox message %s (%s) not sent: %s", message_id, message.task_name, type(exc).__name__)
            return False
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=message.attempts + 1
        )
        return True
    # Eager: mark first, so a task that enqueues follow-ups never sees its own message as pending.
    OutboxMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), attempts=message.attempts + 1)
    _publish(message)
    return True


def sweep_outbox(*, now: Any = None, grace: timedelta = SEND_GRACE) -> int:
    """Send the messages left unsent for longer than ``grace`` (the broker was down at their commit);
    delete sent ones past retention. Returns how many were sent now."""
    now = now or timezone.now()
    OutboxMessage.objects.filter(sent_at__lt=now - SENT_RETENTION).delete()
    pending = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, created_at__lte=now - grace)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(send(message_id) for message_id in pending)
