"""The letters' tally (``LetterTally``) and the triggers that keep it, filled from the
letters already stored.

PostgreSQL: one statement-level trigger per event reads the statement's changed rows (its
transition tables) and adds their net change per mailing, state and slot in one grouped
upsert, in key order (no two statements take the same rows' locks in opposite orders): the
planning's INSERT ... SELECT of a whole mailing costs one upsert; a statement that changes
no letter's state (a retry's attempts) changes nothing. SQLite (development and tests) has
only row triggers: one upsert a changed row, in one slot.
"""

from typing import Any

from django.db import migrations, models

KEY = "mailing_id, state, slot"
FIGURE = "mailing_id, state, batch_id % 16"


def _upsert(changes: str) -> str:
    """Add ``changes`` (letters' rows with ``change``) to the tally, net, in key order."""
    return f"""
        INSERT INTO jobs_lettertally AS tally ({KEY}, n)
        SELECT {FIGURE}, sum(change) FROM ({changes}) AS changed
        GROUP BY 1, 2, 3 HAVING sum(change) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT ({KEY}) DO UPDATE SET n = tally.n + EXCLUDED.n;
    """


COLUMNS = "mailing_id, batch_id, state"

POSTGRESQL_FORWARD = [
    f"""
    INSERT INTO jobs_lettertally ({KEY}, n)
    SELECT {FIGURE}, count(*) FROM jobs_letter GROUP BY 1, 2, 3
    """,
    f"""
    CREATE FUNCTION jobs_letter_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {_upsert(f"SELECT {COLUMNS}, 1 AS change FROM tally_new")}
        ELSIF TG_OP = 'DELETE' THEN
            {_upsert(f"SELECT {COLUMNS}, -1 AS change FROM tally_old")}
        ELSE
            {
        _upsert(
            f"SELECT {COLUMNS}, 1 AS change FROM tally_new "
            f"UNION ALL SELECT {COLUMNS}, -1 FROM tally_old"
        )
    }
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER jobs_letter_tally_insert AFTER INSERT ON jobs_letter
    REFERENCING NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_letter_tally_change()
    """,
    """
    CREATE TRIGGER jobs_letter_tally_update AFTER UPDATE ON jobs_letter
    REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_letter_tally_change()
    """,
    """
    CREATE TRIGGER jobs_letter_tally_delete AFTER DELETE ON jobs_letter
    REFERENCING OLD TABLE AS tally_old
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_letter_tally_change()
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER jobs_letter_tally_insert ON jobs_letter",
    "DROP TRIGGER jobs_letter_tally_update ON jobs_letter",
    "DROP TRIGGER jobs_letter_tally_delete ON jobs_letter",
    "DROP FUNCTION jobs_letter_tally_change()",
]


def _sqlite_add(row: str, change: str) -> str:
    return f"""
        INSERT INTO jobs_lettertally ({KEY}, n) VALUES ({row}.mailing_id, {row}.state, 0, {change})
        ON CONFLICT ({KEY}) DO UPDATE SET n = n + excluded.n;
    """


SQLITE_FORWARD = [
    f"""
    INSERT INTO jobs_lettertally ({KEY}, n)
    SELECT mailing_id, state, 0, count(*) FROM jobs_letter GROUP BY 1, 2
    """,
    f"""
    CREATE TRIGGER jobs_letter_tally_insert AFTER INSERT ON jobs_letter BEGIN
        {_sqlite_add("NEW", "1")}
    END
    """,
    f"""
    CREATE TRIGGER jobs_letter_tally_update AFTER UPDATE OF mailing_id, state ON jobs_letter
    BEGIN
        {_sqlite_add("OLD", "-1")}
        {_sqlite_add("NEW", "1")}
    END
    """,
    f"""
    CREATE TRIGGER jobs_letter_tally_delete AFTER DELETE ON jobs_letter BEGIN
        {_sqlite_add("OLD", "-1")}
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER jobs_letter_tally_insert",
    "DROP TRIGGER jobs_letter_tally_update",
    "DROP TRIGGER jobs_letter_tally_delete",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0003_letter_superseded"),
    ]

    operations = [
        migrations.CreateModel(
            name="LetterTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("mailing_id", models.BigIntegerField()),
                ("state", models.CharField(max_length=10)),
                ("slot", models.PositiveSmallIntegerField()),
                ("n", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("mailing_id", "state", "slot"), name="letter_tally_once"
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
