"""High-risk asymptomatic bone metastasis: the Gillespie criteria for prophylactic radiotherapy.

Source: 000_76782ef81e029740.txt (Prophylactic Radiotherapy for Bone Metastases): Gillespie EF et al.,
"Prophylactic radiation therapy versus standard of care for patients with high-risk asymptomatic bone
metastases", J Clin Oncol 2023 (NCT03523351); clinical-rules.md §5. A lesion is high-risk when any of:

1. ``bulky``: ``max_diameter_mm >= 20`` ("bulky osseous lesions (>= 2 cm)");
2. ``joint``: hip (acetabulum, femoral head, femoral neck), shoulder (acromion, glenoid, humeral head) or
   sacroiliac joint;
3. ``long_bone_cortical``: a long bone (humerus, radius, ulna, clavicle, femur, tibia, fibula, metacarpals,
   phalanges) with cortical involvement of 1/3 to 2/3;
4. ``junctional_spine``: a lesion at C7, T1, T12, L1, L5 or S1 (the pairs C7-T1, T12-L1, L5-S1), and/or
   ``posterior_elements``: posterior element involvement (its own code).

Every criterion is evaluated and listed in that fixed order, met / not_met / unknown.

Interpretation choices:

- ``junctional_spine`` is the Gillespie set only, narrower than SINS's junctional zones: C1, C2, T2, T11
  are SINS-junctional but not here. A multi-level lesion meets it when any of its levels is in the set.
- ``long_bone_cortical`` is met by ``one_third_to_two_thirds`` only, as written. A lesion destroying
  > 2/3 is outside this criterion (it is Mirels territory: surgical opinion). ``metatarsal`` is absent
  from the trial's list as quoted in seed 000, so it does not meet this criterion.
- ``joint`` with no subsite: unknown on the femur and humerus (their vocabulary has non-joint codes, so
  None means "not recorded"); not met on the pelvis, scapula and sacrum, whose vocabulary has only the
  joint codes (a lesion of the iliac wing or scapular body has no other code to record).
- ``posterior_elements``: unknown when not recorded on a spinal lesion; on other sites (no posterior
  elements) not met unless explicitly recorded as involved.
- ``high_risk`` is always a bool (the API contract's type): True exactly when a criterion is met on a
  lesion not recorded as symptomatic. What is undetermined is said separately: ``category`` None
  ("unknown"), ``criteria_unknown``, ``missing`` (what to ask) and an "unknown: needs <field>"
  recommendation, so a False with unknowns reads "not flagged on what is recorded", never "safe".
- Symptoms: the flag is for asymptomatic or minimally symptomatic lesions (the trial's population, seed
  000: "asymptomatic or minimally symptomatic bony lesions"). ``symptoms`` (``asymptomatic``,
  ``minimally_symptomatic``, ``symptomatic``) decides when recorded; otherwise the contract's
  ``symptomatic`` bool does (False: asymptomatic or minimally symptomatic, which it cannot tell apart). A
  ``symptomatic`` lesion gives ``applicable=False`` and ``high_risk=False`` with the criteria still listed
  and a note (the lesion is managed as symptomatic). Both unknown (or contradicting each other, which a
  note names) with a criterion met: flagged (``high_risk=True``: the criteria are what this calculator
  asks about) with ``symptomatic`` in ``missing`` and a request to confirm the symptoms; with no
  criterion met the answer is False whatever the symptoms. ``symptoms`` in the result is the burden read
  (``asymptomatic_or_minimally_symptomatic`` when only ``symptomatic`` False is known).
- ``category``: ``high_risk``, ``not_high_risk``, ``symptomatic`` or None (unknown: no criterion met and
  some undetermined).
"""

from __future__ import annotations

import math
from typing import Final

from apps.cases.facts import LesionFacts
from apps.cases.vocabulary import LIMB_SITES, SPINAL_SITES, CorticalInvolvement, Site, Subsite, levels_between
from apps.risk.engine import sources
from apps.risk.engine._scoring import invalid_note, remember
from apps.risk.engine.results import CheckStatus, CriterionCheck, HighRiskResult, Rule, unknown_text
from apps.risk.engine.sins import span_label

#: Criterion codes in their fixed reporting order.
CRITERIA: Final = ("bulky", "joint", "long_bone_cortical", "junctional_spine", "posterior_elements")

