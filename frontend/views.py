"""Server-rendered pages. They read through the same scoped selectors as the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.audit.services import audit_read
from apps.cases import selectors
from apps.cases.derived import derived_sections


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = selectors.case_list(request.user).order_by("-urgent", "-created_at", "-id")[:200]
    return render(request, "frontend/case_list.html", {"cases": cases})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_detail_queryset(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case on your boards.")
    audit_read(actor=request.user, subject=case, request=request, detail={"via": "case page"})
    return render(request, "frontend/case_detail.html", {"case": case, "derived": derived_sections(case)})
