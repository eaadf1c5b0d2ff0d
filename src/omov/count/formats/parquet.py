"""Parquet tables of rankings (``.parquet``): the schema is in ``tabular``.

Rank and section columns hold strings (plain or dictionary-encoded), ``weight`` an
integer type; any other type is refused, naming the column. Metadata (candidates, title,
seats, withdrawn, sections) is one JSON object under the key ``omov`` of the file's
key-value metadata. Messages name the data row (from 1) where a row is at fault.

Row groups are read (columns in parallel) with the string columns as dictionaries, so no
string is materialised per cell; progress is reported per row group. With a candidate
list, each column's small dictionary is mapped to codes once and its indices taken (the
fast path in ``coded``); a file that path does not take is read again by the general one.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
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
from omov.count.formats.tabular import (
    METADATA_KEY,
    SECTION,
    WEIGHT,
    Layout,
    Metadata,
    RankingTable,
    RowLine,
    ballot_frame,
    layout_of,
    metadata_from,
)


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
    """The fast path (see ``coded``): raises ``Irregular`` for anything it does not take."""
    candidates = metadata.candidates
    assert candidates is not None
    rows = CodedRows(len(candidates), len(layout.ranks), sections=layout.section)
    size, total_rows, done = path.stat().st_size, source.metadata.num_rows, 0
    for group in range(source.metadata.num_row_groups):
        try:
            batch = source.read_row_group(group, use_threads=True)
        except (OSError, pa.ArrowException):
            raise Irregular from None
        block = rows.empty_block(batch.num_rows)
        for k, name in enumerate(layout.ranks):
            _take_codes(batch.column(name), block[:, k], lambda d: cell_codes(d, candidates, rows))
        sections = None
        if layout.section:
            sections = np.empty(batch.num_rows, dtype=np.int32)
            _take_codes(batch.column(SECTION), sections, rows.section_codes, missing=True)
        rows.add(block, _weights(batch) if layout.weight else None, sections)
        done += batch.num_rows
        if progress is not None:
            progress(size * done // total_rows, size)
    grid, weights, section_ids, section_names = rows.rankings(metadata.sections)
    ids = {name: i for i, name in enumerate(candidates)}
    return BallotSet.from_grid(
        candidates,
        grid,
        weights=weights,
        section_ids=section_ids,
        section_names=section_names,
        withdrawn=frozenset(ids[name] for name in metadata.withdrawn),
        policy=policy,
        title=metadata.title,
        seats=metadata.seats,
    )


def _take_codes(
    column: Any,
    out: npt.NDArray[Any],
    codes_of: Callable[[list[str | None]], npt.NDArray[Any]],
    *,
    missing: bool = False,
) -> None:
    """Fill ``out`` with the codes of a dictionary column: the small dictionary is mapped
    once per chunk, then its indices are taken (a null cell takes the code after the
    dictionary's, or is irregular when ``missing``)."""
    start = 0
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            raise Irregular
        dictionary = chunk.dictionary.to_pylist()
        if missing and chunk.null_count:
            raise Irregular
        cells = out[start : start + len(chunk)]
        codes = codes_of(dictionary)
        np.take(codes, _buffer(chunk.indices), out=cells, mode="clip")
        if chunk.null_count:
            np.copyto(cells, codes[-1], where=~_valid(chunk))
        start += len(chunk)


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
    """One row per distinct ranking with its weight, metadata in the footer; all or nothing."""
    table = ballot_frame(ballots).to_arrow()
    record = json.dumps(Metadata.of(ballots).as_record(), ensure_ascii=False)
    table = table.replace_schema_metadata({METADATA_KEY: record})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    write_atomically(path, buffer.getvalue())
