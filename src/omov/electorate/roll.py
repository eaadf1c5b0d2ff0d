"""Import one section's roll from CSV or Parquet: all or nothing, or skip bad rows on request.

The file is read in bulk by Polars as text, then every column is checked and converted with
vectorised expressions, so a million-row roll costs a second, not a minute. A bad value never
becomes a silent null: the import stops at the first bad row and names it (and says how many
more there are), and nothing is imported. An officer who would rather go on may ask to skip
bad rows; each skipped row is then recorded with its row number and reason, for the report.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from omov.electorate.errors import RollError
from omov.electorate.schema import Column, Kind, RollKind, SectionSchema, schema_for

ROW = "row"  # the source row of each record, kept so every decision can name it
_TEXT, _BAD = "_text:", "_bad:"  # working columns, never in a roll's frame
_TRUE = ("true", "yes", "y", "1", "t")
_FALSE = ("false", "no", "n", "0", "f")
_FLAGS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.f"  # a space for the T is accepted; fractions optional
_PARQUET_MAGIC = b"PAR1"  # a Parquet file's first four bytes (and last four)
STDIN = "-"
"""The file name that reads standard input, as ``omov count`` takes it."""


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row left out in skip-bad-rows mode, and why."""

    row: int
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class Roll:
    """One imported roll: typed columns of its kind plus ``row``, and any skipped rows."""

    kind: RollKind
    frame: pl.DataFrame
    source: str
    skipped: tuple[SkippedRow, ...] = ()

    def __len__(self) -> int:
        return self.frame.height


