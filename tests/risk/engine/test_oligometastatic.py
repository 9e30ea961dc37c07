"""Oligometastatic state: counts, each definition, ESTRO/EORTC classes, oligoprogression (§6)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from apps.cases.facts import CaseFacts
from apps.risk.engine import de_novo_timing, oligometastatic_state

PRIMARY = date(2025, 3, 15)


def de_novo_case(**fields: object) -> CaseFacts:
    base: dict[str, object] = {
        "bone_metastases_count": 2,
        "visceral_metastases_count": 1,
        "history_polymetastatic": False,
        "history_oligometastatic_treated": False,
        "primary_diagnosis_date": PRIMARY,
        "metastasis_diagnosis_date": date(2025, 5, 1),
        "on_systemic_therapy": False,
    }
    base.update(fields)
    return CaseFacts(**base)  # type: ignore[arg-type]


def status(case: CaseFacts, code: str) -> str:
    return str(oligometastatic_state(case).definition(code).status)


def test_total_foci_is_bone_plus_visceral() -> None:
    result = oligometastatic_state(de_novo_case(bone_metastases_count=3, visceral_metastases_count=2))
    assert result.total_foci == 5
    assert (result.bone_metastases_count, result.visceral_metastases_count) == (3, 2)


@pytest.mark.parametrize("missing", ["bone_metastases_count", "visceral_metastases_count"])
def test_total_unknown_when_either_count_is_missing(missing: str) -> None:
    result = oligometastatic_state(de_novo_case(**{missing: None}))
    assert result.total_foci is None
    assert result.category is None
    assert missing in result.missing
    assert status(de_novo_case(**{missing: None}), "estro_astro_1_to_5") == "unknown"


@pytest.mark.parametrize(
    ("bone", "visceral", "consensus", "seed002"),
    [
        (0, 0, "not_met", "not_met"),
        (1, 0, "met", "met"),
        (2, 1, "met", "met"),
        (3, 1, "met", "not_met"),  # 4: ESTRO/ASTRO yes, seed 002 no
        (4, 1, "met", "not_met"),  # 5: the ESTRO/ASTRO boundary
        (5, 1, "not_met", "not_met"),  # 6
    ],
)
def test_each_definition_keeps_its_own_cut_off(bone: int, visceral: int, consensus: str, seed002: str) -> None:
    case = de_novo_case(bone_metastases_count=bone, visceral_metastases_count=visceral)
    assert status(case, "estro_astro_1_to_5") == consensus
    assert status(case, "seed002_le_3") == seed002


def test_more_than_five_foci_is_polymetastatic() -> None:
    assert oligometastatic_state(de_novo_case(bone_metastases_count=6, visceral_metastases_count=0)).category == "polymetastatic"


def test_zero_foci_has_no_class() -> None:
    assert oligometastatic_state(de_novo_case(bone_metastases_count=0, visceral_metastases_count=0)).category is None


@pytest.mark.parametrize(
    ("metastasis", "expected"),
    [
        (date(2025, 3, 15), "de_novo_synchronous"),  # same day
        (date(2025, 9, 15), "de_novo_synchronous"),  # exactly 6 months: still within
        (date(2025, 9, 16), "de_novo_metachronous"),  # the day after: > 6 months
        (date(2024, 12, 1), "de_novo_synchronous"),  # metastasis found before the primary
    ],
)
def test_de_novo_boundary_day(metastasis: date, expected: str) -> None:
    assert oligometastatic_state(de_novo_case(metastasis_diagnosis_date=metastasis)).category == expected


def test_month_end_boundary_uses_calendar_months() -> None:
    # 31 August + 6 months = 28 February (relativedelta clamps to the month's end)
    assert de_novo_timing(date(2025, 8, 31), date(2026, 2, 28)) == "de_novo_synchronous"
    assert de_novo_timing(date(2025, 8, 31), date(2026, 3, 1)) == "de_novo_metachronous"
    # leap year: 31 August 2023 + 6 months = 29 February 2024
    assert de_novo_timing(date(2023, 8, 31), date(2024, 2, 29)) == "de_novo_synchronous"


def test_days_between_diagnoses_are_reported() -> None:
    result = oligometastatic_state(de_novo_case(metastasis_diagnosis_date=date(2025, 3, 25)))
    assert result.days_primary_to_metastasis == 10


@pytest.mark.parametrize("missing", ["primary_diagnosis_date", "metastasis_diagnosis_date"])
def test_de_novo_timing_needs_both_dates(missing: str) -> None:
    result = oligometastatic_state(de_novo_case(**{missing: None}))
    assert result.category is None
    assert missing in result.missing


def test_induced_after_polymetastatic_disease() -> None:
    assert oligometastatic_state(de_novo_case(history_polymetastatic=True)).category == "induced"


def test_repeat_after_treated_oligometastatic_disease() -> None:
    assert oligometastatic_state(de_novo_case(history_oligometastatic_treated=True)).category == "repeat"


def test_decision_tree_order_polymetastatic_history_first() -> None:
    # Given both histories (ESTRO/EORTC tree asks about polymetastatic history first)
    case = de_novo_case(history_polymetastatic=True, history_oligometastatic_treated=True)
    assert oligometastatic_state(case).category == "induced"


@pytest.mark.parametrize("missing", ["history_polymetastatic", "history_oligometastatic_treated"])
def test_unknown_history_leaves_the_class_unknown(missing: str) -> None:
    result = oligometastatic_state(de_novo_case(**{missing: None}))
    assert result.category is None
    assert missing in result.missing


def test_polymetastatic_needs_no_history() -> None:
    case = de_novo_case(bone_metastases_count=9, history_polymetastatic=None, history_oligometastatic_treated=None)
    assert oligometastatic_state(case).category == "polymetastatic"


@pytest.mark.parametrize(
    ("on_therapy", "progressing", "expected"),
    [
        (True, 1, True),
        (True, 3, True),
        (True, 4, False),
        (True, 0, False),
        (False, 2, False),
        (None, 2, None),
        (True, None, None),
        (None, 5, False),
    ],
)
def test_oligoprogression(on_therapy: bool | None, progressing: int | None, expected: bool | None) -> None:
    result = oligometastatic_state(de_novo_case(on_systemic_therapy=on_therapy, progressing_lesions_count=progressing))
    assert result.oligoprogression is expected
    assert result.to_dict()["oligoprogression"] is expected


def test_brain_metastases_note_for_the_extracranial_definition() -> None:
    result = oligometastatic_state(de_novo_case(brain_metastases=True))
    assert any("extracranial" in note for note in result.notes)


def test_dict_shape() -> None:
    data = oligometastatic_state(de_novo_case()).to_dict()
    assert data["estro_eortc_class"] == "de_novo_synchronous"
    assert data["total_foci"] == 3
    assert [d["code"] for d in data["definitions"]] == [
        "estro_astro_1_to_5",
        "seed002_le_3",
        "oligoprogression_le_3",
    ]
    assert "003_694939402052979f.txt" in data["source"]
    assert json.loads(json.dumps(data)) == data


def test_a_bone_count_lower_than_the_recorded_lesions_is_not_believed() -> None:
    # Given 4 bone lesions recorded but bone_metastases_count 2 (issue 9: the engine used to believe 2)
    from apps.cases.facts import LesionFacts
    from apps.cases.vocabulary import Site

    lesions = tuple(LesionFacts(site=Site.RIB, ref=f"l{i}") for i in range(4))
    case = de_novo_case(bone_metastases_count=2, visceral_metastases_count=0, lesions=lesions)
    result = oligometastatic_state(case)
    # Then "<= 3" is not met (at least 4), "1-5" is unknown, the count is asked for again
    assert status(case, "seed002_le_3") == "not_met"
    assert "at least 4" in result.definition("seed002_le_3").explanation
    assert status(case, "estro_astro_1_to_5") == "unknown"
    assert result.category is None
    assert "bone_metastases_count" in result.missing
    assert result.bone_metastases_count is None
    assert result.bone_metastases_count_stated == 2
    assert result.bone_metastases_at_least == 4
    assert result.total_foci is None and result.total_foci_at_least == 4
    assert any("lower than the 4 recorded lesions" in note for note in result.notes)
    # And the oligometastatic flag is not raised on a count that is not believed
    data = result.to_dict()
    assert data["bone_metastases_count_stated"] == 2 and data["total_foci_at_least"] == 4


def test_a_contradicted_count_above_five_recorded_lesions_is_polymetastatic() -> None:
    from apps.cases.facts import LesionFacts
    from apps.cases.vocabulary import Site

    lesions = tuple(LesionFacts(site=Site.RIB, ref=f"l{i}") for i in range(6))
    result = oligometastatic_state(de_novo_case(bone_metastases_count=2, lesions=lesions))
    assert result.category == "polymetastatic"
    assert result.definition("estro_astro_1_to_5").status == "not_met"


def test_at_least_six_bone_metastases_with_visceral_unknown_is_polymetastatic() -> None:
    result = oligometastatic_state(de_novo_case(bone_metastases_count=6, visceral_metastases_count=None))
    assert result.category == "polymetastatic"
    assert result.definition("estro_astro_1_to_5").status == "not_met"
    assert result.total_foci is None and result.total_foci_at_least == 6
