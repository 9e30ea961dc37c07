"""The stored payloads are compressed with lz4 on PostgreSQL (issue 16: a recompute's database CPU)."""

from django.db import migrations

from apps.core.migration_operations import CompressColumn


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_alter_riskassessment_payload")]

    operations = [CompressColumn("RiskAssessment", "payload")]
