"""Black-box check of the published tables through the public HTTP API only.

Every cell of the Mirels table (clinical-rules.md §2; Mirels, Clin Orthop 1989), of the SINS table (§3;
Fourney et al., JCO 2011), every Gillespie high-risk criterion and its boundary (§5), and the case API's
stored ``risk`` section (ESCC §4, oligometastatic class §6) are exercised as an outside integrator would:
``POST /api/v1/calculators/...`` and ``POST``/``GET /api/v1/cases/`` with an authenticated user, nothing
imported from the engine. The expected values are written out here from the published tables, not derived
from the code under test.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Personas

MIRELS = "/api/v1/calculators/mirels/"
SINS = "/api/v1/calculators/sins/"
HIGH_RISK = "/api/v1/calculators/high-risk-asymptomatic/"
CASES = "/api/v1/cases/"

pytestmark = pytest.mark.django_db

ALL_SITES = [
    "skull",
    "cervical_spine",
    "thoracic_spine",
    "lumbar_spine",
    "sacrum",
    "rib",
    "sternum",
    "clavicle",
    "scapula",
    "pelvis",
    "humerus",
    "radius",
    "ulna",
    "femur",
    "tibia",
    "fibula",
    "metacarpal",
    "metatarsal",
    "phalanx",
    "other",
]
LEVELS = [
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
    "coccyx",
]
CRITERIA = ["bulky", "joint", "long_bone_cortical", "junctional_spine", "posterior_elements"]


@pytest.fixture
def client(personas: Personas) -> APIClient:
    return personas.client(personas.radonc)


def post(client: APIClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, body, format="json")
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


def points(data: dict[str, Any]) -> dict[str, int | None]:
    return {name: component["points"] for name, component in data["components"].items()}


# =========================================================================================== Mirels (§2)


def mirels(
    site: str = "femur",
    subsite: str | None = "shaft",
    pain: str = "mild",
    radiographic_type: str = "blastic",
    cortical_involvement: str = "lt_one_third",
) -> dict[str, Any]:
    """A Mirels body; the defaults score 1 point in pain, lesion and size (femoral shaft: site 2)."""
    body: dict[str, Any] = {
        "site": site,
        "pain": pain,
        "radiographic_type": radiographic_type,
        "cortical_involvement": cortical_involvement,
    }
    if subsite is not None:
        body["subsite"] = subsite
    return body


#: Site points of §2 for every Mirels site (femur and phalanx: see the subsite / limb tests).
MIRELS_SITE_POINTS = {
    "humerus": 1,
    "radius": 1,
    "ulna": 1,
    "clavicle": 1,
    "metacarpal": 1,
    "tibia": 2,
    "fibula": 2,
    "metatarsal": 2,
    "phalanx": 2,
}
MIRELS_NOT_APPLICABLE = [
    "skull",
    "cervical_spine",
    "thoracic_spine",
    "lumbar_spine",
    "sacrum",
    "rib",
    "sternum",
    "scapula",
    "pelvis",
    "other",
]


def test_mirels_site_lists_cover_the_whole_vocabulary() -> None:
    assert sorted([*MIRELS_SITE_POINTS, "femur", *MIRELS_NOT_APPLICABLE]) == sorted(ALL_SITES)


@pytest.mark.parametrize(("site", "site_points"), sorted(MIRELS_SITE_POINTS.items()))
def test_mirels_site_points_without_subsite(client: APIClient, site: str, site_points: int) -> None:
    data = post(client, MIRELS, mirels(site=site, subsite=None))
    assert data["applicable"] is True
    assert data["components"]["site"]["points"] == site_points
    assert data["score"] == site_points + 3


@pytest.mark.parametrize("site", MIRELS_NOT_APPLICABLE)
def test_mirels_other_sites_are_not_applicable_never_a_number(client: APIClient, site: str) -> None:
    data = post(
        client,
        MIRELS,
        mirels(site=site, subsite=None, pain="functional", radiographic_type="lytic", cortical_involvement="gt_two_thirds"),
    )
    assert data["applicable"] is False
    assert data["score"] is None
    assert data["category"] is None
    assert "not applicable" in data["recommendation"]


@pytest.mark.parametrize(
    ("site", "subsite", "site_points"),
    [
        ("femur", "peritrochanteric", 3),
        ("femur", "femoral_neck", 3),
        ("femur", "femoral_head", 2),
        ("femur", "proximal", 2),
        ("femur", "shaft", 2),
        ("femur", "distal", 2),
        *(
            (site, subsite, 2)
            for site in ("tibia", "fibula", "metatarsal", "phalanx")
            for subsite in ("proximal", "shaft", "distal")
        ),
        *(
            (site, subsite, 1)
            for site in ("humerus", "radius", "ulna", "clavicle", "metacarpal")
            for subsite in ("proximal", "shaft", "distal")
        ),
        ("humerus", "humeral_head", 1),
    ],
)
def test_mirels_site_points_of_every_subsite(client: APIClient, site: str, subsite: str, site_points: int) -> None:
    data = post(client, MIRELS, mirels(site=site, subsite=subsite))
    assert data["components"]["site"]["points"] == site_points
    assert data["score"] == site_points + 3
    assert data["inputs"]["subsite"] == subsite


def test_mirels_femur_without_subsite_is_unknown_not_guessed(client: APIClient) -> None:
    # Peritrochanteric (3) or the rest of the femur (2): the subsite decides, so it is never guessed.
    data = post(
        client,
        MIRELS,
        mirels(
            site="femur", subsite=None, pain="moderate", radiographic_type="mixed", cortical_involvement="one_third_to_two_thirds"
        ),
    )
    assert data["applicable"] is True
    assert data["score"] is None
    assert data["category"] is None
    assert data["missing"] == ["subsite"]
    assert data["possible_range"] == [8, 9]
    assert data["recommendation"] == "unknown: needs subsite"


@pytest.mark.parametrize(("limb", "site_points"), [("hand", 1), ("foot", 2)])
def test_mirels_phalanx_of_the_hand_or_foot(client: APIClient, limb: str, site_points: int) -> None:
    # §2: foot phalanges score 2 (lower limb), hand phalanges 1 (upper limb).
    body = mirels(site="phalanx", subsite=None) | {"phalanx_limb": limb}
    data = post(client, MIRELS, body)
    assert data["components"]["site"]["points"] == site_points
    assert data["score"] == site_points + 3
    assert data["inputs"]["phalanx_limb"] == limb


def test_mirels_phalanx_limb_unknown_code_is_400(client: APIClient) -> None:
    body = mirels(site="phalanx", subsite=None) | {"phalanx_limb": "elbow"}
    response = client.post(MIRELS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["phalanx_limb"]


def test_mirels_phalanx_limb_on_another_site_is_400(client: APIClient) -> None:
    response = client.post(MIRELS, mirels(site="femur") | {"phalanx_limb": "hand"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["phalanx_limb"]


@pytest.mark.parametrize(
    ("site", "subsite"),
    [
        ("humerus", "peritrochanteric"),  # a femoral region on an upper-limb bone: 1 or 3 points?
        ("tibia", "femoral_neck"),
        ("femur", "acetabulum"),  # the acetabulum is pelvic: Mirels would not apply at all
        ("femur", "humeral_head"),
        ("radius", "glenoid"),
        ("clavicle", "sacroiliac_joint"),
    ],
)
def test_mirels_subsite_that_is_not_a_region_of_the_site_is_400(client: APIClient, site: str, subsite: str) -> None:
    response = client.post(MIRELS, mirels(site=site, subsite=subsite), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["subsite"]
    assert response.json()["subsite"][0]


@pytest.mark.parametrize(("pain", "pain_points"), [("none", 1), ("mild", 1), ("moderate", 2), ("functional", 3)])
def test_mirels_pain_cells(client: APIClient, pain: str, pain_points: int) -> None:
    data = post(client, MIRELS, mirels(pain=pain))
    assert data["components"]["pain"]["points"] == pain_points
    assert data["components"]["pain"]["input"] == pain
    assert data["score"] == 2 + pain_points + 1 + 1


def test_mirels_pain_none_scores_as_mild_and_says_so(client: APIClient) -> None:
    data = post(client, MIRELS, mirels(pain="none"))
    assert data["components"]["pain"]["points"] == 1
    assert "mild" in data["components"]["pain"]["note"]
    assert any("pain 'none' scores as mild" in note for note in data["notes"])
    mild = post(client, MIRELS, mirels(pain="mild"))
    assert not any("scores as mild" in note for note in mild["notes"])


@pytest.mark.parametrize(("lesion", "lesion_points"), [("blastic", 1), ("mixed", 2), ("lytic", 3)])
def test_mirels_lesion_cells(client: APIClient, lesion: str, lesion_points: int) -> None:
    data = post(client, MIRELS, mirels(radiographic_type=lesion))
    assert data["components"]["lesion"]["points"] == lesion_points
    assert data["score"] == 2 + 1 + lesion_points + 1


@pytest.mark.parametrize(
    ("cortical", "size_points"),
    [("lt_one_third", 1), ("one_third_to_two_thirds", 2), ("gt_two_thirds", 3)],
)
def test_mirels_size_cells(client: APIClient, cortical: str, size_points: int) -> None:
    data = post(client, MIRELS, mirels(cortical_involvement=cortical))
    assert data["components"]["size"]["points"] == size_points
    assert data["score"] == 2 + 1 + 1 + size_points


# Every total 4..12 with its category: >= 9 impending fracture, 8 borderline, <= 7 low risk.
@pytest.mark.parametrize(
    ("body", "total", "category"),
    [
        (mirels(site="humerus", subsite="shaft"), 4, "low_risk"),
        (mirels(site="tibia", subsite="shaft"), 5, "low_risk"),
        (mirels(site="tibia", subsite="shaft", pain="moderate"), 6, "low_risk"),
        (
            mirels(
                site="humerus",
                subsite="shaft",
                pain="moderate",
                radiographic_type="mixed",
                cortical_involvement="one_third_to_two_thirds",
            ),
            7,
            "low_risk",
        ),
        (
            mirels(
                site="femur",
                subsite="shaft",
                pain="moderate",
                radiographic_type="mixed",
                cortical_involvement="one_third_to_two_thirds",
            ),
            8,
            "borderline",
        ),
        (
            mirels(
                site="radius", subsite="distal", pain="functional", radiographic_type="lytic", cortical_involvement="lt_one_third"
            ),
            8,
            "borderline",
        ),
        (
            mirels(
                site="femur",
                subsite="shaft",
                pain="moderate",
                radiographic_type="lytic",
                cortical_involvement="one_third_to_two_thirds",
            ),
            9,
            "impending_fracture",
        ),
        (
            mirels(
                site="femur",
                subsite="femoral_neck",
                pain="moderate",
                radiographic_type="mixed",
                cortical_involvement="one_third_to_two_thirds",
            ),
            9,
            "impending_fracture",
        ),
        (
            mirels(
                site="humerus",
                subsite="shaft",
                pain="functional",
                radiographic_type="lytic",
                cortical_involvement="one_third_to_two_thirds",
            ),
            9,
            "impending_fracture",
        ),
        (
            mirels(
                site="tibia",
                subsite="proximal",
                pain="functional",
                radiographic_type="lytic",
                cortical_involvement="one_third_to_two_thirds",
            ),
            10,
            "impending_fracture",
        ),
        (
            mirels(
                site="femur", subsite="distal", pain="functional", radiographic_type="lytic", cortical_involvement="gt_two_thirds"
            ),
            11,
            "impending_fracture",
        ),
        (
            mirels(
                site="femur",
                subsite="peritrochanteric",
                pain="functional",
                radiographic_type="lytic",
                cortical_involvement="gt_two_thirds",
            ),
            12,
            "impending_fracture",
        ),
    ],
)
def test_mirels_totals_and_category_boundaries(client: APIClient, body: dict[str, Any], total: int, category: str) -> None:
    data = post(client, MIRELS, body)
    assert data["applicable"] is True
    assert data["score"] == total
    assert sum(points(data).values()) == total  # type: ignore[arg-type]
    assert data["category"] == category


@pytest.mark.parametrize(
    ("body", "total", "category", "words"),
    [
        # Mirels 1989 table: the minimum (4) and the maximum (12) lesion.
        (mirels(site="ulna", subsite="shaft", pain="mild"), 4, "low_risk", "radiotherapy and observation"),
        (
            mirels(
                site="femur",
                subsite="peritrochanteric",
                pain="functional",
                radiographic_type="lytic",
                cortical_involvement="gt_two_thirds",
            ),
            12,
            "impending_fracture",
            "prophylactic fixation",
        ),
        # Lytic lesion of the femoral shaft, moderate pain, 1/3-2/3 of the cortex: 2 + 2 + 3 + 2 = 9.
        (
            mirels(
                site="femur",
                subsite="shaft",
                pain="moderate",
                radiographic_type="lytic",
                cortical_involvement="one_third_to_two_thirds",
            ),
            9,
            "impending_fracture",
            "prophylactic fixation",
        ),
        # Blastic humeral lesion, functional pain, > 2/3: 1 + 3 + 1 + 3 = 8, borderline.
        (
            mirels(
                site="humerus",
                subsite="proximal",
                pain="functional",
                radiographic_type="blastic",
                cortical_involvement="gt_two_thirds",
            ),
            8,
            "borderline",
            "surgical opinion",
        ),
    ],
)
def test_mirels_worked_examples_with_recommendation(
    client: APIClient, body: dict[str, Any], total: int, category: str, words: str
) -> None:
    data = post(client, MIRELS, body)
    assert (data["score"], data["category"]) == (total, category)
    assert words in data["recommendation"]


def test_mirels_response_shape(client: APIClient) -> None:
    data = post(client, MIRELS, mirels())
    assert {"applicable", "score", "category", "components", "inputs", "source"} <= set(data)
    assert set(data["components"]) == {"site", "pain", "lesion", "size"}
    for component in data["components"].values():
        assert set(component) == {"input", "points", "note"}
    assert isinstance(data["score"], int)
    assert "Mirels" in data["source"]


# ============================================================================================= SINS (§3)


def sins(
    level_from: str = "T5",
    level_to: str | None = None,
    spinal_pain: str = "none",
    radiographic_type: str = "blastic",
    alignment: str = "normal",
    vertebral_collapse: str = "none",
    posterolateral_involvement: str = "none",
) -> dict[str, Any]:
    """A SINS body; the defaults score 0 in every component but location."""
    body: dict[str, Any] = {
        "level_from": level_from,
        "spinal_pain": spinal_pain,
        "radiographic_type": radiographic_type,
        "alignment": alignment,
        "vertebral_collapse": vertebral_collapse,
        "posterolateral_involvement": posterolateral_involvement,
    }
    if level_to is not None:
        body["level_to"] = level_to
    return body


#: §3 location of every level: junctional occiput-C2, C7-T2, T11-L1, L5-S1 (3); mobile C3-C6, L2-L4 (2);
#: semi-rigid T3-T10 (1); rigid S2-S5 (0).
SINS_LOCATION = {
    "C1": 3,
    "C2": 3,
    "C3": 2,
    "C4": 2,
    "C5": 2,
    "C6": 2,
    "C7": 3,
    "T1": 3,
    "T2": 3,
    "T3": 1,
    "T4": 1,
    "T5": 1,
    "T6": 1,
    "T7": 1,
    "T8": 1,
    "T9": 1,
    "T10": 1,
    "T11": 3,
    "T12": 3,
    "L1": 3,
    "L2": 2,
    "L3": 2,
    "L4": 2,
    "L5": 3,
    "S1": 3,
    "S2": 0,
    "S3": 0,
    "S4": 0,
    "S5": 0,
}


def test_sins_location_table_covers_every_level_but_the_coccyx() -> None:
    assert [*SINS_LOCATION, "coccyx"] == LEVELS


@pytest.mark.parametrize(("level", "location_points"), sorted(SINS_LOCATION.items()))
def test_sins_location_of_every_level(client: APIClient, level: str, location_points: int) -> None:
    data = post(client, SINS, sins(level_from=level))
    assert data["applicable"] is True
    assert data["components"]["location"]["points"] == location_points
    assert data["score"] == location_points
    assert data["category"] == "stable"
    assert data["surgical_consultation"] is False


def test_sins_coccyx_is_outside_the_published_table(client: APIClient) -> None:
    # The location table runs from the occiput to S5: a coccygeal lesion gets no number, never a guess.
    data = post(client, SINS, sins(level_from="coccyx"))
    assert data["applicable"] is False
    assert data["score"] is None
    assert "coccyx" in data["recommendation"]


@pytest.mark.parametrize(
    ("level_from", "level_to", "location_points"),
    [
        ("C1", "C2", 3),
        ("C2", "C3", 3),
        ("C3", "C6", 2),
        ("C6", "C7", 3),
        ("C5", "T1", 3),
        ("T2", "T3", 3),
        ("T3", "T10", 1),
        ("T10", "T11", 3),
        ("T4", "T6", 1),
        ("L1", "L2", 3),
        ("L2", "L4", 2),
        ("L4", "L5", 3),
        ("L5", "S1", 3),
        ("S1", "S2", 3),
        ("S2", "S5", 0),
        ("S4", "coccyx", 0),
        ("T5", "L3", 3),
        ("C3", "C3", 2),
    ],
)
def test_sins_span_takes_the_highest_location(client: APIClient, level_from: str, level_to: str, location_points: int) -> None:
    data = post(client, SINS, sins(level_from=level_from, level_to=level_to))
    assert data["components"]["location"]["points"] == location_points
    assert data["score"] == location_points


@pytest.mark.parametrize(
    ("field", "value", "component", "cell_points"),
    [
        ("spinal_pain", "mechanical", "pain", 3),
        ("spinal_pain", "occasional_non_mechanical", "pain", 1),
        ("spinal_pain", "none", "pain", 0),
        ("radiographic_type", "lytic", "bone_lesion", 2),
        ("radiographic_type", "mixed", "bone_lesion", 1),
        ("radiographic_type", "blastic", "bone_lesion", 0),
        ("alignment", "subluxation_translation", "alignment", 4),
        ("alignment", "de_novo_deformity", "alignment", 2),
        ("alignment", "normal", "alignment", 0),
        ("vertebral_collapse", "gt50_collapse", "vertebral_collapse", 3),
        ("vertebral_collapse", "lt50_collapse", "vertebral_collapse", 2),
        ("vertebral_collapse", "no_collapse_gt50_involved", "vertebral_collapse", 1),
        ("vertebral_collapse", "none", "vertebral_collapse", 0),
        ("posterolateral_involvement", "bilateral", "posterolateral_involvement", 3),
        ("posterolateral_involvement", "unilateral", "posterolateral_involvement", 1),
        ("posterolateral_involvement", "none", "posterolateral_involvement", 0),
    ],
)
def test_sins_component_cells(client: APIClient, field: str, value: str, component: str, cell_points: int) -> None:
    data = post(client, SINS, sins(level_from="S3") | {field: value})  # S3: location 0
    assert data["components"][component]["points"] == cell_points
    assert data["components"][component]["input"] == value
    assert data["score"] == cell_points


@pytest.mark.parametrize(
    ("body", "total", "category", "consult"),
    [
        (sins(level_from="S2"), 0, "stable", False),
        # 6/7: T6 1 + mechanical 3 + lytic 2 = 6; + unilateral 1 = 7
        (sins(level_from="T6", spinal_pain="mechanical", radiographic_type="lytic"), 6, "stable", False),
        (
            sins(level_from="T6", spinal_pain="mechanical", radiographic_type="lytic", posterolateral_involvement="unilateral"),
            7,
            "indeterminate",
            True,
        ),
        # C4 2 + occasional 1 + mixed 1 + no collapse > 50 % 1 + unilateral 1 = 6; C7 (3) instead: 7
        (
            sins(
                level_from="C4",
                spinal_pain="occasional_non_mechanical",
                radiographic_type="mixed",
                vertebral_collapse="no_collapse_gt50_involved",
                posterolateral_involvement="unilateral",
            ),
            6,
            "stable",
            False,
        ),
        (
            sins(
                level_from="C7",
                spinal_pain="occasional_non_mechanical",
                radiographic_type="mixed",
                vertebral_collapse="no_collapse_gt50_involved",
                posterolateral_involvement="unilateral",
            ),
            7,
            "indeterminate",
            True,
        ),
        # 12/13: L3 2 + mechanical 3 + lytic 2 + < 50 % 2 + bilateral 3 = 12; L1 (3) instead: 13
        (
            sins(
                level_from="L3",
                spinal_pain="mechanical",
                radiographic_type="lytic",
                vertebral_collapse="lt50_collapse",
                posterolateral_involvement="bilateral",
            ),
            12,
            "indeterminate",
            True,
        ),
        (
            sins(
                level_from="L1",
                spinal_pain="mechanical",
                radiographic_type="lytic",
                vertebral_collapse="lt50_collapse",
                posterolateral_involvement="bilateral",
            ),
            13,
            "unstable",
            True,
        ),
        # 18: junctional + mechanical + lytic + subluxation + > 50 % + bilateral
        (
            sins(
                level_from="C2",
                spinal_pain="mechanical",
                radiographic_type="lytic",
                alignment="subluxation_translation",
                vertebral_collapse="gt50_collapse",
                posterolateral_involvement="bilateral",
            ),
            18,
            "unstable",
            True,
        ),
        # Fourney-style vignette: T8 lytic lesion, mechanical pain, > 50 % collapse, kyphosis, no
        # posterolateral involvement: 1 + 3 + 2 + 2 + 3 + 0 = 11, potentially unstable
        (
            sins(
                level_from="T8",
                spinal_pain="mechanical",
                radiographic_type="lytic",
                alignment="de_novo_deformity",
                vertebral_collapse="gt50_collapse",
            ),
            11,
            "indeterminate",
            True,
        ),
        # Blastic L4 prostate metastasis, pain-free, no collapse: 2, stable
        (sins(level_from="L4"), 2, "stable", False),
    ],
)
def test_sins_totals_boundaries_and_consultation(
    client: APIClient, body: dict[str, Any], total: int, category: str, consult: bool
) -> None:
    data = post(client, SINS, body)
    assert data["score"] == total
    assert sum(points(data).values()) == total  # type: ignore[arg-type]
    assert data["category"] == category
    assert data["surgical_consultation"] is consult


def test_sins_response_shape(client: APIClient) -> None:
    data = post(client, SINS, sins())
    assert {"score", "category", "surgical_consultation", "components", "inputs", "source"} <= set(data)
    assert set(data["components"]) == {
        "location",
        "pain",
        "bone_lesion",
        "alignment",
        "vertebral_collapse",
        "posterolateral_involvement",
    }
    assert isinstance(data["score"], int)
    assert isinstance(data["surgical_consultation"], bool)


# ===================================================================== high-risk asymptomatic (§5)


def lesion(site: str = "rib", **fields: Any) -> dict[str, Any]:
    """An asymptomatic 10 mm lesion meeting no criterion; fields override."""
    return {"site": site, "max_diameter_mm": 10, "symptomatic": False, **fields}


def spine(level_from: str, level_to: str | None = None, **fields: Any) -> dict[str, Any]:
    site = {"C": "cervical_spine", "T": "thoracic_spine", "L": "lumbar_spine"}.get(level_from[0], "sacrum")
    body = lesion(site, level_from=level_from, **{"posterior_element_involvement": False, **fields})
    if level_to is not None:
        body["level_to"] = level_to
    return body


def high_risk(client: APIClient, body: dict[str, Any]) -> dict[str, Any]:
    data = post(client, HIGH_RISK, body)
    assert {"high_risk", "criteria_met"} <= set(data)
    assert set(data["criteria_met"]) <= set(CRITERIA)
    assert data["criteria_met"] == [code for code in CRITERIA if code in data["criteria_met"]]
    return data


@pytest.mark.parametrize(
    ("diameter", "met"), [(19.9, False), (19.99, False), (20, True), (20.0, True), (20.1, True), (0.1, False)]
)
def test_bulky_is_20_mm_or_more(client: APIClient, diameter: float, met: bool) -> None:
    data = high_risk(client, lesion(max_diameter_mm=diameter))
    assert data["criteria_met"] == (["bulky"] if met else [])
    assert data["high_risk"] is met


@pytest.mark.parametrize(
    ("site", "subsite"),
    [
        ("pelvis", "acetabulum"),
        ("femur", "femoral_head"),
        ("femur", "femoral_neck"),
        ("scapula", "acromion"),
        ("scapula", "glenoid"),
        ("humerus", "humeral_head"),
        ("pelvis", "sacroiliac_joint"),
        ("sacrum", "sacroiliac_joint"),
    ],
)
def test_every_joint_region_meets_the_joint_criterion(client: APIClient, site: str, subsite: str) -> None:
    data = high_risk(client, lesion(site, subsite=subsite, cortical_involvement="lt_one_third"))
    assert data["criteria_met"] == ["joint"]
    assert data["high_risk"] is True


@pytest.mark.parametrize(
    ("site", "subsite"),
    [
        ("femur", "peritrochanteric"),
        ("femur", "proximal"),
        ("femur", "shaft"),
        ("femur", "distal"),
        ("humerus", "proximal"),
        ("humerus", "shaft"),
        ("tibia", "proximal"),
        ("pelvis", None),
        ("scapula", None),
        ("rib", None),
    ],
)
def test_non_joint_regions_do_not_meet_the_joint_criterion(client: APIClient, site: str, subsite: str | None) -> None:
    data = high_risk(client, lesion(site, subsite=subsite, cortical_involvement="lt_one_third"))
    assert data["criteria_met"] == []
    assert data["high_risk"] is False


LONG_BONES = ["humerus", "radius", "ulna", "clavicle", "femur", "tibia", "fibula", "metacarpal", "phalanx"]


@pytest.mark.parametrize("site", LONG_BONES)
@pytest.mark.parametrize(
    ("cortical", "met"),
    [("lt_one_third", False), ("one_third_to_two_thirds", True), ("gt_two_thirds", False)],
)
def test_long_bone_cortical_is_one_third_to_two_thirds_only(client: APIClient, site: str, cortical: str, met: bool) -> None:
    data = high_risk(client, lesion(site, subsite="shaft", cortical_involvement=cortical))
    assert data["criteria_met"] == (["long_bone_cortical"] if met else [])
    assert data["high_risk"] is met


@pytest.mark.parametrize("site", ["metatarsal", "rib", "sternum", "skull", "pelvis", "scapula", "other"])
def test_cortical_criterion_needs_a_listed_long_bone(client: APIClient, site: str) -> None:
    data = high_risk(client, lesion(site, cortical_involvement="one_third_to_two_thirds"))
    assert "long_bone_cortical" not in data["criteria_met"]
    assert data["high_risk"] is False


GILLESPIE_JUNCTIONAL = {"C7", "T1", "T12", "L1", "L5", "S1"}


@pytest.mark.parametrize("level", LEVELS)
def test_junctional_spine_single_levels(client: APIClient, level: str) -> None:
    met = level in GILLESPIE_JUNCTIONAL
    data = high_risk(client, spine(level))
    assert data["criteria_met"] == (["junctional_spine"] if met else [])
    assert data["high_risk"] is met


@pytest.mark.parametrize(
    ("level_from", "level_to", "met"),
    [
        ("C6", "C7", True),
        ("C7", "T1", True),
        ("C5", "T2", True),
        ("T12", "L1", True),
        ("T11", "T12", True),
        ("L1", "L2", True),
        ("L4", "L5", True),
        ("L5", "S1", True),
        ("S1", "S3", True),
        ("T10", "L2", True),
        # Narrower than SINS: C1-C2, C6, T2, T11, L2 and S2 are not Gillespie junctional levels.
        ("C1", "C2", False),
        ("C3", "C6", False),
        ("T2", "T11", False),
        ("L2", "L4", False),
        ("S2", "S5", False),
        ("S2", "coccyx", False),
    ],
)
def test_junctional_spine_spans(client: APIClient, level_from: str, level_to: str, met: bool) -> None:
    data = high_risk(client, spine(level_from, level_to))
    assert ("junctional_spine" in data["criteria_met"]) is met
    assert data["high_risk"] is met


@pytest.mark.parametrize("level", ["T6", "L3", "C4", "S3"])
def test_posterior_element_involvement(client: APIClient, level: str) -> None:
    data = high_risk(client, spine(level, posterior_element_involvement=True))
    assert data["criteria_met"] == ["posterior_elements"]
    assert data["high_risk"] is True


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            lesion("femur", subsite="femoral_neck", max_diameter_mm=25, cortical_involvement="one_third_to_two_thirds"),
            ["bulky", "joint", "long_bone_cortical"],
        ),
        (
            spine("L5", "S1", max_diameter_mm=30, posterior_element_involvement=True),
            ["bulky", "junctional_spine", "posterior_elements"],
        ),
        (spine("T12", posterior_element_involvement=True), ["junctional_spine", "posterior_elements"]),
        (
            lesion("humerus", subsite="humeral_head", max_diameter_mm=20, cortical_involvement="one_third_to_two_thirds"),
            ["bulky", "joint", "long_bone_cortical"],
        ),
        (lesion("pelvis", subsite="acetabulum", max_diameter_mm=45), ["bulky", "joint"]),
    ],
)
def test_several_criteria_are_listed_together(client: APIClient, body: dict[str, Any], expected: list[str]) -> None:
    data = high_risk(client, body)
    assert data["criteria_met"] == expected
    assert data["high_risk"] is True
    assert "prophylactic radiotherapy" in data["recommendation"]


def test_symptomatic_lesion_lists_its_criteria_but_is_not_the_asymptomatic_flag(client: APIClient) -> None:
    data = high_risk(client, lesion(max_diameter_mm=40, symptomatic=True))
    assert data["criteria_met"] == ["bulky"]
    assert data["high_risk"] is False
    assert data["applicable"] is False
    assert "symptomatic" in data["recommendation"]


def test_high_risk_components_break_down_every_criterion(client: APIClient) -> None:
    # api-contract.md: every calculator returns a ``components`` breakdown; here one per criterion.
    data = high_risk(client, spine("L5", max_diameter_mm=19.9))
    assert list(data["components"]) == CRITERIA
    assert {code: c["status"] for code, c in data["components"].items()} == {
        "bulky": "not_met",
        "joint": "not_met",
        "long_bone_cortical": "not_met",
        "junctional_spine": "met",
        "posterior_elements": "not_met",
    }
    assert data["components"]["bulky"]["input"] == 19.9
    assert data["components"]["junctional_spine"]["input"] == "L5"
    assert all(c["note"] for c in data["components"].values())


def test_levels_on_a_non_spinal_site_are_400(client: APIClient) -> None:
    # A junctional level recorded on a bone without vertebrae must not be silently dropped.
    response = client.post(HIGH_RISK, lesion("other", level_from="C7"), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["level_from"]


# ====================================================================== errors and authentication


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (MIRELS, mirels(site="hip"), "site"),
        (MIRELS, mirels(subsite="trochanter"), "subsite"),
        (MIRELS, mirels(pain="severe"), "pain"),
        (MIRELS, mirels(radiographic_type="sclerotic"), "radiographic_type"),
        (MIRELS, mirels(cortical_involvement="half"), "cortical_involvement"),
        (MIRELS, {**mirels(), "pain": None}, "pain"),
        (SINS, sins(level_from="T13"), "level_from"),
        (SINS, sins(level_from="L2", level_to="L1"), "level_to"),
        (SINS, sins(spinal_pain="mild"), "spinal_pain"),
        (SINS, sins(radiographic_type="osteolytic"), "radiographic_type"),
        (SINS, sins(alignment="kyphosis"), "alignment"),
        (SINS, sins(vertebral_collapse="50"), "vertebral_collapse"),
        (SINS, sins(posterolateral_involvement="both"), "posterolateral_involvement"),
        (HIGH_RISK, lesion(site="hip"), "site"),
        (HIGH_RISK, lesion(max_diameter_mm="big"), "max_diameter_mm"),
        (HIGH_RISK, lesion(max_diameter_mm=0), "max_diameter_mm"),
        (HIGH_RISK, lesion(cortical_involvement="most"), "cortical_involvement"),
        (HIGH_RISK, spine("L3", "L1"), "level_to"),
        (HIGH_RISK, lesion(symptomatic="sometimes"), "symptomatic"),
    ],
)
def test_bad_input_is_400_naming_the_field(client: APIClient, url: str, body: dict[str, Any], field: str) -> None:
    response = client.post(url, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert list(errors) == [field]
    assert isinstance(errors[field], list) and errors[field] and isinstance(errors[field][0], str)


@pytest.mark.parametrize(("url", "body"), [(MIRELS, mirels()), (SINS, sins()), (HIGH_RISK, lesion())])
def test_unauthenticated_is_401(url: str, body: dict[str, Any]) -> None:
    assert APIClient().post(url, body, format="json").status_code == 401


# ============================================================= the case API's stored risk section (§4, §6)

_mrn = iter(range(1, 10_000))


def case_body(board_id: int, lesions: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "board": board_id,
        "patient": {
            "mrn": f"PT-{next(_mrn)}",
            "given_name": "Eva",
            "family_name": "Nilsson",
            "date_of_birth": "1958-04-12",
            "sex": "female",
        },
        "question": "Risk review before radiotherapy",
        "primary_histology": "breast",
        "bone_metastases_count": len(lesions),
        "visceral_metastases_count": 0,
        "lesions": lesions,
        **fields,
    }


def create_and_read(p: Personas, capture: Any, lesions: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    with capture(execute=True):
        response = p.client(p.coordinator).post(CASES, case_body(p.board.pk, lesions, **fields), format="json")
    assert response.status_code == 201, response.content
    detail = p.client(p.coordinator).get(f"{CASES}{response.json()['id']}/")
    assert detail.status_code == 200
    body: dict[str, Any] = detail.json()
    assert body["risk"]["status"] == "current"
    return body


def lesion_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The risk summary's lesion results in the order of the case's lesions (matched by uuid)."""
    by_ref = {item["lesion_ref"]: item for item in body["risk"]["summary"]["lesions"]}
    return [by_ref[stored["uuid"]] for stored in body["lesions"]]


