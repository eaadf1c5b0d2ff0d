"""Room on each page for a cast's updates, and no pattern indexes on the digests (PostgreSQL).

A cast updates its credential (``state``) and a ballot tally row (``n``), neither column
indexed. PostgreSQL writes such an update on the row's own page without touching any index
(a heap-only tuple) when the page has room for the new version; at the default fill factor
(100) a credential's page has none, so every cast wrote a new entry in each of the
credential's six indexes. ``fillfactor`` leaves room for that: a fifth of each credential
page (a credential changes once or twice in its life), nine tenths of each tally page
(a tally row changes with every cast; a contest has at most 256 of them). New pages only:
existing rows keep their pages until the table is rewritten (``VACUUM FULL``).

The digests are looked up only by equality (signing in, casting, the emailed link), which
the unique indexes serve; the ``varchar_pattern_ops`` indexes Django adds beside them for
``LIKE`` were written on every change and never needed. (Were a migration to change these
fields' type, Django would make them again.)
"""

from typing import Any

from django.db import migrations

FORWARD = [
    "ALTER TABLE balloting_credential SET (fillfactor = 80)",
    "ALTER TABLE balloting_ballottally SET (fillfactor = 10)",
    "DROP INDEX IF EXISTS balloting_credential_digest_ad843968_like",
    "DROP INDEX IF EXISTS balloting_credential_link_digest_c5428667_like",
]
BACKWARD = [
    "ALTER TABLE balloting_credential RESET (fillfactor)",
    "ALTER TABLE balloting_ballottally RESET (fillfactor)",
    "CREATE INDEX IF NOT EXISTS balloting_credential_digest_ad843968_like"
    " ON balloting_credential (digest varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS balloting_credential_link_digest_c5428667_like"
    " ON balloting_credential (link_digest varchar_pattern_ops)",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("balloting", "0007_ballot_tally_slots"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
