"""A voter's contest and code's digest in two columns of their session's row (Django's
``django_session``), beside the signed payload that holds them too (``omov.web.sessions``).

The cast's statement reads the digest from the session's row itself (``casting``), so a
cast is one statement where it was a read of the session and then the cast. The session
store writes both columns with the payload in the same statement; other sessions (an
officer's, a member's) leave them empty. Sessions started before this migration have them
empty too: their casts read the session first, as before.

Django's own session model does not know the columns and leaves them empty: nullable, no
default, so adding them rewrites nothing (PostgreSQL and SQLite alike).
"""

from typing import Any

from django.db import migrations

COLUMNS = (("voter_contest_id", "bigint"), ("voter_digest", "varchar(64)"))


def _add(apps: Any, schema_editor: Any) -> None:
    for name, kind in COLUMNS:
        schema_editor.execute(f"ALTER TABLE django_session ADD COLUMN {name} {kind} NULL")


def _drop(apps: Any, schema_editor: Any) -> None:
    for name, _ in COLUMNS:
        schema_editor.execute(f"ALTER TABLE django_session DROP COLUMN {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("balloting", "0008_room_for_updates"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(_add, _drop)]
