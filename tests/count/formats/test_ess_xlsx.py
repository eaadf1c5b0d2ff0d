"""ES&S .xlsx cast vote records: RCTab's small test sheet, and files that are not workbooks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from omov.count.errors import BallotFileError
from omov.count.formats.ess_xlsx import parse_ess_xlsx

CASE = "test_set_allow_only_one_winner_per_round"


def test_reads_ranks_with_the_configs_columns_and_labels(data_dir: Path) -> None:
    path = data_dir / "rctab" / CASE / f"{CASE}_cvr.xlsx"
    records = parse_ess_xlsx(path, first_vote_column=2, ranks=3, skipped_label="undervote")
    assert set(records.names) == {"A", "B", "C", "D"}
    assert records.grid.shape[1] == 3
    assert len(records.grid) == 9  # rows 2..10 of the sheet (A1:D10)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04junk"])
def test_a_file_that_is_not_a_workbook_fails_with_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "cvr.xlsx"
    path.write_bytes(content)
    with pytest.raises(BallotFileError) as error:
        parse_ess_xlsx(path, first_vote_column=2)
    assert str(error.value).startswith(str(path))
    assert "\n" not in str(error.value)


SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    "{rows}</sheetData></worksheet>"
)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('<row r="2"><c r="ZZZZZZZZ2"><v>1</v></c></row>', "beyond column XFD"),
        ('<row r="two"><c r="B2"><v>1</v></c></row>', "not a row number"),
        ('<row r="2"><c r="B2" t="s"><v>7</v></c></row>', "shared string the workbook lacks"),
        ('<row r="2"><c r="B2" t="s"><v>-1</v></c></row>', "shared string the workbook lacks"),
    ],
)
def test_a_sheet_with_impossible_cells_fails_with_one_line(
    tmp_path: Path, rows: str, message: str
) -> None:
    path = tmp_path / "cvr.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("xl/worksheets/sheet1.xml", SHEET.format(rows=rows))
    with pytest.raises(BallotFileError, match=message):
        parse_ess_xlsx(path, first_vote_column=2)
