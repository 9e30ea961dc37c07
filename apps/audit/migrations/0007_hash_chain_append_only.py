"""Issue 13: chain the audit trail (sequence, prev_hash, hash), record role, IP, case and patient, and
make the table append-only in the database (triggers on PostgreSQL and SQLite, ``apps.audit.db``).

Rows written before this migration are chained in their original order (time, then id) with the same
rule as new rows (``apps.audit.chain``), so the whole trail verifies.
"""

import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
from django.db import migrations, models

GENESIS = "0" * 64


def chain_existing_rows(apps, schema_editor):
    from apps.audit.chain import ChainContent, entry_hash

    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    db = schema_editor.connection.alias
    prev = GENESIS
    sequence = 0
    for entry in AuditEntry.objects.using(db).order_by("occurred_at", "id").iterator(chunk_size=2000):
        sequence += 1
        case_id = int(entry.subject_id) if entry.subject_type == "cases.case" and entry.subject_id.isdigit() else None
        patient_id = int(entry.subject_id) if entry.subject_type == "cases.patient" and entry.subject_id.isdigit() else None
        label = f"patient {entry.subject_id}" if entry.subject_type == "cases.patient" else entry.subject_label
        content = ChainContent(
            sequence=sequence,
            occurred_at=entry.occurred_at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            actor_role="",
            event=entry.event,
            board_id=entry.board_id,
            case_id=case_id,
            patient_id=patient_id,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            subject_label=label,
            before=entry.before,
            after=entry.after,
            reason=entry.reason,
            request_id=entry.request_id,
            ip_address=None,
            prev_hash=prev,
        )
        digest = entry_hash(content)
        AuditEntry.objects.using(db).filter(pk=entry.pk).update(
            sequence=sequence, prev_hash=prev, hash=digest, case_id=case_id, patient_id=patient_id, subject_label=label
        )
        prev = digest
    AuditChainHead.objects.using(db).create(id=1, sequence=sequence, last_hash=prev)


def install_triggers(apps, schema_editor):
    from apps.audit.db import install_append_only

    install_append_only(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from apps.audit.db import remove_append_only

    remove_append_only(schema_editor.connection, head=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0006_events_after_merge"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("sequence", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(default=GENESIS, max_length=64)),
            ],
            options={
                "verbose_name": "audit chain head",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_chain_head_single_row"),
                    models.CheckConstraint(
                        condition=models.Q(("sequence__gte", 0)), name="audit_chain_head_sequence_non_negative"
                    ),
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ("-sequence",), "verbose_name_plural": "audit entries"},
        ),
        # The event vocabulary moves to AuditEvent (checked by the writer); see the shape check below.
        migrations.RemoveConstraint(model_name="auditentry", name="audit_event_valid"),
        migrations.AlterField(model_name="auditentry", name="event", field=models.CharField(db_index=True, max_length=64)),
        # Set by the writer under the chain lock (auto_now_add would overwrite it after hashing).
        migrations.AlterField(
            model_name="auditentry",
            name="occurred_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AlterField(model_name="auditentry", name="subject_id", field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(
            model_name="auditentry",
            name="actor_role",
            field=models.CharField(blank=True, default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry", name="case_id", field=models.BigIntegerField(blank=True, db_index=True, null=True)
        ),
        migrations.AddField(
            model_name="auditentry", name="patient_id", field=models.BigIntegerField(blank=True, db_index=True, null=True)
        ),
        migrations.AddField(
            model_name="auditentry", name="ip_address", field=models.GenericIPAddressField(blank=True, null=True)
        ),
        migrations.AddField(model_name="auditentry", name="sequence", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="auditentry", name="prev_hash", field=models.CharField(max_length=64, null=True)),
        migrations.AddField(model_name="auditentry", name="hash", field=models.CharField(max_length=64, null=True)),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.BigIntegerField(help_text="Position in the hash chain, from 1.", unique=True),
        ),
        migrations.AlterField(model_name="auditentry", name="prev_hash", field=models.CharField(max_length=64)),
        migrations.AlterField(model_name="auditentry", name="hash", field=models.CharField(max_length=64, unique=True)),
        migrations.AddIndex(
            model_name="auditentry", index=models.Index(fields=["actor", "occurred_at"], name="audit_actor_time_idx")
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("event__contains", "."),
                    models.Q(("event__startswith", "."), _negated=True),
                    models.Q(("event__endswith", "."), _negated=True),
                ),
                name="audit_event_shape",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.CheckConstraint(condition=models.Q(("sequence__gte", 1)), name="audit_sequence_positive"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.Exact(django.db.models.functions.text.Length("hash"), 64),
                name="audit_hash_sha256",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.Exact(django.db.models.functions.text.Length("prev_hash"), 64),
                name="audit_prev_hash_sha256",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("prev_hash",), name="audit_prev_hash_unique"),
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
