"""The payload JSON becomes ``apps.core.fields.PayloadJSONField`` (bulk inserts bind it per row, not in an
array: issue 16). The column is unchanged, so this touches the migration state only: on SQLite an
AlterField would rebuild the table (and the audit table's append-only triggers with it)."""

from django.db import migrations

import apps.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_hash_chain_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="after",
                    field=apps.core.fields.PayloadJSONField(blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="before",
                    field=apps.core.fields.PayloadJSONField(blank=True, null=True),
                ),
            ],
            database_operations=[],
        ),
    ]
