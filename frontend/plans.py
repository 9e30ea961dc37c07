"""Radiotherapy plans from the case page: a catalogue regimen or custom levels, organ-at-risk doses, and a
DVH import whose job the page follows until it ends.

Writes go through ``apps.dosimetry.services`` (``plan_create`` / ``plan_update``) and
``apps.dosimetry.imports.dose_import_start``, with the API's permission rule: radiation oncologists who sit
on the case's board. The dose summary itself is computed by the worker after commit; the case page shows
it as computing and replaces it when it is current.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.accounts.authorization import require
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.cases import selectors
from apps.cases.models import Case, RadiotherapyTechnique
from apps.core.errors import InvalidInput
from apps.dosimetry.engine.constraints import Metric
from apps.dosimetry.imports import dose_import_start
from apps.dosimetry.models import DoseImportJob, OrganConstraint, RadiotherapyPlan, Regimen
from apps.dosimetry.services import plan_create, plan_update
from apps.dosimetry.uploads import csv_upload_text
from frontend.forms import model_form_field, put_errors
from frontend.labels import field_label

CUSTOM = ""
LEVEL_ROWS = 3
OAR_ROWS = 4
POLL_SECONDS = 2


def _case_for_planning(request: HttpRequest, pk: int) -> tuple[Case, User]:
    case = selectors.case_detail_queryset(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case on your boards.")
    user = request.user
    assert isinstance(user, User)
    require(user, Permission.DOSE_PLAN_EDIT, case.board_id)
    return case, user


def _structures() -> list[tuple[str, str]]:
    organs = sorted(set(OrganConstraint.objects.values_list("organ", flat=True)))
    return [("", "none"), *((organ, field_label(organ).replace("_", " ")) for organ in organs)]


class PlanForm(forms.Form):
    """One planned course. Custom levels are up to three rows of dose and fractions (a SIB shares fractions);
    organ-at-risk doses are structure, metric and Gy rows."""

    name = forms.CharField(label="Name", max_length=200, required=False, help_text="e.g. SBRT T10")
    regimen_code = forms.ChoiceField(label="Regimen", required=False)
    technique = forms.ChoiceField(label="Technique", choices=RadiotherapyTechnique.choices)
    alpha_beta = forms.FloatField(label="Alpha/beta (Gy)", initial=10.0, min_value=0.01, help_text="10 for tumour effect.")
    region = forms.CharField(
        label="Treated region", max_length=120, required=False, help_text="Prior courses to this region count; blank: all."
    )
    planned_date = forms.DateField(label="Planned start", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # The structured target: prior courses count for re-irradiation by anatomical overlap with it.
    site = model_form_field(RadiotherapyPlan, "site")
    level_from = model_form_field(RadiotherapyPlan, "level_from")
    level_to = model_form_field(RadiotherapyPlan, "level_to")
    laterality = model_form_field(RadiotherapyPlan, "laterality")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regimens = Regimen.objects.filter(active=True).order_by("category", "fractions", "code").values_list("code", "name")
        regimen_field = self.fields["regimen_code"]
        assert isinstance(regimen_field, forms.ChoiceField)
        regimen_field.choices = [(CUSTOM, "custom levels (below)"), *((code, f"{name} ({code})") for code, name in regimens)]
        for i in range(1, LEVEL_ROWS + 1):
            self.fields[f"level_{i}_label"] = forms.CharField(label=f"Level {i}: label", required=False, max_length=80)
            self.fields[f"level_{i}_total_dose_gy"] = forms.FloatField(
                label=f"Level {i}: total dose (Gy)", required=False, min_value=0.01
            )
            self.fields[f"level_{i}_fractions"] = forms.IntegerField(
                label=f"Level {i}: fractions", required=False, min_value=1, max_value=50
            )
        structures = _structures()
        metrics = [(m.value, m.value) for m in Metric]
        for i in range(1, OAR_ROWS + 1):
            self.fields[f"oar_{i}_structure"] = forms.ChoiceField(label=f"Organ {i}", choices=structures, required=False)
            self.fields[f"oar_{i}_metric"] = forms.ChoiceField(label=f"Organ {i}: metric", choices=metrics, required=False)
            self.fields[f"oar_{i}_gy"] = forms.FloatField(label=f"Organ {i}: dose (Gy)", required=False, min_value=0)
        self.fields["target_lesions"] = forms.ModelMultipleChoiceField(
            label="Target lesions",
            queryset=case.lesions.all(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["target_lesions"].label_from_instance = _lesion_label  # type: ignore[attr-defined]

    def level_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"level_{i}_{part}"] for part in ("label", "total_dose_gy", "fractions")] for i in range(1, LEVEL_ROWS + 1)]

    def oar_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"oar_{i}_{part}"] for part in ("structure", "metric", "gy")] for i in range(1, OAR_ROWS + 1)]

    def plan_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        levels = []
        for i in range(1, LEVEL_ROWS + 1):
            dose, fractions = data.get(f"level_{i}_total_dose_gy"), data.get(f"level_{i}_fractions")
            if dose is None and fractions is None:
                continue
            level: dict[str, Any] = {"total_dose_gy": dose, "fractions": fractions}
            if data.get(f"level_{i}_label"):
                level["label"] = data[f"level_{i}_label"]
            levels.append(level)
        oar: dict[str, dict[str, float]] = {}
        for i in range(1, OAR_ROWS + 1):
            structure, metric, gy = data.get(f"oar_{i}_structure"), data.get(f"oar_{i}_metric"), data.get(f"oar_{i}_gy")
            if structure and gy is not None:
                oar.setdefault(structure, {})[metric or "Dmax"] = gy
        return {
            "name": data.get("name") or "",
            "regimen_code": data.get("regimen_code") or "",
            "levels": levels if not data.get("regimen_code") else [],
            "technique": data["technique"],
            "alpha_beta": data["alpha_beta"],
            "region": data.get("region") or "",
            "planned_date": data.get("planned_date"),
            "site": data.get("site"),
            "level_from": data.get("level_from"),
            "level_to": data.get("level_to"),
            "laterality": data.get("laterality"),
            "oar_metrics": oar,
        }


def _lesion_label(lesion: Any) -> str:
    from frontend.labels import label

    where = label(lesion.site, "Site")
    if lesion.level_from:
        where += f" {lesion.level_from}" + (
            f"-{lesion.level_to}" if lesion.level_to and lesion.level_to != lesion.level_from else ""
        )
    return where + (f" ({lesion.label})" if lesion.label else "")


def _initial(plan: RadiotherapyPlan) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": plan.name,
        "regimen_code": plan.regimen_code,
        "technique": plan.technique,
        "alpha_beta": plan.alpha_beta,
        "region": plan.region,
        "planned_date": plan.planned_date,
        "site": plan.site,
        "level_from": plan.level_from,
        "level_to": plan.level_to,
        "laterality": plan.laterality,
        "target_lesions": list(plan.target_lesions.all()),
    }
    for i, level in enumerate(plan.levels or [], start=1):
        initial.update(
            {
                f"level_{i}_label": level.get("label", ""),
                f"level_{i}_total_dose_gy": level.get("total_dose_gy"),
                f"level_{i}_fractions": level.get("fractions"),
            }
        )
    row = 1
    for structure, metrics in (plan.oar_metrics or {}).items():
        for metric, gy in metrics.items():
            if row <= OAR_ROWS:
                initial.update({f"oar_{row}_structure": structure, f"oar_{row}_metric": metric, f"oar_{row}_gy": gy})
                row += 1
    return initial


def _put_plan_errors(form: PlanForm, errors: dict[str, Any]) -> None:
    """Dose engine errors name paths like ``levels[0].fractions``: they go beside the level's row."""
    flat: dict[str, Any] = {}
    for key, reasons in errors.items():
        if key.startswith("levels[") and "]" in key:
            index = int(key[len("levels[") : key.index("]")])
            part = key.split(".", 1)[1] if "." in key else "total_dose_gy"
            name = f"level_{index + 1}_{part if part in ('total_dose_gy', 'fractions', 'label') else 'total_dose_gy'}"
            flat[name] = reasons
        elif key in ("levels", "oar_metrics", "structures"):
            flat["__all__"] = reasons
        else:
            flat[key] = reasons
    put_errors(form, flat)


