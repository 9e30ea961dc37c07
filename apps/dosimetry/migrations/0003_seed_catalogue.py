"""Load the regimen catalogue and the constraint sets from the embedded snapshot ``catalogue_v1.json``.

The snapshot is ``engine.catalogue.as_data()`` frozen when this migration was written, so the migration
loads the same rows however the engine's catalogue changes later (later changes come as new migrations
that update rows by code). Rows are matched by ``code``: re-running updates them in place.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SNAPSHOT = Path(__file__).with_name("catalogue_v1.json")


def _set_fractions(constraints: list[dict]) -> int | None:
    counts = {c.get("fractions") for c in constraints}
    if len(counts) == 1:
        (only,) = counts
        return only
    return None


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:  # noqa: ARG001
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    Regimen = apps.get_model("dosimetry", "Regimen")
    ConstraintSet = apps.get_model("dosimetry", "ConstraintSet")
    OrganConstraint = apps.get_model("dosimetry", "OrganConstraint")
    for r in data["regimens"]:
        Regimen.objects.update_or_create(
            code=r["code"],
            defaults={
                "name": r["name"],
                "category": r["category"],
                "fractions": r["fractions"],
                "levels": r["levels"],
                "technique": r["technique"],
                "intent": r["intent"],
                "indications": "\n".join(r["indications"]),
                "source": r["source"],
                "trial": r["trial"],
                "cautions": r["cautions"],
                "dose_range_gy": r["dose_range_gy"],
                "range_label": r["range_label"],
                "constraint_set": r["constraint_set"],
                "active": True,
            },
        )
    for s in data["constraint_sets"]:
        cset, _ = ConstraintSet.objects.update_or_create(
            code=s["code"],
            defaults={
                "name": s["name"],
                "source": s["source"],
                "description": s["description"],
                "fractions": _set_fractions(s["constraints"]),
            },
        )
        for c in s["constraints"]:
            OrganConstraint.objects.update_or_create(
                set=cset,
                code=c["code"],
                defaults={
                    k: c[k]
                    for k in ("organ", "metric", "limit", "unit", "direction", "alpha_beta", "fractions", "source", "note")
                },
            )


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:  # noqa: ARG001
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    apps.get_model("dosimetry", "Regimen").objects.filter(code__in=[r["code"] for r in data["regimens"]]).delete()
    apps.get_model("dosimetry", "ConstraintSet").objects.filter(code__in=[s["code"] for s in data["constraint_sets"]]).delete()


class Migration(migrations.Migration):
    dependencies = [("dosimetry", "0002_regimen_catalogue")]

    operations = [migrations.RunPython(seed, unseed)]
