"""Every clinical field of a case, a lesion and a prior radiotherapy course, declared once. Plain Python.

One ``ClinicalField`` row says what a field is: its name, kind, codes (a vocabulary enum) or range and
unit, where it applies (the sites, histologies or grades it describes), its label and help for people and
its source. Everything else is derived from this table, so a new field is added here and nowhere else:

* the model columns' choices, nullability and help (``apps.cases.models`` through ``model_field``);
* the CHECK constraints (codes, ranges, applicability, codes that depend on another field:
  ``apps.cases.constraints.field_constraints``), with the constraint names the database already has;
* the serializer limits (``apps.cases.api.serializers`` through ``serializer_kwargs``);
* the rules' code, range and applicability checks in words (``apps.cases.rules``, a loop over the table);
* the engine facts (``apps.cases.facts``: a test checks the dataclasses against the table);
* the trial language's ``FieldSpec``s (``apps.trials.engine.fields``: kind, codes, bounds, unit, label);
* the page labels and help (``frontend.labels``).

The cross-field rules that are not about one field (levels in cranio-caudal order, levels touching the
site's region, laterality fitting the site, ``symptoms`` agreeing with ``symptomatic``) stay stated once
each in ``apps.cases.constraints`` and ``apps.cases.rules``. This module imports no Django (import-linter
contract in ``pyproject.toml``): the engines read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from apps.cases.vocabulary import (
    KARNOFSKY_VALUES,
    LIMB_SITES,
    PARAPLEGIC_FRANKEL_GRADES,
    PRIMARY_SUBSITES,
    RADIOTHERAPY_TECHNIQUE_LABELS,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    VERTEBRAL_LEVELS,
    Alignment,
    CastrationStatus,
    CorticalInvolvement,
    EpiduralCompressionGrade,
    FrankelGrade,
    Laterality,
    LimbPain,
    MajorOrganMetastases,
    PosterolateralInvolvement,
    PrimaryHistology,
    PrimarySubsite,
    RadiographicType,
    RadiotherapyTechnique,
    ReceptorStatus,
    Site,
    SpinalPain,
    Subsite,
    SymptomBurden,
    SystemicTherapyClass,
    VertebralCollapse,
)

#: Ten years: longer than any paraplegia the Patchell criterion (< 48 h) could still concern.
MAX_PARAPLEGIA_HOURS = 24 * 365 * 10
MAX_FRACTIONS = 50


class Entity(StrEnum):
    """The record a field belongs to; the value is the prefix of its CHECK constraints' names."""

    CASE = "case"
    LESION = "lesion"
    PRIOR_COURSE = "prior_rt"


class Kind(StrEnum):
    """What a field holds (the model column, the serializer field and the trial language follow it)."""

    TEXT = "text"
    CODE = "code"  #: one code of ``codes``
    CODES = "codes"  #: a list of distinct codes of ``codes`` (null = not known, [] = none)
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class AppliesTo:
    """Where a field describes anything: only when ``governor`` holds one of ``codes`` (or, with
    ``exclude``, none of them). Elsewhere the field must stay unknown.

    ``reason`` is the rules' answer in words (``{governor}`` is the governing value, or "not given");
    ``when_unknown`` replaces it when the governing field is not known. ``constraint`` names the CHECK
    constraint; fields sharing a name without ``{field}`` share one constraint.
    """

    governor: str
    codes: frozenset[str]
    reason: str
    constraint: str
    exclude: bool = False
    when_unknown: str | None = None

    def permits(self, governing_value: object) -> bool:
        return (governing_value in self.codes) != self.exclude

    def reason_for(self, governing_value: object) -> str:
        if governing_value is None and self.when_unknown is not None:
            return self.when_unknown
        return self.reason.format(governor=governing_value if governing_value is not None else "not given")


