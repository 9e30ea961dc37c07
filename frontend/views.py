"""Server-rendered pages: role homes, the case list and the case page.

Views are thin: they read through the same scoped selectors as the API (``apps.cases.selectors`` and the
other apps' selectors), write only through services, and render. Every list is paginated and every page
runs a constant number of queries whatever the number of rows (tests in ``tests/frontend``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.authorization import allowed
from apps.accounts.models import User
from apps.accounts.roles import CLINICIANS, Permission, Role
from apps.audit.models import AuditEntry
from apps.audit.services import audit_read
from apps.cases import selectors
from apps.cases.derived import DerivedStatus, derived_sections
from apps.cases.models import Case
from apps.cases.workflow import EDITABLE_STATUSES, CaseStatus
from apps.trials import selectors as trial_selectors
from apps.trials import services as trial_services
from apps.trials.models import TrialMatch, TrialReferral
from frontend import homes, review
from frontend.filters import CaseListFilter
from frontend.labels import field_label

PAGE_SIZE = 25
#: How often a page with results still computing asks for them again (htmx polling of a partial).
POLL_SECONDS = 2


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    size = homes.HOME_LIST_SIZE
    if user.role == Role.ADMINISTRATOR:
        return render(request, "frontend/home_administrator.html", {})
    if user.role == Role.COORDINATOR:
        context: dict[str, Any] = {
            "awaiting_placement": list(homes.awaiting_placement(user)[:size]),
            "drafts": list(homes.incomplete_drafts(user)[:size]),
            "decided": list(homes.recently_decided(user)[:size]),
        }
        return render(request, "frontend/home_coordinator.html", context)
    context = {
        "open_cases": list(homes.open_cases(user)[:size]),
        "awaiting_me": list(homes.awaiting_my_specialty(user)[:size]),
        "specialty_reason": homes.specialty_reason(user.role) if user.role in CLINICIANS else "",
    }
    return render(request, "frontend/home_clinician.html", context)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cases = selectors.case_list(user).order_by("-urgent", "-updated_at", "-id")
    # The search text (an MRN or a name) is read from a POSTed form only: a URL carrying it would land in
    # the browser history and the proxy's access log (issue 15). Links may still carry the other filters.
    data: QueryDict = request.POST.copy() if request.method == "POST" else request.GET.copy()
    if request.method != "POST":
        data.pop("q", None)
    case_filter = CaseListFilter(data or None, queryset=cases, user=user)
    rows: QuerySet[Case] = case_filter.qs if case_filter.is_bound and case_filter.is_valid() else cases
    page = Paginator(rows, PAGE_SIZE).get_page(data.get("page"))
    context = {
        "filter": case_filter,
        "page": page,
        "cases": list(page.object_list),
        "page_form": "case-search" if request.method == "POST" else "",
    }
    template = "frontend/partials/case_results.html" if request.htmx else "frontend/case_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_detail_queryset(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case on your boards.")
    return case


def _derived_context(case: Case) -> dict[str, Any]:
    """The derived results of the case page (risk, dose summaries, trial matches) and whether any is
    still computing (then the partial polls itself until every section is current)."""
    # The trial matches are read once (every trial with the case's stored match) for both the section and
    # the listing; the case's facts are built only if a trial must be matched on the spot (issue 16).
    derived = derived_sections(case, skip=("trial_matches",))
    trial_rows = trial_selectors.case_trial_rows(case.pk)
    derived["trial_matches"] = trial_selectors.trial_matches_section_from_rows(trial_rows, case)
    risk = derived["risk"]
    summary = risk.get("summary")
    lesions = list(case.lesions.all())
    matches = trial_selectors.trial_matches_listing(
        trial_rows, case_revision=case.revision, facts=lambda: selectors.case_facts(case)
    )
    for match in matches:
        match["criteria_view"] = [
            {
                **criterion,
                "text_words": review.in_words(str(criterion.get("text", ""))),
                "explanation_words": review.in_words(str(criterion.get("explanation", ""))),
                "needs": review.needs_labels(criterion.get("missing")),
            }
            for criterion in match["criteria"]
        ]
        match["needs"] = review.needs_labels(match["missing_fields"])
    statuses = {risk["status"], derived["trial_matches"]["status"]}
    if derived["dose_summaries"]["plans"]:
        statuses.add(derived["dose_summaries"]["status"])
    computing = bool(statuses & {DerivedStatus.PENDING.value, DerivedStatus.STALE.value}) and bool(lesions)
    return {
        "case": case,
        "derived": derived,
        "risk": risk,
        "lesion_views": review.lesion_views(lesions, summary),
        "case_rules": review.case_rule_views(summary),
        "case_flags": review.case_flags(summary),
        "doses": derived["dose_summaries"],
        "trial_matches": [m for m in matches if m["eligibility"] != "ineligible"],
        "ineligible_matches": [m for m in matches if m["eligibility"] == "ineligible"],
        "trials_status": derived["trial_matches"]["status"],
        "computing": computing,
        "poll_seconds": POLL_SECONDS,
    }


def _timeline(case: Case) -> list[AuditEntry]:
    """The case's audit events: the case itself and every record written about it (risk assessments,
    plans, matches, flags, referrals name the case in their audit row), newest first."""
    about_case = Q(after__case_id=case.pk) | Q(after__case=case.pk)
    rows = AuditEntry.objects.filter(board_id=case.board_id).filter(
        Q(subject_type="cases.case", subject_id=str(case.pk)) | about_case
    )
    # Reads are audited too (issue 13); the timeline shows what happened to the case, not who looked.
    rows = rows.exclude(event__endswith=".read")
    return list(rows.select_related("actor").order_by("-occurred_at", "-id")[:50])


def _derived_permissions(user: User, case: Case) -> dict[str, bool]:
    return {
        "can_plan": allowed(user, Permission.DOSE_PLAN_EDIT, case.board_id),
        "can_flag": allowed(user, Permission.MATCH_FLAG, case.board_id),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    user = _user(request)
    # Reading a patient's case is audited (issue 13); the polled partial is the same read, not audited again.
    audit_read(actor=user, subject=case, request=request, detail={"via": "case page"})
    context = _derived_context(case)
    context.update(
        {
            "referrals": list(TrialReferral.objects.filter(case_id=case.pk).select_related("trial", "created_by")),
            "timeline": _timeline(case),
            "can_edit": case.status in EDITABLE_STATUSES and allowed(user, Permission.CASE_EDIT, case.board_id),
            "can_submit": case.status == CaseStatus.DRAFT and allowed(user, Permission.CASE_SUBMIT, case.board_id),
            "can_audit": allowed(user, Permission.AUDIT_VIEW),
            **_derived_permissions(user, case),
        }
    )
    return render(request, "frontend/case_detail.html", context)


@login_required
def case_derived(request: HttpRequest, pk: int) -> HttpResponse:
    """The derived-results partial the case page polls while a result is computing."""
    case = _case_or_404(request, pk)
    context = _derived_context(case)
    context.update(_derived_permissions(_user(request), case))
    return render(request, "frontend/partials/derived.html", context)


@login_required
@require_POST
def match_flag(request: HttpRequest, pk: int, identifier: str) -> HttpResponse:
    """ "Flag as wrong" on a trial match (or one of its criteria), through ``trials.services``."""
    case = _case_or_404(request, pk)
    reason = request.POST.get("reason", "")
    criterion = request.POST.get("criterion_code", "")
    try:
        trial_services.match_flag_create(
            actor=_user(request), case_id=case.pk, trial_identifier=identifier, reason=reason, criterion_code=criterion
        )
    except TrialMatch.DoesNotExist:
        messages.error(request, f"{identifier} has not been matched to this case yet; try again in a moment.")
    except ValidationError as exc:
        reasons = "; ".join(f"{field_label(k)}: {' '.join(v)}" for k, v in exc.message_dict.items())
        messages.error(request, f"The flag was not recorded: {reasons}")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        what = f"criterion “{criterion}” of {identifier}" if criterion else identifier
        messages.success(request, f"Thank you: the match to {what} is flagged for the registry's curators.")
    return redirect(f"{reverse('frontend:case-detail', args=[case.pk])}#trials")
