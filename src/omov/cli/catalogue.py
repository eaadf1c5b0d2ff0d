"""``omov --help`` without Typer: the root's help and its commands as plain data.

Importing Typer and Rich takes longer than the whole of ``omov --help`` may (0.1 s), so
``omov.cli.main`` prints this listing itself when the command line is only ``--help`` (or
empty). ``tests/cli/test_startup.py`` checks that it lists what the Typer app lists, in its
order, with the same help; every other command line goes through Typer as before.
"""

from __future__ import annotations

import os
import textwrap

ROOT_HELP = "One member, one vote: run and check an organisation's internal elections."

COMMANDS: tuple[tuple[str, str], ...] = (
    (
        "verify",
        "Check a results bundle (or a petition's signed count) offline and recount it; "
        "exit 0 only if every check holds.",
    ),
    ("count", "Count a ballot file round by round, as the rules prescribe."),
    ("demo", "Set up the web app on SQLite with a seeded demo contest and start it."),
    (
        "serve",
        "Migrate the database (DATABASE_URL, SQLite under ./var by default) and serve the web app.",
    ),
    (
        "worker",
        "Run background jobs (voting codes, reminders, the timetable) from the database's "
        "queue, until stopped. PostgreSQL only: on SQLite jobs run inside the web app.",
    ),
    ("ledger", "The contest's transparency log."),
    ("bundle", "Results bundles: build, sign."),
    ("roll", "Rolls: check one, or decide who may vote with a reason for every exclusion."),
    ("rules", "Check rulebooks and explain what they decide."),
    ("trustee", "Trustees: make the election key together, mix the ballots, decrypt them."),
)
"""(name, one-line help) of each command and group, as ``omov --help`` lists them."""


def root_help(width: int | None = None) -> str:
    """The root's help as click lays it out in plain text."""
    width = width or min(_terminal_width(), 100)
    name_width = max(len(name) for name, _ in COMMANDS) + 2
    lines = ["Usage: omov [OPTIONS] COMMAND [ARGS]...", ""]
    lines += textwrap.wrap(ROOT_HELP, width, initial_indent="  ", subsequent_indent="  ")
    lines += ["", "Options:", "  --help  Show this message and exit.", "", "Commands:"]
    for name, text in COMMANDS:
        lines += textwrap.wrap(
            text,
            width,
            initial_indent=f"  {name:<{name_width}}",
            subsequent_indent=" " * (name_width + 2),
        )
    return "\n".join(lines) + "\n"


def _terminal_width() -> int:
    """As ``shutil.get_terminal_size`` (not imported: it costs more than the rest)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    try:
        return os.get_terminal_size(1).columns
    except OSError:  # not a terminal
        return 80
