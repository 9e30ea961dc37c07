"""``GET /api/v1/audit/entries/`` (filters, CSV export) and ``GET /api/v1/audit/chain/``: administrators only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import RolePermission, requires
from apps.accounts.roles import Permission
from apps.audit import selectors
from apps.audit.api.serializers import AuditEntrySerializer, ChainStatusSerializer
from apps.audit.events import AuditEvent
from apps.audit.filters import AuditEntryFilter
from apps.audit.models import AuditEntry
from apps.audit.services import audit_export
from apps.audit.verification import verify_chain


def csv_response(
    request: Any, queryset: QuerySet[AuditEntry], parameters: dict[str, Any], filename: str
) -> StreamingHttpResponse:
    """The entries as a streamed CSV download; the export itself is an audit entry, written first."""
    rows = queryset.count()
    audit_export(
        actor=request.user, what="audit.csv", parameters=parameters, rows=rows, request=request, event=AuditEvent.AUDIT_EXPORTED
    )
    response = StreamingHttpResponse(
        selectors.csv_rows(queryset.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(tags=["audit"])
class AuditEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[AuditEntry]):
    """The audit log, newest first. Filter by ``user``, ``patient``, ``case``, ``action``, ``date_from``/
    ``date_to``, ``board``, ``subject_type``/``subject_id`` (any record, e.g. a decision) or ``referral``."""

    serializer_class = AuditEntrySerializer
    permission_classes = (RolePermission,)
    action_permissions = {"list": Permission.AUDIT_VIEW, "retrieve": Permission.AUDIT_VIEW, "export": Permission.AUDIT_VIEW}
    throttle_scope: str | None = None  # the export action alone is throttled (apps.accounts.throttling)
    filterset_class = AuditEntryFilter
    ordering_fields = ("sequence", "occurred_at")
    ordering = ("-sequence",)

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return selectors.audit_entries(self.request.user)

    @extend_schema(
        filters=True,
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The filtered entries as CSV.")},
    )
    @action(detail=False, methods=["get"], url_path="export", throttle_scope="export")  # apps.accounts.throttling
    def export(self, request: Request) -> StreamingHttpResponse:
        """The filtered entries as CSV (every matching entry, not one page); the export is itself audited."""
        queryset = self.filter_queryset(self.get_queryset())
        parameters = {k: v for k, v in request.query_params.items() if k in AuditEntryFilter.base_filters}
        return csv_response(request, queryset, parameters, "audit-log.csv")


class ChainStatusView(APIView):
    """Whether the hash chain is intact (what ``manage.py verify_audit_chain`` checks)."""

    permission_classes = (requires(Permission.AUDIT_VIEW),)

    @extend_schema(tags=["audit"], responses=ChainStatusSerializer)
    def get(self, request: Request) -> Response:
        report = verify_chain()
        broken = report.broken
        return Response(
            ChainStatusSerializer(
                {
                    "intact": report.intact,
                    "entries": report.entries,
                    "broken_entry": broken.entry_id if broken else None,
                    "broken_sequence": broken.sequence if broken else None,
                    "reason": broken.reason if broken else "",
                }
            ).data
        )
