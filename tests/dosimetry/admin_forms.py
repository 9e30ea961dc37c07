"""Django admin change forms of the dose catalogue (a regimen; a constraint set with every inline), as a
browser posts them."""

from __future__ import annotations

import json
from collections.abc import Mapping

from apps.dosimetry.models import ConstraintSet, Regimen

PREFIX = "constraints"


def constraint_set_form(cset: ConstraintSet, changes: Mapping[str, Mapping[str, object]] | None = None) -> dict[str, object]:
    """POST data for ``cset``'s change form with its constraints as stored, ``changes`` by constraint code."""
    changes = changes or {}
    constraints = list(cset.constraints.order_by("id"))
    data: dict[str, object] = {
        "name": cset.name,
        "source": cset.source,
        "description": cset.description,
        "fractions": cset.fractions or "",
        f"{PREFIX}-TOTAL_FORMS": len(constraints),
        f"{PREFIX}-INITIAL_FORMS": len(constraints),
        f"{PREFIX}-MIN_NUM_FORMS": 0,
        f"{PREFIX}-MAX_NUM_FORMS": 1000,
    }
    for i, c in enumerate(constraints):
        edits = changes.get(c.code, {})
        for field in ("code", "organ", "metric", "limit", "unit", "direction", "source", "note"):
            data[f"{PREFIX}-{i}-{field}"] = edits.get(field, getattr(c, field))
        data[f"{PREFIX}-{i}-alpha_beta"] = "" if c.alpha_beta is None else c.alpha_beta
        data[f"{PREFIX}-{i}-fractions"] = "" if c.fractions is None else c.fractions
        data[f"{PREFIX}-{i}-id"] = c.pk
        data[f"{PREFIX}-{i}-set"] = cset.pk
    return data


def regimen_form(regimen: Regimen, **changes: object) -> dict[str, object]:
    """POST data for ``regimen``'s change form as stored, with ``changes`` (form field -> posted value)."""
    data: dict[str, object] = {
        "name": regimen.name,
        "category": regimen.category,
        "fractions": regimen.fractions,
        "levels": json.dumps(regimen.levels),
        "technique": regimen.technique,
        "intent": regimen.intent,
        "indications": regimen.indications,
        "source": regimen.source,
        "trial": regimen.trial,
        "cautions": json.dumps(regimen.cautions),
        "dose_range_gy": json.dumps(regimen.dose_range_gy),
        "range_label": regimen.range_label,
        "constraint_set": regimen.constraint_set,
        "active": "on" if regimen.active else "",
    }
    data.update(changes)
    return data
