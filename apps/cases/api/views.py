"""Case intake endpoints. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.api.permissions import RolePermission
from apps.accounts.authorization import boards_where
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.services import audit_read
from apps.cases import selectors, services
from apps.cases.api.filters import CaseFilter
from apps.cases.api.serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    CaseUpdateSerializer,
    CaseWriteSerializer,
    PatientCreateSerializer,
    PatientSerializer,
    TransitionSerializer,
    case_detail_representation,
)
from apps.cases.derived import derived_sections
from apps.cases.models import Case, Patient
from apps.cases.workflow import CaseStatus
from apps.core.api.errors import PreconditionFailed
from apps.core.api.preconditions import if_match_int
from apps.core.api.renderers import BrowsableAPIRenderer, FragmentJSONRenderer
from apps.core.api.serializers import refuse_unknown_fields
from apps.core.background import runs_in_process
from apps.core.idempotency import idempotent


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Patient]):
    """The MRN register of the institutions whose boards the user sits on."""

    permission_classes = (RolePermission,)
    action_permissions = {"list": Permission.PATIENT_VIEW, "retrieve": Permission.PATIENT_VIEW, "create": Permission.PATIENT_EDIT}
    # No search_fields: a search by MRN or name would put patient identifiers in the URL and the access
    # logs (issue 15); the case search is POSTed for that reason.
    ordering_fields = ("family_name", "date_of_birth", "created_at")

    def get_queryset(self) -> QuerySet[Patient]:
        return selectors.scope_patients(self.request.user).order_by("family_name", "given_name", "id")

    def get_serializer_class(self) -> Any:
        return PatientCreateSerializer if self.action == "create" else PatientSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        patient = self.get_object()
        audit_read(actor=request.user, subject=patient, request=request, detail={"via": "api"})
        return Response(PatientSerializer(patient).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PatientCreateSerializer(data=request.data)
        board_field = serializer.fields["board"]
        board_field.queryset = boards_where(_user(request), Permission.PATIENT_EDIT)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        board = data.pop("board")
        patient = services.patient_create(actor=_user(request), board=board, data=data)
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Case],
):
    """Cases of the user's boards. Updates honour ``If-Match: "<revision>"`` (the ETag of the detail)."""

    permission_classes = (RolePermission,)
    action_permissions = {
        "list": Permission.CASE_VIEW,
        "retrieve": Permission.CASE_VIEW,
        "create": Permission.CASE_CREATE,
        "update": Permission.CASE_EDIT,
        "partial_update": Permission.CASE_EDIT,
        "submit": Permission.CASE_SUBMIT,
        "transition": Permission.CASE_VIEW,  # the service checks submit vs triage per target status
    }
    # JSON first (pre-encoded fragments of the detail), then the project's other renderers.
    renderer_classes = (FragmentJSONRenderer, BrowsableAPIRenderer)  # DRF's defaults, JSON's replaced
    filterset_class = CaseFilter
    ordering_fields = ("created_at", "updated_at", "submitted_at", "status")
    ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Case]:
        if self.action == "list":
            return selectors.case_list(self.request.user)
        return selectors.case_detail_queryset(self.request.user)

    def filter_queryset(self, queryset: Any) -> Any:
        # The filters, search and ordering describe the list; a single case is found by its id in the
        # user's scope alone (running the filter set's form on every detail cost ~7 % of its CPU, issue 16).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self) -> Any:
        return {
            "list": CaseListSerializer,
            "create": CaseWriteSerializer,
            "update": CaseUpdateSerializer,
            "partial_update": CaseUpdateSerializer,
        }.get(self.action, CaseDetailSerializer)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user
        if isinstance(user, User):
            context["board_queryset"] = boards_where(user, Permission.CASE_CREATE)
            context["patient_queryset"] = selectors.scope_patients(user)
        return context

    def _detail_response(
        self, case: Case | int, status_code: int = status.HTTP_200_OK, *, read: bool = False, created: bool = False
    ) -> Response:
        """The case detail. ``case``: the case already loaded with its lesions and prior courses (a read, or
        a creation's case holding the rows it wrote, issue 16), or the id of a case a write changed, read
        again as committed. ``created``: the case was created by this request, so its derived results are
        stored only if its tasks ran here at commit (eager mode); with a worker they are pending."""
        if not isinstance(case, Case):
            case = selectors.case_detail_queryset(self.request.user).get(pk=case)
        data = case_detail_representation(case)
        # A read serves the stored derived JSON as the database's text (FragmentJSONRenderer splices it in,
        # issue 16); a write's answer holds Python values (the idempotency store keeps it as JSON).
        data.update(derived_sections(case, raw=read, nothing_stored=created and not runs_in_process()))
        return Response(data, status=status_code, headers={"ETag": f'"{case.revision}"'})

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        audit_read(actor=request.user, subject=case, request=request, detail={"via": "api"})
        return self._detail_response(case, read=True)

    @extend_schema(request=CaseWriteSerializer, responses={201: CaseDetailSerializer})
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CaseWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        board = data.pop("board")
        patient_ref = data.pop("patient")
        lesions = [dict(item) for item in data.pop("lesions", [])]
        prior = [dict(item) for item in data.pop("prior_radiotherapy", [])]
        case = services.case_create(
            actor=_user(request),
            board=board,
            patient=patient_ref.get("existing"),
            new_patient=patient_ref.get("new"),
            data=data,
            lesions=lesions,
            prior_courses=prior,
        )
        return self._detail_response(case, status.HTTP_201_CREATED, created=True)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseDetailSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = CaseUpdateSerializer(case, data=request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lesions = data.pop("lesions", None)
        prior = data.pop("prior_radiotherapy", None)
        try:
            services.case_update(
                actor=_user(request),
                case_id=case.pk,
                data=data,
                lesions=None if lesions is None else [dict(item) for item in lesions],
                prior_courses=None if prior is None else [dict(item) for item in prior],
                # Required (428 without it): the case, its lesions and prior courses are clinical content.
                expected_revision=if_match_int(request, what="case"),
            )
        except services.StaleRevision as exc:
            raise PreconditionFailed(str(exc)) from exc
        return self._detail_response(case.pk)

    @extend_schema(request=TransitionSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        refuse_unknown_fields(request.data, TransitionSerializer())  # no reason needed, but no stray key either
        services.case_transition(actor=_user(request), case_id=case.pk, target=CaseStatus.SUBMITTED)
        return self._detail_response(case.pk)

    @extend_schema(request=TransitionSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path=r"transition/(?P<target>[a-z_]+)")
    def transition(self, request: Request, pk: str | None = None, target: str = "") -> Response:
        case = self.get_object()
        if target not in {s.value for s in CaseStatus}:
            return Response(
                {"status": [f'"{target}" is not a status. Allowed: {", ".join(s.value for s in CaseStatus)}.']},
                status=status.HTTP_400_BAD_REQUEST,
            )
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.case_transition(actor=_user(request), case_id=case.pk, target=target, reason=body.validated_data["reason"])
        return self._detail_response(case.pk)
