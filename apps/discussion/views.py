"""The case's discussion page; the thread itself is the partial ``discussion/_thread.html``, which the case
page includes (``{% include "discussion/_thread.html" with case=case threads=threads coverage=coverage %}``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.models import User
from apps.core.errors import InvalidInput
from apps.decisions.selectors import visible_case
from apps.discussion import selectors, services


def discussion_context(case: Any) -> dict[str, Any]:
    """What the partial needs (three queries for the thread, one for the opinions)."""
    filed = selectors.opinions(case)
    return {
        "case": case,
        "threads": list(selectors.threads(case)),
        "opinions": filed,
        "coverage": selectors.opinion_coverage(filed),
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_discussion(request: HttpRequest, case_id: int) -> HttpResponse:
    case = visible_case(request.user, case_id)
    if case is None:
        raise Http404("No such case on your boards.")
    assert isinstance(request.user, User)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        parent = request.POST.get("parent")
        try:
            if request.POST.get("step") == "opinion":
                services.opinion_file(
                    actor=request.user,
                    case_id=case.pk,
                    assessment=request.POST.get("assessment", ""),
                    recommendation=request.POST.get("recommendation", ""),
                )
            elif request.POST.get("step") == "retract":
                services.comment_retract(
                    actor=request.user, comment_id=int(request.POST.get("comment", "0")), reason=request.POST.get("reason", "")
                )
            else:
                services.comment_post(
                    actor=request.user,
                    case_id=case.pk,
                    body=request.POST.get("body", ""),
                    parent_id=int(parent) if parent and parent.isdigit() else None,
                )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                return HttpResponseRedirect(reverse("decisions:case-discussion", args=[case.pk]))
    context = {**discussion_context(case), "errors": errors, "typed": request.POST if errors else {}}
    if request.htmx:  # type: ignore[attr-defined]
        # The thread swapped in place on the case page. htmx swaps only 2xx answers, so a refused comment
        # comes back 200 with the reason beside the field and the text as typed (nothing is lost).
        return render(request, "discussion/_thread.html", context)
    return render(request, "discussion/case_discussion.html", context, status=400 if errors else 200)
