"""``omov count --report rctab-json`` on the golden sets of every STV method: RCVis's
rcvformats accepts the file, and its round figures are the published ones. And the text
table lists every transfer, as the JSON reports do."""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from omov.cli import main
from omov.count import BallotSet, count
from omov.count.formats import read_ballots, write_ballots
from tests.count.reports.rcvis import rcvformats_errors
from tests.count.test_stv_ers97 import food_election
from tests.count.test_stv_meek import SC_REFERENCE, _sc
from tests.golden.test_scotland_2017 import match_candidates


def omov(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    monkeypatch.setattr(sys, "argv", ["omov", *args])
    code = 0
    try:
        main()
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return out


def rctab_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], out: Path, *args: str
) -> dict[str, Any]:
    omov(monkeypatch, capsys, "count", *args, "--report", "rctab-json", "-o", str(out))
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert rcvformats_errors(document) is None
    return document


def test_scottish_ward_as_the_council_published_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
) -> None:
    """Aberdeen ward 1 (Dyce/Bucksburn/Danestone): two elected at stage 1, the second
    surplus at stage 3; every cell of the council's five-decimal count sheet."""
    folder = data_dir / "scotland-2017"
    blt = folder / "blt" / "aberdeen_2017_ward1.blt"
    document = rctab_json(monkeypatch, capsys, tmp_path / "r.json", str(blt), "-m", "scottish-stv")
    official = json.loads((folder / "official" / "aberdeen_2017_ward1.json").read_text())
    rows = official["Constituency"]["countGroup"]
    names = match_candidates(count(read_ballots(blt), method="scottish-stv", seats=4), rows)
    assert len(document["results"]) == max(row["Count_Number"] for row in rows)
    for row in rows:
        tally = document["results"][row["Count_Number"] - 1]["tally"]
        votes = tally.get(names[row["Candidate_Id"]], "0")  # the sheet shows 0 once excluded
        assert Fraction(votes) == Fraction(row["Total_Votes"]), row
    entries = [r["tallyResults"] for r in document["results"]]
    assert [e["elected"] for e in entries[1]] == ["Neil MACGREGOR (SNP)"]


def test_meek_as_the_reference_counted_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blt = tmp_path / "SC.blt"
    write_ballots(_sc(), blt, format="blt")
    document = rctab_json(
        monkeypatch, capsys, tmp_path / "r.json", str(blt), "-m", "meek", "--seats", "4"
    )
    for number, (_quota, votes) in SC_REFERENCE.items():
        tally = document["results"][number - 1]["tally"]
        assert {name: tally[name] for name in votes} == votes, number
    assert not any("eliminated" in e for e in document["results"][-1]["tallyResults"])


def test_ers97_as_worked_by_hand(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The food election of ``test_stv_ers97``: Strawberry's deferred surplus (0.64,
    none of it transferable) is Strawberry's entry in round 3, where it moves."""
    blt = tmp_path / "food.blt"
    write_ballots(food_election(), blt, format="blt")
    out = tmp_path / "r.json"
    document = rctab_json(monkeypatch, capsys, out, str(blt), "-m", "ers97", "--seats", "3")
    third = document["results"][2]
    assert third["tallyResults"] == [{"elected": "Strawberry", "transfers": {"exhausted": "0.64"}}]
    assert document["results"][-1]["tally"] == {
        "Orange": "6", "Chocolate": "5", "Strawberry": "5", "Bonbon": "2.32",
    }  # fmt: skip


def test_wigm_as_rctab_counted_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
) -> None:
    case = data_dir / "rctab" / "test_set_multi_winner_fractional_threshold"
    config = case / "test_set_multi_winner_fractional_threshold_config.json"
    document = rctab_json(monkeypatch, capsys, tmp_path / "r.json", "--rctab-config", str(config))
    expected = json.loads(
        (
            case / "test_set_multi_winner_fractional_threshold_expected_detailed_report.json"
        ).read_text(encoding="utf-8")
    )
    assert document["results"] == expected["results"]


def test_the_table_lists_every_transfer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ballots = BallotSet.from_rankings(
        list("ABCDE"), [[0, 2], [1, 3], [2], [3], [4]], weights=[8, 7, 3, 2, 1]
    )
    blt = tmp_path / "wait.blt"
    write_ballots(ballots, blt, format="blt")
    out = omov(monkeypatch, capsys, "count", str(blt), "-m", "scottish-stv", "--seats", "3")
    assert "Round 1: surplus of A (transfer value 0.25000): 2.00000 to C\n" in out
    assert (
        "Round 2: surplus of B (transfer value 0.14285): 0.99995 to D, "
        "0.00005 to residual surplus\n"
    ) in out
    assert "Round 3: E excluded: 1.00000 to exhausted\n" in out
