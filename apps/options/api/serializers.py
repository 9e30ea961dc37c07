"""Input serializers of the prognosis calculators (api-contract.md, second part: tokuhashi and tomita).

Tokuhashi fields are all optional (a missing input gives the possible range, as the contract says); Tomita
fields are all required (the contract promises an integer score). Codes outside the vocabulary are a 400
listing the allowed codes; a Karnofsky value that is not 10-100 in steps of 10 is a 400 on that field.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from rest_framework import serializers

from apps.cases.vocabulary import (
    KARNOFSKY_VALUES,
    PRIMARY_SUBSITES,
    FrankelGrade,
    MajorOrganMetastases,
    PrimaryHistology,
    PrimarySubsite,
    choices,
)
from apps.core.api.fields import CodeChoiceField
from apps.core.api.serializers import StrictSerializer
from apps.options.engine.prognosis import BoneMetastases, PrimaryGrowth, VisceralMetastases


def _codes(values: tuple[str, ...], **kwargs: Any) -> CodeChoiceField:
    return CodeChoiceField(choices=[(v, v) for v in values], **kwargs)


def _optional(enum: type[StrEnum]) -> CodeChoiceField:
    return CodeChoiceField(choices=choices(enum), required=False, allow_null=True)


class TokuhashiInputSerializer(StrictSerializer[Any]):
    karnofsky_performance_status = serializers.IntegerField(required=False, allow_null=True, min_value=10, max_value=100)
    extraspinal_bone_metastases_count = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    vertebral_metastases_count = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    major_organ_metastases = _optional(MajorOrganMetastases)
    primary_histology = _optional(PrimaryHistology)
    primary_subsite = _optional(PrimarySubsite)
    frankel_grade = _optional(FrankelGrade)

    def validate_karnofsky_performance_status(self, value: int | None) -> int | None:
        if value is not None and value not in KARNOFSKY_VALUES:
            raise serializers.ValidationError(f"{value} is not a Karnofsky value: 10-100 in steps of 10.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        subsite = attrs.get("primary_subsite")
        if subsite is None:
            return attrs
        histology = attrs.get("primary_histology")
        owners = [h.value for h, subsites in PRIMARY_SUBSITES.items() if subsite in subsites]
        if histology not in owners:
            # The case API's wording (apps.cases.rules), so both say the same thing.
            raise serializers.ValidationError(
                {
                    "primary_subsite": [
                        f"{subsite} is a subsite of a {' or '.join(owners)} primary; "
                        f"primary_histology is {histology or 'not given'}."
                    ]
                }
            )
        return attrs


class TomitaInputSerializer(StrictSerializer[Any]):
    primary_growth = _codes(tuple(m.value for m in PrimaryGrowth))
    visceral_metastases = _codes(tuple(m.value for m in VisceralMetastases))
    bone_metastases = _codes(tuple(m.value for m in BoneMetastases))


class _ComponentSerializer(serializers.Serializer[Any]):
    input = serializers.JSONField(allow_null=True)
    points = serializers.IntegerField(allow_null=True)
    possible_points = serializers.ListField(child=serializers.IntegerField())
    note = serializers.CharField()


class _PrognosisResultSerializer(serializers.Serializer[Any]):
    """Documentation of the response (the views answer the engine's ``to_dict()``)."""

    applicable = serializers.BooleanField()
    score = serializers.IntegerField(allow_null=True)
    possible_range = serializers.ListField(child=serializers.IntegerField(), allow_null=True, min_length=2, max_length=2)
    components = serializers.DictField(child=_ComponentSerializer())
    missing = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()  # type: ignore[assignment]
    engine_version = serializers.CharField()
    inputs = serializers.DictField()


class TokuhashiResultSerializer(_PrognosisResultSerializer):
    band = serializers.ChoiceField(choices=["lt_6_months", "gte_6_months", "gte_12_months"], allow_null=True)


class TomitaResultSerializer(_PrognosisResultSerializer):
    strategy = serializers.ChoiceField(
        choices=["wide_or_marginal_excision", "marginal_or_intralesional_excision", "palliative_surgery", "supportive_care"],
        allow_null=True,
    )
