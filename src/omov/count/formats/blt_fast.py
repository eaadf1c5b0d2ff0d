"""The fast path of the BLT reader: a regular ballot section parsed with NumPy and handed
to the coded path that Parquet's reader uses (``coded``), not to the grid.

A regular section is what tabulators write: each ballot line ``w c1 c2 ... 0`` with one
space between tokens, ``\\n`` line ends, no ``-`` (blank rank), no ``=`` (equal ranking),
no blank line. Such a section is read (and its bytes checked) a run of lines at a time,
where it lies in the file, mapped (so the arrays of one run are reused by the next, not
mapped afresh): tokens end at
the spaces and newlines, each token's value is built from its one or two digits (more for
a few weights), and lines end at their only zero (a candidate id or a weight is at least
1). Any other section, or one whose numbers are out of range, is ``None`` here and is read
by the general reader, which names the faulty line: the two paths read the same files into
the same ballot sets (``tests/count/formats/test_blt_fast.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from omov.count.formats.coded import CodedRows, Irregular
from omov.count.formats.grid import DistinctRows
from omov.count.formats.runs import Text, each_run, line_runs

_MAX_DIGITS = 15
"""The general reader refuses numbers of more than 15 digits."""


def coded_section(
    data: Text, n_candidates: int, start: int = 0, stop: int | None = None
) -> DistinctRows | None:
    """The distinct rows of a regular ballot section (``data[start:stop]``: read where it
    lies, not copied), or ``None`` if it is not regular."""
    stop = len(data) if stop is None else stop
    if stop <= start or data[stop - 1] != ord("\n"):
        return None
    # As wide as the candidates, unless a line ranks more (it repeats one): the rows'
    # width is fixed before the first run of lines is read.
    width = max(n_candidates, 1)
    while True:
        rows = _coded(data, start, stop, n_candidates, width)
        if not isinstance(rows, int):
            return rows
        width = rows


def _coded(
    data: Text, start: int, stop: int, n_candidates: int, width: int
) -> DistinctRows | int | None:
    """The distinct rows, ``None`` if the section is not regular, or the width it needs
    if that is more than ``width``."""
    # At most a line each 4 bytes ("1 0\n"): the buffer's pages past its use are never touched.
    rows = CodedRows(n_candidates, width, expected_rows=(stop - start) // 4 + 1)
    wider = False
    """A run has a line of more ranks than ``width`` (and none found is irregular)."""

    def read(chunk: npt.NDArray[np.uint8]) -> bool:
        nonlocal wider
        lines = _lines(chunk)
        if lines is None:
            return False
        ranks = _ranks(*lines, n_candidates, width)
        if isinstance(ranks, int):
            wider = ranks > width
            return False
        weights = lines[0].take(lines[1])
        rows.add(ranks, None if (weights == 1).all() else weights.astype(np.int64))
        return True

    try:
        if each_run(line_runs(data, start, stop), read):
            return rows.distinct(None, stop_column=True)
    except Irregular:
        return None
    # Runs are read in two threads, so the run that stopped them is any faulty one, not
    # the first: a wider read finds any irregular run the narrow one did not.
    return max(_widest(data, start, stop), width + 1) if wider else None


def _widest(data: Text, start: int, stop: int) -> int:
    """The most ranks on one line of a regular section."""
    widest = 0
    for chunk in line_runs(data, start, stop):
        lines = _lines(chunk)
        if lines is not None:
            widest = max(widest, int((lines[2] - lines[1]).max()) - 1)
    return widest


Lines = tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.intp], npt.NDArray[np.intp]]
"""Every number of a run of lines, and the index of each line's first (its weight) and
last (its 0)."""


def _pair_values() -> npt.NDArray[np.int16]:
    """The value of a token's last two bytes, by the two bytes as one big-endian 16-bit
    number: a digit after a separator is its own value, two digits make tens and units."""
    table = np.zeros(1 << 16, dtype=np.int16)
    digits = np.arange(10, dtype=np.int16)
    for separator in b" \n":
        table[(separator << 8) + ord("0") + digits] = digits
    for tens in range(10):
        table[((ord("0") + tens) << 8) + ord("0") + digits] = 10 * tens + digits
    return table


_PAIR_VALUES = _pair_values()


def _lines(chars: npt.NDArray[np.uint8]) -> Lines | None:
    """The numbers and lines of a run of regular lines (digits, each token ended by one
    space or a newline), or ``None``. The bytes are checked here, a run at a time in the
    runs' threads: a search of the whole section for other bytes first (``bytes.translate``)
    took 10-14 ms of a count of 10^6 ballots, in one thread."""
    digit = chars >= ord("0")  # a space or a newline ends each token
    # Every token has a digit: no separator first, none right after another.
    if not digit[0] or not (digit[1:] | digit[:-1]).all() or (chars > ord("9")).any():
        return None
    ends = np.flatnonzero(~digit)
    separators = chars.take(ends)
    newline = separators == ord("\n")
    if not (newline | (separators == ord(" "))).all():
        return None
    values = _numbers(chars, digit, ends)
    if values is None:
        return None
    line_ends = np.flatnonzero(newline)
    zeros = np.flatnonzero(values == 0)
    # Each line ends in its only zero ("0" itself, one digit): a weight or a candidate id is
    # at least 1, so a line is a weight, its ranks and the 0, and no line "0" ends the
    # section early.
    if not np.array_equal(zeros, line_ends) or digit[ends[line_ends] - 2].any():
        return None
    line_starts = np.empty_like(line_ends)
    line_starts[0] = 0
    line_starts[1:] = line_ends[:-1] + 1
    if (line_ends == line_starts).any():
        return None
    return values, line_starts, line_ends


def _numbers(
    chars: npt.NDArray[np.uint8], digit: npt.NDArray[np.bool_], ends: npt.NDArray[np.intp]
) -> npt.NDArray[np.integer[Any]] | None:
    """Each token's value (``None`` if one is longer than 15 digits). Ids and most weights
    have one or two digits: each token's last two bytes are then read as one 16-bit number
    (an unaligned view) and looked up. A run with a longer token is read digit by digit."""
    if (digit[2:] & digit[1:-1] & digit[:-2]).any():
        return _long_numbers(chars, ends)
    pairs = np.ndarray((len(chars) - 1,), ">u2", chars, strides=(1,))
    # np.take: several times faster than indexing with an array. ends[0] - 2 may be -1:
    values: npt.NDArray[np.int16] = _PAIR_VALUES.take(pairs.take(ends - 2))
    if ends[0] == 1:  # a first token of one digit, with no byte before it
        values[0] = chars[0] - ord("0")
    return values


def _long_numbers(
    chars: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp]
) -> npt.NDArray[np.int64] | None:
    """Each token's value, digit by digit: every token has one, fewer have a second (ids
    past 9), few a third (weights)."""
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts
    if lengths.max() > _MAX_DIGITS:
        return None
    values = chars[starts].astype(np.int64) - ord("0")
    longer = np.flatnonzero(lengths > 1)
    for place in range(1, int(lengths.max())):
        if place > 1:
            longer = longer[lengths[longer] > place]
        values[longer] = values[longer] * 10 + chars[starts[longer] + place] - ord("0")
    return values


def _ranks(
    values: npt.NDArray[np.integer[Any]],
    line_starts: npt.NDArray[np.intp],
    line_ends: npt.NDArray[np.intp],
    n: int,
    width: int,
) -> list[npt.NDArray[np.int16]] | int:
    """The codes rank by rank (``width`` columns): candidate ids from 0, blank (``n``) past
    a line's last rank. Else the number of ranks of a line longer than ``width``, or 0 if an
    id is past the last candidate."""
    counts = line_ends - line_starts + 1  # tokens on each line: a weight, ranks, the 0
    longest = int(counts.max()) - 2
    if longest > width:
        return longest
    # Only weights may be past the last candidate.
    if np.count_nonzero(values > n) != np.count_nonzero(values.take(line_starts) > n):
        return 0
    # Every token of a line goes into one row of a grid (weight, ranks, the 0 made blank):
    # a token's place is its index plus its line's offset, so one scatter writes them all.
    # The places step by one along a line, and from a line's 0 to the next line's weight
    # by the rest of the row: their running sum (np.repeat of the offsets costs twice it).
    stride = width + 2
    places = np.ones(len(values), dtype=np.intp)
    places[0] = 0  # line_starts[0]
    places[line_starts[1:]] = stride + 1 - counts[:-1]
    np.cumsum(places, out=places)
    codes = values - 1
    codes[line_ends] = n
    grid = np.full((len(line_ends), stride), n, dtype=np.int16)
    grid.ravel()[places] = codes
    return [grid[:, 1 + rank] for rank in range(width)]
