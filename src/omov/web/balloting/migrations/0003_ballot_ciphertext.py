"""Ballots hold only their ciphertext (issue 17): the plaintext ranking column goes.

A database holding ballots of a contest not yet counted refuses this migration with one
line, rather than lose them: count them with the omov that cast them first. Ballots of
counted or published contests lose their plaintext copies (their results and board are
kept with the result) and get an empty ciphertext.
"""

from django.db import migrations, models


def refuse_uncounted_plaintext(apps, schema_editor):
    ballot = apps.get_model("balloting", "Ballot")
    waiting = ballot.objects.exclude(contest__state__in=("counted", "published")).count()
    if waiting:
        raise RuntimeError(
            f"balloting 0003: {waiting} ballots of contests not yet counted are stored in the "
            "clear; count them with the previous omov before moving to encrypted ballots"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("balloting", "0002_alter_ballot_receipt"),
        ("contests", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuse_uncounted_plaintext, migrations.RunPython.noop),
        migrations.RemoveField(model_name="ballot", name="ranking"),
        migrations.AddField(
            model_name="ballot",
            name="ciphertext",
            field=models.BinaryField(
                default=b"",
                help_text="α ‖ β ‖ proof of knowledge (omov.secrecy.ballot).",
                max_length=128,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="ballot",
            name="receipt",
            field=models.CharField(
                help_text="The tracker: a hash of the ciphertext.", max_length=24, unique=True
            ),
        ),
    ]
