"""On PostgreSQL the database itself refuses UPDATE and DELETE on the transparency log
(entries, ballot leaves, signed heads). TRUNCATE is left to the database owner."""

from django.db import migrations

TABLES = ("trust_logentry", "trust_ballotleaf", "trust_treeheadrecord")
FUNCTION = """
CREATE OR REPLACE FUNCTION trust_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the transparency log is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
    "FOR EACH ROW EXECUTE FUNCTION trust_log_append_only();\n"
    for t in TABLES
)
DROP = "".join(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS trust_log_append_only();\n"
)


def _on_postgres(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # no parameters: the % in RAISE stay

    return run


class Migration(migrations.Migration):
    dependencies = [("trust", "0001_initial")]
    operations = [migrations.RunPython(_on_postgres(FUNCTION), _on_postgres(DROP))]
