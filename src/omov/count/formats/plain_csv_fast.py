"""Plain CSV of rankings (``.csv``, ``.csv.gz``; the schema is in ``tabular``): the reader
and writer registered for the format, and the fast path of the reader, with NumPy alone.

A regular file is read here without Polars (whose import alone costs more than reading a
million ballots this way): one with a candidate list, rank columns only (no ``section``,
no ``weight``), no quotes, no empty line, every row as long as the header, and every
cell empty or exactly a candidate's name. Fields end at commas and line ends, so the file
is read a run of lines at a time (a run's arrays reused by the next, not mapped afresh)
as arrays of field starts and lengths; each cell's bytes are packed into 64-bit words,
hashed to the one name it may be, and compared with that name word by word (exactly).
Any other file, and any run that holds something else (an overvote, a name with spaces,
an unknown name), is read by the general reader (``plain_csv``, Polars), which names the
line at fault: the two read the same files into the same ballot sets
(``tests/count/formats/test_csv_fast.py``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from omov.count.ballots import BallotPolicy, BallotSet
from omov.count.errors import BallotFileError
from omov.count.formats import Progress, register_reader, register_writer
from omov.count.formats.coded import CodedRows, Irregular
from omov.count.formats.grid import DistinctRows
from omov.count.formats.runs import Text, each_run, field_ends, file_bytes, line_runs, text_start
from omov.count.formats.tabular_schema import Metadata, layout_of, metadata_from

_SNIFF = 2**16
_HEAD = 2**20
"""The metadata and header must be within the first MiB."""
_LOOKUP = 1 << 22
"""Slots of the table from a cell's hash to its candidate, at most."""
_SEED = 2026
_TRIES = 8
"""Hashings tried for one that puts each name in a slot of its own."""
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)
"""The low ``k`` bytes of a little-endian word: a cell's bytes within it."""
_NOT_IN_NAMES = frozenset([*range(ord(" ")), ord('"'), ord(",")])
"""Bytes of no name this path takes: a cell holding one is then no name, so a row with a
quote, a control byte (NUL, ``\\r``) or a quoted comma is refused by its cells alone."""


@register_reader("csv", ".csv")
def read_csv(path: Path, *, policy: BallotPolicy, progress: Progress | None = None) -> BallotSet:
    if path.suffix.lower() != ".gz":
        fast = _read_regular(path, policy)
        if fast is not None:
            if progress is not None:
                progress(1, 1)
            return fast
    from omov.count.formats import plain_csv

    return plain_csv.read_csv(path, policy=policy, progress=progress)


@register_writer("csv")
def write_csv(ballots: BallotSet, path: Path) -> None:
    from omov.count.formats import plain_csv

    plain_csv.write_csv(ballots, path)


def _read_regular(path: Path, policy: BallotPolicy) -> BallotSet | None:
    """The ballot set of a regular file, or ``None``. The metadata and header are read as
    the general reader reads them, so their faults are reported alike."""
    data = file_bytes(path)
    start = text_start(data)
    first = data[start : start + max(_HEAD, _SNIFF + 1)]
    metadata, columns, _, body = _preamble(path, first)
    layout = layout_of(path, columns, None)
    candidates = metadata.candidates
    if candidates is None or layout.section or layout.weight or not candidates:
        return None
    rows = _rows(data, start + len(first) - len(body), columns, layout.ranks, candidates)
    if rows is None:
        return None
    ids = {name: i for i, name in enumerate(candidates)}
    return BallotSet.from_codes(
        candidates,
        rows.codes,
        weights=rows.weights,
        withdrawn=frozenset(ids[name] for name in metadata.withdrawn),
        policy=policy,
        title=metadata.title,
        seats=metadata.seats,
        checked=rows.checked,
    )