@dataclass(frozen=True, slots=True)
class ClinicalField:
    """One clinical field, as every layer sees it.

    ``minimum``/``maximum`` are the quantity's or the scale's own bounds (the trial language uses them);
    ``entry_maximum`` is a plausibility limit on what may be recorded (ten years of paraplegia, a 500 mm
    lesion), checked with the bounds at intake and in the database. ``exclusive_minimum`` with ``step``:
    the value must exceed ``minimum``, and the API's smallest accepted value is ``minimum + step``.
    ``values`` lists the only values an integer scale takes (Karnofsky in steps of ten).
    """

    entity: Entity
    name: str
    kind: Kind
    label: str = ""
    codes: type[StrEnum] | tuple[str, ...] | None = None
    values: tuple[int, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    entry_maximum: float | None = None
    exclusive_minimum: bool = False
    step: float | None = None
    unit: str = ""
    required: bool = False
    applies_to: AppliesTo | None = None
    #: (governing field, {governing code: the codes this field may take with it}).
    codes_by: tuple[str, Mapping[str, frozenset[str]]] | None = None
    #: Sites on which a missing value is unknown; elsewhere the trial language reads ``not_applicable``.
    asked_on: frozenset[str] | None = None
    #: The clinic's names of the codes where the code in words is not enough (the model's choices).
    code_labels: Mapping[str, str] | None = None
    #: A recorded code that means "not known" (a test result that is unknown is not a result).
    unknown_code: str | None = None
    #: Read by the engines (``apps.cases.facts``, the trial language); False for the people-only fields.
    engine: bool = True
    #: How a sentence names the field ("ECOG performance status is 2"); defaults to ``label``.
    phrase: str = ""
    #: (singular, plural) for counts: "3 bone metastases" rather than "bone metastases count is 3".
    noun: tuple[str, str] | None = None
    help: str = ""
    source: str = ""
    #: The short name used in CHECK constraint names (``case_histology_valid``); defaults to ``name``.
    check: str = ""
    #: The reason the rules give for a value not in ``codes``/``values`` (``{value}`` is the value).
    invalid: str = ""
    #: The reason the rules give for a value out of range (``{value}``, ``{low}``, ``{high}``, ``{unit}``).
    out_of_range: str = "{value} is out of range; record {low} to {high}{unit}."
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.kind in (Kind.CODE, Kind.CODES)) != (self.codes is not None):
            raise ValueError(f"{self.name}: a {self.kind} field {'needs' if self.codes is None else 'takes no'} codes")

    @property
    def check_name(self) -> str:
        return self.check or self.name

    @property
    def code_values(self) -> tuple[str, ...]:
        """Every code the field takes, in the vocabulary's order."""
        return tuple(str(code) for code in self.codes) if self.codes is not None else ()

    @property
    def enum(self) -> type[StrEnum] | None:
        return self.codes if isinstance(self.codes, type) else None

    @property
    def nullable(self) -> bool:
        """Unknown is a value: every field not ``required`` stores ``None`` for "not known" (free text stores
        an empty text)."""
        return not self.required and self.kind is not Kind.TEXT

    @property
    def entry_high(self) -> float | None:
        """The highest value that may be recorded."""
        bounds = [b for b in (self.maximum, self.entry_maximum) if b is not None]
        return min(bounds) if bounds else None

    @property
    def entry_low(self) -> float | None:
        """The lowest value the API accepts (one step above an exclusive minimum)."""
        if self.minimum is None:
            return None
        if self.exclusive_minimum:
            if self.step is None:
                raise ValueError(f"{self.name}: an exclusive minimum needs a step")
            return self.minimum + self.step
        return self.minimum

    @property
    def spoken(self) -> str:
        return self.phrase or self.label


# --- applicability --------------------------------------------------------------------------------------

_SPINAL = frozenset(s.value for s in SPINAL_SITES)
_LIMB = frozenset(s.value for s in LIMB_SITES)

_SPINAL_LESION = AppliesTo(
    governor="site",
    codes=_SPINAL,
    reason="applies to spinal lesions only; this lesion's site is {governor}.",
    constraint="lesion_spinal_fields_spine_only",
)
_MIRELS = "is a Mirels (limb) field and does not apply to a {governor} lesion."
_NOT_ON_SPINE = AppliesTo(
    governor="site", codes=_SPINAL, exclude=True, reason=_MIRELS, constraint="lesion_limb_fields_not_on_spine"
)
_NOT_ON_SPINE_PAIN = AppliesTo(
    governor="site",
    codes=_SPINAL,
    exclude=True,
    reason=_MIRELS + " Use spinal_pain for a spinal lesion.",
    constraint="lesion_limb_fields_not_on_spine",
)
_SPINAL_COURSE = AppliesTo(
    governor="site",
    codes=_SPINAL,
    reason="applies to spinal courses only; this course's site is {governor}.",
    when_unknown="needs the site of the treated region.",
    constraint="prior_rt_levels_spine_only",
)


