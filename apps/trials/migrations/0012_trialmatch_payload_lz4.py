"""The stored payloads are compressed with lz4 on PostgreSQL (issue 16: a recompute's database CPU)."""

from django.db import migrations

from apps.core.migration_operations import CompressColumn


class Migration(migrations.Migration):
    dependencies = [("trials", "0011_match_inputs_digest")]

    operations = [CompressColumn("TrialMatch", "payload")]
