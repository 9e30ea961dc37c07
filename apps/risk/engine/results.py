"""Result value types of the risk engine: small, immutable, JSON-ready.

Every rule returns a frozen, slotted dataclass derived from :class:`RuleResult`, with ``to_dict()`` giving
plain JSON data (str, int, float, bool, None, lists and dicts only). Unknown is a value: a result that
needs a missing input has ``score``/``category`` None, the needed field names in ``missing`` and the text
``"unknown: needs <field>, ..."`` as its recommendation (clinical-rules.md §1b).

The dataclasses are ``kw_only`` so subclasses can add fields after the base's defaulted ones, and they
avoid zero-argument ``super()`` (it breaks with ``slots=True`` before Python 3.14): subclasses extend the
dict of :meth:`RuleResult._base_dict` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias

from apps.clinical.derivations import unknown_text as unknown_text  # re-exported: the one wording
from apps.risk.engine.version import ENGINE_VERSION

JSONScalar: TypeAlias = str | int | float | bool | None


class Rule(StrEnum):
    """Rule codes, as they appear in results, flags and the API."""

    MIRELS = "mirels"
    SINS = "sins"
    ESCC = "escc"
    HIGH_RISK_ASYMPTOMATIC = "high_risk_asymptomatic"
    OLIGOMETASTATIC = "oligometastatic"
    RADIOSENSITIVITY = "radiosensitivity"
    SYSTEMIC_THERAPY_CAUTIONS = "systemic_therapy_cautions"


class CheckStatus(StrEnum):
    """Outcome of one criterion of a checklist (Gillespie criteria, Patchell criteria, definitions)."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


def _plain(value: JSONScalar) -> JSONScalar:
    # StrEnum members are str already; turn them into plain str so the dict is exactly JSON's data model.
    return str(value) if isinstance(value, StrEnum) else value


@dataclass(frozen=True, slots=True)
class Component:
    """One line of a score's breakdown: the input value that produced it, its points and why."""

    name: str
    input: JSONScalar
    points: int | None
    note: str = ""

    def to_dict(self) -> dict[str, JSONScalar]:
        return {"input": _plain(self.input), "points": self.points, "note": self.note}


