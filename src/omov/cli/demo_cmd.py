"""``omov demo``: start the web app on a seeded 2016-shaped contest, or count an example."""

from __future__ import annotations

import typer

from omov.cli import app, console


@app.command("demo")
def demo_command(
    count_only: bool = typer.Option(
        False, "--count-only", help="Only count the bundled example ward and print its rounds."
    ),
    host: str = typer.Option("127.0.0.1", help="Address to serve the demo on."),
    port: int = typer.Option(8000, help="Port to serve the demo on."),
    serve: bool = typer.Option(True, help="Start the web server after seeding."),
) -> None:
    """Set up the web app on SQLite with a seeded demo contest and start it."""
    if count_only:
        from omov.cli.tables import print_report
        from omov.count import count
        from omov.count.formats import read_ballots
        from omov.examples import WARD_BLT

        ballots = read_ballots(WARD_BLT)
        print_report(count(ballots, method="scottish-stv", seats=ballots.seats or 1), console)
        return
    from omov.cli.web_cmd import demo_web

    demo_web(host, port, serve)
