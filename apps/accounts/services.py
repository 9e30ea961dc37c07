"""The only writers of who may do what: a user's role and flags, board memberships and the chair; and of
how one signs in: API tokens, the second factor, ending sessions (issue 15).

Access is managed by IT staff (``is_superuser``, a separate staff right that no role grants), never on
one's own account, and every change writes its audit row in the same transaction (issues 10 and 15:
today's demo administrator could make itself a surgeon on another board through the admin).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import second_factor
from apps.accounts.models import ApiToken, Board, BoardMembership, TokenRevocation, User
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record

#: The fields of a user that grant rights.
ACCESS_FIELDS: tuple[str, ...] = ("role", "is_active", "is_staff", "is_superuser")


def can_manage_access(actor: User | Any) -> bool:
    return isinstance(actor, User) and actor.is_active and actor.is_superuser


def _require_access_manager(actor: User, subject: User) -> None:
    if not can_manage_access(actor):
        raise PermissionDenied("Only access managers (IT staff) may change roles, flags or board memberships.")
    if subject.pk is not None and subject.pk == actor.pk:
        raise PermissionDenied("Nobody may change their own role, flags or board memberships; ask another access manager.")


@transaction.atomic
def user_access_save(*, actor: User, user: User, before: Mapping[str, Any] | None) -> User:
    """Save ``user`` as edited in the access screens; ``before`` is its state when the edit began (None: new)."""
    if before is None:
        _require_access_manager(actor, user)
        user.save()
        audit_record(actor=actor, event=AuditEvent.USER_ACCESS_CHANGED, subject=user, after=_access(user))
        return user
    changed = {f for f in ACCESS_FIELDS if before.get(f) != getattr(user, f)}
    if changed:
        _require_access_manager(actor, user)
    elif not can_manage_access(actor):
        raise PermissionDenied("Only access managers (IT staff) may edit accounts.")
    user.save()
    audit_record(
        actor=actor,
        event=AuditEvent.USER_ACCESS_CHANGED,
        subject=user,
        before={f: before.get(f) for f in ACCESS_FIELDS},
        after=_access(user),
    )
    return user


@transaction.atomic
def membership_save(*, actor: User, membership: BoardMembership, before: Mapping[str, Any] | None) -> BoardMembership:
    """Add a member to a board or change their chair flag."""
    _require_access_manager(actor, membership.user)
    membership.save()
    audit_record(
        actor=actor,
        event=AuditEvent.MEMBERSHIP_CHANGED,
        subject=membership,
        board_id=membership.board_id,
        before=dict(before) if before is not None else None,
        after={"board": membership.board_id, "user": membership.user_id, "is_chair": membership.is_chair},
    )
    return membership


@transaction.atomic
def membership_delete(*, actor: User, membership: BoardMembership) -> None:
    _require_access_manager(actor, membership.user)
    audit_record(
        actor=actor,
        event=AuditEvent.MEMBERSHIP_CHANGED,
        subject=membership,
        board_id=membership.board_id,
        before={"board": membership.board_id, "user": membership.user_id, "is_chair": membership.is_chair},
        after=None,
    )
    membership.delete()


@transaction.atomic
def board_save(*, actor: User, board: Board, created: bool) -> Board:
    if not can_manage_access(actor):
        raise PermissionDenied("Only access managers (IT staff) may create or edit boards.")
    board.save()
    audit_record(
        actor=actor,
        event=AuditEvent.BOARD_CHANGED,
        subject=board,
        board_id=board.pk,
        after={"name": board.name, "institution": board.institution_id, "created": created},
    )
    return board


def _access(user: User) -> dict[str, Any]:
    return {f: getattr(user, f) for f in ACCESS_FIELDS}


# --- Authentication (issue 15, docs/security/authentication.md) -------------------------------------------


@transaction.atomic
def api_token_create(*, user: User, name: str = "", request: HttpRequest | Any | None = None) -> tuple[ApiToken, str]:
    """A new API token for ``user``; the key is returned once, in clear, and only its digest is kept."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        created_by=user,
        name=name[:100],
        prefix=key[: ApiToken.PREFIX_LENGTH],
        digest=ApiToken.digest_of(key),
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
    )
    audit_record(
        actor=user,
        event=AuditEvent.TOKEN_ISSUED,
        subject=token,
        after={"prefix": token.prefix, "name": token.name, "expires_at": token.expires_at.isoformat()},
        request=request,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, request: HttpRequest | Any | None = None) -> ApiToken:
    """The owner revokes one of their tokens (another user's token is ``DoesNotExist``: a 404)."""
    token = ApiToken.objects.select_for_update().get(pk=token_id, user=actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_because = ApiToken.RevokedBecause.OWNER
        token.save(update_fields=["revoked_at", "revoked_because", "updated_at"])
        audit_record(
            actor=actor,
            event=AuditEvent.TOKEN_REVOKED,
            subject=token,
            after={"prefix": token.prefix, "because": token.revoked_because},
            request=request,
        )
    return token


@transaction.atomic
def credentials_revoke(*, user: User, because: TokenRevocation) -> dict[str, int]:
    """End every session of ``user`` and revoke its tokens (password changed, account disabled).

    Called by ``apps.accounts.handlers`` in the transaction that saved the account, not later by a worker:
    a disabled account must not keep working until a queue drains.
    """
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_because=because, updated_at=timezone.now()
    )
    sessions = end_sessions(user)
    if tokens or sessions:  # a new account's first password ends nothing: no row
        audit_record(
            actor=None,
            actor_label="system",
            event=AuditEvent.CREDENTIALS_REVOKED,
            subject=user,
            reason=TokenRevocation(because).label,
            after={"tokens_revoked": tokens, "sessions_ended": sessions},
        )
    return {"tokens": tokens, "sessions": sessions}