def read_roll(
    source: str | Path,
    kind: RollKind | str,
    *,
    column_map: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> Roll:
    """Read a roll file (``.csv`` or ``.parquet``) of ``kind``; see the module docstring.

    ``source`` may be ``-`` for standard input, or any other stream (a pipe, ``/dev/stdin``,
    a shell's ``<(...)``), read whole into memory as a CSV file is anyway; a stream's name
    tells no format, so one that starts as Parquet does (``PAR1``) is read as Parquet."""
    path = Path(source)
    stream = str(source) == STDIN
    if not stream and not path.exists():
        raise RollError(path, None, "no such file")
    if not stream and path.is_dir():
        raise RollError(path, None, "is a folder, not a roll file")
    if stream or not path.is_file():
        data = _read_stream(path, stream=stream)
        if data.startswith(_PARQUET_MAGIC):
            raw, first_row = _read_parquet(io.BytesIO(data), path), 1
        else:
            raw, first_row = _read_csv_text(data, path), 2
    elif path.suffix.lower() in (".parquet", ".pq"):
        raw, first_row = _read_parquet(path, path), 1
    else:
        raw, first_row = _read_csv_text(path.read_bytes(), path), 2
    return roll_from_text(
        raw,
        kind,
        source=str(path),
        first_row=first_row,
        column_map=column_map,
        skip_bad_rows=skip_bad_rows,
    )


def read_roll_bytes(
    data: bytes,
    kind: RollKind | str,
    *,
    name: str = "<roll>",
    column_map: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> Roll:
    """Read CSV bytes already in memory (an upload) exactly as :func:`read_roll` reads a file."""
    raw = _read_csv_text(data, name)
    return roll_from_text(
        raw, kind, source=name, column_map=column_map, skip_bad_rows=skip_bad_rows
    )


def roll_from_text(
    raw: pl.DataFrame,
    kind: RollKind | str,
    *,
    source: str,
    first_row: int = 2,
    column_map: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> Roll:
    """Check and convert a frame of text columns (as read from a file) into a typed roll."""
    schema = schema_for(kind)
    raw = _apply_map(raw, column_map or {}, schema, source)
    raw = raw.with_row_index(ROW, offset=first_row)
    typed, problems = _convert(raw, schema)
    _refuse_repeated_header(typed, schema, source)
    problems = _with_repeated_ids(problems, typed, schema)
    if problems.height and not skip_bad_rows:
        first = problems.row(0, named=True)
        more = problems.height - 1
        tail = f" (and {more} more bad row{'s' if more != 1 else ''})" if more else ""
        raise RollError(source, int(first[ROW]), f"{first['reason']}; nothing imported{tail}")
    skipped = tuple(
        SkippedRow(int(r[ROW]), str(r["column"]), str(r["reason"]))
        for r in problems.iter_rows(named=True)
    )
    if problems.height:
        typed = typed.filter(~pl.col(ROW).is_in(problems[ROW].implode()))
    return Roll(RollKind(kind), typed, source, skipped)


def _read_csv_text(data: bytes, source: str | Path) -> pl.DataFrame:
    data = _utf8_or_refuse(data, source)
    _refuse_bare_cr(data, source)
    header = _header(data, source)  # also refuses an empty file
    try:
        return pl.read_csv(
            data,
            infer_schema=False,
            empty_string_is_null=False,
            new_columns=header,
            has_header=True,
        )
    except pl.exceptions.PolarsError:
        # Polars' message quotes the row it choked on: members' emails and dates of birth.
        # Only the row's number and what is wrong with it are said (``_first_unreadable_row``).
        found = _first_unreadable_row(data, len(header))
        if found is None:
            raise RollError(source, None, "not a readable CSV file; nothing imported") from None
        row, fault = found
        raise RollError(source, row, f"{fault}; nothing imported") from None


def _refuse_bare_cr(data: bytes, source: str | Path) -> None:
    """Lines must end in LF or CRLF: a CR alone (old Mac files) makes one endless line."""
    at = data.find(b"\r")
    while at >= 0 and data[at + 1 : at + 2] == b"\n":
        at = data.find(b"\r", at + 2)
    if at >= 0:
        row = data.count(b"\n", 0, at) + 1
        raise RollError(
            source,
            row,
            "a line ends in a bare CR (carriage return): save the file with LF or CRLF "
            "line ends; nothing imported",
        )


def _utf8_or_refuse(data: bytes, source: str | Path) -> bytes:
    """Rolls must be UTF-8 throughout; a file pasted together from two systems often is not."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RollError(source, None, "the file is UTF-16; save it as UTF-8 (CSV UTF-8)")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise RollError(
            source,
            row,
            f"byte 0x{byte:02X} is not UTF-8: the file mixes encodings; "
            "save it all as UTF-8; nothing imported",
        ) from None
    return data


def _header(data: bytes, source: str | Path) -> list[str]:
    end = data.find(b"\n")
    line = data[: end if end >= 0 else len(data)].decode("utf-8").rstrip("\r")
    try:
        header = [name.strip() for name in next(csv.reader([line], strict=True), [])]
    except csv.Error:
        raise RollError(source, 1, "the header row is not readable CSV (a stray quote?)") from None
    if not any(header):
        raise RollError(source, 1, "the header row is empty (is the file empty?)")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise RollError(source, 1, f"the header names column {name!r} twice")
        seen.add(name)
    return header


def _first_unreadable_row(data: bytes, width: int) -> tuple[int, str] | None:
    """Slow path, only after a failed read: the first record with too many fields, or that
    strict CSV cannot read (a stray quote), as (row, fault); the fault quotes nothing."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True)
    row = 1
    try:
        for record in reader:
            row = reader.line_num
            if len(record) > width:
                return row, f"has more fields than the header's {width}"
    except csv.Error:
        return reader.line_num or row, "is not readable CSV (a stray or unclosed quote?)"
    return None


def _read_stream(path: Path, *, stream: bool) -> bytes:
    """All of standard input (``stream``), or of the stream at ``path``."""
    try:
        return sys.stdin.buffer.read() if stream else path.read_bytes()
    except OSError as error:
        raise RollError(path, None, f"cannot read it: {error.strerror}") from None


def _read_parquet(source: Path | io.BytesIO, path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(source)
    except (pl.exceptions.PolarsError, OSError) as error:
        reason = type(error).__name__
        raise RollError(path, None, f"not a readable Parquet file ({reason})") from None
    return frame.select(pl.all().cast(pl.String))


def _apply_map(
    raw: pl.DataFrame, column_map: dict[str, str], schema: SectionSchema, source: str
) -> pl.DataFrame:
    unknown = sorted(set(column_map) - set(raw.columns))
    if unknown:
        raise RollError(source, 1, f"the column map names headers not in the file: {unknown}")
    raw = raw.rename(column_map)
    counts: dict[str, int] = {}
    for name in raw.columns:
        counts[name] = counts.get(name, 0) + 1
    twice = sorted(name for name, n in counts.items() if n > 1)
    if twice:
        raise RollError(source, 1, f"after the column map, columns {twice} appear twice")
    missing = [c.name for c in schema.columns if c.required and c.name not in raw.columns]
    if missing:
        raise RollError(
            source, 1, f"missing column(s) {missing} for a {schema.kind} roll; map them"
        )
    absent = [c.name for c in schema.columns if c.name not in raw.columns]
    return raw.with_columns(pl.lit(None, pl.String).alias(name) for name in absent)


def _refuse_repeated_header(typed: pl.DataFrame, schema: SectionSchema, source: str) -> None:
    """Two exports pasted together repeat the header mid-file; say so rather than 'bad date'."""
    repeats = typed.filter(pl.col(schema.record_id) == schema.record_id)
    if repeats.height:
        raise RollError(
            source,
            int(repeats[ROW][0]),
            "repeats the header (were two files pasted together?); nothing imported",
        )


def _convert(raw: pl.DataFrame, schema: SectionSchema) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed columns, and one problem per bad row (its first bad column), ordered by row.

    Each column is converted once; the bad-value test compares text with result, and the
    wording of complaints is built only for the (few) bad rows, never for the whole roll.
    """
    columns = schema.columns
    both = (
        raw.lazy()
        .select(pl.col(ROW), *(_text(c).alias(_TEXT + c.name) for c in columns))
        .with_columns(_typed(c, pl.col(_TEXT + c.name)).alias(c.name) for c in columns)
        .with_columns(_is_bad(c).alias(_BAD + c.name) for c in columns)
        .collect()
    )
    flagged = both.filter(pl.any_horizontal(_BAD + c.name for c in columns))
    first_bad = [pl.when(pl.col(_BAD + c.name)).then(pl.lit(c.name)) for c in columns]
    reasons = [pl.when(pl.col(_BAD + c.name)).then(_complaint(c)) for c in columns]
    problems = flagged.select(
        pl.col(ROW),
        pl.coalesce(reasons).alias("reason"),
        pl.coalesce(first_bad).alias("column"),
    ).sort(ROW)
    return both.select(ROW, *schema.names), problems


def _with_repeated_ids(
    problems: pl.DataFrame, typed: pl.DataFrame, schema: SectionSchema
) -> pl.DataFrame:
    """A record number names one record: decisions and appeals cite it, so it cannot repeat."""
    ident = pl.col(schema.record_id)  # stripped; empty ones are null and already a problem
    first_row = pl.col(ROW).min().over(ident)
    # is_duplicated is one hash pass over the roll; the rest only sees the few repeated rows
    shared = typed.filter(ident.is_duplicated() & ident.is_not_null())
    repeated = shared.with_columns(first_row.alias("_first")).filter(~ident.is_first_distinct())
    repeated = repeated.select(
        pl.col(ROW),
        (
            pl.lit(f"{schema.record_id}: the same record number as row ")
            + pl.col("_first").cast(pl.String)
        ).alias("reason"),
        pl.lit(schema.record_id).alias("column"),
    )
    if not repeated.height:
        return problems
    both = pl.concat([problems, repeated.select(problems.columns)], how="vertical_relaxed")
    return both.sort(ROW).unique(ROW, keep="first", maintain_order=True)


def _text(column: Column) -> pl.Expr:
    return pl.col(column.name).str.strip_chars()


def _typed(column: Column, text: pl.Expr) -> pl.Expr:
    """The column's values converted from its stripped ``text``; null where not convertible."""
    empty_to_null = pl.when(text == "").then(None).otherwise(text)
    match column.kind:
        case Kind.ID | Kind.TEXT:
            return empty_to_null
        case Kind.CODE:
            return empty_to_null.str.to_lowercase()
        case Kind.DATE:
            return text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        case Kind.DATETIME:
            iso = text.str.replace(" ", "T", literal=True, n=1)
            return iso.str.strptime(pl.Datetime("us"), _DATETIME_FORMAT, strict=False)
        case Kind.FLAG:
            return text.str.to_lowercase().replace_strict(
                _FLAGS, default=None, return_dtype=pl.Boolean
            )


def _is_bad(column: Column) -> pl.Expr:
    """True where the text is not a valid value (needs the ``_text`` and typed columns)."""
    text = pl.col(_TEXT + column.name)
    empty = text.is_null() | (text == "")
    if column.kind is Kind.TEXT:
        return pl.lit(value=False)
    if column.kind is Kind.ID:
        return empty
    wrong = ~empty & pl.col(column.name).is_null()
    if column.kind is Kind.CODE:
        wrong = ~empty & ~pl.col(column.name).is_in(column.codes)  # typed: lower case
    return (empty & pl.lit(column.required)) | wrong


def _complaint(column: Column) -> pl.Expr:
    text = pl.col(_TEXT + column.name).fill_null("")
    # The value is never shown: a roll's are members' personal data (row and column say
    # where to look).
    empty = text == ""
    expected = {
        Kind.ID: "a record number",
        Kind.DATE: "a date (YYYY-MM-DD)",
        Kind.DATETIME: "a time (YYYY-MM-DDTHH:MM:SS)",
        Kind.FLAG: "true or false",
        Kind.CODE: "one of " + "/".join(column.codes),
        Kind.TEXT: "text",
    }[column.kind]
    return (
        pl.when(empty)
        .then(pl.lit(f"{column.name}: is empty; expected {expected}"))
        .otherwise(pl.lit(f"{column.name}: is not {expected}"))
    )
