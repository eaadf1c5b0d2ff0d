"""Plain CSV of rankings (``.csv``, ``.csv.gz``), the general reader (with Polars) and the
writer: the schema is in ``tabular``; ``plain_csv_fast`` registers the format and reads
the regular files itself, with NumPy alone, before any is read here.

A file is optional metadata comment lines, a header, then one ballot (or, with a
``weight`` column, a group of identical ballots) per line::

    # candidates: ["Alice", "Bob", "Carol"]
    # title: "Ward 7"
    rank1,rank2,rank3,weight
    Alice,Carol,,12
    Bob,Alice=Carol,,1

The file is read in chunks of whole lines; Polars parses each chunk (the header is put
in front of every chunk, so a short row reads the same wherever it falls) and the chunk is
reduced to distinct rows at once, which keeps memory near the size of one chunk. With a
candidate list, rank columns are parsed as an enum of the candidates, so each cell is a
code as it is read (the fast path in ``coded``); a chunk it cannot take (an overvote, a
name with spaces, a bad weight) goes the general way, which names any fault's line. Line
numbers in messages assume one record per line (a quoted name may not span lines).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from omov.count.ballots import BallotPolicy, BallotSet
from omov.count.errors import BallotFileError
from omov.count.formats import Progress
from omov.count.formats.coded import CodedRows, Irregular
from omov.count.formats.plain_csv_fast import _check_text, _preamble
from omov.count.formats.tabular import RankingTable, ballot_frame
from omov.count.formats.tabular_schema import WEIGHT, Metadata, layout_of

CHUNK = 32 * 2**20


def read_csv(path: Path, *, policy: BallotPolicy, progress: Progress | None = None) -> BallotSet:
    """Read any plain CSV file (``plain_csv_fast`` registers the reader, and tries its own
    path first)."""
    with _opened(path) as (stream, raw):
        total = os.fstat(raw.fileno()).st_size
        first = stream.read(CHUNK)
        first = first.removeprefix(b"\xef\xbb\xbf")  # spreadsheets' byte-order mark
        metadata, columns, header_lines, body = _preamble(path, first)
        table = RankingTable(path, layout_of(path, columns, header_lines), metadata)
        coded = _coded_rows(table)
        header = (",".join(columns) + "\n").encode()
        line = header_lines + 1
        # The next chunk is parsed (by Polars, on all cores) while this one is packed.
        with ThreadPoolExecutor(1) as parser:
            waiting: list[tuple[bytes, Future[pl.DataFrame] | None]] = []
            for chunk in _whole_lines(header, body, stream):
                parsed = parser.submit(_coded_frame, table, chunk) if coded is not None else None
                waiting.append((chunk, parsed))
                if len(waiting) > 1:
                    line = _add_chunk(path, table, coded, *waiting.pop(0), len(header), line)
                if progress is not None:
                    progress(raw.tell(), total)
            for chunk, parsed in waiting:
                line = _add_chunk(path, table, coded, chunk, parsed, len(header), line)
    return table.ballot_set(policy, empty_line=header_lines, coded=coded)


def _coded_rows(table: RankingTable) -> CodedRows | None:
    """The fast path (see ``coded``) takes files with a candidate list and no sections."""
    candidates = table.metadata.candidates
    if candidates is None or table.layout.section:
        return None
    return CodedRows(len(candidates), len(table.layout.ranks))


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[tuple[io.BufferedIOBase, io.BufferedReader]]:
    """The file's bytes (decompressed for .gz) and the raw file, whose position is progress."""
    with path.open("rb") as raw:
        if path.suffix.lower() == ".gz":
            with gzip.GzipFile(fileobj=raw) as unzipped:
                try:
                    yield unzipped, raw
                except (OSError, EOFError) as error:
                    raise BallotFileError(path, None, f"bad gzip data: {error}") from None
        else:
            yield raw, raw


