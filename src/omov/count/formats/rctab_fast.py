"""The fast path of the RCTab CSV reader: the file parsed by PyArrow's multithreaded CSV
reader, its rank columns turned into the coded path's columns (``coded``) with NumPy.

It takes the files RCTab's generic CSV export writes: a header of column names, label
columns (ballot id, precinct) and then one column per candidate holding whole-number ranks
from 1 to the number of candidates, or nothing. It finds the vote columns as the general
reader does (the trailing columns holding ranks) and leaves every file it cannot read the
same way to it (``None``): ragged rows, a rank cell with spaces, a rank of 0 or past the
last candidate, a column of decimals, an unnamed or repeated candidate. The general
reader then names the line at fault, so the two paths read alike
(``tests/count/formats/test_rctab_fast.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from omov.count.formats.coded import CodedRows, Irregular
from omov.count.formats.grid import DistinctRows

_DIGITS = r"^\s*[0-9]+\s*$"


def coded_rctab(path: Path) -> tuple[tuple[str, ...], DistinctRows] | None:
    """The candidates and distinct rows of a regular RCTab CSV file, or ``None``."""
    try:
        table = pacsv.read_csv(path)
    except (OSError, pa.ArrowException):
        return None
    try:
        start = _first_vote_column(table)
        if start is None or table.num_rows == 0:
            return None
        names = tuple(name.lstrip("\ufeff").strip() for name in table.column_names[start:])
    except UnicodeDecodeError:  # not UTF-8: the general reader names the line
        return None
    if not all(names) or len(set(names)) != len(names):
        return None
    ranks = [table.column(i) for i in range(start, table.num_columns)]
    columns = _codes(ranks, len(names))
    if columns is None:
        return None
    rows = CodedRows(len(names), len(columns), expected_rows=table.num_rows)
    try:
        rows.add(columns)
        return names, rows.distinct(None, stop_column=True)
    except Irregular:
        return None


def _first_vote_column(table: pa.Table) -> int | None:
    """The first of the trailing integer columns, where the general reader's guess would
    put it (the column before holds no whole number), or ``None``."""
    start: int = table.num_columns
    while start > 0 and pa.types.is_integer(table.schema.field(start - 1).type):
        start -= 1
    if start == table.num_columns:
        return None
    if start > 0:
        before = table.column(start - 1)
        kind = before.type
        if not (pa.types.is_string(kind) or pa.types.is_null(kind)):
            return None
        if pa.types.is_string(kind) and pc.any(pc.match_substring_regex(before, _DIGITS)).as_py():
            return None
    return start


def _codes(ranks: list[pa.ChunkedArray], n: int) -> list[npt.NDArray[np.int16]] | None:
    """Rank by rank, the candidate marked there, blank (``n``) or overvote (``n + 1``)."""
    values = [_ranks(column, n) for column in ranks]
    if any(v is None for v in values):
        return None
    given = [v for v in values if v is not None]
    width = max(max(int(v.max()) for v in given), 1)
    rows = len(given[0])
    codes = np.full((width, rows), n, dtype=np.int16)
    marks = np.zeros((width, rows), dtype=np.int16)
    for candidate, rank in enumerate(given):
        marked = np.flatnonzero(rank)
        at = rank[marked] - 1
        codes[at, marked] = candidate
        marks[at, marked] += 1  # one rank, one candidate: no row appears twice here
    codes[marks > 1] = n + 1
    return list(codes)


def _ranks(column: pa.ChunkedArray, n: int) -> npt.NDArray[np.int16] | None:
    """An integer column's ranks, 0 where empty, or ``None`` if one is outside 1..n. Read
    from its buffers: Arrow's own conversions to NumPy import pandas where it is installed
    (seconds)."""
    try:  # ranks are small: 16 bits hold them, at a quarter of the memory of Arrow's 64
        array = column.combine_chunks().cast(pa.int16())
    except pa.ArrowInvalid:  # a number past 16 bits: not a rank
        return None
    validity, data = array.buffers()[:2]
    start, size = array.offset, len(array)
    values = np.frombuffer(data, dtype=np.int16, count=start + size)[start:]
    if validity is not None and array.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        valid = bits[start : start + size].astype(np.bool_)
        if (values[valid] < 1).any():
            return None
        values = np.where(valid, values, 0)
    elif size and values.min() < 1:
        return None
    return values if not size or values.max() <= n else None
