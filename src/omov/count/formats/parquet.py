"""Parquet tables of rankings (``.parquet``): the schema is in ``tabular``.

Rank and section columns hold strings (plain or dictionary-encoded), ``weight`` an
integer type; any other type is refused, naming the column. Metadata (candidates, title,
seats, withdrawn, sections) is one JSON object under the key ``omov`` of the file's
key-value metadata. Messages name the data row (from 1) where a row is at fault.

Row groups are read (several at once, each packed as it is read; a file of few row groups
a batch of rows at a time, the next decoded while this one is packed) with the string
columns as dictionaries, so no string is materialised per cell; progress is reported per
row group or batch. Files read fastest when each rank column's dictionary is the candidate
list, then the empty name and ``=`` (so indices are codes as they stand) and a blank is the
empty name rather than a null, in a column declared required (so no null flags are stored),
not compressed (``compression``): ``write_parquet`` writes them so (``rank_column``). With a
candidate list, each column's small dictionary is mapped to codes once and its indices taken
(the fast path in ``coded``); a file that path does not take is read again by the general
one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from omov.count.ballots import BallotPolicy, BallotSet
from omov.count.errors import BallotFileError
from omov.count.formats import Progress, register_reader, register_writer
from omov.count.formats.coded import CodedRows, Irregular, cell_codes
from omov.count.formats.plain_csv import write_atomically
from omov.count.formats.tabular import RankingTable, RowLine, ballot_frame
from omov.count.formats.tabular_schema import (
    METADATA_KEY,
    SECTION,
    WEIGHT,
    Layout,
    Metadata,
    layout_of,
    metadata_from,
)

THREADS = min(4, os.cpu_count() or 1)
"""Row groups decoded and packed at once."""


@register_reader("parquet", ".parquet", ".pq")
def read_parquet(
    path: Path, *, policy: BallotPolicy, progress: Progress | None = None
) -> BallotSet:
    layout = layout_of(path, _open(path).schema_arrow.names, None)
    source = _open(path, dictionaries=layout.categorical)
    _check_types(path, source.schema_arrow, layout)
    metadata = _metadata(path, source.schema_arrow.metadata)
    if metadata.candidates is not None and source.metadata.num_rows:
        with contextlib.suppress(Irregular):
            return _read_coded(path, source, layout, metadata, policy, progress)
        source = _open(path, dictionaries=layout.categorical)
    table = RankingTable(path, layout, metadata)
    size, total_rows, done = path.stat().st_size, max(1, source.metadata.num_rows), 0
    try:
        for group in range(source.metadata.num_row_groups):
            frame = pl.from_arrow(source.read_row_group(group, use_threads=True))
            assert isinstance(frame, pl.DataFrame)
            table.add(_categorical(frame, layout), _rows_from(done))
            done += frame.height
            if progress is not None:
                progress(size * done // total_rows, size)
    except (OSError, pa.ArrowException) as error:
        raise BallotFileError(
            path, done + 1, f"cannot read the rows from here on: {error}"
        ) from None
    return table.ballot_set(policy, empty_line=None)


def _read_coded(
    path: Path,
    source: Any,
    layout: Layout,
    metadata: Metadata,
    policy: BallotPolicy,
    progress: Progress | None,
) -> BallotSet:
    """The fast path (see ``coded``): raises ``Irregular`` for anything it does not take.

    Row groups are decoded and packed several at a time, each in its own thread with its
    own reader (Arrow and NumPy let go of the GIL), and kept in order; a file of fewer
    row groups than threads is read in batches instead (``_packed_in_batches``)."""
    candidates = metadata.candidates
    assert candidates is not None
    n_rows = source.metadata.num_rows
    rows = CodedRows(len(candidates), len(layout.ranks), layout.section, n_rows)
    coded = _Coded(rows, layout, candidates)
    size = path.stat().st_size
    if source.metadata.num_row_groups < THREADS:  # too few groups to keep the threads busy
        _packed_in_batches(source, coded, size, progress)
    else:
        _keep_row_groups(path, source, coded, size, progress)
    distinct = rows.distinct(metadata.sections, stop_column=True)
    ids = {name: i for i, name in enumerate(candidates)}
    return BallotSet.from_codes(
        candidates,
        distinct.codes,
        weights=distinct.weights,
        section_ids=distinct.section_ids,
        section_names=distinct.section_names,
        withdrawn=frozenset(ids[name] for name in metadata.withdrawn),
        policy=policy,
        title=metadata.title,
        seats=metadata.seats,
        checked=distinct.checked,
    )


@dataclass
class _Coded:
    """A batch's columns as codes: rank cells, section labels (numbered on first sight,
    one thread at a time) and weights."""

    rows: CodedRows
    layout: Layout
    candidates: tuple[str, ...]
    labelling: threading.Lock = field(default_factory=threading.Lock)
    rank_dictionaries: list[_Mapped] = field(default_factory=list)
    section_dictionaries: list[_Mapped] = field(default_factory=list)

    def add(self, batch: Any) -> None:
        """Keep a batch's rows (in a worker thread: mapping its columns costs Python time
        that the thread decoding the next batch has none to spare for)."""
        self.rows.add(*self.columns(batch))

    def columns(
        self, batch: Any
    ) -> tuple[list[npt.NDArray[Any]], npt.NDArray[np.int64] | None, npt.NDArray[Any] | None]:
        rows, candidates = self.rows, self.candidates
        known = self.rank_dictionaries
        columns = [
            _codes(batch.column(name), lambda d: cell_codes(d, candidates, rows), rows.blank, known)
            for name in self.layout.ranks
        ]
        sections = None
        if self.layout.section:
            with self.labelling:  # first sight numbers a label: one thread at a time
                sections = _codes(
                    batch.column(SECTION), rows.section_codes, None, self.section_dictionaries
                )
        weights = _weights(batch) if self.layout.weight else None
        return columns, weights, sections


def _keep_row_groups(
    path: Path, source: Any, coded: _Coded, size: int, progress: Progress | None
) -> None:
    """Row groups decoded and packed in ``THREADS`` threads, each with its own reader."""
    readers = threading.local()

    def packed(group: int) -> int:
        if not hasattr(readers, "file"):
            readers.file = _open(path, dictionaries=coded.layout.categorical)
        try:
            batch = readers.file.read_row_group(group, use_threads=False)
        except (OSError, pa.ArrowException):
            raise Irregular from None
        coded.add(batch)
        return int(batch.num_rows)

    total_rows, done = source.metadata.num_rows, 0
    with ThreadPoolExecutor(THREADS) as pool:
        for n_rows in pool.map(packed, range(source.metadata.num_row_groups)):
            done += n_rows
            if progress is not None:
                progress(size * done // total_rows, size)


BATCH = 2**16
"""Rows decoded at a time from a file of few row groups. Fewer would keep less of Arrow's
memory (its allocator takes fresh pages for batch after batch: reading 10^6 ballots grew
the process by 27 MB at 2**14 rows a batch, 61 MB at 2**16), but every batch costs its
packing a fixed ~0.3 ms, which at 2**14 outweighs the fresh memory saved (108 ms against
97 ms a read, measured)."""


def _packed_in_batches(source: Any, coded: _Coded, size: int, progress: Progress | None) -> None:
    """A file of few row groups read a batch at a time in this thread, each batch packed
    in one worker while the next is decoded. Decoding is most of the work and does not
    go faster in more threads (Arrow's own, or readers of half the columns each, measured
    on 2 cores), so one thread decodes and one packs: a second packer only takes turns on
    the decoder's core."""
    n, done = source.metadata.num_rows, 0
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(1) as packer:
        try:
            for batch in source.iter_batches(batch_size=BATCH, use_threads=False):
                pending.append(packer.submit(coded.add, batch))
                while len(pending) > 2:  # no more than two batches wait to be packed
                    pending.popleft().result()
                done += batch.num_rows
                if progress is not None:
                    progress(size * done // n, size)
        except (OSError, pa.ArrowException):
            raise Irregular from None
        for job in pending:
            job.result()


KNOWN = 4
"""Column dictionaries kept mapped (see ``_mapped``)."""


@dataclass(frozen=True)
class _Mapped:
    """A column dictionary seen before, its codes, and whether they are its indices."""

    dictionary: Any
    codes: npt.NDArray[Any]
    as_is: bool


def _codes(
    column: Any,
    codes_of: Callable[[list[str | None]], npt.NDArray[Any]],
    null: int | None,
    known: list[_Mapped],
) -> npt.NDArray[Any]:
    """The codes of a dictionary column: its small dictionary is mapped once (``known``
    keeps those seen before: every batch of every rank column has the same), then its
    indices taken. A null cell's code is ``null`` (``None``: a null is irregular).

    Where the dictionary maps onto codes as they stand (a file written with the candidate
    list as its dictionary, as ours are), the indices are the codes, and nothing is taken."""
    parts = []
    for chunk in getattr(column, "chunks", [column]):  # a table's column or a batch's
        if not pa.types.is_dictionary(chunk.type):
            raise Irregular
        if chunk.null_count and null is None:
            raise Irregular
        null_code = 0 if null is None else null
        mapped = _mapped(chunk.dictionary, codes_of, known)
        codes = mapped.codes  # one more than the dictionary: the code of a null
        indices = _buffer(chunk.indices)
        if not mapped.as_is:
            indices = np.take(codes, indices, mode="clip")  # a new array, ours to change
            if chunk.null_count:
                np.copyto(indices, null_code, where=~_valid(chunk))
        elif chunk.null_count:
            # Codes as they stand: a null's index (whatever lies under it) becomes ``null``.
            indices = np.where(_valid(chunk), indices, null_code)
        parts.append(indices)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _mapped(
    dictionary: Any, codes_of: Callable[[list[str | None]], npt.NDArray[Any]], known: list[_Mapped]
) -> _Mapped:
    """A dictionary's codes, mapped on first sight (comparing Arrow arrays costs far less
    than mapping them in Python again). Only the last ``KNOWN`` are kept, so a file whose
    every row group has a dictionary of its own costs no more than it did."""
    for seen in list(known):  # another thread may map one meanwhile: no harm
        if seen.dictionary.equals(dictionary):
            return seen
    codes = codes_of(dictionary.to_pylist())
    mapped = _Mapped(dictionary, codes, np.array_equal(codes[:-1], np.arange(len(codes) - 1)))
    known.insert(0, mapped)
    del known[KNOWN:]
    return mapped


def _buffer(array: Any) -> npt.NDArray[Any]:
    """An integer array's values, nulls included (whatever lies under them), zero-copy."""
    dtype = np.dtype(array.type.to_pandas_dtype())
    data = array.buffers()[1]
    return np.frombuffer(data, dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)


def _valid(array: Any) -> npt.NDArray[np.bool_]:
    bits = np.frombuffer(array.buffers()[0], dtype=np.uint8)
    unpacked = np.unpackbits(bits, count=array.offset + len(array), bitorder="little")
    return unpacked[array.offset :].view(np.bool_)


def _weights(batch: Any) -> npt.NDArray[np.int64]:
    weights = batch.column(WEIGHT)
    if weights.null_count or (
        len(weights) and (pc.min(weights).as_py() < 0 or pc.max(weights).as_py() >= 2**63)
    ):
        raise Irregular
    return np.asarray(weights.to_numpy(), dtype=np.int64)


def _rows_from(start: int) -> RowLine:
    """Rows of a batch starting at data row ``start`` (0-based) as 1-based file rows."""
    return lambda row: start + row + 1


def _open(path: Path, dictionaries: tuple[str, ...] = ()) -> Any:
    try:
        return pq.ParquetFile(path, read_dictionary=list(dictionaries) or None)
    except (OSError, pa.ArrowException) as error:
        if path.stat().st_size == 0:
            raise BallotFileError(path, None, "empty file") from None
        reason = str(error).splitlines()[0] if str(error) else "unreadable"
        raise BallotFileError(path, None, f"not a Parquet file ({reason})") from None


def _check_types(path: Path, schema: Any, layout: Layout) -> None:
    """Names must be strings and weights integers: a mixed-up column is refused outright."""
    for name in layout.categorical:
        kind = schema.field(name).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (
            pa.types.is_string(kind)
            or pa.types.is_large_string(kind)
            or pa.types.is_string_view(kind)
            or pa.types.is_null(kind)
        ):
            raise BallotFileError(path, None, f"column {name!r} holds {kind}, not names")
    if layout.weight:
        kind = schema.field(WEIGHT).type
        if not pa.types.is_integer(kind):
            raise BallotFileError(path, None, f"column 'weight' holds {kind}, not whole numbers")


def _categorical(frame: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Dictionary columns arrive as categoricals already; anything else is cast once."""
    return frame.with_columns(
        [
            pl.col(c).cast(pl.String).cast(pl.Categorical)
            for c in layout.categorical
            if frame.schema[c] != pl.Categorical
        ]
    )


def _metadata(path: Path, raw: dict[bytes, bytes] | None) -> Metadata:
    text = (raw or {}).get(METADATA_KEY.encode())
    if text is None:
        return Metadata()
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BallotFileError(path, None, "the 'omov' metadata is not JSON") from None
    if not isinstance(record, dict):
        raise BallotFileError(path, None, "the 'omov' metadata is not a JSON object")
    return metadata_from(path, record, {})


@register_writer("parquet")
def write_parquet(ballots: BallotSet, path: Path) -> None:
    """One row per distinct ranking with its weight, metadata in the footer; all or nothing.

    Rank columns are written in the layout that reads fastest (see ``rank_column``)."""
    table = ballot_frame(ballots).to_arrow()
    columns = {
        name: rank_column(table.column(name), ballots.candidates)
        if name.startswith("rank")
        else table.column(name)
        for name in table.column_names
    }
    record = json.dumps(Metadata.of(ballots).as_record(), ensure_ascii=False)
    # Columns with no null are declared required: a reader then has no null flags to
    # decode (half the cost of decoding a rank column).
    schema = pa.schema(
        [
            pa.field(name, column.type, nullable=column.null_count > 0)
            for name, column in columns.items()
        ],
        metadata={METADATA_KEY: record},
    )
    table = pa.table(columns, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression=compression(table.column_names))
    write_atomically(path, buffer.getvalue())


def compression(names: list[str]) -> dict[str, str]:
    """How ``write_parquet`` compresses each column: rank columns not at all (their
    dictionary indices take a few bits a cell already; zstd would make them 10-50% smaller
    but take a third of the time their decoding takes), the others with zstd."""
    return {name: "none" if name.startswith("rank") else "zstd" for name in names}


def rank_column(names: Any, candidates: tuple[str, ...]) -> Any:
    """A rank column as the fast path reads it best: dictionary-encoded with the candidate
    list, then the empty name (blank) and ``=`` (an overvote), as its dictionary, so every
    index is a cell's code as it stands; a blank is the empty name, not a null (nulls cost
    Parquet readers a second pass)."""
    dictionary = pa.array([*candidates, "", "="], pa.string())
    indices = pc.index_in(pc.fill_null(names, ""), value_set=dictionary).cast(pa.int32())
    return pa.DictionaryArray.from_arrays(indices, dictionary)
