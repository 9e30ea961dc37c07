"""Admin for the trial registry and stored matches.

Administrators (``Permission.TRIAL_REGISTRY_EDIT``) add and edit trials here; the save goes through
``apps.trials.services.trial_create``/``trial_update`` exactly as the API's does, so every edit is checked
against the criteria JSON Schema (an error shows on the field concerned and nothing is saved), becomes a new
``TrialVersion`` with its audit row, and re-matches the open cases after commit. Versions, matches and
referrals are read-only: they are written only by the services.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html

from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.core.admin import GuardedAdmin, GuardedInline
from apps.trials import services
from apps.trials.models import Trial, TrialMatch, TrialReferral, TrialVersion

#: Trial definition keys edited through the form (the rest of a definition, e.g. ``sources``, is kept).
_DEFINITION_FIELDS: tuple[str, ...] = ("short_name", "title", "phase", "status", "sponsor", "summary", "criteria")


def _can_edit_registry(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.has_clinical_permission(Permission.TRIAL_REGISTRY_EDIT)


class _ReadOnly(GuardedAdmin):
    """Versions, matches and referrals are written by the services: read by those who audit, no add,
    change or delete (``GuardedAdmin``)."""


class _IndentedJSONField(forms.JSONField):
    """A JSON field shown indented, so a criteria list can be read and edited in a textarea."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class TrialAdminForm(forms.ModelForm):
    """The registry columns plus the criteria list of the current version.

    ``clean`` checks the whole definition with ``services.trial_definition_check`` (the services' own
    check) and puts each problem on its field: a criteria error names its JSON path
    (``criteria[1].rule.field: unknown field ...``).
    """

    criteria = _IndentedJSONField(
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "style": "font-family: monospace"}),
        help_text="The eligibility criteria (docs/trial-criteria.md): a JSON list, validated when saved.",
    )

    class Meta:
        model = Trial
        fields = ("identifier", *(f for f in _DEFINITION_FIELDS if f != "criteria"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_definition: dict[str, Any] = {}
        if self.instance.pk is not None:
            self.current_definition = services.trial_definition(self.instance)
            self.fields["criteria"].initial = self.current_definition.get("criteria")

    def _values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in _DEFINITION_FIELDS if name in self.fields}

    def definition(self) -> dict[str, Any]:
        """A new trial's whole definition (for ``trial_create``)."""
        return {"identifier": self.cleaned_data["identifier"], **self._values()}

    def changes(self) -> dict[str, Any]:
        """The definition keys this edit changes (for ``trial_update``); a key absent from the stored
        definition counts as null, so saving an untouched form changes nothing and makes no version."""
        return {k: v for k, v in self._values().items() if self.current_definition.get(k) != v}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None:
            if "identifier" not in cleaned:
                return cleaned
            proposed = self.definition()
        else:
            proposed = {**self.current_definition, **self.changes()}
        try:
            services.trial_definition_check(definition=proposed)
        except ValidationError as exc:
            self._add_definition_errors(exc)
        return cleaned

    def _add_definition_errors(self, exc: ValidationError) -> None:
        for path, messages in exc.message_dict.items():
            key = path.removeprefix("$.")
            name = key.split("[", 1)[0].split(".", 1)[0]
            if name not in self.fields:
                if not self.errors:  # a root-level problem not already explained by a field's own error
                    self.add_error(None, [f"{key}: {m}" for m in messages])
                continue
            if name in self.errors:
                continue
            text = messages if key == name else [f"{key}: {m}" for m in messages]
            self.add_error(name, text)


class TrialVersionInline(GuardedInline):
    model = TrialVersion
    fields = ("version", "criteria_digest", "created_by", "created_at")
    readonly_fields = fields
    ordering = ("-version",)
    show_change_link = True


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    """Registry editors (administrators) add and edit trials; every save goes through the services."""

    form = TrialAdminForm
    list_display = ("identifier", "short_name", "phase", "status", "sponsor", "current_version", "updated_at")
    list_filter = ("status", "phase")
    search_fields = ("identifier", "short_name", "title", "sponsor")
    ordering = ("identifier",)
    inlines = (TrialVersionInline,)

    def get_fields(self, request: HttpRequest, obj: Trial | None = None) -> tuple[str, ...]:
        fields = ("identifier", *_DEFINITION_FIELDS)
        return fields if obj is None else (*fields, "current_version", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Trial | None = None) -> tuple[str, ...]:
        # The identifier never changes (``trial_update`` refuses it); a new number is a new trial.
        return () if obj is None else ("identifier", "current_version", "updated_at")

    @admin.display(description="criteria")
    def criteria(self, obj: Trial) -> str:
        """The criteria shown to users who may only view the registry."""
        criteria = services.trial_definition(obj).get("criteria", [])
        return format_html("<pre>{}</pre>", json.dumps(criteria, ensure_ascii=False, indent=2))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _can_edit_registry(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_edit_registry(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions, matches and referrals refer to it; close the trial through its status

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or _can_edit_registry(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or _can_edit_registry(request)

    def save_model(self, request: HttpRequest, obj: Trial, form: TrialAdminForm, change: bool) -> None:
        """Save through the services (validation, new version, audit row, re-match on commit), never ``obj.save()``."""
        assert isinstance(request.user, User)
        if change:
            trial = services.trial_update(actor=request.user, trial_id=obj.pk, changes=form.changes())
        else:
            trial = services.trial_create(actor=request.user, definition=form.definition())
        obj.pk = trial.pk
        obj.refresh_from_db()


@admin.register(TrialVersion)
class TrialVersionAdmin(_ReadOnly):
    list_display = ("trial", "version", "criteria_digest", "created_by", "created_at")
    list_filter = ("trial__status",)
    search_fields = ("trial__identifier", "trial__short_name")
    list_select_related = ("trial", "created_by")


@admin.register(TrialMatch)
class TrialMatchAdmin(_ReadOnly):
    list_display = ("case", "trial", "eligibility", "trial_version", "case_revision", "engine_version", "computed_at")
    list_filter = ("eligibility", "trial__status", "trial")
    search_fields = ("trial__identifier", "trial__short_name")
    list_select_related = ("case", "trial", "trial_version")
    raw_id_fields = ("case",)


@admin.register(TrialReferral)
class TrialReferralAdmin(_ReadOnly):
    list_display = ("case", "trial", "status", "eligibility_at_referral", "created_by", "created_at", "updated_at")
    list_filter = ("status", "trial")
    search_fields = ("trial__identifier", "trial__short_name")
    list_select_related = ("case", "trial", "created_by")
    raw_id_fields = ("case",)
