"""The board as a Parquet file: one row per ballot, sorted by its random id.

Columns: ``ballot_id`` (hex), ``section`` (published label), ``rank_1`` ... ``rank_k``
(candidate names, null after the last mark), ``inactive`` (why the ballot stops:
exhausted, overvote, skipped or repeated) and, in content mode only, ``tracker``. The
candidates and sections, in order, are in the file's metadata so ids read back exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from omov.count.ballots import Inactive
from omov.ledger.board import ID_BYTES, Board, TrackerMode
from omov.ledger.errors import BundleError

META_KEY = b"omov-board"
STOPS = tuple(reason.name.lower() for reason in Inactive)


def write_board(board: Board, path: Path) -> None:
    n_cand = len(board.candidates)
    ranks = board.rankings
    width = ranks.shape[1] - 1  # the last column is always a stop
    columns: dict[str, pa.Array] = {
        "ballot_id": pa.array(np.char.decode(_hex(board.ids)), type=pa.string()),
        "section": _dictionary(board.section_ids, board.section_names),
    }
    for k in range(width):
        column = ranks[:, k]
        columns[f"rank_{k + 1}"] = _dictionary(column, board.candidates, mask=column >= n_cand)
    stops = (ranks.max(axis=1) - n_cand).astype(np.int16)
    columns["inactive"] = _dictionary(stops, STOPS)
    if board.mode is TrackerMode.CONTENT:
        columns["tracker"] = pa.array(board.row_trackers, type=pa.string())
    meta = {
        "candidates": list(board.candidates),
        "sections": list(board.section_names),
        "trackers": board.mode.value,
    }
    table = pa.table(columns).replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
    partial = path.with_name(f".{path.name}.partial")
    pq.write_table(table, partial, compression="zstd")
    partial.replace(path)


def read_board(path: Path, trackers: tuple[str, ...]) -> Board:
    """Read a board file back exactly, or raise ``BundleError`` naming what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BundleError(f"cannot read the board ({error.strerror})") from None
    return board_from_bytes(data, trackers)


def board_from_bytes(data: bytes, trackers: tuple[str, ...]) -> Board:
    """The board a Parquet file's bytes hold, read strictly: exactly the columns and types
    ``write_board`` writes and no other metadata (an extra column, such as the time each
    ballot was cast, would be a channel to de-anonymise ballots), or ``BundleError``."""
    try:
        return _read_board(data, trackers)
    except BundleError:
        raise
    except Exception as error:
        # A damaged file can fail deep inside Arrow or NumPy in ways no list of exception
        # types covers; the verifier must report it as a failed check, never a traceback.
        raise BundleError(f"damaged board ({type(error).__name__}: {error})") from None


def _read_board(data: bytes, trackers: tuple[str, ...]) -> Board:
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        keys = set((parquet.metadata.metadata or {}).keys())
        table = parquet.read()
    except (OSError, pa.ArrowException) as error:
        raise BundleError(f"not a readable Parquet file ({error})") from None
    if keys - ALLOWED_FILE_METADATA:
        raise BundleError(f"the board file holds metadata it should not ({sorted(keys)!r})")
    meta = _metadata(table.schema.metadata or {})
    candidates, sections = tuple(meta["candidates"]), tuple(meta["sections"])
    mode = TrackerMode(meta["trackers"])
    _check_schema(table.schema, mode)
    n = table.num_rows
    rank_names = [c for c in table.column_names if c.startswith("rank_")]
    rankings = np.empty((n, len(rank_names) + 1), dtype=np.int16)
    stops = _indices(table, "inactive", STOPS) + len(candidates)
    rankings[:, -1] = stops
    for k, name in enumerate(rank_names):
        column = _indices(table, name, candidates, nullable=True)
        rankings[:, k] = np.where(column < 0, stops, column)
    ids = _ballot_ids(table.column("ballot_id"))
    row_trackers: tuple[str, ...] = ()
    if mode is TrackerMode.CONTENT:
        if table.column("tracker").null_count:
            raise BundleError("column 'tracker' has an empty cell")
        row_trackers = tuple(table.column("tracker").to_pylist())
    return Board(
        candidates=candidates,
        section_names=sections,
        ids=ids,
        section_ids=_indices(table, "section", sections),
        rankings=rankings,
        trackers=trackers,
        mode=mode,
        row_trackers=row_trackers,
    )


ALLOWED_FILE_METADATA = frozenset({META_KEY, b"ARROW:schema"})
HEX_DIGIT = np.zeros(256, dtype=bool)
HEX_DIGIT[np.frombuffer(b"0123456789abcdef", np.uint8)] = True
NAMES = pa.dictionary(pa.int16(), pa.string())


