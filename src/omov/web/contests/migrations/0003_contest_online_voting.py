"""Whether a contest's electors may vote online, from its stored rulebook's channels.

A contest opened under a rulebook whose ballot is postal only (a statutory union ballot,
TULRCA s.51) is marked so, and its stored facts gain the channels: read from the rulebook
text stored with it, never from the shipped file.
"""

from typing import Any

from django.db import migrations, models

from omov.rules import RulesError
from omov.rules.loading import rulebook_from_text


def fill_channels(apps: Any, schema_editor: Any) -> None:
    rulebook_model = apps.get_model("contests", "Rulebook")
    contest_model = apps.get_model("contests", "Contest")
    for rulebook in rulebook_model.objects.all():
        if "channels" in rulebook.facts or "text" not in rulebook.facts:
            continue
        try:
            book = rulebook_from_text(rulebook.facts["text"], label=rulebook.key)
        except RulesError:
            continue
        if book.voting is None:
            continue
        channels = [channel.value for channel in book.voting.channels]
        rulebook.facts = {
            **rulebook.facts,
            "channels": channels,
            "channels_citation": book.voting.citation,
        }
        rulebook.save(update_fields=["facts"])
        contest_model.objects.filter(rulebook=rulebook).update(online_voting="online" in channels)


class Migration(migrations.Migration):
    dependencies = [("contests", "0002_rulebook_count_setup")]

    operations = [
        migrations.AddField(
            model_name="contest",
            name="online_voting",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "The rulebook allows voting online (a statutory union ballot is postal only)."
                ),
            ),
        ),
        migrations.RunPython(fill_channels, migrations.RunPython.noop),
    ]
