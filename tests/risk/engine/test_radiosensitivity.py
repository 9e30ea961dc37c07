"""Radiosensitivity table (NOMS; clinical-rules.md §1b, seeds 000 and 002)."""

from __future__ import annotations

import pytest

from apps.cases.facts import CaseFacts
from apps.cases.vocabulary import PrimaryHistology
from apps.risk.engine import RADIOSENSITIVITY_TABLE, histology_radiosensitivity, radiosensitivity_of

EXPECTED = {
    "lymphoma": "radiosensitive",
    "myeloma": "radiosensitive",
    "germ_cell": "radiosensitive",  # seminoma (clinical-rules §1b), added 2026-12
    "renal_cell": "radioresistant",
    "melanoma": "radioresistant",
    "thyroid": "radioresistant",
    "colorectal": "radioresistant",
    "sarcoma": "radioresistant",
    "pheochromocytoma": "radioresistant",
    "breast": "intermediate",
    "prostate": "intermediate",
    "nsclc": "intermediate",
    "sclc": "intermediate",
    "hepatocellular": "intermediate",
    "urothelial": "intermediate",
    "pancreatic": "intermediate",
    "esophageal_squamous": "intermediate",
    "gastric": "intermediate",
    "head_neck_squamous": "intermediate",
    "endometrial": "intermediate",
    "cervical": "intermediate",
    "ovarian": "intermediate",
    "neuroendocrine": "intermediate",
    "gallbladder": "intermediate",
    "unknown_primary": None,
    "other": None,
}


def test_every_histology_code_has_an_entry_with_a_source() -> None:
    assert set(RADIOSENSITIVITY_TABLE) == set(PrimaryHistology)
    assert set(EXPECTED) == {h.value for h in PrimaryHistology}
    assert all(entry.source for entry in RADIOSENSITIVITY_TABLE.values())


@pytest.mark.parametrize(("histology", "expected"), EXPECTED.items())
def test_class_of_every_histology(histology: str, expected: str | None) -> None:
    # Given a case of each histology
    result = histology_radiosensitivity(CaseFacts(primary_histology=PrimaryHistology(histology)))
    # Then its class is the table's, and the code string gives the same answer
    assert result.category == expected
    assert radiosensitivity_of(histology) == expected
    assert result.histology == histology
    assert result.to_dict()["radiosensitivity"] == expected


def test_sources_name_the_seed_that_states_the_class() -> None:
    assert "002_eaa0f11dde358788.txt" in RADIOSENSITIVITY_TABLE[PrimaryHistology.PHEOCHROMOCYTOMA].source
    assert "000_76782ef81e029740.txt" in RADIOSENSITIVITY_TABLE[PrimaryHistology.MELANOMA].source
    assert "Laufer" in RADIOSENSITIVITY_TABLE[PrimaryHistology.LYMPHOMA].source


def test_missing_histology_is_unknown() -> None:
    result = histology_radiosensitivity(CaseFacts())
    assert result.category is None
    assert result.missing == ("primary_histology",)
    assert result.recommendation == "unknown: needs primary_histology"


def test_invalid_histology_is_unknown_not_a_crash() -> None:
    result = histology_radiosensitivity("seminoma")
    assert result.category is None
    assert result.missing == ("primary_histology",)
