"""The audit log's filters, shared by the API and the page: user, patient, case, action, date range, subject."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from apps.audit.models import AuditEntry
from apps.audit.selectors import REFERRAL_SUBJECT, for_patient


class AuditEntryFilter(django_filters.FilterSet):
    user = django_filters.NumberFilter(field_name="actor_id", label="User (id)")
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="iexact", label="User name")
    patient = django_filters.NumberFilter(method="filter_patient", label="Patient (id)")
    case = django_filters.NumberFilter(field_name="case_id", label="Case (id)")
    board = django_filters.NumberFilter(field_name="board_id", label="Board (id)")
    action = django_filters.CharFilter(
        method="filter_action",
        label="Action",
        help_text='An event code ("case.read"), a prefix ("auth."), or several, comma-separated.',
    )
    date_from = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte", label="From (date)")
    date_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label="To (date)")
    subject_type = django_filters.CharFilter(field_name="subject_type", label="Subject type", help_text='e.g. "cases.lesion"')
    subject_id = django_filters.CharFilter(field_name="subject_id", label="Subject id")
    referral = django_filters.NumberFilter(method="filter_referral", label="Trial referral (id)")

    class Meta:
        model = AuditEntry
        fields: tuple[str, ...] = ()

    def filter_patient(self, queryset: QuerySet[AuditEntry], name: str, value: int) -> QuerySet[AuditEntry]:
        return for_patient(queryset, int(value))

    def filter_referral(self, queryset: QuerySet[AuditEntry], name: str, value: int) -> QuerySet[AuditEntry]:
        return queryset.filter(subject_type=REFERRAL_SUBJECT, subject_id=str(int(value)))

    def filter_action(self, queryset: QuerySet[AuditEntry], name: str, value: str) -> QuerySet[AuditEntry]:
        condition = Q()
        for code in (part.strip() for part in value.split(",")):
            if code:
                condition |= Q(event__startswith=code) if code.endswith(".") else Q(event=code)
        return queryset.filter(condition) if condition else queryset
