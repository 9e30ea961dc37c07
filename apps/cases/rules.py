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
    LEVEL_INDEX,
    SITE_LEVELS,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    PrimaryHistology,
    Site,
    SystemicTherapyClass,
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

    level_from, level_to = lesion.get("level_from"), lesion.get("level_to")
    if spinal:
        # A span must touch the region its site names, and may cross a junction into the next one: a
        # T12-L1 lesion is filed as thoracic or lumbar, and junctional spans are exactly the ones SINS
        # (T11-L1) and Gillespie (C7-T1, T12-L1, L5-S1) single out.
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

    reason = subsite_error(site, lesion.get("subsite"))
    if reason is not None:
        _add(errors, "subsite", reason)
    return errors


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
    errors: Errors = {}
    when = course.get("date")
    if when is not None:
        if when > today:
            _add(errors, "date", f"{when.isoformat()} is in the future; record planned courses as a dose plan.")
        if date_of_birth is not None and when < date_of_birth:
            _add(errors, "date", f"{when.isoformat()} is before the patient's date of birth.")
    return errors
