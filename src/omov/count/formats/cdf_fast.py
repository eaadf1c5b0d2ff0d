"""The fast path of the CDF reader: a regular report parsed by PyArrow's JSON reader (C++,
no Python object per value), its marks gathered into the rank grid with NumPy.

``json.loads`` builds a dict for every CVR, snapshot, selection and position (about ten
per ranked candidate), and the general reader then walks them one by one: both cost more
than parsing the bytes. PyArrow reads the whole report into nested columns instead; the
marks are the ``Rank`` column of the flattened positions, each traced up to its CVR through
the lists' parent indices.

It takes the reports exporters write (RCTab's among them): one snapshot per CVR, the
contest's selections and positions as lists of objects, ranks as whole numbers, selection
ids as strings, and no ``null`` in the file (PyArrow reads a key left out as null, and the
general reader tells the two apart). Everything else goes to the general reader (``None``):
a report PyArrow refuses (a key given twice, which ``json`` reads as its last value), a
value of another type than these, a rank out of range, an unknown selection, a file
nested deeper than ``json`` reads or too large for one PyArrow block. The general reader
then names the fault, so the two paths read alike (``tests/count/formats/test_cdf_fast.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from omov.count.ballots import BLANK, OVERVOTE
from omov.count.errors import BallotFileError
from omov.count.formats import cdf
from omov.count.formats.cdf import CastVoteRecords
from omov.count.formats.coded import Irregular

MAX_BLOCK = (1 << 31) - 1
"""PyArrow reads the report as one block, whose size is a 32-bit number."""
MAX_DEPTH = 64
"""Nesting deeper than this goes to the general reader: ``json`` refuses a file nested
past Python's recursion limit (1000), PyArrow does not. A report nests eight deep."""
_PLAIN = (pa.types.is_string, pa.types.is_int64, pa.types.is_boolean, pa.types.is_null)
"""Types that convert back to the Python values ``json`` gives (not a double, which a whole
number of another value would be promoted to, nor a timestamp PyArrow infers from text)."""


def cast_vote_records(path: Path, data: bytes, contest_id: str | None) -> CastVoteRecords | None:
    """The contest's ballots as the general reader reads them, or ``None``."""
    if not _plain_text(data):
        return None
    try:
        table = pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(block_size=len(data) + 1),
            parse_options=pj.ParseOptions(newlines_in_values=True),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows != 1 or _too_deep(pa.struct(list(table.schema))):
        return None
    try:
        return _records(path, table, contest_id)
    except (BallotFileError, TypeError, AttributeError, KeyError, Irregular):
        return None


def _plain_text(data: bytes) -> bool:
    """Text PyArrow reads as ``json`` does: UTF-8 without a byte-order mark, no ``null``
    (conservatively: not even in a string) and not too large."""
    if len(data) >= MAX_BLOCK or data.startswith(b"\xef\xbb\xbf") or b"null" in data:
        return False
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def _too_deep(kind: pa.DataType) -> bool:
    """Whether a type nests past ``MAX_DEPTH`` (walked without recursion: it may nest as
    deep as the file)."""
    level = [kind]
    for _ in range(MAX_DEPTH + 1):
        level = [child for parent in level for child in _children(parent)]
        if not level:
            return False
    return True


def _children(kind: pa.DataType) -> list[pa.DataType]:
    if pa.types.is_struct(kind):
        return [kind.field(i).type for i in range(kind.num_fields)]
    return [kind.value_type] if pa.types.is_list(kind) else []


def _records(path: Path, table: pa.Table, contest_id: str | None) -> CastVoteRecords:
    election = _election(table)
    contest, selections = cdf.election_contest(path, _plain_values(election), contest_id)
    names = tuple(dict.fromkeys(selections.values()))
    index = {name: i for i, name in enumerate(names)}
    cvrs = _list_values(table.column("CVR").combine_chunks())
    marks = _marks(cvrs, str(contest.get("@id", "")), selections, index)
    return CastVoteRecords(names, _grid(len(cvrs), *marks), str(contest.get("Name", "")))


def _election(table: pa.Table) -> Any:
    """The report's ``Election`` as ``json`` gives it (a key PyArrow reads as null, being
    another object's, left out)."""
    if "Election" not in table.column_names:
        raise Irregular
    column = table.column("Election")
    if not _plain(column.type):
        raise Irregular
    return _without_nulls(column.to_pylist()[0])


def _plain(kind: pa.DataType) -> bool:
    """Whether every value of the type converts back to what ``json`` gives (a type at
    most ``MAX_DEPTH`` deep)."""
    children = _children(kind)
    if children:
        return all(_plain(child) for child in children)
    return any(test(kind) for test in _PLAIN)


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _plain_values(election: Any) -> dict[str, Any]:
    if isinstance(election, list) and election and isinstance(election[0], dict):
        return election[0]
    if isinstance(election, dict):
        return election
    raise Irregular


def _list_values(lists: pa.Array) -> pa.StructArray:
    """The objects of a column of lists of objects (``Irregular`` if it is not one)."""
    if not (pa.types.is_list(lists.type) and pa.types.is_struct(lists.type.value_type)):
        raise Irregular
    values: pa.StructArray = pc.list_flatten(lists)
    return values


