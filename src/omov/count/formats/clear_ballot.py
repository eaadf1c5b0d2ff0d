"""Clear Ballot cast vote records (CSV), as RCTab reads them.

After a few columns about the ballot (box, precinct, style...), each column is one choice
on one contest at one rank, named ``Choice_<id>_1:<contest>:<rank>:<vote for>:<candidate>:<party>``;
a cell of 1 marks it. Two candidates marked at one rank are an overvote. The file is parsed
at once with the ``csv`` module (contest names may hold commas, inside quotes).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from omov.count.ballots import BLANK, OVERVOTE
from omov.count.errors import BallotFileError
from omov.count.formats.cdf import CastVoteRecords


def parse_clear_ballot(path: Path, contest: str) -> CastVoteRecords:
    """The ballots of ``contest`` (its name as the column headers give it)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BallotFileError(path, None, f"cannot read the CSV file: {error}") from None
    if not rows:
        raise BallotFileError(path, None, "the file is empty")
    choices = _choices(path, rows[0], contest)
    names = tuple(dict.fromkeys(name for _, _, name in choices))
    index = {name: i for i, name in enumerate(names)}
    width = max(rank for _, rank, _ in choices)
    grid = np.full((len(rows) - 1, width), BLANK, dtype=np.int16)
    for r, row in enumerate(rows[1:]):
        if len(row) != len(rows[0]):
            raise BallotFileError(
                path, r + 2, f"{len(row)} columns where the header has {len(rows[0])}"
            )
        for column, rank, name in choices:
            mark = row[column].strip()
            if mark in ("", "0"):
                continue
            if mark != "1":
                raise BallotFileError(path, r + 2, f"mark {mark!r} is neither 0 nor 1")
            cell = grid[r, rank - 1]
            grid[r, rank - 1] = index[name] if cell == BLANK else OVERVOTE
    return CastVoteRecords(names, grid, contest)


def _choices(path: Path, header: list[str], contest: str) -> list[tuple[int, int, str]]:
    """(column, rank, candidate) of every choice column of ``contest``."""
    choices = []
    for column, title in enumerate(header):
        if not title.startswith("Choice_"):
            continue
        fields = title.split(":")
        if len(fields) < 5 or not fields[2].strip().isdigit():
            raise BallotFileError(path, 1, f"choice column {title!r} is not contest:rank:...:name")
        if fields[1] == contest:
            choices.append((column, int(fields[2]), fields[4].strip()))
    if not choices:
        raise BallotFileError(path, 1, f"no choice columns for contest {contest!r}")
    return choices
