"""``omov rules check`` on every shipped rulebook; ``omov rules explain``; one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omov.cli import app, console, main
from omov.cli import commands as _commands  # noqa: F401  (registers the commands)
from omov.rules import shipped_rulebooks

runner = CliRunner()
EVENTS_2016 = Path(__file__).parent / "events" / "labour-2016.yaml"


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_check_every_shipped_rulebook(rulebook):
    result = runner.invoke(app, ["rules", "check", rulebook])
    assert result.exit_code == 0, result.output
    assert f"{rulebook}: valid" in result.output
    assert "resolved" in result.output


@pytest.fixture
def wide(monkeypatch):
    """Rich wraps at the console's width; a wide one keeps a sum on one line."""
    monkeypatch.setattr(console, "_width", 200)


def test_check_shows_thresholds_with_arithmetic(wide):
    result = runner.invoke(app, ["rules", "check", "labour/2016"])
    assert "20% of 251 (PLP 231 + EPLP 20) = 50.2, rounded up to 51" in result.output


def test_check_json_is_the_resolved_rulebook(wide):
    result = runner.invoke(app, ["rules", "check", "snp/2023", "--json"])
    data = json.loads(result.output)
    assert data["nominations"]["leader"]["requirements"][0]["min_distinct_units"] == 20
    assert data["voting"]["tie_break"] == "previous-rounds-then-lot"


def test_explain_prints_decisions_with_citations(wide):
    result = runner.invoke(app, ["rules", "explain", "labour/2016", "--events", str(EVENTS_2016)])
    assert result.exit_code == 0, result.output
    assert "The PLP no-confidence motion has no standing (carried 172–40)" in result.output
    assert "Jeremy Corbyn is on the ballot as the incumbent" in result.output
    other = runner.invoke(
        app,
        [
            "rules",
            "explain",
            "labour/2016",
            "-e",
            str(EVENTS_2016),
            "--reading",
            "all-nominated",
            "--json",
        ],
    )
    record = json.loads(other.output)
    assert (record["format"], record["version"]) == ("omov-decisions", 1)
    assert (record["rulebook"], record["reading"]) == ("labour/2016", "all-nominated")
    decisions = record["decisions"]
    assert all(
        set(d) == {"kind", "summary", "explanation", "citation", "arithmetic", "subject", "at"}
        for d in decisions
    )
    corbyn = [d for d in decisions if d["subject"] == "Jeremy Corbyn"]
    assert [d["kind"] for d in corbyn] == ["not-on-ballot"]


def test_a_bad_rulebook_is_one_line_on_stderr(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'schema_version = 1\norganisation = "x"\norganisation_name = "X"\nedition = "1"\n'
        'title = "X"\ncitation = "X"\ncolour = "red"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(sys, "argv", ["omov", "rules", "check", str(bad)])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "error: bad.toml: colour: unknown key\n"


def test_check_a_rulebook_given_by_path(tmp_path):
    from importlib import resources

    copy = tmp_path / "my-party.toml"
    shipped = resources.files("omov.rules.rulebooks").joinpath("snp", "2023.toml")
    copy.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(copy)])
    assert result.exit_code == 0, result.output
    assert "snp/2023: valid" in result.output
