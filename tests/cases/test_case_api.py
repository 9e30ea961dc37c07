"""Case intake through the public API: happy path, validation, concurrency, workflow."""

from __future__ import annotations

from typing import Any

import pytest

from apps.audit.models import AuditEntry
from apps.cases.models import Case, Lesion
from tests.conftest import Personas

URL = "/api/v1/cases/"


def new_case_payload(board_id: int, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "board": board_id,
        "patient": {
            "mrn": "A-1001",
            "given_name": "Mary",
            "family_name": "Jones",
            "date_of_birth": "1961-03-02",
            "sex": "female",
        },
        "question": "Prophylactic fixation of the left femur before radiotherapy?",
        "urgent": True,
        "primary_histology": "breast",
        "er_status": "positive",
        "pr_status": "positive",
        "her2_status": "negative",
        "ecog": 1,
        "primary_diagnosis_date": "2021-06-01",
        "metastasis_diagnosis_date": "2025-09-15",
        "bone_metastases_count": 2,
        "visceral_metastases_count": 0,
        "systemic_therapy_classes": ["endocrine", "cdk46_inhibitor"],
        "lesions": [
            {
                "site": "femur",
                "subsite": "peritrochanteric",
                "radiographic_type": "lytic",
                "cortical_involvement": "gt_two_thirds",
                "pain": "functional",
                "max_diameter_mm": 34,
            },
            {
                "site": "lumbar_spine",
                "level_from": "L1",
                "level_to": "L2",
                "spinal_pain": "mechanical",
                "radiographic_type": "mixed",
                "alignment": "normal",
                "vertebral_collapse": "lt50_collapse",
                "posterolateral_involvement": "unilateral",
                "epidural_compression_grade": "1b",
            },
        ],
        "prior_radiotherapy": [{"region": "L1-L2", "total_dose_gy": 8, "fractions": 1, "date": "2025-10-01"}],
    }
    payload.update(overrides)
    return payload


