"""Meeting endpoints. Thin: parse, scope, call a service or selector, render.

Reads are scoped through ``selectors.scope_meetings`` (another board's meeting is a 404); writes check
the role permission (``RolePermission``) and the services check membership and the object rules again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import RolePermission, requires
from apps.accounts.authorization import boards_where, readable_boards, restrict
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.core.api.errors import Conflict
from apps.core.api.preconditions import PreconditionRequired
from apps.core.api.serializers import refuse_unknown_fields
from apps.core.idempotency import idempotent
from apps.meetings import calendar, selectors, services
from apps.meetings.api import serializers as s
from apps.meetings.models import AgendaItem, Attendance, CalendarScope, CalendarToken, Meeting, MeetingSeries, Notification


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def _version(request: Request, body: dict[str, Any], *, required: bool = False) -> int | None:
    """The agenda version the caller edited: ``If-Match: "<version>"`` or ``agenda_version`` in the body.

    ``required`` (changing or removing an item, reordering): without either the update answers 428
    (apps.core.api.preconditions); placing a case keeps it optional, as the contract promises
    ``POST {"case": id}``.
    """
    header = request.headers.get("If-Match")
    if header:
        value = header.strip().removeprefix("W/").strip('"')
        if not value.isdigit():
            raise ValidationError({"If-Match": [f"must be the agenda's ETag (its version), not {header!r}."]})
        return int(value)
    version = body.get("agenda_version")
    if version is None and required:
        raise PreconditionRequired(
            "Send If-Match with the agenda's ETag (or agenda_version): agenda changes are refused without the "
            "version you edited so that no one overwrites a change they have not seen."
        )
    return int(version) if version is not None else None


def _date_param(request: Request, name: str) -> dt.date | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValidationError({name: [f"{raw!r} is not a date: use YYYY-MM-DD."]}) from exc


class PassthroughRenderer(BaseRenderer):
    """Renders bytes as they are (the view builds them) and error bodies as JSON."""

    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class CalendarRenderer(PassthroughRenderer):
    media_type = "text/calendar"
    format = "ics"


class PdfRenderer(PassthroughRenderer):
    media_type = "application/pdf"
    format = "pdf"


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


MEETING_FILTERS = [
    OpenApiParameter("board", OpenApiTypes.INT, description="Only this board's meetings."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Meetings on or after this local date (YYYY-MM-DD)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Meetings on or before this local date (YYYY-MM-DD)."),
]


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Meeting]):
    """Meetings of the user's boards, their agendas, attendance and meeting mode."""

    permission_classes = (RolePermission,)
    action_permissions = {
        "list": Permission.MEETING_VIEW,
        "retrieve": Permission.MEETING_VIEW,
        "agenda": Permission.MEETING_VIEW,  # POST is checked for AGENDA_EDIT below
        "agenda_reorder": Permission.AGENDA_EDIT,
        "agenda_item": Permission.MEETING_VIEW,  # the service checks coordinator vs chair
        "agenda_item_move": Permission.AGENDA_EDIT,
        "cancel": Permission.MEETING_SCHEDULE,
        "move": Permission.MEETING_SCHEDULE,
        "publish": Permission.MEETING_SCHEDULE,
        "attendance": Permission.MEETING_VIEW,  # POST: the service checks coordinator or chair
        "rsvp": Permission.MEETING_ATTEND,
        "check_in": Permission.MEETING_ATTEND,
        "quorum": Permission.MEETING_VIEW,
        "live": Permission.MEETING_VIEW,
        "start": Permission.MEETING_RUN,
        "advance": Permission.MEETING_RUN,
        "end": Permission.MEETING_RUN,
    }
    filter_backends: list[Any] = []
    serializer_class = s.MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        if self.action == "list":
            return selectors.meeting_list(
                self.request.user,
                board_id=self._board_param(),
                date_from=_date_param(self.request, "from"),
                date_to=_date_param(self.request, "to"),
            )
        return selectors.with_quorum_inputs(selectors.scope_meetings(self.request.user).select_related("board", "chair"))

    def _board_param(self) -> int | None:
        raw = self.request.query_params.get("board")
        if raw in (None, ""):
            return None
        if not str(raw).isdigit():
            raise ValidationError({"board": [f"{raw!r} is not a board id."]})
        return int(str(raw))

    def get_serializer_class(self) -> Any:
        return s.MeetingSerializer if self.action == "list" else s.MeetingDetailSerializer

    @extend_schema(parameters=MEETING_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _fresh(self, pk: int) -> Meeting:
        return self.get_queryset().get(pk=pk)

    # --- agenda ---------------------------------------------------------------------------------------

    def _agenda_response(self, meeting: Meeting, status_code: int = status.HTTP_200_OK) -> Response:
        rows = selectors.agenda(meeting)
        context = {"estimated_starts": {r.item.pk: r.estimated_start for r in rows}, "timezone": meeting.timezone}
        data = s.AgendaItemSerializer([r.item for r in rows], many=True, context=context).data
        return Response(data, status=status_code, headers={"ETag": f'"{meeting.agenda_version}"'})

    @extend_schema(
        methods=["GET"],
        responses=s.AgendaItemSerializer(many=True),
        description="Items in order; the ETag is the agenda version.",
    )
    @extend_schema(methods=["POST"], request=s.AgendaPlaceSerializer, responses={201: s.AgendaItemSerializer})
    @action(detail=True, methods=["get", "post"])
    @idempotent
    def agenda(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        if request.method == "GET":
            return self._agenda_response(meeting)
        if not _user(request).has_clinical_permission(Permission.AGENDA_EDIT):
            return Response({"detail": "Your role does not allow this action."}, status=status.HTTP_403_FORBIDDEN)
        body = s.AgendaPlaceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            item = services.agenda_place(
                actor=_user(request),
                meeting_id=meeting.pk,
                case_id=data["case"],
                reason=data["reason"],
                clinical_question=data["clinical_question"],
                expected_version=_version(request, data),
            )
        except services.AgendaConflict as exc:
            raise Conflict(str(exc)) from exc
        meeting = self._fresh(meeting.pk)
        rows = {r.item.pk: r.estimated_start for r in selectors.agenda(meeting)}
        item.refresh_from_db()
        payload = s.AgendaItemSerializer(item, context={"estimated_starts": rows, "timezone": meeting.timezone}).data
        return Response(payload, status=status.HTTP_201_CREATED, headers={"ETag": f'"{meeting.agenda_version}"'})

    @extend_schema(request=s.AgendaReorderSerializer, responses=s.AgendaItemSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="agenda/reorder")
    def agenda_reorder(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        body = s.AgendaReorderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # A reorder is a whole new order: without the version it was based on, it could undo another edit.
        version = _version(request, body.validated_data, required=True)
        assert version is not None  # required=True raised 428 otherwise
        try:
            services.agenda_reorder(
                actor=_user(request), meeting_id=meeting.pk, order=body.validated_data["order"], expected_version=version
            )
        except services.AgendaConflict as exc:
            raise Conflict(str(exc)) from exc
        return self._agenda_response(self._fresh(meeting.pk))

    def _item(self, meeting: Meeting, item_id: str) -> AgendaItem:
        item = AgendaItem.objects.filter(pk=int(item_id), meeting=meeting).first()
        if item is None:
            raise NotFound("No such item on this meeting's agenda.")
        return item

    @extend_schema(methods=["PATCH"], request=s.AgendaItemUpdateSerializer, responses=s.AgendaItemSerializer(many=True))
    @extend_schema(methods=["DELETE"], responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"agenda/(?P<item_id>[0-9]+)")
    def agenda_item(self, request: Request, pk: str | None = None, item_id: str = "") -> Response:
        meeting = self.get_object()
        item = self._item(meeting, item_id)
        try:
            if request.method == "DELETE":
                services.agenda_remove_item(
                    actor=_user(request), item_id=item.pk, expected_version=_version(request, {}, required=True)
                )
                return Response(
                    status=status.HTTP_204_NO_CONTENT, headers={"ETag": f'"{self._fresh(meeting.pk).agenda_version}"'}
                )
            body = s.AgendaItemUpdateSerializer(data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            changes = {k: v for k, v in body.validated_data.items() if k != "agenda_version"}
            if not changes:
                raise ValidationError({"non_field_errors": ["give reason, clinical_question or minutes."]})
            services.agenda_item_update(
                actor=_user(request),
                item_id=item.pk,
                changes=changes,
                expected_version=_version(request, body.validated_data, required=True),
            )
        except services.AgendaConflict as exc:
            raise Conflict(str(exc)) from exc
        return self._agenda_response(self._fresh(meeting.pk))

    @extend_schema(request=s.AgendaMoveSerializer, responses=s.AgendaItemSerializer(many=True))
    @action(detail=True, methods=["post"], url_path=r"agenda/(?P<item_id>[0-9]+)/move")
    def agenda_item_move(self, request: Request, pk: str | None = None, item_id: str = "") -> Response:
        meeting = self.get_object()
        item = self._item(meeting, item_id)
        body = s.AgendaMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target_id = body.validated_data["meeting"]
        if not selectors.scope_meetings(request.user).filter(pk=target_id).exists():
            raise ValidationError({"meeting": ["no such meeting on your boards."]})
        try:
            services.agenda_move_item(
                actor=_user(request),
                item_id=item.pk,
                target_meeting_id=target_id,
                expected_version=_version(request, body.validated_data, required=True),
            )
        except services.AgendaConflict as exc:
            raise Conflict(str(exc)) from exc
        return self._agenda_response(self._fresh(meeting.pk))

    # --- scheduling -----------------------------------------------------------------------------------

    @extend_schema(request=s.CancelSerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        body = s.CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.meeting_cancel(actor=_user(request), meeting_id=meeting.pk, reason=body.validated_data["reason"])
        except services.AgendaConflict as exc:
            raise Conflict("The next meeting changed while cancelling: reload and try again.") from exc
        return Response(s.MeetingDetailSerializer(self._fresh(meeting.pk)).data)

    @extend_schema(request=s.MoveSerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        body = s.MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.meeting_move(
            actor=_user(request),
            meeting_id=meeting.pk,
            starts_at=data["starts_at"],
            duration_minutes=data.get("duration_minutes"),
            location=data.get("location"),
            video_url=data.get("video_url"),
            reason=data["reason"],
        )
        return Response(s.MeetingDetailSerializer(self._fresh(meeting.pk)).data)

    @extend_schema(request=None, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        refuse_unknown_fields(request.data, ())  # takes no body
        services.agenda_publish(actor=_user(request), meeting_id=meeting.pk)
        return Response(s.MeetingDetailSerializer(self._fresh(meeting.pk)).data)

    # --- attendance -----------------------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=s.AttendanceSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.AttendanceRecordSerializer, responses=s.AttendanceSerializer)
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        if request.method == "POST":
            body = s.AttendanceRecordSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            row = services.attendance_record(
                actor=_user(request),
                meeting_id=meeting.pk,
                user_id=body.validated_data["user"],
                status=body.validated_data["status"],
            )
            return Response(s.AttendanceSerializer(Attendance.objects.select_related("user").get(pk=row.pk)).data)
        rows = Attendance.objects.filter(meeting=meeting).select_related("user").order_by("user__username")
        return Response(s.AttendanceSerializer(rows, many=True).data)

    @extend_schema(request=s.RsvpSerializer, responses=s.AttendanceSerializer)
    @action(detail=True, methods=["post"])
    def rsvp(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        body = s.RsvpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.attendance_rsvp(actor=_user(request), meeting_id=meeting.pk, response=body.validated_data["response"])
        return Response(s.AttendanceSerializer(Attendance.objects.select_related("user").get(pk=row.pk)).data)

    @extend_schema(request=s.CheckInSerializer, responses=s.AttendanceSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        body = s.CheckInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.attendance_check_in(actor=_user(request), meeting_id=meeting.pk, remote=body.validated_data["remote"])
        return Response(s.AttendanceSerializer(Attendance.objects.select_related("user").get(pk=row.pk)).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def quorum(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        return Response({**selectors.live_quorum(meeting).to_dict(), "quorum_met": selectors.quorum_met(meeting)})

    # --- meeting mode ---------------------------------------------------------------------------------

    def _live(self, meeting: Meeting) -> dict[str, Any]:
        current = None
        if meeting.current_item_id is not None:
            item = AgendaItem.objects.select_related("case").get(pk=meeting.current_item_id)
            current = {"id": item.pk, "case": item.case_id, "position": item.position, "urgent": item.urgent}
        return {
            "meeting": meeting.pk,
            "status": meeting.status,
            "live_version": meeting.live_version,
            "current_item": current,
            "quorum_met": selectors.quorum_met(meeting),
        }

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def live(self, request: Request, pk: str | None = None) -> Response:
        return Response(self._live(self.get_object()))

    def _mode(self, request: Request, pk: str | None, step: str) -> Response:
        meeting = self.get_object()
        if step != "advance":
            refuse_unknown_fields(request.data, ())  # start and end take no body: a key sent is a mistake
        try:
            if step == "start":
                services.meeting_start(actor=_user(request), meeting_id=meeting.pk)
            elif step == "end":
                services.meeting_end(actor=_user(request), meeting_id=meeting.pk)
            else:
                body = s.AdvanceSerializer(data=request.data)
                body.is_valid(raise_exception=True)
                services.meeting_advance(
                    actor=_user(request),
                    meeting_id=meeting.pk,
                    to_item_id=body.validated_data.get("item"),
                    expected_live_version=body.validated_data.get("live_version"),
                )
        except services.MeetingStateConflict as exc:
            raise Conflict(str(exc)) from exc
        return Response(self._live(self._fresh(meeting.pk)))

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        return self._mode(request, pk, "start")

    @extend_schema(request=s.AdvanceSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        return self._mode(request, pk, "advance")

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        return self._mode(request, pk, "end")


class MeetingCalendarView(APIView):
    """``GET /api/v1/meetings/{id}/calendar.ics``: one meeting as ``text/calendar``."""

    permission_classes = (requires(Permission.MEETING_VIEW),)
    renderer_classes = (CalendarRenderer, JSONRenderer)

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        meeting = get_object_or_404(selectors.scope_meetings(request.user).select_related("board", "chair"), pk=pk)
        content = calendar.calendar_bytes([meeting], name=meeting.title, base_url=request.build_absolute_uri("/"))
        return _ics_response(content, f"meeting-{meeting.pk}.ics")


class MeetingCertificateView(APIView):
    """``GET /api/v1/meetings/{id}/certificate.pdf``: the requesting member's attendance certificate."""

    permission_classes = (requires(Permission.MEETING_ATTEND),)
    renderer_classes = (PdfRenderer, JSONRenderer)
    throttle_scope = "export"  # rendering a PDF is expensive (apps.accounts.throttling)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        from apps.meetings.certificates import certificate_pdf

        meeting = get_object_or_404(selectors.scope_meetings(request.user).select_related("board", "chair"), pk=pk)
        attendance = Attendance.objects.filter(meeting=meeting, user=_user(request)).first()
        try:
            content = certificate_pdf(meeting, attendance)
        except ValueError as exc:
            return HttpResponse(JSONRenderer().render({"detail": str(exc)}), status=409, content_type="application/json")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="attendance-{meeting.pk}-{request.user.get_username()}.pdf"'
        return response


class CalendarFeedView(APIView):
    """``GET /api/v1/calendar/feed/{token}.ics``: a subscription feed. The token is the only credential."""

    authentication_classes: list[Any] = []
    permission_classes = (AllowAny,)
    renderer_classes = (CalendarRenderer, JSONRenderer)

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY}, auth=[])
    def get(self, request: Request, token: str) -> HttpResponse:
        row = (
            CalendarToken.objects.select_related("user", "board")
            .filter(digest=services.token_digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            raise NotFound("No such calendar feed (the link may have been revoked).")
        visible = readable_boards(row.user)
        if row.scope == CalendarScope.BOARD:
            board_ids = list(visible.filter(pk=row.board_id or 0).values_list("pk", flat=True))
            if not board_ids:
                raise NotFound("No such calendar feed.")
            name = row.board.name if row.board else "Board meetings"
        else:
            board_ids = list(visible.values_list("pk", flat=True))
            name = f"Tumor boards of {row.user.get_username()}"
        CalendarToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        content = calendar.calendar_bytes(
            selectors.feed_meetings(board_ids=board_ids), name=name, base_url=request.build_absolute_uri("/")
        )
        return _ics_response(content, "meetings.ics")


class SeriesViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[MeetingSeries]
):
    """A board's recurring meetings (coordinators create them; creating one creates its meetings)."""

    permission_classes = (RolePermission,)
    action_permissions = {
        "list": Permission.MEETING_VIEW,
        "retrieve": Permission.MEETING_VIEW,
        "create": Permission.MEETING_SCHEDULE,
        "extend": Permission.MEETING_SCHEDULE,
    }
    serializer_class = s.SeriesSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[MeetingSeries]:
        return restrict(MeetingSeries.objects.all(), self.request.user, "board_id").order_by("id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.SeriesSerializer(data=request.data)
        body.fields["board"].queryset = boards_where(_user(request), Permission.MEETING_SCHEDULE)  # type: ignore[attr-defined]
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        board = data.pop("board")
        until = data.pop("until", None)
        end = None
        if until is not None:
            end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time()).replace(tzinfo=dt.UTC)
        series = services.series_create(actor=_user(request), board=board, data=data, until=end)
        return Response(s.SeriesSerializer(series).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SeriesExtendSerializer, responses=s.MeetingSerializer(many=True))
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        series = self.get_object()
        body = s.SeriesExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        until = dt.datetime.combine(body.validated_data["until"] + dt.timedelta(days=1), dt.time()).replace(tzinfo=dt.UTC)
        created = services.series_extend(actor=_user(request), series_id=series.pk, until=until)
        rows = selectors.with_quorum_inputs(
            Meeting.objects.filter(pk__in=[m.pk for m in created]).select_related("board", "chair")
        )
        return Response(s.MeetingSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class PlaceNextView(APIView):
    """``POST /api/v1/agenda/place/`` ``{"case": id}``: place a submitted case on the meeting the rule proposes."""

    permission_classes = (requires(Permission.AGENDA_EDIT),)

    @extend_schema(request=s.AgendaPlaceSerializer, responses={201: s.AgendaItemSerializer})
    def post(self, request: Request) -> Response:
        body = s.AgendaPlaceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        from apps.cases.selectors import scope_cases

        if not scope_cases(request.user).filter(pk=data["case"]).exists():
            raise ValidationError({"case": ["no such case on your boards."]})
        try:
            item = services.agenda_place_next(
                actor=_user(request), case_id=data["case"], reason=data["reason"], clinical_question=data["clinical_question"]
            )
        except services.AgendaConflict as exc:
            raise Conflict("The proposed meeting filled up meanwhile: try again.") from exc
        meeting = item.meeting
        rows = {r.item.pk: r.estimated_start for r in selectors.agenda(meeting)}
        item.refresh_from_db()
        payload = dict(s.AgendaItemSerializer(item, context={"estimated_starts": rows, "timezone": meeting.timezone}).data)
        payload["meeting"] = meeting.pk
        return Response(payload, status=status.HTTP_201_CREATED)


class ReturnToAgendaView(APIView):
    """``POST /api/v1/cases/{id}/return-to-agenda/`` ``{"reason"}``: a decided case goes back to the next agenda.

    Re-review (``services.case_return_to_agenda``): 201 with the agenda item when a meeting has room, 202
    ``{"case", "status": "submitted", "meeting": null}`` when it waits for a place.
    """

    permission_classes = (requires(Permission.FOLLOW_UP_RECORD),)

    @extend_schema(request=s.ReturnToAgendaSerializer, responses={201: s.AgendaItemSerializer, 202: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: int) -> Response:
        from apps.cases.selectors import scope_cases

        if not scope_cases(request.user).filter(pk=case_id).exists():
            raise NotFound("No such case on your boards.")
        body = s.ReturnToAgendaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            item = services.case_return_to_agenda(actor=_user(request), case_id=case_id, reason=body.validated_data["reason"])
        except services.AgendaConflict as exc:
            raise Conflict("The proposed meeting filled up meanwhile: try again.") from exc
        if item is None:
            return Response({"case": case_id, "status": "submitted", "meeting": None}, status=status.HTTP_202_ACCEPTED)
        meeting = item.meeting
        rows = {r.item.pk: r.estimated_start for r in selectors.agenda(meeting)}
        item.refresh_from_db()
        payload = dict(s.AgendaItemSerializer(item, context={"estimated_starts": rows, "timezone": meeting.timezone}).data)
        payload["meeting"] = meeting.pk
        return Response(payload, status=status.HTTP_201_CREATED)


class WaitingCasesView(APIView):
    """``GET /api/v1/agenda/waiting/``: submitted cases of the user's boards waiting for a place."""

    permission_classes = (requires(Permission.MEETING_VIEW),)

    # A list of {case, board, urgent, submitted_at, question} (schemathesis found it documented as an object).
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object", "additionalProperties": True}}})
    def get(self, request: Request) -> Response:
        rows = selectors.waiting_cases(request.user)[:200]
        return Response(
            [
                {"case": c.pk, "board": c.board_id, "urgent": c.urgent, "submitted_at": c.submitted_at, "question": c.question}
                for c in rows
            ]
        )


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Notification]):
    """The user's in-app notifications, newest first."""

    serializer_class = s.NotificationSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        return selectors.inbox(_user(self.request))

    @extend_schema(request=s.MarkReadSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        body = s.MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = services.notification_mark_read(actor=_user(request), notification_ids=body.validated_data.get("ids"))
        return Response({"marked_read": count})


class NotificationPreferencesView(APIView):
    """``GET``/``PUT /api/v1/notification-preferences/``: channels per kind (no row = both on)."""

    @extend_schema(responses=s.PreferencesSerializer)
    def get(self, request: Request) -> Response:
        from apps.meetings.models import NotificationKind

        stored = {p.kind: p for p in _user(request).notification_preferences.all()}
        prefs = {
            k.value: {"email": stored[k].email if k in stored else True, "in_app": stored[k].in_app if k in stored else True}
            for k in NotificationKind
        }
        return Response({"preferences": prefs})

    @extend_schema(request=s.PreferencesSerializer, responses=s.PreferencesSerializer)
    def put(self, request: Request) -> Response:
        body = s.PreferencesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.notification_preferences_set(actor=_user(request), preferences=body.validated_data["preferences"])
        return self.get(request)


class CalendarTokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[CalendarToken]
):
    """The user's calendar feed tokens. ``POST`` answers the feed URL once; ``DELETE`` revokes."""

    serializer_class = s.CalendarTokenSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CalendarToken]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return CalendarToken.objects.none()
        return CalendarToken.objects.filter(user=_user(self.request)).select_related("board").order_by("-created_at", "-id")

    @extend_schema(request=s.CalendarTokenCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.CalendarTokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        board = None
        board_id = body.validated_data.get("board")
        if board_id is not None:
            board = readable_boards(request.user).filter(pk=board_id).first()
            if board is None:
                raise ValidationError({"board": ["no such board among yours."]})
        row, token = services.calendar_token_create(actor=_user(request), board=board, label=body.validated_data["label"])
        url = request.build_absolute_uri(f"/api/v1/calendar/feed/{token}.ics")
        return Response({**s.CalendarTokenSerializer(row).data, "url": url}, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        services.calendar_token_revoke(actor=_user(request), token_id=row.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
