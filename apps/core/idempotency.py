"""``Idempotency-Key`` on POST creates (IETF draft-ietf-httpapi-idempotency-key-header).

A client that sends ``Idempotency-Key: <key>`` with a create and retries it (a timeout, a lost answer)
gets the first response again, same status and body, with ``Idempotent-Replayed: true``, and exactly one
record exists. The same key with another request (method, path or body) is refused with ``422``.

How exactly-once holds under concurrency: the key row is inserted in the same transaction as the
create, before it. A second request with the same key blocks on the unique index until the first
commits (PostgreSQL waits for the inserting transaction), then sees the stored response and replays it;
if the first failed, its row was rolled back and the second runs as a first. Only success (2xx) answers
are kept: a refused create (400, 403, 409 ...) changed nothing, so a retry is judged afresh.

Keys live ``IDEMPOTENCY_KEY_TTL_HOURS`` (24 by default); ``sweep_idempotency_keys`` (Celery beat,
hourly) deletes older ones, and an expired key found before the sweep is treated as new.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from apps.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[A-Za-z0-9._:~+/=-]{1,255}$")
#: Response headers replayed with the body.
_KEPT_HEADERS = ("ETag", "Location")

F = TypeVar("F", bound=Callable[..., Response])


def _ttl() -> timedelta:
    return timedelta(hours=int(getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24)))


def _digest(request: Request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # a form: every value of every field, files by name and size
        data = {key: [getattr(v, "name", v) for v in values] for key, values in data.lists()}
    canonical = json.dumps(data, sort_keys=True, cls=JSONEncoder, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyKey) -> Response:
    response = Response(record.response_body, status=record.response_status)
    for name, value in record.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _mismatch(record: IdempotencyKey, method: str, path: str, digest: str) -> Response | None:
    if (record.method, record.path, record.body_digest) == (method, path, digest):
        return None
    return Response(
        {
            HEADER: [
                f"this key was used for another request ({record.method} {record.path} with a different body) "
                "at " + record.created_at.isoformat() + "; use a new key for a new request."
            ]
        },
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def idempotent(handler: F) -> F:
    """Decorates an API view's ``post``/``create``: honours ``Idempotency-Key`` when the caller sends one."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        if not _KEY.match(key):
            raise ValidationError({HEADER: ["must be 1-255 characters: letters, digits and . _ : ~ + / = -"]})
        method, path, digest = request.method or "POST", request.path, _digest(request)
        user = request.user
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=timezone.now() - _ttl()).delete()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # Blocks while another transaction holds the same key uncommitted (see module docstring).
                    record = IdempotencyKey.objects.create(
                        user=user, key=key, method=method, path=path, body_digest=digest, response_status=0
                    )
            except IntegrityError:
                existing = IdempotencyKey.objects.get(user=user, key=key)
                return _mismatch(existing, method, path, digest) or _replay(existing)
            response = handler(view, request, *args, **kwargs)
            if not status.is_success(response.status_code):
                record.delete()  # nothing was created: a retry is judged afresh
                return response
            record.response_status = response.status_code
            record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            record.response_headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
            record.save(update_fields=["response_status", "response_body", "response_headers"])
            return response

    return cast(F, wrapper)


def sweep_idempotency_keys() -> int:
    """Delete keys older than their lifetime; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - _ttl()).delete()
    return deleted
