"""Intake rules, answered field by field in a clinician's words. Plain Python.

``field_errors`` checks what the field table (``apps.cases.fields``) declares of each field (codes, scale,
range, where it applies) in one loop; the functions below add the cross-field rules (levels of the site's
region and in order, the subsite of the site, laterality, dates, symptoms agreeing with symptomatic).

The same rules stand in the database as CHECK constraints (``apps.cases.models``) as a backstop; these
functions exist so that the API can name the offending field and say why, before anything is written.
Each returns ``{field: [reason, ...]}``; an empty dict means the input is coherent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from apps.cases.fields import ClinicalField, Entity, Kind, fields_of
from apps.cases.vocabulary import (
    LEVEL_INDEX,
    PRIMARY_SUBSITES,
    SITE_LEVELS,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    Site,
    SymptomBurden,
    lateralities_for,
)

Errors = dict[str, list[str]]

#: Lesion fields that apply to spinal sites only, and the Mirels fields that do not apply to the spine: read
#: off the field table (``apps.cases.fields``), kept here for the callers that name them.
SPINE_ONLY_FIELDS: tuple[str, ...] = tuple(
    row.name for row in fields_of(Entity.LESION) if row.applies_to is not None and not row.applies_to.exclude
)
LIMB_ONLY_FIELDS: tuple[str, ...] = tuple(
    row.name for row in fields_of(Entity.LESION) if row.applies_to is not None and row.applies_to.exclude
)


def _add(errors: Errors, field: str, reason: str) -> None:
    errors.setdefault(field, []).append(reason)


def field_errors(entity: Entity, record: Mapping[str, Any]) -> Errors:
    """What the field table says of each given value: a known code, a value of the scale, within range,
    and recorded only where the field applies (clinical-rules.md §1, §1b). One loop for every field."""
    errors: Errors = {}
    for row in fields_of(entity):
        value = record.get(row.name)
        if value is None or (value == "" and row.kind in (Kind.TEXT, Kind.CODE)):
            continue
        for reason in _value_reasons(row, value):
            _add(errors, row.name, reason)
        applies = row.applies_to
        if applies is not None:
            governing = record.get(applies.governor)
            if governing is None or not applies.permits(governing):
                _add(errors, row.name, applies.reason_for(governing))
    return errors


def _value_reasons(row: ClinicalField, value: Any) -> list[str]:
    allowed = row.code_values
    if row.kind is Kind.CODE and str(value) not in allowed:
        return [f'"{value}" is not a valid code. Allowed: {", ".join(allowed)}.']
    if row.kind is Kind.CODES:
        reasons = []
        unknown = [code for code in value if code not in allowed]
        if unknown:
            reasons.append(row.invalid.format(value=unknown, allowed=", ".join(sorted(allowed))))
        if len(set(value)) != len(value):
            reasons.append("lists a class more than once.")
        return reasons
    if row.kind not in (Kind.INTEGER, Kind.NUMBER) or isinstance(value, bool) or not isinstance(value, int | float):
        return []  # a value of the wrong type is the serializer's or the form's to refuse
    if row.values:
        return [] if value in row.values else [row.invalid.format(value=value)]
    low, high = row.minimum, row.entry_high
    below = low is not None and (value <= low if row.exclusive_minimum else value < low)
    if below or (high is not None and value > high):
        lowest = f"more than {low:g}" if row.exclusive_minimum and low is not None else f"{low:g}" if low is not None else "any"
        span = f"{lowest} to {high:g}" if high is not None else f"at least {lowest}"
        return [f"{value:g} is out of range; record {span}{' ' + row.unit if row.unit else ''}."]
    return []


def lesion_errors(lesion: Mapping[str, Any]) -> Errors:
    """Coherence of one lesion: spine-only and limb-only fields, levels, subsite for the site."""
    site_code = lesion.get("site")
    if site_code is None:
        return {}  # "site is required" is the serializer's to say
    errors = field_errors(Entity.LESION, lesion)
    site = Site(site_code)
    spinal = site in SPINAL_SITES
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
    errors = field_errors(Entity.CASE, case)
    histology = case.get("primary_histology")

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
    if case.get("on_systemic_therapy") is False and classes:
        _add(errors, "systemic_therapy_classes", "lists current therapy but on_systemic_therapy is false.")
    return errors


def prior_course_errors(course: Mapping[str, Any], *, date_of_birth: date | None, today: date) -> Errors:
    """Coherence of a prior course: its date, and its structured target (levels on a spinal site only,
    a laterality that fits the site)."""
    errors = field_errors(Entity.PRIOR_COURSE, course)
    site_code = course.get("site")
    if site_code is None:
        if course.get("laterality") is not None:
            _add(errors, "laterality", "needs the site of the treated region.")
    else:
        site = Site(site_code)
        if site in SPINAL_SITES:
            _level_errors(errors, site, course.get("level_from"), course.get("level_to"))
        _laterality_errors(errors, site, course.get("laterality"))

    when = course.get("date")
    if when is not None:
        if when > today:
            _add(errors, "date", f"{when.isoformat()} is in the future; record planned courses as a dose plan.")
        if date_of_birth is not None and when < date_of_birth:
            _add(errors, "date", f"{when.isoformat()} is before the patient's date of birth.")
    return errors
