"""The account pages: the sign-in code prompt, re-entering the password, changing it, the second factor,
the email and the API tokens (issue 15, docs/security/authentication.md).

Writes go through ``apps.accounts.services`` (each with its audit row). Changing the second factor or the
email needs the password re-entered within ``TUMORBOARD_REAUTH_SECONDS`` (signing in counts). Wrong
passwords and wrong codes here count towards the django-axes lockout like those at the sign-in page.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, authenticate, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import lockout, second_factor, services
from apps.accounts.handlers import REAUTHENTICATED_AT, SECOND_FACTOR
from apps.accounts.models import ApiToken, User
from apps.audit.events import AuditEvent
from apps.audit.services import audit_security_event


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The six digits your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True})
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password = forms.CharField(
        label="New password",
        strip=False,
        help_text="At least 12 characters; not a common password, not only digits, not like your name or email.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="New password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password_again") and data["new_password"] != data["new_password_again"]:
            self.add_error("new_password_again", "The two new passwords differ: type the same one twice.")
        return data


class EmailForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What the token is for", max_length=100, required=False, help_text="For example: the EHR interface."
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _failed_attempt(request: HttpRequest, user: User) -> HttpResponse | None:
    """Count a wrong code or password (audit row, django-axes); sign out and answer 429 once locked out."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    if lockout.is_locked_out(request):
        logout(request)
        return lockout.lockout_response(request)
    return None


def reauthenticated_recently(request: HttpRequest) -> bool:
    stamped = request.session.get(REAUTHENTICATED_AT)
    return stamped is not None and time.time() - int(stamped) <= settings.TUMORBOARD_REAUTH_SECONDS


def _require_reauth(request: HttpRequest) -> HttpResponse | None:
    if reauthenticated_recently(request):
        return None
    return redirect(f"{reverse('account-reauth')}?next={request.get_full_path()}")


def verify(request: HttpRequest) -> HttpResponse:
    """Step two of signing in: the code from the authenticator app (or a backup code)."""
    if SESSION_KEY not in request.session or not isinstance(request.user, User):
        return redirect("login")
    user = _user(request)
    if request.session.get(SECOND_FACTOR) != "pending":
        return redirect(_next(request, reverse("frontend:home")))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session[SECOND_FACTOR] = "verified"
            request.session.cycle_key()  # a new session id once fully signed in
            if device.__class__.__name__ == "StaticDevice":
                left = second_factor.backup_codes_left(user)
                messages.warning(request, f"You used a backup code: {left} left. Renew them on your account page.")
            return redirect(_next(request, reverse("frontend:home")))
        locked = _failed_attempt(request, user)
        if locked is not None:
            return locked
        form.add_error("code", "The code is wrong or has expired.")
    return render(request, "frontend/account/verify.html", {"form": form, "next": _next(request, "")})


@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Re-enter the password before a sensitive change (the second factor, the email)."""
    user = _user(request)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if authenticate(request, username=user.get_username(), password=form.cleaned_data["password"]) is not None:
            request.session[REAUTHENTICATED_AT] = int(time.time())
            audit_security_event(event=AuditEvent.REAUTHENTICATED, actor=user, request=request)
            return redirect(_next(request, reverse("account")))
        if lockout.is_locked_out(request):
            logout(request)
            return lockout.lockout_response(request)
        form.add_error("password", "That is not your password.")
    return render(request, "frontend/account/reauth.html", {"form": form, "next": _next(request, "")})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context: dict[str, Any] = {
        "enrolled": second_factor.has_confirmed_device(user),
        "backup_codes_left": second_factor.backup_codes_left(user),
        "required": settings.TUMORBOARD_REQUIRE_2FA,
        "active_tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True).count(),
    }
    return render(request, "frontend/account/account.html", context)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol (or replace) the authenticator app; renew the backup codes; remove (when not required)."""
    user = _user(request)
    needs = _require_reauth(request)
    if needs is not None:
        return needs
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "renew":
        codes = services.backup_codes_renew(user=user, request=request)
        return render(request, "frontend/account/backup_codes.html", {"codes": codes})
    if action == "remove":
        try:
            services.second_factor_remove(user=user, request=request)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            request.session.pop(SECOND_FACTOR, None)
            messages.success(request, "Two-factor authentication is off for your account.")
        return redirect("account")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = services.second_factor_enrol_start(user=user)
    form = CodeForm(request.POST or None)
    if action == "confirm" and form.is_valid():
        try:
            codes = services.second_factor_confirm(
                user=user, device_id=device.pk, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("code", exc.messages):
                form.add_error("code", message)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[SECOND_FACTOR] = "verified"
            return render(request, "frontend/account/backup_codes.html", {"codes": codes, "next": _next(request, "")})
    context = {
        "form": form,
        "qr": second_factor.qr_svg(device),
        "secret": second_factor.secret_text(device),
        "issuer": second_factor.issuer(),
        "enrolled": second_factor.has_confirmed_device(user),
        "required": settings.TUMORBOARD_REQUIRE_2FA,
        "must_enrol": request.session.get(SECOND_FACTOR) == "enrol",
        "next": _next(request, ""),
    }
    return render(request, "frontend/account/two_factor.html", context)


@login_required
def password(request: HttpRequest) -> HttpResponse:
    """Change one's own password (the current one is asked every time: it is the re-authentication).

    The change ends every other session of the account and revokes its API tokens (the service); this
    session is kept under a new id (``update_session_auth_hash`` cycles the key).
    """
    user = _user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except ValidationError as exc:
            if isinstance(exc, services.WrongPassword) and lockout.is_locked_out(request):
                logout(request)
                return lockout.lockout_response(request)
            for name, reasons in exc.message_dict.items():
                for reason in reasons:
                    form.add_error(name if name in form.fields else None, reason)
        else:
            update_session_auth_hash(request, user)
            request.session[REAUTHENTICATED_AT] = int(time.time())  # the password was just typed
            messages.success(request, "Your password is changed. Your other sessions and your API tokens have ended.")
            return redirect("account")
    return render(request, "frontend/account/password.html", {"form": form})


@login_required
def email(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    needs = _require_reauth(request)
    if needs is not None:
        return needs
    form = EmailForm(request.POST or None, initial={"email": user.email})
    if request.method == "POST" and form.is_valid():
        services.email_change(user=user, email=form.cleaned_data["email"], request=request)
        messages.success(request, "Your email address is changed.")
        return redirect("account")
    return render(request, "frontend/account/email.html", {"form": form})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """One's own API tokens: make one (its key shown once), list them by prefix, revoke one."""
    user = _user(request)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.api_token_create(user=user, name=form.cleaned_data["name"], request=request)
        form = TokenForm()
    rows = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[:100])
    return render(request, "frontend/account/tokens.html", {"form": form, "tokens": rows, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(actor=_user(request), token_id=token_id, request=request)
    except ApiToken.DoesNotExist as exc:
        raise Http404("No such token of yours.") from exc  # another user's token: as if it did not exist
    messages.success(request, f"Token {token.prefix}… is revoked.")
    return redirect("account-tokens")
