from __future__ import annotations

import django_filters

from apps.cases.models import Case
from apps.cases.vocabulary import PrimaryHistology, choices
from apps.cases.workflow import CaseStatus


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=choices(CaseStatus))
    board = django_filters.NumberFilter(field_name="board_id")
    patient = django_filters.NumberFilter(field_name="patient_id")
    primary_histology = django_filters.MultipleChoiceFilter(choices=choices(PrimaryHistology))
    urgent = django_filters.BooleanFilter()
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    submitted_after = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte")

    class Meta:
        model = Case
        fields = ("status", "board", "patient", "primary_histology", "urgent")
