"""Schema-only serializers of the dose calculators.

The bodies are validated by the dose engine itself (``DoseInputError`` names every problem with its field
path, e.g. ``levels[0].fractions``), so these serializers document the request and response shapes for the
OpenAPI schema, and the request ones name the keys a body may hold (``refuse_unknown_fields``); they never
parse values.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api.serializers import StrictSerializer
from apps.dosimetry.engine import MAX_FRACTIONS, ORGANS


class DoseLevelInputSerializer(StrictSerializer[Any]):
    fractions = serializers.IntegerField(min_value=1, max_value=MAX_FRACTIONS)
    total_dose_gy = serializers.FloatField(help_text="Total physical dose of the level, > 0 Gy.")


class DoseRequestSerializer(StrictSerializer[Any]):
    levels = DoseLevelInputSerializer(many=True, help_text="One level for a plain regimen, several (same fractions) for a SIB.")
    alpha_beta = serializers.FloatField(help_text="alpha/beta ratio in Gy, > 0 (10 for tumour).")


class DoseLevelResultSerializer(serializers.Serializer[Any]):
    fractions = serializers.IntegerField()
    total_dose_gy = serializers.FloatField()
    dose_per_fraction_gy = serializers.FloatField()
    bed_gy = serializers.FloatField()
    eqd2_gy = serializers.FloatField()


class DoseResponseSerializer(serializers.Serializer[Any]):
    levels = DoseLevelResultSerializer(many=True)
    alpha_beta = serializers.FloatField()
    is_sib = serializers.BooleanField()
    inputs = DoseRequestSerializer()
    source = serializers.CharField()  # type: ignore[assignment]
    engine_version = serializers.CharField()


class CourseInputSerializer(StrictSerializer[Any]):
    fractions = serializers.IntegerField(min_value=1, max_value=MAX_FRACTIONS)
    total_dose_gy = serializers.FloatField(help_text="Dose the organ received in the course, > 0 Gy.")
    date = serializers.DateField(required=False, allow_null=True)


class ReirradiationRequestSerializer(StrictSerializer[Any]):
    organ = serializers.ChoiceField(choices=[(organ.code, organ.name) for organ in ORGANS])
    alpha_beta = serializers.FloatField(
        required=False, help_text="alpha/beta ratio of the organ in Gy, > 0; default: the organ's own ratio."
    )
    limit_eqd2_gy = serializers.FloatField(
        required=False, allow_null=True, help_text="Cumulative EQD2 limit; default: the organ's constraint."
    )
    courses = CourseInputSerializer(many=True)


class CourseResultSerializer(serializers.Serializer[Any]):
    fractions = serializers.IntegerField()
    total_dose_gy = serializers.FloatField()
    date = serializers.DateField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    technique = serializers.CharField()
    dose_per_fraction_gy = serializers.FloatField()
    bed_gy = serializers.FloatField()
    eqd2_gy = serializers.FloatField()
    share_of_cumulative_pct = serializers.FloatField()


class SahgalCheckSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=["cumulative", "sbrt_course", "share", "interval"])
    status = serializers.ChoiceField(choices=["pass", "fail", "unknown"])
    value = serializers.FloatField(
        allow_null=True,
        help_text="Gy EQD2 at alpha/beta 2 (cumulative, sbrt_course), percent (share) or whole calendar months "
        "(interval); null when unknown.",
    )
    limit = serializers.FloatField(help_text="70 Gy, 25 Gy, 50 %, 5 months.")
    unit = serializers.CharField()
    text = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]


class ReirradiationResponseSerializer(serializers.Serializer[Any]):
    organ = serializers.CharField()
    alpha_beta = serializers.FloatField()
    courses = CourseResultSerializer(many=True)
    cumulative_eqd2_gy = serializers.FloatField()
    limit_eqd2_gy = serializers.FloatField()
    within_limit = serializers.BooleanField(
        help_text="cumulative_eqd2_gy <= limit_eqd2_gy as reported (2 decimals); the limit itself is within."
    )
    margin_eqd2_gy = serializers.FloatField()
    limit_source = serializers.CharField()
    alpha_beta_source = serializers.CharField()
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Cautions about the comparison, e.g. courses summed at another alpha/beta than the default limit's own.",
    )
    text = serializers.CharField()
    checks = SahgalCheckSerializer(
        many=True,
        help_text="Sahgal 2012 SBRT re-irradiation checks: for spinal_cord / thecal_sac when the last course has "
        "1-5 fractions and at least one course precedes it; empty otherwise.",
    )
    inputs = ReirradiationRequestSerializer()
    source = serializers.CharField()  # type: ignore[assignment]
    engine_version = serializers.CharField()