@login_required
def plan_form(request: HttpRequest, pk: int, plan_id: int | None = None) -> HttpResponse:
    case, user = _case_for_planning(request, pk)
    plan = None
    if plan_id is not None:
        plan = RadiotherapyPlan.objects.filter(case=case, pk=plan_id).prefetch_related("target_lesions").first()
        if plan is None:
            raise Http404("No such plan on this case.")
    form = PlanForm(
        request.POST or None, case=case, initial=_initial(plan) if plan else {"technique": "conventional", "alpha_beta": 10.0}
    )
    if request.method == "POST" and form.is_valid():
        data = form.plan_data()
        targets = list(form.cleaned_data.get("target_lesions") or [])
        try:
            if plan is None:
                saved = plan_create(actor=user, case=case, data=data, target_lesions=targets)
            else:
                saved = plan_update(actor=user, plan=plan, data=data, target_lesions=targets)
        except ValidationError as exc:
            _put_plan_errors(form, exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        else:
            messages.success(request, f"Plan “{saved.name or 'planned course'}” saved; its dose summary is being computed.")
            return redirect(f"{reverse('frontend:case-detail', args=[case.pk])}#doses")
    return render(
        request,
        "frontend/plan_form.html",
        {"case": case, "plan": plan, "form": form},
        status=400 if form.errors else 200,
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="File type", choices=DoseImportJob.Kind.choices)
    csv = forms.FileField(
        label="CSV DVH export", required=False, help_text="structure, dose_gy, volume_cc or volume_percent columns."
    )
    rtdose = forms.FileField(label="DICOM RT Dose", required=False)
    rtstruct = forms.FileField(label="DICOM RT Structure Set", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == DoseImportJob.Kind.CSV_DVH and not data.get("csv"):
            self.add_error("csv", "choose the CSV DVH export to import.")
        if data.get("kind") == DoseImportJob.Kind.DICOM_RT:
            for name in ("rtdose", "rtstruct"):
                if not data.get(name):
                    self.add_error(name, "both DICOM files are needed.")
        return data


@login_required
def plan_import(request: HttpRequest, pk: int, plan_id: int) -> HttpResponse:
    case, user = _case_for_planning(request, pk)
    plan = RadiotherapyPlan.objects.filter(case=case, pk=plan_id).select_related("case").first()
    if plan is None:
        raise Http404("No such plan on this case.")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        csv_text = ""
        if form.cleaned_data["kind"] == DoseImportJob.Kind.CSV_DVH:
            try:
                csv_text = csv_upload_text(form.cleaned_data["csv"])
            except InvalidInput as exc:
                form.add_error("csv", exc.errors["csv"])
        if not form.errors:
            job = dose_import_start(
                actor=user,
                plan=plan,
                kind=form.cleaned_data["kind"],
                csv_text=csv_text,
                rtdose=form.cleaned_data.get("rtdose"),
                rtstruct=form.cleaned_data.get("rtstruct"),
            )
            return redirect(reverse("frontend:import-progress", args=[job.pk]))
    jobs = list(plan.import_jobs.select_related("job").order_by("-job__created_at", "-id")[:10])
    return render(
        request,
        "frontend/plan_import.html",
        {"case": case, "plan": plan, "form": form, "jobs": jobs},
        status=400 if form.errors else 200,
    )


@login_required
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's status and progress; the page asks again every few seconds until the job has ended."""
    job = (
        DoseImportJob.objects.filter(plan__case__in=selectors.scope_cases(request.user))
        .select_related("plan", "plan__case", "job")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise Http404("No such import on your boards.")
    running = job.status in (DoseImportJob.Status.QUEUED, DoseImportJob.Status.RUNNING)
    context = {"job": job, "case": job.plan.case, "plan": job.plan, "running": running, "poll_seconds": POLL_SECONDS}
    template = "frontend/partials/import_job.html" if request.htmx else "frontend/import_progress.html"  # type: ignore[attr-defined]
    return render(request, template, context)
