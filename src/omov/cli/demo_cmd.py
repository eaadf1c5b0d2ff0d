"""``omov demo``: show omov at work on a bundled example."""

from __future__ import annotations

from omov.cli import app, console
from omov.cli.tables import print_report
from omov.count import count
from omov.count.formats import read_ballots
from omov.examples import WARD_BLT


@app.command("demo")
def demo_command() -> None:
    """Count the bundled example ward by Scottish STV and print it round by round."""
    ballots = read_ballots(WARD_BLT)
    print_report(count(ballots, method="scottish-stv", seats=ballots.seats or 1), console)
