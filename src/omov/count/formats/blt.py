"""BLT, the ballot format of ERS, OpenSTV, OpaVote and Droop.

    6 3                  candidates, seats
    -2                   optional: withdrawn candidates, as negative ids
    [tie 3 1 2 ...]      optional option lines (``blt_header``)
    100 1 2 0            weight, then candidate ids in order of preference, then 0
    4 1 2=3 0            '=': candidates ranked equal (each method reads them its way)
    2 1 - 3 0            '-': a rank left blank
    0                    end of ballots
    "Ashworth"           one quoted name per candidate, in id order
    "Demo Ward"          the title (optional), then any annotation lines (``blt_names``)

A UTF-8 byte-order mark at the start is passed over. The ballot section, often a million
lines, is parsed as one byte buffer with NumPy: characters are classified once, tokens
found where a non-space follows a space, and each token's value built from its digits, so
no Python code runs per ballot line. The few tokens with '=' are read one by one, into
the ballot set's equal rankings (``omov.count.equal`` says what each method makes of
them; a withdrawn candidate is taken out of one, as if not on the paper), and a file
whose ballot lines use ``[nick]`` nicknames has them replaced by ids first. Every
malformed input raises ``BallotFileError`` naming the file and line; nothing is returned
half-read.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from omov.count.ballots import BLANK, N_STOPS, OVERVOTE_GROUP_BASE, BallotPolicy, BallotSet
from omov.count.errors import BallotError, BallotFileError
from omov.count.formats import Progress, register_reader, register_writer
from omov.count.formats.blt_fast import coded_section
from omov.count.formats.blt_header import BltHeader, ids_for_nicknames, parse_header
from omov.count.formats.blt_names import BltNames, parse_names
from omov.count.formats.grid import DistinctRows
from omov.count.formats.runs import Text, file_bytes
from omov.count.labels import blt_text

_CHUNK = 1 << 24
_SNIFF = 1 << 12
_MAX_DIGITS = 15
"""Longer numbers could not be built exactly in float64; no real BLT needs them."""
_TERMINATOR = re.compile(rb"^[ \t]*0[ \t]*\r?$", re.MULTILINE)
_TERMINATOR_AFTER_NEWLINE = re.compile(rb"\n[ \t]*0[ \t]*\r?(?=\n|\Z)")
"""The same line found from the newline before it: the search then tries only line
starts, not every byte (a quarter of the time on a million ballot lines)."""
_ALLOWED_BYTES = b"0123456789=- \t\r\n"
_ALLOWED = np.zeros(256, dtype=np.bool_)
_ALLOWED[list(_ALLOWED_BYTES)] = True


@register_reader("blt", ".blt")
def read_blt(path: Path, *, policy: BallotPolicy, progress: Progress | None = None) -> BallotSet:
    data = _read_bytes(path, progress)
    header = parse_header(path, data)
    # A regular section takes the coded path (blt_fast); any other is read as a grid,
    # which names the faulty line. Ballots are read before names, as errors are reported.
    regular = _regular_section(data, header)
    rows: DistinctRows | None
    if regular is not None:
        (end, rows), parsed = regular, None
    else:
        data = data if isinstance(data, bytes) else data[:]  # mapped: the general reader's
        end, rows, parsed = _irregular_section(path, data, header)
    names = parse_names(path, data, end[1], header.n_candidates)
    try:
        ballots = (
            _from_rows(rows, header, names, policy)
            if rows is not None
            else _from_grid(parsed, header, names, policy)
        )
    except BallotError as error:
        raise BallotFileError(path, None, str(error)) from error
    if progress is not None:
        progress(len(data), len(data))
    if not (header.tie_order or header.notes or names.annotations):
        return ballots
    return dataclasses.replace(
        ballots, tie_order=header.tie_order, notes=header.notes, annotations=names.annotations
    )


def _regular_section(data: Text, header: BltHeader) -> tuple[tuple[int, int], DistinctRows] | None:
    """The section up to the first line "0" itself, if it is regular (no nicknames) and the
    fast path reads it; else ``None``. A regular section has no tab, no carriage return and
    no space at a line's start or end, so no line in it is a '0' with spaces around it: the
    first line "0" is the one the pattern would find, found by byte searches alone."""
    start = header.ballots_start
    if header.nicknames or start == 0 or data[start - 1 : start] != b"\n":
        return None
    # The last line "0" before the first quote (the names' start): found from there back,
    # not from the ballots forward, as every ballot line ends "0\n" (a search forward costs
    # more than reading a quarter of the lines). A line "0" before it is no line of a
    # regular section (the fast path refuses it), so the file is then read the general way.
    names = data.find(b'"', start)
    found = data.rfind(b"\n0\n", start - 1, len(data) if names < 0 else names)
    if found < 0:
        return None
    rows = coded_section(data, header.n_candidates, start, found + 1)
    return None if rows is None else ((found + 1, found + 2), rows)


def _irregular_section(
    path: Path, data: bytes, header: BltHeader
) -> tuple[tuple[int, int], DistinctRows | None, _Parsed | None]:
    """Where the ballots end, and the section read: by the fast path if it is regular once
    its nicknames are replaced, else as a grid by the general reader."""
    end = _terminator(data, header.ballots_start)
    if end is None:
        last = data.count(b"\n") + 1
        raise BallotFileError(path, last, "truncated: no line '0' ends the ballots")
    section = data[header.ballots_start : end[0]]
    if header.nicknames:
        section = ids_for_nicknames(path, section, header.first_ballot_line, header.nicknames)
    rows = coded_section(section, header.n_candidates)
    return end, rows, _parse_ballots(path, section, header) if rows is None else None


def _terminator(data: bytes, start: int) -> tuple[int, int] | None:
    """Where the line '0' that ends the ballots starts and ends (before its newline)."""
    plain = _plain_terminator(data, start)
    if plain is not None:
        return plain
    if start > 0 and data[start - 1 : start] == b"\n":
        found = _TERMINATOR_AFTER_NEWLINE.search(data, start - 1)
        return None if found is None else (found.start() + 1, found.end())
    line = _TERMINATOR.search(data, start)
    return None if line is None else (line.start(), line.end())


def _plain_terminator(data: bytes, start: int) -> tuple[int, int] | None:
    """The first line "0" itself, if no line before it holds a tab, a carriage return or a
    space at either end: then no line before it is a '0' with spaces around it, and a
    byte search finds it at a fraction of the pattern's cost."""
    if start == 0 or data[start - 1 : start] != b"\n":
        return None
    found = data.find(b"\n0\n", start - 1)
    if found < 0:
        return None
    end = found + 1
    if data[start : start + 1] == b" " or any(
        data.find(odd, start - 1, end) >= 0 for odd in (b"\t", b"\r", b"\n ", b" \n")
    ):
        return None
    return end, end + 1


