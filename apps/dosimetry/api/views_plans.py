"""Planned radiotherapy courses of a case: thin views over ``apps.dosimetry.services``.

Reads follow the case's scoping; writes need ``Permission.DOSE_PLAN_EDIT`` (radiation oncologists) and a
seat on the case's board.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.authorization import require
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.cases.models import Case, Lesion, RadiotherapyTechnique
from apps.cases.selectors import lesions_of_case, scope_cases
from apps.cases.vocabulary import VERTEBRAL_LEVELS, Laterality, Site, choices
from apps.core.api.fields import CodeChoiceField
from apps.dosimetry import selectors, services
from apps.dosimetry.imports import dose_import_start
from apps.dosimetry.models import DoseImportJob, RadiotherapyPlan


class PlanWriteSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    regimen_code = serializers.CharField(required=False, allow_blank=True, max_length=64)
    levels = serializers.ListField(child=serializers.DictField(), required=False)
    technique = CodeChoiceField(choices=RadiotherapyTechnique.choices, required=False)
    alpha_beta = serializers.FloatField(required=False, min_value=0.01)
    region = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text="Free-text label of the treated region (display only)."
    )
    site = CodeChoiceField(choices=choices(Site), required=False, allow_null=True, help_text="Structured target: bone site.")
    level_from = CodeChoiceField(
        choices=[(lv, lv) for lv in VERTEBRAL_LEVELS], required=False, allow_null=True, help_text="Spinal sites only."
    )
    level_to = CodeChoiceField(choices=[(lv, lv) for lv in VERTEBRAL_LEVELS], required=False, allow_null=True)
    laterality = CodeChoiceField(
        choices=choices(Laterality), required=False, allow_null=True, help_text="midline for spine, sternum and skull."
    )
    level_targets = serializers.ListField(
        child=serializers.CharField(allow_null=True, allow_blank=True, max_length=120),
        required=False,
        help_text="Catalogue regimen: the structure (e.g. PTV_boost) each dose level prescribes, in level order.",
    )
    oar_metrics = serializers.DictField(required=False)
    planned_date = serializers.DateField(required=False, allow_null=True)
    target_lesions = serializers.ListField(child=serializers.IntegerField(), required=False)


def _actor(request: Request, case: Case) -> User:
    user = request.user
    assert isinstance(user, User)
    # Checked here as well as in the service so that a refused user learns it before validation errors.
    require(user, Permission.DOSE_PLAN_EDIT, case.board_id)
    return user


def _visible_plan(request: Request, plan_id: int) -> RadiotherapyPlan:
    """A plan of a case the user may see (404 otherwise): the case scoping decides."""
    visible = RadiotherapyPlan.objects.filter(case__in=scope_cases(request.user)).select_related("case")
    return get_object_or_404(visible, pk=plan_id)


def _split(data: dict[str, Any], case: Case) -> tuple[dict[str, Any], list[Lesion] | None]:
    ids = data.pop("target_lesions", None)
    if ids is None:
        return data, None
    # Another board's lesion id answers exactly like an unknown one (issue 15).
    return data, lesions_of_case(case, ids)


class CasePlansView(APIView):
    """``GET``: the case's planned courses with their dose summaries; ``POST``: plan a course."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, case_id: int) -> Response:
        case = get_object_or_404(scope_cases(request.user), pk=case_id)
        return Response(selectors.plan_entries(case))

    @extend_schema(request=PlanWriteSerializer, responses={201: dict})
    def post(self, request: Request, case_id: int) -> Response:
        case = get_object_or_404(scope_cases(request.user), pk=case_id)
        actor = _actor(request, case)
        body = PlanWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data, lesions = _split(dict(body.validated_data), case)
        plan = services.plan_create(actor=actor, case=case, data=data, target_lesions=lesions)
        plan = selectors.case_plans(case).get(pk=plan.pk)
        return Response(selectors.plan_entry(plan, case), status=status.HTTP_201_CREATED)


