"""The full-text index of posts on PostgreSQL: GIN over the same expression the search
asks (``selectors.search``: SearchVector("text", config="english")), so the planner uses
it. SQLite has no such index; search there is a plain containment test."""

from django.db import migrations

INDEX = "discussion_post_search"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON discussion_post "
            "USING gin (to_tsvector('english'::regconfig, COALESCE(text, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("discussion", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