CASE_LESIONS: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    (
        {
            "site": "femur",
            "subsite": "peritrochanteric",
            "pain": "functional",
            "radiographic_type": "lytic",
            "cortical_involvement": "gt_two_thirds",
            "max_diameter_mm": 34,
            "symptomatic": True,
        },
        MIRELS,
        mirels(
            site="femur",
            subsite="peritrochanteric",
            pain="functional",
            radiographic_type="lytic",
            cortical_involvement="gt_two_thirds",
        ),
    ),
    (
        {
            "site": "humerus",
            "subsite": "shaft",
            "pain": "none",
            "radiographic_type": "mixed",
            "cortical_involvement": "one_third_to_two_thirds",
            "max_diameter_mm": 18,
            "symptomatic": False,
        },
        MIRELS,
        mirels(
            site="humerus",
            subsite="shaft",
            pain="none",
            radiographic_type="mixed",
            cortical_involvement="one_third_to_two_thirds",
        ),
    ),
    (
        {
            "site": "thoracic_spine",
            "level_from": "T6",
            "spinal_pain": "mechanical",
            "radiographic_type": "lytic",
            "alignment": "normal",
            "vertebral_collapse": "none",
            "posterolateral_involvement": "unilateral",
            "epidural_compression_grade": "2",
            "posterior_element_involvement": False,
            "max_diameter_mm": 15,
            "symptomatic": True,
        },
        SINS,
        sins(level_from="T6", spinal_pain="mechanical", radiographic_type="lytic", posterolateral_involvement="unilateral"),
    ),
    (
        {
            "site": "lumbar_spine",
            "level_from": "L1",
            "level_to": "L2",
            "spinal_pain": "mechanical",
            "radiographic_type": "lytic",
            "alignment": "normal",
            "vertebral_collapse": "lt50_collapse",
            "posterolateral_involvement": "bilateral",
            "epidural_compression_grade": "3",
            "posterior_element_involvement": True,
            "max_diameter_mm": 22,
            "symptomatic": False,
        },
        SINS,
        sins(
            level_from="L1",
            level_to="L2",
            spinal_pain="mechanical",
            radiographic_type="lytic",
            vertebral_collapse="lt50_collapse",
            posterolateral_involvement="bilateral",
        ),
    ),
    (
        {
            "site": "cervical_spine",
            "level_from": "C4",
            "spinal_pain": "none",
            "radiographic_type": "blastic",
            "alignment": "normal",
            "vertebral_collapse": "none",
            "posterolateral_involvement": "none",
            "epidural_compression_grade": "1c",
            "posterior_element_involvement": False,
            "max_diameter_mm": 8,
            "symptomatic": False,
        },
        SINS,
        sins(level_from="C4"),
    ),
]