def _histology_only(histology: PrimaryHistology) -> AppliesTo:
    return AppliesTo(
        governor="primary_histology",
        codes=frozenset({histology.value}),
        reason=f"applies to a {histology} primary only; primary_histology is {{governor}}.",
        constraint=f"case_{{field}}_{histology}_only",
    )


_BREAST = _histology_only(PrimaryHistology.BREAST)
_PROSTATE = _histology_only(PrimaryHistology.PROSTATE)
_NSCLC = _histology_only(PrimaryHistology.NSCLC)
_PARAPLEGIC = AppliesTo(
    governor="frankel_grade",
    codes=frozenset(g.value for g in PARAPLEGIC_FRANKEL_GRADES),
    reason="applies to a patient with no useful motor function (Frankel A or B); frankel_grade is {governor}.",
    constraint="case_paraplegia_hours_frankel_ab",
)

_SUBSITES: dict[str, frozenset[str]] = {site.value: frozenset(s.value for s in subs) for site, subs in SUBSITES_BY_SITE.items()}
_PRIMARY_SUBSITES: dict[str, frozenset[str]] = {
    histology.value: frozenset(s.value for s in subs) for histology, subs in PRIMARY_SUBSITES.items()
}
_RECEPTOR = {"codes": ReceptorStatus, "unknown_code": ReceptorStatus.UNKNOWN.value}

C, L, P = Entity.CASE, Entity.LESION, Entity.PRIOR_COURSE
K = Kind

# --- the table ------------------------------------------------------------------------------------------
# In the models' column order: the API lists the fields in this order. ``label`` is the page's label;
# ``phrase`` how a trial explanation names the field where that differs. Sources: clinical-rules.md §1
# (lesions), §1b (cases), §7 (prior courses).

