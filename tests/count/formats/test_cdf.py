"""NIST CDF JSON reader: real RCTab test files, and bad input failing with file and place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omov.count.ballots import BallotPolicy, OvervoteRule
from omov.count.errors import BallotFileError
from omov.count.formats import read_ballots
from omov.count.formats.cdf import parse_cdf

CASE = "test_set_1_exhaust_at_overvote"


def _cvr(data_dir: Path) -> Path:
    return data_dir / "rctab" / CASE / f"{CASE}_cvr.json"


def test_reads_an_rctab_test_file(data_dir: Path) -> None:
    ballots = read_ballots(_cvr(data_dir), policy=BallotPolicy(overvote=OvervoteRule.EXHAUST))
    assert ballots.candidates == tuple(f"Candidate {c} Name" for c in "ABCD")
    assert ballots.total == 15
    assert ballots.title == "test set 1"
    # RCTab's expected report: A 5, B 6, C 2, D 1 and one overvote in round 1.
    assert ballots.first_preferences().tolist() == [5, 6, 2, 1]


def test_two_candidates_at_one_rank_are_an_overvote(data_dir: Path) -> None:
    records = parse_cdf(_cvr(data_dir))
    assert records.grid[0, 0] == -2  # ballot 1 marks A and B at rank 1


def _broken(tmp_path: Path, data_dir: Path, edit: str) -> Path:
    document = json.loads(_cvr(data_dir).read_text())
    if edit == "unknown selection":
        cvr = document["CVR"][6]["CVRSnapshot"][0]["CVRContest"][0]
        cvr["CVRContestSelection"][0]["ContestSelectionId"] = "cs-z"
    elif edit == "bad rank":
        cvr = document["CVR"][2]["CVRSnapshot"][0]["CVRContest"][0]
        cvr["CVRContestSelection"][0]["SelectionPosition"][0]["Rank"] = "first"
    elif edit == "no CVR list":
        del document["CVR"]
    path = tmp_path / "cvr.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("unknown selection", "CVR 7: unknown candidate selection 'cs-z'"),
        ("bad rank", "CVR 3: bad rank 'first'"),
        ("no CVR list", "no CVR list"),
    ],
)
def test_bad_records_name_file_and_record(
    tmp_path: Path, data_dir: Path, edit: str, message: str
) -> None:
    path = _broken(tmp_path, data_dir, edit)
    with pytest.raises(BallotFileError) as error:
        read_ballots(path, format="cdf")
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "where"), [("", ":1:"), ('{"CVR": [', ":1:"), ("[1, 2]", "no JSON object")]
)
def test_empty_and_junk_files_fail_with_one_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "junk.json"
    path.write_text(text)
    with pytest.raises(BallotFileError) as error:
        read_ballots(path, format="cdf")
    assert where in str(error.value)
    assert "\n" not in str(error.value)


def test_a_named_contest_must_exist(data_dir: Path) -> None:
    with pytest.raises(BallotFileError, match="no contest 'mayor'"):
        parse_cdf(_cvr(data_dir), "mayor")
