"""Receivers of the accounts app (connected once, by ``AccountsConfig.ready``).

- An account whose password changed or that was disabled loses its sessions and API tokens, in the
  transaction of the save (``services.credentials_revoke``): a security change cannot wait for a worker.
- A sign-in stamps the session (idle and absolute limits, ``apps.accounts.middleware``) and notes whether
  the second factor is still to be given.
- A django-axes lockout is written to the audit trail.
- A request starting, or a board membership saved or deleted, voids the board ids cached on user
  objects (``scoping``).
"""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

from apps.accounts import scoping, second_factor, services
from apps.accounts.models import BoardMembership, TokenRevocation, User
from apps.audit.events import AuditEvent
from apps.audit.services import audit_security_event

#: Session keys (apps.accounts.middleware reads them).
SIGNED_IN_AT = "tb_signed_in_at"
SEEN_AT = "tb_seen_at"
REAUTHENTICATED_AT = "tb_reauthenticated_at"
# "pending": the one-time code is still to be typed; "enrol": must enrol first; "verified": given.
SECOND_FACTOR = "tb_second_factor"


def connect() -> None:
    post_save.connect(on_user_saved, sender=User, dispatch_uid="accounts.user_saved")
    # The board ids cached on user objects (apps.accounts.scoping) last one request, or until a membership
    # changes.
    request_started.connect(scoping.forget_board_ids, dispatch_uid="accounts.request_started")
    post_save.connect(scoping.forget_board_ids, sender=BoardMembership, dispatch_uid="accounts.membership_saved")
    post_delete.connect(scoping.forget_board_ids, sender=BoardMembership, dispatch_uid="accounts.membership_deleted")
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.logged_in")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts.locked_out")


def on_user_saved(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    if not created and kwargs.get("raw") is not True:
        because = instance.credentials_change()
        if because is not None:
            services.credentials_revoke(user=instance, because=TokenRevocation(because))
    instance.remember_credentials()


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    # The password was just typed: enrolling a second factor right now needs no second prompt.
    session[REAUTHENTICATED_AT] = now
    if second_factor.has_confirmed_device(user):
        session[SECOND_FACTOR] = "pending"
    elif settings.TUMORBOARD_REQUIRE_2FA:
        session[SECOND_FACTOR] = "enrol"
    else:
        session.pop(SECOND_FACTOR, None)


def on_locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    tried = (username or "")[:150]
    account = User.objects.filter(username=tried).only("pk").first() if tried else None
    audit_security_event(
        event=AuditEvent.LOCKED_OUT,
        actor=None,
        actor_label=tried or "(no user name)",
        request=getattr(request, "_request", request),
        reason=f"{settings.AXES_FAILURE_LIMIT} failed attempts",
        after={
            "account_id": account.pk if account else None,
            "cool_off_seconds": int(settings.AXES_COOLOFF_TIME.total_seconds()),
        },
    )
