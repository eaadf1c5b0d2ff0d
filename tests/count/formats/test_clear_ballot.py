"""Clear Ballot CSV cast vote records."""

from __future__ import annotations

from pathlib import Path

import pytest

from omov.count.errors import BallotFileError
from omov.count.formats.clear_ballot import parse_clear_ballot

HEADER = (
    "RowNumber,BallotID,"
    '"Choice_1_1:City, Mayor:1:Vote For 1:Ann:NON","Choice_2_1:City, Mayor:1:Vote For 1:Bo:NON",'
    '"Choice_1_1:City, Mayor:2:Vote For 1:Ann:NON","Choice_2_1:City, Mayor:2:Vote For 1:Bo:NON"\n'
)


def test_marks_become_ranks_and_double_marks_overvotes(tmp_path: Path) -> None:
    path = tmp_path / "cvr.csv"
    path.write_text(HEADER + "1,a,0,1,1,0\n2,b,1,1,0,0\n3,c,0,0,0,0\n")
    records = parse_clear_ballot(path, "City, Mayor")
    assert records.names == ("Ann", "Bo")
    assert records.grid.tolist() == [[1, 0], [-2, -1], [-1, -1]]


@pytest.mark.parametrize(
    ("body", "contest", "message"),
    [
        ("1,a,0,2,1,0\n", "City, Mayor", ":2: mark '2' is neither 0 nor 1"),
        ("1,a,0,1\n", "City, Mayor", ":2: 4 columns where the header has 6"),
        ("1,a,0,1,1,0\n", "Council", ":1: no choice columns for contest 'Council'"),
    ],
)
def test_bad_input_names_file_and_line(
    tmp_path: Path, body: str, contest: str, message: str
) -> None:
    path = tmp_path / "cvr.csv"
    path.write_text(HEADER + body)
    with pytest.raises(BallotFileError) as error:
        parse_clear_ballot(path, contest)
    assert message in str(error.value)