def _metadata(schema_meta: dict[bytes, bytes]) -> dict[str, Any]:
    from omov.ledger import strict_json

    if set(schema_meta) != {META_KEY}:
        raise BundleError("not an omov ballot board (no board metadata, or other metadata)")
    meta = strict_json.loads(schema_meta[META_KEY], source="the board metadata")
    if not isinstance(meta, dict) or set(meta) != {"candidates", "sections", "trackers"}:
        raise BundleError("the board metadata holds other than candidates, sections, trackers")
    for key in ("candidates", "sections"):
        names = meta[key]
        if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
            raise BundleError(f"the board metadata's {key} are not a list of names")
        if len(set(names)) != len(names):
            raise BundleError(f"the board metadata names one of its {key} twice")
    if meta["trackers"] not in {m.value for m in TrackerMode}:
        raise BundleError("the board metadata's tracker mode is not inclusion or content")
    return meta


def _check_schema(schema: pa.Schema, mode: TrackerMode) -> None:
    names = schema.names
    ranks = [n for n in names if n.startswith("rank_")]
    wanted = ["ballot_id", "section", *(f"rank_{k + 1}" for k in range(len(ranks))), "inactive"]
    if mode is TrackerMode.CONTENT:
        wanted.append("tracker")
    if names != wanted:
        extra = sorted(set(names) - set(wanted))
        what = f"the column(s) {', '.join(extra)}" if extra else "its columns in another order"
        raise BundleError(f"the board has {what}; it has exactly {', '.join(wanted[:3])}, …")
    for field in schema:
        text = field.name in ("ballot_id", "tracker")
        if field.type != (pa.string() if text else NAMES) or field.metadata:
            raise BundleError(f"column {field.name!r} has type {field.type}, not the board's")


def _ballot_ids(column: pa.ChunkedArray) -> np.ndarray:
    """Ballot ids: each exactly ``2 * ID_BYTES`` lowercase hexadecimal characters."""
    values = column.combine_chunks()
    if values.null_count:
        raise BundleError("column 'ballot_id' has an empty cell")
    if not len(values):
        return np.empty(0, dtype=f"S{ID_BYTES}")
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset :]
    if (np.diff(offsets[: len(values) + 1]) != 2 * ID_BYTES).any():
        raise BundleError(f"a ballot_id is not {2 * ID_BYTES} hexadecimal characters")
    start, end = int(offsets[0]), int(offsets[len(values)])
    text = np.frombuffer(values.buffers()[2], dtype=np.uint8)[start:end]
    if not HEX_DIGIT[text].all():
        raise BundleError("a ballot_id is not lowercase hexadecimal")
    return _unhex(text.view(f"S{2 * ID_BYTES}"))


def _hex(ids: np.ndarray) -> np.ndarray:
    raw = ids.tobytes().hex().encode()
    return np.frombuffer(raw, dtype=f"S{2 * ID_BYTES}")


def _unhex(hex_ids: np.ndarray) -> np.ndarray:
    try:
        raw = bytes.fromhex(hex_ids.tobytes().decode())
    except ValueError:
        raise BundleError("a ballot_id is not hexadecimal") from None
    if len(raw) != ID_BYTES * len(hex_ids):
        raise BundleError("a ballot_id has the wrong length")
    return np.frombuffer(raw, dtype=f"S{ID_BYTES}").copy()


def _dictionary(
    indices: np.ndarray, names: tuple[str, ...], mask: np.ndarray | None = None
) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(np.int16), mask=mask), pa.array(list(names), type=pa.string())
    )


def _indices(
    table: pa.Table, name: str, names: tuple[str, ...], *, nullable: bool = False
) -> np.ndarray:
    """Column ``name`` as indices into ``names`` (-1 for null where allowed)."""
    if name not in table.column_names:
        raise BundleError(f"the board has no column {name!r}")
    column = table.column(name)
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    column = column.combine_chunks()
    lookup = {v: i for i, v in enumerate(names)}
    try:
        table_map = np.array([lookup[v] for v in column.dictionary.to_pylist()] + [-1])
    except KeyError as unknown:
        raise BundleError(
            f"column {name!r} holds {unknown}, which the board does not list"
        ) from None
    raw, nulls = _values_and_nulls(column.indices)
    if nulls.any() and not nullable:
        raise BundleError(f"column {name!r} has an empty cell")
    raw = np.where(nulls, len(table_map) - 1, raw.astype(np.int64))
    if raw.size and (int(raw.min()) < 0 or int(raw.max()) >= len(table_map)):
        raise BundleError(f"column {name!r} refers past the end of its dictionary")
    result: np.ndarray = table_map[raw].astype(np.int16)
    return result


def _values_and_nulls(indices: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """An integer array's values (whatever lies under a null) and where it is null, read
    from its buffers: PyArrow's ``to_numpy`` imports pandas (half a second of a verify's
    start) to see whether it was handed one."""
    dtype = np.dtype(indices.type.to_pandas_dtype())
    n, offset = len(indices), indices.offset
    if n == 0:  # an empty array may have no buffers
        return np.zeros(0, dtype=dtype), np.zeros(0, dtype=bool)
    values = np.frombuffer(
        indices.buffers()[1], dtype=dtype, count=n, offset=offset * dtype.itemsize
    )
    if not indices.null_count:
        return values, np.zeros(n, dtype=bool)
    bits = np.frombuffer(indices.buffers()[0], dtype=np.uint8)
    valid = np.unpackbits(bits, count=offset + n, bitorder="little")[offset:]
    return values, valid == 0
