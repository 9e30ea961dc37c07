"""The case list's search and filters (django-filter), with labels in the clinic's words.

``flag`` filters on the case's current risk assessment through one ``EXISTS`` subquery, so the list stays
a constant number of queries per page whatever the filter.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.authorization import readable_boards
from apps.accounts.models import Board, User
from apps.cases.models import Case
from apps.cases.vocabulary import PrimaryHistology
from apps.cases.workflow import CaseStatus
from apps.risk.models import RiskAssessment
from frontend.labels import label

#: Flag filter: code -> (label, condition on the current assessment's lesion rows or on the assessment).
#: Lesion rows (``LesionAssessment``) carry each lesion's categories for exactly this kind of query; an
#: incomplete score has a category only when every completion shares it, so "unstable" is never guessed.
FLAG_FILTERS: dict[str, tuple[str, Q]] = {
    "urgent_review": ("needs urgent review (ESCC 2-3, unstable spine or impending fracture)", Q(highest_flag_priority__gte=80)),
    "escc_high_grade": ("high-grade epidural compression (ESCC 2-3)", Q(lesion_rows__escc_high_grade=True)),
    "sins_unstable": ("unstable spine (SINS 13-18)", Q(lesion_rows__sins_category="unstable")),
    "sins_indeterminate": ("potentially unstable spine (SINS 7-12)", Q(lesion_rows__sins_category="indeterminate")),
    "mirels_impending_fracture": ("impending fracture (Mirels 9 or more)", Q(lesion_rows__mirels_category="impending_fracture")),
    "mirels_borderline": ("borderline fracture risk (Mirels 8)", Q(lesion_rows__mirels_category="borderline")),
    "high_risk_asymptomatic": ("high-risk asymptomatic lesion", Q(lesion_rows__high_risk=True)),
    "any": ("any risk flag", Q(highest_flag_priority__gte=1)),
    "none": ("no risk flag", Q(highest_flag_priority=0)),
}


class CaseListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search MRN or name")
    board = django_filters.ModelChoiceFilter(queryset=Board.objects.none(), empty_label="every board")
    status = django_filters.ChoiceFilter(
        choices=[(s.value, label(s.value, "CaseStatus")) for s in CaseStatus], empty_label="any status"
    )
    urgent = django_filters.ChoiceFilter(
        choices=[("true", "urgent only"), ("false", "not urgent")], method="filter_urgent", empty_label="urgent or not"
    )
    primary_histology = django_filters.ChoiceFilter(
        label="Primary",
        choices=[(h.value, label(h.value, "PrimaryHistology")) for h in PrimaryHistology],
        empty_label="any primary",
    )
    flag = django_filters.ChoiceFilter(
        label="Risk flag",
        choices=[(code, text) for code, (text, _) in FLAG_FILTERS.items()],
        method="filter_flag",
        empty_label="flagged or not",
    )

    class Meta:
        model = Case
        fields = ("q", "board", "status", "urgent", "primary_histology", "flag")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["board"].queryset = readable_boards(user)
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.TextInput):
                field.widget.input_type = "search"

    def search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        text = value.strip()
        if not text:
            return queryset
        condition = Q(patient__mrn__iexact=text) | Q(patient__mrn__istartswith=text)
        for word in text.split():
            condition |= Q(patient__family_name__icontains=word) | Q(patient__given_name__icontains=word)
        return queryset.filter(condition)

    def filter_urgent(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(urgent=value == "true")

    def filter_flag(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        current = RiskAssessment.objects.filter(FLAG_FILTERS[value][1], case_id=OuterRef("pk"), is_current=True)
        return queryset.filter(Exists(current))
