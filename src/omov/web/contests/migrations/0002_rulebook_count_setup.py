"""Store the count setup and the TOML text with every rulebook loaded before omov kept them.

Until this migration the count re-read the shipped rulebook at count time. A rulebook row
without them is filled from the edition shipped with the omov being migrated to: the best
record there is of the rules its contests were opened under, since those contests have
been counting under the shipped file all along. A row whose edition is no longer shipped
is left as it is, and counting it is refused with a message (``rulebooks.count_rules``)
rather than guessed.
"""

from typing import Any

from django.db import migrations

from omov.web.contests.rulebooks import count_facts_of, shipped_book


def fill_count_setup(apps: Any, schema_editor: Any) -> None:
    rulebook_model = apps.get_model("contests", "Rulebook")
    for rulebook in rulebook_model.objects.all():
        if "count" in rulebook.facts and "text" in rulebook.facts:
            continue
        try:
            text, book = shipped_book(rulebook.key)
        except KeyError:
            continue
        rulebook.facts = {
            **rulebook.facts,
            "count": rulebook.facts.get("count") or count_facts_of(book),
            "text": rulebook.facts.get("text") or text,
        }
        rulebook.save(update_fields=["facts"])


class Migration(migrations.Migration):
    dependencies = [("contests", "0001_initial")]

    operations = [migrations.RunPython(fill_count_setup, migrations.RunPython.noop)]
