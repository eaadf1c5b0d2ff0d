"""The fast path of the RCTab CSV reader: a regular file's bytes parsed with NumPy, its rank
cells turned into the coded path's columns (``coded``).

It takes the files RCTab's generic CSV export writes: a header of column names, label
columns (ballot id, precinct) and then one column per candidate holding whole-number ranks
from 1 to the number of candidates, or nothing; no quotes, ``\\n`` or ``\\r\\n`` line ends,
no empty line, every row as long as the header. Fields end at commas and line ends, so the
file is read a run of lines at a time (a run's arrays reused by the next, not mapped
afresh) as an array of where each field ends, and a cell's rank looked up by its last two
bytes. The vote columns are guessed from the first run of rows (the trailing columns
holding ranks) and checked in every row as the general reader finds them: a column
holding no whole number, then columns holding ranks, each in some row. Every file it
cannot read the same way goes to the general reader (``None``): ragged rows, a rank cell
with spaces, a rank of 0 or past the last candidate, a quoted cell, an unnamed or
repeated candidate. The general reader then names the line at fault, so the two paths
read alike (``tests/count/formats/test_rctab_fast.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from omov.count.formats.coded import CodedRows, Irregular
from omov.count.formats.grid import DistinctRows
from omov.count.formats.runs import (
    Text,
    each_run,
    field_ends,
    file_bytes,
    keep_memory,
    line_runs,
    text_start,
)

_MAX_DIGITS = 4
"""A rank of more digits is past any candidate list this path takes."""
_UNSURE = 1000
"""Label cells read one by one at most, to be sure they hold no whole number: a file with
more (a numeric ballot id next to the first candidate) is left to the general reader."""
_DIGIT = np.zeros(256, dtype=np.bool_)
_DIGIT[ord("0") : ord("9") + 1] = True
_SIGN = _DIGIT.copy()
_SIGN[: ord(" ") + 1] = True  # spaces and controls, which str.strip may remove
_SIGN[0x80:] = True  # bytes of non-ASCII characters, some of which are digits to str.isdigit
_SIGN[ord("\n")] = False  # a line's end ends its last field, as a comma does
"""Bytes that may make up a cell the general reader takes as a whole number."""


def coded_rctab(path: Path) -> tuple[tuple[str, ...], DistinctRows] | None:
    """The candidates and distinct rows of a regular RCTab CSV file, or ``None``."""
    try:
        data = file_bytes(path)
    except OSError:
        return None
    start = text_start(data)
    header_end = data.find(b"\n", start)
    crlf = header_end > start and data[header_end - 1] == ord("\r")
    coded = _coded(*_regular_text(data, start, crlf=crlf))
    if coded is None and not crlf and data.find(b"\r", start) >= 0:
        # Rows ending "\r\n" after a header ending "\n" (the general reader takes both):
        # refused by their "\r", read again with "\n" for each.
        coded = _coded(*_regular_text(data, start, crlf=True))
    return coded


def _coded(data: Text, begin: int) -> tuple[tuple[str, ...], DistinctRows] | None:
    """``coded_rctab`` of the ``\\n``-ended lines of ``data`` from ``begin``."""
    body = data.find(b"\n", begin) + 1
    header = _header(data[begin : body - 1])
    if header is None:
        return None
    # No empty line: the general reader skips them, and its line numbers would differ. An
    # empty line is a row of one field, which ``field_ends`` refuses in a run of rows of
    # two or more: a search of the whole file for one is needed only for rows of one.
    if body == len(data) or data[body] == ord("\n"):
        return None
    if len(header) < 2 and data.find(b"\n\n", body) >= 0:
        return None
    keep_memory()  # before the first run's arrays too
    start = _first_vote_column(next(line_runs(data, body)), len(header))
    names = tuple(name.strip() for name in header[start:]) if start is not None else ()
    if start is None or not all(names) or len(set(names)) != len(names):
        return None
    rows = _rows(data, body, len(header), start, names)
    return None if rows is None else (names, rows)


def _regular_text(data: Text, start: int, *, crlf: bool) -> tuple[Text, int]:
    """The file's text from ``start`` (after a byte-order mark) as ``\\n``-ended lines, and
    where they start. The rows' bytes are checked a run at a time (``field_ends``), not
    here: with ``crlf`` (the header ends ``\\r\\n``) the file is copied with ``\\n`` for
    each (a ``\\r`` left is then refused), as is one with no line end at its end."""
    if crlf:
        data, start = data[start:].replace(b"\r\n", b"\n"), 0
    if data[-1:] != b"\n":
        data, start = data[start:] + b"\n", 0
    return data, start


def _header(line: bytes) -> list[str] | None:
    """The header's column names, or ``None`` if it is not UTF-8 or holds a quote, a NUL or
    a ``\\r`` (which the general reader reads otherwise)."""
    if any(sign in line for sign in (b'"', b"\0", b"\r")):
        return None
    try:
        return line.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None


def _first_vote_column(chars: npt.NDArray[np.uint8], width: int) -> int | None:
    """Where the vote columns start, guessed from a first run of rows as the general reader
    guesses from them all: the first of the trailing columns each holding a rank in some
    row (to the general reader, a whole number). ``None`` if there is none, or a row has
    not ``width`` fields.

    Only a guess, from each cell's last two bytes (and all of a cell that ends in two
    digits after another byte): ``_rows`` checks every row against it (no whole number in
    the column before, only ranks from it on, each column ranked in some row), and those
    make the general reader's guess the same."""
    ends = field_ends(chars, width, utf8=True)
    if ends is None:
        return None
    values, padded = _last_two(chars, ends)
    ranked = (values > 0) & (values != _TWO)  # one digit but 0, or ends in two but "00"
    longer = np.flatnonzero(values >= _TWO)
    longer = longer[~_SEPARATOR.take(padded.take(ends.take(longer) - 1))]  # the byte at ends - 3
    if len(longer):
        starts = np.where(longer > 0, ends.take(longer - 1) + 1, 0)
        ranked[longer] = _digits_only(chars, starts, ends.take(longer) - starts)
    votes = ranked.reshape(-1, width).any(axis=0)
    start = width
    while start > 0 and votes[start - 1]:
        start -= 1
    return None if start == width else start