BULKY_MIN_DIAMETER_MM: Final = 20.0
JUNCTIONAL_LEVELS: Final = frozenset({"C7", "T1", "T12", "L1", "L5", "S1"})
JOINT_SUBSITES: Final = frozenset(
    {
        Subsite.ACETABULUM,
        Subsite.FEMORAL_HEAD,
        Subsite.FEMORAL_NECK,
        Subsite.ACROMION,
        Subsite.GLENOID,
        Subsite.HUMERAL_HEAD,
        Subsite.SACROILIAC_JOINT,
    }
)
#: The trial's long bones: every limb site of the vocabulary except the metatarsals (not in its list).
LONG_BONES: Final = LIMB_SITES - {Site.METATARSAL}
#: Sites where a missing subsite leaves the joint criterion unknown (their other subsites are non-joint).
_JOINT_SUBSITE_NEEDED: Final = frozenset({Site.FEMUR, Site.HUMERUS})
_JOINT_ONLY_VOCABULARY: Final = frozenset({Site.PELVIS, Site.SCAPULA, Site.SACRUM})

_MET, _NOT_MET, _UNKNOWN = CheckStatus.MET, CheckStatus.NOT_MET, CheckStatus.UNKNOWN

_REGIMENS: Final = "30 Gy/10, 27 Gy/3, 20 Gy/5 or 8 Gy/1"
_TRIAL_NOTE: Final = (
    "Gillespie (NCT03523351) enrolled patients with > 5 sites of metastatic disease and treated up to 5 "
    "high-risk lesions; 1-year SRE rate 1.6 % with RT vs 29 % without"
)


_BULKY_UNKNOWN: Final = CriterionCheck("bulky", _UNKNOWN, None, unknown_text(("max_diameter_mm",)), ("max_diameter_mm",))
_BULKY_MEMO: Final[dict[float, CriterionCheck]] = {}


def _bulky(diameter: float | None) -> CriterionCheck:
    if diameter is None:
        return _BULKY_UNKNOWN
    found = _BULKY_MEMO.get(diameter)
    if found is not None:
        return found
    if isinstance(diameter, bool) or not isinstance(diameter, int | float) or math.isnan(diameter):
        note = invalid_note("max_diameter_mm", diameter)
        return CriterionCheck("bulky", _UNKNOWN, None, note, ("max_diameter_mm",))
    value = float(diameter)
    if value >= BULKY_MIN_DIAMETER_MM:
        check = CriterionCheck("bulky", _MET, value, f"{value:g} mm >= 20 mm")
    else:
        check = CriterionCheck("bulky", _NOT_MET, value, f"{value:g} mm < 20 mm")
    return remember(_BULKY_MEMO, value, check)


_JOINT_UNKNOWN: Final = CriterionCheck("joint", _UNKNOWN, None, "unknown: needs subsite (joint region or not)", ("subsite",))
_JOINT_NOT_JOINT_SITE: Final = CriterionCheck("joint", _NOT_MET, None, "not a hip, shoulder or sacroiliac region")


def _joint(site: Site, subsite: Subsite | None) -> CriterionCheck:
    if subsite in JOINT_SUBSITES:
        return CriterionCheck("joint", _MET, str(subsite), f"joint involvement: {subsite!s}")
    if subsite is None:
        if site in _JOINT_SUBSITE_NEEDED:
            return _JOINT_UNKNOWN
        if site in _JOINT_ONLY_VOCABULARY:
            return CriterionCheck("joint", _NOT_MET, None, f"{site!s} without a joint subsite: not a listed joint region")
        return _JOINT_NOT_JOINT_SITE
    return CriterionCheck("joint", _NOT_MET, str(subsite), f"{subsite!s} is not a listed joint region")


_CORTICAL_NOT_LONG_BONE: Final = CriterionCheck("long_bone_cortical", _NOT_MET, None, "not a long bone of the trial's list")
_CORTICAL_METATARSAL: Final = CriterionCheck(
    "long_bone_cortical",
    _NOT_MET,
    None,
    "metatarsals are not in the trial's long-bone list (seed 000, as written)",
)
_CORTICAL_UNKNOWN: Final = CriterionCheck(
    "long_bone_cortical",
    _UNKNOWN,
    None,
    unknown_text(("cortical_involvement",)),
    ("cortical_involvement",),
)
_CORTICAL: Final[dict[str, CriterionCheck]] = {
    CorticalInvolvement.ONE_THIRD_TO_TWO_THIRDS: CriterionCheck(
        "long_bone_cortical", _MET, "one_third_to_two_thirds", "long bone, 1/3 - 2/3 of the cortex"
    ),
    CorticalInvolvement.LT_ONE_THIRD: CriterionCheck("long_bone_cortical", _NOT_MET, "lt_one_third", "< 1/3 of the cortex"),
    CorticalInvolvement.GT_TWO_THIRDS: CriterionCheck(
        "long_bone_cortical",
        _NOT_MET,
        "gt_two_thirds",
        "> 2/3 of the cortex is outside this criterion as written (1/3 - 2/3): see Mirels for fracture risk",
    ),
}


