"""ES&S .xlsx cast vote records: RCTab's small test sheet, and files that are not workbooks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from omov.count.errors import BallotFileError
from omov.count.formats import ess_xlsx
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


# -- zip bombs: refused from the zip's directory, before any part is unpacked --------------------

ROW = '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c></row>'


def _never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any XML parsing fails the test: a refusal must come before a part is unpacked."""

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a part was parsed")

    monkeypatch.setattr(ess_xlsx, "iterparse", parse)


def test_a_zip_bomb_workbook_is_refused_before_its_sheet_is_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """64 MiB of rows packed into a few hundred kilobytes (over 300 times)."""
    path = tmp_path / "cvr.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("xl/sharedStrings.xml", "<sst/>")
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            rows = (ROW * 1000).encode()
            for _ in range(64 * 2**20 // len(rows)):
                sheet.write(rows)
    assert path.stat().st_size < 1 * 2**20
    _never_parsed(monkeypatch)
    with pytest.raises(BallotFileError) as error:
        parse_ess_xlsx(path, first_vote_column=2)
    assert str(error.value) == (
        f"{path}: refused: a part of the workbook would unpack to over 100 times its stored"
        " size (a zip bomb?)"
    )


def test_a_workbook_that_would_unpack_to_too_much_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts packed no tighter than a real sheet, over the limit in all (lowered here to
    1 MiB: a real 512 MiB would take seconds to make)."""
    monkeypatch.setattr(ess_xlsx, "MAX_UNPACKED", 2**20)
    path = tmp_path / "cvr.xlsx"
    with zipfile.ZipFile(path, "w") as book:  # stored: unpacks to its own size
        for n in range(1, 4):
            book.writestr(f"xl/worksheets/sheet{n}.xml", ROW * (400_000 // len(ROW)))
    _never_parsed(monkeypatch)
    with pytest.raises(BallotFileError, match=r"would unpack to over 1 MiB$"):
        parse_ess_xlsx(path, first_vote_column=2)


def test_a_workbook_of_thousands_of_parts_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cvr.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        for n in range(1, 1002):
            book.writestr(f"xl/worksheets/sheet{n}.xml", SHEET.format(rows=""))
    _never_parsed(monkeypatch)
    with pytest.raises(BallotFileError, match=r"holds over 1000 parts$"):
        parse_ess_xlsx(path, first_vote_column=2)


def test_every_real_workbook_is_within_the_limits(data_dir: Path) -> None:
    """RCTab's ES&S exports, the largest Minneapolis' 2013 mayoral (17 MB of sheet, 80,101
    ballots), pass the check; their counts are in tests/golden/test_rctab.py."""
    workbooks = sorted((data_dir / "rctab").glob("*/*.xlsx"))
    assert len(workbooks) == 4
    for path in workbooks:
        with zipfile.ZipFile(path) as book:
            ess_xlsx._refuse_a_bomb(path, book)  # raises if refused
