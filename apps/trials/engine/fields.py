"""The fields a trial criterion may address, and how each is read from the case facts.

Three groups (all listed in ``FIELDS``):

* every ``CaseFacts`` field and every ``LesionFacts`` field (the latter only inside a lesion quantifier),
  under exactly the names of ``apps.cases.facts`` (clinical-rules.md §1 and §1b);
* derived fields computed from them (``breast_subtype``, ``metastases_count``, ``lesion_count``,
  ``months_primary_to_metastasis``, ``oligometastatic_class``, ``age_years``,
  ``months_since_metastasis_diagnosis`` and, per lesion, ``vertebral_levels``);
* ``extra.<name>`` facts that the case model does not carry but a criterion needs (a planned dose, a
  clinical judgement). Only the names declared here are addressable, so a typo is a validation error.

A getter returns the value, ``None`` when the value is unknown, or a ``Partial`` when a derived value is not
known exactly but is bounded (e.g. 6 bone metastases and an unknown visceral count: "at least 6
metastases"). A comparison that every still-possible value decides the same way is decided; otherwise it
is ``unknown`` and names the fields that would decide it. Unknown is never a guess
(clinical-rules.md §1b).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import product
from operator import attrgetter
from typing import Any

from apps.cases.facts import CASE_FIELD_NAMES, LESION_FIELD_NAMES, CaseFacts, LesionFacts
from apps.cases.fields import ClinicalField
from apps.cases.fields import Entity as TableEntity
from apps.cases.fields import Kind as TableKind
from apps.cases.fields import fields_of as table_fields
from apps.cases.vocabulary import (
    LIMB_SITES,
    SPINAL_SITES,
    VERTEBRAL_LEVELS,
    BreastSubtype,
    PrimaryHistology,
    ReceptorStatus,
    SymptomBurden,
    breast_subtype,
    levels_between,
)
from apps.clinical.dates import add_months, completed_years, months_between
from apps.clinical.derivations import bone_metastases, metastatic_foci

__all__ = ["add_months", "completed_years", "months_between"]  # the calendar helpers live in apps.clinical.dates


class Kind(StrEnum):
    """The kind of a field decides which operators apply to it (see ``OPS_BY_KIND``)."""

    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    ENUM = "enum"
    DATE = "date"
    SET = "set"


class Scope(StrEnum):
    """Where a field may be used: on the case, or on one lesion inside a lesion quantifier."""

    CASE = "case"
    LESION = "lesion"


#: Operators written in criteria JSON, by field kind.
OPS_BY_KIND: dict[Kind, tuple[str, ...]] = {
    Kind.INTEGER: ("eq", "ne", "lt", "le", "gt", "ge", "between", "in", "not_in", "is_known"),
    Kind.NUMBER: ("eq", "ne", "lt", "le", "gt", "ge", "between", "in", "not_in", "is_known"),
    Kind.DATE: ("eq", "ne", "lt", "le", "gt", "ge", "between", "is_known"),
    Kind.ENUM: ("eq", "ne", "in", "not_in", "is_known"),
    Kind.BOOLEAN: ("eq", "ne", "is_known"),
    Kind.SET: ("includes_any", "includes_all", "includes_none", "is_known"),
}
ALL_OPS: tuple[str, ...] = (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "between",
    "in",
    "not_in",
    "includes_any",
    "includes_all",
    "includes_none",
    "is_known",
)
#: Operators that ``count_lesions`` accepts (the count is an integer).
COUNT_OPS: tuple[str, ...] = OPS_BY_KIND[Kind.INTEGER][:-1]


@dataclass(frozen=True, slots=True)
class Partial:
    """A derived value known only partly.

    ``missing`` names the fields (relative to the case or the lesion) that would make it exact;
    ``possible`` is the finite set of values still possible (enum and boolean fields); ``lo``/``hi`` bound a
    number (inclusive; ``None`` = unbounded).
    """

    missing: tuple[str, ...]
    possible: frozenset[Any] | None = None
    lo: float | None = None
    hi: float | None = None
    #: Why the value is not known, when "<missing> not recorded" would be wrong (a contradicted count).
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One addressable field of the criteria language."""

    name: str
    scope: Scope
    kind: Kind
    label: str
    getter: Callable[[Any], Any]
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    #: (singular, plural) for counts: explanations read "3 metastases" rather than "metastases count is 3".
    noun: tuple[str, str] | None = None
    unit: str = ""
    derived: bool = False
    description: str = ""
    source: str = ""

    @property
    def ops(self) -> tuple[str, ...]:
        return OPS_BY_KIND[self.kind]