def _field(objects: pa.StructArray, name: str, test: Any) -> pa.Array:
    """A field of every object, of the type ``test`` accepts."""
    if objects.type.get_field_index(name) < 0:
        raise Irregular
    field = objects.field(name)
    if not test(field.type):
        raise Irregular
    return field


def _parents(objects: pa.StructArray, name: str) -> tuple[pa.StructArray, npt.NDArray[np.intp]]:
    """The objects listed in field ``name`` of each object (a left-out list: none), and
    the index of the object listing each."""
    lists = _field(objects, name, pa.types.is_list)
    children = _list_values(lists)
    return children, _int64s(pc.list_parent_indices(lists)).astype(np.intp)


# PyArrow's to_numpy and pa.array import pandas (half a second) to see whether they were
# handed one: the arrays' buffers are read directly instead, as the Parquet reader does.
def _int64s(array: pa.Array) -> npt.NDArray[np.int64]:
    """An int64 array's values (whatever lies under a null), zero-copy."""
    values: npt.NDArray[np.int64] = np.frombuffer(
        array.buffers()[1], dtype=np.int64, count=len(array), offset=array.offset * 8
    )
    return values


def _nulls(array: pa.Array) -> npt.NDArray[np.bool_]:
    if not array.null_count:
        return np.zeros(len(array), dtype=np.bool_)
    bits = np.frombuffer(array.buffers()[0], dtype=np.uint8)
    valid = np.unpackbits(bits, count=array.offset + len(array), bitorder="little")
    nulls: npt.NDArray[np.bool_] = valid[array.offset :] == 0
    return nulls


def _codes(strings: pa.Array, codes: Mapping[str, int]) -> npt.NDArray[np.intp]:
    """Each string's code in ``codes``: ``UNKNOWN`` for another string, ``NULL`` for null."""
    encoded = pc.dictionary_encode(strings)
    table = [codes.get(value, UNKNOWN) for value in encoded.dictionary.to_pylist()]
    indices = encoded.indices.cast(pa.int64())
    found = np.array([*table, NULL], dtype=np.intp)[_int64s(indices)]
    found[_nulls(indices)] = NULL
    return found


UNKNOWN = -1
NULL = -2
Marks = tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.intp]]
"""Each mark's CVR, rank and candidate."""


def _marks(
    cvrs: pa.StructArray, contest_id: str, selections: Mapping[str, str], index: Mapping[str, int]
) -> Marks:
    """Every mark of the contest, as the general reader takes them (``cdf._ranks``)."""
    snapshots, owners = _parents(cvrs, "CVRSnapshot")
    if not np.array_equal(owners, np.arange(len(cvrs))):
        raise Irregular  # a CVR with no snapshot or several: which one counts is per CVR
    contests, contest_cvr = _parents(snapshots, "CVRContest")
    contest_ids = _field(contests, "ContestId", pa.types.is_string)
    picked = _codes(contest_ids, {contest_id: 1}) == 1
    chosen, selection_contest = _parents(contests, "CVRContestSelection")
    keep = picked[selection_contest]
    ids = _field(chosen, "ContestSelectionId", pa.types.is_string)
    candidate = _codes(ids, {key: index[name] for key, name in selections.items()})
    if (candidate[keep] < 0).any():
        raise Irregular  # an unknown selection: the general reader names the CVR
    positions, position_selection = _parents(chosen, "SelectionPosition")
    counted = keep[position_selection]
    if positions.type.get_field_index("HasIndication") >= 0:
        shown = _field(positions, "HasIndication", pa.types.is_string)
        counted &= _codes(shown, {"no": 1}) != 1  # a left-out one: "yes"
    marked = np.flatnonzero(counted)
    ranks = _field(positions, "Rank", pa.types.is_int64)
    if _nulls(ranks)[marked].any():
        raise Irregular
    rank = _int64s(ranks)[marked]
    if len(rank) and (rank.min() < 1 or rank.max() > max(len(index), cdf.MIN_RANKS)):
        raise Irregular
    selection = position_selection[marked]
    return contest_cvr[selection_contest[selection]], rank, candidate[selection]


def _grid(
    n: int, cvr: npt.NDArray[np.intp], rank: npt.NDArray[np.int64], candidate: npt.NDArray[np.intp]
) -> npt.NDArray[np.int16]:
    """One row a CVR, as wide as its highest rank (at least 1): the candidate marked at a
    rank, ``OVERVOTE`` where several are, ``BLANK`` where none is."""
    width = int(rank.max()) if len(rank) else 1
    grid = np.full((n, width), BLANK, dtype=np.int16)
    if not len(rank):
        return grid
    cell = cvr * width + (rank - 1).astype(np.intp)
    cells = grid.ravel()
    cells[cell] = candidate  # of several marks at one cell, one is kept
    # A cell marked by two candidates keeps one of them: the other's mark differs from it
    # (a candidate marked twice at one rank is one mark, as the general reader takes it).
    cells[cell[cells.take(cell) != candidate]] = OVERVOTE
    return grid
