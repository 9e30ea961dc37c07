"""Sign-ins, failed sign-ins and sign-outs go to the audit trail (Django's auth signals).

These are the one place the trail is written from a signal: Django sends them itself on every sign-in
path (the web login, the admin login, and ``authenticate()`` behind the API token endpoint), and no bulk
operation can bypass them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.accounts.models import User
from apps.audit.events import AuditEvent
from apps.audit.services import audit_security_event


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_security_event(event=AuditEvent.LOGIN, actor=user, request=request)


def on_logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if isinstance(user, User):
        audit_security_event(event=AuditEvent.LOGOUT, actor=user, request=request)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Only the user name that was tried (Django has already masked the password); the account it names,
    # if any, so repeated failures against one account can be found.
    tried = str(credentials.get("username") or credentials.get(User.USERNAME_FIELD) or "")[:150]
    account = User.objects.filter(username=tried).only("pk").first() if tried else None
    audit_security_event(
        event=AuditEvent.LOGIN_FAILED,
        actor=None,
        actor_label=tried or "(no user name)",
        request=request,
        reason="invalid credentials",
        after={"account_id": account.pk if account else None},
    )
