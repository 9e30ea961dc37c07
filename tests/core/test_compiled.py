"""``apps.core.compiled.CompiledRead``: a read compiled once answers what its queryset answers (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import TextField
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from apps.cases.models import Case, Lesion
from apps.core.compiled import CompiledRead
from apps.risk.models import RiskAssessment
from tests.factories import CaseFactory, LesionFactory, RiskAssessmentFactory

pytestmark = pytest.mark.django_db


def _risk_rows(case_id: int) -> Any:
    # A JSON column, a JSON key as text, a datetime, a boolean and an integer: every converter kind.
    return (
        RiskAssessment.objects.filter(case_id=case_id)
        .order_by("pk")
        .values(
            "payload",
            "computed_at",
            "is_current",
            "case_revision",
            summary_text=Cast(KeyTransform("summary", "payload"), TextField()),
        )
    )


def test_rows_and_tuples_equal_the_querysets_for_every_value() -> None:
    first, second = CaseFactory(), CaseFactory()
    RiskAssessmentFactory(case=first, payload={"summary": {"flags": ["a"]}, "n": 1.5}, is_current=False)
    RiskAssessmentFactory(case=first, payload={"summary": "text é"}, is_current=True)
    RiskAssessmentFactory(case=second, payload={}, is_current=True)
    read = CompiledRead(_risk_rows)
    for case_id in (first.pk, second.pk, second.pk + 1000):
        assert read.rows(case_id) == list(_risk_rows(case_id))
        assert read.tuples(case_id) == [tuple(row.values()) for row in _risk_rows(case_id)]
    assert read.first(first.pk) == _risk_rows(first.pk).first()
    assert read.first(second.pk + 1000) is None
    assert isinstance(read.rows(first.pk)[0]["computed_at"], type(timezone.now()))


def test_the_column_order_is_the_order_values_was_given() -> None:
    lesion = LesionFactory()
    read = CompiledRead(
        lambda case_id: Lesion.objects.filter(case_id=case_id).values_list("label", "case__revision", "id", named=True)
    )
    assert read.rows(lesion.case_id) == [{"label": lesion.label, "case__revision": lesion.case.revision, "id": lesion.pk}]


def test_one_statement_per_read_and_the_same_statement_reused(django_assert_num_queries: Any) -> None:
    case = CaseFactory()
    read = CompiledRead(lambda case_id: Case.objects.filter(pk=case_id).values("revision"))
    with django_assert_num_queries(1):
        assert read.rows(case.pk) == [{"revision": case.revision}]
    statement = read._statement()
    with django_assert_num_queries(1):
        read.rows(case.pk)
    assert read._statement() is statement


def test_a_queryset_whose_parameters_depend_on_when_it_was_built_is_refused() -> None:
    read = CompiledRead(lambda case_id: Case.objects.filter(pk=case_id, updated_at__lte=timezone.now()).values("pk"))
    with pytest.raises(ValueError, match="changes between builds"):
        read.rows(1)


def test_a_queryset_whose_sql_depends_on_the_value_is_refused() -> None:
    # The second placeholder builds another statement (a list of another length).
    read = CompiledRead(lambda case_id: Case.objects.filter(pk__in=[case_id, *range(1, case_id % 7 + 1)]).values("pk"))
    with pytest.raises(ValueError, match="depends on the value"):
        read.rows(1)


def test_a_queryset_that_ignores_the_value_or_returns_models_is_refused() -> None:
    with pytest.raises(ValueError, match="does not use its value"):
        CompiledRead(lambda case_id: Case.objects.values("pk")).rows(1)
    with pytest.raises(ValueError, match="values"):
        CompiledRead(lambda case_id: Case.objects.filter(pk=case_id)).rows(1)


def test_a_read_by_text() -> None:
    case = CaseFactory()
    read = CompiledRead(lambda question: Case.objects.filter(question=question).values_list("pk"), value_type=str)
    assert read.tuples(case.question) == [(case.pk,)]
    assert read.tuples(case.question + " (another)") == []
