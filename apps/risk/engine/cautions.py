"""Systemic-therapy cautions for radiotherapy given at the same time (concomitant).

Source: 004_87b49d5180a7d9e0.txt §3 (Radiotherapy Treatments Options and New Drugs); clinical-rules.md
§1b. Levels: ``avoid`` (do not combine concomitantly), ``caution`` (a specific risk to weigh), ``info``
(no warning: the combination is acceptable or needs only sequencing).

- ``cdk46_inhibitor``: avoid concomitance (pivotal trials allowed RT before the drug; reports of GI
  toxicity with RT to bone metastases during abemaciclib).
- ``parp_inhibitor``: avoid concomitance ("we do not recommend the concomitant use": myelosuppression
  could be amplified with pelvic or large-field spinal RT).
- ``tdm1``: radionecrosis reported with concomitant T-DM1 and radiosurgery (SRS for brain metastases).
  A ``caution`` when the technique is stereotactic (``srs``, ``sbrt``, ``sabr``, ``radiosurgery``,
  ``stereotactic``: the reports concern brain SRS, and extending them to body radiosurgery is the
  conservative reading); an ``info`` note when no technique or a conventional one is given.
- ``anti_her2`` (trastuzumab): concomitant RT does not increase major toxicity, cardiac included: ``info``.
- ``chemotherapy``: seed 004 says RT is "almost never concomitant" with cytotoxic chemotherapy because of
  the myelosuppression of both: a ``caution`` to sequence around the nadirs.
- ``endocrine``: hormonal treatment alone raises no problem with RT: ``info``.

Other classes have no statement in the seeds and get no entry. An unknown list of classes answers
"unknown: needs systemic_therapy_classes"; an empty list means no systemic therapy, hence no caution.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final

from apps.cases.vocabulary import SystemicTherapyClass
from apps.risk.engine import sources
from apps.risk.engine.results import Caution, CautionsResult, Rule, unknown_text


class CautionLevel(StrEnum):
    AVOID = "avoid"
    CAUTION = "caution"
    INFO = "info"


#: Technique strings read as stereotactic radiosurgery for the T-DM1 caution (compared lower-case).
STEREOTACTIC_TECHNIQUES: Final = frozenset({"srs", "sbrt", "sabr", "radiosurgery", "stereotactic"})

_S = sources.SEED_004 + " §3"
_T = SystemicTherapyClass

_CDK46: Final = Caution(
    "cdk46_concomitant_rt",
    _T.CDK46_INHIBITOR,
    CautionLevel.AVOID,
    "CDK4/6 inhibitor: avoid concomitant radiotherapy (GI / bone-marrow toxicity reports); give RT "
    "before starting the drug or during an interruption",
    f"{_S} (Target therapy in ER+HER2- setting and radiotherapy)",
)
_PARP: Final = Caution(
    "parp_concomitant_rt",
    _T.PARP_INHIBITOR,
    CautionLevel.AVOID,
    "PARP inhibitor: concomitant radiotherapy not recommended (bone-marrow toxicity, amplified with "
    "pelvic or large-field spinal RT)",
    f"{_S} (PARP inhibitors and radiotherapy)",
)
_TDM1_SRS: Final = Caution(
    "tdm1_radiosurgery",
    _T.TDM1,
    CautionLevel.CAUTION,
    "T-DM1 with stereotactic radiosurgery: radionecrosis reported with concomitant T-DM1 and SRS",
    f"{_S} (HER2 target therapy and radiotherapy)",
)
_TDM1_OTHER: Final = Caution(
    "tdm1_radiosurgery",
    _T.TDM1,
    CautionLevel.INFO,
    "T-DM1: radionecrosis reported with concomitant radiosurgery (SRS); relevant if a stereotactic technique is planned",
    f"{_S} (HER2 target therapy and radiotherapy)",
)
_ANTI_HER2: Final = Caution(
    "anti_her2_concomitant_rt",
    _T.ANTI_HER2,
    CautionLevel.INFO,
    "trastuzumab (anti-HER2) concomitant with radiotherapy is acceptable: no increase in major toxicity, cardiac included",
    f"{_S} (HER2 target therapy and radiotherapy)",
)
_CHEMOTHERAPY: Final = Caution(
    "chemotherapy_concomitant_rt",
    _T.CHEMOTHERAPY,
    CautionLevel.CAUTION,
    "cytotoxic chemotherapy: radiotherapy is almost never concomitant (myelosuppression of both); "
    "sequence them to avoid overlapping bone-marrow nadirs",
    f"{_S} (Cytotoxic chemotherapy and radiotherapy)",
)
_ENDOCRINE: Final = Caution(
    "endocrine_with_rt",
    _T.ENDOCRINE,
    CautionLevel.INFO,
    "hormonal treatment alone raises no problem in combination with radiotherapy",
    f"{_S} (Target therapy in ER+HER2- setting and radiotherapy)",
)

_ORDER: Final = {CautionLevel.AVOID: 0, CautionLevel.CAUTION: 1, CautionLevel.INFO: 2}


def _is_stereotactic(technique: str | None) -> bool:
    return technique is not None and technique.strip().lower() in STEREOTACTIC_TECHNIQUES


def systemic_therapy_cautions(
    classes: Iterable[SystemicTherapyClass | str] | None,
    technique: str | None = None,
) -> CautionsResult:
    """Cautions for RT given with these systemic-therapy classes (rule ``systemic_therapy_cautions``).

    ``classes`` is the case's ``systemic_therapy_classes`` (None = unknown, empty = none); ``technique`` is
    an optional RT technique string such as ``"sbrt"``/``"srs"``/``"conventional"``. ``category`` is the
    most serious level found, or ``"none"``. Cautions are ordered avoid, caution, info.

    Source: 004_87b49d5180a7d9e0.txt §3; clinical-rules.md §1b.
    """
    if classes is None:
        return CautionsResult(
            rule=Rule.SYSTEMIC_THERAPY_CAUTIONS,
            applicable=True,
            missing=("systemic_therapy_classes",),
            recommendation=unknown_text(("systemic_therapy_classes",)),
            source=sources.CAUTIONS,
            technique=technique,
        )
    present = set(classes)
    table: dict[str, Caution] = {
        _T.CDK46_INHIBITOR: _CDK46,
        _T.PARP_INHIBITOR: _PARP,
        _T.TDM1: _TDM1_SRS if _is_stereotactic(technique) else _TDM1_OTHER,
        _T.CHEMOTHERAPY: _CHEMOTHERAPY,
        _T.ANTI_HER2: _ANTI_HER2,
        _T.ENDOCRINE: _ENDOCRINE,
    }
    found = sorted(
        (caution for therapy, caution in table.items() if therapy in present),
        key=lambda c: _ORDER[CautionLevel(c.level)],
    )
    if not found:
        category = "none"
        text = "no systemic therapy recorded" if not present else "no interaction caution for these therapies"
    else:
        category = str(found[0].level)
        text = "; ".join(c.message for c in found)
    return CautionsResult(
        rule=Rule.SYSTEMIC_THERAPY_CAUTIONS,
        applicable=True,
        category=category,
        recommendation=text,
        source=sources.CAUTIONS,
        technique=technique,
        cautions=tuple(found),
    )
