"""Property tests: Kleene laws on random expressions and cases, and that "decided" is never a guess."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.cases.facts import CaseFacts, LesionFacts
from apps.cases.vocabulary import SITE_LEVELS, SPINAL_SITES, SUBSITES_BY_SITE, VERTEBRAL_LEVELS
from apps.trials.engine import (
    Eligibility,
    Result,
    aggregate,
    check_rule,
    compile_expression,
    compile_trial,
    evaluate_rule,
    kleene_all,
    kleene_any,
    kleene_not,
    load_seed_trials,
)

# ---------------------------------------------------------------------------------------------------------
# Random expressions
# ---------------------------------------------------------------------------------------------------------

LESION_LEAVES: list[dict[str, Any]] = [
    {"field": "site", "op": "eq", "value": "femur"},
    {"field": "site", "op": "in", "value": ["thoracic_spine", "lumbar_spine", "rib"]},
    {"field": "distance_to_spinal_cord_mm", "op": "le", "value": 3},
    {"field": "vertebral_levels", "op": "includes_any", "value": ["T12", "L1", "C7"]},
    {"field": "symptomatic", "op": "eq", "value": False},
    {"field": "max_diameter_mm", "op": "ge", "value": 20},
    {"field": "cortical_involvement", "op": "eq", "value": "one_third_to_two_thirds"},
    {"field": "subsite", "op": "in", "value": ["femoral_neck", "acetabulum", "humeral_head"]},
    {"field": "posterior_element_involvement", "op": "is_known"},
]
CASE_LEAVES: list[dict[str, Any]] = [
    {"field": "metastases_count", "op": "between", "value": [1, 3]},
    {"field": "metastases_count", "op": "le", "value": 5},
    {"field": "metastases_count", "op": "gt", "value": 5},
    {"field": "metastases_count", "op": "in", "value": [2, 4]},
    {"field": "bone_metastases_count", "op": "ge", "value": 2},
    {"field": "breast_subtype", "op": "eq", "value": "luminal"},
    {"field": "breast_subtype", "op": "ne", "value": "triple_negative"},
    {"field": "breast_subtype", "op": "in", "value": ["her2_positive", "triple_negative"]},
    {"field": "primary_histology", "op": "in", "value": ["breast", "nsclc"]},
    {"field": "oligometastatic_class", "op": "eq", "value": "de_novo_synchronous"},
    {"field": "oligometastatic_class", "op": "in", "value": ["induced", "repeat"]},
    {"field": "months_primary_to_metastasis", "op": "gt", "value": 12},
    {"field": "primary_controlled", "op": "eq", "value": True},
    {"field": "primary_controlled", "op": "is_known"},
    {"field": "er_status", "op": "eq", "value": "positive"},
    {"field": "systemic_therapy_classes", "op": "includes_any", "value": ["cdk46_inhibitor", "endocrine"]},
    {"field": "extra.planned_min_bed10_gy", "op": "ge", "value": 48},
    {"field": "lesion_count", "op": "ge", "value": 2},
]


def junctions(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda parts: {"all": parts}),
        st.lists(children, min_size=1, max_size=3).map(lambda parts: {"any": parts}),
        children.map(lambda part: {"not": part}),
    )


lesion_expressions = st.recursive(st.sampled_from(LESION_LEAVES), junctions, max_leaves=4)
quantifiers = st.one_of(
    lesion_expressions.map(lambda e: {"some_lesion": e}),
    lesion_expressions.map(lambda e: {"no_lesion": e}),
    st.tuples(lesion_expressions, st.sampled_from([("between", [1, 2]), ("ge", 1), ("eq", 0), ("in", [1, 3])])).map(
        lambda t: {"count_lesions": {"where": t[0], "op": t[1][0], "value": t[1][1]}}
    ),
)
expressions = st.recursive(st.one_of(st.sampled_from(CASE_LEAVES), quantifiers), junctions, max_leaves=6)

# ---------------------------------------------------------------------------------------------------------
# Random cases, with unknowns, and random completions of those unknowns
# ---------------------------------------------------------------------------------------------------------

RECEPTOR = ["positive", "negative"]
SITES = ["femur", "humerus", "rib", "pelvis", "thoracic_spine", "lumbar_spine", "cervical_spine", "sacrum"]
DATES = st.dates(min_value=date(2015, 1, 1), max_value=date(2025, 12, 31))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def level_choices(site: str) -> list[str]:
    return sorted(SITE_LEVELS[site], key=VERTEBRAL_LEVELS.index)  # type: ignore[index]


@st.composite
def lesions(draw: st.DrawFn) -> LesionFacts:
    site = draw(st.sampled_from(SITES))
    subsites = sorted(SUBSITES_BY_SITE.get(site, ()))  # type: ignore[call-overload]
    spinal = site in SPINAL_SITES
    return LesionFacts(
        site=site,  # type: ignore[arg-type]
        subsite=draw(optional(st.sampled_from(subsites))) if subsites else None,
        level_from=draw(optional(st.sampled_from(level_choices(site)))) if spinal else None,
        cortical_involvement=draw(optional(st.sampled_from(["lt_one_third", "one_third_to_two_thirds"]))),  # type: ignore[arg-type]
        max_diameter_mm=draw(optional(st.floats(5, 40))),
        symptomatic=draw(optional(st.booleans())),
        distance_to_spinal_cord_mm=draw(optional(st.floats(0, 10))) if spinal else None,
        posterior_element_involvement=draw(optional(st.booleans())),
    )


@st.composite
def cases(draw: st.DrawFn) -> CaseFacts:
    recorded = tuple(draw(st.lists(lesions(), max_size=3)))
    primary = draw(DATES)
    return CaseFacts(
        primary_histology=draw(optional(st.sampled_from(["breast", "nsclc", "prostate"]))),
        er_status=draw(optional(st.sampled_from([*RECEPTOR, "unknown"]))),
        pr_status=draw(optional(st.sampled_from(RECEPTOR))),
        her2_status=draw(optional(st.sampled_from(RECEPTOR))),
        primary_controlled=draw(optional(st.booleans())),
        bone_metastases_count=draw(optional(st.integers(len(recorded), len(recorded) + 5))),
        visceral_metastases_count=draw(optional(st.integers(0, 4))),
        history_polymetastatic=draw(optional(st.booleans())),
        history_oligometastatic_treated=draw(optional(st.booleans())),
        primary_diagnosis_date=draw(optional(st.just(primary))),
        metastasis_diagnosis_date=draw(optional(st.integers(-60, 900).map(lambda d: primary + timedelta(days=d)))),
        systemic_therapy_classes=draw(optional(st.sampled_from([(), ("endocrine",), ("chemotherapy",)]))),
        extra=draw(st.sampled_from([{}, {"planned_min_bed10_gy": 40.0}, {"planned_min_bed10_gy": 60.0}])),
        lesions=recorded,
    )


@st.composite
def completed(draw: st.DrawFn, case: CaseFacts) -> CaseFacts:
    """The same case with every unknown it may have replaced by some value (what reality could be)."""

    def fill(value: Any, strategy: st.SearchStrategy[Any]) -> Any:
        return draw(strategy) if value is None or value == "unknown" else value

    def filled(lesion: LesionFacts) -> LesionFacts:
        subsites = sorted(SUBSITES_BY_SITE.get(lesion.site, ()))  # type: ignore[call-overload]
        spinal = lesion.site in SPINAL_SITES
        return replace(
            lesion,
            subsite=fill(lesion.subsite, st.sampled_from(subsites)) if subsites else None,
            level_from=fill(lesion.level_from, st.sampled_from(level_choices(lesion.site))) if spinal else None,
            cortical_involvement=fill(lesion.cortical_involvement, st.sampled_from(["lt_one_third", "one_third_to_two_thirds"])),
            max_diameter_mm=fill(lesion.max_diameter_mm, st.floats(5, 40)),
            symptomatic=fill(lesion.symptomatic, st.booleans()),
            # Recorded for spinal lesions, but a number has no "not applicable": any lesion may have it.
            distance_to_spinal_cord_mm=fill(lesion.distance_to_spinal_cord_mm, st.floats(0, 10)),
            posterior_element_involvement=fill(lesion.posterior_element_involvement, st.booleans()),
        )

    bone = fill(case.bone_metastases_count, st.integers(len(case.lesions), len(case.lesions) + 8))
    # Reality describes every bone metastasis: those counted but not recorded as lesions are drawn too
    # (the quantifiers range over all of them, docs/trial-criteria.md §4).
    undescribed = [draw(lesions()) for _ in range(bone - len(case.lesions))]
    filled_lesions = [filled(lesion) for lesion in (*case.lesions, *undescribed)]
    primary = fill(case.primary_diagnosis_date, DATES)
    return replace(
        case,
        primary_histology=fill(case.primary_histology, st.sampled_from(["breast", "nsclc", "prostate"])),
        er_status=fill(case.er_status, st.sampled_from(RECEPTOR)),
        pr_status=fill(case.pr_status, st.sampled_from(RECEPTOR)),
        her2_status=fill(case.her2_status, st.sampled_from(RECEPTOR)),
        primary_controlled=fill(case.primary_controlled, st.booleans()),
        bone_metastases_count=bone,
        visceral_metastases_count=fill(case.visceral_metastases_count, st.integers(0, 8)),
        history_polymetastatic=fill(case.history_polymetastatic, st.booleans()),
        history_oligometastatic_treated=fill(case.history_oligometastatic_treated, st.booleans()),
        primary_diagnosis_date=primary,
        metastasis_diagnosis_date=fill(
            case.metastasis_diagnosis_date, st.integers(-400, 900).map(lambda d: primary + timedelta(days=d))
        ),
        systemic_therapy_classes=fill(case.systemic_therapy_classes, st.sampled_from([(), ("cdk46_inhibitor",), ("endocrine",)])),
        extra=case.extra or draw(st.sampled_from([{"planned_min_bed10_gy": 30.0}, {"planned_min_bed10_gy": 50.0}])),
        lesions=tuple(filled_lesions),
    )


def run(rule: dict[str, Any], case: CaseFacts) -> Any:
    return evaluate_rule(compile_expression(rule), case)


# ---------------------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------------------


@given(expressions)
def test_generated_expressions_are_valid(rule: dict[str, Any]) -> None:
    check_rule(rule)


@given(expressions, cases())
def test_double_negation_is_identity(rule: dict[str, Any], case: CaseFacts) -> None:
    assert run({"not": {"not": rule}}, case) == run(rule, case)


@given(expressions, cases())
def test_not_is_kleene_negation(rule: dict[str, Any], case: CaseFacts) -> None:
    plain, negated = run(rule, case), run({"not": rule}, case)
    assert negated.result is kleene_not(plain.result)
    if plain.result is Result.UNKNOWN:
        assert set(negated.missing) == set(plain.missing)


@given(st.lists(expressions, min_size=1, max_size=3), cases())
def test_junctions_are_kleene(parts: list[dict[str, Any]], case: CaseFacts) -> None:
    results = [run(part, case).result for part in parts]
    assert run({"all": parts}, case).result is kleene_all(results)
    assert run({"any": parts}, case).result is kleene_any(results)


@given(expressions, cases())
def test_unknown_exactly_when_something_is_missing(rule: dict[str, Any], case: CaseFacts) -> None:
    outcome = run(rule, case)
    assert (outcome.result is Result.UNKNOWN) == bool(outcome.missing)
    if outcome.result is Result.UNKNOWN:
        assert outcome.explanation == f"unknown: needs {', '.join(outcome.missing)}"
    else:
        assert not outcome.explanation.startswith("unknown")


@settings(max_examples=300)
@given(expressions, cases(), st.data())
def test_a_decided_result_holds_whatever_the_unknowns_turn_out_to_be(
    rule: dict[str, Any], case: CaseFacts, data: st.DataObject
) -> None:
    if '"is_known"' in json.dumps(rule) or '"lesion_count"' in json.dumps(rule):
        # is_known and lesion_count (lesions on record) are about what is recorded: filling a field in, or
        # describing a bone metastasis as a lesion, changes them by design
        return
    outcome = run(rule, case)
    if outcome.result is Result.UNKNOWN:
        return
    reality = data.draw(completed(case))
    assert run(rule, reality).result is outcome.result


@settings(max_examples=300)
@given(expressions, cases(), st.data())
def test_filling_in_the_missing_fields_can_only_decide(rule: dict[str, Any], case: CaseFacts, data: st.DataObject) -> None:
    # With every unknown filled in, nothing is missing any more.
    reality = data.draw(completed(case))
    assert run(rule, reality).result is not Result.UNKNOWN


SEEDED = [compile_trial(definition) for definition in load_seed_trials()]


@given(cases())
def test_trial_eligibility_aggregates_the_criteria(case: CaseFacts) -> None:
    for trial in SEEDED:
        match = trial.match(case)
        results = [c.result for c in match.criteria]
        assert match.eligibility is aggregate(results)
        if match.eligibility is Eligibility.POSSIBLY_ELIGIBLE:
            expected = list(dict.fromkeys(m for c in match.criteria if c.result is Result.UNKNOWN for m in c.missing))
            assert list(match.missing_fields) == expected
            assert match.missing_fields
        else:
            assert match.missing_fields == ()
        assert (match.eligibility is Eligibility.ELIGIBLE) == all(r is Result.MET for r in results)


@given(st.lists(st.sampled_from(list(Result)), max_size=6))
def test_aggregate(results: list[Result]) -> None:
    expected = (
        Eligibility.INELIGIBLE
        if Result.NOT_MET in results
        else Eligibility.POSSIBLY_ELIGIBLE
        if Result.UNKNOWN in results
        else Eligibility.ELIGIBLE
    )
    assert aggregate(results) is expected
