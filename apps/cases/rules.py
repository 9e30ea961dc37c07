"""Cross-field intake rules, answered field by field in a clinician's words. Plain Python.

The same rules stand in the database as CHECK constraints (``apps.cases.models``) as a backstop; these
functions exist so that the API can name the offending field and say why, before anything is written.
Each returns ``{field: [reason, ...]}``; an empty dict means the input is coherent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from apps.cases.vocabulary import (
    KARNOFSKY_VALUES,
    LEVEL_INDEX,
    PARAPLEGIC_FRANKEL_GRADES,
    PRIMARY_SUBSITES,
    SITE_LEVELS,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    PrimaryHistology,
    Site,
    SymptomBurden,
    SystemicTherapyClass,
    lateralities_for,
)

Errors = dict[str, list[str]]

SPINE_ONLY_FIELDS: tuple[str, ...] = (
    "level_from",
    "level_to",
    "spinal_pain",
    "alignment",
    "vertebral_collapse",
    "posterolateral_involvement",
    "epidural_compression_grade",
)
LIMB_ONLY_FIELDS: tuple[str, ...] = ("pain", "cortical_involvement")

_HISTOLOGY_FIELDS: dict[str, PrimaryHistology] = {
    "er_status": PrimaryHistology.BREAST,
    "pr_status": PrimaryHistology.BREAST,
    "her2_status": PrimaryHistology.BREAST,
    "castration_status": PrimaryHistology.PROSTATE,
    "egfr_mutation": PrimaryHistology.NSCLC,
    "alk_rearrangement": PrimaryHistology.NSCLC,
}


def _add(errors: Errors, field: str, reason: str) -> None:
    errors.setdefault(field, []).append(reason)


def lesion_errors(lesion: Mapping[str, Any]) -> Errors:
    """Coherence of one lesion: spine-only and limb-only fields, levels, subsite for the site."""
    errors: Errors = {}
    site_code = lesion.get("site")
    if site_code is None:
        return errors  # "site is required" is the serializer's to say
    site = Site(site_code)
    spinal = site in SPINAL_SITES
    if not spinal:
        for field in SPINE_ONLY_FIELDS:
            if lesion.get(field) is not None:
                _add(errors, field, f"applies to spinal lesions only; this lesion's site is {site}.")
    else:
        for field in LIMB_ONLY_FIELDS:
            if lesion.get(field) is not None:
                hint = " Use spinal_pain for a spinal lesion." if field == "pain" else ""
                _add(errors, field, f"is a Mirels (limb) field and does not apply to a {site} lesion.{hint}")

    if spinal:
        _level_errors(errors, site, lesion.get("level_from"), lesion.get("level_to"))

    reason = subsite_error(site, lesion.get("subsite"))
    if reason is not None:
        _add(errors, "subsite", reason)
    _laterality_errors(errors, site, lesion.get("laterality"))

    symptoms, symptomatic = lesion.get("symptoms"), lesion.get("symptomatic")
    if symptoms is not None and symptomatic is not None and (symptoms == SymptomBurden.SYMPTOMATIC) != symptomatic:
        _add(
            errors,
            "symptoms",
            f"{symptoms} contradicts symptomatic={str(symptomatic).lower()}: symptomatic is true exactly when the "
            "lesion is symptomatic (asymptomatic and minimally symptomatic lesions are symptomatic=false).",
        )
    return errors


def _level_errors(errors: Errors, site: Site, level_from: str | None, level_to: str | None) -> None:
    """Levels of a spinal lesion or course: they touch the site's region and run from top to bottom.

    A span may cross a junction into the next region: a T12-L1 lesion is filed as thoracic or lumbar, and
    junctional spans are exactly the ones SINS (T11-L1) and Gillespie (C7-T1, T12-L1, L5-S1) single out.
    """
    allowed = SITE_LEVELS[site]
    given = [(field, level) for field, level in (("level_from", level_from), ("level_to", level_to)) if level]
    if given and not any(level in allowed for _, level in given):
        ordered = sorted(allowed, key=LEVEL_INDEX.__getitem__)
        for field, level in given:
            _add(
                errors,
                field,
                f"{level} is not a level of the {site}; expected {ordered[0]}-{ordered[-1]} "
                "(a span may cross into the next region, e.g. T12-L1).",
            )
    if level_to is not None and level_from is None:
        _add(errors, "level_from", "is required when level_to is given.")
    if level_from in LEVEL_INDEX and level_to in LEVEL_INDEX and LEVEL_INDEX[level_to] < LEVEL_INDEX[level_from]:
        _add(errors, "level_to", f"{level_to} lies above level_from {level_from}; list levels from top to bottom.")


def _laterality_errors(errors: Errors, site: Site, laterality: str | None) -> None:
    if laterality is None:
        return
    allowed = lateralities_for(site)
    if laterality not in allowed:
        _add(errors, "laterality", f"{laterality} does not describe the {site}; allowed: {', '.join(sorted(allowed))}.")


def normalise_lesion(lesion: Mapping[str, Any]) -> dict[str, Any]:
    """The lesion with ``symptomatic`` and ``symptoms`` saying the same thing where one implies the other.

    ``symptoms`` decides ``symptomatic`` (asymptomatic and minimally symptomatic mean ``symptomatic=false``);
    ``symptomatic=true`` alone means ``symptoms=symptomatic``; ``symptomatic=false`` alone leaves the
    burden unknown (asymptomatic or minimally symptomatic).
    """
    data = dict(lesion)
    symptoms, symptomatic = data.get("symptoms"), data.get("symptomatic")
    if symptoms is not None and symptomatic is None:
        data["symptomatic"] = symptoms == SymptomBurden.SYMPTOMATIC
    elif symptomatic is True and symptoms is None:
        data["symptoms"] = SymptomBurden.SYMPTOMATIC.value
    return data


def subsite_error(site: Site, subsite: str | None) -> str | None:
    """Why ``subsite`` is not a region of ``site`` (None when it is, or when no subsite is given)."""
    if subsite is None:
        return None
    allowed = SUBSITES_BY_SITE.get(site, frozenset())
    if subsite in allowed:
        return None
    if allowed:
        return f"{subsite} is not a region of the {site}; allowed: {', '.join(sorted(allowed))}."
    return f"a {site} lesion takes no subsite."


def case_errors(case: Mapping[str, Any], *, date_of_birth: date | None, today: date) -> Errors:
    """Coherence of the case facts: histology-specific fields, dates against birth and today, counts."""
    errors: Errors = {}
    histology = case.get("primary_histology")
    for field, owner in _HISTOLOGY_FIELDS.items():
        if case.get(field) is not None and histology != owner:
            _add(errors, field, f"applies to a {owner} primary only; primary_histology is {histology or 'not given'}.")

    for field in ("primary_diagnosis_date", "metastasis_diagnosis_date"):
        value = case.get(field)
        if value is None:
            continue
        if value > today:
            _add(errors, field, f"{value.isoformat()} is in the future.")
        if date_of_birth is not None and value < date_of_birth:
            _add(errors, field, f"{value.isoformat()} is before the patient's date of birth ({date_of_birth.isoformat()}).")

    subsite = case.get("primary_subsite")
    if subsite is not None:
        owners = [h.value for h, subsites in PRIMARY_SUBSITES.items() if subsite in subsites]
        if histology not in owners:
            _add(
                errors,
                "primary_subsite",
                f"{subsite} is a subsite of a {' or '.join(owners)} primary; primary_histology is {histology or 'not given'}.",
            )

    kps = case.get("karnofsky_performance_status")
    if kps is not None and kps not in KARNOFSKY_VALUES:
        _add(errors, "karnofsky_performance_status", f"{kps} is not a Karnofsky score; use 10 to 100 in steps of 10.")

    if case.get("complete_paraplegia_hours") is not None and case.get("frankel_grade") not in PARAPLEGIC_FRANKEL_GRADES:
        _add(
            errors,
            "complete_paraplegia_hours",
            "applies to a patient with no useful motor function (Frankel A or B); "
            f"frankel_grade is {case.get('frankel_grade') or 'not given'}.",
        )

    completed = case.get("primary_treatment_completed_date")
    if completed is not None:
        if completed > today:
            _add(errors, "primary_treatment_completed_date", f"{completed.isoformat()} is in the future.")
        diagnosed = case.get("primary_diagnosis_date")
        if diagnosed is not None and completed < diagnosed:
            _add(
                errors,
                "primary_treatment_completed_date",
                f"{completed.isoformat()} is before the primary diagnosis ({diagnosed.isoformat()}).",
            )
        if date_of_birth is not None and completed < date_of_birth:
            _add(errors, "primary_treatment_completed_date", f"{completed.isoformat()} is before the patient's date of birth.")

    classes = case.get("systemic_therapy_classes")
    if classes is not None:
        allowed = {c.value for c in SystemicTherapyClass}
        unknown = [c for c in classes if c not in allowed]
        if unknown:
            _add(errors, "systemic_therapy_classes", f"unknown codes {unknown}; allowed: {', '.join(sorted(allowed))}.")
        if len(set(classes)) != len(classes):
            _add(errors, "systemic_therapy_classes", "lists a class more than once.")
    if case.get("on_systemic_therapy") is False and classes:
        _add(errors, "systemic_therapy_classes", "lists current therapy but on_systemic_therapy is false.")
    return errors


def prior_course_errors(course: Mapping[str, Any], *, date_of_birth: date | None, today: date) -> Errors:
    """Coherence of a prior course: its date, and its structured target (levels on a spinal site only,
    a laterality that fits the site)."""
    errors: Errors = {}
    site_code = course.get("site")
    level_from, level_to = course.get("level_from"), course.get("level_to")
    if site_code is None:
        for field in ("level_from", "level_to", "laterality"):
            if course.get(field) is not None:
                _add(errors, field, "needs the site of the treated region.")
    else:
        site = Site(site_code)
        if site in SPINAL_SITES:
            _level_errors(errors, site, level_from, level_to)
        else:
            for field, value in (("level_from", level_from), ("level_to", level_to)):
                if value is not None:
                    _add(errors, field, f"applies to spinal courses only; this course's site is {site}.")
        _laterality_errors(errors, site, course.get("laterality"))

    when = course.get("date")
    if when is not None:
        if when > today:
            _add(errors, "date", f"{when.isoformat()} is in the future; record planned courses as a dose plan.")
        if date_of_birth is not None and when < date_of_birth:
            _add(errors, "date", f"{when.isoformat()} is before the patient's date of birth.")
    return errors
