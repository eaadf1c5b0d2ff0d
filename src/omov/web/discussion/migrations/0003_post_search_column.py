"""Posts' text vectors stored (PostgreSQL): a generated column, GIN-indexed, in place of the
index on the expression. With only the expression indexed, PostgreSQL answering "the newest
posts with these words" by walking posts newest first computed each post's vector again
(1.5 s for two words over a million posts); a stored vector is only compared. SQLite has
neither; search there is a containment test."""

from django.db import migrations

COLUMN = (
    "ALTER TABLE discussion_post ADD COLUMN IF NOT EXISTS search tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english'::regconfig, COALESCE(text, ''))) STORED"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS discussion_post_search")
        schema_editor.execute(COLUMN)
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS discussion_post_search ON discussion_post USING gin (search)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS discussion_post_search")
        schema_editor.execute("ALTER TABLE discussion_post DROP COLUMN IF EXISTS search")


class Migration(migrations.Migration):
    dependencies = [("discussion", "0002_post_search_index")]

    operations = [migrations.RunPython(create, drop)]
