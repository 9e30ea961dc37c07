"""The stepped case intake: patient, clinical data, lesions, prior radiotherapy, question and submit.

The draft is saved at every step through ``apps.cases.services`` (the same services and rules as the API);
an error is shown beside its field in words and everything typed stays in the form. Every step after the
first carries the case's revision: a save over someone else's newer edit is refused by the service
(``StaleRevision``) and the page says who changed what, keeping what was typed so it can be saved again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.authorization import boards_where, require
from apps.accounts.models import Board, User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from apps.cases import selectors, services
from apps.cases.models import Case
from apps.cases.workflow import EDITABLE_STATUSES, CaseStatus
from apps.core.errors import InvalidInput
from frontend import forms as intake_forms
from frontend.labels import field_label


@dataclass(frozen=True, slots=True)
class Step:
    code: str
    title: str


STEPS: tuple[Step, ...] = (
    Step("patient", "Patient"),
    Step("clinical", "Clinical data"),
    Step("lesions", "Lesions"),
    Step("prior", "Prior radiotherapy"),
    Step("question", "Question and submit"),
)
STEP_CODES = tuple(step.code for step in STEPS)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _writable_boards(user: User) -> QuerySet[Board]:
    # As the API: administrators see every board but write no clinical content; membership grants writes.
    return boards_where(user, Permission.CASE_CREATE).order_by("name")


def _error_dict(exc: InvalidInput | ValidationError) -> dict[str, Any]:
    if isinstance(exc, InvalidInput):
        return dict(exc.errors)
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for e in errors for m in e.messages] for key, errors in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _next_url(case: Case, step: str) -> str:
    index = STEP_CODES.index(step)
    following = STEP_CODES[index + 1] if index + 1 < len(STEP_CODES) else step
    return reverse("frontend:intake-step", args=[case.pk, following])


def _render(request: HttpRequest, step: str, context: Mapping[str, Any], status: int = 200) -> HttpResponse:
    case = context.get("case")
    steps = [
        {
            "code": s.code,
            "title": s.title,
            "current": s.code == step,
            "url": reverse("frontend:intake-step", args=[case.pk, s.code]) if case is not None and s.code != "patient" else "",
        }
        for s in STEPS
    ]
    return render(request, f"frontend/intake/{step}.html", {**context, "steps": steps, "step": step}, status=status)


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: find the patient by MRN or register them, and open the draft with the board's question."""
    user = _user(request)
    boards = _writable_boards(user)
    if not boards.exists():
        require(user, Permission.CASE_CREATE)  # says why: the role, or no board to open a case on
        raise PermissionDenied("You sit on no board on which you may open a case.")
    form = intake_forms.PatientStepForm(request.POST or None, boards=boards)
    found = None
    if request.method == "POST" and form.is_valid():
        board = form.cleaned_data["board"]
        found = (
            selectors.scope_patients(user)
            .filter(institution_id=board.institution_id, mrn=form.cleaned_data["mrn"].strip())
            .first()
        )
        if found is not None or form.require_registration():
            case_data = {"question": form.cleaned_data["question"], "urgent": form.cleaned_data["urgent"]}
            try:
                case = services.case_create(
                    actor=user,
                    board=board,
                    patient=found,
                    new_patient=None if found is not None else form.new_patient(),
                    data=case_data,
                )
            except (InvalidInput, ValidationError) as exc:
                intake_forms.put_errors(form, _error_dict(exc))
            else:
                who = f"{case.patient.family_name}, {case.patient.given_name}"
                verb = "found" if found is not None else "registered"
                messages.success(request, f"Draft case {case.pk} opened for {who} (patient {verb}).")
                return redirect(_next_url(case, "patient"))
    return _render(request, "patient", {"form": form, "found": found, "boards": boards}, status=400 if form.errors else 200)


