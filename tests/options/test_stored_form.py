"""The stored options carry each regimen once and no prognosis (issue 16, "stored JSON without
duplication"), and every answer built from them is the one the inline form gave, byte for byte."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from apps.cases.models import Case, Lesion
from apps.cases.selectors import engine_cases
from apps.options.engine import OptionInputs, case_prognosis, risk_from_payload, treatment_options
from apps.options.engine.stored import REGIMENS, compact, expand
from apps.options.models import TreatmentOptionsResult
from apps.options.selectors import load_option_inputs
from apps.risk.models import RiskAssessment


@pytest.fixture
def demo(db: None, django_capture_on_commit_callbacks: Callable[..., Any]) -> list[int]:
    """The demo seed (its showcases have plans, trials, every derived result), computed after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    ids = list(TreatmentOptionsResult.objects.filter(is_current=True).order_by("case_id").values_list("case_id", flat=True))
    assert len(ids) == Case.objects.count() >= 40
    return ids


def _engine_answers(case_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``CaseOptions.to_dict()`` of each case, from the inputs its stored options were computed from."""
    loaded = load_option_inputs(case_ids)
    risk = {row.case_id: row.payload for row in RiskAssessment.objects.filter(case_id__in=case_ids, is_current=True)}
    out = {}
    for case, facts in engine_cases(case_ids):
        inputs = OptionInputs(
            risk=risk_from_payload(risk[case.pk]),
            catalogue=loaded.catalogue,
            plans=loaded.plans.get(case.pk, ()),
            trials=loaded.trials.get(case.pk, ()),
        )
        out[case.pk] = treatment_options(facts, inputs).to_dict()
    return out


def _regimen_refs(stored: dict[str, Any]) -> list[Any]:
    options = [o for item in stored["lesions"] for o in item["options"]] + stored["case"]
    return [r for o in options for r in o[REGIMENS]]


def test_stored_form_round_trips_every_demo_case_and_repeats_no_regimen(demo: list[int]) -> None:
    stored_rows = {row.case_id: row.payload for row in TreatmentOptionsResult.objects.filter(is_current=True)}
    repeated_uses = 0
    for case_id, answer in _engine_answers(demo).items():
        stored = compact(answer)
        assert expand(stored) == answer, case_id
        assert json.dumps(expand(stored)) == json.dumps(answer), case_id  # key order too (SQLite's text)
        assert stored_rows[case_id] == stored, case_id  # what the service stored
        assert "prognosis" not in stored
        refs = _regimen_refs(stored)
        assert all(isinstance(ref, str) for ref in refs), case_id  # no regimen inline
        assert set(refs) == set(stored[REGIMENS]), case_id  # every regimen of the table is used
        texts = [json.dumps(regimen, sort_keys=True) for regimen in stored[REGIMENS].values()]
        assert len(texts) == len(set(texts)), case_id  # none stored twice
        repeated_uses += len(refs) - len(set(refs))
    assert repeated_uses > 0  # the demo does offer a regimen more than once in a case


def test_a_code_offered_with_two_different_figures_keeps_both() -> None:
    regimen = {"code": "conv_8gy_1fx", "planned_in": []}
    other = {"code": "conv_8gy_1fx", "planned_in": [4]}
    answer = {
        "lesions": [{"options": [{"regimens": [regimen, other]}, {"regimens": [other]}]}],
        "case": [{"regimens": [regimen]}],
        "notes": [],
    }
    stored = compact(answer)
    assert stored[REGIMENS] == {"conv_8gy_1fx": regimen, "conv_8gy_1fx~2": other}
    assert expand(stored) == answer
    # A code that reads like a variant's key does not take another regimen's place.
    odd = {"code": "conv_8gy_1fx~2", "planned_in": []}
    answer["case"].append({"regimens": [odd]})
    stored = compact(answer)
    assert list(stored[REGIMENS]) == ["conv_8gy_1fx", "conv_8gy_1fx~2", "conv_8gy_1fx~2~2"]
    assert expand(stored) == answer


def test_a_payload_stored_before_the_table_reads_as_it_is() -> None:
    old = {"lesions": [{"options": [{"regimens": [{"code": "a"}]}]}], "case": [], "prognosis": {"x": 1}}
    assert expand(old) == old


def _without_csrf(body: bytes) -> bytes:
    return re.sub(rb'("X-CSRFToken": |name="csrfmiddlewaretoken" value=)"[^"]*"', b"", body)


def test_every_answer_is_the_same_bytes_as_for_the_inline_form(demo: list[int]) -> None:
    """The case detail API (raw JSON: SQL on PostgreSQL, Python on SQLite), the case page and the
    decision form started from an option answer the same bytes for a row stored in the compact form and
    for the same row stored inline with its prognosis, as rows written before the compact form are."""
    client = Client()
    client.force_login(User.objects.get(username="radonc"))

    def answers(case_id: int, form: str) -> list[bytes]:
        pages = [client.get(f"/api/v1/cases/{case_id}/"), client.get(f"/cases/{case_id}/"), client.get(form)]
        assert all(page.status_code == 200 for page in pages), case_id
        return [_without_csrf(page.content) for page in pages]

    facts = {case.pk: facts for case, facts in engine_cases(demo)}
    compared = 0
    for row in TreatmentOptionsResult.objects.filter(is_current=True).order_by("case_id"):
        assert REGIMENS in row.payload
        # The decision form started from the case's first option with a regimen (its action names it).
        lesions = {str(lesion.uuid): lesion.pk for lesion in Lesion.objects.filter(case_id=row.case_id)}
        start = next(
            ((item["lesion_ref"], o["code"]) for item in row.payload["lesions"] for o in item["options"] if o[REGIMENS]),
            None,
        )
        form = f"/cases/{row.case_id}/decisions/new/"
        if start is not None:
            form += f"?option={start[1]}&lesion={lesions[start[0]]}"
        compact_answers = answers(row.case_id, form)
        TreatmentOptionsResult.objects.filter(pk=row.pk).update(
            payload={**expand(row.payload), "prognosis": case_prognosis(facts[row.case_id]).to_dict()}
        )
        assert answers(row.case_id, form) == compact_answers, row.case_id
        compared += 1
    assert compared == len(demo)
