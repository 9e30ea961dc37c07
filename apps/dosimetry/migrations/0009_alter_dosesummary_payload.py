"""The payload JSON becomes ``apps.core.fields.PayloadJSONField`` (bulk inserts bind it per row, not in an
array: issue 16). The column is unchanged, so this touches the migration state only: on SQLite an
AlterField would rebuild the table (and the audit table's append-only triggers with it)."""

from django.db import migrations

import apps.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("dosimetry", "0008_plan_alpha_beta_in_bounds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dosesummary",
                    name="payload",
                    field=apps.core.fields.PayloadJSONField(help_text="DoseSummary.to_dict(2) of the dose engine"),
                ),
            ],
            database_operations=[],
        ),
    ]
