"""Forms of the case intake, generated from the model fields so that choices, ranges and labels come from
the one declaration (the vocabulary, the model, ``frontend.labels``).

Forms only turn what was typed into typed values (a code, a number, a date, ``None`` for "not known"); the
clinical rules are the services' (``apps.cases.services`` through ``apps.cases.rules``), exactly as for the
API, and their errors are put back beside the field they name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.db import models

from apps.accounts.models import Board
from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse
from apps.cases.vocabulary import (
    KARNOFSKY_VALUES,
    LIMB_SITES,
    PRIMARY_SUBSITES,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    Site,
    SystemicTherapyClass,
)
from apps.cases.workflow import CaseStatus
from frontend.labels import field_label, field_vocabulary, label
from frontend.review import in_words

NOT_KNOWN = "not known"

#: Case fields by intake step.
CLINICAL_FIELDS: tuple[str, ...] = (
    "primary_histology",
    "primary_subsite",
    "er_status",
    "pr_status",
    "her2_status",
    "castration_status",
    "egfr_mutation",
    "alk_rearrangement",
    "primary_diagnosis_date",
    "primary_treatment_completed_date",
    "primary_controlled",
    "metastasis_diagnosis_date",
    "ecog",
    "karnofsky_performance_status",
    "frankel_grade",
    "complete_paraplegia_hours",
    "estimated_survival_months",
    "bone_metastases_count",
    "extraspinal_bone_metastases_count",
    "vertebral_metastases_count",
    "visceral_metastases_count",
    "major_organ_metastases",
    "brain_metastases",
    "history_polymetastatic",
    "history_oligometastatic_treated",
    "on_systemic_therapy",
    "progressing_lesions_count",
)
QUESTION_FIELDS: tuple[str, ...] = ("question", "urgent")

#: Which lesion fields apply to which kind of site: the form shows only those (``data-applies``).
SPINE_FIELDS: tuple[str, ...] = (
    "level_from",
    "level_to",
    "spinal_pain",
    "alignment",
    "vertebral_collapse",
    "posterolateral_involvement",
    "epidural_compression_grade",
    "distance_to_spinal_cord_mm",
    "posterior_element_involvement",
)
LIMB_FIELDS: tuple[str, ...] = ("pain", "cortical_involvement")
SUBSITE_FIELDS: tuple[str, ...] = ("subsite",)
COMMON_LESION_FIELDS: tuple[str, ...] = (
    "site",
    "laterality",
    "label",
    "radiographic_type",
    "max_diameter_mm",
    "symptoms",
    "extraosseous_soft_tissue",
    "existing_fracture",
    "prior_surgery",
    "prior_radiotherapy",
)
PRIOR_COURSE_FORM_FIELDS: tuple[str, ...] = (
    "region",
    "site",
    "level_from",
    "level_to",
    "laterality",
    "total_dose_gy",
    "fractions",
    "date",
    "technique",
)


def site_groups(site: str | None) -> set[str]:
    """The kinds of lesion field that apply to a site: ``spine`` (SINS, ESCC), ``limb`` (Mirels),
    ``subsite`` (a region of the bone)."""
    if not site:
        return set()
    try:
        code = Site(site)
    except ValueError:
        return set()
    groups = set()
    if code in SPINAL_SITES:
        groups.add("spine")
    if code in LIMB_SITES:
        groups.add("limb")
    if code in SUBSITES_BY_SITE:
        groups.add("subsite")
    return groups


def applies_to(name: str) -> str:
    if name in SPINE_FIELDS:
        return "spine"
    if name in LIMB_FIELDS:
        return "limb"
    if name in SUBSITE_FIELDS:
        return "subsite"
    return ""


class SiteSelect(forms.Select):
    """The site list, each option saying which kinds of field apply to it (read by ``app.js``)."""

    def create_option(
        self, name: str, value: Any, label: Any, selected: Any, index: Any, subindex: Any = None, attrs: Any = None
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["data-group"] = " ".join(sorted(site_groups(str(value) if value else None)))
        return option


def _labelled_choices(model: type[models.Model], name: str, field: models.Field[Any, Any]) -> list[tuple[Any, str]]:
    vocabulary = field_vocabulary(model, name)
    out: list[tuple[Any, str]] = [("", NOT_KNOWN)]
    for code, text in field.flatchoices:
        if code in ("", None):
            continue
        out.append((code, label(code, vocabulary) if vocabulary else str(text)))
    return out


def model_form_field(model: type[models.Model], name: str, *, required: bool = False) -> forms.Field:
    """A form field for ``model.name``: its choices in words with "not known" first, yes / no / not known for a
    nullable boolean, its label from ``frontend.labels``."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    text = field_label(name)
    text = text[:1].upper() + text[1:]
    help_text = str(field.help_text or "")
    if field.choices:
        form_field: forms.Field = forms.TypedChoiceField(
            choices=_labelled_choices(model, name, field),
            coerce=str,
            empty_value=None,
            required=required,
            label=text,
            help_text=help_text,
        )
    elif isinstance(field, models.BooleanField) and field.null:
        form_field = forms.NullBooleanField(
            required=False,
            label=text,
            help_text=help_text,
            widget=forms.Select(choices=[("unknown", NOT_KNOWN), ("true", "yes"), ("false", "no")]),
        )
    else:
        made = field.formfield(required=required, label=text, help_text=help_text)
        assert made is not None
        form_field = made
    if isinstance(form_field.widget, forms.DateInput):
        form_field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(form_field, forms.FloatField | forms.IntegerField):
        form_field.widget.attrs.setdefault("inputmode", "decimal")
        form_field.widget.attrs.setdefault("step", "any")
    return form_field