def test_case_risk_section_matches_the_calculators(
    personas: Personas, client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    body = create_and_read(
        personas, django_capture_on_commit_callbacks, [item[0] for item in CASE_LESIONS], estimated_survival_months=12
    )
    results = lesion_results(body)
    assert len(results) == len(CASE_LESIONS)
    for (stored, url, calculator_body), result in zip(CASE_LESIONS, results, strict=True):
        calculated = post(client, url, calculator_body)
        rule = "mirels" if url == MIRELS else "sins"
        for key in ("applicable", "score", "category", "components"):
            assert result[rule][key] == calculated[key], (stored, key)
        if rule == "sins":
            assert result["sins"]["surgical_consultation"] == calculated["surgical_consultation"]
        hr_fields = (
            "site",
            "subsite",
            "level_from",
            "level_to",
            "max_diameter_mm",
            "cortical_involvement",
            "posterior_element_involvement",
            "symptomatic",
        )
        hr_body = {field: stored[field] for field in hr_fields if field in stored}
        hr = high_risk(client, hr_body)
        assert result["high_risk_asymptomatic"]["high_risk"] == hr["high_risk"]
        assert result["high_risk_asymptomatic"]["criteria_met"] == hr["criteria_met"]

    femur, humerus, t6, l1_l2, c4 = results
    assert (femur["mirels"]["score"], femur["mirels"]["category"]) == (12, "impending_fracture")
    assert (humerus["mirels"]["score"], humerus["mirels"]["category"]) == (6, "low_risk")
    assert humerus["mirels"]["components"]["pain"]["points"] == 1
    assert humerus["high_risk_asymptomatic"]["criteria_met"] == ["long_bone_cortical"]
    assert (t6["sins"]["score"], t6["sins"]["category"], t6["sins"]["surgical_consultation"]) == (7, "indeterminate", True)
    assert (l1_l2["sins"]["score"], l1_l2["sins"]["category"]) == (13, "unstable")
    assert l1_l2["high_risk_asymptomatic"]["criteria_met"] == ["bulky", "junctional_spine", "posterior_elements"]
    assert l1_l2["high_risk_asymptomatic"]["high_risk"] is True
    assert (c4["sins"]["score"], c4["sins"]["category"], c4["sins"]["surgical_consultation"]) == (2, "stable", False)
    # Mirels does not apply to the spine, SINS and ESCC do not apply to the limbs.
    assert t6["mirels"]["applicable"] is False and t6["mirels"]["score"] is None
    assert femur["sins"]["applicable"] is False and femur["escc"]["applicable"] is False

    # ESCC (§4): grades 2 and 3 are high-grade compression, flagged for urgent review; 1c is not.
    for result, grade, high in ((t6, "2", True), (l1_l2, "3", True), (c4, "1c", False)):
        assert result["escc"]["grade"] == grade
        assert result["escc"]["high_grade"] is high
        assert result["escc"]["urgent_review"] is high
        assert (result["escc"]["category"] == "high_grade_compression") is high
        assert any(flag["code"] == "escc_high_grade" for flag in result["flags"]) is high
    flags = body["risk"]["summary"]["flags"]
    assert flags[0]["code"] == "escc_high_grade"
    assert flags[0]["priority"] == max(flag["priority"] for flag in flags)


@pytest.mark.parametrize("grade", ["0", "1a", "1b", "1c", "2", "3"])
def test_case_escc_grades(personas: Personas, django_capture_on_commit_callbacks: Any, grade: str) -> None:
    spinal = {"site": "thoracic_spine", "level_from": "T9", "epidural_compression_grade": grade}
    body = create_and_read(personas, django_capture_on_commit_callbacks, [spinal])
    (result,) = lesion_results(body)
    high = grade in {"2", "3"}
    assert result["escc"]["grade"] == grade
    assert result["escc"]["high_grade"] is high
    assert (result["escc"]["category"] == "high_grade_compression") is high
    if high:
        assert "urgent" in result["escc"]["recommendation"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # de novo: metastases within 6 months of the primary (the same calendar day 6 months later is
        # still within) are synchronous; later is metachronous.
        ({"primary_diagnosis_date": "2024-01-15", "metastasis_diagnosis_date": "2024-01-15"}, "de_novo_synchronous"),
        ({"primary_diagnosis_date": "2024-01-15", "metastasis_diagnosis_date": "2024-07-15"}, "de_novo_synchronous"),
        ({"primary_diagnosis_date": "2024-01-15", "metastasis_diagnosis_date": "2024-07-16"}, "de_novo_metachronous"),
        ({"primary_diagnosis_date": "2023-08-31", "metastasis_diagnosis_date": "2024-02-29"}, "de_novo_synchronous"),
        ({"primary_diagnosis_date": "2023-08-31", "metastasis_diagnosis_date": "2024-03-01"}, "de_novo_metachronous"),
        (
            {"primary_diagnosis_date": "2024-03-01", "metastasis_diagnosis_date": "2024-02-01"},
            "de_novo_synchronous",
        ),  # found before the primary
        ({"primary_diagnosis_date": "2019-05-01", "metastasis_diagnosis_date": "2024-05-01"}, "de_novo_metachronous"),
        # induced: polymetastatic disease reduced by systemic therapy; repeat: treated OMD before.
        ({"history_polymetastatic": True, "history_oligometastatic_treated": False}, "induced"),
        ({"history_polymetastatic": True, "history_oligometastatic_treated": True}, "induced"),
        ({"history_polymetastatic": False, "history_oligometastatic_treated": True}, "repeat"),
    ],
)
def test_case_oligometastatic_class(
    personas: Personas, django_capture_on_commit_callbacks: Any, fields: dict[str, Any], expected: str
) -> None:
    history = {"history_polymetastatic": False, "history_oligometastatic_treated": False}
    body = create_and_read(
        personas, django_capture_on_commit_callbacks, [{"site": "rib"}, {"site": "sternum"}], **(history | fields)
    )
    oligo = body["risk"]["summary"]["oligometastatic"]
    assert oligo["category"] == expected
    assert oligo["estro_eortc_class"] == expected
    assert oligo["total_foci"] == 2