def _long_bone_cortical(site: Site, cortical: CorticalInvolvement | None) -> CriterionCheck:
    if site not in LONG_BONES:
        return _CORTICAL_METATARSAL if site == Site.METATARSAL else _CORTICAL_NOT_LONG_BONE
    if cortical is None:
        return _CORTICAL_UNKNOWN
    found = _CORTICAL.get(cortical)
    if found is not None:
        return found
    return CriterionCheck(
        "long_bone_cortical",
        _UNKNOWN,
        str(cortical),
        invalid_note("cortical_involvement", cortical),
        ("cortical_involvement",),
    )


_JUNCTIONAL_NOT_SPINE: Final = CriterionCheck("junctional_spine", _NOT_MET, None, "not a spinal lesion")
_JUNCTIONAL_UNKNOWN: Final = CriterionCheck("junctional_spine", _UNKNOWN, None, unknown_text(("level_from",)), ("level_from",))


def _junctional_spine(site: Site, level_from: str | None, level_to: str | None) -> CriterionCheck:
    if site not in SPINAL_SITES:
        return _JUNCTIONAL_NOT_SPINE
    if level_from is None:
        return _JUNCTIONAL_UNKNOWN
    label = span_label(level_from, level_to)
    try:
        levels = levels_between(level_from, level_to)
    except (KeyError, ValueError):
        note = f"invalid level span {label}: needs a valid cranio-caudal span"
        return CriterionCheck("junctional_spine", _UNKNOWN, label, note, ("level_from", "level_to"))
    hits = [level for level in levels if level in JUNCTIONAL_LEVELS]
    if hits:
        return CriterionCheck("junctional_spine", _MET, label, f"junctional level {', '.join(hits)}")
    return CriterionCheck("junctional_spine", _NOT_MET, label, "no level among C7, T1, T12, L1, L5, S1 (Gillespie set)")


_POSTERIOR_MET: Final = CriterionCheck("posterior_elements", _MET, True, "posterior element involvement")
_POSTERIOR_NOT_MET: Final = CriterionCheck("posterior_elements", _NOT_MET, False, "no posterior element involvement")
_POSTERIOR_UNKNOWN: Final = CriterionCheck(
    "posterior_elements",
    _UNKNOWN,
    None,
    unknown_text(("posterior_element_involvement",)),
    ("posterior_element_involvement",),
)
_POSTERIOR_NOT_SPINE: Final = CriterionCheck(
    "posterior_elements", _NOT_MET, None, "not a spinal lesion (no posterior elements recorded)"
)


def _posterior_elements(site: Site, involved: bool | None) -> CriterionCheck:
    if involved is True:
        return _POSTERIOR_MET
    if involved is False:
        return _POSTERIOR_NOT_MET
    return _POSTERIOR_UNKNOWN if site in SPINAL_SITES else _POSTERIOR_NOT_SPINE


ASYMPTOMATIC: Final = "asymptomatic"
MINIMALLY_SYMPTOMATIC: Final = "minimally_symptomatic"
SYMPTOMATIC: Final = "symptomatic"
#: The trial's population: the flag applies to these symptom burdens (clinical-rules.md §1 and §5).
ELIGIBLE_BURDENS: Final = frozenset({ASYMPTOMATIC, MINIMALLY_SYMPTOMATIC})
#: ``symptomatic`` False without ``symptoms``: not symptomatic, i.e. asymptomatic or minimally symptomatic.
NOT_SYMPTOMATIC: Final = "asymptomatic_or_minimally_symptomatic"
_BURDEN_TEXT: Final = {
    ASYMPTOMATIC: "asymptomatic",
    MINIMALLY_SYMPTOMATIC: "minimally symptomatic",
    NOT_SYMPTOMATIC: "asymptomatic or minimally symptomatic",
}


def symptom_burden(lesion: LesionFacts) -> tuple[str | None, str | None]:
    """(symptom burden, note) of a lesion from ``symptoms`` and the contract's ``symptomatic`` bool.

    ``symptoms`` decides when recorded (``asymptomatic``, ``minimally_symptomatic``, ``symptomatic``);
    without it ``symptomatic`` True is ``symptomatic`` and False is
    ``asymptomatic_or_minimally_symptomatic`` (the bool cannot tell the two apart, and the flag applies to
    both). When the two disagree (``symptomatic`` True beside a non-symptomatic burden, or False beside
    ``symptomatic``) nothing is believed: None with a note asking to correct them.
    """
    raw = lesion.symptoms
    burden = None if raw is None else str(raw)
    flag = lesion.symptomatic
    if burden is None:
        if flag is None:
            return None, None
        return (SYMPTOMATIC if flag else NOT_SYMPTOMATIC), None
    if burden not in ELIGIBLE_BURDENS and burden != SYMPTOMATIC:
        return None, invalid_note("symptoms", burden)
    if flag is not None and flag != (burden == SYMPTOMATIC):
        return None, f"symptoms '{burden}' and symptomatic {flag} disagree: correct one (treated as unknown)"
    return burden, None