def _from_rows(
    rows: DistinctRows, header: BltHeader, names: BltNames, policy: BallotPolicy
) -> BallotSet:
    return BallotSet.from_codes(
        names.names,
        rows.codes,
        weights=rows.weights,
        withdrawn=header.withdrawn,
        policy=policy,
        title=names.title,
        seats=header.seats,
        checked=rows.checked,
    )


def _from_grid(
    parsed: _Parsed | None, header: BltHeader, names: BltNames, policy: BallotPolicy
) -> BallotSet:
    assert parsed is not None
    grid, weights, equal_groups = parsed
    return BallotSet.from_grid(
        names.names,
        grid,
        weights=weights,
        withdrawn=header.withdrawn,
        policy=policy,
        title=names.title,
        seats=header.seats,
        equal_groups=equal_groups,
    )


def _read_bytes(path: Path, progress: Progress | None) -> Text:
    """The file's bytes: a large plain file mapped (``runs.file_bytes``: reading 10^6
    ballots, 14 MB, into fresh memory, then copying the ballot section out of it, took
    some 10 ms of a count); a compressed one, or one read under a progress bar, read."""
    if progress is None and path.suffix.lower() != ".gz":
        mapped = file_bytes(path)
        if not mapped or (mapped[:_SNIFF].isspace() and mapped[:].isspace()):
            raise BallotFileError(path, 1, "empty file")
        return mapped
    opener: Callable[..., Any] = open
    if path.suffix.lower() == ".gz":
        import gzip  # here: a plain file's count need not import it (nor bz2 and lzma)

        opener = gzip.open
    total = path.stat().st_size
    chunks = []
    done = 0
    with opener(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            chunks.append(chunk)
            done += len(chunk)
            if progress is not None:
                progress(min(done, total), total)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if not data or data.isspace():  # not data.strip(), a copy of the file
        raise BallotFileError(path, 1, "empty file")
    return data


_Parsed = tuple[npt.NDArray[np.int16], npt.NDArray[np.int64], tuple[frozenset[int], ...]]
"""A ballot section read as a grid: the rank grid, weights and equal rankings."""


def _parse_ballots(path: Path, section: bytes, header: BltHeader) -> _Parsed:
    """The ballot lines between the header and the '0' line, as a rank grid, weights and
    the candidates ranked equal (by the grid's group cells)."""
    chars = np.frombuffer(section, dtype=np.uint8)
    base_line = header.first_ballot_line

    def fail(char_index: int, message: str) -> BallotFileError:
        line = base_line + int(np.count_nonzero(chars[:char_index] == ord("\n")))
        return BallotFileError(path, line, message)

    # bytes.translate drops the allowed characters at C speed; anything left is junk.
    if section.translate(None, _ALLOWED_BYTES):
        bad = int(np.argmax(~_ALLOWED[chars]))
        char = bytes([int(chars[bad])]).decode("latin-1")
        raise fail(bad, f"unexpected character {char!r} in a ballot line")
    tokens = _tokenise(chars)
    if tokens.starts.size == 0:
        return np.zeros((0, 1), dtype=np.int16), np.zeros(0, dtype=np.int64), ()
    too_long = np.flatnonzero(tokens.lengths > _MAX_DIGITS)
    if len(too_long):
        raise fail(int(tokens.starts[too_long[0]]), "number too long")
    return _grid_from_tokens(chars, tokens, header, fail)


_Fail = Callable[[int, str], BallotFileError]
"""Makes the error for a byte offset in the ballot section (it finds the line)."""


@dataclass(frozen=True)
class _Tokens:
    starts: npt.NDArray[np.intp]
    lengths: npt.NDArray[np.intp]
    values: npt.NDArray[np.int64]
    line: npt.NDArray[np.intp]
    """Line index (0-based within the ballot section) of each token."""
    equal: npt.NDArray[np.bool_]
    dash: npt.NDArray[np.bool_]


def _tokenise(chars: npt.NDArray[np.uint8]) -> _Tokens:
    """Token boundaries and values. Only allowed characters are present here, and the
    only ones at or below b' ' are the spaces, so one comparison finds them."""
    is_space = chars <= ord(" ")
    in_token = ~is_space
    starts = np.flatnonzero(in_token[1:] & is_space[:-1]) + 1
    ends = np.flatnonzero(in_token[:-1] & is_space[1:]) + 1
    if len(chars) and in_token[0]:
        starts = np.concatenate(([0], starts))
    if len(chars) and in_token[-1]:
        ends = np.concatenate((ends, [len(chars)]))
    lengths = ends - starts
    digit = chars - np.uint8(ord("0"))  # wraps for non-digits, which are never read
    values = digit[starts].astype(np.int64)
    # Horner's rule, one pass per further digit: ranks have one or two digits, weights a few.
    for position in range(1, min(int(lengths.max(initial=0)), _MAX_DIGITS)):
        longer = np.flatnonzero(lengths > position)
        values[longer] = values[longer] * 10 + digit[starts[longer] + position]
    newlines = np.flatnonzero(chars == ord("\n"))
    line = np.searchsorted(newlines, starts)
    return _Tokens(
        starts, lengths, values, line, _marked(chars, starts, "="), _marked(chars, starts, "-")
    )


def _marked(
    chars: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp], mark: str
) -> npt.NDArray[np.bool_]:
    """Tokens that contain ``mark`` anywhere."""
    found = np.zeros(len(starts), dtype=np.bool_)
    where = np.flatnonzero(chars == ord(mark))
    found[np.searchsorted(starts, where, side="right") - 1] = True
    return found


