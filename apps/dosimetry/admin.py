from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from apps.accounts.authorization import allowed
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record, snapshot
from apps.core.admin import GuardedAdmin
from apps.dosimetry.models import (
    ConstraintSet,
    DoseImportJob,
    DoseSummary,
    OrganConstraint,
    RadiotherapyPlan,
    Regimen,
)
from apps.dosimetry.services import catalogue_entry_changed


@admin.register(RadiotherapyPlan)
class RadiotherapyPlanAdmin(GuardedAdmin):
    """Plans change through the API and the plan pages (``dosimetry.services``): read-only here."""

    list_display = ("id", "case", "regimen_code", "technique", "alpha_beta", "revision", "updated_at")
    list_filter = ("technique",)
    raw_id_fields = ("case", "target_lesions", "created_by")


@admin.register(DoseSummary)
class DoseSummaryAdmin(GuardedAdmin):
    list_display = ("id", "plan", "plan_revision", "case_revision", "engine_version", "is_current", "computed_at")
    list_filter = ("is_current", "engine_version")
    raw_id_fields = ("plan",)
    readonly_fields = ("inputs_digest", "payload", "computed_at")


def _actor(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


_AUDIT_EXCLUDE = {"id", "uuid", "created_at", "updated_at", "created_by_id"}


def _snapshot(instance: Any) -> dict[str, Any]:
    fields = [f.attname for f in instance._meta.concrete_fields if f.attname not in _AUDIT_EXCLUDE]
    return snapshot(instance, fields)


def _set_snapshot(cset: ConstraintSet) -> dict[str, Any]:
    data = _snapshot(cset)
    data["constraints"] = [{k: v for k, v in _snapshot(c).items() if k != "set_id"} for c in cset.constraints.order_by("id")]
    return data


class CatalogueAdminMixin:
    """Curation needs the registry permission (``TRIAL_REGISTRY_EDIT``: administrators), asked of the
    authorization entry point, never ``is_superuser``; every edit is audited. Nothing is deleted here: the
    catalogue's codes are named by stored plans and summaries (tests/security/test_admin_walk.py)."""

    def _can_curate(self, request: HttpRequest) -> bool:
        return allowed(request.user, Permission.TRIAL_REGISTRY_EDIT)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._can_curate(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can_curate(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can_curate(request) or allowed(request.user, Permission.AUDIT_VIEW)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(Regimen)
class RegimenAdmin(CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "fractions", "technique", "intent", "active")
    list_filter = ("active", "technique", "intent", "category", "fractions")
    search_fields = ("code", "name", "indications")
    readonly_fields = ("uuid", "created_at", "updated_at", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Regimen | None = None) -> tuple[str, ...]:
        # Codes never change once published.
        return (*self.readonly_fields, "code") if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Regimen, form: ModelForm, change: bool) -> None:
        with transaction.atomic():
            before = _snapshot(Regimen.objects.select_for_update().get(pk=obj.pk)) if change else None
            if not change:
                obj.created_by = _actor(request)
            super().save_model(request, obj, form, change)
            if change:
                # Plans on this regimen read as stale and are recomputed after commit.
                catalogue_entry_changed(kind="regimen", code=obj.code)
                obj.refresh_from_db(fields=["revision"])
            audit_record(
                actor=_actor(request), event=AuditEvent.REGIMEN_CHANGED, subject=obj, before=before, after=_snapshot(obj)
            )


class OrganConstraintInline(CatalogueAdminMixin, admin.TabularInline):
    model = OrganConstraint
    extra = 0
    fields = ("code", "organ", "metric", "limit", "unit", "direction", "alpha_beta", "fractions", "source", "note")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can_curate(request)


@admin.register(ConstraintSet)
class ConstraintSetAdmin(CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "fractions", "updated_at")
    list_filter = ("fractions",)
    search_fields = ("code", "name")
    readonly_fields = ("uuid", "created_at", "updated_at", "created_by")
    inlines = (OrganConstraintInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: ConstraintSet | None = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "code") if obj is not None else self.readonly_fields

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # The set and its inline constraints save in one transaction, audited once with the whole set.
        request._catalogue_related_pending = True  # type: ignore[attr-defined]
        with transaction.atomic():
            return super().changeform_view(request, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: ConstraintSet, form: ModelForm, change: bool) -> None:
        with transaction.atomic():
            request._catalogue_before = (  # type: ignore[attr-defined]
                _set_snapshot(ConstraintSet.objects.select_for_update().get(pk=obj.pk)) if change else None
            )
            if not change:
                obj.created_by = _actor(request)
            super().save_model(request, obj, form, change)
            if not hasattr(request, "_catalogue_related_pending"):
                # Called on its own (not from the change form): record the change and audit now.
                catalogue_entry_changed(kind="constraint_set", code=obj.code)
                obj.refresh_from_db(fields=["revision"])
                audit_record(
                    actor=_actor(request),
                    event=AuditEvent.CONSTRAINT_SET_CHANGED,
                    subject=obj,
                    before=request._catalogue_before,  # type: ignore[attr-defined]
                    after=_set_snapshot(obj),
                )

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            # The set or its constraints changed: summaries checked against it are stale, recomputed after commit.
            catalogue_entry_changed(kind="constraint_set", code=form.instance.code)
            form.instance.refresh_from_db(fields=["revision"])
            audit_record(
                actor=_actor(request),
                event=AuditEvent.CONSTRAINT_SET_CHANGED,
                subject=form.instance,
                before=getattr(request, "_catalogue_before", None),
                after=_set_snapshot(form.instance),
            )


@admin.register(DoseImportJob)
class DoseImportJobAdmin(GuardedAdmin):
    """Import jobs are read-only here: they are created by the API and run by the worker."""

    list_display = ("id", "plan", "kind", "status", "progress", "job")
    list_filter = ("kind", "job__status")
    list_select_related = ("plan", "job")
    readonly_fields = ("job", "plan", "kind", "status", "progress", "log", "error", "structures")
