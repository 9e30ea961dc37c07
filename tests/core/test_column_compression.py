"""The engines' stored payloads are compressed with lz4 on PostgreSQL (issue 16), read back unchanged."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.core.migration_operations import RESULT_COMPRESSION, CompressColumn
from apps.dosimetry.models import DoseSummary
from apps.options.models import TreatmentOptionsResult
from apps.risk.models import RiskAssessment
from apps.trials.models import TrialMatch
from apps.trials.services import cases_match_trials
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

COMPRESSED = [RiskAssessment, TreatmentOptionsResult, DoseSummary, TrialMatch]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's TOAST compression")
@pytest.mark.parametrize("model", COMPRESSED, ids=lambda m: m.__name__)
def test_the_payload_column_is_compressed_with_lz4(model: type) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'payload'",
            [model._meta.db_table],
        )
        assert cursor.fetchone() == ("l",)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's TOAST compression")
def test_a_large_payload_is_stored_compressed_and_read_back_unchanged(personas: Personas) -> None:
    case = make_breast_case(personas)
    cases_match_trials([case.pk])
    match = TrialMatch.objects.filter(case=case).first()
    assert match is not None
    large = {**match.payload, "filler": [{"text": f"criterion {i} " * 8, "n": i} for i in range(400)]}
    TrialMatch.objects.filter(pk=match.pk).update(payload=large)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_compression(payload) FROM trials_trialmatch WHERE id = %s", [match.pk])
        assert cursor.fetchone() == (RESULT_COMPRESSION,)
    assert TrialMatch.objects.get(pk=match.pk).payload == large


def test_the_operation_describes_itself_and_round_trips() -> None:
    operation = CompressColumn("RiskAssessment", "payload")
    assert operation.describe() == "Compress RiskAssessment.payload with lz4"
    name, args, kwargs = operation.deconstruct()
    assert CompressColumn(*args, **kwargs).deconstruct() == (name, args, kwargs)
    assert operation.migration_name_fragment == "riskassessment_payload_lz4"
