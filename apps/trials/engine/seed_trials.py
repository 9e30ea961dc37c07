"""Registry seed data: the trials named in the seed papers (clinical-rules.md §9), as trial definitions.

Each definition validates against ``schema.TRIAL_SCHEMA``; each criterion cites its source. Load them with
``load_seed_trials()`` (deep copies, safe to mutate), e.g. from a data migration that creates version 1 of
every trial in the registry.

Choices made here (also in ``docs/trial-criteria.md``):

* Counts use each trial's own cut-off from the seeds. Where the seeds say only "oligometastatic" (NRG-BR002,
  NRG LU-002, SARON, STEREO-SEIN, CLEAR, CIMER) the ESTRO/ASTRO consensus of 1-5 metastases is used
  (seed 000; clinical-rules.md §6) and the criterion says so: the protocols' own cut-offs are not in the
  seeds.
* "Metastases" is ``metastases_count`` (bone + visceral). "1-N" is ``between [1, N]``; "<= N" / "up to N"
  is also ``between [1, N]``: every one of these trials treats metastatic disease, so a case with no
  metastasis is not eligible (a plain ``le N`` matched 0 metastases). The criterion codes keep their
  published names (``metastases_le_3``).
* "Newly" / "de novo" use the ESTRO/EORTC classes of seed 003 §3.1 (``oligometastatic_class``, derived from
  the history flags and the two diagnosis dates with the 6-month synchronous window): de novo is
  ``de_novo_synchronous`` or ``de_novo_metachronous`` for both NRG-BR002 and STEREO-SEIN.
* Statuses follow the seeds' wording (results reported -> ``completed``; "ongoing", "is recruiting" ->
  ``recruiting``) unless noted; ``status_verified`` is False wherever the registry itself was not checked,
  and ``status_note`` says where the status comes from. Administrators confirm them against
  ClinicalTrials.gov.
* A criterion the case facts cannot express is still listed, reads an ``extra.*`` fact, and answers
  ``unknown`` until someone records it (NCT03808337's planned BED, CIMER's first-line CDK4/6 candidacy).
"""

from __future__ import annotations

import copy
from typing import Any

S000 = "seed 000 (000_76782ef81e029740.txt)"
S002 = "seed 002 (002_eaa0f11dde358788.txt)"
S003 = "seed 003 (003_694939402052979f.txt)"
S004 = "seed 004 (004_87b49d5180a7d9e0.txt)"
RULES_9 = "clinical-rules.md §9"

SPINAL_SITES = ["cervical_spine", "thoracic_spine", "lumbar_spine", "sacrum"]
#: clinical-rules.md §5 / seed 000: long bones for the cortical-involvement criterion (no metatarsal).
GILLESPIE_LONG_BONES = [
    "humerus",
    "radius",
    "ulna",
    "clavicle",
    "femur",
    "tibia",
    "fibula",
    "metacarpal",
    "phalanx",
]
#: Hip (acetabulum, femoral head, femoral neck), shoulder (acromion, glenoid, humeral head), SI joint.
GILLESPIE_JOINT_SUBSITES = [
    "acetabulum",
    "femoral_head",
    "femoral_neck",
    "acromion",
    "glenoid",
    "humeral_head",
    "sacroiliac_joint",
]
#: The sites on which those joint subsites exist (apps.cases.vocabulary.SUBSITES_BY_SITE).
GILLESPIE_JOINT_SITES = ["femur", "humerus", "pelvis", "sacrum", "scapula"]
#: Junctional spine C7-T1, T12-L1, L5-S1 (clinical-rules.md §5: narrower than SINS's junctional zones).
GILLESPIE_JUNCTIONAL_LEVELS = ["C7", "T1", "T12", "L1", "L5", "S1"]


def _criterion(
    code: str,
    text: str,
    rule: dict[str, Any],
    source: str,
    *,
    kind: str = "inclusion",
    note: str | None = None,
) -> dict[str, Any]:
    criterion: dict[str, Any] = {"code": code, "text": text, "kind": kind, "rule": rule, "source": source}
    if note:
        criterion["note"] = note
    return criterion