def last_call_memo(getter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Remember the value for the last object read.

    A case is matched against every trial in turn and several criteria read the same derived field, so the
    same ``CaseFacts`` is asked again and again. The memo holds a strong reference to the object, so its
    identity cannot be reused while it is remembered; the (object, value) pair is replaced in one
    assignment, so concurrent threads see either the old pair or the new one.
    """
    memo: list[tuple[Any, Any]] = [(None, None)]

    def remembered(obj: Any) -> Any:
        last, value = memo[0]
        if obj is last:
            return value
        value = getter(obj)
        memo[0] = (obj, value)
        return value

    remembered.__doc__ = getter.__doc__
    remembered.__name__ = getattr(getter, "__name__", "getter")
    return remembered


def _values(enum: Iterable[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


# --------------------------------------------------------------------------------------------------------
# Getters
# --------------------------------------------------------------------------------------------------------

_RECEPTOR_FIELDS = ("er_status", "pr_status", "her2_status")
_POS, _NEG = ReceptorStatus.POSITIVE.value, ReceptorStatus.NEGATIVE.value


def _known_status(value: Any) -> str | None:
    if value is None or value == ReceptorStatus.UNKNOWN:
        return None
    return str(value)


def _relevant(unknown: list[str], options: dict[str, tuple[Any, ...]], outcome: Callable[..., Any]) -> tuple[str, ...]:
    """The unknown inputs whose value can change ``outcome`` (the others need not be asked for)."""
    names = list(options)
    combos = [dict(zip(names, combo, strict=True)) for combo in product(*(options[n] for n in names))]
    relevant = []
    for name in unknown:
        for combo in combos:
            flipped = {**combo, name: next(v for v in options[name] if v != combo[name])}
            if outcome(**combo) != outcome(**flipped):
                relevant.append(name)
                break
    return tuple(relevant)


NOT_APPLICABLE = "not_applicable"


def _breast_subtype_outcome(primary_histology: Any, er_status: Any, pr_status: Any, her2_status: Any) -> str:
    if primary_histology != PrimaryHistology.BREAST:
        return NOT_APPLICABLE
    subtype = breast_subtype(er_status, pr_status, her2_status)
    assert subtype is not None  # every receptor is known in an enumerated combination
    return subtype.value


def get_breast_subtype(case: CaseFacts) -> Any:
    """Derived subtype (clinical-rules.md §1b; seed 004), ``not_applicable`` for a non-breast primary.

    Unknown receptors are enumerated: ER positive with HER2 unknown is "luminal or her2_positive", which is
    certainly not triple-negative, so a criterion excluding triple-negative disease is decided.
    """
    primary = case.primary_histology
    if primary is not None and primary != PrimaryHistology.BREAST:
        return NOT_APPLICABLE
    known = {name: _known_status(getattr(case, name)) for name in _RECEPTOR_FIELDS}
    if primary is not None and all(v is not None for v in known.values()):
        subtype = breast_subtype(known["er_status"], known["pr_status"], known["her2_status"])
        return subtype.value if subtype is not None else None
    options: dict[str, tuple[Any, ...]] = {
        "primary_histology": (primary,) if primary is not None else (PrimaryHistology.BREAST.value, "other"),
    }
    for name, value in known.items():
        options[name] = (value,) if value is not None else (_POS, _NEG)
    possible = frozenset(
        _breast_subtype_outcome(**dict(zip(options, combo, strict=True))) for combo in product(*options.values())
    )
    if len(possible) == 1:
        return next(iter(possible))
    unknown = [name for name, opts in options.items() if len(opts) > 1]
    return Partial(missing=_relevant(unknown, options, _breast_subtype_outcome), possible=possible)


def recorded_bone_count(case: CaseFacts) -> int | None:
    """``bone_metastases_count`` when it can be the true count, else None (not recorded, or lower than the
    recorded lesions): the shared derivation ``apps.clinical.derivations.bone_metastases``."""
    return bone_metastases(case).value


def unrecorded_bone_metastases(case: CaseFacts) -> int | None:
    """Bone metastases not described as lesions (``apps.clinical.derivations.BoneCount.unrecorded``).

    ``None`` when that number is not known. The lesion quantifiers (``language.py``) treat the unrecorded
    metastases as lesions whose every field is unknown: with 3 bone metastases and 1 recorded lesion,
    "no femoral lesion" cannot be met, only left unknown (clinical-rules.md §1b).
    """
    return bone_metastases(case).unrecorded


def get_bone_metastases_count(case: CaseFacts) -> Any:
    bone = bone_metastases(case)
    if bone.value is not None:
        return bone.value
    return Partial(missing=bone.missing, lo=bone.at_least, reason=bone.reason)


def get_metastases_count(case: CaseFacts) -> Any:
    """Bone plus visceral metastases, bounded below when a count is unknown
    (``apps.clinical.derivations.metastatic_foci``, shared with the risk engine)."""
    foci = metastatic_foci(case)
    if foci.value is not None:
        return foci.value
    return Partial(missing=foci.missing, lo=foci.at_least, reason=foci.reason)


#: Whether each histology code is a solid tumour, for trials that enrol solid tumours only (SABR-COMET-3 and
#: -10: "a controlled primary solid tumor histology", seed 000_76782ef81e029740.txt). Lymphoma and myeloma
#: are haematological malignancies (clinical-rules.md §4 names lymphoma, leukaemia and myeloma as the
#: non-solid tumours); carcinoma of unknown primary is a solid tumour whose origin is not found; ``other``
#: may be a leukaemia, so it is not known. A code missing here (added to the vocabulary later) is unknown
#: until it is classified: never assumed solid.
SOLID_TUMOUR_BY_HISTOLOGY: dict[str, bool | None] = {
    "breast": True,
    "prostate": True,
    "nsclc": True,
    "sclc": True,
    "renal_cell": True,
    "thyroid": True,
    "melanoma": True,
    "colorectal": True,
    "hepatocellular": True,
    "urothelial": True,
    "pancreatic": True,
    "esophageal_squamous": True,
    "gastric": True,
    "head_neck_squamous": True,
    "sarcoma": True,
    "pheochromocytoma": True,
    "unknown_primary": True,
    "endometrial": True,
    "cervical": True,
    "ovarian": True,
    "neuroendocrine": True,
    "gallbladder": True,
    "germ_cell": True,
    "myeloma": False,
    "lymphoma": False,
    "other": None,
}
_EITHER = frozenset({True, False})


def get_solid_tumour(case: CaseFacts) -> Any:
    """True for a solid tumour, False for a haematological malignancy (``SOLID_TUMOUR_BY_HISTOLOGY``).

    Unknown (asking for ``primary_histology``) when the histology is not recorded, or is a code that does
    not say (``other``: record the specific histology).
    """
    histology = case.primary_histology
    if histology is None:
        return Partial(missing=("primary_histology",), possible=_EITHER)
    solid = SOLID_TUMOUR_BY_HISTOLOGY.get(str(histology))
    if solid is None:
        return Partial(
            missing=("primary_histology",),
            possible=_EITHER,
            reason=f"primary histology {str(histology)!r} does not say whether the tumour is solid",
        )
    return solid


def get_lesion_count(case: CaseFacts) -> Any:
    return len(case.lesions)


def get_months_primary_to_metastasis(case: CaseFacts) -> Any:
    start, end = case.primary_diagnosis_date, case.metastasis_diagnosis_date
    if start is None or end is None:
        missing = tuple(
            name for name, value in (("primary_diagnosis_date", start), ("metastasis_diagnosis_date", end)) if value is None
        )
        return Partial(missing=missing)
    return months_between(start, end)


def get_months_primary_treatment_to_metastasis(case: CaseFacts) -> Any:
    """Calendar months from the end of treatment of the primary to the metastasis diagnosis (the recurrence).

    "Recurrence more than 12 months after treatment" (CLEAR, seed 004 Table 2) is measured from
    ``primary_treatment_completed_date`` (clinical-rules.md §1b), never from the primary diagnosis: unknown
    when either date is missing; negative when the metastases were found before treatment ended.
    """
    start, end = case.primary_treatment_completed_date, case.metastasis_diagnosis_date
    if start is None or end is None:
        missing = tuple(
            name
            for name, value in (("primary_treatment_completed_date", start), ("metastasis_diagnosis_date", end))
            if value is None
        )
        return Partial(missing=missing)
    return months_between(start, end)


def get_months_since_metastasis_diagnosis(case: CaseFacts) -> Any:
    start, end = case.metastasis_diagnosis_date, case.as_of
    if start is None or end is None:
        missing = tuple(name for name, value in (("metastasis_diagnosis_date", start), ("as_of", end)) if value is None)
        return Partial(missing=missing)
    return months_between(start, end)


def get_age_years(case: CaseFacts) -> Any:
    born, on = case.date_of_birth, case.as_of
    if born is None or on is None:
        missing = tuple(name for name, value in (("date_of_birth", born), ("as_of", on)) if value is None)
        return Partial(missing=missing)
    return completed_years(born, on)


class OligometastaticClass(StrEnum):
    """ESTRO/EORTC classes of oligometastatic disease (seed 003 §3.1; clinical-rules.md §6)."""

    DE_NOVO_SYNCHRONOUS = "de_novo_synchronous"
    DE_NOVO_METACHRONOUS = "de_novo_metachronous"
    INDUCED = "induced"
    REPEAT = "repeat"


#: "Synchronous" = metastases diagnosed within 6 months of the primary (seed 003 §3.1).
SYNCHRONOUS_WINDOW_MONTHS = 6.0


def _class_outcome(history_polymetastatic: Any, history_oligometastatic_treated: Any, timing: Any) -> str:
    # ESTRO/EORTC decision order (Guckenberger et al., Lancet Oncol 2020, cited by seed 003): a history of
    # polymetastatic disease makes it induced; else a previous oligometastatic diagnosis makes it repeat;
    # else it is de novo, split by the 6-month window.
    if history_polymetastatic:
        return OligometastaticClass.INDUCED.value
    if history_oligometastatic_treated:
        return OligometastaticClass.REPEAT.value
    return str(timing)


def get_oligometastatic_class(case: CaseFacts) -> Any:
    """The ESTRO/EORTC class by history and timing; whether the case is oligometastatic at all is a separate
    count test with each trial's own cut-off (clinical-rules.md §6: never one cut-off for every purpose).
    """
    poly, oligo = case.history_polymetastatic, case.history_oligometastatic_treated
    start, end = case.primary_diagnosis_date, case.metastasis_diagnosis_date
    timing: tuple[Any, ...]
    if start is not None and end is not None:
        synchronous = months_between(start, end) <= SYNCHRONOUS_WINDOW_MONTHS
        timing = (
            OligometastaticClass.DE_NOVO_SYNCHRONOUS.value if synchronous else OligometastaticClass.DE_NOVO_METACHRONOUS.value,
        )
    else:
        timing = (
            OligometastaticClass.DE_NOVO_SYNCHRONOUS.value,
            OligometastaticClass.DE_NOVO_METACHRONOUS.value,
        )
    options: dict[str, tuple[Any, ...]] = {
        "history_polymetastatic": (poly,) if poly is not None else (True, False),
        "history_oligometastatic_treated": (oligo,) if oligo is not None else (True, False),
        "timing": timing,
    }
    possible = frozenset(_class_outcome(*combo) for combo in product(*options.values()))
    if len(possible) == 1:
        return next(iter(possible))
    unknown = [name for name, opts in options.items() if len(opts) > 1]
    relevant = _relevant(unknown, options, _class_outcome)
    missing: list[str] = []
    for name in relevant:
        if name == "timing":
            missing.extend(n for n, v in (("primary_diagnosis_date", start), ("metastasis_diagnosis_date", end)) if v is None)
        else:
            missing.append(name)
    return Partial(missing=tuple(missing), possible=possible)


def get_vertebral_levels(lesion: LesionFacts) -> Any:
    """Every level the lesion spans (``level_from``..``level_to``); empty for a lesion off the spine."""
    if lesion.level_from is None:
        if lesion.site in SPINAL_SITES:
            return None
        return ()
    try:
        return levels_between(lesion.level_from, lesion.level_to)
    except (KeyError, ValueError):
        return Partial(missing=("level_from", "level_to"))


_LOW_SYMPTOM_BURDEN = frozenset({SymptomBurden.ASYMPTOMATIC.value, SymptomBurden.MINIMALLY_SYMPTOMATIC.value})


def get_low_symptom_burden(lesion: LesionFacts) -> Any:
    """Asymptomatic or minimally symptomatic (the lesions the prophylactic-RT trial enrolled, seed 000).

    ``symptoms`` decides when recorded; otherwise ``symptomatic`` does, since the vocabulary keeps them
    coherent (``symptomatic`` is true exactly when ``symptoms`` is ``symptomatic``: a lesion recorded as
    not symptomatic is asymptomatic or minimally symptomatic). Unknown, asking for ``symptoms``, when
    neither is recorded.
    """
    if lesion.symptoms is not None:
        return str(lesion.symptoms) in _LOW_SYMPTOM_BURDEN
    if lesion.symptomatic is not None:
        return not lesion.symptomatic
    return Partial(missing=("symptoms",), possible=_EITHER)


def _applicable_getter(name: str, sites: frozenset[Any] | Iterable[Any]) -> Callable[[Any], Any]:
    """A lesion field that exists only on some sites: ``not_applicable`` elsewhere when not recorded.

    The vocabulary gives subsites to long bones and joint regions only, spinal fields to spinal sites only
    and limb pain to limb sites only (clinical-rules.md §1). Off those sites the field has no value to ask
    for, so it is a known value (``not_applicable``) rather than unknown: a rule on the subsite of a rib
    lesion is decided instead of asking for a subsite the rib cannot have.
    """
    get = attrgetter(name)
    applicable = frozenset(sites)

    def getter(lesion: Any) -> Any:
        value = get(lesion)
        if value is None and lesion.site not in applicable:
            return NOT_APPLICABLE
        return value

    return getter


def get_level_to(lesion: LesionFacts) -> Any:
    """Lower level of a spinal lesion; a lesion with only ``level_from`` recorded is a single-level lesion."""
    if lesion.level_to is not None:
        return lesion.level_to
    if lesion.site not in SPINAL_SITES:
        return NOT_APPLICABLE
    return lesion.level_from


def _extra_getter(key: str, kind: Kind) -> Callable[[Any], Any]:
    def getter(case: Any) -> Any:
        value = case.extra.get(key)
        if kind is Kind.BOOLEAN:
            return value if isinstance(value, bool) else None
        if kind in (Kind.NUMBER, Kind.INTEGER):
            return value if isinstance(value, int | float) and not isinstance(value, bool) else None
        return value

    return getter


# --------------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------------

_C = Scope.CASE
_L = Scope.LESION


def _case(name: str, kind: Kind, label: str, **kw: Any) -> FieldSpec:
    kw.setdefault("getter", attrgetter(name))
    return FieldSpec(name=name, scope=_C, kind=kind, label=label, **kw)


def _lesion(name: str, kind: Kind, label: str, **kw: Any) -> FieldSpec:
    kw.setdefault("getter", attrgetter(name))
    return FieldSpec(name=name, scope=_L, kind=kind, label=label, **kw)


#: The table's kinds in the criteria language.
_KIND_OF: dict[TableKind, Kind] = {
    TableKind.CODE: Kind.ENUM,
    TableKind.CODES: Kind.SET,
    TableKind.INTEGER: Kind.INTEGER,
    TableKind.NUMBER: Kind.NUMBER,
    TableKind.BOOLEAN: Kind.BOOLEAN,
    TableKind.DATE: Kind.DATE,
}
_SPINE_ONLY = "spinal sites only: not_applicable elsewhere when not recorded"
_LIMB_ONLY = "limb sites only: not_applicable elsewhere when not recorded"
_NA = (NOT_APPLICABLE,)
_SPINAL_CODES = frozenset(s.value for s in SPINAL_SITES)
_LIMB_CODES = frozenset(s.value for s in LIMB_SITES)


def _unknown_code_getter(name: str, unknown: str) -> Callable[[Any], Any]:
    """A field whose recorded code ``unknown`` means "not known" (a receptor tested, result unknown)."""
    get = attrgetter(name)

    def getter(obj: Any) -> Any:
        value = get(obj)
        return None if value is None or value == unknown else value

    return getter


def _spec(row: ClinicalField, scope: Scope, **reading: Any) -> FieldSpec:
    """The criteria field of a table row: its kind, codes, bounds, unit and words come from the table
    (``apps.cases.fields``); ``reading`` is what the language adds (a derived reading, a description)."""
    values = tuple(code for code in row.code_values if code != row.unknown_code)
    getter: Callable[[Any], Any] = attrgetter(row.name)
    description = ""
    if row.unknown_code is not None:
        getter = _unknown_code_getter(row.name, row.unknown_code)
        description = f"{' / '.join(values)}; a recorded value of {row.unknown_code!r} counts as not known"
    if row.asked_on is not None:
        values = (*values, *_NA)
        getter = _applicable_getter(row.name, row.asked_on)
        description = {_SPINAL_CODES: _SPINE_ONLY, _LIMB_CODES: _LIMB_ONLY}.get(row.asked_on, description)
    base: dict[str, Any] = {
        "values": values,
        "getter": getter,
        "minimum": row.minimum,
        "maximum": row.maximum,
        "unit": row.unit,
        "noun": row.noun,
        "description": description,
    }
    return FieldSpec(name=row.name, scope=scope, kind=_KIND_OF[row.kind], label=row.spoken, **(base | reading))


#: What the criteria language reads differently from the stored value, by field.
_READINGS: dict[str, dict[str, Any]] = {
    "bone_metastases_count": {
        "getter": last_call_memo(get_bone_metastases_count),
        "description": "when not recorded, bounded below by the number of recorded lesions",
    },
    "systemic_therapy_classes": {"description": "an empty list = known to be on none"},
    "subsite": {"description": "not_applicable, when not recorded, on a site without subsites (SUBSITES_BY_SITE)"},
    "level_to": {"getter": get_level_to, "description": f"{_SPINE_ONLY}; equals level_from for a single-level lesion"},
    "distance_to_spinal_cord_mm": {
        "description": "recorded for spinal lesions; a number has no not_applicable value, so a rule on it "
        "should be guarded by site (unknown when not recorded, whatever the site)",
    },
}

#: Facts that are not case fields but the context of the facts (from the patient and the reference date).
CONTEXT_FIELDS: tuple[FieldSpec, ...] = (
    _case("date_of_birth", Kind.DATE, "date of birth"),
    _case("as_of", Kind.DATE, "reference date of the facts"),
)

CASE_FIELDS: tuple[FieldSpec, ...] = (
    *(_spec(row, _C, **_READINGS.get(row.name, {})) for row in table_fields(TableEntity.CASE) if row.engine),
    *CONTEXT_FIELDS,
)

DERIVED_CASE_FIELDS: tuple[FieldSpec, ...] = (
    _case(
        "breast_subtype",
        Kind.ENUM,
        "breast subtype",
        values=(*_values(BreastSubtype), NOT_APPLICABLE),
        getter=last_call_memo(get_breast_subtype),
        derived=True,
        description="luminal (ER or PR positive, HER2 negative), her2_positive, triple_negative; "
        "not_applicable for a non-breast primary",
        source="clinical-rules.md §1b; seed 004",
    ),
    _case(
        "metastases_count",
        Kind.INTEGER,
        "metastases count",
        minimum=0,
        noun=("metastasis", "metastases"),
        getter=last_call_memo(get_metastases_count),
        derived=True,
        description="bone_metastases_count + visceral_metastases_count",
        source="apps.cases.facts.CaseFacts.metastases_count; clinical-rules.md §6",
    ),
    _case(
        "solid_tumour",
        Kind.BOOLEAN,
        "solid tumour",
        getter=get_solid_tumour,
        derived=True,
        description="from primary_histology: lymphoma and myeloma are not solid tumours; 'other' is unknown",
        source="seed 000 (SABR-COMET-3, -10: solid tumour histology); clinical-rules.md §4",
    ),
    _case(
        "lesion_count",
        Kind.INTEGER,
        "recorded lesions",
        minimum=0,
        noun=("recorded bone lesion", "recorded bone lesions"),
        getter=get_lesion_count,
        derived=True,
        description="number of lesions recorded on the case",
    ),
    _case(
        "months_primary_to_metastasis",
        Kind.NUMBER,
        "interval from primary diagnosis to metastasis diagnosis",
        unit="months",
        getter=last_call_memo(get_months_primary_to_metastasis),
        derived=True,
        description="calendar months from primary_diagnosis_date to metastasis_diagnosis_date",
        source="seed 003 §3.1",
    ),
    _case(
        "months_primary_treatment_to_metastasis",
        Kind.NUMBER,
        "interval from the end of primary treatment to metastasis diagnosis",
        unit="months",
        getter=last_call_memo(get_months_primary_treatment_to_metastasis),
        derived=True,
        description="calendar months from primary_treatment_completed_date to metastasis_diagnosis_date",
        source="seed 004 Table 2 (CLEAR: recurrence > 12 months); clinical-rules.md §1b",
    ),
    _case(
        "months_since_metastasis_diagnosis",
        Kind.NUMBER,
        "time since metastasis diagnosis",
        unit="months",
        getter=last_call_memo(get_months_since_metastasis_diagnosis),
        derived=True,
        description="calendar months from metastasis_diagnosis_date to as_of",
    ),
    _case(
        "oligometastatic_class",
        Kind.ENUM,
        "ESTRO/EORTC oligometastatic class",
        values=_values(OligometastaticClass),
        getter=last_call_memo(get_oligometastatic_class),
        derived=True,
        description="induced if history_polymetastatic; else repeat if history_oligometastatic_treated; "
        "else de_novo_synchronous (metastases within 6 months of the primary) or de_novo_metachronous",
        source="seed 003 §3.1; clinical-rules.md §6",
    ),
    _case(
        "age_years",
        Kind.INTEGER,
        "age",
        unit="years",
        minimum=0,
        getter=last_call_memo(get_age_years),
        derived=True,
        description="completed years from date_of_birth to as_of",
    ),
)

EXTRA_FIELDS: tuple[FieldSpec, ...] = (
    _case(
        "extra.planned_min_bed10_gy",
        Kind.NUMBER,
        "lowest planned BED10 over all metastatic sites",
        unit="Gy",
        minimum=0,
        getter=_extra_getter("planned_min_bed10_gy", Kind.NUMBER),
        derived=True,
        description="set by the planner in CaseFacts.extra['planned_min_bed10_gy']; no plan, no value",
        source="seed 004 (NCT03808337: BED >= 48 Gy10 to all sites)",
    ),
    _case(
        "extra.first_line_cdk46_candidate",
        Kind.BOOLEAN,
        "candidate for first-line CDK4/6 inhibitor therapy",
        getter=_extra_getter("first_line_cdk46_candidate", Kind.BOOLEAN),
        derived=True,
        description="a medical-oncology judgement the case model does not hold: CaseFacts.extra['first_line_cdk46_candidate']",
        source="seed 004 (CIMER)",
    ),
    _case(
        "extra.breast_stage_iiib_iiic",
        Kind.BOOLEAN,
        "locally advanced breast cancer, stage IIIB or IIIC",
        getter=_extra_getter("breast_stage_iiib_iiic", Kind.BOOLEAN),
        derived=True,
        description="the case model records metastases, not the TNM stage of non-metastatic disease: "
        "CaseFacts.extra['breast_stage_iiib_iiic']",
        source="seed 004 Table 2 (NCT00182793: stage IIIB-IV breast cancer)",
    ),
    _case(
        "extra.autologous_transplant_candidate",
        Kind.BOOLEAN,
        "candidate for high-dose chemotherapy with autologous stem-cell transplantation",
        getter=_extra_getter("autologous_transplant_candidate", Kind.BOOLEAN),
        derived=True,
        description="a transplant-team judgement the case model does not hold: "
        "CaseFacts.extra['autologous_transplant_candidate']",
        source="seed 004 (NCT00182793)",
    ),
)

LESION_FIELDS: tuple[FieldSpec, ...] = tuple(
    _spec(row, _L, **_READINGS.get(row.name, {})) for row in table_fields(TableEntity.LESION) if row.engine
)

DERIVED_LESION_FIELDS: tuple[FieldSpec, ...] = (
    _lesion(
        "low_symptom_burden",
        Kind.BOOLEAN,
        "asymptomatic or minimally symptomatic",
        getter=get_low_symptom_burden,
        derived=True,
        description="symptoms is asymptomatic or minimally_symptomatic; when symptoms is not recorded, symptomatic is no",
        source="seed 000 (Gillespie: asymptomatic or minimally symptomatic); clinical-rules.md §1, §5",
    ),
    _lesion(
        "vertebral_levels",
        Kind.SET,
        "vertebral levels",
        values=VERTEBRAL_LEVELS,
        getter=get_vertebral_levels,
        derived=True,
        description="every level from level_from to level_to; empty for a lesion off the spine; "
        "unknown for a spinal lesion without level_from",
    ),
)

FIELDS: dict[tuple[Scope, str], FieldSpec] = {
    (spec.scope, spec.name): spec
    for spec in (*CASE_FIELDS, *DERIVED_CASE_FIELDS, *EXTRA_FIELDS, *LESION_FIELDS, *DERIVED_LESION_FIELDS)
}


def fields_in(scope: Scope) -> dict[str, FieldSpec]:
    """The fields addressable in a scope, by name."""
    return {name: spec for (s, name), spec in FIELDS.items() if s is scope}


def field_spec(scope: Scope, name: str) -> FieldSpec:
    return FIELDS[(scope, name)]


def _check_coverage() -> None:
    # The language must address every case and lesion fact: a field added to CaseFacts without a spec here
    # would be invisible to trials, so fail at import rather than silently.
    case_names = {name for (scope, name) in FIELDS if scope is Scope.CASE}
    lesion_names = {name for (scope, name) in FIELDS if scope is Scope.LESION}
    missing = (set(CASE_FIELD_NAMES) - case_names) | (set(LESION_FIELD_NAMES) - lesion_names)
    if missing:
        raise RuntimeError(f"trial engine has no field spec for {sorted(missing)}")


_check_coverage()
