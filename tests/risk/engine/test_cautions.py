"""Systemic-therapy cautions with radiotherapy (seed 004 §3)."""

from __future__ import annotations

import pytest

from apps.cases.vocabulary import SystemicTherapyClass
from apps.risk.engine import systemic_therapy_cautions


def levels(classes: list[str], technique: str | None = None) -> dict[str, str]:
    result = systemic_therapy_cautions(classes, technique)
    return {str(c.therapy_class): str(c.level) for c in result.cautions}


@pytest.mark.parametrize("therapy", ["cdk46_inhibitor", "parp_inhibitor"])
def test_cdk46_and_parp_inhibitors_are_avoided(therapy: str) -> None:
    result = systemic_therapy_cautions([therapy])
    assert levels([therapy]) == {therapy: "avoid"}
    assert result.category == "avoid"
    assert "004_87b49d5180a7d9e0.txt" in result.cautions[0].source


@pytest.mark.parametrize(
    ("technique", "level"),
    [("srs", "caution"), ("SBRT", "caution"), ("conventional", "info"), (None, "info")],
)
def test_tdm1_radionecrosis_with_radiosurgery(technique: str | None, level: str) -> None:
    result = systemic_therapy_cautions([SystemicTherapyClass.TDM1], technique)
    assert levels(["tdm1"], technique) == {"tdm1": level}
    assert "radionecrosis" in result.cautions[0].message


def test_trastuzumab_is_an_informational_note_not_a_warning() -> None:
    result = systemic_therapy_cautions(["anti_her2"])
    assert levels(["anti_her2"]) == {"anti_her2": "info"}
    assert result.category == "info"
    assert "acceptable" in result.cautions[0].message


def test_most_serious_first() -> None:
    result = systemic_therapy_cautions(["anti_her2", "tdm1", "parp_inhibitor", "chemotherapy"], "srs")
    assert [str(c.level) for c in result.cautions] == ["avoid", "caution", "caution", "info"]
    assert result.category == "avoid"


def test_unknown_classes_answer_unknown() -> None:
    result = systemic_therapy_cautions(None)
    assert result.category is None
    assert result.recommendation == "unknown: needs systemic_therapy_classes"


def test_no_therapy_means_no_caution() -> None:
    result = systemic_therapy_cautions(())
    assert result.category == "none"
    assert result.cautions == ()


def test_classes_without_a_statement_get_no_caution() -> None:
    assert systemic_therapy_cautions(["immunotherapy", "adt"]).cautions == ()