def create_case(p: Personas, **overrides: Any) -> dict[str, Any]:
    response = p.client(p.coordinator).post(URL, new_case_payload(p.board.pk, **overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_case_with_new_patient_lesions_and_prior_course(personas: Personas) -> None:
    body = create_case(personas)
    assert body["status"] == "draft"
    assert body["patient"]["mrn"] == "A-1001"
    assert body["breast_subtype"] == "luminal"
    assert [lesion["site"] for lesion in body["lesions"]] == ["femur", "lumbar_spine"]
    assert body["prior_radiotherapy"][0]["total_dose_gy"] == 8
    assert {"risk", "dose_summaries", "trial_matches"} <= set(body)
    case = Case.objects.get(pk=body["id"])
    assert case.created_by == personas.coordinator
    entry = AuditEntry.objects.get(event="case.created", subject_id=str(case.pk))
    assert entry.actor == personas.coordinator
    assert len(entry.after["lesions"]) == 2


def test_create_case_for_existing_patient(personas: Personas) -> None:
    first = create_case(personas)
    body = create_case(personas, patient=first["patient"]["id"], lesions=[{"site": "rib"}])
    assert body["patient"]["id"] == first["patient"]["id"]


def test_duplicate_mrn_in_same_institution_is_rejected(personas: Personas) -> None:
    create_case(personas)
    response = personas.client(personas.coordinator).post(URL, new_case_payload(personas.board.pk), format="json")
    assert response.status_code == 400
    assert "mrn" in response.json()


@pytest.mark.parametrize(
    ("overrides", "field_path"),
    [
        ({"ecog": 7}, ("ecog",)),
        ({"ecog": -1}, ("ecog",)),
        ({"primary_histology": "lung"}, ("primary_histology",)),
        ({"metastasis_diagnosis_date": "1950-01-01"}, ("metastasis_diagnosis_date",)),
        ({"primary_diagnosis_date": "2099-01-01"}, ("primary_diagnosis_date",)),
        ({"castration_status": "hormone_sensitive"}, ("castration_status",)),
        ({"systemic_therapy_classes": ["magic"]}, ("systemic_therapy_classes",)),
        ({"bone_metastases_count": -2}, ("bone_metastases_count",)),
        ({"estimated_survival_months": -1}, ("estimated_survival_months",)),
        ({"question": ""}, ("question",)),
        ({"lesions": [{"site": "thoracic_spine", "level_from": "T13"}]}, ("lesions", 0, "level_from")),
        ({"lesions": [{"site": "thoracic_spine", "level_from": "L2"}]}, ("lesions", 0, "level_from")),
        ({"lesions": [{"site": "lumbar_spine", "level_from": "L4", "level_to": "L2"}]}, ("lesions", 0, "level_to")),
        ({"lesions": [{"site": "lumbar_spine", "level_from": "L4", "pain": "functional"}]}, ("lesions", 0, "pain")),
        (
            {"lesions": [{"site": "thoracic_spine", "cortical_involvement": "gt_two_thirds"}]},
            ("lesions", 0, "cortical_involvement"),
        ),
        ({"lesions": [{"site": "femur", "spinal_pain": "mechanical"}]}, ("lesions", 0, "spinal_pain")),
        ({"lesions": [{"site": "femur", "epidural_compression_grade": "2"}]}, ("lesions", 0, "epidural_compression_grade")),
        ({"lesions": [{"site": "femur", "max_diameter_mm": -3}]}, ("lesions", 0, "max_diameter_mm")),
        ({"lesions": [{"site": "humerus", "subsite": "acetabulum"}]}, ("lesions", 0, "subsite")),
        ({"lesions": [{"site": "sternum", "subsite": "shaft"}]}, ("lesions", 0, "subsite")),
        ({"lesions": [{"radiographic_type": "lytic"}]}, ("lesions", 0, "site")),
        ({"lesions": [{"site": "femur", "radiographic_type": "sclerotic"}]}, ("lesions", 0, "radiographic_type")),
        (
            {"prior_radiotherapy": [{"region": "T4", "total_dose_gy": -8, "fractions": 1}]},
            ("prior_radiotherapy", 0, "total_dose_gy"),
        ),
        ({"prior_radiotherapy": [{"region": "T4", "total_dose_gy": 8, "fractions": 0}]}, ("prior_radiotherapy", 0, "fractions")),
        ({"prior_radiotherapy": [{"region": "T4", "total_dose_gy": 8, "fractions": 51}]}, ("prior_radiotherapy", 0, "fractions")),
        (
            {"patient": {"mrn": "X", "given_name": "A", "family_name": "B", "date_of_birth": "1970-01-01", "sex": "robot"}},
            ("patient", "sex"),
        ),
    ],
)
def test_impossible_input_is_a_field_level_400(
    personas: Personas, overrides: dict[str, Any], field_path: tuple[Any, ...]
) -> None:
    response = personas.client(personas.coordinator).post(URL, new_case_payload(personas.board.pk, **overrides), format="json")
    assert response.status_code == 400, response.json()
    node: Any = response.json()
    for key in field_path:
        node = node[str(key)]
    assert node, f"no reason given at {field_path}: {response.json()}"
    assert Case.objects.count() == 0  # nothing half-written


@pytest.mark.parametrize(
    ("site", "level_from", "level_to"),
    [
        ("cervical_spine", "C7", "T1"),
        ("thoracic_spine", "C7", "T1"),
        ("thoracic_spine", "T12", "L1"),
        ("lumbar_spine", "T12", "L1"),
        ("lumbar_spine", "L5", "S1"),
        ("sacrum", "L5", "S1"),
        ("thoracic_spine", "T10", "L2"),
    ],
)
def test_a_span_may_cross_a_junction_into_the_next_region(personas: Personas, site: str, level_from: str, level_to: str) -> None:
    # given a junctional lesion filed under either region it touches
    lesion = {"site": site, "level_from": level_from, "level_to": level_to, "spinal_pain": "mechanical"}
    response = personas.client(personas.coordinator).post(
        URL, new_case_payload(personas.board.pk, lesions=[lesion]), format="json"
    )
    # then it is accepted as given, and the database constraint agrees
    assert response.status_code == 201, response.json()
    stored = response.json()["lesions"][0]
    assert (stored["site"], stored["level_from"], stored["level_to"]) == (site, level_from, level_to)


@pytest.mark.parametrize(
    ("site", "level_from", "level_to"),
    [("thoracic_spine", "L1", "L2"), ("lumbar_spine", "T4", "T5"), ("cervical_spine", "T1", None), ("sacrum", "L4", "L5")],
)
def test_a_span_outside_the_sites_region_is_a_400_naming_both_levels(
    personas: Personas, site: str, level_from: str, level_to: str | None
) -> None:
    lesion = {"site": site, "level_from": level_from, "level_to": level_to}
    response = personas.client(personas.coordinator).post(
        URL, new_case_payload(personas.board.pk, lesions=[lesion]), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["lesions"]["0"]
    assert f"{level_from} is not a level of the {site}" in errors["level_from"][0]
    assert ("level_to" in errors) == (level_to is not None)
    assert Case.objects.count() == 0


def test_the_database_rejects_a_lesion_wholly_outside_its_region(personas: Personas) -> None:
    from django.db import IntegrityError, transaction

    from tests.factories import LesionFactory

    spine = {"site": "thoracic_spine", "subsite": None, "cortical_involvement": None, "pain": None}
    LesionFactory(**spine, level_from="T12", level_to="L1")  # touches the thoracic region: stored
    with pytest.raises(IntegrityError, match="lesion_levels_touch_site"), transaction.atomic():
        LesionFactory(**spine, level_from="L1", level_to="L2")


def test_unknown_code_error_lists_allowed_values(personas: Personas) -> None:
    response = personas.client(personas.coordinator).post(
        URL, new_case_payload(personas.board.pk, lesions=[{"site": "thoracic_spine", "level_from": "T13"}]), format="json"
    )
    reason = response.json()["lesions"]["0"]["level_from"][0]
    assert "T13" in reason and "T12" in reason


def test_rejected_update_leaves_the_case_exactly_as_it_was(personas: Personas) -> None:
    body = create_case(personas)
    url = f"{URL}{body['id']}/"
    before = personas.client(personas.coordinator).get(url).json()
    lesions = [{k: v for k, v in lesion.items() if k != "uuid"} for lesion in before["lesions"]]
    lesions[1]["level_to"] = "T12"  # above L1 and not lumbar
    response = personas.client(personas.coordinator).patch(
        url, {"ecog": 2, "lesions": lesions}, format="json", HTTP_IF_MATCH=f'"{before["revision"]}"'
    )
    assert response.status_code == 400
    assert "lesions" in response.json()
    after = personas.client(personas.coordinator).get(url).json()
    assert after == before


def test_update_lesions_keeps_ids_adds_and_removes(personas: Personas) -> None:
    body = create_case(personas)
    url = f"{URL}{body['id']}/"
    femur, spine = body["lesions"]
    femur_update = {**{k: v for k, v in femur.items() if k != "uuid"}, "max_diameter_mm": 40}
    response = personas.client(personas.coordinator).patch(
        url,
        {"lesions": [femur_update, {"site": "rib", "max_diameter_mm": 12}]},
        format="json",
        HTTP_IF_MATCH=f'"{body["revision"]}"',
    )
    assert response.status_code == 200, response.json()
    updated = response.json()
    assert updated["revision"] == body["revision"] + 1
    assert updated["lesions"][0]["id"] == femur["id"]
    assert updated["lesions"][0]["max_diameter_mm"] == 40
    assert not Lesion.objects.filter(pk=spine["id"]).exists()
    assert [lesion["site"] for lesion in updated["lesions"]] == ["femur", "rib"]


def test_lesion_of_another_case_cannot_be_hijacked(personas: Personas) -> None:
    first = create_case(personas)
    second = create_case(personas, patient=first["patient"]["id"])
    foreign = {k: v for k, v in first["lesions"][0].items() if k != "uuid"}
    response = personas.client(personas.coordinator).patch(
        f"{URL}{second['id']}/", {"lesions": [foreign]}, format="json", HTTP_IF_MATCH=f'"{second["revision"]}"'
    )
    assert response.status_code == 400
    assert Lesion.objects.get(pk=foreign["id"]).case_id == first["id"]


def test_if_match_guards_against_lost_updates(personas: Personas) -> None:
    body = create_case(personas)
    url = f"{URL}{body['id']}/"
    etag = personas.client(personas.coordinator).get(url)["ETag"]
    assert etag == f'"{body["revision"]}"'
    first = personas.client(personas.coordinator).patch(url, {"ecog": 2}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = personas.client(personas.surgeon).patch(url, {"ecog": 3}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert Case.objects.get(pk=body["id"]).ecog == 2


def test_workflow_allows_only_listed_transitions(personas: Personas) -> None:
    body = create_case(personas)
    base = f"{URL}{body['id']}/"
    coordinator = personas.client(personas.coordinator)
    assert coordinator.post(f"{base}transition/decided/").status_code == 400
    assert personas.client(personas.surgeon).post(f"{base}submit/").json()["status"] == "submitted"
    assert personas.client(personas.surgeon).post(f"{base}transition/scheduled/").status_code == 403
    for target in ("scheduled", "discussed", "decided", "closed"):
        response = coordinator.post(f"{base}transition/{target}/", {"reason": "board 2026-11-24"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == target
    assert coordinator.post(f"{base}transition/draft/").status_code == 400
    revision = coordinator.get(base).json()["revision"]
    closed = coordinator.patch(base, {"ecog": 2}, format="json", HTTP_IF_MATCH=f'"{revision}"')
    assert closed.status_code == 400  # closed: read-only
    assert AuditEntry.objects.filter(event="case.status_changed", subject_id=str(body["id"])).count() == 5


def test_case_without_lesions_cannot_be_submitted(personas: Personas) -> None:
    body = create_case(personas, lesions=[])
    response = personas.client(personas.coordinator).post(f"{URL}{body['id']}/submit/")
    assert response.status_code == 400
    assert "lesions" in response.json()


def test_filters_by_status_histology_board_and_date(personas: Personas) -> None:
    breast = create_case(personas)
    prostate = create_case(
        personas,
        patient=breast["patient"]["id"],
        primary_histology="prostate",
        er_status=None,
        pr_status=None,
        her2_status=None,
        castration_status="castration_resistant",
    )
    personas.client(personas.coordinator).post(f"{URL}{prostate['id']}/submit/")
    client = personas.client(personas.coordinator)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in client.get(f"{URL}?{query}").json()["results"]]

    assert ids("primary_histology=prostate") == [prostate["id"]]
    assert ids("status=draft") == [breast["id"]]
    assert set(ids(f"board={personas.board.pk}")) == {breast["id"], prostate["id"]}
    assert ids(f"board={personas.other_board.pk}") == []
    assert len(ids("created_after=2020-01-01")) == 2
    assert ids("created_before=2020-01-01") == []
    bad = client.get(f"{URL}?status=nonsense")
    assert bad.status_code == 400


def test_a_constraint_the_rules_missed_is_a_400_naming_it_not_a_500(personas: Personas, monkeypatch: Any) -> None:
    """The database backstops the rules; if a rule ever lets an impossible value through, the answer is
    a clear 400 that names the database rule, and nothing is saved."""
    from apps.cases import services

    monkeypatch.setattr(services, "case_errors", lambda *a, **k: {})  # a rule gap, simulated
    response = personas.client(personas.coordinator).post(
        URL, new_case_payload(personas.board.pk, castration_status="hormone_sensitive"), format="json"
    )
    assert response.status_code == 400
    assert "case_castration_status_prostate_only" in response.json()["non_field_errors"][0]
    assert not Case.objects.exists()


def test_the_answer_to_a_creation_is_the_case_as_a_read_returns_it(personas: Personas) -> None:
    """Issue 16: the creation answers from the rows it wrote instead of reading them back, so its body must
    be the detail a read returns: every field, the lesions in order and the prior courses in the database's
    order (a course with no date is placed where PostgreSQL or SQLite places a null)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    courses = [
        {"region": "T8", "total_dose_gy": 20, "fractions": 5, "date": "2025-10-01"},
        {"region": "L1-L2", "total_dose_gy": 8, "fractions": 1},
        {"region": "pelvis", "total_dose_gy": 30, "fractions": 10, "date": "2024-02-29"},
    ]
    lesions = [*new_case_payload(personas.board.pk)["lesions"], {"site": "pelvis", "max_diameter_mm": 22.5}]
    client = personas.client(personas.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        created = client.post(
            URL, new_case_payload(personas.board.pk, lesions=lesions, prior_radiotherapy=courses), format="json"
        )
    assert created.status_code == 201, created.json()
    assert not [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "cases_lesion"')]
    read = client.get(f"{URL}{created.json()['id']}/")
    assert read.status_code == 200
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]
    assert [c["region"] for c in read.json()["prior_radiotherapy"]] == (
        ["pelvis", "T8", "L1-L2"] if connection.features.nulls_order_largest else ["L1-L2", "pelvis", "T8"]
    )
    assert [lesion["site"] for lesion in created.json()["lesions"]] == ["femur", "lumbar_spine", "pelvis"]