def _digits_only(
    chars: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp]
) -> npt.NDArray[np.bool_]:
    """Whether each cell (of ``lengths`` bytes from ``starts``) is a rank's digits: from one
    to ``_MAX_DIGITS`` ASCII digits."""
    digits = (lengths > 0) & (lengths <= _MAX_DIGITS)
    for place in range(_MAX_DIGITS):
        inside = np.flatnonzero(digits & (lengths > place))
        digits[inside] = _DIGIT.take(chars.take(starts.take(inside) + place))
    return digits


def _rows(
    data: Text, body: int, width: int, start: int, names: tuple[str, ...]
) -> DistinctRows | None:
    """Every row's ranks as the coded path's columns, reduced to distinct rows; ``None``
    if a row puts the vote columns elsewhere (a label column's cell a number, a vote
    column's not a rank) or is not regular."""
    n = len(names)
    rows = CodedRows(n, n)  # as wide as the candidates: no rank past the last is taken
    marked = np.zeros(width - start, dtype=np.bool_)

    def read(chars: npt.NDArray[np.uint8]) -> bool:
        ends = field_ends(chars, width, utf8=True)
        if ends is None or not (start == 0 or _no_number_in(chars, ends, width, start - 1)):
            return False
        codes = _codes(chars, ends, width, start, n)
        if codes is None:
            return False
        marked[codes[1]] = True  # from either thread: each only sets
        rows.add(list(codes[0]))
        return True

    try:
        if not each_run(line_runs(data, body), read):
            return None
        return rows.distinct(None, stop_column=True) if marked.all() else None
    except Irregular:
        return None


def _no_number_in(
    chars: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp], width: int, column: int
) -> bool:
    """Whether no field of ``column`` reads as a whole number to the general reader
    (``str.strip``, then ``str.isdigit``): one whose first or last byte is an ASCII letter
    or sign does not, and the few others are read as the general reader reads them."""
    by_row = ends.reshape(-1, width)
    if column > 0:
        starts = by_row[:, column - 1] + 1
    else:
        starts = np.empty(len(by_row), dtype=np.intp)
        starts[0] = 0
        starts[1:] = by_row[:-1, -1] + 1
    stops = by_row[:, column]
    lasts = np.maximum(stops - 1, 0)
    edges = _SIGN.take(chars.take(starts)) & _SIGN.take(chars.take(lasts))
    unsure = np.flatnonzero((stops > starts) & edges)
    if len(unsure) > _UNSURE:
        return False
    data = chars.tobytes() if len(unsure) else b""
    cells = (data[starts[i] : stops[i]].decode("utf-8") for i in unsure)
    return not any(cell.strip().isdigit() for cell in cells)


