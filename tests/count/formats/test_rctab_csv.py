"""RCTab generic CSV reader: RCTab's own test file, and bad rows failing with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from omov.count.errors import BallotFileError
from omov.count.formats import read_ballots
from omov.count.formats.rctab_csv import parse_rctab_csv

HEADER = "id,Lettuce,Broccoli,Cucumber\n"


def test_reads_rctab_generic_csv_with_guessed_vote_columns(data_dir: Path) -> None:
    path = data_dir / "rctab" / "generic_csv_test" / "generic_csv_test_cvr.csv"
    ballots = read_ballots(path, format="rctab-csv")
    assert ballots.candidates == ("Lettuce", "Broccoli", "Cucumber", "Cauliflower", "Write-In")
    assert ballots.total == 26
    # RCTab's expected round 1 (the write-in column is its undeclared write-ins).
    assert ballots.first_preferences().tolist() == [5, 3, 8, 4, 6]


def test_the_config_columns_are_honoured(data_dir: Path) -> None:
    path = data_dir / "rctab" / "generic_csv_test" / "generic_csv_test_cvr.csv"
    records = parse_rctab_csv(path, first_vote_column=6)
    assert records.names == ("Cucumber", "Cauliflower", "Write-In")


def test_one_rank_given_to_two_candidates_is_an_overvote(tmp_path: Path) -> None:
    path = tmp_path / "cvr.csv"
    path.write_text(HEADER + "r1,1,1,2\n")
    records = parse_rctab_csv(path, first_vote_column=2)
    assert records.grid.tolist() == [[-2, 2]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("r1,1,2,3\nr2,1,x,2\n", ":3: rank 'x' is not a whole number"),
        ("r1,1,2,3\nr2,1,2\n", ":3: 3 columns where the header has 4"),
        ("r1,0,1,2\n", ":2: rank '0'"),
    ],
)
def test_bad_rows_name_their_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "cvr.csv"
    path.write_text(HEADER + body)
    with pytest.raises(BallotFileError) as error:
        read_ballots(path, format="rctab-csv")
    assert message in str(error.value)


def test_an_empty_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "cvr.csv"
    path.write_text("")
    with pytest.raises(BallotFileError, match="no header row"):
        read_ballots(path, format="rctab-csv")