def _build(
    model: type[models.Model], names: Iterable[str], base: type[forms.Form] = forms.Form, **required: bool
) -> type[forms.Form]:
    attrs: dict[str, Any] = {name: model_form_field(model, name, required=required.get(name, False)) for name in names}
    return type(f"{model.__name__}StepForm", (base,), attrs)


def put_errors(form: forms.Form, errors: Mapping[str, Any]) -> None:
    """Put a service's ``{field: [reason, ...]}`` beside the fields of ``form`` (in words; a field the form does
    not show goes to the top of the form)."""
    for name, reasons in errors.items():
        items = reasons if isinstance(reasons, list | tuple) else [reasons]
        for reason in items:
            text = in_words(str(reason))
            if name in form.fields:
                form.add_error(name, text)
            else:
                form.add_error(None, f"{field_label(name)}: {text}")


class PatientStepForm(forms.Form):
    """Step 1: the board, the patient (found by MRN or registered), and why the patient is referred."""

    board = forms.ModelChoiceField(queryset=Board.objects.none(), label="Board", empty_label=None)
    mrn = forms.CharField(label="MRN", max_length=64, help_text="The medical record number: an existing patient is found by it.")
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sex = model_form_field(Patient, "sex")
    question = model_form_field(Case, "question", required=True)
    urgent = forms.BooleanField(label="Urgent", required=False)

    def __init__(self, *args: Any, boards: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards  # type: ignore[attr-defined]
        self.fields["question"].label = "Question for the board"
        self.fields["question"].help_text = "What the board is asked to decide; it can be refined before submitting."
        self.fields["question"].widget = forms.Textarea(attrs={"rows": 3})

    def new_patient(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "mrn": data["mrn"].strip(),
            "given_name": data["given_name"].strip(),
            "family_name": data["family_name"].strip(),
            "date_of_birth": data["date_of_birth"],
            "sex": data.get("sex") or "unknown",
        }

    def require_registration(self) -> bool:
        """True when every field a new patient needs is there; otherwise adds the errors beside them."""
        missing = [name for name in ("given_name", "family_name", "date_of_birth") if not self.cleaned_data.get(name)]
        for name in missing:
            self.add_error(name, "is needed to register a new patient (no patient has this MRN).")
        return not missing


ClinicalForm = _build(Case, CLINICAL_FIELDS)
QuestionForm = _build(Case, QUESTION_FIELDS, question=True)


#: ECOG grades in words (Oken MM et al., Am J Clin Oncol 1982;5:649-655).
ECOG_WORDS: tuple[str, ...] = (
    "0: fully active",
    "1: restricted in strenuous activity, ambulatory",
    "2: ambulatory, self-care, no work; up more than half the day",
    "3: limited self-care; in bed or chair more than half the day",
    "4: completely disabled",
)


#: Case fields that describe one histology only (the rules refuse them on another): shown only for it.
HISTOLOGY_FIELDS: dict[str, tuple[str, ...]] = {
    "er_status": ("breast",),
    "pr_status": ("breast",),
    "her2_status": ("breast",),
    "castration_status": ("prostate",),
    "egfr_mutation": ("nsclc",),
    "alk_rearrangement": ("nsclc",),
    "primary_subsite": tuple(sorted(h.value for h in PRIMARY_SUBSITES)),
}


class HistologySelect(forms.Select):
    """The histology list; each option names itself as the group it opens (read by ``app.js``)."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"]["data-group"] = str(option["value"] or "")
        return option


class ClinicalStepForm(ClinicalForm):  # type: ignore[valid-type,misc]
    def rows(self, names: str) -> list[tuple[forms.BoundField, str, bool]]:
        """(field, histologies it applies to or "", hidden now) for the fields named (space-separated)."""
        histology = (self.data.get("primary_histology") if self.is_bound else self.initial.get("primary_histology")) or ""
        out = []
        for name in names.split():
            owners = HISTOLOGY_FIELDS.get(name, ())
            out.append((self[name], " ".join(owners), bool(owners) and histology not in owners))
        return out

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        histology = self.fields["primary_histology"]
        histology.widget = HistologySelect(choices=getattr(histology, "choices", ()), attrs={"data-controls": ""})
        # Graded scales are chosen, not typed: only their grades exist (the rules check the same).
        self.fields["ecog"] = forms.TypedChoiceField(
            label="ECOG performance status",
            choices=[("", NOT_KNOWN), *((str(grade), text) for grade, text in enumerate(ECOG_WORDS))],
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.fields["karnofsky_performance_status"] = forms.TypedChoiceField(
            label="Karnofsky performance status",
            choices=[("", NOT_KNOWN), *((str(score), f"{score}%") for score in sorted(KARNOFSKY_VALUES, reverse=True))],
            coerce=int,
            empty_value=None,
            required=False,
        )

    systemic_therapy_classes = forms.MultipleChoiceField(
        choices=[(c.value, label(c.value, "SystemicTherapyClass")) for c in SystemicTherapyClass],
        required=False,
        label="Current systemic therapy",
        help_text="Tick what the patient is on. Nothing ticked: none if not on systemic therapy, not known otherwise.",
        widget=forms.CheckboxSelectMultiple,
    )

    def case_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in CLINICAL_FIELDS}
        for name, owners in HISTOLOGY_FIELDS.items():
            if data.get("primary_histology") not in owners:
                data[name] = None  # hidden for this histology: not known (a value left from another is dropped)
        classes = list(self.cleaned_data.get("systemic_therapy_classes") or [])
        # null = not known, [] = none: nothing ticked says "none" only when not on systemic therapy.
        if classes:
            data["systemic_therapy_classes"] = classes
        else:
            data["systemic_therapy_classes"] = [] if data.get("on_systemic_therapy") is False else None
        return data


class QuestionStepForm(QuestionForm):  # type: ignore[valid-type,misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].widget = forms.Textarea(attrs={"rows": 4})
        self.fields["urgent"] = forms.BooleanField(label="Urgent", required=False)


LesionBase = _build(Lesion, (*COMMON_LESION_FIELDS, *SUBSITE_FIELDS, *SPINE_FIELDS, *LIMB_FIELDS), site=True)


class LesionForm(LesionBase):  # type: ignore[valid-type,misc]
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    #: The stored yes/no, kept when no symptom burden is chosen (the burden, when given, decides it).
    symptomatic = forms.NullBooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["site"]
        site.widget = SiteSelect(choices=getattr(site, "choices", ()), attrs={"data-site": ""})
        site.label = "Site"
        self.fields["symptoms"].label = "Symptoms"
        self.fields["symptoms"].help_text = "Minimally symptomatic lesions count as not symptomatic (Gillespie)."
        self.fields["label"].help_text = "Free description, e.g. left femoral neck."

    def rows(self) -> list[tuple[forms.BoundField, str, bool]]:
        """(field, the kind of site it applies to or "", hidden now) for the template; the first render
        hides what does not apply to the site already chosen, ``app.js`` follows a change of site."""
        groups = site_groups(self.current_site())
        out = []
        for name in (*COMMON_LESION_FIELDS, *SUBSITE_FIELDS, *SPINE_FIELDS, *LIMB_FIELDS):
            applies = applies_to(name)
            out.append((self[name], applies, bool(applies) and applies not in groups))
        return out

    def current_site(self) -> str | None:
        if self.is_bound:
            return self.data.get(self.add_prefix("site")) or None
        value = self.initial.get("site")
        return str(value) if value else None

    def lesion_data(self) -> dict[str, Any]:
        """The lesion as the service takes it; fields that do not apply to the chosen site are not known."""
        groups = site_groups(self.cleaned_data.get("site"))
        data: dict[str, Any] = {}
        for name in (*COMMON_LESION_FIELDS, *SUBSITE_FIELDS, *SPINE_FIELDS, *LIMB_FIELDS):
            value = self.cleaned_data.get(name)
            applies = applies_to(name)
            if applies and applies not in groups:
                value = None
            data[name] = value if value != "" or name == "label" else None
        data["label"] = (self.cleaned_data.get("label") or "").strip()
        if data.get("symptoms") is None:
            data["symptomatic"] = self.cleaned_data.get("symptomatic")
        if self.cleaned_data.get("id"):
            data["id"] = self.cleaned_data["id"]
        return data


class BaseLesionFormSet(forms.BaseFormSet):
    pass


LesionFormSet = forms.formset_factory(LesionForm, formset=BaseLesionFormSet, extra=0, can_delete=True)
#: The first visit of a new draft: one empty lesion to fill in (an extra form may be left empty).
FirstLesionFormSet = forms.formset_factory(LesionForm, formset=BaseLesionFormSet, extra=1, can_delete=True)

PriorBase = _build(PriorRadiotherapyCourse, PRIOR_COURSE_FORM_FIELDS, region=True, total_dose_gy=True, fractions=True)


class PriorCourseForm(PriorBase):  # type: ignore[valid-type,misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].label = "Treated region"
        self.fields["site"].label = "Site of the treated region"

    def course_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in PRIOR_COURSE_FORM_FIELDS}
        data["technique"] = data.get("technique") or ""
        return data


PriorCourseFormSet = forms.formset_factory(PriorCourseForm, extra=0, can_delete=True)
FirstPriorCourseFormSet = forms.formset_factory(PriorCourseForm, extra=1, can_delete=True)

EDITABLE = {s.value for s in (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED)}
