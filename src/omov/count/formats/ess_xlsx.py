"""ES&S cast vote record spreadsheets (.xlsx), as RCTab reads them.

An ES&S export is one worksheet: a header row, then one row per ballot with the candidate
name marked at each rank in consecutive columns (and labels for an overvoted or skipped
rank, and for undeclared write-ins). An .xlsx file is a zip of XML parts; we read the first
worksheet and its shared strings with the standard library (no spreadsheet dependency),
streaming the sheet so a large export is parsed once. The zip's directory is checked before
any part is unpacked (``_refuse_a_bomb``): a few kilobytes of zip can unpack to gigabytes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, iterparse

import numpy as np

from omov.count.ballots import BLANK, OVERVOTE
from omov.count.errors import BallotFileError
from omov.count.formats.cdf import CastVoteRecords

LAST_COLUMN = 16_384  # XFD, the last column a worksheet may have
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL = re.compile(r"([A-Z]+)(\d+)$")

MAX_UNPACKED = 512 * 2**20
"""What a workbook's parts may unpack to in all (512 MiB). Minneapolis' 2013 mayoral export
(tests/data/rctab) holds 215 bytes a row, so a sheet filled to Excel's last row (1,048,576)
holds 225 MB; more is refused before any part is read."""
MAX_RATIO = 100
"""How many times its stored size a large part may unpack to. Real workbooks' sheets
unpack 4 to 9 times; deflate can reach 1,032, and a "zip bomb" does."""
RATIO_FROM = 2**20
"""Parts smaller than this (1 MiB) may unpack at any ratio: they are bounded by their size."""
MAX_PARTS = 1_000
"""A workbook holds a part for each sheet, style, theme and relationship: tens, not
thousands."""


def parse_ess_xlsx(
    path: Path,
    *,
    first_vote_column: int,
    first_vote_row: int = 2,
    ranks: int | None = None,
    overvote_label: str = "",
    skipped_label: str = "",
    precinct_column: int | None = None,
) -> CastVoteRecords:
    """Ballots from the rank columns (from ``first_vote_column``, counting from 1, for
    ``ranks`` columns or to the last column) of every row from ``first_vote_row``; with
    ``precinct_column``, each ballot is labelled with its precinct."""
    rows = list(_rows(path))
    body = [cells for number, cells in rows if number >= first_vote_row]
    if not body:
        raise BallotFileError(path, None, "no ballot rows in the worksheet")
    last = max(len(cells) for cells in body) if ranks is None else first_vote_column - 1 + ranks
    width = last - first_vote_column + 1
    if width < 1:
        raise BallotFileError(path, first_vote_row, "no rank columns in the worksheet")
    names = np.full((len(body), width), "", dtype=object)
    for r, cells in enumerate(body):
        marks = cells[first_vote_column - 1 : last]
        names[r, : len(marks)] = marks
    precincts = None
    if precinct_column is not None:
        precincts = [
            cells[precinct_column - 1] if precinct_column <= len(cells) else "" for cells in body
        ]
    return records_from_names(
        names, overvote_label=overvote_label, skipped_label=skipped_label, sections=precincts
    )


def records_from_names(
    names: np.ndarray[Any, np.dtype[Any]],
    *,
    overvote_label: str = "",
    skipped_label: str = "",
    weights: np.ndarray[Any, np.dtype[np.int64]] | None = None,
    sections: Sequence[str] | None = None,
) -> CastVoteRecords:
    """A grid of candidate names (ES&S style: one column per rank) as cast vote records."""
    labels, inverse = np.unique(names.astype(str), return_inverse=True)
    inverse = inverse.reshape(names.shape)
    candidates = [str(x) for x in labels if x not in (overvote_label, skipped_label, "")]
    position = {name: i for i, name in enumerate(candidates)}
    code = np.array(
        [
            OVERVOTE
            if x == overvote_label and x
            else BLANK
            if x in (skipped_label, "")
            else position[str(x)]
            for x in labels
        ],
        dtype=np.int16,
    )
    return CastVoteRecords(
        tuple(candidates),
        code[inverse],
        weights=weights,
        sections=None if sections is None else tuple(sections),
    )


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts by column) for the first worksheet."""
    try:
        with zipfile.ZipFile(path) as book:
            _refuse_a_bomb(path, book)
            strings = _shared_strings(book)
            sheet = _first_sheet(path, book)
            with book.open(sheet) as stream:
                for _, element in iterparse(stream):
                    if element.tag == f"{_NS}row":
                        yield _row_number(path, element), _cells(path, element, strings)
                        element.clear()
    except (zipfile.BadZipFile, OSError, KeyError, ParseError, EOFError) as error:
        raise BallotFileError(path, None, f"not a readable .xlsx workbook: {error}") from None


def _refuse_a_bomb(path: Path, book: zipfile.ZipFile) -> None:
    """Refuse a workbook whose directory declares too many parts, too many bytes in all or a
    large part packed too tightly, before any is unpacked. The declared sizes bind: zipfile
    reads a part no further than its declared size (and then fails on its checksum)."""
    parts = book.infolist()
    if len(parts) > MAX_PARTS:
        raise BallotFileError(path, None, f"refused: the workbook holds over {MAX_PARTS} parts")
    if sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise BallotFileError(
            path, None, f"refused: the workbook would unpack to over {MAX_UNPACKED >> 20} MiB"
        )
    for part in parts:
        if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * part.compress_size:
            raise BallotFileError(
                path,
                None,
                f"refused: a part of the workbook would unpack to over {MAX_RATIO} times its"
                " stored size (a zip bomb?)",
            )


def _row_number(path: Path, row: Element) -> int:
    text = row.get("r", "0")
    if not text.isdecimal() or len(text) > 7:  # Excel's last row is 1,048,576
        raise BallotFileError(path, None, "a row whose number is not a row number")
    return int(text)


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings = []
    with book.open("xl/sharedStrings.xml") as stream:
        for _, element in iterparse(stream):
            if element.tag == f"{_NS}si":
                strings.append("".join(t.text or "" for t in element.iter(f"{_NS}t")))
                element.clear()
    return strings


def _first_sheet(path: Path, book: zipfile.ZipFile) -> str:
    sheets = sorted(n for n in book.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n))
    if not sheets:
        raise BallotFileError(path, None, "the workbook has no worksheet")
    return "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in sheets else sheets[0]


def _cells(path: Path, row: Element, strings: list[str]) -> list[str]:
    cells: list[str] = []
    for cell in row.iter(f"{_NS}c"):
        match = _CELL.match(cell.get("r", ""))
        if match is None:
            raise BallotFileError(path, None, f"a cell without a reference in row {row.get('r')}")
        column = _column_number(match.group(1))
        if column > LAST_COLUMN:  # else one cell could ask for a list of any size
            raise BallotFileError(path, None, f"a cell beyond column XFD in row {row.get('r')}")
        cells.extend([""] * (column - len(cells)))
        cells[column - 1] = _text(path, cell, strings)
    return cells


def _text(path: Path, cell: Element, strings: list[str]) -> str:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_NS}t")).strip()
    value = cell.find(f"{_NS}v")
    text = "" if value is None or value.text is None else value.text
    if kind == "s" and text:
        if not text.isdecimal() or int(text) >= len(strings):
            raise BallotFileError(path, None, "a cell names a shared string the workbook lacks")
        return strings[int(text)].strip()
    return text.strip()


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
