"""SQLite: the DELETE refusal of signed decisions lets ``manage.py flush`` through, as the audit trail's does.

SQLite's flush is ``DELETE FROM`` (PostgreSQL's is a TRUNCATE, which the row triggers never see), so a
transactional test that signed a decision could not be torn down. The trigger now asks the same
connection function as the audit triggers (``apps.audit.db``): it answers 1 only inside
``audit_maintenance()``, which only flush enters, and a plain ``sqlite3`` client lacks it, so it is refused.
"""

from django.db import migrations

TABLE = "decisions_decision"
MESSAGE = "a signed decision cannot be changed or deleted; correct it with an amendment"

FORWARD = [
    "DROP TRIGGER IF EXISTS decisions_signed_immutable_delete;",
    f"""
CREATE TRIGGER decisions_signed_immutable_delete BEFORE DELETE ON {TABLE}
FOR EACH ROW WHEN OLD.status IN ('signed', 'superseded') AND tumorboard_audit_maintenance() = 0
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
""",
]
REVERSE = [
    "DROP TRIGGER IF EXISTS decisions_signed_immutable_delete;",
    f"""
CREATE TRIGGER decisions_signed_immutable_delete BEFORE DELETE ON {TABLE}
FOR EACH ROW WHEN OLD.status IN ('signed', 'superseded')
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
""",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_follow_up_treatment_start")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
