"""The old count-only demo stays available next to the web demo."""

from __future__ import annotations

from typer.testing import CliRunner

from omov.cli import app
from omov.cli import commands as _commands  # noqa: F401  (registers the commands)


def test_demo_count_only_prints_the_example_count() -> None:
    result = CliRunner().invoke(app, ["demo", "--count-only"])
    assert result.exit_code == 0, result.output
    assert "scottish-stv, 3 seat(s), 2400 valid ballots" in result.output
    assert "Elected: Ashworth, Begum, Campbell" in result.output


def test_serve_and_demo_are_registered() -> None:
    names = {command.name for command in app.registered_commands}
    assert {"serve", "demo"} <= names
