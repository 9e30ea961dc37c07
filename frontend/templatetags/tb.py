"""Template filters and tags of the web interface: labels for codes, dates in the board's time zone,
pagination links that keep the current filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from frontend import labels
from frontend.timezones import board_timezone

register = template.Library()


@register.filter(name="label")
def label_filter(code: object, vocabulary_name: str) -> str:
    """``{{ lesion.site|label:"Site" }}`` -> "thoracic spine"."""
    return labels.label(code, vocabulary_name)


@register.filter
def show(obj: models.Model | None, field_name: str) -> str:
    """``{{ lesion|show:"vertebral_collapse" }}``: the field's value in words, "unknown" when not known."""
    if obj is None:
        return labels.UNKNOWN
    value = getattr(obj, field_name, None)
    if value is None or value == "":
        return labels.UNKNOWN
    vocabulary_name = labels.field_vocabulary(obj, field_name)
    if vocabulary_name is not None:
        return labels.label(value, vocabulary_name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date | datetime):
        return when(value) if isinstance(value, datetime) else day(value)
    return str(value)


@register.filter
def field_label(name: str) -> str:
    """``{{ "cortical_involvement"|field_label }}`` -> "cortical involvement (Mirels)"."""
    return labels.field_label(str(name))


@register.filter
def field_labels(names: Any) -> str:
    """A list of field names as a sentence of labels."""
    return ", ".join(labels.field_label(str(n)) for n in names or ())


@register.filter
def yes_no_unknown(value: bool | None) -> str:
    return labels.UNKNOWN if value is None else ("yes" if value else "no")


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        return parse_datetime(value)
    return value


@register.filter
def when(value: datetime | str | None, board: object = None) -> str:
    """A moment in the board's time zone: "1 Dec 2026, 19:30 GMT". Accepts ISO strings (derived payloads)."""
    moment = _as_datetime(value)
    if moment is None:
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    local = timezone.localtime(moment, board_timezone(board))
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


@register.filter
def day(value: date | str | None) -> str:
    """A calendar date: "17 May 1960"."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with ``changes`` applied (``page`` links that keep the filters)."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ errors|get_item:"site" }}``: look up a key in a dict (form errors by field, lesion by ref)."""
    if mapping is None:
        return None
    try:
        return mapping.get(key) if hasattr(mapping, "get") else mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def clinical_rows(form: Any, names: str) -> Any:
    """``{% with rows=form|clinical_rows:"a b c" %}``: the clinical step's fields with what they apply to."""
    return form.rows(names)
