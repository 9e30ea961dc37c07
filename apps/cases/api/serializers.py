"""Case intake payloads (api-contract.md "Cases"). Serializers check shape; services check meaning."""

from __future__ import annotations

import threading
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Board
from apps.cases.columns import code_choices
from apps.cases.fields import Entity, Kind, field_of, fields_of
from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse
from apps.cases.services import CASE_CLINICAL_FIELDS, LESION_FIELDS, PRIOR_COURSE_FIELDS
from apps.cases.vocabulary import breast_subtype
from apps.core.api.fields import CodeMultipleChoiceField
from apps.core.api.serializers import CodeModelSerializer, StrictSerializer


def clinical_limits(entity: Entity) -> dict[str, dict[str, Any]]:
    """``extra_kwargs`` for the numeric fields of ``entity``: the bounds the field table declares (the lowest
    accepted value is one step above an exclusive minimum; the highest is the scale's or the entry limit)."""
    limits: dict[str, dict[str, Any]] = {}
    for row in fields_of(entity):
        if row.kind not in (Kind.INTEGER, Kind.NUMBER):
            continue
        bounds = {key: value for key, value in (("min_value", row.entry_low), ("max_value", row.entry_high)) if value is not None}
        if bounds:
            limits[row.name] = bounds
    return limits


class PatientSerializer(CodeModelSerializer):
    class Meta:
        model = Patient
        fields: tuple[str, ...] = ("id", "uuid", "mrn", "given_name", "family_name", "date_of_birth", "sex", "institution")
        read_only_fields = ("id", "uuid", "institution")
        # MRN uniqueness is per institution and checked by the service, which knows the institution.
        validators: list[Any] = []


class PatientCreateSerializer(PatientSerializer):
    board = serializers.PrimaryKeyRelatedField(
        queryset=Board.objects.all(), write_only=True, help_text="Board whose institution registers the patient."
    )

    class Meta(PatientSerializer.Meta):
        fields = (*PatientSerializer.Meta.fields, "board")


class NewPatientSerializer(PatientSerializer):
    class Meta(PatientSerializer.Meta):
        fields = ("mrn", "given_name", "family_name", "date_of_birth", "sex")


class LesionSerializer(CodeModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give it to update a stored lesion; omit to add one.")

    class Meta:
        model = Lesion
        fields = ("id", "uuid", *LESION_FIELDS)
        read_only_fields = ("uuid",)
        extra_kwargs = clinical_limits(Entity.LESION)


class PriorRadiotherapySerializer(CodeModelSerializer):
    class Meta:
        model = PriorRadiotherapyCourse
        fields = ("id", *PRIOR_COURSE_FIELDS)
        read_only_fields = ("id",)
        extra_kwargs = clinical_limits(Entity.PRIOR_COURSE)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "id of an existing patient"},
            {
                "type": "object",
                "description": "a new patient, registered at the board's institution",
                "required": ["mrn", "given_name", "family_name", "date_of_birth"],
                "properties": {
                    "mrn": {"type": "string"},
                    "given_name": {"type": "string"},
                    "family_name": {"type": "string"},
                    "date_of_birth": {"type": "string", "format": "date"},
                    "sex": {"type": "string", "enum": ["female", "male", "other", "unknown"]},
                },
            },
        ]
    }
)
class PatientRefField(serializers.Field):
    """``patient``: an existing patient's id, or a nested new patient object."""

    default_error_messages = {
        "invalid": "give an existing patient's id or a new patient object.",
        "does_not_exist": "patient {pk} does not exist or is not visible to you.",
    }

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            nested = NewPatientSerializer(data=data)
            nested.is_valid(raise_exception=True)
            return {"new": dict(nested.validated_data)}
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdigit():
            self.fail("invalid")
        queryset = self.context["patient_queryset"]
        patient = queryset.filter(pk=int(data)).first()
        if patient is None:
            self.fail("does_not_exist", pk=data)
        return {"existing": patient}

    def to_representation(self, value: Patient) -> dict[str, Any]:
        return dict(PatientSerializer(value).data)


class CaseWriteSerializer(CodeModelSerializer):
    board = serializers.PrimaryKeyRelatedField(queryset=Board.objects.none())
    patient = PatientRefField()
    lesions = LesionSerializer(many=True, required=False)
    prior_radiotherapy = PriorRadiotherapySerializer(many=True, required=False)
    systemic_therapy_classes = CodeMultipleChoiceField(
        choices=code_choices(field_of(Entity.CASE, "systemic_therapy_classes")), required=False, allow_null=True
    )

    class Meta:
        model = Case
        fields = ("board", "patient", *CASE_CLINICAL_FIELDS, "lesions", "prior_radiotherapy")
        extra_kwargs = clinical_limits(Entity.CASE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        board_field = self.fields.get("board")
        if isinstance(board_field, serializers.PrimaryKeyRelatedField):
            board_field.queryset = self.context.get("board_queryset", Board.objects.none())


class CaseUpdateSerializer(CaseWriteSerializer):
    class Meta(CaseWriteSerializer.Meta):
        fields = (*CASE_CLINICAL_FIELDS, "lesions", "prior_radiotherapy")


class BoardSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Board
        fields = ("id", "name")


class CaseListSerializer(serializers.ModelSerializer):
    board = BoardSummarySerializer(read_only=True)
    patient = PatientSerializer(read_only=True)
    lesion_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Case
        fields = (
            "id",
            "uuid",
            "board",
            "patient",
            "question",
            "urgent",
            "status",
            "revision",
            "primary_histology",
            "lesion_count",
            "submitted_at",
            "created_at",
            "updated_at",
        )


class CaseDetailSerializer(serializers.ModelSerializer):
    board = BoardSummarySerializer(read_only=True)
    patient = PatientSerializer(read_only=True)
    lesions = LesionSerializer(many=True, read_only=True)
    prior_radiotherapy = PriorRadiotherapySerializer(many=True, read_only=True)
    breast_subtype = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = (
            "id",
            "uuid",
            "board",
            "patient",
            "status",
            "revision",
            "submitted_at",
            *CASE_CLINICAL_FIELDS,
            "breast_subtype",
            "lesions",
            "prior_radiotherapy",
            "created_at",
            "updated_at",
        )

    def get_breast_subtype(self, case: Case) -> str | None:
        if case.primary_histology != "breast":
            return None
        subtype = breast_subtype(case.er_status, case.pr_status, case.her2_status)
        return subtype.value if subtype else None


class TransitionSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


_READER = threading.local()


def case_detail_representation(case: Case) -> dict[str, Any]:
    """``CaseDetailSerializer(case).data`` from a serializer whose fields are built once per thread.

    A ``ModelSerializer`` builds its fields (and its nested serializers' fields) from the model on every
    instance: ~15 % of the detail's CPU (issue 16). The representation of a read uses no context and no
    state of the instance, so one bound serializer per thread serves every read.
    """
    reader = getattr(_READER, "detail", None)
    if reader is None:
        reader = _READER.detail = CaseDetailSerializer()
    return dict(reader.to_representation(case))
