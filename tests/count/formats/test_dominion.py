"""Dominion CVR exports: RCTab's Wyoming test deck, and folders that are not exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from omov.count.errors import BallotFileError
from omov.count.formats.dominion import parse_dominion


def test_reads_contest_marks_by_candidate_code(data_dir: Path) -> None:
    folder = data_dir / "rctab" / "dominion_wyoming" / "wyoming_input_data"
    records = parse_dominion(folder, "1")
    assert len(records.grid) == 1000
    assert "12" in records.names  # the undeclared write-in code in RCTab's config
    assert records.names[records.grid[0, 0]] == "5"  # the first session ranks candidate 5 first


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no CvrExport*.json files"),
        ({"CvrExport.json": "{"}, "not valid JSON"),
        ({"CvrExport.json": '{"Sessions": 3}'}, "no Sessions list"),
        ({"CvrExport.json": '{"Sessions": []}'}, "no ballots for contest '1'"),
        ({"CvrExport.json": "[" * 100_000}, "nested too deeply"),
        (
            {
                "CvrExport.json": '{"Sessions": [{"Original": {"Contests": [{"Id": 1, "Marks":'
                ' [{"CandidateId": 5, "Rank": 2147483648}]}]}}]}'
            },
            "session 1: a mark without a rank from 1 to 1000",
        ),
        ({"CvrExport.json": '{"Sessions": [5]}'}, "session 1: wrong JSON type"),
        ({"CvrExport.json": '{"Sessions": [{"Original": {"Cards": 7}}]}'}, "wrong JSON type"),
        (
            {"CvrExport.json": '{"Sessions": []}', "OutstackConditionManifest.json": "[" * 99999},
            "nested too deeply",
        ),
        (
            {
                "CvrExport.json": '{"Sessions": []}',
                "OutstackConditionManifest.json": '{"List": [1]}',
            },
            "cannot read the manifest",
        ),
    ],
)
def test_bad_exports_fail_with_one_line(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(BallotFileError) as error:
        parse_dominion(tmp_path, "1")
    assert message in str(error.value)