@dataclass(frozen=True, slots=True)
class CriterionCheck:
    """One criterion of a checklist, answered met / not_met / unknown with an explanation.

    ``missing`` names the fields that would decide an ``unknown``; ``source`` is where the criterion comes
    from (empty when the checklist's own source covers it).
    """

    code: str
    status: CheckStatus
    input: JSONScalar
    explanation: str
    missing: tuple[str, ...] = ()
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": str(self.status),
            "input": _plain(self.input),
            "explanation": self.explanation,
            "missing": list(self.missing),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleResult:
    """What every rule answers.

    ``applicable`` is False when the rule does not apply to this lesion or case (then ``score`` and
    ``category`` are None and ``recommendation`` says why); ``missing`` lists the input fields still needed
    for a full answer; ``notes`` carry the interpretation choices that affected this particular answer.
    """

    rule: Rule
    applicable: bool
    score: int | None = None
    category: str | None = None
    components: tuple[Component, ...] = ()
    missing: tuple[str, ...] = ()
    recommendation: str = ""
    notes: tuple[str, ...] = ()
    source: str = ""
    engine_version: str = ENGINE_VERSION

    @property
    def known(self) -> bool:
        """True when the rule applies and nothing it needs is missing."""
        return self.applicable and not self.missing

    def _base_dict(self) -> dict[str, Any]:
        return {
            "rule": str(self.rule),
            "applicable": self.applicable,
            "score": self.score,
            "category": None if self.category is None else str(self.category),
            "components": {c.name: c.to_dict() for c in self.components},
            "missing": list(self.missing),
            "recommendation": self.recommendation,
            "notes": list(self.notes),
            "source": self.source,
            "engine_version": self.engine_version,
        }

    def to_dict(self) -> dict[str, Any]:
        return self._base_dict()


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreResult(RuleResult):
    """A points score (Mirels, SINS). ``possible_range`` is (lowest, highest) total still possible when
    some components are unknown; ``score`` and ``category`` then stay None."""

    possible_range: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = self._base_dict()
        data["possible_range"] = None if self.possible_range is None else list(self.possible_range)
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class SinsResult(ScoreResult):
    """SINS, with ``surgical_consultation`` (score >= 7). It is None only when the missing components
    could still put the total on either side of 7; when the known points alone reach 7 it is True even
    though the total is unknown, because every completion of the score calls for the consultation."""

    surgical_consultation: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        data = ScoreResult.to_dict(self)
        data["surgical_consultation"] = self.surgical_consultation
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class HighRiskResult(RuleResult):
    """High-risk asymptomatic bone metastasis (Gillespie): every criterion with its status.

    ``to_dict()["components"]`` gives each criterion as ``{"input", "status", "note"}`` (no points)."""

    high_risk: bool = False
    symptomatic: bool | None = None
    #: ``asymptomatic``, ``minimally_symptomatic``, ``symptomatic``, ``asymptomatic_or_minimally_symptomatic``
    #: (only ``symptomatic`` False recorded) or None (unknown).
    symptoms: str | None = None
    criteria: tuple[CriterionCheck, ...] = ()

    @property
    def criteria_met(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria if c.status is CheckStatus.MET)

    @property
    def criteria_unknown(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria if c.status is CheckStatus.UNKNOWN)

    def to_dict(self) -> dict[str, Any]:
        data = self._base_dict()
        # The breakdown every result carries (api-contract.md): one entry per criterion, in the fixed
        # order, with its status instead of points (the criteria are a checklist, not a score).
        data["components"] = {
            c.code: {"input": _plain(c.input), "status": str(c.status), "note": c.explanation} for c in self.criteria
        }
        data["high_risk"] = self.high_risk
        data["symptomatic"] = self.symptomatic
        data["symptoms"] = self.symptoms
        data["criteria_met"] = list(self.criteria_met)
        data["criteria_unknown"] = list(self.criteria_unknown)
        data["criteria"] = [c.to_dict() for c in self.criteria]
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class EsccResult(RuleResult):
    """Epidural spinal cord compression: Bilsky grade, the high-grade flag, the Patchell checklist and the
    non-surgical regimen suggestion."""

    grade: str | None = None
    high_grade: bool | None = None
    patchell_criteria: tuple[CriterionCheck, ...] = ()
    surgical_candidate: CheckStatus | None = None
    non_surgical_regimens: tuple[str, ...] = ()
    radiosensitivity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = self._base_dict()
        data["grade"] = self.grade
        data["high_grade"] = self.high_grade
        data["urgent_review"] = self.high_grade is True
        data["patchell_criteria"] = [c.to_dict() for c in self.patchell_criteria]
        data["surgical_candidate"] = None if self.surgical_candidate is None else str(self.surgical_candidate)
        data["non_surgical_regimens"] = list(self.non_surgical_regimens)
        data["radiosensitivity"] = self.radiosensitivity
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class RadiosensitivityResult(RuleResult):
    """Radiosensitivity of the primary histology to conventional RT (NOMS); ``category`` holds it."""

    histology: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = self._base_dict()
        data["histology"] = self.histology
        data["radiosensitivity"] = data["category"]
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class OligometastaticResult(RuleResult):
    """Counts and every definition's verdict; ``category`` is the ESTRO/EORTC class (or None).

    ``bone_metastases_count`` and ``total_foci`` are the counts the engine relies on (None when not known,
    including a stated bone count lower than the recorded lesions); ``*_at_least`` are their lower bounds
    and ``bone_metastases_count_stated`` the count as entered (``apps.clinical.derivations``)."""

    bone_metastases_count: int | None = None
    visceral_metastases_count: int | None = None
    total_foci: int | None = None
    bone_metastases_count_stated: int | None = None
    bone_metastases_at_least: int = 0
    total_foci_at_least: int = 0
    definitions: tuple[CriterionCheck, ...] = ()
    oligoprogression: bool | None = None
    days_primary_to_metastasis: int | None = None

    def definition(self, code: str) -> CriterionCheck:
        for check in self.definitions:
            if check.code == code:
                return check
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        data = self._base_dict()
        data["bone_metastases_count"] = self.bone_metastases_count
        data["visceral_metastases_count"] = self.visceral_metastases_count
        data["total_foci"] = self.total_foci
        data["bone_metastases_count_stated"] = self.bone_metastases_count_stated
        data["bone_metastases_at_least"] = self.bone_metastases_at_least
        data["total_foci_at_least"] = self.total_foci_at_least
        data["definitions"] = [c.to_dict() for c in self.definitions]
        data["estro_eortc_class"] = data["category"]
        data["oligoprogression"] = self.oligoprogression
        data["days_primary_to_metastasis"] = self.days_primary_to_metastasis
        return data


@dataclass(frozen=True, slots=True)
class Caution:
    """One systemic-therapy / radiotherapy interaction. ``level``: ``avoid``, ``caution`` or ``info``."""

    code: str
    therapy_class: str
    level: str
    message: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "therapy_class": str(self.therapy_class),
            "level": str(self.level),
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CautionsResult(RuleResult):
    """Systemic-therapy cautions; ``category`` is the most serious level found (or ``none``)."""

    technique: str | None = None
    cautions: tuple[Caution, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = self._base_dict()
        data["technique"] = self.technique
        data["cautions"] = [c.to_dict() for c in self.cautions]
        return data


@dataclass(frozen=True, slots=True)
class Flag:
    """Something the board must see, ranked by ``priority`` (higher first).

    ``lesion_ref`` is the lesion's ref, or None for a case-level flag.
    """

    code: str
    rule: Rule
    priority: int
    message: str
    source: str
    lesion_ref: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": str(self.rule),
            "priority": self.priority,
            "lesion_ref": self.lesion_ref,
            "message": self.message,
            "source": self.source,
        }
