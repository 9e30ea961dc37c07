"""The case detail serves the derived sections' stored JSON as the database's text (issue 16): the body
must say exactly what the decoding path (the serializer plus ``derived_sections(case)``) says."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.renderers import JSONRenderer

from apps.cases.api.serializers import CaseDetailSerializer
from apps.cases.derived import derived_sections
from apps.cases.models import Case
from apps.cases.selectors import case_detail_queryset
from apps.core import rawjson
from apps.core.api.renderers import FragmentJSONRenderer
from apps.dosimetry.services import dose_summary_compute, plan_create
from apps.options.services import treatment_options_compute
from apps.trials.matching import case_match_trials
from tests.conftest import Personas
from tests.options.test_options_service import make_case

pytestmark = pytest.mark.django_db


def _loaded_case(personas: Personas) -> Case:
    """A case with every derived result: risk, a dose summary, trial matches and treatment options."""
    case = make_case(personas)
    spine = case.lesions.get(site="thoracic_spine")
    plan = plan_create(
        actor=personas.radonc,
        case=case,
        data={"name": "SC24", "regimen_code": "sbrt_spine_24gy_2fx", "technique": "sbrt"},
        target_lesions=[spine],
    )
    dose_summary_compute(plan_id=plan.pk)
    assert case_match_trials(case.pk) > 0
    treatment_options_compute(case_id=case.pk)  # brings the risk assessment up to date first
    return case


def _old_body(personas: Personas, case: Case) -> dict[str, Any]:
    """What the detail answered before issue 16: the serializer, every section decoded, DRF's renderer."""
    loaded = case_detail_queryset(personas.coordinator).get(pk=case.pk)
    data = dict(CaseDetailSerializer(loaded).data)
    data.update(derived_sections(loaded))
    return json.loads(JSONRenderer().render(data))


def test_detail_body_equals_the_decoding_paths_for_a_case_with_every_derived_result(personas: Personas) -> None:
    case = _loaded_case(personas)
    response = personas.client(personas.coordinator).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    body = response.json()
    for name in ("risk", "dose_summaries", "trial_matches", "treatment_options", "prognosis"):
        assert body[name]["status"] == "current", name
    assert body["risk"]["summary"]["lesions"]
    assert body["dose_summaries"]["plans"][0]["summary"] is not None
    assert body["trial_matches"]["matches"]
    assert all(entry["lesion"] is not None for entry in body["treatment_options"]["lesions"])
    assert body == _old_body(personas, case)


def test_detail_reads_the_stored_json_as_text_and_never_decodes_it(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stored payloads are not loaded as JSON values: the ORM never decodes a payload (or a trial
    version's definition); they are selected cast to text (or a part of them) or not at all."""
    from django.db.models import JSONField

    case = _loaded_case(personas)
    client = personas.client(personas.coordinator)
    client.get(f"/api/v1/cases/{case.pk}/")  # warm-up
    decoded: list[str] = []
    original = JSONField.from_db_value

    def spy(self: JSONField, value: Any, expression: Any, conn: Any) -> Any:
        decoded.append(f"{self.model._meta.db_table}.{self.name}" if hasattr(self, "model") else str(self))
        return original(self, value, expression, conn)

    monkeypatch.setattr(JSONField, "from_db_value", spy)
    response = client.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    # Small inputs of the staleness checks (a dose summary's catalogue revisions) may be decoded; the
    # stored results and the trials' definitions may not.
    derived_tables = ("risk_", "dosimetry_dosesummary", "trials_trialmatch", "trials_trialversion", "options_")
    big = [name for name in decoded if name.startswith(derived_tables) and name.endswith((".payload", ".definition"))]
    assert big == []


def test_write_answers_hold_python_values(personas: Personas) -> None:
    """A create's answer is kept by the idempotency store as JSON: it must not carry text fragments."""
    case = _loaded_case(personas)
    loaded = case_detail_queryset(personas.coordinator).get(pk=case.pk)
    assert rawjson.decoded(derived_sections(loaded)) == derived_sections(loaded)
    assert "RawJSON" not in repr(derived_sections(loaded))


def test_fragment_renderer_splices_text_and_escapes_like_drf() -> None:
    data = {"a": rawjson.RawJSON('{"x": [1, 2.5, null], "y": "\u2028"}'), "b": [rawjson.RawJSON("[]"), "\x00t"], "c": None}
    body = FragmentJSONRenderer().render(data)
    assert json.loads(body) == {"a": {"x": [1, 2.5, None], "y": "\u2028"}, "b": [[], "\x00t"], "c": None}
    assert "\u2028".encode() not in body
    assert FragmentJSONRenderer().render({"plain": [1, "é"]}) == JSONRenderer().render({"plain": [1, "é"]})
    # A string that looks like the marker is encoded as a string, never replaced by a fragment.
    assert json.loads(FragmentJSONRenderer().render({"s": "\x00abc:0", "f": rawjson.RawJSON("1")})) == {"s": "\x00abc:0", "f": 1}