def _editable_case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_detail_queryset(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case on your boards.")
    require(_user(request), Permission.CASE_EDIT, case.board_id)
    return case


def conflict_summary(case: Case, since_revision: int) -> list[str]:
    """Who changed the case after ``since_revision`` and which fields, from the audit trail, oldest first."""
    rows = AuditEntry.objects.filter(
        subject_type="cases.case", subject_id=str(case.pk), event=AuditEvent.CASE_UPDATED, after__revision__gt=since_revision
    ).order_by("occurred_at", "id")
    lines = []
    for entry in rows:
        before, after = entry.before or {}, entry.after or {}
        changed = [key for key in after if key != "revision" and before.get(key) != after.get(key) and key in before]
        what = ", ".join(field_label(key) for key in changed) or "nothing that this page shows"
        lines.append(f"{entry.actor_label} changed {what} (revision {after.get('revision')}).")
    return lines


def _save(
    request: HttpRequest,
    case: Case,
    *,
    form: forms.Form,
    data: Mapping[str, Any],
    lesions: Sequence[Mapping[str, Any]] | None = None,
    prior_courses: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[Case | None, dict[str, Any], list[str]]:
    """Save through ``case_update`` with the revision the form was read at. Returns (case or None, errors,
    conflict lines)."""
    expected = _revision(request)
    unchanged = lesions is None and prior_courses is None and all(getattr(case, k) == v for k, v in data.items())
    if unchanged and expected == case.revision:
        return case, {}, []  # nothing to save: no new revision, no recomputation
    try:
        saved = services.case_update(
            actor=_user(request),
            case_id=case.pk,
            data=data,
            lesions=lesions,
            prior_courses=prior_courses,
            expected_revision=expected,
        )
    except services.StaleRevision as exc:
        return None, {}, conflict_summary(case, exc.expected)
    except (InvalidInput, ValidationError) as exc:
        return None, _error_dict(exc), []
    except PermissionDenied as exc:
        return None, {"__all__": [str(exc)]}, []
    return saved, {}, []


def _revision(request: HttpRequest) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else None


def _after_save(request: HttpRequest, case: Case, step: str) -> HttpResponse:
    messages.success(request, f"Saved (revision {case.revision}).")
    if "stay" in request.POST:
        return redirect(reverse("frontend:intake-step", args=[case.pk, step]))
    return redirect(_next_url(case, step))


def _initial_case(case: Case, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(case, name) for name in names}


@login_required
def step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_CODES or step == "patient":
        raise Http404("No such step.")
    case = _editable_case(request, pk)
    if case.status not in EDITABLE_STATUSES:
        messages.error(request, f"A {case.status} case can no longer be edited.")
        return redirect(reverse("frontend:case-detail", args=[case.pk]))
    handler = {"clinical": _clinical, "lesions": _lesions, "prior": _prior, "question": _question}[step]
    return handler(request, case)


def _context(case: Case, conflict: list[str], **extra: Any) -> dict[str, Any]:
    return {"case": case, "conflict": conflict, "revision": case.revision, **extra}


def _clinical(request: HttpRequest, case: Case) -> HttpResponse:
    names = intake_forms.CLINICAL_FIELDS
    initial = {**_initial_case(case, names), "systemic_therapy_classes": case.systemic_therapy_classes or []}
    form = intake_forms.ClinicalStepForm(request.POST or None, initial=initial)
    conflict: list[str] = []
    if request.method == "POST" and form.is_valid():
        saved, errors, conflict = _save(request, case, form=form, data=form.case_data())
        if saved is not None:
            return _after_save(request, saved, "clinical")
        intake_forms.put_errors(form, errors)
    current = Case.objects.get(pk=case.pk) if conflict else case
    return _render(request, "clinical", _context(current, conflict, form=form), status=_status(form, conflict))


def _status(form: Any, conflict: list[str]) -> int:
    if conflict:
        return 409
    if request_errors(form):
        return 400
    return 200


def request_errors(form: Any) -> bool:
    if isinstance(form, forms.BaseFormSet):
        return bool(form.is_bound and (form.non_form_errors() or any(f.errors for f in form.forms)))
    return bool(form.is_bound and form.errors)


def _lesion_initial(case: Case) -> list[dict[str, Any]]:
    names = (
        *intake_forms.COMMON_LESION_FIELDS,
        *intake_forms.SUBSITE_FIELDS,
        *intake_forms.SPINE_FIELDS,
        *intake_forms.LIMB_FIELDS,
    )
    return [
        {"id": lesion.pk, "symptomatic": lesion.symptomatic, **{n: getattr(lesion, n) for n in names}}
        for lesion in case.lesions.all()
    ]


def _with_blank_form(formset: forms.BaseFormSet) -> forms.BaseFormSet:
    """A bound formset re-rendered with one more empty lesion form (the "Add another lesion" button)."""
    data = dict(formset.data.items())
    prefix = formset.prefix
    data[f"{prefix}-TOTAL_FORMS"] = str(int(data.get(f"{prefix}-TOTAL_FORMS", 0)) + 1)
    return type(formset)(data, prefix=prefix)


def _lesions(request: HttpRequest, case: Case) -> HttpResponse:
    initial = _lesion_initial(case)
    if request.method != "POST":
        factory = intake_forms.LesionFormSet if initial else intake_forms.FirstLesionFormSet
        formset = factory(initial=initial, prefix="lesions")
        return _render(request, "lesions", _context(case, [], formset=formset))
    formset = intake_forms.LesionFormSet(request.POST, prefix="lesions")
    conflict: list[str] = []
    if "add" in request.POST:
        # Nothing is saved yet: the page comes back with every lesion as typed and one more to fill in.
        return _render(request, "lesions", _context(case, [], formset=_with_blank_form(formset), revision=_revision(request)))
    if formset.is_valid():
        kept = [f for f in formset.forms if f.has_changed() or f.cleaned_data.get("id")]
        items = [f.lesion_data() for f in kept if not f.cleaned_data.get("DELETE") and f.cleaned_data.get("site")]
        saved, errors, conflict = _save(
            request, case, form=formset.forms[0] if formset.forms else forms.Form(), data={}, lesions=items
        )
        if saved is not None:
            return _after_save(request, saved, "lesions")
        _put_nested(
            formset,
            errors.pop("lesions", {}),
            [f for f in kept if not f.cleaned_data.get("DELETE") and f.cleaned_data.get("site")],
        )
        if errors and formset.forms:
            intake_forms.put_errors(formset.forms[0], errors)
    current = Case.objects.get(pk=case.pk) if conflict else case
    return _render(request, "lesions", _context(current, conflict, formset=formset), status=_status(formset, conflict))


def _put_nested(formset: forms.BaseFormSet, errors: Mapping[str, Any], sent: Sequence[forms.Form]) -> None:
    """Service errors keyed by the index of the item sent (``{"1": {"level_to": [...]}}``) go beside the
    field of the form that item came from."""
    for index, field_errors in errors.items():
        if str(index).isdigit() and int(index) < len(sent):
            intake_forms.put_errors(sent[int(index)], field_errors)
        elif formset.forms:
            intake_forms.put_errors(formset.forms[0], {"lesions": [str(field_errors)]})


def _prior(request: HttpRequest, case: Case) -> HttpResponse:
    names = intake_forms.PRIOR_COURSE_FORM_FIELDS
    initial = [{n: getattr(course, n) for n in names} for course in case.prior_radiotherapy.all()]
    if request.method != "POST":
        factory = intake_forms.PriorCourseFormSet if initial else intake_forms.FirstPriorCourseFormSet
        formset = factory(initial=initial, prefix="prior")
        return _render(request, "prior", _context(case, [], formset=formset))
    formset = intake_forms.PriorCourseFormSet(request.POST, prefix="prior")
    if "add" in request.POST:
        return _render(request, "prior", _context(case, [], formset=_with_blank_form(formset), revision=_revision(request)))
    conflict: list[str] = []
    if formset.is_valid():
        sent = [f for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
        items = [f.course_data() for f in sent]
        saved, errors, conflict = _save(request, case, form=forms.Form(), data={}, prior_courses=items)
        if saved is not None:
            return _after_save(request, saved, "prior")
        nested = errors.pop("prior_radiotherapy", {})
        for index, field_errors in nested.items():
            if str(index).isdigit() and int(index) < len(sent):
                intake_forms.put_errors(sent[int(index)], field_errors)
        if errors and formset.forms:
            intake_forms.put_errors(formset.forms[0], errors)
    current = Case.objects.get(pk=case.pk) if conflict else case
    return _render(request, "prior", _context(current, conflict, formset=formset), status=_status(formset, conflict))


def _question(request: HttpRequest, case: Case) -> HttpResponse:
    form = intake_forms.QuestionStepForm(request.POST or None, initial=_initial_case(case, intake_forms.QUESTION_FIELDS))
    conflict: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = {"question": form.cleaned_data["question"], "urgent": form.cleaned_data["urgent"]}
        saved, errors, conflict = _save(request, case, form=form, data=data)
        if saved is not None:
            if "submit" in request.POST and saved.status == CaseStatus.DRAFT:
                return _submit(request, saved)
            messages.success(request, f"Saved (revision {saved.revision}).")
            return redirect(reverse("frontend:case-detail", args=[saved.pk]))
        intake_forms.put_errors(form, errors)
    current = Case.objects.get(pk=case.pk) if conflict else case
    lesions = list(current.lesions.all())
    return _render(
        request,
        "question",
        _context(current, conflict, form=form, lesions=lesions, can_submit=current.status == CaseStatus.DRAFT),
        status=_status(form, conflict),
    )


def _submit(request: HttpRequest, case: Case) -> HttpResponse:
    try:
        services.case_transition(actor=_user(request), case_id=case.pk, target=CaseStatus.SUBMITTED)
    except ValidationError as exc:
        for name, reasons in _error_dict(exc).items():
            messages.error(
                request, f"Not submitted: {field_label(name) if name != '__all__' else ''} {' '.join(reasons)}".strip()
            )
        return redirect(
            reverse("frontend:intake-step", args=[case.pk, "lesions" if "lesions" in _error_dict(exc) else "question"])
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(reverse("frontend:case-detail", args=[case.pk]))
    messages.success(request, f"Case {case.pk} submitted to the board.")
    return redirect(reverse("frontend:case-detail", args=[case.pk]))


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_detail_queryset(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case on your boards.")
    return _submit(request, case)