@pytest.mark.parametrize(
    ("bone", "visceral", "expected"), [(5, 0, None), (3, 2, None), (4, 2, "polymetastatic"), (6, 0, "polymetastatic")]
)
def test_case_polymetastatic_above_five_foci(
    personas: Personas,
    django_capture_on_commit_callbacks: Any,
    bone: int,
    visceral: int,
    expected: str | None,
) -> None:
    fields = {
        "history_polymetastatic": False,
        "history_oligometastatic_treated": False,
        "primary_diagnosis_date": "2020-01-10",
        "metastasis_diagnosis_date": "2024-01-10",
        "bone_metastases_count": bone,
        "visceral_metastases_count": visceral,
    }
    body = create_and_read(personas, django_capture_on_commit_callbacks, [{"site": "rib"}], **fields)
    oligo = body["risk"]["summary"]["oligometastatic"]
    assert oligo["total_foci"] == bone + visceral
    assert oligo["category"] == (expected or "de_novo_metachronous")
    consensus = next(d for d in oligo["definitions"] if d["code"] == "estro_astro_1_to_5")
    assert (consensus["status"] == "met") is (expected is None)


@pytest.mark.parametrize(
    ("on_therapy", "progressing", "expected"),
    [(True, 1, True), (True, 3, True), (True, 4, False), (True, 0, False), (False, 2, False)],
)
def test_case_oligoprogression(
    personas: Personas,
    django_capture_on_commit_callbacks: Any,
    on_therapy: bool,
    progressing: int,
    expected: bool,
) -> None:
    fields: dict[str, Any] = {"on_systemic_therapy": on_therapy, "progressing_lesions_count": progressing}
    if on_therapy:
        fields["systemic_therapy_classes"] = ["endocrine"]
    body = create_and_read(personas, django_capture_on_commit_callbacks, [{"site": "rib"}], **fields)
    oligo = body["risk"]["summary"]["oligometastatic"]
    assert oligo["oligoprogression"] is expected
    assert any(flag["code"] == "oligoprogression" for flag in body["risk"]["summary"]["flags"]) is expected
