"""Human labels for every code the interface shows: ONE table, built from the vocabulary declarations.

Every enumeration the product speaks (``apps.cases.vocabulary``, the case workflow, roles, derived-result
states, audit events, trial eligibility) and every model field declared with ``choices`` gets its label
here, so a page never shows ``thoracic_spine`` or ``gt50_collapse``. The default label is the code in
words (``thoracic_spine`` -> "thoracic spine"); ``WORDING`` states the clinic's own words where the code
in words would be unclear (an abbreviation, a range, a grade). A test checks that every member of every
vocabulary has a label and that none is a raw code.

Field names (``spinal_pain``, ``extra.first_line_cdk46_candidate``) also have labels (``FIELD_LABELS``):
the model's ``verbose_name``, the trial registry's field labels, then ``FIELD_WORDING`` for the clinic's
abbreviations, so "unknown: needs cortical_involvement" reads "needs: cortical involvement (Mirels)".
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from typing import Any

from django.apps import apps as django_apps
from django.db import models

from apps.accounts.roles import Role
from apps.audit.events import AuditEvent
from apps.cases import vocabulary
from apps.cases.derived import DerivedStatus
from apps.cases.fields import all_fields
from apps.cases.workflow import CaseStatus
from apps.trials.engine.language import Result as CriterionResult
from apps.trials.engine.matcher import CriterionKind, Eligibility

UNKNOWN = "unknown"

#: The clinic's words where the code in words is not enough. Keyed by vocabulary name, then code.
WORDING: dict[str, dict[str, str]] = {
    "PrimaryHistology": {
        "nsclc": "non-small-cell lung cancer",
        "sclc": "small-cell lung cancer",
        "renal_cell": "renal cell carcinoma",
        "hepatocellular": "hepatocellular carcinoma",
        "urothelial": "urothelial carcinoma",
        "esophageal_squamous": "oesophageal squamous cell carcinoma",
        "head_neck_squamous": "head and neck squamous cell carcinoma",
        "unknown_primary": "cancer of unknown primary",
        "germ_cell": "germ cell tumour",
    },
    "CorticalInvolvement": {
        "lt_one_third": "less than one third of the cortex",
        "one_third_to_two_thirds": "one to two thirds of the cortex",
        "gt_two_thirds": "more than two thirds of the cortex",
    },
    "LimbPain": {"functional": "functional (worse on use)"},
    "SpinalPain": {
        "none": "pain-free",
        "occasional_non_mechanical": "occasional, not mechanical",
        "mechanical": "mechanical (movement or loading)",
    },
    "Alignment": {
        "de_novo_deformity": "de novo deformity (kyphosis or scoliosis)",
        "subluxation_translation": "subluxation or translation",
    },
    "VertebralCollapse": {
        "none": "none of the above",
        "no_collapse_gt50_involved": "no collapse, more than 50% of the body involved",
        "lt50_collapse": "collapse of less than 50%",
        "gt50_collapse": "collapse of more than 50%",
    },
    "EpiduralCompressionGrade": {
        "0": "Bilsky 0 (bone only)",
        "1a": "Bilsky 1a (epidural, no thecal sac deformation)",
        "1b": "Bilsky 1b (thecal sac deformed, cord not touched)",
        "1c": "Bilsky 1c (thecal sac deformed, cord touched)",
        "2": "Bilsky 2 (cord compressed, CSF visible)",
        "3": "Bilsky 3 (cord compressed, no CSF)",
    },
    "ReceptorStatus": {"unknown": "tested, result unknown"},
    "FrankelGrade": {
        "A": "A: complete (no motor or sensory function)",
        "B": "B: sensory function only",
        "C": "C: motor function, not useful",
        "D": "D: useful motor function",
        "E": "E: normal",
    },
    "MajorOrganMetastases": {"none": "none", "removable": "removable", "unremovable": "not removable"},
    "SymptomBurden": {"minimally_symptomatic": "minimally symptomatic"},
    "BreastSubtype": {"her2_positive": "HER2-positive", "triple_negative": "triple-negative"},
    "SystemicTherapyClass": {
        "cdk46_inhibitor": "CDK4/6 inhibitor",
        "parp_inhibitor": "PARP inhibitor",
        "anti_her2": "anti-HER2 therapy",
        "tdm1": "T-DM1 (trastuzumab emtansine)",
        "adt": "androgen deprivation therapy",
        "tki": "tyrosine kinase inhibitor",
        "bone_modifying_agent": "bone-modifying agent",
    },
    "Role": {"administrator": "administrator (audit and registries)"},
    "DerivedStatus": {"pending": "computing", "stale": "out of date, recomputing", "current": "up to date"},
    "Eligibility": {"possibly_eligible": "possibly eligible"},
    "CriterionResult": {"not_met": "not met"},
    "AuditEvent": {
        "patient.created": "patient registered",
        "patient.updated": "patient details changed",
        "case.created": "case opened",
        "case.updated": "case edited",
        "case.status_changed": "status changed",
        "risk.assessed": "risk assessed",
        "dose.plan_created": "dose plan added",
        "dose.plan_updated": "dose plan edited",
        "dose.plan_deleted": "dose plan removed",
        "dose.summary_computed": "dose summary computed",
        "dose.import": "DVH imported",
        "dose.regimen_changed": "regimen catalogue edited",
        "dose.constraint_set_changed": "constraint set edited",
        "trial.created": "trial added to the registry",
        "trial.updated": "trial edited in the registry",
        "trial.matched": "trials matched",
        "trial.match_flagged": "trial match flagged as wrong",
        "trial.match_flag_resolved": "trial match flag resolved",
        "trial.referral_created": "referred to a trial",
        "trial.referral_transitioned": "trial referral moved on",
        "derived.recompute_requested": "recomputation requested",
    },
}

#: Vocabularies that are not model choices but appear on pages (derived results, engine outputs).
_EXTRA_VOCABULARIES: tuple[type[StrEnum], ...] = (
    CaseStatus,
    Role,
    DerivedStatus,
    AuditEvent,
    Eligibility,
    CriterionKind,
)


# The field table names some codes itself (the radiotherapy techniques): those names are the labels.
for _row in all_fields():
    if _row.code_labels and _row.enum is not None:
        WORDING.setdefault(_row.enum.__name__, dict(_row.code_labels))


def _words(code: str) -> str:
    return code.replace("_", " ").replace(".", ": ")


def _vocabulary_enums() -> dict[str, type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {
        name: value
        for name, value in vars(vocabulary).items()
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
    }
    found.update({enum.__name__: enum for enum in _EXTRA_VOCABULARIES})
    found["CriterionResult"] = CriterionResult
    return found


def _model_choice_fields() -> Iterable[tuple[type[models.Model], models.Field[Any, Any]]]:
    for model in django_apps.get_models():
        if not model.__module__.startswith("apps."):
            continue
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def _choice_pairs(field: models.Field[Any, Any]) -> list[tuple[str, str]]:
    return [(str(code), str(label)) for code, label in field.flatchoices]


@cache
def tables() -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], str]]:
    """``(labels, field_vocabulary)``: ``labels[vocabulary][code]`` and, for every model field with choices,
    ``field_vocabulary[(app_label.model, field)]`` = the vocabulary its codes come from."""
    labels: dict[str, dict[str, str]] = {}
    enums = _vocabulary_enums()
    by_values: dict[frozenset[str], str] = {}
    for name, enum in enums.items():
        wording = WORDING.get(name, {})
        labels[name] = {member.value: wording.get(member.value, _words(member.value)) for member in enum}
        by_values.setdefault(frozenset(labels[name]), name)
    field_vocabulary: dict[tuple[str, str], str] = {}
    for model, field in _model_choice_fields():
        pairs = _choice_pairs(field)
        codes = frozenset(code for code, _ in pairs)
        found = by_values.get(codes)
        if found is None:
            # A model's own TextChoices (technique, import kind, referral status): its labels are words.
            found = f"{model._meta.label_lower}.{field.name}"
            wording = WORDING.get(found, {})
            labels[found] = {code: wording.get(code, text if text != code else _words(code)) for code, text in pairs}
        field_vocabulary[(model._meta.label_lower, field.name)] = found
        if any(text not in (code, _words(code)) for code, text in pairs):
            # Named choices (the techniques) may also be asked for by their field, as templates do
            # (``"dosimetry.radiotherapyplan.technique"``), wherever the vocabulary now lives.
            labels.setdefault(f"{model._meta.label_lower}.{field.name}", labels[found])
    return labels, field_vocabulary


def label(code: object, vocabulary_name: str) -> str:
    """The human label of ``code`` in ``vocabulary_name`` ("unknown" for None; the code in words when the
    vocabulary does not know it, never an exception on a page)."""
    if code is None or code == "":
        return UNKNOWN
    text = str(code)
    return tables()[0].get(vocabulary_name, {}).get(text, _words(text))


def field_vocabulary(model: type[models.Model] | models.Model, field_name: str) -> str | None:
    return tables()[1].get((model._meta.label_lower, field_name))


#: The clinic's words for the field names the field table (``apps.cases.fields``) does not declare.
FIELD_WORDING: dict[str, str] = {
    "mrn": "MRN",
    "alpha_beta": "alpha/beta (Gy)",
}


@cache
def field_labels() -> dict[str, str]:
    """``{field name: label}``: every case, lesion and prior-course field's label from the field table, then
    the other model fields' verbose names and the trial language's derived fields."""
    from apps.trials.engine.fields import FIELDS

    out: dict[str, str] = {row.name: row.label for row in all_fields()}
    for model_name in ("cases.Case", "cases.Lesion", "cases.PriorRadiotherapyCourse", "cases.Patient"):
        for field in django_apps.get_model(model_name)._meta.concrete_fields:
            out.setdefault(field.name, str(field.verbose_name))
    for (_scope, name), spec in FIELDS.items():
        out.setdefault(name, spec.label)
    out.update(FIELD_WORDING)
    return out


def field_label(name: str) -> str:
    """The label of a field name; a dotted path (``extra.x``, ``lesions.0.site``) is labelled by its last known part."""
    labels = field_labels()
    if name in labels:
        return labels[name]
    tail = name.rsplit(".", 1)[-1]
    return labels.get(tail, _words(tail))
