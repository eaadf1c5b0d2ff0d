"""RCTab's generic CSV cast vote records: one row per ballot, one column per candidate.

The header row names the candidates; from the first vote column on, each cell holds the
rank the voter gave that candidate (blank: not ranked). Columns before it carry a ballot
id, precinct or batch. Two candidates given the same rank on one row are an overvote at
that rank. The whole file is parsed at once with the ``csv`` module; errors name the line.

``parse_rctab_csv`` returns candidate names and the rank grid without a ballot policy, so an
RCTab config can map names through its aliases (and its undeclared write-in label) first.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from omov.count.ballots import BLANK, OVERVOTE, BallotPolicy, BallotSet
from omov.count.errors import BallotFileError
from omov.count.formats import Progress, register_reader

if TYPE_CHECKING:
    from omov.count.formats.cdf import CastVoteRecords


@register_reader("rctab-csv")
def read_rctab_csv(
    path: Path, *, policy: BallotPolicy, progress: Progress | None = None
) -> BallotSet:
    """Read with the vote columns guessed: the trailing columns holding only ranks. A
    regular file takes the coded path (``rctab_fast``); any other is read row by row."""
    from omov.count.formats.rctab_fast import coded_rctab

    fast = coded_rctab(path)
    if fast is not None:
        names, rows = fast
        if progress is not None:
            progress(1, 1)
        return BallotSet.from_codes(
            names, rows.codes, weights=rows.weights, policy=policy, checked=rows.checked
        )
    records = parse_rctab_csv(path)
    if progress is not None:
        progress(1, 1)
    return BallotSet.from_grid(records.names, records.grid, policy=policy)


def parse_rctab_csv(
    path: Path,
    *,
    first_vote_column: int | None = None,
    first_vote_row: int = 2,
    precinct_column: int | None = None,
) -> CastVoteRecords:
    """Ballots from ``path``; ``first_vote_column`` and ``first_vote_row`` count from 1, as
    RCTab's config does (the header is the row before the first vote row). With
    ``precinct_column``, each ballot is labelled with its precinct."""
    rows = _rows(path)
    if len(rows) < first_vote_row - 1 or first_vote_row < 2:
        raise BallotFileError(path, None, "no header row of candidate names")
    header = rows[first_vote_row - 2]
    body = rows[first_vote_row - 1 :]
    start = _guess_first_column(header, body) if first_vote_column is None else first_vote_column
    names = tuple(name.strip() for name in header[start - 1 :])
    if not names or any(not name for name in names):
        raise BallotFileError(path, first_vote_row - 1, "a candidate column has no name")
    if len(set(names)) != len(names):
        raise BallotFileError(path, first_vote_row - 1, "a candidate is named twice")
    marks: list[list[tuple[int, int]]] = []
    for offset, row in enumerate(body):
        line = first_vote_row + offset
        if len(row) != len(header):
            raise BallotFileError(
                path, line, f"{len(row)} columns where the header has {len(header)}"
            )
        marks.append(_marks(path, line, row[start - 1 :]))
    width = max((rank for row_marks in marks for rank, _ in row_marks), default=1)
    grid = np.full((len(body), width), BLANK, dtype=np.int16)
    for r, row_marks in enumerate(marks):
        for rank, candidate in row_marks:
            cell = grid[r, rank - 1]
            grid[r, rank - 1] = candidate if cell == BLANK else OVERVOTE
    precincts = None
    if precinct_column is not None:
        precincts = tuple(row[precinct_column - 1].strip() for row in body)
    from omov.count.formats.cdf import CastVoteRecords  # here: the fast path needs no json

    return CastVoteRecords(names, grid, sections=precincts)


def _rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise BallotFileError(path, None, f"cannot read the file as UTF-8 text: {error}") from None
    try:
        return [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error as error:
        raise BallotFileError(path, None, f"not a CSV file: {error}") from None


MIN_RANKS = 10
"""A ballot may offer more rankings than there are candidates (a skipped one is a blank);
past this many and the candidates' number, a rank is an error, not a grid to allocate."""


def _marks(path: Path, line: int, cells: list[str]) -> list[tuple[int, int]]:
    """(rank, candidate id) for each ranked candidate on one row."""
    marks = []
    highest = max(len(cells), MIN_RANKS)
    for candidate, cell in enumerate(cells):
        value = cell.strip()
        if not value:
            continue
        if not (value.isascii() and value.isdigit()) or int(value[:12]) < 1:
            raise BallotFileError(path, line, f"rank {value[:20]!r} is not a whole number from 1")
        if len(value) > 6 or int(value) > highest:  # the grid is as wide as the top rank
            raise BallotFileError(
                path, line, f"rank {value[:20]} is above the number of candidates ({len(cells)})"
            )
        marks.append((int(value), candidate))
    return marks


def _guess_first_column(header: list[str], body: list[list[str]]) -> int:
    """The first of the trailing columns that hold ranks: a column with no whole number in
    it (a ballot id, precinct or batch label) ends the run. Junk in a vote column is then
    reported by line when the ranks are read."""
    start = len(header)
    for column in range(len(header) - 1, -1, -1):
        cells = (row[column].strip() for row in body if column < len(row))
        if any(cell.isdigit() for cell in cells):
            start = column
        else:
            break
    return start + 1
