"""The payload JSON becomes ``apps.core.fields.PayloadJSONField`` (bulk inserts bind it per row, not in an
array: issue 16). The column is unchanged, so this touches the migration state only: on SQLite an
AlterField would rebuild the table (and the audit table's append-only triggers with it)."""

from django.db import migrations

import apps.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("options", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="treatmentoptionsresult",
                    name="payload",
                    field=apps.core.fields.PayloadJSONField(help_text="CaseOptions.to_dict() of the options engine"),
                ),
            ],
            database_operations=[],
        ),
    ]
