"""The administrator's pages: the trial registry, the match flags clinicians raised (resolved here through
``trials.services.match_flag_resolve``) and the trial reports. Reads through ``apps.trials.selectors`` and
``apps.trials.reports``; constant queries (tests in ``tests/frontend/test_registry.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.authorization import allowed, require
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.trials import reports
from apps.trials import selectors as trial_selectors
from apps.trials import services as trial_services
from apps.trials.models import MatchFlag


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def trial_registry(request: HttpRequest) -> HttpResponse:
    """Every trial of the registry with its status, recruitment and current version (one query)."""
    trials = [{"trial": t, **trial_selectors.recruitment(t.status)} for t in trial_selectors.trial_list()]
    return render(request, "frontend/registry_trials.html", {"trials": trials})


@login_required
def match_flags(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "open")
    resolved = {"open": False, "resolved": True}.get(state)
    rows = trial_selectors.match_flag_list(user, resolved=resolved).order_by("-created_at", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "frontend/registry_flags.html",
        {
            "page": page,
            "flags": list(page.object_list),
            "state": state,
            "can_resolve": allowed(user, Permission.TRIAL_REGISTRY_EDIT),
        },
    )


@login_required
@require_POST
def match_flag_resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    # Refused before the flag is looked up: one 403 whether or not the flag exists (issue 15, URL walk).
    require(_user(request), Permission.TRIAL_REGISTRY_EDIT)
    try:
        trial_services.match_flag_resolve(actor=_user(request), flag_id=flag_id, note=request.POST.get("note", ""))
    except MatchFlag.DoesNotExist:
        messages.error(request, "No such open flag on the boards you see.")
    except ValidationError as exc:
        messages.error(request, "Not resolved: " + " ".join(m for ms in exc.message_dict.values() for m in ms))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Flag resolved.")
    return redirect(reverse("frontend:registry-flags"))


@login_required
def trial_reports(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Permission.REPORTS_VIEW)
    return render(
        request,
        "frontend/reports.html",
        {"referrals": reports.referral_report(user), "eligible_not_referred": reports.eligible_not_referred_report(user)},
    )
