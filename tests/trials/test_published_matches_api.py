"""Black-box checks of trial matching against clinical-rules.md §9 (and §1b, §5, §6), through HTTP only.

Cases are created with ``POST /api/v1/cases/`` as an integrator would, and read back with
``GET /api/v1/cases/{id}/trial-matches/`` (api-contract.md "Cases"): every registry trial, recruiting ones
first, each with ``trial.identifier``, ``trial.status``, ``eligibility`` and per-criterion ``result`` with a
readable explanation. Expected results are derived from the rules, criterion by criterion, including the
boundaries (exactly 3, 4, 5, 10 metastases; exactly 3 mm; exactly 12 months) and unknowns.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.trials.engine import status_rank
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
_MRN = itertools.count(1)

#: clinical-rules.md §9: every trial named in the seeds, by its registry identifier.
SECTION_9 = {
    "NCT01446744": "SABR-COMET",
    "NCT03862911": "SABR-COMET-3",
    "NCT03721341": "SABR-COMET-10",
    "NCT02759783": "CORE",
    "NCT01558427": "STOMP",
    "NCT02680587": "ORIOLE",
    "NCT02364557": "NRG-BR002",
    "NCT03137771": "NRG LU-002",
    "NCT02417662": "SARON",
    "NCT02089100": "STEREO-SEIN",
    "NCT03750396": "CLEAR",
    "NCT04220476": "CIMER",
    "NCT03808337": "MSKCC SBRT + systemic therapy",
    "NCT03808662": "MSKCC oligoprogression",
    "NCT03523351": "Gillespie prophylactic RT",
    "NCT03599765": "EXTEND",
    "NCT03904927": "ESO-Shanghai 13",
    "NCT05673148": "ERASur",
}
#: The registry: section 9 plus NCT00182793, the trial of seed 004 Table 2 that section 9 leaves out (issue 9).
REGISTRY = {**SECTION_9, "NCT00182793": "NCI tandem autologous transplant (stage IIIB-IV breast)"}
SABR_COMET, SABR_COMET_3, SABR_COMET_10 = "NCT01446744", "NCT03862911", "NCT03721341"
CORE, STOMP, ORIOLE = "NCT02759783", "NCT01558427", "NCT02680587"
NRG_BR002, NRG_LU002, SARON = "NCT02364557", "NCT03137771", "NCT02417662"
STEREO_SEIN, CLEAR, CIMER = "NCT02089100", "NCT03750396", "NCT04220476"
MSKCC_BED, MSKCC_OLIGOPROGRESSION, GILLESPIE = "NCT03808337", "NCT03808662", "NCT03523351"
EXTEND, ESO_SHANGHAI_13, ERASUR = "NCT03599765", "NCT03904927", "NCT05673148"

LUMINAL = {"primary_histology": "breast", "er_status": "positive", "pr_status": "positive", "her2_status": "negative"}
TNBC = {"primary_histology": "breast", "er_status": "negative", "pr_status": "negative", "her2_status": "negative"}
#: ESTRO/EORTC de novo history (seed 003 §3.1): no polymetastatic or treated oligometastatic disease before.
DE_NOVO = {"history_polymetastatic": False, "history_oligometastatic_treated": False}
SYNCHRONOUS = {**DE_NOVO, "primary_diagnosis_date": "2025-03-01", "metastasis_diagnosis_date": "2025-04-15"}
METACHRONOUS = {**DE_NOVO, "primary_diagnosis_date": "2019-05-10", "metastasis_diagnosis_date": "2025-01-20"}


def mets(bone: int | None, visceral: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if bone is not None:
        body["bone_metastases_count"] = bone
    if visceral is not None:
        body["visceral_metastases_count"] = visceral
    return body


def ribs(n: int) -> list[dict[str, Any]]:
    """``n`` described rib metastases: off the spine, so no cord-compression exclusion can apply to them."""
    return [{"site": "rib"} for _ in range(n)]


def create_case(p: Personas, **fields: Any) -> int:
    body = {
        "board": p.board.pk,
        "patient": {
            "mrn": f"TRIAL-{next(_MRN):05d}",
            "given_name": "Ann",
            "family_name": "Example",
            "date_of_birth": "1960-05-04",
            "sex": "female",
        },
        "question": "Trial options for this patient?",
        **fields,
    }
    response = p.client(p.coordinator).post(CASES, body, format="json")
    assert response.status_code == 201, response.json()
    case_id: int = response.json()["id"]
    return case_id


def matches(p: Personas, case_id: int, client: APIClient | None = None) -> list[dict[str, Any]]:
    response = (client or p.client(p.radonc)).get(f"/api/v1/cases/{case_id}/trial-matches/")
    assert response.status_code == 200, response.content
    body: list[dict[str, Any]] = response.json()
    return body


def match(p: Personas, trial: str, **fields: Any) -> dict[str, Any]:
    rows = {row["trial"]["identifier"]: row for row in matches(p, create_case(p, **fields))}
    return rows[trial]


def criterion(row: dict[str, Any], code: str) -> dict[str, Any]:
    found = [c for c in row["criteria"] if c["code"] == code]
    assert len(found) == 1, [c["code"] for c in row["criteria"]]
    return found[0]


def results(row: dict[str, Any]) -> dict[str, str]:
    return {c["code"]: c["result"] for c in row["criteria"]}


def explain(row: dict[str, Any]) -> list[str]:
    return [f"{c['code']}: {c['result']}: {c['explanation']}" for c in row["criteria"]]


def assert_eligibility(row: dict[str, Any], eligibility: str) -> None:
    assert row["eligibility"] == eligibility, explain(row)
    derived = {c["result"] for c in row["criteria"]}
    expected = "ineligible" if "not_met" in derived else "possibly_eligible" if "unknown" in derived else "eligible"
    assert row["eligibility"] == expected
    if eligibility == "possibly_eligible":
        assert row["missing_fields"], explain(row)
    else:
        assert row["missing_fields"] == []


# ------------------------------------------------------------------------------------ shape and order


def test_every_section_9_trial_is_listed_recruiting_first_with_the_contract_shape(personas: Personas) -> None:
    body = matches(personas, create_case(personas, primary_histology="nsclc", **mets(2, 0)))
    assert {row["trial"]["identifier"] for row in body} == set(REGISTRY)
    assert len(body) == len(REGISTRY)
    ranks = [status_rank(row["trial"]["status"]) for row in body]
    assert ranks == sorted(ranks)
    assert body[0]["trial"]["status"] == "recruiting"
    statuses = [row["trial"]["status"] for row in body]
    assert statuses.index("completed") > max(i for i, s in enumerate(statuses) if s == "recruiting")
    for row in body:
        assert row["eligibility"] in {"eligible", "possibly_eligible", "ineligible"}
        assert isinstance(row["missing_fields"], list)
        assert row["criteria"]
        for c in row["criteria"]:
            assert {"code", "text", "result", "explanation", "missing"} <= set(c)
            assert c["result"] in {"met", "not_met", "unknown"}
            assert isinstance(c["explanation"], str) and len(c["explanation"]) > 10
            if c["result"] == "unknown":
                assert c["missing"] and c["explanation"].startswith("unknown: needs ")
                if row["eligibility"] == "possibly_eligible":
                    assert set(c["missing"]) <= set(row["missing_fields"])
    by_id = {row["trial"]["identifier"]: row for row in body}
    assert by_id[SABR_COMET]["trial"]["status"] == "completed"  # clinical-rules.md §9
    assert by_id[SABR_COMET_3]["trial"]["short_name"] == "SABR-COMET-3"


# ------------------------------------------------------------------------------------ metastasis counts


@pytest.mark.parametrize(
    ("bone", "visceral", "expected"),
    [(1, 0, "met"), (2, 1, "met"), (3, 0, "met"), (3, 1, "not_met"), (0, 4, "not_met"), (0, 0, "not_met")],
)
def test_sabr_comet_3_counts_bone_plus_visceral_1_to_3(personas: Personas, bone: int, visceral: int, expected: str) -> None:
    row = match(
        personas, SABR_COMET_3, primary_histology="nsclc", primary_controlled=True, **mets(bone, visceral), lesions=ribs(bone)
    )
    c = criterion(row, "metastases_1_3")
    assert c["result"] == expected, c
    total = bone + visceral
    assert c["explanation"] == f"{total} {'metastasis' if total == 1 else 'metastases'}; trial allows 1-3"
    assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


@pytest.mark.parametrize(("total", "expected"), [(3, "not_met"), (4, "met"), (10, "met"), (11, "not_met")])
def test_sabr_comet_10_allows_4_to_10(personas: Personas, total: int, expected: str) -> None:
    row = match(personas, SABR_COMET_10, primary_histology="renal_cell", primary_controlled=True, **mets(0, total))
    assert criterion(row, "metastases_4_10")["result"] == expected
    assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


@pytest.mark.parametrize(("total", "expected"), [(1, "met"), (5, "met"), (6, "not_met")])
def test_sabr_comet_allows_1_to_5(personas: Personas, total: int, expected: str) -> None:
    row = match(personas, SABR_COMET, primary_histology="colorectal", primary_controlled=True, **mets(0, total))
    assert criterion(row, "metastases_1_5")["result"] == expected
    assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


def test_controlled_primary_is_required(personas: Personas) -> None:
    row = match(personas, SABR_COMET_3, primary_histology="nsclc", primary_controlled=False, **mets(1, 1))
    c = criterion(row, "controlled_primary")
    assert c["result"] == "not_met"
    assert c["explanation"] == "primary tumour controlled: no; trial requires yes"
    assert_eligibility(row, "ineligible")


def test_unknown_visceral_count_is_asked_for_unless_the_bone_count_decides(personas: Personas) -> None:
    row = match(personas, SABR_COMET_3, primary_histology="nsclc", primary_controlled=True, **mets(2, None), lesions=ribs(2))
    c = criterion(row, "metastases_1_3")
    assert c["result"] == "unknown"
    assert c["missing"] == ["visceral_metastases_count"]
    assert c["explanation"] == "unknown: needs visceral_metastases_count"
    assert_eligibility(row, "possibly_eligible")
    assert row["missing_fields"] == ["visceral_metastases_count"]
    # 6 bone metastases fail 1-5 whatever the visceral count
    row = match(personas, SABR_COMET, primary_histology="nsclc", primary_controlled=True, **mets(6, None))
    c = criterion(row, "metastases_1_5")
    assert c["result"] == "not_met"
    assert c["explanation"] == "at least 6 metastases (visceral_metastases_count not recorded); trial allows 1-5"
    assert_eligibility(row, "ineligible")


def test_unknown_primary_control_is_asked_for(personas: Personas) -> None:
    row = match(personas, SABR_COMET_3, primary_histology="prostate", **mets(1, 0), lesions=ribs(1))
    assert criterion(row, "controlled_primary")["result"] == "unknown"
    assert row["missing_fields"] == ["primary_controlled"]
    assert_eligibility(row, "possibly_eligible")


def test_recorded_lesions_are_bone_metastases_and_bound_the_count(personas: Personas) -> None:
    spine = [{"site": "thoracic_spine", "level_from": f"T{i}", "distance_to_spinal_cord_mm": 8} for i in (3, 6, 9, 11)]
    # bone count not recorded: at least the 4 recorded lesions
    row = match(
        personas, SABR_COMET_3, primary_histology="nsclc", primary_controlled=True, visceral_metastases_count=0, lesions=spine
    )
    c = criterion(row, "metastases_1_3")
    assert c["result"] == "not_met", c
    assert c["explanation"].startswith("at least 4 metastases")
    # a bone count lower than the lesions recorded cannot be the true count: at least 4, and it is asked for
    row = match(personas, SABR_COMET_3, primary_histology="nsclc", primary_controlled=True, **mets(2, 0), lesions=spine)
    assert criterion(row, "metastases_1_3")["result"] == "not_met", explain(row)
    row = match(personas, SABR_COMET_10, primary_histology="nsclc", primary_controlled=True, **mets(2, 0), lesions=spine)
    c = criterion(row, "metastases_4_10")
    assert c["result"] == "unknown", c
    assert c["missing"] == ["bone_metastases_count"]


# ------------------------------------------------------------------------------------ SABR-COMET lesions


def sabr_comet(p: Personas, *lesions: dict[str, Any], bone: int | None = None) -> dict[str, Any]:
    count = len(lesions) if bone is None else bone
    return match(p, SABR_COMET, primary_histology="breast", primary_controlled=True, **mets(count, 0), lesions=list(lesions))


def test_sabr_comet_excludes_femoral_metastases(personas: Personas) -> None:
    row = sabr_comet(personas, {"site": "rib"}, {"site": "femur", "subsite": "shaft"})
    c = criterion(row, "no_femoral_metastasis")
    assert c["result"] == "not_met"
    assert c["explanation"] == "lesion 2 (femur, shaft): site is femur; trial excludes such lesions"
    assert_eligibility(row, "ineligible")
    row = sabr_comet(personas, {"site": "rib"}, {"site": "humerus", "subsite": "shaft"})
    assert criterion(row, "no_femoral_metastasis")["result"] == "met"
    assert_eligibility(row, "eligible")


@pytest.mark.parametrize(
    ("distance", "expected"),
    [(0, "not_met"), (2.9, "not_met"), (3, "not_met"), (3.1, "met"), (8, "met")],
)
def test_sabr_comet_excludes_lesions_within_3_mm_of_the_cord(personas: Personas, distance: float, expected: str) -> None:
    lesion = {
        "site": "thoracic_spine",
        "level_from": "T7",
        "distance_to_spinal_cord_mm": distance,
        "epidural_compression_grade": "0",
    }
    row = sabr_comet(personas, lesion)
    c = criterion(row, "no_focus_within_3mm_of_cord")
    assert c["result"] == expected, c
    if expected == "not_met":
        assert c["explanation"].startswith("lesion 1 (thoracic_spine, T7)")
    assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


def test_a_spinal_lesion_without_a_cord_distance_is_asked_for(personas: Personas) -> None:
    row = sabr_comet(personas, {"site": "rib"}, {"site": "lumbar_spine", "level_from": "L2"})
    c = criterion(row, "no_focus_within_3mm_of_cord")
    assert c["result"] == "unknown"
    assert c["missing"] == ["lesions[1].distance_to_spinal_cord_mm"]
    assert_eligibility(row, "possibly_eligible")
    # the spinal lesion's compression grade is not recorded either (cord compression is excluded)
    assert row["missing_fields"] == ["lesions[1].distance_to_spinal_cord_mm", "lesions[1].epidural_compression_grade"]


def test_unrecorded_bone_metastases_leave_the_lesion_exclusions_unknown(personas: Personas) -> None:
    # 3 bone metastases, only one described: the other two could be femoral or next to the cord
    described = {
        "site": "thoracic_spine",
        "level_from": "T7",
        "distance_to_spinal_cord_mm": 9,
        "epidural_compression_grade": "1a",
    }
    row = sabr_comet(personas, described, bone=3)
    for code in ("no_femoral_metastasis", "no_focus_within_3mm_of_cord", "no_spinal_cord_compression"):
        c = criterion(row, code)
        assert c["result"] == "unknown", c
        assert c["missing"] == ["lesions"]
        assert c["explanation"] == "unknown: needs lesions"
    assert_eligibility(row, "possibly_eligible")
    assert row["missing_fields"] == ["lesions"]
    # a recorded femoral lesion decides the exclusion whatever the others are
    row = sabr_comet(personas, {"site": "femur", "subsite": "shaft"}, bone=3)
    assert criterion(row, "no_femoral_metastasis")["result"] == "not_met"
    assert_eligibility(row, "ineligible")


# ------------------------------------------------------------------------------------ histology trials


@pytest.mark.parametrize(
    ("histology", "expected"),
    [("breast", "met"), ("nsclc", "met"), ("prostate", "met"), ("renal_cell", "not_met"), ("sclc", "not_met")],
)
def test_core_requires_breast_nsclc_or_prostate(personas: Personas, histology: str, expected: str) -> None:
    row = match(personas, CORE, primary_histology=histology, primary_controlled=True, **mets(2, 0))
    c = criterion(row, "primary_breast_nsclc_prostate")
    assert c["result"] == expected
    if expected == "not_met":
        assert c["explanation"] == f"primary histology is {histology}; trial requires breast, nsclc or prostate"
    assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


@pytest.mark.parametrize(
    ("trial", "histology", "code", "limit"),
    [
        (CORE, "nsclc", "metastases_le_3", 3),
        (STOMP, "prostate", "metastases_le_3", 3),
        (ORIOLE, "prostate", "metastases_le_3", 3),
        (EXTEND, "pancreatic", "metastases_le_5", 5),
        (ESO_SHANGHAI_13, "esophageal_squamous", "metastases_le_5", 5),
        (ERASUR, "colorectal", "metastases_le_5", 5),
    ],
)
def test_at_most_n_metastases_means_1_to_n(personas: Personas, trial: str, histology: str, code: str, limit: int) -> None:
    extra: dict[str, Any] = {"primary_controlled": True}
    if trial == ORIOLE:
        extra["castration_status"] = "hormone_sensitive"
    for total, expected in ((limit, "met"), (limit + 1, "not_met"), (1, "met"), (0, "not_met")):
        row = match(personas, trial, primary_histology=histology, **extra, **mets(0, total))
        assert criterion(row, code)["result"] == expected, (total, explain(row))
        assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


def test_oriole_requires_hormone_sensitive_prostate_cancer(personas: Personas) -> None:
    row = match(personas, ORIOLE, primary_histology="prostate", castration_status="castration_resistant", **mets(2, 0))
    assert criterion(row, "hormone_sensitive")["result"] == "not_met"
    assert_eligibility(row, "ineligible")
    row = match(personas, ORIOLE, primary_histology="prostate", **mets(2, 0))
    assert criterion(row, "hormone_sensitive")["result"] == "unknown"
    assert row["missing_fields"] == ["castration_status"]
    assert_eligibility(row, "possibly_eligible")
    row = match(personas, ORIOLE, primary_histology="prostate", castration_status="hormone_sensitive", **mets(2, 0))
    assert_eligibility(row, "eligible")


@pytest.mark.parametrize("trial", [NRG_LU002, SARON])
def test_oligometastatic_nsclc_trials(personas: Personas, trial: str) -> None:
    assert_eligibility(match(personas, trial, primary_histology="nsclc", **mets(3, 2)), "eligible")
    row = match(personas, trial, primary_histology="nsclc", **mets(3, 3))
    assert criterion(row, "oligometastatic_1_5")["result"] == "not_met"
    assert_eligibility(match(personas, trial, primary_histology="sclc", **mets(1, 0)), "ineligible")


# ------------------------------------------------------------------------------------ breast trials


def test_nrg_br002_newly_oligometastatic_is_de_novo_synchronous_or_metachronous(personas: Personas) -> None:
    for timing in (SYNCHRONOUS, METACHRONOUS):
        row = match(personas, NRG_BR002, **LUMINAL, **mets(2, 1), **timing)
        assert criterion(row, "newly_oligometastatic")["result"] == "met", explain(row)
        assert_eligibility(row, "eligible")
    for history in ("history_polymetastatic", "history_oligometastatic_treated"):
        row = match(personas, NRG_BR002, **LUMINAL, **mets(2, 1), **{**METACHRONOUS, history: True})
        assert criterion(row, "newly_oligometastatic")["result"] == "not_met"
        assert_eligibility(row, "ineligible")
    row = match(
        personas, NRG_BR002, **LUMINAL, **mets(2, 1), primary_diagnosis_date="2019-05-10", metastasis_diagnosis_date="2025-01-20"
    )
    assert row["missing_fields"] == ["history_polymetastatic", "history_oligometastatic_treated"]
    assert_eligibility(row, "possibly_eligible")


def test_stereo_sein_de_novo_not_triple_negative(personas: Personas) -> None:
    # STEREO-SEIN's "de novo": first metastatic presentation without prior treatment for it, at diagnosis or
    # at relapse (registry record NCT02089100); "secondary" (after systemic therapy) disease is not de novo.
    for timing in (SYNCHRONOUS, METACHRONOUS):
        assert_eligibility(match(personas, STEREO_SEIN, **LUMINAL, **mets(3, 0), **timing), "eligible")
    row = match(personas, STEREO_SEIN, **TNBC, **mets(3, 0), **SYNCHRONOUS)
    c = criterion(row, "not_triple_negative")
    assert c["result"] == "not_met"
    assert "triple_negative" in c["explanation"]
    assert_eligibility(row, "ineligible")
    row = match(personas, STEREO_SEIN, **LUMINAL, **mets(3, 0), **{**SYNCHRONOUS, "history_polymetastatic": True})
    assert_eligibility(row, "ineligible")
    # ER positive with HER2 unknown is luminal or HER2-positive: certainly not triple-negative
    row = match(personas, STEREO_SEIN, **{**LUMINAL, "her2_status": "unknown"}, **mets(3, 0), **SYNCHRONOUS)
    assert criterion(row, "not_triple_negative")["result"] == "met"
    # all receptors unknown: asked for
    row = match(personas, STEREO_SEIN, primary_histology="breast", **mets(3, 0), **SYNCHRONOUS)
    assert criterion(row, "not_triple_negative")["result"] == "unknown"
    assert_eligibility(row, "possibly_eligible")


@pytest.mark.parametrize(
    ("metastasis_date", "expected"),
    [("2021-03-14", "not_met"), ("2021-03-15", "not_met"), ("2021-03-16", "met"), ("2024-01-01", "met")],
)
def test_clear_recurrence_more_than_12_months_after_the_end_of_primary_treatment(
    personas: Personas, metastasis_date: str, expected: str
) -> None:
    # Issue 9: measured from the end of treatment of the primary, not from its diagnosis (years before here).
    row = match(
        personas,
        CLEAR,
        **LUMINAL,
        **mets(1, 1),
        primary_diagnosis_date="2019-01-10",
        primary_treatment_completed_date="2020-03-15",
        metastasis_diagnosis_date=metastasis_date,
    )
    c = criterion(row, "recurrence_after_12_months")
    assert c["result"] == expected, c
    assert "months" in c["explanation"] and "more than 12 months" in c["explanation"]
    assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


def test_clear_without_the_end_of_primary_treatment_asks_for_it(personas: Personas) -> None:
    row = match(
        personas, CLEAR, **LUMINAL, **mets(1, 1), primary_diagnosis_date="2015-01-10", metastasis_diagnosis_date="2024-01-01"
    )
    c = criterion(row, "recurrence_after_12_months")
    assert c["result"] == "unknown", c
    assert c["missing"] == ["primary_treatment_completed_date"]
    assert_eligibility(row, "possibly_eligible")


def test_clear_is_er_positive_her2_negative(personas: Personas) -> None:
    dates = {
        "primary_diagnosis_date": "2018-01-01",
        "primary_treatment_completed_date": "2018-09-01",
        "metastasis_diagnosis_date": "2024-01-01",
    }
    row = match(personas, CLEAR, **{**LUMINAL, "er_status": "negative"}, **mets(1, 0), **dates)  # PR+ only
    assert criterion(row, "er_positive")["result"] == "not_met"
    assert_eligibility(row, "ineligible")
    row = match(personas, CLEAR, **{**LUMINAL, "her2_status": "positive"}, **mets(1, 0), **dates)
    assert criterion(row, "her2_negative")["result"] == "not_met"
    row = match(personas, CLEAR, **{**LUMINAL, "her2_status": "unknown"}, **mets(1, 0), **dates)
    assert criterion(row, "her2_negative")["result"] == "unknown"
    assert row["missing_fields"] == ["her2_status"]
    assert_eligibility(row, "possibly_eligible")


def test_cimer_luminal_and_first_line_cdk46_candidacy_is_asked_for(personas: Personas) -> None:
    # luminal = ER or PR positive, HER2 negative (§1b): PR positive alone is luminal
    row = match(personas, CIMER, **{**LUMINAL, "er_status": "negative"}, **mets(2, 0))
    assert criterion(row, "luminal_subtype")["result"] == "met"
    c = criterion(row, "first_line_cdk46_candidate")
    assert c["result"] == "unknown"
    assert row["missing_fields"] == ["extra.first_line_cdk46_candidate"]
    assert_eligibility(row, "possibly_eligible")
    row = match(personas, CIMER, **{**LUMINAL, "her2_status": "positive"}, **mets(2, 0))
    assert criterion(row, "luminal_subtype")["result"] == "not_met"
    assert_eligibility(row, "ineligible")
    assert_eligibility(match(personas, CIMER, **TNBC, **mets(2, 0)), "ineligible")


def test_breast_subtype_derivation_is_shown_on_the_case(personas: Personas) -> None:
    client = personas.client(personas.radonc)
    for receptors, subtype in [
        ({"er_status": "positive", "pr_status": "negative", "her2_status": "negative"}, "luminal"),
        ({"er_status": "negative", "pr_status": "positive", "her2_status": "negative"}, "luminal"),
        ({"er_status": "positive", "pr_status": "positive", "her2_status": "positive"}, "her2_positive"),
        ({"er_status": "negative", "pr_status": "negative", "her2_status": "positive"}, "her2_positive"),
        ({"er_status": "negative", "pr_status": "negative", "her2_status": "negative"}, "triple_negative"),
        ({"er_status": "positive", "pr_status": "positive", "her2_status": "unknown"}, None),
    ]:
        case_id = create_case(personas, primary_histology="breast", **receptors)
        assert client.get(f"{CASES}{case_id}/").json()["breast_subtype"] == subtype, receptors


# ------------------------------------------------------------------------------------ NSCLC / TNBC trials


def test_mskcc_sbrt_trial_needs_the_planned_bed_to_be_recorded(personas: Personas) -> None:
    for disease in ({"primary_histology": "nsclc"}, TNBC):
        row = match(personas, MSKCC_BED, **disease, **mets(4, 3))
        assert results(row)["nsclc_or_tnbc"] == "met"
        assert row["missing_fields"] == ["extra.planned_min_bed10_gy"]
        assert_eligibility(row, "possibly_eligible")
    row = match(personas, MSKCC_BED, **LUMINAL, **mets(4, 3))
    assert criterion(row, "nsclc_or_tnbc")["result"] == "not_met"
    assert_eligibility(row, "ineligible")


@pytest.mark.parametrize(("progressing", "expected"), [(0, "not_met"), (1, "met"), (3, "met"), (4, "not_met")])
def test_mskcc_oligoprogression_1_to_3_lesions_under_systemic_therapy(
    personas: Personas, progressing: int, expected: str
) -> None:
    row = match(
        personas,
        MSKCC_OLIGOPROGRESSION,
        primary_histology="nsclc",
        on_systemic_therapy=True,
        systemic_therapy_classes=["immunotherapy"],
        progressing_lesions_count=progressing,
    )
    assert criterion(row, "oligoprogression_1_3")["result"] == expected
    assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


def test_mskcc_oligoprogression_requires_systemic_therapy(personas: Personas) -> None:
    row = match(personas, MSKCC_OLIGOPROGRESSION, **TNBC, on_systemic_therapy=False, progressing_lesions_count=2)
    assert criterion(row, "on_systemic_therapy")["result"] == "not_met"
    row = match(personas, MSKCC_OLIGOPROGRESSION, **TNBC, progressing_lesions_count=2)
    assert row["missing_fields"] == ["on_systemic_therapy"]
    assert_eligibility(row, "possibly_eligible")


# ------------------------------------------------------------------------------------ Gillespie (§5)


def gillespie(p: Personas, lesion: dict[str, Any], visceral: int = 5) -> dict[str, Any]:
    return match(p, GILLESPIE, primary_histology="breast", **mets(1, visceral), lesions=[lesion])


@pytest.mark.parametrize(
    ("lesion", "expected"),
    [
        ({"site": "rib", "max_diameter_mm": 20}, "met"),  # bulky: >= 20 mm
        ({"site": "rib", "max_diameter_mm": 19.9}, "not_met"),
        ({"site": "femur", "subsite": "femoral_neck"}, "met"),  # hip
        ({"site": "pelvis", "subsite": "acetabulum"}, "met"),
        ({"site": "scapula", "subsite": "glenoid"}, "met"),  # shoulder
        ({"site": "humerus", "subsite": "humeral_head"}, "met"),
        ({"site": "sacrum", "subsite": "sacroiliac_joint"}, "met"),
        ({"site": "tibia", "subsite": "shaft", "cortical_involvement": "one_third_to_two_thirds"}, "met"),
        ({"site": "tibia", "subsite": "shaft", "cortical_involvement": "lt_one_third"}, "not_met"),
        ({"site": "tibia", "subsite": "shaft", "cortical_involvement": "gt_two_thirds"}, "not_met"),
        ({"site": "metatarsal", "subsite": "shaft", "cortical_involvement": "one_third_to_two_thirds"}, "not_met"),
        ({"site": "cervical_spine", "level_from": "C7"}, "met"),  # junctional C7-T1
        ({"site": "thoracic_spine", "level_from": "T10", "level_to": "T12"}, "met"),  # spans T12
        ({"site": "lumbar_spine", "level_from": "L5"}, "met"),
        ({"site": "sacrum", "level_from": "S1"}, "met"),
        ({"site": "thoracic_spine", "level_from": "T6", "level_to": "T8"}, "not_met"),
        ({"site": "cervical_spine", "level_from": "C4"}, "not_met"),  # SINS-junctional, not Gillespie's
        ({"site": "thoracic_spine", "level_from": "T6", "posterior_element_involvement": True}, "met"),
    ],
)
def test_gillespie_high_risk_features(personas: Personas, lesion: dict[str, Any], expected: str) -> None:
    base = {"symptomatic": False, "max_diameter_mm": 12, "posterior_element_involvement": False}
    row = gillespie(personas, {**base, **lesion})
    assert criterion(row, "more_than_5_metastases")["result"] == "met"
    c = criterion(row, "high_risk_asymptomatic_lesion")
    assert c["result"] == expected, c
    assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


def test_gillespie_needs_more_than_5_sites_and_an_asymptomatic_lesion(personas: Personas) -> None:
    hip = {"site": "femur", "subsite": "femoral_neck", "symptomatic": False}
    row = gillespie(personas, hip, visceral=4)  # exactly 5
    c = criterion(row, "more_than_5_metastases")
    assert c["result"] == "not_met"
    assert c["explanation"] == "5 metastases; trial requires more than 5"
    assert_eligibility(row, "ineligible")
    row = gillespie(personas, {**hip, "symptomatic": True})
    assert criterion(row, "high_risk_asymptomatic_lesion")["result"] == "not_met"
    row = gillespie(personas, {"site": "femur", "subsite": "femoral_neck"})
    c = criterion(row, "high_risk_asymptomatic_lesion")
    assert c["result"] == "unknown"
    assert c["missing"] == ["lesions[0].symptoms"]
    assert_eligibility(row, "possibly_eligible")
    # the trial enrolled minimally symptomatic lesions too (clinical-rules.md §1, §5)
    row = gillespie(personas, {"site": "femur", "subsite": "femoral_neck", "symptoms": "minimally_symptomatic"})
    assert criterion(row, "high_risk_asymptomatic_lesion")["result"] == "met"
    assert_eligibility(row, "eligible")
    row = gillespie(personas, {"site": "femur", "subsite": "femoral_neck", "symptoms": "symptomatic"})
    assert criterion(row, "high_risk_asymptomatic_lesion")["result"] == "not_met"


# ------------------------------------------------------------------------------------ issue 9 corrections


@pytest.mark.parametrize("histology", ["myeloma", "lymphoma"])
def test_sabr_comet_3_and_10_require_a_solid_tumour(personas: Personas, histology: str) -> None:
    for trial, count in ((SABR_COMET_3, 2), (SABR_COMET_10, 5)):
        row = match(personas, trial, primary_histology=histology, primary_controlled=True, **mets(count, 0), lesions=ribs(count))
        assert criterion(row, "solid_tumour")["result"] == "not_met"
        assert_eligibility(row, "ineligible")
        row = match(personas, trial, primary_histology="breast", primary_controlled=True, **mets(count, 0), lesions=ribs(count))
        assert_eligibility(row, "eligible")


@pytest.mark.parametrize(("grade", "expected"), [("1c", "met"), ("2", "not_met"), ("3", "not_met")])
def test_sabr_comet_trials_exclude_spinal_cord_compression(personas: Personas, grade: str, expected: str) -> None:
    spine = {"site": "thoracic_spine", "level_from": "T9", "distance_to_spinal_cord_mm": 5, "epidural_compression_grade": grade}
    for trial in (SABR_COMET, SABR_COMET_3):
        row = match(personas, trial, primary_histology="nsclc", primary_controlled=True, **mets(1, 0), lesions=[spine])
        c = criterion(row, "no_spinal_cord_compression")
        assert c["result"] == expected, c
        assert c["kind"] == "exclusion"
        assert_eligibility(row, "eligible" if expected == "met" else "ineligible")


def test_nct00182793_is_listed_not_recruiting_with_an_eligibility(personas: Personas) -> None:
    row = match(personas, "NCT00182793", **LUMINAL, **mets(2, 0), lesions=ribs(2))
    assert row["trial"]["status"] == "active_not_recruiting"
    assert row["trial"]["recruiting"] is False and row["trial"]["recruitment_note"].startswith("Not recruiting")
    assert row["missing_fields"] == ["extra.autologous_transplant_candidate"]
    assert_eligibility(row, "possibly_eligible")
    row = match(personas, "NCT00182793", primary_histology="prostate", **mets(2, 0))
    assert_eligibility(row, "ineligible")
