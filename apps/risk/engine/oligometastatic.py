"""Oligometastatic state of a case: counts, each definition's verdict, ESTRO/EORTC class, oligoprogression.

No single cut-off serves every purpose (clinical-rules.md §6), so the result exposes the counts and one
verdict per definition; trials apply their own cut-offs to ``total_foci``.

Definitions (codes of ``OligometastaticResult.definitions``):

- ``estro_astro_1_to_5``: 1-5 metastatic foci (ESTRO/ASTRO consensus; source 000_76782ef81e029740.txt,
  SBRT for Oligometastatic Disease, Lievens Y et al. Radiother Oncol 2020). The consensus also asks that
  all foci be safely treatable: a clinical judgement the board makes, stated in a note.
- ``seed002_le_3``: <= 3 extracranial metastases (source 002_eaa0f11dde358788.txt, Materials and Methods).
- ``oligoprogression_le_3``: progression of <= 3 lesions under systemic therapy (source 002, same section).

ESTRO/EORTC class (source 003_694939402052979f.txt §3.1, Guckenberger M et al. Lancet Oncol 2020), for a
case with 1-5 foci, following the consensus decision tree in its order:

1. ``history_polymetastatic`` True: ``induced`` (systemic therapy reduced polymetastatic disease);
2. else ``history_oligometastatic_treated`` True: ``repeat``;
3. else de novo: ``de_novo_synchronous`` when the metastases were diagnosed within 6 months of the primary
   (``metastasis_diagnosis_date <= add_months(primary_diagnosis_date, 6)``: the same calendar
   day six months later is still "within"; ``apps.clinical.dates`` clamps month ends, e.g. 31 Aug + 6 months = 28/29
   Feb), ``de_novo_metachronous`` when later (> 6 months). Metastases diagnosed before the primary are
   synchronous.

More than 5 foci: ``polymetastatic``. Total unknown (either count missing), or a history flag or a date
that the tree needs is missing: class None with the field in ``missing``. Zero foci: no class (nothing
metastatic recorded).

Counts come from the shared derivation (``apps.clinical.derivations``): ``total_foci`` = bone + visceral
counts. A ``bone_metastases_count`` lower than the recorded lesions is not believed (each recorded lesion
is a bone metastasis): the bone count is then unknown (``bone_metastases_count`` None, asked for in
``missing``), bounded below by the recorded lesions (``bone_metastases_at_least``), and a definition is
decided only when every possible count decides it (4 lesions recorded, "2 bone metastases": "<= 3" not
met, "1-5" unknown; more than 5 at least: polymetastatic). The same bound applies when a count is simply
not recorded (6 bone metastases, visceral unknown: polymetastatic). The stated count is kept in
``bone_metastases_count_stated`` and a note names the contradiction. Seed 002 counted extracranial
metastases; when brain metastases are recorded, a note asks to check the counts.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final

from apps.cases.facts import CaseFacts
from apps.clinical.dates import add_months
from apps.clinical.derivations import Count, bone_metastases, metastatic_foci
from apps.risk.engine import sources
from apps.risk.engine.results import CheckStatus, CriterionCheck, OligometastaticResult, Rule, unknown_text


class OligometastaticClass(StrEnum):
    DE_NOVO_SYNCHRONOUS = "de_novo_synchronous"
    DE_NOVO_METACHRONOUS = "de_novo_metachronous"
    INDUCED = "induced"
    REPEAT = "repeat"
    POLYMETASTATIC = "polymetastatic"


CONSENSUS_MAX_FOCI: Final = 5
SEED002_MAX_FOCI: Final = 3
OLIGOPROGRESSION_MAX_LESIONS: Final = 3
#: "Within 6 months" (seed 003 §3.1), in calendar months (``apps.clinical.dates``, month ends clamped).
SYNCHRONOUS_WINDOW_MONTHS: Final = 6

_MET, _NOT_MET, _UNKNOWN = CheckStatus.MET, CheckStatus.NOT_MET, CheckStatus.UNKNOWN


def _count_check(code: str, foci: Count, maximum: int, label: str) -> CriterionCheck:
    """1..``maximum`` foci: met / not_met when every possible count agrees, else unknown."""
    if foci.value is not None:
        total = foci.value
        if 1 <= total <= maximum:
            return CriterionCheck(code, _MET, total, f"{total} foci: within {label}")
        if total == 0:
            return CriterionCheck(code, _NOT_MET, total, "no metastatic focus recorded")
        return CriterionCheck(code, _NOT_MET, total, f"{total} foci: more than {label}")
    why = f" ({foci.reason})" if foci.reason is not None else ""
    if foci.within(1, maximum) is False:
        text = f"at least {foci.at_least} foci{why}: more than {label} whatever the missing counts"
        return CriterionCheck(code, _NOT_MET, None, text)
    prefix = f"at least {foci.at_least} foci{why}; " if foci.at_least else ""
    return CriterionCheck(code, _UNKNOWN, None, prefix + unknown_text(foci.missing), foci.missing)


def _oligoprogression_check(on_therapy: bool | None, progressing: int | None) -> CriterionCheck:
    code = "oligoprogression_le_3"
    if on_therapy is False:
        return CriterionCheck(code, _NOT_MET, progressing, "not on systemic therapy")
    if progressing is not None and not 1 <= progressing <= OLIGOPROGRESSION_MAX_LESIONS:
        text = "no progressing lesion" if progressing == 0 else f"{progressing} progressing lesions (> 3)"
        return CriterionCheck(code, _NOT_MET, progressing, text)
    if progressing is None or on_therapy is None:
        missing = tuple(
            field
            for field, value in (
                ("on_systemic_therapy", on_therapy),
                ("progressing_lesions_count", progressing),
            )
            if value is None
        )
        return CriterionCheck(code, _UNKNOWN, progressing, unknown_text(missing), missing)
    return CriterionCheck(code, _MET, progressing, f"{progressing} progressing lesions under systemic therapy (<= 3)")


def de_novo_timing(primary: date, metastasis: date) -> OligometastaticClass:
    """Synchronous when the metastases were diagnosed within 6 months of the primary (boundary day
    included), metachronous after; see the module docstring. Source: 003_694939402052979f.txt §3.1."""
    if metastasis <= add_months(primary, SYNCHRONOUS_WINDOW_MONTHS):
        return OligometastaticClass.DE_NOVO_SYNCHRONOUS
    return OligometastaticClass.DE_NOVO_METACHRONOUS


def _estro_eortc_class(case: CaseFacts, foci: Count) -> tuple[OligometastaticClass | None, tuple[str, ...], str]:
    """(class, missing fields, explanation)."""
    if foci.exceeds(CONSENSUS_MAX_FOCI) and foci.value is None:
        return OligometastaticClass.POLYMETASTATIC, (), f"at least {foci.at_least} foci (> 5): polymetastatic"
    total = foci.value
    if total is None:
        return None, foci.missing, unknown_text(foci.missing)
    if total == 0:
        return None, (), "no metastatic focus recorded: no class"
    if total > CONSENSUS_MAX_FOCI:
        return OligometastaticClass.POLYMETASTATIC, (), f"{total} foci (> 5): polymetastatic"
    if case.history_polymetastatic is None:
        return None, ("history_polymetastatic",), unknown_text(("history_polymetastatic",))
    if case.history_polymetastatic:
        return OligometastaticClass.INDUCED, (), "history of polymetastatic disease, now 1-5 foci: induced"
    if case.history_oligometastatic_treated is None:
        return None, ("history_oligometastatic_treated",), unknown_text(("history_oligometastatic_treated",))
    if case.history_oligometastatic_treated:
        return OligometastaticClass.REPEAT, (), "previously treated oligometastatic disease: repeat"
    dates = (
        ("primary_diagnosis_date", case.primary_diagnosis_date),
        ("metastasis_diagnosis_date", case.metastasis_diagnosis_date),
    )
    missing = tuple(field for field, value in dates if value is None)
    if case.primary_diagnosis_date is None or case.metastasis_diagnosis_date is None:
        return None, missing, f"de novo, timing {unknown_text(missing)}"
    timing = de_novo_timing(case.primary_diagnosis_date, case.metastasis_diagnosis_date)
    window = "within" if timing is OligometastaticClass.DE_NOVO_SYNCHRONOUS else "more than"
    return timing, (), f"de novo, metastases diagnosed {window} 6 months of the primary"


def _bound(foci: Count) -> str:
    return f"unknown (at least {foci.at_least})" if foci.at_least else "unknown"


def _word(check: CriterionCheck) -> str:
    return {_MET: "yes", _NOT_MET: "no", _UNKNOWN: "unknown"}[check.status]


def oligometastatic_state(case: CaseFacts) -> OligometastaticResult:
    """Counts, definitions, ESTRO/EORTC class and oligoprogression of a case (rule ``oligometastatic``).

    Source: 000_76782ef81e029740.txt (ESTRO/ASTRO 1-5); 002_eaa0f11dde358788.txt (<= 3, oligoprogression);
    003_694939402052979f.txt §3.1 (ESTRO/EORTC classes); clinical-rules.md §6.
    """
    bone = bone_metastases(case)
    foci = metastatic_foci(case)
    total = foci.value
    consensus = _count_check("estro_astro_1_to_5", foci, CONSENSUS_MAX_FOCI, "1-5 (ESTRO/ASTRO)")
    seed002 = _count_check("seed002_le_3", foci, SEED002_MAX_FOCI, "<= 3 (seed 002)")
    progression = _oligoprogression_check(case.on_systemic_therapy, case.progressing_lesions_count)
    definitions = (consensus, seed002, progression)
    klass, class_missing, class_text = _estro_eortc_class(case, foci)

    missing: list[str] = []
    for field in (*consensus.missing, *class_missing, *progression.missing):
        if field not in missing:
            missing.append(field)
    notes: list[str] = []
    if bone.contradicted:
        notes.append(
            f"{bone.reason}: the stated count is not believed; at least {bone.at_least} bone metastases "
            "(each recorded lesion is one): correct bone_metastases_count"
        )
    if consensus.status is _MET:
        notes.append("ESTRO/ASTRO also requires every focus to be safely treatable: a board judgement")
    if case.brain_metastases:
        notes.append("brain metastases recorded: seed 002 counted extracranial metastases only; check the counts")
    days = None
    if case.primary_diagnosis_date is not None and case.metastasis_diagnosis_date is not None:
        days = (case.metastasis_diagnosis_date - case.primary_diagnosis_date).days
    oligoprogression = {_MET: True, _NOT_MET: False, _UNKNOWN: None}[progression.status]
    recommendation = (
        f"ESTRO/EORTC class: {klass if klass is not None else 'unknown'} ({class_text}); "
        f"total foci: {total if total is not None else _bound(foci)}; "
        f"oligometastatic by ESTRO/ASTRO 1-5: {_word(consensus)}, by seed 002 <= 3: {_word(seed002)}; "
        f"oligoprogression: {_word(progression)}"
    )
    return OligometastaticResult(
        rule=Rule.OLIGOMETASTATIC,
        applicable=True,
        category=klass,
        missing=tuple(missing),
        recommendation=recommendation,
        notes=tuple(notes),
        source=sources.OLIGOMETASTATIC,
        bone_metastases_count=bone.value,
        visceral_metastases_count=case.visceral_metastases_count,
        total_foci=total,
        bone_metastases_count_stated=bone.stated,
        bone_metastases_at_least=bone.at_least,
        total_foci_at_least=foci.at_least,
        definitions=definitions,
        oligoprogression=oligoprogression,
        days_primary_to_metastasis=days,
    )
