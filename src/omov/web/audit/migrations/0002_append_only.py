"""On PostgreSQL, the database itself refuses to change or delete an audit event; only an
empty ``previous_hash`` may be filled (by the ledger, when it chains the rows). TRUNCATE is
left to the database owner (test databases are emptied that way)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit events are append-only: they cannot be deleted';
  END IF;
  IF NEW.stream IS DISTINCT FROM OLD.stream OR NEW.sequence IS DISTINCT FROM OLD.sequence
     OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.payload IS DISTINCT FROM OLD.payload
     OR NEW.payload_sha256 IS DISTINCT FROM OLD.payload_sha256
     OR NEW.recorded_at IS DISTINCT FROM OLD.recorded_at OR OLD.previous_hash <> '' THEN
    RAISE EXCEPTION 'audit events are append-only: only an empty previous_hash may be filled';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def _on_postgres(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(_on_postgres(FUNCTION), _on_postgres(DROP))]