def _primary(*histologies: str) -> dict[str, Any]:
    if len(histologies) == 1:
        return {"field": "primary_histology", "op": "eq", "value": histologies[0]}
    return {"field": "primary_histology", "op": "in", "value": list(histologies)}


def _controlled(source: str) -> dict[str, Any]:
    return _criterion(
        "controlled_primary",
        "Controlled primary tumour",
        {"field": "primary_controlled", "op": "eq", "value": True},
        source,
    )


def _metastases_between(low: int, high: int, source: str, text: str | None = None) -> dict[str, Any]:
    return _criterion(
        f"metastases_{low}_{high}",
        text or f"{low}-{high} metastases",
        {"field": "metastases_count", "op": "between", "value": [low, high]},
        source,
    )


def _metastases_at_most(high: int, source: str, text: str | None = None, note: str | None = None) -> dict[str, Any]:
    """ "<= N metastases" of a trial in metastatic disease: 1 to N (at least one metastasis is implied)."""
    at_least_one = "at least one metastasis: the trial treats metastatic disease"
    return _criterion(
        f"metastases_le_{high}",
        f"{text or f'At most {high} metastases'} (1-{high})",
        {"field": "metastases_count", "op": "between", "value": [1, high]},
        source,
        note=f"{note} Also {at_least_one}." if note else f"'<= {high}' read as 1-{high}: {at_least_one}.",
    )


def _oligometastatic_consensus(trial: str, source: str) -> dict[str, Any]:
    return _criterion(
        "oligometastatic_1_5",
        "Oligometastatic: 1-5 metastases (ESTRO/ASTRO consensus; the seeds give no cut-off for this trial)",
        {"field": "metastases_count", "op": "between", "value": [1, 5]},
        f"{source}; ESTRO/ASTRO consensus, {S000}; clinical-rules.md §6",
        note=f"The seeds call {trial} 'oligometastatic' without a count; the protocol's own cut-off is not "
        "in the seeds and should be confirmed by an administrator.",
    )


_NSCLC_OR_TNBC = {
    "any": [
        _primary("nsclc"),
        {"field": "breast_subtype", "op": "eq", "value": "triple_negative"},
    ],
    "label": "NSCLC or triple-negative breast cancer",
}

_DE_NOVO = ["de_novo_synchronous", "de_novo_metachronous"]

_HIGH_RISK_ASYMPTOMATIC_LESION = {
    "all": [
        {"field": "symptomatic", "op": "eq", "value": False},
        {
            "any": [
                {"field": "max_diameter_mm", "op": "ge", "value": 20},
                {
                    "all": [
                        {"field": "site", "op": "in", "value": GILLESPIE_JOINT_SITES},
                        {"field": "subsite", "op": "in", "value": GILLESPIE_JOINT_SUBSITES},
                    ]
                },
                {
                    "all": [
                        {"field": "site", "op": "in", "value": GILLESPIE_LONG_BONES},
                        {"field": "cortical_involvement", "op": "eq", "value": "one_third_to_two_thirds"},
                    ]
                },
                {"field": "vertebral_levels", "op": "includes_any", "value": GILLESPIE_JUNCTIONAL_LEVELS},
                {"field": "posterior_element_involvement", "op": "eq", "value": True},
            ]
        },
    ],
    "label": "asymptomatic lesion with a high-risk feature (clinical-rules.md §5)",
}

_WITHIN_3MM_OF_CORD = {
    "all": [
        {"field": "distance_to_spinal_cord_mm", "op": "le", "value": 3},
        # A lesion off the spine without a recorded distance is not near the cord; a spinal lesion without
        # one is unknown (the distance is recorded for spinal lesions, clinical-rules.md §1).
        {
            "any": [
                {"field": "site", "op": "in", "value": SPINAL_SITES},
                {"field": "distance_to_spinal_cord_mm", "op": "is_known"},
            ]
        },
    ],
    "label": "metastatic focus within 3 mm of the spinal cord",
}


