"""Read API of the regimen catalogue and the constraint sets (any signed-in user)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from apps.dosimetry.api.serializers_catalogue import ConstraintSetSerializer, RegimenSerializer
from apps.dosimetry.models import INTENT_CHOICES, TECHNIQUE_CHOICES, ConstraintSet, OrganConstraint, Regimen


class RegimenFilter(django_filters.FilterSet):
    technique = django_filters.ChoiceFilter(choices=TECHNIQUE_CHOICES)
    intent = django_filters.ChoiceFilter(choices=INTENT_CHOICES)
    fractions = django_filters.NumberFilter()
    active = django_filters.BooleanFilter()

    class Meta:
        model = Regimen
        fields = ("technique", "intent", "fractions", "category", "active")


class RegimenViewSet(viewsets.ReadOnlyModelViewSet):
    """Catalogue regimens with BED10 of every level; filter by ``technique``, ``intent``, ``fractions``."""

    permission_classes = (IsAuthenticated,)
    serializer_class = RegimenSerializer
    filterset_class = RegimenFilter
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    ordering_fields = ("code", "fractions", "name")

    def get_queryset(self) -> QuerySet[Regimen]:
        return Regimen.objects.order_by("category", "fractions", "code")


class ConstraintSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Constraint sets with their organ-at-risk constraints."""

    permission_classes = (IsAuthenticated,)
    serializer_class = ConstraintSetSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    ordering_fields = ("code",)

    def get_queryset(self) -> QuerySet[ConstraintSet]:
        return ConstraintSet.objects.order_by("code").prefetch_related(
            Prefetch("constraints", queryset=OrganConstraint.objects.order_by("id"))
        )