def _cell_values() -> npt.NDArray[np.int16]:
    """A vote cell's rank by its last two bytes (the two before the comma or line end
    that ends it), as one little-endian 16-bit number (the second byte the high one): 0 if
    empty, a digit after a separator its own value (not 0), two digits ``_TWO`` more than
    their value (a longer cell ends so too), and anything else ``-1``."""
    table = np.full(1 << 16, -1, dtype=np.int16)
    digits = np.arange(10, dtype=np.int16)
    for separator in b",\n":
        table[[byte + (separator << 8) for byte in range(256)]] = 0
        table[separator + ((ord("0") + digits[1:]) << 8)] = digits[1:]
    for tens in range(10):
        table[ord("0") + tens + ((ord("0") + digits) << 8)] = _TWO + 10 * tens + digits
    return table


_TWO = 1 << 8
_CELL_VALUES = _cell_values()
_SEPARATOR = np.zeros(256, dtype=np.bool_)
_SEPARATOR[[ord(","), ord("\n")]] = True


def _last_two(
    chars: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.uint8]]:
    """Each field's ``_CELL_VALUES`` entry (by the two bytes before its end), and the run's
    bytes after two line ends (``padded[ends + 2 - k]`` is the ``k``-th byte before a
    field's end, a line end before the run's first byte)."""
    padded = np.empty(len(chars) + 2, dtype=np.uint8)
    padded[:2] = ord("\n")  # as if after a line end: a first cell's bytes before it
    padded[2:] = chars
    pairs = np.ndarray((len(padded) - 1,), "<u2", padded, strides=(1,))
    # ends - 2 and - 1 in chars; np.take, several times faster than indexing with an array
    return _CELL_VALUES.take(pairs.take(ends)), padded


def _codes(
    chars: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp], width: int, start: int, n: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.intp]] | None:
    """Rank by rank (one row a rank), the candidate marked there, blank (``n``) or
    overvote (``n + 1``), and the vote column of each mark; ``None`` if a vote cell is not
    a rank from 1 to ``n``."""
    ranks = _ranks(chars, ends, width, start)
    if ranks is None or ranks.max(initial=0) > n:
        return None
    # Flat, gathering with np.take (faster than indexing with an array; np.put is slower
    # than assigning through one); NumPy finds the nonzero entries of a boolean array
    # several times faster than of others.
    flat = ranks.ravel()
    marked = np.flatnonzero(flat != 0)
    row = marked // width
    column = marked - row * width
    column -= start
    candidate = column.astype(np.int16)
    place = flat.take(marked).astype(np.intp)  # the mark's rank, then its place in codes
    place -= 1
    place *= len(ranks)
    place += row
    codes = np.full((n, len(ranks)), n, dtype=np.int16)
    flat_codes = codes.ravel()
    flat_codes[place] = candidate
    # Two candidates at one rank of a row: one of them is not the code kept there.
    lost = codes.take(place) != candidate
    if lost.any():
        flat_codes[place[lost]] = n + 1
    return codes, column


def _ranks(
    chars: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp], width: int, start: int
) -> npt.NDArray[np.int16] | None:
    """Each field's rank, one row a line (0 where empty, and in the label columns); ``None``
    if a vote cell holds anything else, a 0, or a number too long to be a rank. A cell of
    one or two bytes is looked up by its last two; a longer one is read digit by digit."""
    values, padded = _last_two(chars, ends)
    ranks = values.reshape(-1, width)
    ranks[:, :start] = 0
    if len(ranks) == 0 or ranks.min() < 0:
        return None
    flat = ranks.ravel()
    two = np.flatnonzero(flat >= _TWO)
    if len(two):
        flat[two] -= _TWO
        longer = two[~_SEPARATOR[padded[ends[two] - 1]]]  # the byte at ends - 3
        if len(longer):
            starts = np.where(longer > 0, ends[longer - 1] + 1, 0)
            numbers = _numbers(chars, starts, ends[longer] - starts)
            if numbers is None:
                return None
            flat[longer] = numbers
        if (flat[two] == 0).any():  # "00", "000"...
            return None
    return ranks


def _numbers(
    chars: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp]
) -> npt.NDArray[np.int16] | None:
    """Each cell's whole number (0 where empty), digit by digit; ``None`` if a cell holds
    anything else, a 0, or a number too long to be a rank. An empty cell's start is the
    comma or line end after it, a byte below the digits."""
    longest = int(lengths.max(initial=0))
    if longest > _MAX_DIGITS:
        return None
    values = chars[starts].astype(np.int16) - ord("0")
    if (values > 9).any() or ((values < 0) != (lengths == 0)).any():
        return None
    np.maximum(values, 0, out=values)
    for place in range(1, longest):
        longer = np.flatnonzero(lengths > place)
        digit = chars[starts.flat[longer] + place].astype(np.int16) - ord("0")
        if ((digit < 0) | (digit > 9)).any():
            return None
        values.flat[longer] = values.flat[longer] * 10 + digit
    if ((values == 0) & (lengths > 0)).any():
        return None
    return values