def _rows(
    data: Text, body: int, columns: list[str], ranks: tuple[str, ...], names: tuple[str, ...]
) -> DistinctRows | None:
    """The body's rows as the coded path's columns, reduced to distinct rows; ``None`` if
    a row is not regular or a cell not empty and not a candidate's name."""
    # A quote, "\r" or NUL is in a cell that is no name, and the matcher refuses it. An
    # empty line is a row of one field, which field_ends refuses unless rows have one.
    if body >= len(data) or data[body] == ord("\n") or data[-1] != ord("\n"):
        return None
    if len(columns) < 2 and data.find(b"\n\n", body) >= 0:
        return None
    matcher = _Matcher.of(names)
    if matcher is None:
        return None
    order = [columns.index(rank) for rank in ranks]
    rows = CodedRows(len(names), len(ranks))

    def read(chars: npt.NDArray[np.uint8]) -> bool:
        # Its bytes unchecked: a cell with a quote or a control byte is no name (_Matcher.of)
        ends = field_ends(chars, len(columns), text=False)
        codes = None if ends is None else matcher.codes(chars, ends, len(columns), order)
        if codes is None:
            return False
        rows.add(list(codes))
        return True

    try:
        if not each_run(line_runs(data, body), read):
            return None
        return rows.distinct(None, stop_column=True)
    except Irregular:
        return None


