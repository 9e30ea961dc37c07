"""The field registry: every fact is addressable, derived fields compute what the rules say."""

from __future__ import annotations

from datetime import date

import pytest

from apps.cases.facts import CASE_FIELD_NAMES, LESION_FIELD_NAMES, CaseFacts, LesionFacts
from apps.trials.engine import FIELDS, Kind, Scope, fields_in
from apps.trials.engine.fields import (
    OPS_BY_KIND,
    Partial,
    add_months,
    completed_years,
    get_breast_subtype,
    get_metastases_count,
    get_oligometastatic_class,
    get_solid_tumour,
    get_vertebral_levels,
    months_between,
)


def test_every_case_and_lesion_fact_is_addressable() -> None:
    case = fields_in(Scope.CASE)
    lesion = fields_in(Scope.LESION)
    assert set(CASE_FIELD_NAMES) <= set(case)
    assert set(LESION_FIELD_NAMES) <= set(lesion)
    derived = {
        "breast_subtype",
        "metastases_count",
        "lesion_count",
        "months_primary_to_metastasis",
        "oligometastatic_class",
        "age_years",
        "months_since_metastasis_diagnosis",
        "solid_tumour",
        "months_primary_treatment_to_metastasis",
    }
    assert derived <= set(case)
    assert "vertebral_levels" in lesion
    assert {name for name in case if name.startswith("extra.")} == {
        "extra.planned_min_bed10_gy",
        "extra.first_line_cdk46_candidate",
        "extra.breast_stage_iiib_iiic",
        "extra.autologous_transplant_candidate",
    }


def test_every_field_has_a_label_and_enums_have_values() -> None:
    for spec in FIELDS.values():
        assert spec.label
        assert spec.ops == OPS_BY_KIND[spec.kind]
        if spec.kind in (Kind.ENUM, Kind.SET):
            assert spec.values, spec.name


def test_receptor_rule_values_exclude_unknown() -> None:
    # "unknown" is what a case may record; a rule cannot require it (it is read as "not known").
    assert fields_in(Scope.CASE)["er_status"].values == ("positive", "negative")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2020, 1, 15), date(2020, 7, 15), 6.0),
        (date(2020, 1, 15), date(2021, 1, 15), 12.0),
        (date(2020, 1, 31), date(2020, 2, 29), 1.0),  # clamped to the end of February
        (date(2020, 3, 1), date(2020, 3, 1), 0.0),
        (date(2020, 7, 15), date(2020, 1, 15), -6.0),
    ],
)
def test_months_between(start: date, end: date, expected: float) -> None:
    assert months_between(start, end) == pytest.approx(expected)


def test_months_between_is_fractional_and_monotone() -> None:
    six_and_a_day = months_between(date(2020, 1, 15), date(2020, 7, 16))
    assert 6.0 < six_and_a_day < 6.1
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert completed_years(date(1960, 11, 24), date(2026, 11, 23)) == 65
    assert completed_years(date(1960, 11, 23), date(2026, 11, 23)) == 66


@pytest.mark.parametrize(
    ("er", "pr", "her2", "expected"),
    [
        ("positive", "negative", "negative", "luminal"),
        ("negative", "positive", "negative", "luminal"),
        ("positive", "positive", "positive", "her2_positive"),
        ("negative", "negative", "positive", "her2_positive"),
        ("negative", "negative", "negative", "triple_negative"),
        (None, None, "positive", "her2_positive"),  # HER2 positive decides whatever ER and PR are
    ],
)
def test_breast_subtype_known(er: str | None, pr: str | None, her2: str | None, expected: str) -> None:
    facts = CaseFacts(primary_histology="breast", er_status=er, pr_status=pr, her2_status=her2)  # type: ignore[arg-type]
    assert get_breast_subtype(facts) == expected


def test_breast_subtype_partial_and_not_applicable() -> None:
    assert get_breast_subtype(CaseFacts(primary_histology="prostate")) == "not_applicable"  # type: ignore[arg-type]
    er_neg = CaseFacts(primary_histology="breast", er_status="negative", her2_status="negative")  # type: ignore[arg-type]
    assert get_breast_subtype(er_neg) == Partial(missing=("pr_status",), possible=frozenset({"luminal", "triple_negative"}))
    unknown_primary = CaseFacts(er_status="negative", pr_status="negative", her2_status="negative")  # type: ignore[arg-type]
    assert get_breast_subtype(unknown_primary) == Partial(
        missing=("primary_histology",), possible=frozenset({"triple_negative", "not_applicable"})
    )
    recorded_unknown = CaseFacts(
        primary_histology="breast",
        er_status="unknown",
        pr_status="negative",
        her2_status="negative",  # type: ignore[arg-type]
    )
    assert get_breast_subtype(recorded_unknown) == Partial(
        missing=("er_status",), possible=frozenset({"luminal", "triple_negative"})
    )


def test_metastases_count() -> None:
    assert get_metastases_count(CaseFacts(bone_metastases_count=2, visceral_metastases_count=1)) == 3
    assert get_metastases_count(CaseFacts(bone_metastases_count=2)) == Partial(missing=("visceral_metastases_count",), lo=2)
    assert get_metastases_count(CaseFacts(visceral_metastases_count=3)) == Partial(missing=("bone_metastases_count",), lo=3)


def history(poly: bool | None, oligo: bool | None, primary: date | None, metastasis: date | None) -> CaseFacts:
    return CaseFacts(
        history_polymetastatic=poly,
        history_oligometastatic_treated=oligo,
        primary_diagnosis_date=primary,
        metastasis_diagnosis_date=metastasis,
    )