CASE_FIELDS: tuple[ClinicalField, ...] = (
    ClinicalField(C, "question", K.TEXT, "question", required=True, engine=False, help="What the board is asked to decide."),
    ClinicalField(C, "urgent", K.BOOLEAN, "urgent", required=True, engine=False),
    ClinicalField(C, "primary_histology", K.CODE, "primary histology", codes=PrimaryHistology, check="histology", source="§1b"),
    ClinicalField(C, "er_status", K.CODE, "ER status", applies_to=_BREAST, source="§1b", **_RECEPTOR),  # type: ignore[arg-type]
    ClinicalField(C, "pr_status", K.CODE, "PR status", applies_to=_BREAST, source="§1b", **_RECEPTOR),  # type: ignore[arg-type]
    ClinicalField(C, "her2_status", K.CODE, "HER2 status", applies_to=_BREAST, source="§1b", **_RECEPTOR),  # type: ignore[arg-type]
    ClinicalField(C, "castration_status", K.CODE, "castration status", codes=CastrationStatus, applies_to=_PROSTATE),
    ClinicalField(C, "egfr_mutation", K.CODE, "EGFR mutation", applies_to=_NSCLC, source="§1b", **_RECEPTOR),  # type: ignore[arg-type]
    ClinicalField(C, "alk_rearrangement", K.CODE, "ALK rearrangement", applies_to=_NSCLC, source="§1b", **_RECEPTOR),  # type: ignore[arg-type]
    ClinicalField(C, "ecog", K.INTEGER, "ECOG performance status", minimum=0, maximum=4, source="Oken 1982"),
    ClinicalField(
        C,
        "estimated_survival_months",
        K.NUMBER,
        "estimated survival (months)",
        phrase="estimated survival",
        minimum=0,
        entry_maximum=600,
        unit="months",
        check="survival",
    ),
    ClinicalField(C, "primary_diagnosis_date", K.DATE, "primary diagnosis date"),
    ClinicalField(C, "metastasis_diagnosis_date", K.DATE, "metastasis diagnosis date"),
    ClinicalField(C, "primary_controlled", K.BOOLEAN, "primary controlled", phrase="primary tumour controlled"),
    ClinicalField(
        C,
        "bone_metastases_count",
        K.INTEGER,
        "bone metastases count",
        minimum=0,
        noun=("bone metastasis", "bone metastases"),
    ),
    ClinicalField(
        C,
        "visceral_metastases_count",
        K.INTEGER,
        "visceral metastases count",
        minimum=0,
        noun=("visceral metastasis", "visceral metastases"),
    ),
    ClinicalField(C, "brain_metastases", K.BOOLEAN, "brain metastases"),
    ClinicalField(C, "history_polymetastatic", K.BOOLEAN, "history polymetastatic", phrase="history of polymetastatic disease"),
    ClinicalField(
        C,
        "history_oligometastatic_treated",
        K.BOOLEAN,
        "history oligometastatic treated",
        phrase="previously treated oligometastatic disease",
    ),
    ClinicalField(C, "on_systemic_therapy", K.BOOLEAN, "on systemic therapy"),
    ClinicalField(
        C,
        "progressing_lesions_count",
        K.INTEGER,
        "progressing lesions count",
        minimum=0,
        noun=("progressing lesion", "progressing lesions"),
    ),
    ClinicalField(
        C,
        "systemic_therapy_classes",
        K.CODES,
        "systemic therapy classes",
        codes=SystemicTherapyClass,
        help="",
        source="§1b",
        invalid="unknown codes {value}; allowed: {allowed}.",
    ),
    ClinicalField(
        C,
        "primary_subsite",
        K.CODE,
        "primary subsite",
        codes=PrimarySubsite,
        codes_by=("primary_histology", _PRIMARY_SUBSITES),
        source="§1b, §10 (revised Tokuhashi)",
    ),
    ClinicalField(
        C,
        "karnofsky_performance_status",
        K.INTEGER,
        "Karnofsky performance status",
        values=KARNOFSKY_VALUES,
        minimum=10,
        maximum=100,
        check="karnofsky",
        invalid="{value} is not a Karnofsky score; use 10 to 100 in steps of 10.",
        source="§1b",
    ),
    ClinicalField(C, "frankel_grade", K.CODE, "Frankel grade", codes=FrankelGrade, source="§1b, §10"),
    ClinicalField(
        C,
        "complete_paraplegia_hours",
        K.NUMBER,
        "hours of complete paraplegia",
        phrase="time since complete paraplegia",
        minimum=0,
        entry_maximum=MAX_PARAPLEGIA_HOURS,
        unit="hours",
        applies_to=_PARAPLEGIC,
        help="Hours since loss of motor function (Frankel A or B).",
        source="§4 (Patchell)",
    ),
    ClinicalField(
        C,
        "extraspinal_bone_metastases_count",
        K.INTEGER,
        "extraspinal bone metastases count",
        minimum=0,
        noun=("extraspinal bone metastasis", "extraspinal bone metastases"),
    ),
    ClinicalField(
        C,
        "vertebral_metastases_count",
        K.INTEGER,
        "vertebral metastases count",
        minimum=0,
        noun=("vertebral metastasis", "vertebral metastases"),
    ),
    ClinicalField(
        C,
        "major_organ_metastases",
        K.CODE,
        "major organ metastases",
        phrase="major internal-organ metastases",
        codes=MajorOrganMetastases,
        source="§10",
    ),
    ClinicalField(
        C,
        "primary_treatment_completed_date",
        K.DATE,
        "primary treatment completed date",
        phrase="end of treatment of the primary",
        help="End of curative-intent treatment of the primary.",
    ),
)

