"""``omov count`` on BLT files with equal rankings, as a user runs it: under each family of
methods a file with a well-formed ``=`` counts and says how many papers it affected, and a
file with a malformed one is refused in one line naming the line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from omov.cli import main

GOOD = '3 1\n4 1 0\n2 1 2=3 0\n1 2=3 0\n2 2 0\n2 3 0\n0\n"A"\n"B"\n"C"\n"Equal"\n'
FAMILIES = {"meek": "split", "irv": "overvote", "scottish-stv": "overvote", "exhaustive": "refused"}


def omov(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "argv", ["omov", *args])
    try:
        main()
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("method", list(FAMILIES))
def test_a_well_formed_equal_ranking_under_each_family(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, method: str
) -> None:
    path = tmp_path / "good.blt"
    path.write_text(GOOD, encoding="utf-8")
    code, out, err = omov(monkeypatch, capsys, "count", str(path), "-m", method, "-r", "json")
    if FAMILIES[method] == "refused":
        assert code == 2
        assert "exhaustive gives equal rankings no meaning, and 3 papers" in err
        assert len(err.strip().splitlines()) == 1
        return
    assert (code, err) == (0, "")
    notes = json.loads(out)["notes"]
    assert notes[0].startswith(f"3 papers rank candidates equal: {method} reads")
    assert ("share each such paper equally" in notes[0]) == (FAMILIES[method] == "split")


@pytest.mark.parametrize("method", list(FAMILIES))
def test_a_malformed_equal_ranking_under_each_family(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, method: str
) -> None:
    path = tmp_path / "bad.blt"
    path.write_text(GOOD.replace("\n1 2=3 0", "\n1 2=3= 0"), encoding="utf-8")
    code, out, err = omov(monkeypatch, capsys, "count", str(path), "-m", method)
    assert code == 2
    assert (
        err.strip()
        == f"error: {path}:4: equal ranking '2=3=' must join candidate ids in 1..3 with '='"
    )
    assert out == ""


def test_overvote_option_chooses_for_an_overvote_method(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "good.blt"
    path.write_text(GOOD, encoding="utf-8")
    args = ("count", str(path), "-m", "irv", "-r", "json", "--overvote", "skip")
    code, out, err = omov(monkeypatch, capsys, *args)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["rounds"][0]["tallies"] == {"A": "6", "B": "2", "C": "2"}
    assert "(skip): each passes over its equal ranking" in report["notes"][0]


def test_an_error_that_names_an_option_line_prints_it_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "tie.blt"
    path.write_text(GOOD.replace("3 1\n", "3 1\n[tie 1 2]\n"), encoding="utf-8")
    code, out, err = omov(monkeypatch, capsys, "count", str(path), "-m", "irv")
    assert (code, out) == (2, "")
    assert err.strip() == f"error: {path}:2: [tie] must list each of the 3 candidates once"