JAN, JUN, DEC = date(2024, 1, 10), date(2024, 6, 1), date(2024, 12, 1)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (history(False, False, JAN, JUN), "de_novo_synchronous"),
        (history(False, False, JAN, date(2024, 7, 10)), "de_novo_synchronous"),  # exactly 6 months
        (history(False, False, JAN, date(2024, 7, 11)), "de_novo_metachronous"),
        (history(False, False, JAN, DEC), "de_novo_metachronous"),
        (history(False, False, JUN, JAN), "de_novo_synchronous"),  # metastases found first
        (history(True, True, None, None), "induced"),  # polymetastatic history comes first (ESTRO/EORTC)
        (history(False, True, None, None), "repeat"),
        (history(True, None, None, None), "induced"),
    ],
)
def test_oligometastatic_class(facts: CaseFacts, expected: str) -> None:
    assert get_oligometastatic_class(facts) == expected


def test_oligometastatic_class_partial() -> None:
    assert get_oligometastatic_class(history(False, False, JAN, None)) == Partial(
        missing=("metastasis_diagnosis_date",),
        possible=frozenset({"de_novo_synchronous", "de_novo_metachronous"}),
    )
    assert get_oligometastatic_class(history(None, True, None, None)) == Partial(
        missing=("history_polymetastatic",), possible=frozenset({"induced", "repeat"})
    )
    everything = get_oligometastatic_class(CaseFacts())
    assert isinstance(everything, Partial)
    assert everything.missing == (
        "history_polymetastatic",
        "history_oligometastatic_treated",
        "primary_diagnosis_date",
        "metastasis_diagnosis_date",
    )


def test_vertebral_levels() -> None:
    assert get_vertebral_levels(LesionFacts(site="thoracic_spine", level_from="T11", level_to="L1")) == (  # type: ignore[arg-type]
        "T11",
        "T12",
        "L1",
    )
    assert get_vertebral_levels(LesionFacts(site="cervical_spine", level_from="C7")) == ("C7",)  # type: ignore[arg-type]
    assert get_vertebral_levels(LesionFacts(site="femur")) == ()  # type: ignore[arg-type]
    assert get_vertebral_levels(LesionFacts(site="sacrum")) is None  # type: ignore[arg-type]
    reversed_span = LesionFacts(site="lumbar_spine", level_from="L4", level_to="L2")  # type: ignore[arg-type]
    assert get_vertebral_levels(reversed_span) == Partial(missing=("level_from", "level_to"))


def test_derived_getters_remember_only_the_last_case() -> None:
    getter = fields_in(Scope.CASE)["metastases_count"].getter
    first = CaseFacts(bone_metastases_count=1, visceral_metastases_count=0)
    second = CaseFacts(bone_metastases_count=4, visceral_metastases_count=0)
    assert [getter(first), getter(first), getter(second), getter(first)] == [1, 1, 4, 1]


def test_solid_tumour_by_histology() -> None:
    """Lymphoma and myeloma are not solid tumours (seed 000: SABR-COMET-3 and -10 enrol solid tumours);
    every other coded histology is; ``other`` and an unrecorded histology are unknown and ask for it."""
    assert get_solid_tumour(CaseFacts(primary_histology="myeloma")) is False  # type: ignore[arg-type]
    assert get_solid_tumour(CaseFacts(primary_histology="lymphoma")) is False  # type: ignore[arg-type]
    for code in ("breast", "prostate", "nsclc", "renal_cell", "sarcoma", "unknown_primary"):
        assert get_solid_tumour(CaseFacts(primary_histology=code)) is True, code  # type: ignore[arg-type]
    for case in (CaseFacts(), CaseFacts(primary_histology="other")):  # type: ignore[arg-type]
        value = get_solid_tumour(case)
        assert isinstance(value, Partial) and value.missing == ("primary_histology",)


def test_every_histology_code_is_classified_solid_or_not() -> None:
    from apps.cases.vocabulary import PrimaryHistology
    from apps.trials.engine.fields import SOLID_TUMOUR_BY_HISTOLOGY

    assert {h.value for h in PrimaryHistology} <= set(SOLID_TUMOUR_BY_HISTOLOGY)
    assert {code for code, solid in SOLID_TUMOUR_BY_HISTOLOGY.items() if solid is False} == {"myeloma", "lymphoma"}
    assert {code for code, solid in SOLID_TUMOUR_BY_HISTOLOGY.items() if solid is None} == {"other"}


def test_months_from_end_of_primary_treatment_to_metastasis() -> None:
    """CLEAR's "recurrence > 12 months after treatment" reads the end of treatment, not the diagnosis."""
    from apps.trials.engine.fields import get_months_primary_treatment_to_metastasis as months

    case = CaseFacts(
        primary_diagnosis_date=date(2019, 1, 1),
        primary_treatment_completed_date=date(2020, 3, 15),
        metastasis_diagnosis_date=date(2021, 3, 15),
    )
    assert months(case) == pytest.approx(12.0)
    missing = months(CaseFacts(primary_diagnosis_date=date(2019, 1, 1), metastasis_diagnosis_date=date(2021, 3, 15)))
    assert isinstance(missing, Partial) and missing.missing == ("primary_treatment_completed_date",)
    both = months(CaseFacts())
    assert isinstance(both, Partial) and both.missing == ("primary_treatment_completed_date", "metastasis_diagnosis_date")