LESION_FIELDS: tuple[ClinicalField, ...] = (
    ClinicalField(L, "label", K.TEXT, "label", engine=False, help="Free description, e.g. 'left femoral neck'."),
    ClinicalField(L, "site", K.CODE, "site", codes=Site, required=True, source="§1"),
    ClinicalField(
        L,
        "subsite",
        K.CODE,
        "part of the bone",
        phrase="subsite",
        codes=Subsite,
        codes_by=("site", _SUBSITES),
        asked_on=frozenset(_SUBSITES),
    ),
    ClinicalField(
        L, "level_from", K.CODE, "upper vertebral level", codes=VERTEBRAL_LEVELS, applies_to=_SPINAL_LESION, asked_on=_SPINAL
    ),
    ClinicalField(
        L, "level_to", K.CODE, "lower vertebral level", codes=VERTEBRAL_LEVELS, applies_to=_SPINAL_LESION, asked_on=_SPINAL
    ),
    ClinicalField(L, "radiographic_type", K.CODE, "radiographic type", codes=RadiographicType, source="seed 001 §4"),
    ClinicalField(
        L,
        "cortical_involvement",
        K.CODE,
        "cortical involvement (Mirels)",
        phrase="cortical involvement",
        codes=CorticalInvolvement,
        applies_to=_NOT_ON_SPINE,
        check="cortical",
    ),
    ClinicalField(
        L,
        "max_diameter_mm",
        K.NUMBER,
        "maximum diameter (mm)",
        phrase="maximum diameter",
        minimum=0,
        exclusive_minimum=True,
        step=0.1,
        entry_maximum=500,
        unit="mm",
        check="diameter",
    ),
    ClinicalField(L, "symptomatic", K.BOOLEAN, "symptomatic"),
    ClinicalField(
        L,
        "pain",
        K.CODE,
        "limb pain (Mirels)",
        phrase="limb pain",
        codes=LimbPain,
        applies_to=_NOT_ON_SPINE_PAIN,
        asked_on=_LIMB,
    ),
    ClinicalField(
        L,
        "spinal_pain",
        K.CODE,
        "spinal pain (SINS)",
        phrase="spinal pain",
        codes=SpinalPain,
        applies_to=_SPINAL_LESION,
        asked_on=_SPINAL,
    ),
    ClinicalField(
        L,
        "alignment",
        K.CODE,
        "alignment (SINS)",
        phrase="alignment",
        codes=Alignment,
        applies_to=_SPINAL_LESION,
        asked_on=_SPINAL,
    ),
    ClinicalField(
        L,
        "vertebral_collapse",
        K.CODE,
        "vertebral body collapse (SINS)",
        phrase="vertebral collapse",
        codes=VertebralCollapse,
        applies_to=_SPINAL_LESION,
        asked_on=_SPINAL,
        check="collapse",
    ),
    ClinicalField(
        L,
        "posterolateral_involvement",
        K.CODE,
        "posterolateral involvement (SINS)",
        phrase="posterolateral involvement",
        codes=PosterolateralInvolvement,
        applies_to=_SPINAL_LESION,
        asked_on=_SPINAL,
        check="posterolateral",
    ),
    ClinicalField(
        L,
        "epidural_compression_grade",
        K.CODE,
        "epidural spinal cord compression (Bilsky grade)",
        phrase="epidural compression grade",
        codes=EpiduralCompressionGrade,
        applies_to=_SPINAL_LESION,
        asked_on=_SPINAL,
        check="escc",
        source="§4 (Bilsky)",
    ),
    ClinicalField(
        L,
        "distance_to_spinal_cord_mm",
        K.NUMBER,
        "distance to the spinal cord (mm)",
        phrase="distance to the spinal cord",
        minimum=0,
        entry_maximum=500,
        unit="mm",
        check="cord_distance",
    ),
    ClinicalField(L, "posterior_element_involvement", K.BOOLEAN, "posterior element involvement"),
    ClinicalField(L, "extraosseous_soft_tissue", K.BOOLEAN, "extraosseous soft tissue"),
    ClinicalField(L, "existing_fracture", K.BOOLEAN, "existing fracture"),
    ClinicalField(L, "prior_surgery", K.BOOLEAN, "prior surgery"),
    ClinicalField(L, "prior_radiotherapy", K.BOOLEAN, "prior radiotherapy"),
    ClinicalField(L, "laterality", K.CODE, "laterality", codes=Laterality, source="§1 (2026-12)"),
    ClinicalField(
        L,
        "symptoms",
        K.CODE,
        "symptoms",
        phrase="symptom burden",
        codes=SymptomBurden,
        help="asymptomatic, minimally symptomatic or symptomatic; kept coherent with `symptomatic`.",
        source="seed 000 (Gillespie); §1, §5",
    ),
)

PRIOR_COURSE_FIELDS: tuple[ClinicalField, ...] = (
    ClinicalField(P, "region", K.TEXT, "region", required=True, help="Treated region as a label, e.g. 'T10-L1' or 'left femur'."),
    ClinicalField(P, "site", K.CODE, "site", codes=Site, source="§7"),
    ClinicalField(P, "level_from", K.CODE, "upper vertebral level", codes=VERTEBRAL_LEVELS, applies_to=_SPINAL_COURSE),
    ClinicalField(P, "level_to", K.CODE, "lower vertebral level", codes=VERTEBRAL_LEVELS, applies_to=_SPINAL_COURSE),
    ClinicalField(P, "laterality", K.CODE, "laterality", codes=Laterality),
    ClinicalField(
        P,
        "total_dose_gy",
        K.NUMBER,
        "total dose (Gy)",
        minimum=0,
        exclusive_minimum=True,
        step=0.01,
        entry_maximum=200,
        unit="Gy",
        required=True,
        check="dose",
    ),
    ClinicalField(P, "fractions", K.INTEGER, "fractions", minimum=1, entry_maximum=MAX_FRACTIONS, required=True),
    ClinicalField(P, "date", K.DATE, "date"),
    # Blank, not null, is "not recorded" for the technique (the column predates unknown-as-null).
    ClinicalField(
        P,
        "technique",
        K.CODE,
        "technique",
        codes=RadiotherapyTechnique,
        code_labels={str(code): text for code, text in RADIOTHERAPY_TECHNIQUE_LABELS.items()},
        required=True,
        extra={"blank": True},
    ),
)

