"""The audit pages: the filtered log, per case, per trial referral (enrolment) and per record, and the CSV."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from apps.accounts.authorization import require
from apps.accounts.roles import Permission
from apps.audit import selectors
from apps.audit.api.views import csv_response
from apps.audit.filters import AuditEntryFilter
from apps.audit.models import AuditEntry

PAGE_SIZE = 50


def _entries(request: HttpRequest) -> QuerySet[AuditEntry]:
    require(request.user, Permission.AUDIT_VIEW)
    return selectors.audit_entries(request.user)


def _page(request: HttpRequest, queryset: QuerySet[AuditEntry], context: dict[str, Any]) -> HttpResponse:
    filterset = AuditEntryFilter(request.GET or None, queryset=queryset)
    entries = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "audit/entry_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "title": "Audit log", **context},
        status=400 if filterset.is_bound and not filterset.is_valid() else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    return _page(request, _entries(request), {})


@login_required
def case_trail(request: HttpRequest, case_id: int) -> HttpResponse:
    """Everything about one case: its edits, lesions, results, referrals and every read."""
    return _page(request, _entries(request).filter(case_id=case_id), {"title": f"Audit trail of case {case_id}"})


@login_required
def referral_trail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One trial referral from creation through screening and consent to enrolment (or its end)."""
    queryset = selectors.for_subject(_entries(request), selectors.REFERRAL_SUBJECT, referral_id)
    return _page(request, queryset, {"title": f"Audit trail of trial referral {referral_id}"})


@login_required
def subject_trail(request: HttpRequest, subject_type: str, subject_id: str) -> HttpResponse:
    """Any one record's trail (``/audit/subjects/decisions.decision/12/``): the per-decision view's hook."""
    queryset = selectors.for_subject(_entries(request), subject_type, subject_id)
    return _page(request, queryset, {"title": f"Audit trail of {subject_type} {subject_id}"})


@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse | HttpResponse:
    filterset = AuditEntryFilter(request.GET, queryset=_entries(request))
    if not filterset.is_valid():
        return HttpResponse(str(dict(filterset.errors)), status=400, content_type="text/plain; charset=utf-8")
    parameters = {k: v for k, v in request.GET.items() if k in AuditEntryFilter.base_filters}
    return csv_response(request, filterset.qs, parameters, "audit-log.csv")