class _Matcher:
    """Cells matched to candidates' names exactly: a cell's bytes read as 64-bit words
    (``_word_offsets``), the words and the cell's length hashed into a table where each
    name has a slot of its own, and the cell then compared word by word with the name in
    its slot."""

    def __init__(
        self, packed: npt.NDArray[np.uint64], lengths: npt.NDArray[np.intp], hashing: _Hashing
    ) -> None:
        self.candidates, self.words = packed.shape
        self.longest = int(lengths.max())
        self.shortest = int(lengths.min())
        self.hashing = hashing
        # One more row, no name's: empty slots lead there, and its length matches no cell.
        self.name_words = [np.append(packed[:, w], np.uint64(0)) for w in range(self.words)]
        self.name_lengths = np.append(lengths, -1)
        self.slots = np.full(1 << hashing.bits, self.candidates, dtype=np.intp)
        self.slots[hashing.slots(list(packed.T), lengths)] = np.arange(self.candidates)

    @classmethod
    def of(cls, names: tuple[str, ...]) -> _Matcher | None:
        """The matcher, or ``None`` if the names are past what it takes: a name with a byte
        that ends or quotes a field, or a control byte (then no cell holding one is a name,
        so a row holding one is refused by the names alone), or names that no hashing puts
        in distinct slots of a table of at most ``_LOOKUP``."""
        encoded = [name.encode("utf-8") for name in names]
        if any(_NOT_IN_NAMES.intersection(name) for name in encoded):
            return None
        words = max(1, (max(len(e) for e in encoded) + 7) // 8)
        packed = np.zeros((len(encoded), words), dtype=np.uint64)
        for row, name in enumerate(encoded):
            for w, offset in enumerate(_word_offsets(len(name), words)):
                word = name[offset : offset + 8] if offset >= 0 else b""
                packed[row, w] = int.from_bytes(word, "little")
        lengths = np.array([len(e) for e in encoded], dtype=np.intp)
        hashing = _Hashing.distinct(list(packed.T), lengths)
        return None if hashing is None else cls(packed, lengths, hashing)

    def codes(
        self, chars: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp], width: int, order: list[int]
    ) -> npt.NDArray[np.int16] | None:
        """Rank by rank (one row a rank), the candidate named there or blank; ``None`` if
        a cell is neither empty nor a name. ``ends``: where each field ends (``width``
        fields a line), ``order``: the rank columns' places among them.

        Gathers are ``np.take``: faster than indexing with an array (``np.put`` is
        slower than assigning through one). Cells are found by their lengths alone, not
        their starts too: only the named cells' starts are needed."""
        lengths = np.empty_like(ends)
        lengths[0] = ends[0]
        np.subtract(ends[1:], ends[:-1], out=lengths[1:])
        lengths[1:] -= 1  # the comma or line end before each field
        shape = (len(ends) // width, len(order))
        if order != list(range(width)):
            lengths = lengths.reshape(-1, width)[:, order].ravel()
            ends = ends.reshape(-1, width)[:, order].ravel()
        named = np.flatnonzero(lengths.astype(np.bool_))  # faster than on the lengths
        cell_lengths = lengths.take(named)
        if len(named) and int(cell_lengths.max()) > self.longest:
            return None
        words = self._words(chars, ends.take(named), cell_lengths)
        found = self.slots.take(self.hashing.slots(words, cell_lengths))
        matched = self.name_lengths.take(found) == cell_lengths
        for word, name_word in zip(words, self.name_words, strict=True):
            matched &= name_word.take(found) == word
        if not matched.all():
            return None
        codes = np.full(shape, self.candidates, dtype=np.int16)
        codes.ravel()[named] = found
        return np.ascontiguousarray(codes.T)

    def _words(
        self,
        chars: npt.NDArray[np.uint8],
        ends: npt.NDArray[np.intp],
        lengths: npt.NDArray[np.intp],
    ) -> list[npt.NDArray[np.uint64]]:
        """The words of the cells that end at ``ends`` (``_word_offsets``). A cell of eight
        bytes or more is read in whole words within it, a shorter one in one word masked to
        its bytes; if no name is that short, none of those cells is a name whatever its
        words, and no mask is needed."""
        padded = np.zeros(8 + len(chars) + 8, dtype=np.uint8)  # a word before and after
        padded[8 : 8 + len(chars)] = chars
        # A word at every byte (unaligned): a cell's words are gathered in one step each,
        # indexing, not np.take, which would copy all of the view first.
        at_byte = np.ndarray((len(chars) + 9,), np.uint64, padded.data, strides=(1,))
        starts = ends - lengths
        starts += 8  # in padded
        last = ends  # the last word's first byte in padded: ends - 8 in chars
        words = [at_byte[starts]]
        for w in range(1, self.words - 1):
            words.append(at_byte[np.minimum(starts + 8 * w, last)])
        if self.words > 1:
            words.append(at_byte[last])
        if self.shortest < 8:
            short = np.flatnonzero(lengths < 8)
            words[0][short] &= _MASKS.take(lengths.take(short))
            for word in words[1:]:
                word[short] = 0
        return words


def _word_offsets(length: int, words: int) -> list[int]:
    """Where a cell's ``words`` 64-bit words start in it: a cell of eight bytes or more
    reads its ``w``-th word from byte ``8 * w`` or, if that runs past its end, its last
    eight bytes (the words then overlap, and cover it); a shorter cell is one word (its
    bytes, then zeros) and zeros (``-1``)."""
    if length < 8:
        return [0] + [-1] * (words - 1)
    return [min(8 * w, length - 8) for w in range(words)]


@dataclass(frozen=True)
class _Hashing:
    """A cell's slot: the top ``bits`` bits of a sum (modulo 2**64) of its words and
    length each times an odd constant, or of one word (``word``) alone times one, where
    that puts each name in a slot of its own (names alike in their first eight bytes
    mostly differ in their last ones): three steps on a run's cells, not eight."""

    factors: tuple[int, ...]
    bits: int
    word: int | None = None

    @classmethod
    def distinct(
        cls, words: list[npt.NDArray[np.uint64]], lengths: npt.NDArray[np.intp]
    ) -> _Hashing | None:
        """A hashing that puts each name in a slot of its own, in a table about eight
        times the names' number squared (a few tries), or ``None``."""
        n = len(lengths)
        bits = min(max(4, (8 * n * n).bit_length()), _LOOKUP.bit_length() - 1)
        draws = _draws(_SEED)
        tries = [(w, 1) for w in range(len(words))] + [(None, len(words) + 1)] * _TRIES
        for word, count in tries:
            hashing = cls(tuple(next(draws) | 1 for _ in range(count)), bits, word)
            if len(set(hashing.slots(words, lengths).tolist())) == n:
                return hashing
        return None

    def slots(
        self, words: list[npt.NDArray[np.uint64]], lengths: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.intp]:
        shift = np.uint64(64 - self.bits)
        if self.word is not None:
            total = words[self.word] * np.uint64(self.factors[0])
        else:
            total = lengths.astype(np.uint64) * np.uint64(self.factors[-1])
            for word, factor in zip(words, self.factors, strict=False):
                total += word * np.uint64(factor)
        total >>= shift
        slots: npt.NDArray[np.intp] = total.view(np.intp)  # below 2**63: the same values
        return slots


def _draws(seed: int) -> Iterator[int]:
    """64-bit numbers drawn from ``seed`` (SplitMix64). Not ``np.random``, nor
    ``np.unique`` on the slots above: NumPy imports its random module and ``numpy.ma``
    only when they are first used, and either import costs more than reading a small
    file."""
    mask = 2**64 - 1
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        yield z ^ (z >> 31)


def _preamble(path: Path, first: bytes) -> tuple[Metadata, list[str], int, bytes]:
    """Metadata comments and the header, from the file's first bytes; the rest is the body."""
    if not first.strip():
        raise BallotFileError(path, 1, "empty file")
    _check_text(path, first[:_SNIFF], 1, final=len(first) <= _SNIFF)
    record: dict[str, Any] = {}
    where: dict[str, int] = {}
    offset = 0
    for number, raw_line in enumerate(_lines(first[:_HEAD]), start=1):
        offset += len(raw_line)
        text = raw_line.decode("utf-8", errors="replace").strip()
        if text.startswith("#"):
            _comment(path, text[1:], number, record, where)
            continue
        if not text:
            continue
        columns = [c.strip() for c in next(csv.reader([text]))]
        layout_of(path, columns, number)
        return metadata_from(path, record, where), columns, number, first[offset:]
    raise BallotFileError(path, 1, "no header line (rank1,rank2,...)")


def _lines(head: bytes) -> Iterator[bytes]:
    """The lines of ``head`` as ``head.splitlines(keepends=True)`` has them, split a few KiB
    at a time as they are taken: the header is in the first few lines, and splitting a MiB
    of rows into lines took 4 ms of the start of a count."""
    done, size = 0, 1 << 12
    while done < len(head):
        lines = head[done : done + size].splitlines(keepends=True)
        if done + size < len(head):
            lines.pop()  # maybe cut short (or a "\r" of a "\r\n" cut): split again later
        yield from lines
        done += sum(len(line) for line in lines)
        size *= 2


def _comment(
    path: Path, text: str, number: int, record: dict[str, Any], where: dict[str, int]
) -> None:
    """``# key: JSON value`` lines are metadata; other comment lines are ignored."""
    key, colon, value = text.partition(":")
    key = key.strip()
    if not colon or key not in ("candidates", "sections", "title", "seats", "withdrawn"):
        return
    try:
        record[key] = json.loads(value)
    except json.JSONDecodeError:
        if key != "title":
            raise BallotFileError(path, number, f"{key}: not a JSON value") from None
        record[key] = value.strip()
    where[key] = number


def _check_text(path: Path, data: bytes, first_line: int, *, final: bool) -> None:
    """Binary junk fails here, fast, naming the line where it starts."""
    nul = data.find(b"\0")
    if nul >= 0:
        line = first_line + data.count(b"\n", 0, nul)
        raise BallotFileError(path, line, "binary data, not CSV text")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if final or error.start < len(data) - 3:
            line = first_line + data.count(b"\n", 0, error.start)
            raise BallotFileError(path, line, "not UTF-8 text") from None