TABLE: dict[Entity, tuple[ClinicalField, ...]] = {C: CASE_FIELDS, L: LESION_FIELDS, P: PRIOR_COURSE_FIELDS}


def _check_table() -> None:
    for entity, rows in TABLE.items():
        names = [row.name for row in rows]
        if len(names) != len(set(names)):
            raise ValueError(f"{entity}: a field is declared twice")
        known = set(names)
        for row in rows:
            if row.entity is not entity:
                raise ValueError(f"{row.name} is filed under {entity} but declares {row.entity}")
            governor = row.applies_to.governor if row.applies_to else row.codes_by[0] if row.codes_by else None
            if governor is not None and governor not in known:
                raise ValueError(f"{entity}.{row.name} depends on {governor}, which {entity} does not declare")
            if not row.label:
                raise ValueError(f"{entity}.{row.name} has no label")


_check_table()


def fields_of(entity: Entity) -> tuple[ClinicalField, ...]:
    return TABLE[entity]


def field_of(entity: Entity, name: str) -> ClinicalField:
    for row in TABLE[entity]:
        if row.name == name:
            return row
    raise KeyError(f"{entity}.{name}")


def names(entity: Entity, *, engine_only: bool = False) -> tuple[str, ...]:
    """The field names of ``entity`` in column order (the engines' subset with ``engine_only``)."""
    return tuple(row.name for row in TABLE[entity] if row.engine or not engine_only)


def enums_of(entity: Entity) -> dict[str, type[StrEnum]]:
    """``{name: vocabulary enum}`` for the coded fields of ``entity`` (what a stored code is read as)."""
    return {row.name: enum for row in TABLE[entity] if (enum := row.enum) is not None and row.kind is Kind.CODE}


def applicability_groups(entity: Entity) -> dict[str, tuple[AppliesTo, tuple[ClinicalField, ...]]]:
    """``{constraint name: (applicability, the fields it governs)}``; a name with ``{field}`` is one per field."""
    groups: dict[str, tuple[AppliesTo, list[ClinicalField]]] = {}
    for row in TABLE[entity]:
        if row.applies_to is None:
            continue
        name = row.applies_to.constraint.format(field=row.name)
        governing, members = groups.setdefault(name, (row.applies_to, []))
        if (governing.governor, governing.codes, governing.exclude) != (
            row.applies_to.governor,
            row.applies_to.codes,
            row.applies_to.exclude,
        ):
            raise ValueError(f"{name}: the fields sharing this constraint disagree on where they apply")
        members.append(row)
    return {name: (applies, tuple(members)) for name, (applies, members) in groups.items()}


def sites_where(entity: Entity, name: str) -> frozenset[str] | None:
    """The sites a lesion field applies to (None: every site); the intake form shows it only there."""
    row = field_of(entity, name)
    if row.applies_to is not None and row.applies_to.governor == "site":
        every = frozenset(s.value for s in Site)
        return every - row.applies_to.codes if row.applies_to.exclude else row.applies_to.codes
    if row.codes_by is not None and row.codes_by[0] == "site":
        return frozenset(row.codes_by[1])
    return None


def governed_by(entity: Entity, governor: str) -> dict[str, frozenset[str]]:
    """``{field: the governing codes it applies to}`` for the fields that apply only for some ``governor``
    values (the histology-specific case fields, shown on the form for their histology only)."""
    out: dict[str, frozenset[str]] = {}
    for row in TABLE[entity]:
        if row.applies_to is not None and row.applies_to.governor == governor and not row.applies_to.exclude:
            out[row.name] = row.applies_to.codes
        elif row.codes_by is not None and row.codes_by[0] == governor:
            out[row.name] = frozenset(row.codes_by[1])
    return out


def all_fields() -> Iterable[ClinicalField]:
    for rows in TABLE.values():
        yield from rows
