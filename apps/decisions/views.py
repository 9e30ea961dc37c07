"""Server-rendered decision pages: the case's decisions with the amendment chain, the draft form, the sign
dialog (password re-entered), follow-up, and the quality report with server-rendered SVG charts.

Pages read through the same scoped selectors as the API and write only through the services; a decision
of another board is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from apps.accounts.authorization import allowed, readable_boards
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.cases.workflow import CaseStatus
from apps.core.errors import InvalidInput
from apps.decisions import reports, selectors, services
from apps.decisions.engine.recommendation import (
    RT_TECHNIQUES,
    Consensus,
    DecisionStatus,
    FollowUpReason,
    Implementation,
    Intent,
    SurgeryProcedure,
)
from apps.decisions.exports import action_text
from apps.meetings.models import Meeting, MeetingStatus
from apps.meetings.services import AgendaConflict, case_return_to_agenda


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _case_or_404(request: HttpRequest, case_id: int) -> Any:
    case = selectors.visible_case(request.user, case_id)
    if case is None:
        raise Http404("No such case on your boards.")
    return case


def _actions_from_form(post: Any) -> list[dict[str, Any]]:
    """The structured action fields of the form as the contract's action list."""
    actions: list[dict[str, Any]] = []
    if post.get("rt"):
        rt: dict[str, Any] = {
            "kind": "radiotherapy",
            "target_lesions": [int(x) for x in post.getlist("rt_lesions") if x.isdigit()],
        }
        if post.get("rt_regimen"):
            rt["regimen"] = post["rt_regimen"]
        for name, cast in (("rt_total_dose_gy", float), ("rt_fractions", int)):
            if post.get(name):
                try:
                    rt[name.removeprefix("rt_")] = cast(post[name])
                except ValueError:
                    rt[name.removeprefix("rt_")] = post[name]
        if post.get("rt_technique"):
            rt["technique"] = post["rt_technique"]
        actions.append(rt)
    if post.get("surgery"):
        surgery = {"kind": "surgery", "procedure": post.get("surgery_procedure", ""), "detail": post.get("surgery_detail", "")}
        surgery["target_lesions"] = [int(x) for x in post.getlist("surgery_lesions") if x.isdigit()]
        actions.append(surgery)
    for kind, field in (
        ("systemic_therapy", "change"),
        ("bone_modifying_agent", "agent"),
        ("trial_referral", "trial"),
        ("imaging_or_biopsy", "study"),
    ):
        if post.get(kind):
            actions.append({"kind": kind, field: post.get(f"{kind}_{field}", "")})
    if post.get("best_supportive_care"):
        actions.append({"kind": "best_supportive_care"})
    return actions


def _dissent_from_form(text: str) -> list[dict[str, str]]:
    """One dissent per line: ``username: reason``."""
    out = []
    for line in text.splitlines():
        if line.strip():
            member, _, reason = line.partition(":")
            out.append({"member": member.strip().lstrip("@"), "reason": reason.strip()})
    return out


#: The surgical procedure of the decision form that each surgical option of the options engine proposes.
_OPTION_PROCEDURES: dict[str, str] = {
    "mescc_decompression_then_rt": "decompression_stabilisation",
    "separation_surgery_then_sbrt": "decompression_stabilisation",
    "spine_stabilisation": "decompression_stabilisation",
    "prophylactic_fixation": "fixation",
    "resection_reconstruction": "resection_reconstruction",
    "cement_augmentation": "vertebral_augmentation",
}


def _values_from_option(case: Any, query: Any) -> dict[str, Any]:
    """Form values that start the decision from one of the case's stored treatment options
    (``?option=<code>&lesion=<id>&trial=<NCT>``): its action, regimen, target lesion and reasons. The board
    edits them before saving; an unknown option leaves the form empty."""
    from apps.options.selectors import treatment_options_section

    section = treatment_options_section(case)
    code, lesion, trial = query.get("option", ""), query.get("lesion", ""), query.get("trial", "")
    candidates: list[tuple[int | None, dict[str, Any]]] = [
        (item.get("lesion"), option) for item in section.get("lesions", []) for option in item.get("options", [])
    ] + [(None, option) for option in section.get("case", [])]
    for lesion_id, option in candidates:
        action = option.get("action") or {}
        if option.get("code") != code or (lesion and str(lesion_id) != lesion) or (trial and action.get("trial") != trial):
            continue
        values: dict[str, Any] = {"started_from_option": code, "rt_lesions": [lesion_id] if lesion_id else []}
        kind = action.get("kind")
        if kind == "surgery":
            values.update(surgery="1", surgery_procedure=_OPTION_PROCEDURES.get(code, "other"))
            values["surgery_lesions"] = values["rt_lesions"]
        if kind == "radiotherapy" or action.get("regimen"):
            values.update(rt="1", rt_regimen=action.get("regimen", ""))
        if kind == "trial_referral":
            values.update(trial_referral="1", trial_referral_trial=action.get("trial", ""))
        if kind in {"bone_modifying_agent", "best_supportive_care", "systemic_therapy", "imaging_or_biopsy"}:
            values[kind] = "1"
        reasons = "; ".join(option.get("reasons") or [])
        values["rationale"] = f"Started from the option {option.get('label', code)}" + (f": {reasons}" if reasons else ".")
        return values
    return {}


