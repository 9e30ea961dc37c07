"""The chart exports of a signed decision, generated from a real case and parsed back."""

from __future__ import annotations

import io

from fhir.resources.R4B.careplan import CarePlan
from pypdf import PdfReader

from apps.audit.models import AuditEntry
from tests.conftest import Personas
from tests.decisions.helpers import PASSWORD, draft_body, sitting


def _signed(p: Personas, **overrides: object) -> tuple[dict, object]:
    s = sitting(p)
    created = p.client(p.surgeon).post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s, **overrides), format="json").json()
    p.client(p.radonc).post(f"/api/v1/decisions/{created['id']}/sign/", {"password": PASSWORD}, format="json")
    return p.client(p.surgeon).get(f"/api/v1/decisions/{created['id']}/").json(), s


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_report_parses_back(personas: Personas) -> None:
    decision, s = _signed(personas)
    response = personas.client(personas.administrator).get(f"/api/v1/decisions/{decision['id']}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    patient = s.case.patient
    for expected in (
        patient.mrn,
        patient.family_name,
        s.case.question,
        "palliative",
        "Surgery: fixation",
        "Referral to trial NCT03862911",
        "Best supportive care",
        "Dissent",
        "Prefers RT alone given the prognosis.",
        "Quorum was met.",
        "approved as the board's decision",
        decision["content_hash"][:16],
        "radonc",
    ):
        assert expected in text, expected
    assert AuditEntry.objects.filter(event="decision.exported", subject_id=str(decision["id"]), reason="pdf").exists()


def test_pdf_of_an_amendment_names_the_amended_version(personas: Personas) -> None:
    first, _ = _signed(personas)
    client = personas.client(personas.surgeon)
    draft = client.post(
        f"/api/v1/decisions/{first['id']}/amend/", {"reason": "Dose corrected to 20 Gy in 5."}, format="json"
    ).json()
    personas.client(personas.radonc).post(f"/api/v1/decisions/{draft['id']}/sign/", {"password": PASSWORD}, format="json")
    text = _text(client.get(f"/api/v1/decisions/{draft['id']}/report.pdf").content)
    assert "Amendment of version 1" in text and "Dose corrected to 20 Gy in 5." in text


def test_draft_is_not_exported(personas: Personas) -> None:
    s = sitting(personas)
    created = personas.client(personas.surgeon).post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json").json()
    client = personas.client(personas.surgeon)
    assert client.get(f"/api/v1/decisions/{created['id']}/report.pdf").status_code == 409
    assert client.get(f"/api/v1/decisions/{created['id']}/fhir/").status_code == 409


def test_fhir_care_plan_validates_as_r4b(personas: Personas) -> None:
    decision, s = _signed(personas)
    response = personas.client(personas.surgeon).get(f"/api/v1/decisions/{decision['id']}/fhir/")
    assert response.status_code == 200
    body = response.json()
    plan = CarePlan.model_validate(body)  # raises on an invalid resource
    assert plan.status == "active" and plan.intent == "plan"
    assert body["category"][0]["text"] == "multidisciplinary assessment"
    assert body["subject"]["identifier"]["value"] == s.case.patient.mrn
    contained = {c["id"]: c for c in body["contained"]}
    assert contained["author"]["resourceType"] == "Practitioner"
    assert contained["signer"]["identifier"][0]["value"] == "radonc"
    assert body["author"] == {"reference": "#author"}
    # One activity per action; the trial referral is a ServiceRequest the activity references.
    assert len(body["activity"]) == 4
    referral = body["activity"][2]["reference"]["reference"]
    assert contained[referral[1:]]["resourceType"] == "ServiceRequest"
    assert contained[referral[1:]]["identifier"][0]["value"] == "NCT03862911"
    assert body["activity"][1]["detail"]["code"]["coding"][0]["code"] == "surgery"
    provenance = contained["signature"]
    assert provenance["resourceType"] == "Provenance" and provenance["target"] == [{"reference": "#"}]
    assert provenance["signature"][0]["who"] == {"reference": "#signer"}
    import base64

    assert base64.b64decode(provenance["signature"][0]["data"]).decode() == f"sha256:{decision['content_hash']}"
    assert any("Dissent of medonc" in n["text"] for n in body["note"])