def _grid_from_tokens(
    chars: npt.NDArray[np.uint8], tokens: _Tokens, header: BltHeader, fail: _Fail
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64], tuple[frozenset[int], ...]]:
    n = header.n_candidates
    # Token lines are sorted, so each line's first token is where the line number changes.
    first = np.flatnonzero(np.diff(tokens.line, prepend=-1))
    per_line = np.diff(first, append=len(tokens.line))
    last = first + per_line - 1
    special = tokens.equal | tokens.dash
    plain_rank = np.ones(len(tokens.starts), dtype=np.bool_)
    plain_rank[first] = False
    plain_rank[last] = False

    on_first = np.zeros(len(tokens.starts), dtype=np.bool_)
    on_last = on_first.copy()
    on_first[first] = True
    on_last[last] = True
    dash_token = tokens.dash & ~tokens.equal
    numeric = plain_rank & ~special
    problems = [
        (on_first & special, "a ballot line must start with a whole-number weight"),
        (on_first & (tokens.values < 1), "a ballot weight must be at least 1"),
        (on_last & (special | (tokens.values != 0) | on_first), "a ballot line must end with 0"),
        (dash_token & (tokens.lengths != 1), "a rank must be a candidate id, '-' or a=b"),
        (
            numeric & ((tokens.values < 1) | (tokens.values > n)),
            f"a ranking names a candidate outside 1..{n}",
        ),
    ]
    # Report the problem that comes first in the file, whatever its kind.
    found = [(int(np.argmax(mask)), message) for mask, message in problems if mask.any()]
    if found:
        index, message = min(found)
        raise fail(int(tokens.starts[index]), message)
    groups: dict[frozenset[int], int] = {}
    equal_cells = {
        int(index): _equal_rank(chars, tokens, int(index), header, groups, fail)
        for index in np.flatnonzero(plain_rank & tokens.equal)
    }

    width = max(int(per_line.max()) - 2, 1)
    grid = np.full((len(first), width), BLANK, dtype=np.int16)
    row_of = np.repeat(np.arange(len(first)), per_line)
    column = np.arange(len(tokens.starts)) - np.repeat(first, per_line) - 1
    cells = np.where(tokens.dash, BLANK, tokens.values - 1)
    for index, cell in equal_cells.items():
        cells[index] = cell
    grid[row_of[plain_rank], column[plain_rank]] = cells[plain_rank]
    return grid, tokens.values[first], tuple(groups)


