"""Radiosensitivity of the primary histology to conventional radiotherapy (NOMS framework).

Source: clinical-rules.md §1b; NOMS, Laufer I et al., "The NOMS framework: approach to the treatment of
spinal metastatic tumors", Oncologist 2013;18:744-751; 000_76782ef81e029740.txt; 002_eaa0f11dde358788.txt.
The table is data: each entry carries its own source.

Interpretation choices:

- ``thyroid`` and ``colorectal`` are radioresistant as clinical-rules.md §1b lists them; seed 000 names
  renal cell carcinoma, sarcoma and melanoma explicitly ("more radioresistant tumor types"), so the entries
  for thyroid and colorectal cite NOMS (Laufer 2013) through the rules document.
- ``germ_cell`` (seminoma, clinical-rules.md §1b "(and seminoma)") is radiosensitive, as NOMS counts
  seminoma; Patchell excluded germ-cell tumours as radiosensitive too (seed 000, Patchell 2005). A
  non-seminomatous germ-cell tumour recorded under this code reads radiosensitive: the vocabulary's code
  is defined as seminoma.
- The codes added 2026-12 ``endometrial``, ``cervical``, ``ovarian``, ``neuroendocrine`` and
  ``gallbladder`` are listed neither as radiosensitive nor as radioresistant: intermediate (§1b "others
  intermediate").
- ``unknown_primary`` and ``other`` answer unknown, not intermediate: the histology behind them is not
  known (``other`` may be a leukaemia, which NOMS counts as radiosensitive), so "others intermediate"
  (§1b) is read as "the other *named* histologies".
- A missing histology answers "unknown: needs primary_histology".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from apps.cases.facts import CaseFacts
from apps.cases.vocabulary import PrimaryHistology
from apps.risk.engine import sources
from apps.risk.engine._scoring import invalid_note
from apps.risk.engine.results import RadiosensitivityResult, Rule, unknown_text


class Radiosensitivity(StrEnum):
    RADIOSENSITIVE = "radiosensitive"
    INTERMEDIATE = "intermediate"
    RADIORESISTANT = "radioresistant"


@dataclass(frozen=True, slots=True)
class RadiosensitivityEntry:
    """One row of the table: histology, its class (None = unknown) and where the class comes from."""

    histology: PrimaryHistology
    radiosensitivity: Radiosensitivity | None
    source: str


_NOMS = "NOMS, Laufer I et al., Oncologist 2013 (clinical-rules.md §1b)"
_SEED_000 = (
    f"{sources.SEED_000} (General Considerations: 'more radioresistant tumor types such as renal cell "
    "carcinomas, sarcomas, and melanomas'); " + _NOMS
)
_SEED_002 = (
    f"{sources.SEED_002} (Materials and Methods: 'radioresistant histology (such as pheochromocytoma or renal cell carcinoma)')"
)
_PATCHELL = f"{sources.SEED_000}: Patchell RA et al., Lancet 2005 (germ-cell tumours excluded as radiosensitive)"
_OTHERS = "clinical-rules.md §1b: histologies not listed as radiosensitive or radioresistant are intermediate"
_NOT_KNOWN = "the histology behind this code is not known, so neither is its radiosensitivity"

_RS, _INT, _RR = (
    Radiosensitivity.RADIOSENSITIVE,
    Radiosensitivity.INTERMEDIATE,
    Radiosensitivity.RADIORESISTANT,
)
_H = PrimaryHistology

#: The table, one entry per histology code (a test checks that every code has an entry).
RADIOSENSITIVITY_TABLE: Final[dict[PrimaryHistology, RadiosensitivityEntry]] = {
    entry.histology: entry
    for entry in (
        RadiosensitivityEntry(_H.LYMPHOMA, _RS, _NOMS),
        RadiosensitivityEntry(_H.MYELOMA, _RS, _NOMS),
        RadiosensitivityEntry(_H.GERM_CELL, _RS, f"{_NOMS}: seminoma; {_PATCHELL}"),
        RadiosensitivityEntry(_H.RENAL_CELL, _RR, f"{_SEED_000}; {_SEED_002}"),
        RadiosensitivityEntry(_H.MELANOMA, _RR, _SEED_000),
        RadiosensitivityEntry(_H.SARCOMA, _RR, _SEED_000),
        RadiosensitivityEntry(_H.THYROID, _RR, _NOMS),
        RadiosensitivityEntry(_H.COLORECTAL, _RR, _NOMS),
        RadiosensitivityEntry(_H.PHEOCHROMOCYTOMA, _RR, _SEED_002),
        RadiosensitivityEntry(_H.BREAST, _INT, _OTHERS),
        RadiosensitivityEntry(_H.PROSTATE, _INT, _OTHERS),
        RadiosensitivityEntry(_H.NSCLC, _INT, _OTHERS),
        RadiosensitivityEntry(_H.SCLC, _INT, _OTHERS),
        RadiosensitivityEntry(_H.HEPATOCELLULAR, _INT, _OTHERS),
        RadiosensitivityEntry(_H.UROTHELIAL, _INT, _OTHERS),
        RadiosensitivityEntry(_H.PANCREATIC, _INT, _OTHERS),
        RadiosensitivityEntry(_H.ESOPHAGEAL_SQUAMOUS, _INT, _OTHERS),
        RadiosensitivityEntry(_H.GASTRIC, _INT, _OTHERS),
        RadiosensitivityEntry(_H.HEAD_NECK_SQUAMOUS, _INT, _OTHERS),
        RadiosensitivityEntry(_H.ENDOMETRIAL, _INT, _OTHERS),
        RadiosensitivityEntry(_H.CERVICAL, _INT, _OTHERS),
        RadiosensitivityEntry(_H.OVARIAN, _INT, _OTHERS),
        RadiosensitivityEntry(_H.NEUROENDOCRINE, _INT, _OTHERS),
        RadiosensitivityEntry(_H.GALLBLADDER, _INT, _OTHERS),
        RadiosensitivityEntry(_H.UNKNOWN_PRIMARY, None, _NOT_KNOWN),
        RadiosensitivityEntry(_H.OTHER, None, _NOT_KNOWN),
    )
}


def radiosensitivity_of(histology: PrimaryHistology | str | None) -> Radiosensitivity | None:
    """The class of one histology code, or None when unknown (missing, unknown primary, other, invalid)."""
    if histology is None:
        return None
    entry = RADIOSENSITIVITY_TABLE.get(histology)  # type: ignore[call-overload]
    return None if entry is None else entry.radiosensitivity


def _result(histology: PrimaryHistology | str | None) -> RadiosensitivityResult:
    if histology is None:
        return RadiosensitivityResult(
            rule=Rule.RADIOSENSITIVITY,
            applicable=True,
            missing=("primary_histology",),
            recommendation=unknown_text(("primary_histology",)),
            source=sources.RADIOSENSITIVITY,
        )
    entry = RADIOSENSITIVITY_TABLE.get(histology)  # type: ignore[call-overload]
    if entry is None:
        note = invalid_note("primary_histology", histology)
        return RadiosensitivityResult(
            rule=Rule.RADIOSENSITIVITY,
            applicable=True,
            missing=("primary_histology",),
            recommendation=unknown_text(("primary_histology",)),
            notes=(note,),
            source=sources.RADIOSENSITIVITY,
            histology=str(histology),
        )
    if entry.radiosensitivity is None:
        text = f"unknown: {entry.histology.value}: {_NOT_KNOWN}"
    else:
        text = f"{entry.histology.value}: {entry.radiosensitivity.value} to conventional radiotherapy (NOMS)"
    return RadiosensitivityResult(
        rule=Rule.RADIOSENSITIVITY,
        applicable=True,
        category=entry.radiosensitivity,
        recommendation=text,
        source=entry.source,
        histology=entry.histology.value,
    )


#: Results are pure functions of the histology code: precomputed once per code.
_RESULTS: Final = {histology: _result(histology) for histology in PrimaryHistology}
_MISSING: Final = _result(None)


def histology_radiosensitivity(
    case_or_histology: CaseFacts | PrimaryHistology | str | None,
) -> RadiosensitivityResult:
    """Radiosensitivity of a case's primary histology (rule ``radiosensitivity``), from the table above.

    Source: clinical-rules.md §1b; NOMS (Laufer 2013); seeds 000 and 002 (see each entry's source).
    """
    histology = case_or_histology.primary_histology if isinstance(case_or_histology, CaseFacts) else case_or_histology
    if histology is None:
        return _MISSING
    found = _RESULTS.get(histology)  # type: ignore[call-overload]
    return found if found is not None else _result(histology)