def _whole_lines(header: bytes, start: bytes, stream: io.BufferedIOBase) -> Iterator[bytes]:
    """The header, then about CHUNK bytes of whole lines; one copy of the data per chunk."""
    pending = start
    while True:
        more = stream.read(CHUNK)
        if not more:
            if pending.strip():
                yield header + pending
            return
        cut = more.rfind(b"\n") + 1
        if not cut:
            pending += more
            continue
        yield b"".join((header, pending, memoryview(more)[:cut]))
        pending = more[cut:]


def _add_chunk(
    path: Path,
    table: RankingTable,
    coded: CodedRows | None,
    chunk: bytes,
    parsed: Future[pl.DataFrame] | None,
    skip: int,
    line: int,
) -> int:
    """Reduce one chunk (after a ``skip``-byte header) starting at ``line``: as the fast
    path ``parsed`` it, or else the general way.

    Returns the line after the chunk: Polars keeps one row per line, empty lines too.
    """
    if chunk.find(b"\0", skip) >= 0:
        _check_text(path, chunk[skip:], line, final=True)
    if coded is not None and parsed is not None:
        with contextlib.suppress(Irregular):
            frame = parsed.result()
            coded.add_frame(frame, table.layout.ranks, WEIGHT if table.layout.weight else None)
            return line + frame.height
    layout = table.layout
    schema: dict[str, pl.DataType | type[pl.DataType]] = dict.fromkeys(
        layout.categorical, pl.Categorical
    )
    if layout.weight:
        schema[WEIGHT] = pl.String
    try:
        frame = pl.read_csv(chunk, schema=schema, raise_if_empty=False)
    except pl.exceptions.PolarsError as error:
        raise _located(path, chunk[skip:], line, len(schema), error) from None
    table.add(frame, lambda row: line + row)
    return line + frame.height


def _coded_frame(table: RankingTable, chunk: bytes) -> pl.DataFrame:
    """The fast path: rank columns parsed as an enum of the candidates, so each cell is a
    code as soon as it is read. Anything else in a cell (spaces, an overvote, a name
    outside the list), a bad weight or no rows at all hands the chunk back (``Irregular``).
    """
    layout = table.layout
    names = pl.Enum(list(table.metadata.candidates or ()))
    schema: dict[str, pl.DataType | type[pl.DataType]] = dict.fromkeys(layout.ranks, names)
    if layout.weight:
        schema[WEIGHT] = pl.Int64
    try:
        frame = pl.read_csv(chunk, schema=schema, raise_if_empty=False)
    except pl.exceptions.PolarsError:
        raise Irregular from None
    if not frame.height:
        raise Irregular
    if layout.weight:
        weights = frame[WEIGHT]
        if weights.null_count() or weights.min() < 0:  # type: ignore[operator]
            raise Irregular
    return frame


def _located(path: Path, chunk: bytes, line: int, width: int, error: Exception) -> BallotFileError:
    """Find the line Polars stumbled on (the slow way, only after it has)."""
    _check_text(path, chunk, line, final=True)
    rows = csv.reader(io.StringIO(chunk.decode("utf-8"), newline=""))
    for number, row in enumerate(rows, start=line):
        if len(row) > width:
            return BallotFileError(
                path, number, f"{len(row)} fields, but the header has {width} columns"
            )
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return BallotFileError(path, line, f"cannot read the rows from here on: {reason}")


def write_csv(ballots: BallotSet, path: Path) -> None:
    """Metadata comments, then one row per distinct ranking with its weight; all or nothing."""
    frame = ballot_frame(ballots)
    lines = [
        f"# {key}: {json.dumps(value, ensure_ascii=False)}\n"
        for key, value in Metadata.of(ballots).as_record().items()
    ]
    text = "".join(lines) + frame.write_csv()
    data = text.encode("utf-8")
    if path.suffix.lower() == ".gz":
        data = gzip.compress(data, mtime=0)
    write_atomically(path, data)


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(partial).replace(path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