def _equal_rank(
    chars: npt.NDArray[np.uint8],
    tokens: _Tokens,
    index: int,
    header: BltHeader,
    groups: dict[frozenset[int], int],
    fail: _Fail,
) -> int:
    """The grid cell of an equal ranking ``a=b``: a group cell, or the one candidate left
    when the others are withdrawn (all withdrawn: the first, which the count passes over)."""
    n = header.n_candidates
    start = int(tokens.starts[index])
    text = chars[start : start + int(tokens.lengths[index])].tobytes().decode("ascii")
    parts = text.split("=")
    if not all(p.isdigit() and 1 <= int(p) <= n for p in parts):
        raise fail(start, f"equal ranking {text!r} must join candidate ids in 1..{n} with '='")
    members = [int(p) - 1 for p in parts]
    if len(set(members)) < len(members):
        raise fail(start, f"equal ranking {text!r} names a candidate twice")
    standing = frozenset(members) - header.withdrawn
    if len(standing) <= 1:
        return min(standing) if standing else members[0]
    return OVERVOTE_GROUP_BASE - groups.setdefault(standing, len(groups))


@register_writer("blt")
def write_blt(ballots: BallotSet, path: Path) -> None:
    """Write ``ballots`` as BLT that Droop and OpenSTV read back, atomically, in UTF-8
    without a byte-order mark. Withdrawn candidates go on the negative-id line, the form
    both read (OpenSTV's reader refuses Droop's ``[withdrawn]`` option line, and any
    other). Equal rankings are written ``a=b``, and the annotations after the title,
    quoted; a quote inside a name becomes a typographic one (``_quote``). Papers with no
    mark are not written: they are not part of the valid poll, and OpenSTV would count a
    ``k 0`` line as k valid papers. Sections and inactive reasons have no place in BLT:
    each unique ranking becomes one weighted line ending where its candidates end."""
    seats = ballots.seats or 1
    lines = [f"{ballots.n_candidates} {seats}"]
    if ballots.withdrawn:
        lines.append(" ".join(f"-{c + 1}" for c in sorted(ballots.withdrawn)))
    n = ballots.n_candidates
    first_group = ballots.group_code(0)
    ranks = [str(c + 1) for c in range(n)] + [
        "=".join(str(c + 1) for c in sorted(group)) for group in ballots.equal_groups
    ]
    for row, weight in zip(ballots.rankings.tolist(), ballots.weights.tolist(), strict=True):
        marks = [ranks[c if c < n else c - first_group + n] for c in _marks(row, n)]
        lines.append(" ".join([str(weight), *marks, "0"]))
    lines.append("0")
    lines.extend(_quote(name) for name in ballots.candidates)
    lines.append(_quote(ballots.title))
    lines.extend(_quote(note) for note in ballots.annotations)
    _write_atomically(path, "\n".join(lines) + "\n")


def _marks(row: list[int], n: int) -> list[int]:
    """The candidates and equal rankings of a clean ranking, up to its stop."""
    stops = range(n, n + N_STOPS)
    end = next((i for i, c in enumerate(row) if c in stops), len(row))
    return row[:end]


def _quote(name: str) -> str:
    """A name or title as BLT holds it: a quote inside written as a typographic one, white
    space as single spaces, an empty one as a space (``omov.count.labels.blt_text``)."""
    return f'"{blt_text(name)}"'


def _write_atomically(path: Path, text: str) -> None:
    import tempfile  # here: reading a file needs it not (nor shutil, which it imports)

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
