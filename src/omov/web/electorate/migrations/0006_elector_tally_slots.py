"""The electors' tally over 256 slots a figure on PostgreSQL, not 16 (``id % 256``).

Every cast moves its elector from a ``has_voted`` false row to a true one, and holds both
rows' locks until its commit is flushed: with 16 slots, of 16 simultaneous casts in one
section most met another's lock and waited for its commit (``bench/cast.py --ablate``: the
tallies cost ~0.6 ms of PostgreSQL's CPU and a third of the casts/s). A figure is the sum of
its rows, whatever their slot, so the rows written with 16 slots stay right: an elector
counted in slot ``id % 16`` and later moved is taken from slot ``id % 256`` (which may go
below zero), and the sums are unchanged. SQLite (one writer at a time) is left as it was.
"""

from typing import Any

from django.db import migrations

KEY = "contest_id, section, eligibility, reason, has_voted, slot"


def _function(slots: int) -> str:
    figure = f"contest_id, section, eligibility, reason, has_voted, id % {slots}"

    def upsert(changes: str) -> str:
        return f"""
            INSERT INTO electorate_electortally AS tally ({KEY}, n)
            SELECT {figure}, sum(change) FROM ({changes}) AS changed
            GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(change) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
            ON CONFLICT ({KEY}) DO UPDATE SET n = tally.n + EXCLUDED.n;
        """

    both = "SELECT *, 1 AS change FROM tally_new UNION ALL SELECT *, -1 FROM tally_old"
    return f"""
    CREATE OR REPLACE FUNCTION electorate_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {upsert("SELECT *, 1 AS change FROM tally_new")}
        ELSIF TG_OP = 'DELETE' THEN
            {upsert("SELECT *, -1 AS change FROM tally_old")}
        ELSE
            {upsert(both)}
        END IF;
        RETURN NULL;
    END $$
    """


def _run(slots: int) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_function(slots), params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("electorate", "0005_exclusion_awaiting"),
    ]

    operations = [migrations.RunPython(_run(256), _run(16))]
