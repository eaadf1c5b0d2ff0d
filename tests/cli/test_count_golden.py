"""Every output of ``omov count`` against a stored text a reviewer can read: every counting
method in the registry (IRV, STV in each variant, first past the post, the exhaustive
ballot, the college) × every report (the terminal's table, JSON, RCTab's JSON, CSV) × the
same papers with and without electorate sections.

The expected files live in ``tests/cli/golden/expected/<method>/<ballots>.<report>``; a
command that fails (the college needs sections) stores its exit status and message.
After a deliberate change to an output, regenerate them and review the diff:

    OMOV_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/cli/test_count_golden.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from omov.cli import console, main
from omov.count import METHODS

GOLDEN = Path(__file__).parent / "golden"
EXPECTED = GOLDEN / "expected"
UPDATE = os.environ.get("OMOV_UPDATE_GOLDEN") == "1"

BALLOTS = {"plain": GOLDEN / "ballots.csv", "sections": GOLDEN / "ballots-sections.csv"}
"""The same papers; ``sections`` labels each with members, registered or affiliated
supporters, as Labour's ballots are."""

REPORTS = {"table": "table.txt", "json": "json", "rctab-json": "rctab.json", "csv": "csv"}
"""Each ``--report`` and the extension of its expected file."""

COLLEGE_SHARES = [
    "--section-weight=members=1/3",
    "--section-weight=registered supporters=1/3",
    "--section-weight=affiliated supporters=1/3",
]


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``omov ARGS`` in process: its stdout, or its exit status and stderr if it failed."""
    monkeypatch.setattr(sys, "argv", ["omov", *args])
    monkeypatch.setattr(console, "width", 100)  # the table's layout, whatever the terminal
    try:
        main()
        status = 0
    except SystemExit as done:
        status = int(done.code or 0)
    out, err = capsys.readouterr()
    return out if status == 0 else f"exit status {status}\n{err}"


def arguments(method: str, ballots: str, report: str) -> list[str]:
    seats = "2" if METHODS[method].multi_seat else "1"
    args = ["count", str(BALLOTS[ballots]), "-m", method, "--seats", seats, "-r", report]
    return args + (COLLEGE_SHARES if method == "college" else [])


def compare(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"no expected output {path.name}: run with OMOV_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("report", sorted(REPORTS))
@pytest.mark.parametrize("ballots", sorted(BALLOTS))
@pytest.mark.parametrize("method", sorted(METHODS))
def test_the_output_is_the_stored_one(monkeypatch, capsys, method, ballots, report) -> None:
    actual = run(monkeypatch, capsys, *arguments(method, ballots, report))
    compare(EXPECTED / method / f"{ballots}.{REPORTS[report]}", actual)


def test_a_sectioned_table_shows_every_section_in_every_round(monkeypatch, capsys) -> None:
    table = run(monkeypatch, capsys, *arguments("irv", "sections", "table"))
    for section in ("members", "registered supporters", "affiliated supporters"):
        assert f"{section}: every round" in table
    section_header = table.splitlines()[table.splitlines().index("members: every round") + 2]
    assert [cell.strip() for cell in section_header.split("┃")[1:-1]] == [
        "Candidate",
        *("R1", "%", "R2", "%", "R3", "%"),
    ]


@pytest.mark.parametrize("report", sorted(set(REPORTS) - {"table"}))
def test_a_report_written_to_a_file_is_the_one_printed(monkeypatch, capsys, tmp_path, report):
    printed = run(monkeypatch, capsys, *arguments("wigm", "sections", report))
    out = tmp_path / "report"
    assert run(monkeypatch, capsys, *arguments("wigm", "sections", report), "-o", str(out)) == ""
    assert out.read_text(encoding="utf-8") + "\n" == printed


def test_every_expected_file_belongs_to_a_case() -> None:
    """A method or report that is gone leaves no stale expected file behind."""
    cases = {
        EXPECTED / method / f"{ballots}.{extension}"
        for method in METHODS
        for ballots in BALLOTS
        for extension in REPORTS.values()
    }
    assert set(EXPECTED.rglob("*.*")) == cases


def test_names_are_printed_as_the_file_gives_them(monkeypatch, capsys, tmp_path) -> None:
    """A name that looks like Rich markup or an emoji code is a name, in every output."""
    path = tmp_path / "odd.csv"
    path.write_text(
        '# candidates: ["[b]Ann[/b]", ":cat: Bob"]\nrank1,section\n[b]Ann[/b],[red]x\n',
        encoding="utf-8",
    )
    table = run(monkeypatch, capsys, "count", str(path), "-m", "fptp")
    assert "[b]Ann[/b]" in table
    assert ":cat: Bob" in table
    assert "[red]x: every round" in table
    assert "Elected: [b]Ann[/b]" in table
    for report in ("json", "rctab-json", "csv"):
        printed = run(monkeypatch, capsys, "count", str(path), "-m", "fptp", "-r", report)
        assert ":cat: Bob" in printed
