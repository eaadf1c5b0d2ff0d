"""The electors' tally (``ElectorTally``) and the triggers that keep it, filled from the
electors already stored.

PostgreSQL: one statement-level trigger per event reads the statement's changed rows (its
transition tables) and adds their net change to the tally in one grouped upsert, so a
COPY or bulk update of 500,000 electors costs one upsert, not 500,000. Rows are upserted
in key order, so two statements never take the same tally rows' locks in opposite orders.
SQLite (development and tests) has only row triggers: one upsert a changed row.
"""

from typing import Any

from django.db import migrations, models

KEY = "contest_id, section, eligibility, reason, has_voted, slot"
FIGURE = "contest_id, section, eligibility, reason, has_voted, id % 16"
SLOTS = 16  # electorate.models.TALLY_SLOTS when this was written


def _upsert(changes: str) -> str:
    """Add ``changes`` (rows of FIGURE and ``change``) to the tally, net, in key order."""
    return f"""
        INSERT INTO electorate_electortally AS tally ({KEY}, n)
        SELECT {FIGURE}, sum(change) FROM ({changes}) AS changed
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(change) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT ({KEY}) DO UPDATE SET n = tally.n + EXCLUDED.n;
    """


POSTGRESQL_FORWARD = [
    f"""
    INSERT INTO electorate_electortally ({KEY}, n)
    SELECT {FIGURE}, count(*) FROM electorate_elector GROUP BY 1, 2, 3, 4, 5, 6
    """,
    f"""
    CREATE FUNCTION electorate_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {_upsert("SELECT *, 1 AS change FROM tally_new")}
        ELSIF TG_OP = 'DELETE' THEN
            {_upsert("SELECT *, -1 AS change FROM tally_old")}
        ELSE
            {_upsert("SELECT *, 1 AS change FROM tally_new UNION ALL SELECT *, -1 FROM tally_old")}
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER electorate_tally_insert AFTER INSERT ON electorate_elector
    REFERENCING NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION electorate_tally_change()
    """,
    """
    CREATE TRIGGER electorate_tally_update AFTER UPDATE ON electorate_elector
    REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION electorate_tally_change()
    """,
    """
    CREATE TRIGGER electorate_tally_delete AFTER DELETE ON electorate_elector
    REFERENCING OLD TABLE AS tally_old
    FOR EACH STATEMENT EXECUTE FUNCTION electorate_tally_change()
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER electorate_tally_insert ON electorate_elector",
    "DROP TRIGGER electorate_tally_update ON electorate_elector",
    "DROP TRIGGER electorate_tally_delete ON electorate_elector",
    "DROP FUNCTION electorate_tally_change()",
]


def _sqlite_add(row: str, change: str) -> str:
    return f"""
        INSERT INTO electorate_electortally ({KEY}, n) VALUES (
            {row}.contest_id, {row}.section, {row}.eligibility, {row}.reason,
            {row}.has_voted, {row}.id % {SLOTS}, {change})
        ON CONFLICT ({KEY}) DO UPDATE SET n = n + excluded.n;
    """


SQLITE_FORWARD = [
    f"""
    INSERT INTO electorate_electortally ({KEY}, n)
    SELECT {FIGURE}, count(*) FROM electorate_elector GROUP BY 1, 2, 3, 4, 5, 6
    """,
    f"""
    CREATE TRIGGER electorate_tally_insert AFTER INSERT ON electorate_elector BEGIN
        {_sqlite_add("NEW", "1")}
    END
    """,
    f"""
    CREATE TRIGGER electorate_tally_update AFTER UPDATE OF contest_id, section, eligibility, reason, has_voted ON electorate_elector BEGIN
        {_sqlite_add("OLD", "-1")}
        {_sqlite_add("NEW", "1")}
    END
    """,
    f"""
    CREATE TRIGGER electorate_tally_delete AFTER DELETE ON electorate_elector BEGIN
        {_sqlite_add("OLD", "-1")}
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER electorate_tally_insert",
    "DROP TRIGGER electorate_tally_update",
    "DROP TRIGGER electorate_tally_delete",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("electorate", "0003_elector_by_reference"),
    ]

    operations = [
        migrations.CreateModel(
            name="ElectorTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("contest_id", models.BigIntegerField()),
                ("section", models.CharField(max_length=60)),
                ("eligibility", models.CharField(max_length=12)),
                ("reason", models.CharField(max_length=60)),
                ("has_voted", models.BooleanField()),
                ("slot", models.PositiveSmallIntegerField()),
                ("n", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "contest_id",
                            "section",
                            "eligibility",
                            "reason",
                            "has_voted",
                            "slot",
                        ),
                        name="elector_tally_once",
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