def _selected(values: Any, name: str) -> list[str]:
    raw = values.getlist(name) if hasattr(values, "getlist") else values.get(name, [])
    return [str(v) for v in raw]


def _form_context(case: Any, values: Any, errors: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    meetings = Meeting.objects.filter(board_id=case.board_id).exclude(status=MeetingStatus.CANCELLED)
    meetings = meetings.filter(starts_at__gte=now - dt.timedelta(days=14)).order_by("starts_at")[:20]
    return {
        "case": case,
        "lesions": list(case.lesions.order_by("pk")),
        "meetings": list(meetings),
        "intents": [i.value for i in Intent],
        "consensus_codes": [c.value for c in Consensus],
        "procedures": [p.value for p in SurgeryProcedure],
        "techniques": RT_TECHNIQUES,
        "values": values,
        "rt_selected": _selected(values, "rt_lesions"),
        "surgery_selected": _selected(values, "surgery_lesions"),
        "errors": errors,
    }


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """The draft form; in meeting mode the chair opens it from the current case (``?meeting=<id>``)."""
    case = _case_or_404(request, case_id)
    if not allowed(_user(request), Permission.DECISION_DRAFT, case.board_id):
        raise PermissionDenied("Your role may not draft the board's decision.")
    errors: dict[str, Any] = {}
    values: Any = request.POST if request.method == "POST" else {"meeting": request.GET.get("meeting", "")}
    if request.method == "GET" and request.GET.get("option"):
        values = {**values, **_values_from_option(case, request.GET)}
    if request.method == "POST":
        meeting = request.POST.get("meeting") or None
        data = {
            "meeting": int(meeting) if meeting and meeting.isdigit() else None,
            "urgent_reason": request.POST.get("urgent_reason", ""),
            "intent": request.POST.get("intent") or None,
            "actions": _actions_from_form(request.POST),
            "rationale": request.POST.get("rationale", ""),
            "consensus": request.POST.get("consensus") or None,
            "dissent": _dissent_from_form(request.POST.get("dissent", "")),
            "started_from_option": request.POST.get("started_from_option", ""),
        }
        try:
            decision = services.decision_create(actor=_user(request), case_id=case.pk, data=data)
        except InvalidInput as exc:
            errors = exc.errors
        except (services.DecisionConflict, services.DecisionLocked) as exc:
            errors = {"decision": [str(exc)]}
        else:
            return HttpResponseRedirect(reverse("decisions:decision", args=[decision.pk]))
    return render(request, "decisions/decision_form.html", _form_context(case, values, errors), status=400 if errors else 200)


@login_required
def case_decisions(request: HttpRequest, case_id: int) -> HttpResponse:
    """Every version of the case's decision, oldest first: the amendment chain."""
    case = _case_or_404(request, case_id)
    versions = list(selectors.case_decisions(request.user, case))
    return render(request, "decisions/case_decisions.html", {"case": case, "versions": versions})


@login_required
@require_http_methods(["GET", "POST"])
def decision_page(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_queryset(request.user).filter(pk=pk).first()
    if decision is None:
        raise Http404("No such decision on your boards.")
    user = _user(request)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "sign":
                services.decision_sign(actor=user, decision_id=pk, password=request.POST.get("password", ""))
            elif step == "amend":
                draft = services.decision_amend(actor=user, decision_id=pk, reason=request.POST.get("reason", ""))
                return HttpResponseRedirect(reverse("decisions:decision", args=[draft.pk]))
            elif step == "follow_up":
                services.follow_up_record(
                    actor=user,
                    decision_id=pk,
                    implementation=request.POST.get("implementation", ""),
                    reason=request.POST.get("reason") or None,
                    note=request.POST.get("note", ""),
                    return_to_agenda=bool(request.POST.get("return_to_agenda")),
                )
            elif step == "return_to_agenda":
                item = case_return_to_agenda(actor=user, case_id=decision.case_id, reason=request.POST.get("reason", ""))
                messages.success(
                    request,
                    f"The case is on the agenda of {item.meeting}." if item else "The case waits for a place on the next agenda.",
                )
            else:
                errors = {"step": ["unknown step."]}
        except InvalidInput as exc:
            errors = exc.errors
        except (services.DecisionConflict, services.DecisionLocked) as exc:
            errors = {"decision": [str(exc)]}
        except AgendaConflict:
            errors = {"case": ["the proposed meeting filled up meanwhile: try again."]}
        if not errors:
            return HttpResponseRedirect(reverse("decisions:decision", args=[pk]))
        decision = selectors.decision_queryset(request.user).get(pk=pk)
    else:
        services.decision_record_access(actor=user, decision=decision, event=AuditEvent.DECISION_READ, detail="page")
    context = {
        "decision": decision,
        "case": decision.case,
        "actions": [action_text(a) for a in decision.actions],
        "can_sign": decision.status == DecisionStatus.DRAFT and services.signer_may_sign(user, decision),
        "can_amend": decision.status == DecisionStatus.SIGNED
        and allowed(user, Permission.DECISION_DRAFT, decision.case.board_id),
        "can_follow_up": decision.status == DecisionStatus.SIGNED
        and allowed(user, Permission.FOLLOW_UP_RECORD, decision.case.board_id),
        "can_return": decision.status == DecisionStatus.SIGNED
        and decision.case.status == CaseStatus.DECIDED
        and allowed(user, Permission.FOLLOW_UP_RECORD, decision.case.board_id),
        "implementations": [i.value for i in Implementation],
        "reasons": [r.value for r in FollowUpReason],
        "errors": errors,
    }
    return render(request, "decisions/decision.html", context, status=400 if errors else 200)


def _bars(items: list[tuple[str, float | None, str]], width: int = 360) -> dict[str, Any]:
    """Geometry of a horizontal SVG bar chart: ``(label, share 0..1 or None, caption)`` per bar."""
    bars = []
    for i, (label, share, caption) in enumerate(items):
        w = round((share or 0) * width, 1)
        bars.append({"label": label, "y": 8 + i * 26, "w": w, "caption_x": 186 + w, "caption": caption})
    return {"bars": bars, "height": 16 + 26 * len(bars)}


def _pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value * 100:.0f} %"


@login_required
def quality_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not allowed(user, Permission.REPORTS_VIEW):
        raise PermissionDenied("Quality reports are for administrators.")
    boards = list(readable_boards(user).order_by("name"))
    today = timezone.now().date()
    try:
        date_from = (
            dt.date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else today - dt.timedelta(days=365)
        )
        date_to = dt.date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
    except ValueError:
        return render(request, "decisions/quality.html", {"boards": boards, "error": "Dates are YYYY-MM-DD."}, status=400)
    board = next((b for b in boards if str(b.pk) == request.GET.get("board")), boards[0] if boards else None)
    context: dict[str, Any] = {"boards": boards, "board": board, "date_from": date_from, "date_to": date_to}
    if board is not None:
        report = reports.board_quality(user, board=board, date_from=date_from, date_to=date_to).to_dict()
        states = report["implementation_states"]
        total = sum(states.values()) or None
        context["report"] = report
        context["state_bars"] = _bars([(s, (n / total) if total else None, str(n)) for s, n in states.items()])
        reasons = report["non_implementation_reasons"]
        context["reason_bars"] = _bars([(r, n / max(reasons.values()), str(n)) for r, n in reasons.items()]) if reasons else None
        attendance = report["attendance_by_specialty"]
        context["attendance_bars"] = (
            _bars([(role, r["rate"], _pct(r["rate"])) for role, r in attendance.items()]) if attendance else None
        )
        context["implementation_pct"] = _pct(report["implementation"]["rate"])
        context["reference"] = [round(x * 360, 1) for x in report["implementation_reference"]]
        context["implementation_w"] = round((report["implementation"]["rate"] or 0) * 360, 1)
    return render(request, "decisions/quality.html", context)
