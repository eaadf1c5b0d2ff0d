"""The ballots' tally over 256 slots a contest on PostgreSQL, not 16 (the last byte of the
ballot's random id, whole).

A cast holds its tally row's lock until its commit is flushed: with 16 slots, most of 16
simultaneous casts met another's lock and waited for its commit (see electorate 0006). A
contest's figure is the sum of its rows, so the rows written with 16 slots stay right: a
ballot counted in slot ``b % 16`` and later deleted is taken from slot ``b``, and the sum is
unchanged. SQLite (one writer at a time) keeps its one slot.
"""

from typing import Any

from django.db import migrations


def _function(slot: str) -> str:
    def upsert(changes: str) -> str:
        return f"""
            INSERT INTO balloting_ballottally AS tally (contest_id, slot, n)
            SELECT contest_id, {slot}, sum(change) FROM ({changes}) AS changed
            GROUP BY 1, 2 HAVING sum(change) <> 0 ORDER BY 1, 2
            ON CONFLICT (contest_id, slot) DO UPDATE SET n = tally.n + EXCLUDED.n;
        """

    both = (
        "SELECT id, contest_id, 1 AS change FROM tally_new "
        "UNION ALL SELECT id, contest_id, -1 FROM tally_old"
    )
    return f"""
    CREATE OR REPLACE FUNCTION balloting_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {upsert("SELECT id, contest_id, 1 AS change FROM tally_new")}
        ELSIF TG_OP = 'DELETE' THEN
            {upsert("SELECT id, contest_id, -1 AS change FROM tally_old")}
        ELSE
            {upsert(both)}
        END IF;
        RETURN NULL;
    END $$
    """


def _run(slot: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_function(slot), params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("balloting", "0006_ballot_tally"),
    ]

    operations = [
        migrations.RunPython(
            _run("get_byte(uuid_send(id), 15)"), _run("get_byte(uuid_send(id), 15) % 16")
        )
    ]
