"""Room on each page for a cast's updates (PostgreSQL).

A cast sets its elector's ``has_voted`` and moves the elector between two tally rows
(``n``), no column of which is indexed. PostgreSQL writes such an update on the row's own
page without touching any index (a heap-only tuple) when the page has room for the new
version; at the default fill factor (100) an elector's page has none, so every cast wrote
a new entry in each of the elector's five indexes and each tally row's two. ``fillfactor``
leaves room for that: a fifth of each elector page (an elector changes a few times in its
life: vetting, voting), nine tenths of each tally page (a tally row changes with every
cast; a contest has a few hundred). New pages only: existing rows keep their pages until
the table is rewritten (``VACUUM FULL``).
"""

from typing import Any

from django.db import migrations

TABLES = {"electorate_elector": 80, "electorate_electortally": 10}


def _run(*, forward: bool) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, fill in TABLES.items():
            change = f"SET (fillfactor = {fill})" if forward else "RESET (fillfactor)"
            schema_editor.execute(f"ALTER TABLE {table} {change}", params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("electorate", "0006_elector_tally_slots"),
    ]

    operations = [migrations.RunPython(_run(forward=True), _run(forward=False))]