class PlanDetailView(APIView):
    """``GET`` one planned course; ``PATCH`` changes it (a new revision, the summary is recomputed)."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, plan_id: int) -> Response:
        plan = _visible_plan(request, plan_id)
        return Response(selectors.plan_entry(selectors.case_plans(plan.case).get(pk=plan.pk), plan.case))

    @extend_schema(request=PlanWriteSerializer, responses={200: dict})
    def patch(self, request: Request, plan_id: int) -> Response:
        plan = _visible_plan(request, plan_id)
        actor = _actor(request, plan.case)
        body = PlanWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data, lesions = _split(dict(body.validated_data), plan.case)
        services.plan_update(actor=actor, plan=plan, data=data, target_lesions=lesions)
        case = Case.objects.get(pk=plan.case_id)
        return Response(selectors.plan_entry(selectors.case_plans(case).get(pk=plan.pk), case))


class DoseImportJobSerializer(serializers.ModelSerializer):
    """A dose import with its job's state (``core.Job``): ``failed`` says why in ``error``."""

    status = serializers.ChoiceField(choices=DoseImportJob.Status.choices, source="job.status", read_only=True)
    progress = serializers.IntegerField(read_only=True, min_value=0, max_value=100)
    log = serializers.CharField(source="job.log", read_only=True)
    error = serializers.CharField(source="job.error", read_only=True)
    created_at = serializers.DateTimeField(source="job.created_at", read_only=True)
    finished_at = serializers.DateTimeField(source="job.finished_at", read_only=True, allow_null=True)

    class Meta:
        model = DoseImportJob
        fields = ("id", "plan", "kind", "status", "progress", "log", "error", "structures", "created_at", "finished_at")


class DoseImportUploadSerializer(serializers.Serializer):
    kind = CodeChoiceField(choices=DoseImportJob.Kind.choices)
    csv = serializers.FileField(required=False, help_text="CSV DVH export (kind csv_dvh).")
    rtdose = serializers.FileField(required=False, help_text="DICOM RT Dose (kind dicom_rt).")
    rtstruct = serializers.FileField(required=False, help_text="DICOM RT Structure Set (kind dicom_rt).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == DoseImportJob.Kind.CSV_DVH and "csv" not in attrs:
            raise serializers.ValidationError({"csv": ["a CSV DVH file is required for kind csv_dvh."]})
        if attrs["kind"] == DoseImportJob.Kind.DICOM_RT:
            missing = {f: ["required for kind dicom_rt."] for f in ("rtdose", "rtstruct") if f not in attrs}
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class PlanImportsView(APIView):
    """``POST`` (multipart) a CSV DVH or DICOM RT files: a job is queued; follow it at ``dose-imports/{id}/``."""

    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(request={"multipart/form-data": DoseImportUploadSerializer}, responses={202: DoseImportJobSerializer})
    def post(self, request: Request, plan_id: int) -> Response:
        plan = _visible_plan(request, plan_id)
        actor = _actor(request, plan.case)
        body = DoseImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        csv_text = ""
        if data["kind"] == DoseImportJob.Kind.CSV_DVH:
            try:
                csv_text = data["csv"].read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise serializers.ValidationError({"csv": ["is not UTF-8 text."]}) from exc
        job = dose_import_start(
            actor=actor,
            plan=plan,
            kind=data["kind"],
            csv_text=csv_text,
            rtdose=data.get("rtdose"),
            rtstruct=data.get("rtstruct"),
        )
        job = DoseImportJob.objects.select_related("job").get(pk=job.pk)
        return Response(DoseImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class DoseImportJobView(APIView):
    @extend_schema(responses={200: DoseImportJobSerializer})
    def get(self, request: Request, job_id: int) -> Response:
        visible = DoseImportJob.objects.select_related("job").filter(plan__case__in=scope_cases(request.user))
        return Response(DoseImportJobSerializer(get_object_or_404(visible, pk=job_id)).data)
