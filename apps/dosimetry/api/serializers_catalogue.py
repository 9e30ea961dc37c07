"""Read serializers of the regimen catalogue and the constraint sets stored in the database."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.dosimetry.engine import DoseInputError, evaluate
from apps.dosimetry.engine.lq import TUMOUR_ALPHA_BETA, round_half_up
from apps.dosimetry.models import ConstraintSet, OrganConstraint, Regimen

DECIMALS = 2


class RegimenLevelBedSerializer(serializers.Serializer):
    total_dose_gy = serializers.FloatField()
    target = serializers.CharField()
    bed10_gy = serializers.FloatField(allow_null=True, help_text="BED at alpha/beta 10, rounded to 2 decimals.")


def level_beds(regimen: Regimen) -> list[dict[str, Any]]:
    """Each stored level with its BED10 from the dose engine (None when the stored level is invalid)."""
    levels = [lv for lv in regimen.levels if isinstance(lv, dict)]
    try:
        result = evaluate(
            [
                {"fractions": regimen.fractions, "total_dose_gy": lv.get("total_dose_gy"), "label": lv.get("target", "")}
                for lv in levels
            ],
            TUMOUR_ALPHA_BETA,
        )
        beds: list[float | None] = [round_half_up(level.bed_gy, DECIMALS) for level in result.levels]
    except DoseInputError:
        beds = [None] * len(levels)
    return [
        {"total_dose_gy": lv.get("total_dose_gy"), "target": lv.get("target", ""), "bed10_gy": bed}
        for lv, bed in zip(levels, beds, strict=True)
    ]


class RegimenSerializer(serializers.ModelSerializer):
    levels = serializers.SerializerMethodField()
    indications = serializers.SerializerMethodField()

    class Meta:
        model = Regimen
        fields = (
            "code",
            "name",
            "category",
            "fractions",
            "levels",
            "technique",
            "intent",
            "indications",
            "source",
            "trial",
            "cautions",
            "dose_range_gy",
            "range_label",
            "constraint_set",
            "active",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(RegimenLevelBedSerializer(many=True))
    def get_levels(self, obj: Regimen) -> list[dict[str, Any]]:
        return level_beds(obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_indications(self, obj: Regimen) -> list[str]:
        return obj.indication_list


class OrganConstraintSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrganConstraint
        fields = ("code", "organ", "metric", "limit", "unit", "direction", "alpha_beta", "fractions", "source", "note")
        read_only_fields = fields


class ConstraintSetSerializer(serializers.ModelSerializer):
    constraints = OrganConstraintSerializer(many=True, read_only=True)

    class Meta:
        model = ConstraintSet
        fields = ("code", "name", "source", "description", "fractions", "constraints", "updated_at")
        read_only_fields = fields
