"""The fast path of the BLT reader: a regular ballot section parsed in one pass of C code
and handed to the coded path that Parquet's reader uses (``coded``), not to the grid.

A regular section is what tabulators write: each ballot line ``w c1 c2 ... 0`` with one
space between tokens, ``\\n`` line ends, no ``-`` (blank rank), no ``=`` (equal ranking),
no blank line. Such a section is checked with a few byte searches, its numbers read by
``np.fromstring`` in one call, and its lines found from the zeros that end them (in a
regular section every line ends with its only zero: a candidate id or a weight is at
least 1). Any other section, or one whose numbers are out of range, is ``None`` here and
is read by the general reader, which names the faulty line: the two paths read the same
files into the same ballot sets (``tests/count/formats/test_blt_fast.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt

from omov.count.formats.coded import CodedRows, Irregular
from omov.count.formats.grid import DistinctRows

_REGULAR_BYTES = b"0123456789 \n"
_MAX_WEIGHT = 10**15 - 1
"""The general reader refuses numbers of more than 15 digits."""


def coded_section(section: bytes, n_candidates: int) -> DistinctRows | None:
    """The distinct rows of a regular ballot section, or ``None`` if it is not regular."""
    lines = _lines(section)
    if lines is None:
        return None
    values, starts, lengths = lines
    width = max(int(lengths.max(initial=0)), 1)
    columns = []
    for rank in range(width):
        column = _rank_column(values, starts, lengths, rank, n_candidates)
        if column is None:
            return None
        columns.append(column)
    weights = values[starts]
    rows = CodedRows(n_candidates, width, expected_rows=len(starts))
    try:
        rows.add(columns, None if (weights == 1).all() else weights)
        return rows.distinct(None, stop_column=True)
    except Irregular:
        return None


def _lines(
    section: bytes,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp], npt.NDArray[np.intp]] | None:
    """Every number, and each line's first number (its weight) and count of ranks."""
    if not section.endswith(b"\n") or section.translate(None, _REGULAR_BYTES):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy warns, rather than fails, on what it cannot read
        try:
            values = np.fromstring(section, dtype=np.int64, sep=" ")
        except (ValueError, DeprecationWarning):
            return None
    ends = np.flatnonzero(values == 0)
    if len(ends) != section.count(b"\n") or not _every_line_ends_in_zero(section):
        return None
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts - 1
    if (lengths < 0).any() or (values[starts] > _MAX_WEIGHT).any():
        return None
    return values, starts, lengths


def _every_line_ends_in_zero(section: bytes) -> bool:
    """Each line's last token is ``0`` alone (" 0" before its line end)."""
    chars = np.frombuffer(section, dtype=np.uint8)
    line_ends = np.flatnonzero(chars == ord("\n"))
    if line_ends[0] < 2:
        return False
    return bool(((chars[line_ends - 1] == ord("0")) & (chars[line_ends - 2] == ord(" "))).all())


def _rank_column(
    values: npt.NDArray[np.int64],
    starts: npt.NDArray[np.intp],
    lengths: npt.NDArray[np.intp],
    rank: int,
    n: int,
) -> npt.NDArray[np.int16] | None:
    """The codes at ``rank`` of every line: candidate ids from 0, blank (``n``) past the
    line's last rank; ``None`` if an id is past the last candidate (every id is at least
    1: zeros end the lines)."""
    column = np.full(len(starts), n, dtype=np.int16)
    has = np.flatnonzero(lengths > rank)
    ids = values[starts[has] + 1 + rank]
    if int(ids.max(initial=0)) > n:
        return None
    column[has] = ids - 1
    return column