def end_sessions(user: User) -> int:
    """Delete the stored sessions that belong to ``user`` (the database session engine).

    Sessions are not indexed by user, so the unexpired ones are decoded; this runs only on a password
    change or when an account is disabled.
    """
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            ended.append(session.session_key)
    if ended:
        Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def second_factor_enrol_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator device (earlier unconfirmed attempts are dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def second_factor_confirm(*, user: User, device_id: int, code: str, request: HttpRequest | Any | None = None) -> list[str]:
    """Confirm the device started by ``second_factor_enrol_start`` with a code from the app.

    It replaces any earlier app and backup codes. Returns the new backup codes in clear, to show once.
    Raises ``ValidationError`` (on ``code``) when the code does not match.
    """
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        raise ValidationError({"code": ["This enrolment has expired: start again."]})
    if not device.verify_token(second_factor.normalise_code(code)):
        raise ValidationError({"code": ["The code does not match: check the time on your phone and type the current code."]})
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0] > 0
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _backup_codes_replace(user)
    audit_record(
        actor=user,
        event=AuditEvent.SECOND_FACTOR_ENROLLED,
        subject=user,
        after={"device": "totp", "replaced_earlier": replaced, "backup_codes": len(codes)},
        request=request,
    )
    return codes


@transaction.atomic
def backup_codes_renew(*, user: User, request: HttpRequest | Any | None = None) -> list[str]:
    if not second_factor.has_confirmed_device(user):
        raise ValidationError({"non_field_errors": ["Enrol an authenticator app first."]})
    codes = _backup_codes_replace(user)
    audit_record(
        actor=user, event=AuditEvent.BACKUP_CODES_RENEWED, subject=user, after={"backup_codes": len(codes)}, request=request
    )
    return codes


@transaction.atomic
def second_factor_remove(*, user: User, request: HttpRequest | Any | None = None) -> None:
    """Remove the app and the backup codes; refused while the site requires a second factor."""
    if settings.TUMORBOARD_REQUIRE_2FA:
        raise PermissionDenied("This site requires a second factor: replace the app instead of removing it.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=user, event=AuditEvent.SECOND_FACTOR_REMOVED, subject=user, request=request)


def _backup_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [second_factor.new_backup_code() for _ in range(settings.TUMORBOARD_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=second_factor.backup_code_digest(c)) for c in codes)
    return [second_factor.format_backup_code(c) for c in codes]


@transaction.atomic
def email_change(*, user: User, email: str, request: HttpRequest | Any | None = None) -> User:
    """Change one's own email (the caller has re-entered the password: ``frontend.account``)."""
    field = User._meta.get_field("email")
    email = field.clean(email.strip(), user)
    before = user.email
    user.email = email
    user.save(update_fields=["email"])
    audit_record(
        actor=user,
        event=AuditEvent.EMAIL_CHANGED,
        subject=user,
        before={"email": before},
        after={"email": email},
        request=request,
    )
    return user


class WrongPassword(ValidationError):
    """The current password given to ``password_change`` is not the account's (counted by django-axes)."""


def password_change(*, user: User, current_password: str, new_password: str, request: HttpRequest) -> User:
    """Change one's own password: the current one first, then Django's validators (12 characters, not
    common, not all digits, not like the name), then the new hash with its audit row.

    Saving the new password ends every session of the account and revokes its API tokens in the same
    transaction (``apps.accounts.handlers`` -> ``credentials_revoke``, with its own audit row); the page
    keeps the caller's own session with ``update_session_auth_hash``. The current password is checked with
    ``authenticate`` outside the transaction, so a wrong one is recorded (failed sign-in, django-axes
    count) even though nothing else is written; django-axes needs the request for that.
    """
    if authenticate(request, username=user.get_username(), password=current_password) is None:
        raise WrongPassword({"current_password": ["That is not your current password."]})
    if new_password == current_password:
        raise ValidationError({"new_password": ["The new password is the current one: choose another."]})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=user, event=AuditEvent.PASSWORD_CHANGED, subject=user, request=request)
    return user
