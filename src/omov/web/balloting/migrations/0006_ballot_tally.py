"""The ballots' tally (``BallotTally``) and the triggers that keep it, filled from the
ballots already stored.

PostgreSQL: statement-level triggers read the statement's changed rows (transition tables)
and add their net count per contest and slot in one upsert, in key order (no two
statements take the same rows' locks in opposite orders); the slot is a byte of the
ballot's random id, so simultaneous casts mostly update different rows. SQLite
(development and tests) has only row triggers, and one slot.
"""

from typing import Any

from django.db import migrations, models

SLOT = "get_byte(uuid_send(id), 15) % 16"


def _upsert(changes: str) -> str:
    return f"""
        INSERT INTO balloting_ballottally AS tally (contest_id, slot, n)
        SELECT contest_id, {SLOT}, sum(change) FROM ({changes}) AS changed
        GROUP BY 1, 2 HAVING sum(change) <> 0 ORDER BY 1, 2
        ON CONFLICT (contest_id, slot) DO UPDATE SET n = tally.n + EXCLUDED.n;
    """


POSTGRESQL_FORWARD = [
    f"""
    INSERT INTO balloting_ballottally (contest_id, slot, n)
    SELECT contest_id, {SLOT}, count(*) FROM balloting_ballot GROUP BY 1, 2
    """,
    f"""
    CREATE FUNCTION balloting_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {_upsert("SELECT id, contest_id, 1 AS change FROM tally_new")}
        ELSIF TG_OP = 'DELETE' THEN
            {_upsert("SELECT id, contest_id, -1 AS change FROM tally_old")}
        ELSE
            {
        _upsert(
            "SELECT id, contest_id, 1 AS change FROM tally_new "
            "UNION ALL SELECT id, contest_id, -1 FROM tally_old"
        )
    }
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER balloting_tally_insert AFTER INSERT ON balloting_ballot
    REFERENCING NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION balloting_tally_change()
    """,
    """
    CREATE TRIGGER balloting_tally_update AFTER UPDATE ON balloting_ballot
    REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION balloting_tally_change()
    """,
    """
    CREATE TRIGGER balloting_tally_delete AFTER DELETE ON balloting_ballot
    REFERENCING OLD TABLE AS tally_old
    FOR EACH STATEMENT EXECUTE FUNCTION balloting_tally_change()
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER balloting_tally_insert ON balloting_ballot",
    "DROP TRIGGER balloting_tally_update ON balloting_ballot",
    "DROP TRIGGER balloting_tally_delete ON balloting_ballot",
    "DROP FUNCTION balloting_tally_change()",
]


def _sqlite_add(row: str, change: str) -> str:
    return f"""
        INSERT INTO balloting_ballottally (contest_id, slot, n) VALUES ({row}.contest_id, 0, {change})
        ON CONFLICT (contest_id, slot) DO UPDATE SET n = n + excluded.n;
    """


SQLITE_FORWARD = [
    """
    INSERT INTO balloting_ballottally (contest_id, slot, n)
    SELECT contest_id, 0, count(*) FROM balloting_ballot GROUP BY 1
    """,
    f"""
    CREATE TRIGGER balloting_tally_insert AFTER INSERT ON balloting_ballot BEGIN
        {_sqlite_add("NEW", "1")}
    END
    """,
    f"""
    CREATE TRIGGER balloting_tally_update AFTER UPDATE OF contest_id ON balloting_ballot BEGIN
        {_sqlite_add("OLD", "-1")}
        {_sqlite_add("NEW", "1")}
    END
    """,
    f"""
    CREATE TRIGGER balloting_tally_delete AFTER DELETE ON balloting_ballot BEGIN
        {_sqlite_add("OLD", "-1")}
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER balloting_tally_insert",
    "DROP TRIGGER balloting_tally_update",
    "DROP TRIGGER balloting_tally_delete",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("balloting", "0005_credential_link"),
    ]

    operations = [
        migrations.CreateModel(
            name="BallotTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("contest_id", models.BigIntegerField()),
                ("slot", models.PositiveSmallIntegerField()),
                ("n", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("contest_id", "slot"), name="ballot_tally_once")
                ],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
