"""The criteria language: every operator, Kleene three-valued logic, quantifiers and explanation texts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from apps.cases.facts import CaseFacts, LesionFacts
from apps.trials.engine import (
    Result,
    RuleOutcome,
    check_rule,
    compile_expression,
    evaluate_rule,
    kleene_all,
    kleene_any,
    kleene_not,
)

MET, NOT_MET, UNKNOWN = Result.MET, Result.NOT_MET, Result.UNKNOWN


def evaluate(rule: dict[str, Any], facts: CaseFacts) -> RuleOutcome:
    check_rule(rule)  # every rule used in these tests is a valid one
    return evaluate_rule(compile_expression(rule), facts)


def result(rule: dict[str, Any], facts: CaseFacts) -> Result:
    return evaluate(rule, facts).result


def cmp(field: str, op: str, value: Any = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"field": field, "op": op}
    if op != "is_known":
        rule["value"] = value
    return rule


# ---------------------------------------------------------------------------------------------------------
# Kleene connectives
# ---------------------------------------------------------------------------------------------------------

ALL_TABLE = {
    (MET, MET): MET,
    (MET, UNKNOWN): UNKNOWN,
    (MET, NOT_MET): NOT_MET,
    (UNKNOWN, UNKNOWN): UNKNOWN,
    (UNKNOWN, NOT_MET): NOT_MET,
    (NOT_MET, NOT_MET): NOT_MET,
}
ANY_TABLE = {
    (MET, MET): MET,
    (MET, UNKNOWN): MET,
    (MET, NOT_MET): MET,
    (UNKNOWN, UNKNOWN): UNKNOWN,
    (UNKNOWN, NOT_MET): UNKNOWN,
    (NOT_MET, NOT_MET): NOT_MET,
}
NOT_TABLE = {MET: NOT_MET, NOT_MET: MET, UNKNOWN: UNKNOWN}


def lookup(table: dict[tuple[Result, Result], Result], a: Result, b: Result) -> Result:
    return table[(a, b)] if (a, b) in table else table[(b, a)]


@pytest.mark.parametrize(("pair", "expected"), list(ALL_TABLE.items()))
def test_kleene_all_truth_table(pair: tuple[Result, Result], expected: Result) -> None:
    assert kleene_all(pair) is expected
    assert kleene_all(reversed(pair)) is expected


@pytest.mark.parametrize(("pair", "expected"), list(ANY_TABLE.items()))
def test_kleene_any_truth_table(pair: tuple[Result, Result], expected: Result) -> None:
    assert kleene_any(pair) is expected
    assert kleene_any(reversed(pair)) is expected


def test_kleene_not_and_empty_junctions() -> None:
    for value, expected in NOT_TABLE.items():
        assert kleene_not(value) is expected
    assert kleene_all([]) is MET
    assert kleene_any([]) is NOT_MET


# Three independent leaves whose result is set through three boolean case fields.
LEAF_FIELDS = ("primary_controlled", "brain_metastases", "on_systemic_therapy")
SETTING = {MET: True, NOT_MET: False, UNKNOWN: None}


def leaves_case(*results: Result) -> CaseFacts:
    return CaseFacts(**{name: SETTING[r] for name, r in zip(LEAF_FIELDS, results, strict=False)})


def leaf(i: int) -> dict[str, Any]:
    return cmp(LEAF_FIELDS[i], "eq", True)


@pytest.mark.parametrize("a", [MET, NOT_MET, UNKNOWN])
@pytest.mark.parametrize("b", [MET, NOT_MET, UNKNOWN])
def test_compiled_connectives_follow_the_truth_tables(a: Result, b: Result) -> None:
    facts = leaves_case(a, b)
    assert result({"all": [leaf(0), leaf(1)]}, facts) is lookup(ALL_TABLE, a, b)
    assert result({"any": [leaf(0), leaf(1)]}, facts) is lookup(ANY_TABLE, a, b)
    assert result({"not": leaf(0)}, facts) is NOT_TABLE[a]
    assert result({"not": {"not": leaf(0)}}, facts) is a
    # De Morgan holds in Kleene logic, and the compiler relies on it.
    assert result({"not": {"all": [leaf(0), leaf(1)]}}, facts) is result({"any": [{"not": leaf(0)}, {"not": leaf(1)}]}, facts)
    assert result({"not": {"any": [leaf(0), leaf(1)]}}, facts) is result({"all": [{"not": leaf(0)}, {"not": leaf(1)}]}, facts)


def test_unknown_junction_lists_only_the_fields_that_matter() -> None:
    facts = leaves_case(UNKNOWN, UNKNOWN, MET)
    outcome = evaluate({"all": [leaf(0), leaf(1), leaf(2)]}, facts)
    assert outcome.result is UNKNOWN
    assert outcome.missing == ("primary_controlled", "brain_metastases")
    assert outcome.explanation == "unknown: needs primary_controlled, brain_metastases"
    # A failing part decides a conjunction: nothing is missing any more.
    decided = evaluate({"all": [leaf(0), {"not": leaf(2)}]}, facts)
    assert decided.result is NOT_MET
    assert decided.missing == ()
    # A met alternative decides a disjunction.
    assert evaluate({"any": [leaf(0), leaf(2)]}, facts).missing == ()


def test_junction_explanations() -> None:
    facts = CaseFacts(primary_histology="breast", primary_controlled=False, ecog=1)
    both_fail = evaluate({"all": [cmp("primary_histology", "eq", "prostate"), cmp("primary_controlled", "eq", True)]}, facts)
    assert both_fail.explanation == (
        "primary histology is breast; trial requires prostate; primary tumour controlled: no; trial requires yes"
    )
    one_met = evaluate({"any": [cmp("primary_histology", "eq", "prostate"), cmp("ecog", "le", 2)]}, facts)
    assert one_met.result is MET
    assert one_met.explanation == "ECOG performance status is 1; trial allows at most 2"


# ---------------------------------------------------------------------------------------------------------
# Comparison operators
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "count", "expected"),
    [
        ("eq", 3, 3, MET),
        ("eq", 3, 4, NOT_MET),
        ("ne", 3, 4, MET),
        ("ne", 3, 3, NOT_MET),
        ("lt", 3, 2, MET),
        ("lt", 3, 3, NOT_MET),
        ("le", 3, 3, MET),
        ("le", 3, 4, NOT_MET),
        ("gt", 5, 6, MET),
        ("gt", 5, 5, NOT_MET),
        ("ge", 4, 4, MET),
        ("ge", 4, 3, NOT_MET),
        ("between", [1, 3], 1, MET),
        ("between", [1, 3], 3, MET),
        ("between", [1, 3], 0, NOT_MET),
        ("between", [1, 3], 4, NOT_MET),
        ("in", [1, 3], 3, MET),
        ("in", [1, 3], 2, NOT_MET),
        ("not_in", [1, 3], 2, MET),
        ("not_in", [1, 3], 1, NOT_MET),
    ],
)
def test_numeric_operators(op: str, value: Any, count: int, expected: Result) -> None:
    known = CaseFacts(progressing_lesions_count=count)
    assert result(cmp("progressing_lesions_count", op, value), known) is expected
    assert result({"not": cmp("progressing_lesions_count", op, value)}, known) is kleene_not(expected)
    unknown = evaluate(cmp("progressing_lesions_count", op, value), CaseFacts())
    assert unknown.result is UNKNOWN
    assert unknown.missing == ("progressing_lesions_count",)
    assert unknown.explanation == "unknown: needs progressing_lesions_count"


@pytest.mark.parametrize(
    ("op", "value", "histology", "expected"),
    [
        ("eq", "breast", "breast", MET),
        ("eq", "breast", "prostate", NOT_MET),
        ("ne", "breast", "prostate", MET),
        ("ne", "breast", "breast", NOT_MET),
        ("in", ["breast", "nsclc"], "nsclc", MET),
        ("in", ["breast", "nsclc"], "sclc", NOT_MET),
        ("not_in", ["breast", "nsclc"], "sclc", MET),
        ("not_in", ["breast", "nsclc"], "breast", NOT_MET),
    ],
)
def test_enum_operators(op: str, value: Any, histology: str, expected: Result) -> None:
    assert result(cmp("primary_histology", op, value), CaseFacts(primary_histology=histology)) is expected  # type: ignore[arg-type]
    assert result(cmp("primary_histology", op, value), CaseFacts()) is UNKNOWN


def test_boolean_operators() -> None:
    assert result(cmp("primary_controlled", "eq", True), CaseFacts(primary_controlled=True)) is MET
    assert result(cmp("primary_controlled", "eq", False), CaseFacts(primary_controlled=True)) is NOT_MET
    assert result(cmp("primary_controlled", "ne", False), CaseFacts(primary_controlled=True)) is MET
    assert result(cmp("primary_controlled", "eq", True), CaseFacts()) is UNKNOWN


def test_is_known_is_never_unknown() -> None:
    assert result(cmp("ecog", "is_known"), CaseFacts(ecog=0)) is MET
    assert result(cmp("ecog", "is_known"), CaseFacts()) is NOT_MET
    assert result({"not": cmp("ecog", "is_known")}, CaseFacts()) is MET
    absent = evaluate(cmp("ecog", "is_known"), CaseFacts())
    assert absent.explanation == (
        "ECOG performance status is not recorded; trial requires ECOG performance status to be recorded"
    )
    assert evaluate(cmp("ecog", "is_known"), CaseFacts(ecog=0)).explanation == "ECOG performance status is 0"
    # A receptor recorded as the value "unknown" is not known.
    assert result(cmp("er_status", "is_known"), CaseFacts(er_status="unknown")) is NOT_MET  # type: ignore[arg-type]
    assert result(cmp("er_status", "eq", "positive"), CaseFacts(er_status="unknown")) is UNKNOWN  # type: ignore[arg-type]


def test_date_operators() -> None:
    facts = CaseFacts(primary_diagnosis_date=date(2021, 3, 1))
    assert result(cmp("primary_diagnosis_date", "lt", "2022-01-01"), facts) is MET
    assert result(cmp("primary_diagnosis_date", "ge", "2022-01-01"), facts) is NOT_MET
    assert result(cmp("primary_diagnosis_date", "between", ["2021-01-01", "2021-12-31"]), facts) is MET
    assert result(cmp("primary_diagnosis_date", "eq", "2021-03-01"), facts) is MET
    outcome = evaluate(cmp("primary_diagnosis_date", "lt", "2021-01-01"), facts)
    assert outcome.explanation == "primary diagnosis date is 2021-03-01; trial requires less than 2021-01-01"


@pytest.mark.parametrize(
    ("op", "value", "classes", "expected"),
    [
        ("includes_any", ["cdk46_inhibitor", "parp_inhibitor"], ("endocrine", "cdk46_inhibitor"), MET),
        ("includes_any", ["cdk46_inhibitor", "parp_inhibitor"], ("endocrine",), NOT_MET),
        ("includes_any", ["cdk46_inhibitor"], (), NOT_MET),
        ("includes_none", ["cdk46_inhibitor", "parp_inhibitor"], ("endocrine",), MET),
        ("includes_none", ["cdk46_inhibitor"], ("cdk46_inhibitor",), NOT_MET),
        ("includes_all", ["endocrine", "cdk46_inhibitor"], ("cdk46_inhibitor", "endocrine", "adt"), MET),
        ("includes_all", ["endocrine", "cdk46_inhibitor"], ("endocrine",), NOT_MET),
        ("is_known", None, (), MET),
    ],
)
def test_set_operators(op: str, value: Any, classes: tuple[str, ...], expected: Result) -> None:
    rule = cmp("systemic_therapy_classes", op, value)
    assert result(rule, CaseFacts(systemic_therapy_classes=classes)) is expected  # type: ignore[arg-type]
    assert result({"not": rule}, CaseFacts(systemic_therapy_classes=classes)) is kleene_not(expected)  # type: ignore[arg-type]
    expected_unknown = NOT_MET if op == "is_known" else UNKNOWN
    assert result(rule, CaseFacts(systemic_therapy_classes=None)) is expected_unknown


# ---------------------------------------------------------------------------------------------------------
# Explanation texts
# ---------------------------------------------------------------------------------------------------------


def test_explanation_texts_read_like_a_clinician_would_write_them() -> None:
    three = CaseFacts(bone_metastases_count=2, visceral_metastases_count=1)
    assert evaluate(cmp("metastases_count", "between", [1, 3]), three).explanation == ("3 metastases; trial allows 1-3")
    one = CaseFacts(bone_metastases_count=1, visceral_metastases_count=0)
    assert evaluate(cmp("metastases_count", "le", 3), one).explanation == "1 metastasis; trial allows at most 3"
    rcc = CaseFacts(primary_histology="renal_cell")  # type: ignore[arg-type]
    assert evaluate(cmp("primary_histology", "in", ["breast", "nsclc", "prostate"]), rcc).explanation == (
        "primary histology is renal_cell; trial requires breast, nsclc or prostate"
    )
    assert evaluate({"not": cmp("primary_histology", "in", ["breast", "nsclc"])}, rcc).explanation == (
        "primary histology is renal_cell; trial excludes breast or nsclc"
    )
    assert evaluate(cmp("bone_metastases_count", "between", [1, 3]), CaseFacts()).explanation == (
        "unknown: needs bone_metastases_count"
    )
    survival = CaseFacts(estimated_survival_months=2.5)
    assert evaluate(cmp("estimated_survival_months", "gt", 3), survival).explanation == (
        "estimated survival is 2.5 months; trial requires more than 3 months"
    )
    negated_range = evaluate({"not": cmp("metastases_count", "between", [1, 5])}, three)
    assert negated_range.result is NOT_MET
    assert negated_range.explanation == "3 metastases; trial excludes 1-5"


# ---------------------------------------------------------------------------------------------------------
# Partial knowledge of derived fields
# ---------------------------------------------------------------------------------------------------------


def test_a_lower_bound_decides_what_it_can() -> None:
    many_bone = CaseFacts(bone_metastases_count=6)  # visceral count unknown
    outcome = evaluate(cmp("metastases_count", "between", [1, 5]), many_bone)
    assert outcome.result is NOT_MET
    assert outcome.explanation == ("at least 6 metastases (visceral_metastases_count not recorded); trial allows 1-5")
    assert result(cmp("metastases_count", "gt", 5), many_bone) is MET
    few_bone = evaluate(cmp("metastases_count", "between", [1, 5]), CaseFacts(bone_metastases_count=2))
    assert few_bone.result is UNKNOWN
    assert few_bone.missing == ("visceral_metastases_count",)


def test_a_bone_count_below_the_recorded_lesions_is_not_believed() -> None:
    lesions = tuple(LesionFacts(site="rib") for _ in range(4))  # type: ignore[arg-type]
    facts = CaseFacts(bone_metastases_count=2, visceral_metastases_count=0, lesions=lesions)
    outcome = evaluate(cmp("metastases_count", "between", [1, 3]), facts)
    assert outcome.result is NOT_MET
    assert outcome.explanation == (
        "at least 4 metastases (bone_metastases_count 2 is lower than the 4 recorded lesions); trial allows 1-3"
    )
    undecided = evaluate(cmp("metastases_count", "between", [4, 10]), facts)
    assert undecided.result is UNKNOWN
    assert undecided.missing == ("bone_metastases_count",)
    assert evaluate(cmp("bone_metastases_count", "le", 3), facts).result is NOT_MET


def test_recorded_lesions_bound_an_unrecorded_bone_count() -> None:
    lesions = tuple(LesionFacts(site="rib") for _ in range(4))  # type: ignore[arg-type]
    facts = CaseFacts(lesions=lesions)
    assert result(cmp("bone_metastases_count", "le", 3), facts) is NOT_MET
    outcome = evaluate(cmp("metastases_count", "le", 5), facts)
    assert outcome.result is UNKNOWN
    assert outcome.missing == ("bone_metastases_count", "visceral_metastases_count")


def test_possible_values_decide_what_they_can() -> None:
    er_positive = CaseFacts(primary_histology="breast", er_status="positive")  # type: ignore[arg-type]
    not_tn = evaluate(cmp("breast_subtype", "ne", "triple_negative"), er_positive)
    assert not_tn.result is MET
    assert not_tn.explanation == (
        "breast subtype is her2_positive or luminal (her2_status not recorded); trial excludes triple_negative"
    )
    luminal = evaluate(cmp("breast_subtype", "eq", "luminal"), er_positive)
    assert luminal.result is UNKNOWN
    assert luminal.missing == ("her2_status",)  # PR cannot change the answer once ER is positive


# ---------------------------------------------------------------------------------------------------------
# Lesion quantifiers
# ---------------------------------------------------------------------------------------------------------

FEMUR = LesionFacts(site="femur", subsite="shaft")  # type: ignore[arg-type]
RIB = LesionFacts(site="rib")  # type: ignore[arg-type]
SPINE_UNKNOWN_DISTANCE = LesionFacts(site="thoracic_spine", level_from="T4")  # type: ignore[arg-type]
SPINE_NEAR = LesionFacts(site="thoracic_spine", level_from="T4", distance_to_spinal_cord_mm=2.0)  # type: ignore[arg-type]
IS_FEMUR = cmp("site", "eq", "femur")
NEAR_CORD = cmp("distance_to_spinal_cord_mm", "le", 3)


def described(*lesions: LesionFacts) -> CaseFacts:
    """A case whose every bone metastasis is recorded as a lesion (``bone_metastases_count`` = lesions)."""
    return CaseFacts(bone_metastases_count=len(lesions), lesions=lesions)


def test_some_lesion() -> None:
    assert result({"some_lesion": IS_FEMUR}, described(RIB, FEMUR)) is MET
    assert result({"some_lesion": IS_FEMUR}, described(RIB)) is NOT_MET
    assert result({"some_lesion": IS_FEMUR}, described()) is NOT_MET
    found = evaluate({"some_lesion": IS_FEMUR}, described(RIB, FEMUR))
    assert found.explanation == "lesion 2 (femur, shaft): site is femur"
    none = evaluate({"some_lesion": IS_FEMUR}, described(RIB))
    assert none.explanation == "no recorded lesion meets: site is femur (1 recorded); trial requires at least one"


def test_no_lesion() -> None:
    facts = described(RIB, FEMUR)
    excluded = evaluate({"no_lesion": IS_FEMUR}, facts)
    assert excluded.result is NOT_MET
    assert excluded.explanation == "lesion 2 (femur, shaft): site is femur; trial excludes such lesions"
    clear = evaluate({"no_lesion": IS_FEMUR}, described(RIB))
    assert clear.result is MET
    assert clear.explanation == "no recorded lesion meets: site is femur (1 recorded)"
    assert result({"no_lesion": IS_FEMUR}, described()) is MET
    # not some == no, and not no == some
    assert result({"not": {"some_lesion": IS_FEMUR}}, facts) is NOT_MET
    assert result({"not": {"no_lesion": IS_FEMUR}}, facts) is MET


def test_bone_metastases_not_recorded_as_lesions_are_unknown_for_every_condition() -> None:
    # 3 bone metastases, 1 described: the 2 others could be femoral (clinical-rules.md §1b: never a guess)
    partly = CaseFacts(bone_metastases_count=3, lesions=(RIB,))
    for quantifier in ("some_lesion", "no_lesion"):
        outcome = evaluate({quantifier: IS_FEMUR}, partly)
        assert outcome.result is UNKNOWN
        assert outcome.missing == ("lesions",)
        assert outcome.explanation == "unknown: needs lesions"
    # a described lesion that meets the condition still decides
    femoral = CaseFacts(bone_metastases_count=3, lesions=(FEMUR,))
    assert result({"no_lesion": IS_FEMUR}, femoral) is NOT_MET
    assert result({"some_lesion": IS_FEMUR}, femoral) is MET
    # an unrecorded bone count: how many are undescribed is itself unknown
    uncounted = evaluate({"no_lesion": IS_FEMUR}, CaseFacts(lesions=(RIB,)))
    assert uncounted.result is UNKNOWN
    assert uncounted.missing == ("bone_metastases_count",)
    # a count below the recorded lesions is contradicted, so not believed
    contradicted = evaluate({"no_lesion": IS_FEMUR}, CaseFacts(bone_metastases_count=1, lesions=(RIB, RIB)))
    assert contradicted.missing == ("bone_metastases_count",)
    # the missing fields of described lesions come first
    mixed = evaluate({"no_lesion": NEAR_CORD}, CaseFacts(bone_metastases_count=2, lesions=(SPINE_UNKNOWN_DISTANCE,)))
    assert mixed.missing == ("lesions[0].distance_to_spinal_cord_mm", "lesions")


def test_count_lesions_counts_undescribed_bone_metastases_as_undecided() -> None:
    partly = CaseFacts(bone_metastases_count=4, lesions=(FEMUR, RIB))
    at_least_one = evaluate({"count_lesions": {"where": IS_FEMUR, "op": "ge", "value": 1}}, partly)
    assert at_least_one.result is MET
    assert at_least_one.explanation == (
        "1-3 of 2 recorded lesions meet: site is femur (2 of 4 bone metastases not recorded as lesions); "
        "trial requires at least 1"
    )
    exactly_one = evaluate({"count_lesions": {"where": IS_FEMUR, "op": "eq", "value": 1}}, partly)
    assert exactly_one.result is UNKNOWN
    assert exactly_one.missing == ("lesions",)
    assert result({"count_lesions": {"where": IS_FEMUR, "op": "le", "value": 3}}, partly) is MET
    uncounted = CaseFacts(lesions=(FEMUR,))
    assert result({"count_lesions": {"where": IS_FEMUR, "op": "ge", "value": 1}}, uncounted) is MET
    assert evaluate({"count_lesions": {"where": IS_FEMUR, "op": "le", "value": 3}}, uncounted).missing == (
        "bone_metastases_count",
    )


def test_lesion_quantifiers_with_unknown_lesion_fields() -> None:
    facts = described(RIB, SPINE_UNKNOWN_DISTANCE)
    outcome = evaluate({"no_lesion": NEAR_CORD}, facts)
    assert outcome.result is UNKNOWN
    # The rib has no distance either: both lesions are named, by their index in CaseFacts.lesions.
    assert outcome.missing == (
        "lesions[0].distance_to_spinal_cord_mm",
        "lesions[1].distance_to_spinal_cord_mm",
    )
    # A lesion that meets the condition decides "some" (and "no") whatever the others are.
    decided = described(SPINE_UNKNOWN_DISTANCE, SPINE_NEAR)
    assert result({"some_lesion": NEAR_CORD}, decided) is MET
    assert result({"no_lesion": NEAR_CORD}, decided) is NOT_MET
    # Guarding by site makes a lesion off the spine irrelevant to the cord distance.
    guarded = {"no_lesion": {"all": [NEAR_CORD, cmp("site", "in", ["thoracic_spine", "lumbar_spine"])]}}
    assert result(guarded, described(RIB)) is MET
    assert evaluate(guarded, facts).missing == ("lesions[1].distance_to_spinal_cord_mm",)


def test_count_lesions() -> None:
    facts = described(RIB, FEMUR, FEMUR)
    count = {"count_lesions": {"where": IS_FEMUR, "op": "between", "value": [1, 3]}}
    outcome = evaluate(count, facts)
    assert outcome.result is MET
    assert outcome.explanation == "2 of 3 recorded lesions meet: site is femur; trial allows 1-3"
    assert result({"count_lesions": {"where": IS_FEMUR, "op": "ge", "value": 3}}, facts) is NOT_MET
    assert result({"not": count}, facts) is NOT_MET
    everything = evaluate({"count_lesions": {"op": "eq", "value": 3}}, facts)
    assert everything.result is MET
    assert everything.explanation == "3 recorded lesions; trial requires 3"


def test_count_lesions_with_unknowns_uses_the_possible_range() -> None:
    facts = described(SPINE_NEAR, SPINE_UNKNOWN_DISTANCE, SPINE_UNKNOWN_DISTANCE)
    # 1 to 3 lesions near the cord: "at least one" is decided, "exactly one" is not.
    assert result({"count_lesions": {"where": NEAR_CORD, "op": "ge", "value": 1}}, facts) is MET
    assert result({"count_lesions": {"where": NEAR_CORD, "op": "gt", "value": 3}}, facts) is NOT_MET
    undecided = evaluate({"count_lesions": {"where": NEAR_CORD, "op": "eq", "value": 1}}, facts)
    assert undecided.result is UNKNOWN
    assert undecided.missing == (
        "lesions[1].distance_to_spinal_cord_mm",
        "lesions[2].distance_to_spinal_cord_mm",
    )
    decided = evaluate({"count_lesions": {"where": NEAR_CORD, "op": "le", "value": 5}}, facts)
    assert (
        decided.explanation == "1-3 of 3 recorded lesions meet: distance to the spinal cord at most 3 mm; trial allows at most 5"
    )


def test_vertebral_levels_span_the_lesion() -> None:
    junctional = cmp("vertebral_levels", "includes_any", ["T12", "L1"])
    spanning = LesionFacts(site="thoracic_spine", level_from="T10", level_to="T12")  # type: ignore[arg-type]
    assert result({"some_lesion": junctional}, described(spanning)) is MET
    above = LesionFacts(site="thoracic_spine", level_from="T8", level_to="T9")  # type: ignore[arg-type]
    assert result({"some_lesion": junctional}, described(above)) is NOT_MET
    # Off the spine the lesion spans no level; on the spine without a level it is unknown.
    assert result({"some_lesion": junctional}, described(RIB)) is NOT_MET
    unleveled = LesionFacts(site="lumbar_spine")  # type: ignore[arg-type]
    outcome = evaluate({"some_lesion": junctional}, described(unleveled))
    assert outcome.result is UNKNOWN
    assert outcome.missing == ("lesions[0].vertebral_levels",)


def test_labels_replace_generated_descriptions() -> None:
    rule = {"some_lesion": {"all": [IS_FEMUR, cmp("symptomatic", "eq", False)], "label": "asymptomatic femur"}}
    femur = LesionFacts(site="femur", symptomatic=False)  # type: ignore[arg-type]
    assert evaluate(rule, described(femur)).explanation == "lesion 1 (femur): asymptomatic femur"
    assert evaluate(rule, described(RIB)).explanation == (
        "no recorded lesion meets: asymptomatic femur (1 recorded); trial requires at least one"
    )


def test_extra_facts_are_read_and_typed() -> None:
    rule = cmp("extra.planned_min_bed10_gy", "ge", 48)
    assert result(rule, CaseFacts(extra={"planned_min_bed10_gy": 52.8})) is MET
    assert result(rule, CaseFacts(extra={"planned_min_bed10_gy": 39.0})) is NOT_MET
    missing = evaluate(rule, CaseFacts())
    assert missing.result is UNKNOWN
    assert missing.explanation == "unknown: needs extra.planned_min_bed10_gy"
    # A value of the wrong type is treated as not recorded rather than compared.
    assert result(rule, CaseFacts(extra={"planned_min_bed10_gy": "52"})) is UNKNOWN
    assert result(rule, CaseFacts(extra={"planned_min_bed10_gy": True})) is UNKNOWN


def test_memoised_outcomes_do_not_leak_between_cases() -> None:
    compiled = compile_expression(cmp("metastases_count", "le", 3))
    first = evaluate_rule(compiled, CaseFacts(bone_metastases_count=1, visceral_metastases_count=1))
    second = evaluate_rule(compiled, CaseFacts(bone_metastases_count=5, visceral_metastases_count=1))
    again = evaluate_rule(compiled, CaseFacts(bone_metastases_count=1, visceral_metastases_count=1))
    assert (first.result, second.result, again.result) == (MET, NOT_MET, MET)
    assert first == again


def test_fields_that_do_not_apply_to_a_site_are_known_not_unknown() -> None:
    joint = {"some_lesion": cmp("subsite", "in", ["femoral_neck", "acetabulum"])}
    rib_only = evaluate(joint, described(RIB))
    assert rib_only.result is NOT_MET  # a rib has no subsite to ask for
    femur_unknown = evaluate(joint, described(LesionFacts(site="femur")))  # type: ignore[arg-type]
    assert femur_unknown.missing == ("lesions[0].subsite",)
    spinal_only = {"no_lesion": cmp("epidural_compression_grade", "in", ["2", "3"])}
    assert result(spinal_only, described(FEMUR)) is MET
    assert result(spinal_only, described(SPINE_NEAR)) is UNKNOWN
    single_level = {"some_lesion": cmp("level_to", "eq", "T4")}
    assert result(single_level, described(SPINE_NEAR)) is MET
    prostate = CaseFacts(primary_histology="prostate")  # type: ignore[arg-type]
    assert evaluate(cmp("breast_subtype", "eq", "triple_negative"), prostate).explanation == (
        "breast subtype: not applicable; trial requires triple_negative"
    )
    assert result(cmp("breast_subtype", "ne", "triple_negative"), prostate) is MET
