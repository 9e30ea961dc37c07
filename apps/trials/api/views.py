"""Trial registry and per-case trial matches. Thin: scope, call a selector or service, render."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import requires
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.cases import selectors as case_selectors
from apps.cases.facts import CaseFacts
from apps.core.api.serializers import refuse_unknown_fields
from apps.core.idempotency import idempotent
from apps.core.models import Job
from apps.trials import reports, selectors, services
from apps.trials.api.renderers import CSVRenderer
from apps.trials.api.serializers import (
    CaseTrialMatchSerializer,
    MatchFlagCreateSerializer,
    MatchFlagListQuerySerializer,
    MatchFlagResolveSerializer,
    MatchFlagSerializer,
    ReferralCreateSerializer,
    ReferralTransitionSerializer,
    RematchJobSerializer,
    TrialReferralSerializer,
    TrialSerializer,
)
from apps.trials.engine.schema import TRIAL_DEFINITION_KEYS
from apps.trials.models import MatchFlag, Trial, TrialMatch, TrialReferral, TrialVersion


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def _definition_body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["expected a JSON object (a trial definition)."]})
    # A top-level key the trial language does not define is a 400 naming it, like every other body
    # (issue 15); deeper keys are named by the language's own JSON paths (``$.criteria[0].rule.x``).
    refuse_unknown_fields(request.data, TRIAL_DEFINITION_KEYS)
    return dict(request.data)


class CaseTrialMatchesView(APIView):
    """Every registry trial matched against one case, recruiting trials first."""

    permission_classes = (requires(Permission.CASE_VIEW),)
    serializer_class = CaseTrialMatchSerializer

    @extend_schema(responses=CaseTrialMatchSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        # The scope check reads the revision the stored matches are compared with (one query); the case's
        # facts are loaded only if a trial has to be matched on the spot (issue 16).
        revision = case_selectors.scope_cases(request.user).filter(pk=pk).values_list("revision", flat=True).first()
        if revision is None:
            raise NotFound("No case with this id on your boards.")

        def facts() -> CaseFacts:
            return case_selectors.case_facts(case_selectors.case_for_engines(pk))

        return Response(selectors.case_trial_matches(case_id=pk, case_revision=revision, facts=facts))


class TrialViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Trial],
):
    """The trial registry: read by any signed-in user, edited by administrators (each edit a new version).

    POST takes a whole trial definition (docs/trial-criteria.md §2); PATCH takes the top-level keys to
    change (``criteria`` replaces the whole list). A criteria error is a 400 keyed by JSON path.
    """

    serializer_class = TrialSerializer
    lookup_field = "identifier"
    lookup_value_regex = r"[A-Za-z0-9._-]+"
    http_method_names: Sequence[str] = ("get", "post", "patch", "head", "options")
    search_fields = ("identifier", "short_name", "title")
    ordering_fields = ("identifier", "short_name", "status")
    ordering = ("identifier",)

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticated()]
        return [requires(Permission.TRIAL_REGISTRY_EDIT)()]

    def get_queryset(self) -> QuerySet[Trial]:
        current = TrialVersion.objects.filter(version=F("trial__current_version"))
        prefetch = Prefetch("versions", queryset=current, to_attr="current")
        return selectors.trial_list().prefetch_related(prefetch)

    def _render(self, trial_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        trial = self.get_queryset().get(pk=trial_id)
        return Response(TrialSerializer(trial).data, status=status_code)

    @extend_schema(request=dict[str, Any], responses={201: TrialSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        trial = services.trial_create(actor=_user(request), definition=_definition_body(request))
        return self._render(trial.pk, status.HTTP_201_CREATED)

    @extend_schema(request=dict[str, Any], responses=TrialSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        trial = self.get_object()
        services.trial_update(actor=_user(request), trial_id=trial.pk, changes=_definition_body(request))
        return self._render(trial.pk)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


class CaseReferralsView(APIView):
    """Referrals of one case to trials: list (case viewers), propose (members holding REFERRAL_MANAGE)."""

    def get_permissions(self) -> list[BasePermission]:
        permission = Permission.CASE_VIEW if self.request.method == "GET" else Permission.REFERRAL_MANAGE
        return [requires(permission)()]

    def _case_id(self, request: Request, pk: int) -> int:
        if not case_selectors.scope_cases(request.user).filter(pk=pk).exists():
            raise NotFound("No case with this id on your boards.")
        return pk

    @extend_schema(responses=TrialReferralSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        case_id = self._case_id(request, pk)
        rows = TrialReferral.objects.filter(case_id=case_id).select_related("trial", "trial_version")
        return Response(TrialReferralSerializer(rows, many=True).data)

    @extend_schema(request=ReferralCreateSerializer, responses={201: TrialReferralSerializer})
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        case_id = self._case_id(request, pk)
        body = ReferralCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.referral_create(
            actor=_user(request),
            case_id=case_id,
            trial_identifier=body.validated_data["trial"],
            note=body.validated_data["note"],
        )
        return Response(TrialReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralTransitionView(APIView):
    """Move a referral: referred -> screening -> consented -> enrolled; or it ends (with a reason)."""

    permission_classes = (requires(Permission.REFERRAL_MANAGE),)

    @extend_schema(request=ReferralTransitionSerializer, responses=TrialReferralSerializer)
    def post(self, request: Request, pk: int) -> Response:
        visible = case_selectors.scope_cases(request.user).values("pk")
        if not TrialReferral.objects.filter(pk=pk, case_id__in=visible).exists():
            raise NotFound("No referral with this id on your boards.")
        body = ReferralTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.referral_transition(
            actor=_user(request),
            referral_id=pk,
            target=body.validated_data["status"],
            reason=body.validated_data["reason"],
        )
        return Response(TrialReferralSerializer(referral).data)


class MatchFlagCreateView(APIView):
    """A clinician flags a case's stored match to a trial (or one of its criteria) as wrong."""

    permission_classes = (requires(Permission.MATCH_FLAG),)

    @extend_schema(request=MatchFlagCreateSerializer, responses={201: MatchFlagSerializer})
    def post(self, request: Request, pk: int, identifier: str) -> Response:
        if not case_selectors.scope_cases(request.user).filter(pk=pk).exists():
            raise NotFound("No case with this id on your boards.")
        if not TrialMatch.objects.filter(case_id=pk, trial__identifier=identifier).exists():
            raise NotFound("No stored match of this case to this trial.")
        body = MatchFlagCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = services.match_flag_create(
            actor=_user(request),
            case_id=pk,
            trial_identifier=identifier,
            reason=body.validated_data["reason"],
            criterion_code=body.validated_data["criterion_code"],
        )
        flag = MatchFlag.objects.select_related("match__trial", "trial_version", "created_by").get(pk=flag.pk)
        return Response(MatchFlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class MatchFlagListView(APIView):
    """Every match flag, newest first (administrators); ``?resolved=false`` for the open ones."""

    permission_classes = (requires(Permission.REPORTS_VIEW),)

    @extend_schema(
        parameters=[OpenApiParameter("resolved", bool, description="true: resolved flags only; false: open only.")],
        responses=MatchFlagSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = MatchFlagListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.match_flag_list(request.user, resolved=query.validated_data["resolved"])
        return Response(MatchFlagSerializer(rows, many=True).data)


class MatchFlagResolveView(APIView):
    """An administrator resolves a flag with a note saying what was done (once; who and when are recorded)."""

    permission_classes = (requires(Permission.TRIAL_REGISTRY_EDIT),)

    @extend_schema(request=MatchFlagResolveSerializer, responses=MatchFlagSerializer)
    def post(self, request: Request, pk: int) -> Response:
        if not selectors.match_flag_list(request.user).filter(pk=pk).exists():
            raise NotFound("No match flag with this id on your boards.")
        body = MatchFlagResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.match_flag_resolve(actor=_user(request), flag_id=pk, note=body.validated_data["note"])
        flag = selectors.match_flag_list(request.user).get(pk=pk)
        return Response(MatchFlagSerializer(flag).data)


class _ReportView(APIView):
    """An administrators' report, as JSON or CSV (``?format=csv`` or ``Accept: text/csv``)."""

    permission_classes = (requires(Permission.REPORTS_VIEW),)
    renderer_classes = (JSONRenderer, CSVRenderer)
    throttle_scope = "export"  # apps.accounts.throttling
    csv_columns: Sequence[str] = ()
    csv_name = "report"

    def _csv(self, request: Request) -> bool:
        return getattr(request.accepted_renderer, "format", None) == "csv"

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._csv(request) and response.status_code == 200:
            response["Content-Disposition"] = f'attachment; filename="{self.csv_name}.csv"'
        return response


class ReferralReportView(_ReportView):
    """Per trial and board: referrals, outcomes, median days to enrolment, screen-failure reasons."""

    csv_columns = reports.REFERRAL_COLUMNS
    csv_name = "referrals"

    @extend_schema(responses=dict[str, Any])
    def get(self, request: Request) -> Response:
        return Response(reports.referral_report(request.user))


class EligibleNotReferredReportView(_ReportView):
    """Open cases with an eligible stored match to a trial they were never referred to."""

    csv_columns = reports.ELIGIBLE_NOT_REFERRED_COLUMNS
    csv_name = "eligible-not-referred"

    @extend_schema(responses=dict[str, Any])
    def get(self, request: Request) -> Response:
        return Response(reports.eligible_not_referred_report(request.user))


class AttritionReportView(_ReportView):
    """Per-criterion attrition of one trial (``?trial=<identifier>``) over the open cases; CSV: the criteria."""

    csv_columns = reports.ATTRITION_COLUMNS
    csv_name = "attrition"

    @extend_schema(responses=dict[str, Any])
    def get(self, request: Request) -> Response:
        identifier = request.query_params.get("trial", "").strip()
        if not identifier:
            raise ValidationError({"trial": ["give the trial's identifier: ?trial=<identifier>."]})
        try:
            report = reports.attrition_report(request.user, identifier)
        except reports.UnknownTrial:
            raise NotFound(f"No trial {identifier!r} in the registry.") from None
        return Response(report["criteria"] if self._csv(request) else report)


class RematchJobListView(APIView):
    """Re-matches of the open cases after registry edits or matcher upgrades, with progress (administrators).

    ``?trial=<identifier>`` and ``?status=queued|running|succeeded|failed`` filter the list (newest first, the
    latest 200).
    """

    permission_classes = (requires(Permission.REPORTS_VIEW),)

    @extend_schema(
        parameters=[
            OpenApiParameter("trial", str, description="A trial identifier (NCT number)."),
            OpenApiParameter("status", str, enum=Job.Status.values, description="The job's status."),
        ],
        responses=RematchJobSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status") or None
        if status_filter is not None and status_filter not in Job.Status.values:
            allowed = ", ".join(Job.Status.values)
            raise ValidationError({"status": [f'"{status_filter}" is not a valid status. Allowed: {allowed}.']})
        rows = selectors.rematch_job_list(trial_identifier=request.query_params.get("trial"), status=status_filter)
        return Response(RematchJobSerializer(rows[:200], many=True).data)