SEED_TRIALS: tuple[dict[str, Any], ...] = (
    {
        "identifier": "NCT01446744",
        "short_name": "SABR-COMET",
        "title": "Stereotactic Ablative Radiotherapy for Comprehensive Treatment of Oligometastatic Tumors "
        "(SABR-COMET): a randomised phase II trial",
        "phase": "2",
        "status": "completed",
        "status_verified": True,
        "status_note": "clinical-rules.md §9: completed; results reported in seeds 000 and 003.",
        "sponsor": "London Health Sciences Centre",
        "summary": "SABR to all metastatic sites plus standard of care versus standard-of-care palliative "
        "treatment in patients with a controlled primary tumour and 1-5 metastases; overall-survival "
        "benefit.",
        "sources": [S000, S003, RULES_9],
        "criteria": [
            _controlled(f"seeds 000, 003; {RULES_9}"),
            _metastases_between(1, 5, f"{S003}; {RULES_9}"),
            _criterion(
                "no_femoral_metastasis",
                "Femoral bone metastases excluded",
                {"no_lesion": {"field": "site", "op": "eq", "value": "femur"}},
                f"{S000}; {RULES_9}",
                kind="exclusion",
            ),
            _criterion(
                "no_focus_within_3mm_of_cord",
                "Metastatic foci within 3 mm of the spinal cord excluded",
                {"no_lesion": _WITHIN_3MM_OF_CORD},
                f"{S000}; {RULES_9}",
                kind="exclusion",
                note="'Within 3 mm' is read as a distance of 3 mm or less.",
            ),
        ],
    },
    {
        "identifier": "NCT03862911",
        "short_name": "SABR-COMET-3",
        "title": "Stereotactic Ablative Radiotherapy for the Comprehensive Treatment of 1-3 Oligometastatic "
        "Tumors (SABR-COMET-3): a randomised phase III trial",
        "phase": "3",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seeds 000 (2024) and 003 (2025) describe it as ongoing.",
        "sponsor": "BC Cancer",
        "summary": "Phase III: SABR plus standard of care versus standard of care in patients with a "
        "controlled primary and up to 3 metastases; primary endpoint overall survival.",
        "sources": [S000, S003, RULES_9],
        "criteria": [
            _controlled(f"seeds 000, 003; {RULES_9}"),
            _metastases_between(1, 3, f"seeds 000, 003; {RULES_9}"),
        ],
    },
    {
        "identifier": "NCT03721341",
        "short_name": "SABR-COMET-10",
        "title": "Stereotactic Ablative Radiotherapy for the Comprehensive Treatment of 4-10 Oligometastatic "
        "Tumors (SABR-COMET-10): a randomised phase III trial",
        "phase": "3",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seeds 000 (2024) and 003 (2025) describe it as ongoing.",
        "sponsor": "London Health Sciences Centre",
        "summary": "Phase III: SABR plus standard of care versus standard of care in patients with a "
        "controlled primary and 4-10 metastases; primary endpoint overall survival.",
        "sources": [S000, S003, RULES_9],
        "criteria": [
            _controlled(f"seeds 000, 003; {RULES_9}"),
            _metastases_between(4, 10, f"seeds 000, 003; {RULES_9}"),
        ],
    },
    {
        "identifier": "NCT02759783",
        "short_name": "CORE",
        "title": "Conventional care versus radioablation (SBRT) for extracranial oligometastases (CORE)",
        "phase": "2/3",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seed 000 (2024): 'is assessing'; not checked against the registry.",
        "sponsor": "Royal Marsden NHS Foundation Trust",
        "summary": "Phase II/III: SBRT plus standard care versus standard care for up to three extracranial "
        "metastases from a controlled breast, NSCLC or prostate primary.",
        "sources": [S000, RULES_9],
        "criteria": [
            _criterion(
                "primary_breast_nsclc_prostate",
                "Breast, NSCLC or prostate primary",
                _primary("breast", "nsclc", "prostate"),
                f"{S000}; {RULES_9}",
            ),
            _controlled(f"{S000}; {RULES_9}"),
            _metastases_at_most(3, f"{S000}; {RULES_9}", "Up to three metastases"),
        ],
    },
    {
        "identifier": "NCT01558427",
        "short_name": "STOMP",
        "title": "Surveillance or metastasis-directed therapy for oligometastatic prostate cancer recurrence (STOMP)",
        "phase": "2",
        "status": "completed",
        "status_verified": False,
        "status_note": "Results reported (seeds 000, 003).",
        "sponsor": "University Hospital, Ghent",
        "summary": "Phase II: surveillance versus metastasis-directed therapy (SBRT or surgery) for up to "
        "three metastases of recurrent prostate cancer; longer ADT-free survival with MDT.",
        "sources": [S000, S003, RULES_9],
        "criteria": [
            _criterion("primary_prostate", "Prostate cancer", _primary("prostate"), f"seeds 000, 003; {RULES_9}"),
            _metastases_at_most(3, f"seeds 000, 003; {RULES_9}"),
        ],
    },
    {
        "identifier": "NCT02680587",
        "short_name": "ORIOLE",
        "title": "Observation versus stereotactic ablative radiation for oligometastatic prostate cancer (ORIOLE)",
        "phase": "2",
        "status": "completed",
        "status_verified": False,
        "status_note": "Results reported (seeds 000, 003).",
        "sponsor": "Sidney Kimmel Comprehensive Cancer Center at Johns Hopkins",
        "summary": "Phase II: SABR versus observation for hormone-sensitive prostate cancer with three or "
        "fewer metastases; lower 6-month progression with SABR.",
        "sources": [S000, S003, RULES_9],
        "criteria": [
            _criterion("primary_prostate", "Prostate cancer", _primary("prostate"), f"seeds 000, 003; {RULES_9}"),
            _criterion(
                "hormone_sensitive",
                "Hormone-sensitive (not castration-resistant)",
                {"field": "castration_status", "op": "eq", "value": "hormone_sensitive"},
                f"{S003}; {RULES_9}",
            ),
            _metastases_at_most(3, f"seeds 000, 003; {RULES_9}"),
        ],
    },
    {
        "identifier": "NCT02364557",
        "short_name": "NRG-BR002",
        "title": "Standard-of-care systemic therapy with or without SBRT and/or surgical resection for newly "
        "oligometastatic breast cancer (NRG-BR002)",
        "phase": "2/3",
        "status": "completed",
        "status_verified": False,
        "status_note": "Seed 000 (2024) reports the phase II results and that it did not proceed to phase "
        "III; seed 004 (2020) described it as recruiting.",
        "sponsor": "NRG Oncology",
        "summary": "Phase IIR/III: standard systemic therapy with or without SBRT and/or resection of all "
        "metastases for newly oligometastatic breast cancer; no PFS or OS benefit.",
        "sources": [S000, S004, RULES_9],
        "criteria": [
            _criterion("primary_breast", "Breast cancer", _primary("breast"), f"seeds 000, 004; {RULES_9}"),
            _oligometastatic_consensus("NRG-BR002", f"seeds 000, 004; {RULES_9}"),
            _criterion(
                "newly_oligometastatic",
                "Newly oligometastatic: de novo oligometastatic disease (ESTRO/EORTC: no history of "
                "polymetastatic disease or of treated oligometastatic disease)",
                {"field": "oligometastatic_class", "op": "in", "value": _DE_NOVO},
                f"{S000}; ESTRO/EORTC classes, {S003} §3.1; clinical-rules.md §6",
                note="'Newly' is read as ESTRO/EORTC de novo (synchronous or metachronous); no recency "
                "window relative to today is applied because the seeds give none.",
            ),
        ],
    },
    {
        "identifier": "NCT03137771",
        "short_name": "NRG LU-002",
        "title": "Maintenance systemic therapy with or without local consolidative therapy (SBRT or surgery) "
        "for limited metastatic non-small cell lung cancer (NRG LU-002)",
        "phase": "2/3",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seeds 000 (2024) and 003 (2025) describe it as ongoing; accrual may have closed.",
        "sponsor": "NRG Oncology",
        "summary": "Phase II/III: maintenance systemic therapy with or without local consolidative "
        "radiotherapy or surgery to all sites of oligometastatic NSCLC.",
        "sources": [S000, S003, RULES_9],
        "criteria": [
            _criterion("primary_nsclc", "Non-small cell lung cancer", _primary("nsclc"), f"seeds 000, 003; {RULES_9}"),
            _oligometastatic_consensus("NRG LU-002", f"seeds 000, 003; {RULES_9}"),
        ],
    },
    {
        "identifier": "NCT02417662",
        "short_name": "SARON",
        "title": "Stereotactic Ablative Radiotherapy for Oligometastatic Non-small cell lung cancer (SARON)",
        "phase": "3",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seeds 000 (2024) and 003 (2025) describe it as ongoing.",
        "sponsor": "University College London",
        "summary": "Phase III: standard chemotherapy with or without SABR (and radical radiotherapy to the "
        "primary) for oligometastatic NSCLC; primary endpoint overall survival.",
        "sources": [S000, S003, RULES_9],
        "criteria": [
            _criterion("primary_nsclc", "Non-small cell lung cancer", _primary("nsclc"), f"seeds 000, 003; {RULES_9}"),
            _oligometastatic_consensus("SARON", f"seeds 000, 003; {RULES_9}"),
        ],
    },
    {
        "identifier": "NCT02089100",
        "short_name": "STEREO-SEIN",
        "title": "Curative SBRT for de novo oligometastatic breast cancer (STEREO-SEIN)",
        "phase": "3",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seed 004 (2020): 'is testing'; not checked against the registry.",
        "sponsor": None,
        "summary": "Phase III: systemic therapy with or without SBRT with radical intent to all metastatic "
        "sites in de novo oligometastatic breast cancer, triple-negative subtype excluded.",
        "sources": [S004, RULES_9],
        "criteria": [
            _criterion("primary_breast", "Breast cancer", _primary("breast"), f"{S004}; {RULES_9}"),
            _criterion(
                "de_novo_oligometastatic",
                "De novo oligometastatic: first presentation of metastatic disease, at diagnosis or at relapse "
                "(ESTRO/EORTC de novo synchronous or metachronous: no history of polymetastatic or treated "
                "oligometastatic disease)",
                {"field": "oligometastatic_class", "op": "in", "value": _DE_NOVO},
                f"{S004}; ESTRO/EORTC classes, {S003} §3.1; clinical-rules.md §6",
                note="The trial's registry record (NCT02089100) defines 'de novo' as occurring at first "
                "metastatic presentation without any previous systemic therapy, as opposed to 'secondary' "
                "residual disease after systemic treatment, and admits patients without prior treatment for "
                "metastatic relapse: synchronous and metachronous first presentations both qualify. The "
                "record also requires hormone-receptor-positive disease and no prior treatment for the "
                "metastases, which the case facts do not hold; to confirm at screening.",
            ),
            _oligometastatic_consensus("STEREO-SEIN", f"{S004}; {RULES_9}"),
            _criterion(
                "not_triple_negative",
                "Triple-negative subtype excluded",
                {"field": "breast_subtype", "op": "ne", "value": "triple_negative"},
                f"{S004}; {RULES_9}",
                kind="exclusion",
            ),
        ],
    },
    {
        "identifier": "NCT03750396",
        "short_name": "CLEAR",
        "title": "Local ablative treatment for oligometastatic recurrent ER+/HER2- breast cancer (CLEAR)",
        "phase": "2",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seed 004 (2020) lists it among ongoing trials; not checked against the registry.",
        "sponsor": None,
        "summary": "Phase II: surgery, radiotherapy (57-97.5 Gy in 6-10 fractions) or radiofrequency "
        "ablation of all metastases during first-line systemic therapy for oligometastatic ER+/HER2- breast "
        "cancer recurring more than 12 months after treatment; primary endpoint PFS.",
        "sources": [S004, RULES_9],
        "criteria": [
            _criterion("primary_breast", "Breast cancer", _primary("breast"), f"{S004}; {RULES_9}"),
            _criterion(
                "er_positive",
                "Oestrogen-receptor positive",
                {"field": "er_status", "op": "eq", "value": "positive"},
                f"{S004}; {RULES_9}",
            ),
            _criterion(
                "her2_negative",
                "HER2 negative",
                {"field": "her2_status", "op": "eq", "value": "negative"},
                f"{S004}; {RULES_9}",
            ),
            _oligometastatic_consensus("CLEAR", f"{S004}; {RULES_9}"),
            _criterion(
                "recurrence_after_12_months",
                "Recurrence more than 12 months after primary treatment (measured from the primary diagnosis "
                "to the metastasis diagnosis: the case facts hold no end-of-treatment date)",
                {"field": "months_primary_to_metastasis", "op": "gt", "value": 12},
                f"{S004} Table 2; {RULES_9}",
                note="An interval of 12 months or less from diagnosis rules the case out for certain; a "
                "longer one should be confirmed against the date treatment ended.",
            ),
        ],
    },
    {
        "identifier": "NCT04220476",
        "short_name": "CIMER",
        "title": "Immune-SBRT with first-line CDK4/6 inhibitor therapy for oligometastatic luminal breast cancer (CIMER)",
        "phase": "2",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seed 004 (2020) says it 'will be randomizing'; recruiting is assumed, not verified.",
        "sponsor": None,
        "summary": "Phase II: first-line CDK4/6 inhibitor therapy with or without immune-SBRT (50 Gy in 5 "
        "fractions every 48 h to all metastatic sites) for oligometastatic luminal breast cancer.",
        "sources": [S004, RULES_9],
        "criteria": [
            _criterion("primary_breast", "Breast cancer", _primary("breast"), f"{S004}; {RULES_9}"),
            _criterion(
                "luminal_subtype",
                "Luminal subtype (ER or PR positive, HER2 negative)",
                {"field": "breast_subtype", "op": "eq", "value": "luminal"},
                f"{S004}; clinical-rules.md §1b; {RULES_9}",
            ),
            _oligometastatic_consensus("CIMER", f"{S004}; {RULES_9}"),
            _criterion(
                "first_line_cdk46_candidate",
                "Candidate for first-line CDK4/6 inhibitor therapy (a medical-oncology judgement not held in "
                "the case facts: record it as extra.first_line_cdk46_candidate)",
                {"field": "extra.first_line_cdk46_candidate", "op": "eq", "value": True},
                f"{S004}; {RULES_9}",
            ),
        ],
    },
    {
        "identifier": "NCT03808337",
        "short_name": "MSKCC SBRT + systemic therapy (NSCLC / TNBC)",
        "title": "SBRT to all metastatic sites concurrently with standard systemic therapy for metastatic "
        "NSCLC or triple-negative breast cancer",
        "phase": None,
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seed 004 (2020): 'is recruiting'; phase not stated in the seeds.",
        "sponsor": "Memorial Sloan Kettering Cancer Center",
        "summary": "Randomised: standard systemic therapy versus SBRT with a minimum BED of 48 Gy10 to all "
        "metastatic sites concurrently with systemic therapy, in metastatic NSCLC or triple-negative breast "
        "cancer; primary endpoint PFS.",
        "sources": [S004, RULES_9],
        "criteria": [
            _criterion(
                "nsclc_or_tnbc",
                "Metastatic NSCLC or triple-negative breast cancer",
                _NSCLC_OR_TNBC,
                f"{S004}; {RULES_9}",
            ),
            _criterion(
                "metastatic",
                "Metastatic disease (at least one metastasis)",
                {"field": "metastases_count", "op": "ge", "value": 1},
                f"{S004}; {RULES_9}",
            ),
            _criterion(
                "sbrt_bed_ge_48_all_sites",
                "SBRT with BED >= 48 Gy10 to all sites - to confirm at planning (record the lowest planned "
                "BED10 as extra.planned_min_bed10_gy)",
                {"field": "extra.planned_min_bed10_gy", "op": "ge", "value": 48},
                f"{S004} Table 2; clinical-rules.md §7; {RULES_9}",
                note="No planned dose exists in the case facts: unknown until a plan records it.",
            ),
        ],
    },
    {
        "identifier": "NCT03808662",
        "short_name": "MSKCC SBRT for oligoprogression (NSCLC / TNBC)",
        "title": "SBRT to all oligoprogressive sites versus standard of care in NSCLC or triple-negative breast cancer",
        "phase": None,
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Seed 004 (2020): the only active oligoprogression trial; phase not stated in the seeds.",
        "sponsor": "Memorial Sloan Kettering Cancer Center",
        "summary": "Randomised: standard of care versus SBRT (9-10 Gy x 3 or 10 Gy x 5, every other day) to "
        "all oligoprogressive sites in NSCLC or triple-negative breast cancer; primary endpoint PFS.",
        "sources": [S004, S002, RULES_9],
        "criteria": [
            _criterion(
                "nsclc_or_tnbc",
                "NSCLC or triple-negative breast cancer",
                _NSCLC_OR_TNBC,
                f"{S004}; {RULES_9}",
            ),
            _criterion(
                "on_systemic_therapy",
                "Oligoprogression arises under systemic therapy",
                {"field": "on_systemic_therapy", "op": "eq", "value": True},
                f"oligoprogression definition, {S002}; clinical-rules.md §6",
            ),
            _criterion(
                "oligoprogression_1_3",
                "Oligoprogressive: 1-3 progressing lesions",
                {"field": "progressing_lesions_count", "op": "between", "value": [1, 3]},
                f"oligoprogression definition (<= 3), {S002}; clinical-rules.md §6",
            ),
        ],
    },
    {
        "identifier": "NCT03523351",
        "short_name": "Prophylactic RT for high-risk asymptomatic bone metastases (Gillespie)",
        "title": "Prophylactic radiation therapy versus standard of care for patients with high-risk "
        "asymptomatic bone metastases",
        "phase": "2",
        "status": "completed",
        "status_verified": False,
        "status_note": "Results reported (Gillespie et al., JCO 2023; seed 000).",
        "sponsor": "Memorial Sloan Kettering Cancer Center",
        "summary": "Phase II: prophylactic radiotherapy to up to 5 high-risk asymptomatic bone metastases "
        "versus standard of care in patients with more than 5 sites of metastatic disease; 1-year SRE rate "
        "1.6 % versus 29 %.",
        "sources": [S000, "clinical-rules.md §5", RULES_9],
        "criteria": [
            _criterion(
                "more_than_5_metastases",
                "More than 5 sites of metastatic disease",
                {"field": "metastases_count", "op": "gt", "value": 5},
                f"{S000}; clinical-rules.md §5",
                note="'Sites' is read as metastases_count (bone + visceral foci).",
            ),
            _criterion(
                "high_risk_asymptomatic_lesion",
                "At least one asymptomatic bone metastasis with a high-risk feature: >= 2 cm; hip, shoulder "
                "or sacroiliac joint; long bone with 1/3-2/3 cortical involvement; junctional spine "
                "(C7-T1, T12-L1, L5-S1) or posterior element involvement",
                {"some_lesion": _HIGH_RISK_ASYMPTOMATIC_LESION},
                f"{S000}; clinical-rules.md §5",
                note="'Minimally symptomatic' lesions were also eligible; the case facts only record "
                "symptomatic yes/no, so a lesion recorded as symptomatic does not qualify here.",
            ),
        ],
    },
    {
        "identifier": "NCT03599765",
        "short_name": "EXTEND (pancreatic cohort)",
        "title": "Addition of metastasis-directed therapy to systemic therapy for oligometastatic pancreatic "
        "ductal adenocarcinoma (EXTEND)",
        "phase": "2",
        "status": "completed",
        "status_verified": False,
        "status_note": "Seed 003 (2025) reports results; EXTEND is a basket trial whose other cohorts are not in the seeds.",
        "sponsor": "M.D. Anderson Cancer Center",
        "summary": "Phase II basket trial, pancreatic cohort: metastasis-directed therapy plus systemic "
        "therapy versus systemic therapy alone for up to five metastases; longer PFS with MDT.",
        "sources": [S003, RULES_9],
        "criteria": [
            _criterion("primary_pancreatic", "Pancreatic cancer", _primary("pancreatic"), f"{S003}; {RULES_9}"),
            _metastases_at_most(5, f"{S003}; {RULES_9}", "Up to five metastases"),
        ],
    },
    {
        "identifier": "NCT03904927",
        "short_name": "ESO-Shanghai 13",
        "title": "Systemic therapy with or without local intervention for oligometastatic oesophageal "
        "squamous cell carcinoma (ESO-Shanghai 13)",
        "phase": "2",
        "status": "completed",
        "status_verified": False,
        "status_note": "Results published (Lancet Gastroenterol Hepatol 2024, seed 003 ref. 99).",
        "sponsor": "Fudan University",
        "summary": "Phase II: systemic therapy with or without local therapy (radiotherapy, surgery or "
        "thermal ablation) to all metastases of oligometastatic oesophageal squamous cell carcinoma.",
        "sources": [S003, RULES_9],
        "criteria": [
            _criterion(
                "primary_esophageal_squamous",
                "Oesophageal squamous cell carcinoma",
                _primary("esophageal_squamous"),
                f"{S003}; {RULES_9}",
            ),
            _metastases_at_most(
                5,
                f"{S003}; {RULES_9}",
                "Up to five metastases",
                note="Seed 003 groups this trial under 'up to five metastases'; the published protocol "
                "enrolled one to four metastatic lesions with a controlled primary. To confirm.",
            ),
        ],
    },
    {
        "identifier": "NCT05673148",
        "short_name": "ERASur",
        "title": "Evaluating Radiation, Ablation, and Surgery (ERASur, Alliance A022101 / NRG-GI009): total "
        "ablative therapy for limited metastatic colorectal cancer",
        "phase": "3",
        "status": "recruiting",
        "status_verified": False,
        "status_note": "Activated January 2023; recruiting per public trial listings, not re-checked.",
        "sponsor": "Alliance for Clinical Trials in Oncology",
        "summary": "Phase III: standard systemic therapy with or without total ablative therapy (SABR, "
        "surgery, microwave ablation) to all metastases of limited metastatic colorectal cancer; primary "
        "endpoint overall survival.",
        "sources": [S003, RULES_9],
        "criteria": [
            _criterion("primary_colorectal", "Colorectal cancer", _primary("colorectal"), f"{S003}; {RULES_9}"),
            _metastases_at_most(
                5,
                f"{S003}; {RULES_9}",
                "Up to five metastases",
                note="Seed 003 groups this trial under 'up to five metastases'; the published protocol "
                "allows 4 or fewer sites (liver-only disease excluded). To confirm.",
            ),
        ],
    },
)


def load_seed_trials() -> list[dict[str, Any]]:
    """Deep copies of the seed trial definitions (version 1 of each), ready for a data migration."""
    return [copy.deepcopy(trial) for trial in SEED_TRIALS]
