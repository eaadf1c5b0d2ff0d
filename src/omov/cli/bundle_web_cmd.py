"""``omov bundle build CONTEST -o DIR``: the results bundle of a published web contest;
``omov ledger checkpoint``: the periodic while-open tree heads.

Reads the contest from the web app's database (``DATABASE_URL``, SQLite under ./var by
default), builds the publication from its stored log, heads and ballots, and writes the
bundle signed with the organisation's key (``OMOV_KEY_PASSPHRASE`` unlocks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from omov.cli import console, register_domain_error
from omov.cli.ledger_cmd import bundle_app, ledger_app
from omov.web.errors import ContestError

register_domain_error("omov.web.errors", "ContestError")


@bundle_app.command("build")
def bundle_build(
    contest: Annotated[int, typer.Argument(help="The contest's number in the web app.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="New bundle directory.")],
    database_url: Annotated[
        str | None, typer.Option(help="The web app's database (default: $DATABASE_URL).")
    ] = None,
) -> None:
    """Write the signed results bundle of a published contest from the web app's database."""
    from omov.cli.web_cmd import _django

    _django(database_url)
    from omov.web.contests.models import Contest
    from omov.web.trust.services import bundle_write

    found = Contest.objects.filter(pk=contest).first()
    if found is None:
        raise ContestError(f"no contest {contest} in the database")
    bundle_write(contest=found, directory=output)
    console.print(f"bundle {output}: contest {contest} ({found.title}); check it with omov verify")


@ledger_app.command("checkpoint")
def ledger_checkpoint(
    every: Annotated[
        int | None,
        typer.Option(help="Sign once this many new ballots came (default: the setting)."),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="The web app's database (default: $DATABASE_URL).")
    ] = None,
) -> None:
    """Sign a tree head over the new ballots of every open contest (run it periodically)."""
    from omov.cli.web_cmd import _django

    _django(database_url)
    from django.core.management import call_command

    options = {} if every is None else {"every": every}
    call_command("ledger_checkpoint", stdout=console.file, **options)