#: (checks, codes met, fields missing) of the four criteria other than ``bulky``, by their inputs.
_Anatomy = tuple[tuple[CriterionCheck, ...], tuple[str, ...], tuple[str, ...]]
_MEMO: Final[dict[tuple[object, ...], _Anatomy]] = {}


def _anatomy(
    site: Site,
    subsite: Subsite | None,
    level_from: str | None,
    level_to: str | None,
    cortical: CorticalInvolvement | None,
    posterior: bool | None,
) -> _Anatomy:
    checks = (
        _joint(site, subsite),
        _long_bone_cortical(site, cortical),
        _junctional_spine(site, level_from, level_to),
        _posterior_elements(site, posterior),
    )
    met = tuple(c.code for c in checks if c.status is _MET)
    missing: list[str] = []
    for check in checks:
        missing.extend(field for field in check.missing if field not in missing)
    return checks, met, tuple(missing)


def high_risk_asymptomatic(lesion: LesionFacts) -> HighRiskResult:
    """Gillespie high-risk criteria of one lesion (rule ``high_risk_asymptomatic``); see the module doc.

    Source: 000_76782ef81e029740.txt (Prophylactic Radiotherapy; Gillespie et al. JCO 2023);
    clinical-rules.md §5.
    """
    key = (
        lesion.site,
        lesion.subsite,
        lesion.level_from,
        lesion.level_to,
        lesion.cortical_involvement,
        lesion.posterior_element_involvement,
    )
    anatomy = _MEMO.get(key)
    if anatomy is None:
        anatomy = remember(_MEMO, key, _anatomy(*key))
    checks, anatomy_met, anatomy_missing = anatomy
    bulky = _bulky(lesion.max_diameter_mm)
    criteria = (bulky, *checks)
    met = ["bulky", *anatomy_met] if bulky.status is _MET else list(anatomy_met)
    missing = [*bulky.missing, *anatomy_missing]
    verdict: bool | None = True if met else (None if missing else False)
    burden, symptom_note = symptom_burden(lesion)
    symptomatic = None if burden is None else burden == SYMPTOMATIC
    notes: list[str] = [] if symptom_note is None else [symptom_note]

    if burden == SYMPTOMATIC:
        listed = f" (criteria met: {', '.join(met)})" if met else ""
        return HighRiskResult(
            rule=Rule.HIGH_RISK_ASYMPTOMATIC,
            applicable=False,
            category="symptomatic",
            missing=tuple(missing),
            recommendation=(
                "symptomatic lesion: the high-risk asymptomatic criteria (prophylactic RT) select "
                f"asymptomatic or minimally symptomatic lesions; manage as a symptomatic metastasis{listed}"
            ),
            notes=tuple(notes),
            source=sources.HIGH_RISK,
            high_risk=False,
            symptomatic=True,
            symptoms=burden,
            criteria=criteria,
        )

    if verdict is True and burden is None:
        missing.append("symptomatic")
        recommendation = (
            f"high-risk bone metastasis by the Gillespie criteria ({', '.join(met)}); symptoms not recorded: "
            "confirm it is asymptomatic or minimally symptomatic, then consider prophylactic radiotherapy "
            f"({_REGIMENS})"
        )
        notes.extend(("the high-risk criteria select asymptomatic or minimally symptomatic lesions", _TRIAL_NOTE))
    elif verdict is True and burden is not None:
        recommendation = (
            f"high-risk {_BURDEN_TEXT[burden]} bone metastasis ({', '.join(met)}): consider prophylactic "
            f"radiotherapy ({_REGIMENS})"
        )
        notes.append(_TRIAL_NOTE)
    elif verdict is False:
        recommendation = "not high-risk by the Gillespie criteria"
    else:
        if burden is None:
            missing.append("symptomatic")
        recommendation = unknown_text(missing)
    return HighRiskResult(
        rule=Rule.HIGH_RISK_ASYMPTOMATIC,
        applicable=True,
        category=None if verdict is None else ("high_risk" if verdict else "not_high_risk"),
        missing=tuple(missing),
        recommendation=recommendation,
        notes=tuple(notes),
        source=sources.HIGH_RISK,
        high_risk=verdict is True,
        symptomatic=symptomatic,
        symptoms=burden,
        criteria=criteria,
    )
