"""Each elector keeps the digest of its roll's identity key, email and date of birth
(``members/identity.py``), so a registered supporter signed in by the members' link is
matched to their own record in the query (``status._records_of``), not by reading the
contest's stored roll at every page.

The electors already stored are given theirs from their section's stored roll
(``RollUpload``), read as an import reads it, one roll at a time and written in batches.
An elector whose section has no stored roll, or whose roll cannot be read under the
contest's stored rulebook, keeps none and matches no supporter until the roll is imported
again (a member with a number is matched by it, and anyone by their voting code). The index
is made after the backfill, once.
"""

from typing import Any

import polars as pl
from django.db import migrations, models

BATCH = 5_000


def _backfill(apps: Any, schema_editor: Any) -> None:
    # The code an import runs, not a copy of it: the digests must be those it stores.
    from omov.electorate.errors import ElectorateError
    from omov.electorate.roll import read_roll_bytes
    from omov.electorate.schema import schema_for
    from omov.rules import RulesError
    from omov.web.contests.facts import RulebookFacts
    from omov.web.contests.rulebooks import stored_book
    from omov.web.electorate.rolls import identities
    from omov.web.errors import ContestError

    uploads = apps.get_model("electorate", "RollUpload").objects.select_related("contest__rulebook")
    connection = schema_editor.connection
    for upload in uploads.iterator(chunk_size=1):
        try:
            book = stored_book(RulebookFacts.read(upload.contest.rulebook.facts))
            kind = book.sections[upload.section].roll.value
            roll = read_roll_bytes(bytes(upload.data), kind, name=f"{upload.section} roll")
        except (ContestError, ElectorateError, RulesError, KeyError, ValueError):
            continue
        references = roll.frame.get_column(schema_for(kind).record_id).cast(pl.String).to_list()
        digests = [
            (reference, digest)
            for reference, digest in zip(references, identities(roll), strict=True)
            if digest
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(digests), BATCH):
                _write(cursor, connection.vendor, upload, digests[start : start + BATCH])


def _write(cursor: Any, vendor: str, upload: Any, digests: list[tuple[str, str]]) -> None:
    if vendor != "postgresql":
        cursor.executemany(
            "UPDATE electorate_elector SET identity_digest = %s "
            "WHERE contest_id = %s AND section = %s AND reference = %s",
            [(digest, upload.contest_id, upload.section, ref) for ref, digest in digests],
        )
        return
    # One statement a batch: the electors' tally trigger runs once a statement.
    rows = ", ".join(["(%s, %s)"] * len(digests))
    cursor.execute(
        "UPDATE electorate_elector AS e SET identity_digest = v.digest "
        f"FROM (VALUES {rows}) AS v(reference, digest) "
        "WHERE e.contest_id = %s AND e.section = %s AND e.reference = v.reference",
        [value for pair in digests for value in pair] + [upload.contest_id, upload.section],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0006_organisation_time_zone_checked"),
        ("electorate", "0007_room_for_updates"),
    ]

    operations = [
        # Added as PostgreSQL and SQLite both can, in place: Django's SQLite editor would
        # copy the table into a new one for a NOT NULL column, and the copy would lose the
        # tally's triggers (0004).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE electorate_elector"
                    " ADD COLUMN identity_digest varchar(32) DEFAULT '' NOT NULL",
                    "ALTER TABLE electorate_elector DROP COLUMN identity_digest",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="elector",
                    name="identity_digest",
                    field=models.CharField(
                        blank=True,
                        db_default="",
                        default="",
                        help_text="Digest of the roll's identity key, email and date of birth "
                        "(members/identity.py); empty when unknown.",
                        max_length=32,
                    ),
                )
            ],
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="elector",
            index=models.Index(fields=["identity_digest"], name="elector_by_identity"),
        ),
    ]
