"""A signed decision is immutable in the database, not only in the API (issue 13; 21 CFR 11.10(e)).

Triggers on PostgreSQL and SQLite refuse any UPDATE or DELETE of a row whose status is ``signed`` or
``superseded``, with one exception: the amendment's change of a signed row to ``superseded`` with every
other column unchanged. The SQLite trigger lists the columns (SQLite has no row comparison); a test
checks the list against the model so a new column cannot escape it.
"""

from django.db import migrations

TABLE = "decisions_decision"
#: Every column but ``status`` (the one an amendment may change, signed -> superseded).
GUARDED_COLUMNS = (
    "id",
    "uuid",
    "created_at",
    "updated_at",
    "created_by_id",
    "case_id",
    "version",
    "meeting_id",
    "urgent_reason",
    "intent",
    "actions",
    "rationale",
    "consensus",
    "dissent",
    "quorum_met",
    "amends_id",
    "amendment_reason",
    "started_from_option",
    "based_on",
    "cautions",
    "signed_by_id",
    "signer_name",
    "signed_at",
    "signature_meaning",
    "content_hash",
)
MESSAGE = "a signed decision cannot be changed or deleted; correct it with an amendment"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION decisions_refuse_signed_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('signed', 'superseded') THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status IN ('signed', 'superseded') THEN
        IF NOT (OLD.status = 'signed' AND NEW.status = 'superseded'
                AND (to_jsonb(NEW) - 'status') = (to_jsonb(OLD) - 'status')) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER decisions_signed_immutable_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION decisions_refuse_signed_change();
CREATE TRIGGER decisions_signed_immutable_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION decisions_refuse_signed_change();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS decisions_signed_immutable_update ON {TABLE};
DROP TRIGGER IF EXISTS decisions_signed_immutable_delete ON {TABLE};
DROP FUNCTION IF EXISTS decisions_refuse_signed_change();
"""

_UNCHANGED = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in GUARDED_COLUMNS)
SQLITE_FORWARD = [
    f"""
CREATE TRIGGER decisions_signed_immutable_update BEFORE UPDATE ON {TABLE}
FOR EACH ROW WHEN OLD.status IN ('signed', 'superseded')
    AND NOT (OLD.status = 'signed' AND NEW.status = 'superseded' AND {_UNCHANGED})
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
""",
    f"""
CREATE TRIGGER decisions_signed_immutable_delete BEFORE DELETE ON {TABLE}
FOR EACH ROW WHEN OLD.status IN ('signed', 'superseded')
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS decisions_signed_immutable_update;",
    "DROP TRIGGER IF EXISTS decisions_signed_immutable_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:  # fail loudly rather than run without the guarantee
        raise NotImplementedError(f"no immutability trigger for {vendor}")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
