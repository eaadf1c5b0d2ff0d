"""The fast path of the ranking-table readers: cells as small integer codes, never strings.

When a file's candidates are known (its metadata lists them) a rank cell can be turned
into a code while it is parsed: a Parquet column's dictionary is mapped once and its
indices taken, a CSV column is parsed as an enum of the candidate names. Codes are a
candidate's id, ``blank`` (``n_candidates``) or ``overvote`` (``n_candidates + 1``), so a
row of codes compares as the ballot set orders its rows: by candidate, then blank, then
overvote.

Each row is packed into one 64-bit *key*: the section label (if any) in the top bits, then
as many cells as fit, first rank most significant, so sorting keys sorts rows. Distinct
rows are then one ``np.unique`` (a vectorised sort) over the keys, cheap at any size and
already in the order the ballot set keeps, so compressing them need not sort them again.
A *long* row, one with a mark past the cells a key holds (a ballot ranking nearly every
candidate), keeps all its codes and is grouped on its own; the two kinds are merged in
order at the end.

Anything irregular (a name outside the list, a name with spaces around it, a bad weight,
a ballot with no section, ...) is not handled here: ``Irregular`` is raised and the
reader falls back to the general path, which reads the same rows and either accepts them
or names the row at fault. So the two paths can never disagree on what a file means.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

KEY = "key"
COUNT = "count"
BLOCK = 2**16
"""Rows packed at a time: a block's key stays in cache while every column is folded in."""
REDUCE_EVERY = 2**24
"""Keys held unreduced at most (128 MB): memory stays bounded however long the file."""
KEY_BITS = 63
"""Bits of a key in use: keys stay non-negative ``int64``."""
LABEL_BITS = 8
"""Top bits of a key holding the section label: up to 255 labels take the fast path."""

Codes = npt.NDArray[np.integer[Any]]
Keys = npt.NDArray[np.int64]


class Irregular(Exception):  # noqa: N818  (a signal to fall back, not an error)
    """The rows need the general reader (which gives the exact message if they are bad)."""


@dataclass
class _Distinct:
    """Distinct keys in order with their weights, or long rows (label, codes) with theirs."""

    rows: npt.NDArray[Any]
    weights: npt.NDArray[np.int64] | None = None
    """``None``: every row one ballot (not reduced yet)."""


@dataclass(frozen=True)
class Packed:
    """A block of rows packed by ``CodedRows.packed``: keyed rows and long rows (if any)."""

    keys: _Distinct
    long: _Distinct | None


@dataclass
class CodedRows:
    """Rows of cell codes, reduced to distinct rows (with summed weights) as they come.

    Section labels are numbered in order of first sight; ``rankings`` renumbers them.
    """

    n_candidates: int
    width: int
    sections: bool = False
    labels: dict[str, int] = field(default_factory=dict)
    keys: list[_Distinct] = field(default_factory=list)
    long: list[_Distinct] = field(default_factory=list)
    held: int = 0
    """Unreduced keys held (see ``REDUCE_EVERY``)."""

    def __bool__(self) -> bool:
        return bool(self.keys or self.long)

    @property
    def blank(self) -> int:
        return self.n_candidates

    @property
    def overvote(self) -> int:
        return self.n_candidates + 1

    @property
    def bits(self) -> int:
        """Bits per cell: every code up to ``overvote``."""
        return self.overvote.bit_length()

    @property
    def cells(self) -> int:
        """Cells a key holds: as many as fit beside the label."""
        room = KEY_BITS - (LABEL_BITS if self.sections else 0)
        return min(self.width, room // self.bits)

    @property
    def tail_cells(self) -> int:
        """Cells each further word of a long row holds."""
        return KEY_BITS // self.bits

    @property
    def tail_words(self) -> int:
        return -(-(self.width - self.cells) // self.tail_cells)

    # -- adding rows -------------------------------------------------------------------
    def add(
        self,
        columns: Sequence[Codes],
        weights: npt.NDArray[np.int64] | None = None,
        section_codes: npt.NDArray[np.int32] | None = None,
    ) -> None:
        """Keep the rows whose cell codes are ``columns`` (one array per rank)."""
        self.keep(self.packed(columns, weights, section_codes))

    def packed(
        self,
        columns: Sequence[Codes],
        weights: npt.NDArray[np.int64] | None = None,
        section_codes: npt.NDArray[np.int32] | None = None,
    ) -> Packed:
        """Rows packed into keys (and long rows into words), not kept yet. Changes nothing
        here, so readers may pack blocks in several threads and ``keep`` them in order;
        NumPy lets go of the GIL while it packs."""
        if self.cells == 0 or len(columns) != self.width:
            raise Irregular
        n = len(columns[0])
        keys = np.empty(n, dtype=np.int64)
        long = np.zeros(n, dtype=np.bool_)
        for start in range(0, n, BLOCK):
            part = slice(start, min(n, start + BLOCK))
            labels = None if section_codes is None else section_codes[part]
            _pack(keys[part], [column[part] for column in columns[: self.cells]], self.bits, labels)
            for column in columns[self.cells :]:
                long[part] |= column[part] != self.blank
        if not long.any():
            return Packed(_reduced_keys([_Distinct(keys, weights)]), None)
        picked = np.flatnonzero(long)
        words = self._long_words(keys, columns, picked)
        long_rows = _Distinct(words, None if weights is None else weights.take(picked))
        keys, weights = keys[~long], None if weights is None else weights[~long]
        return Packed(_reduced_keys([_Distinct(keys, weights)]), long_rows)

    def keep(self, packed: Packed) -> None:
        """Keep packed rows (from ``packed``)."""
        self.keys.append(packed.keys)
        if packed.long is not None:
            self.long.append(packed.long)
        self.held += len(packed.keys.rows)
        if self.held >= REDUCE_EVERY:
            self.keys = [_reduced_keys(self.keys)]
            self.held = 0

    def _long_words(
        self, keys: Keys, columns: Sequence[Codes], picked: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.int64]:
        """Long rows as words: the key, then the further cells packed alike."""
        words = np.empty((len(picked), 1 + self.tail_words), dtype=np.int64)
        words[:, 0] = keys.take(picked)
        rest = columns[self.cells :]
        for w in range(self.tail_words):
            cells = [c.take(picked) for c in rest[w * self.tail_cells : (w + 1) * self.tail_cells]]
            cells += [np.full(len(picked), self.blank)] * (self.tail_cells - len(cells))  # padding
            word = np.empty(len(picked), dtype=np.int64)
            _pack(word, cells, self.bits, None)
            words[:, 1 + w] = word
        return words

    def add_frame(self, frame: pl.DataFrame, ranks: Sequence[str], weight: str | None) -> None:
        """Keep the rows of a frame whose rank columns are enums of the candidates (codes
        are their physical values, a null cell blank)."""
        codes = frame.select(
            pl.col(name).to_physical().fill_null(self.blank).cast(pl.Int16) for name in ranks
        )
        columns = [codes[name].to_numpy() for name in ranks]
        weights = None if weight is None else frame[weight].cast(pl.Int64).to_numpy()
        self.add(columns, weights)

    def section_codes(self, dictionary: Sequence[str | None]) -> npt.NDArray[np.int32]:
        """Codes for a section column's dictionary, one more as for ``cell_codes`` (a null
        section is irregular, so it is never taken); a missing label is irregular."""
        codes = []
        for value in dictionary:
            label = (value or "").strip()
            if not label:
                raise Irregular
            codes.append(self.labels.setdefault(label, len(self.labels)))
        if len(self.labels) >= 2**LABEL_BITS:
            raise Irregular
        return np.array([*codes, 0], dtype=np.int32)

    # -- the distinct rows ---------------------------------------------------------------
    def distinct(
        self, allowed_sections: tuple[str, ...] | None
    ) -> tuple[
        npt.NDArray[np.int16], npt.NDArray[np.int64], npt.NDArray[np.int16] | None, tuple[str, ...]
    ]:
        """The distinct rows as cell codes (in the ballot set's order, as
        ``BallotSet.from_codes`` takes them), their weights, section ids and names."""
        names: tuple[str, ...] = ()
        renumber = None
        if self.sections:
            names = allowed_sections or tuple(sorted(self.labels))
            if not set(self.labels) <= set(names):
                raise Irregular
            position = {name: i for i, name in enumerate(names)}
            renumber = np.zeros(max(len(self.labels), 1), dtype=np.int64)
            for label, code in self.labels.items():
                renumber[code] = position[label]
        with ThreadPoolExecutor(1) as helper:  # the long rows are grouped meanwhile
            long_rows = helper.submit(self._long_grouped, renumber) if self.long else None
            distinct = self._relabelled(_reduced_keys(self.keys), renumber)
            self.keys, self.held = [], 0
            keys, weights = distinct.rows, distinct.weights
            assert weights is not None
            long_at = np.zeros(0, dtype=np.intp)
            long = None
            if long_rows is not None:
                keys, weights, long_at, long = self._merged(keys, weights, long_rows.result())
            grid = np.empty((len(keys), self.width), dtype=np.int16)
            grid[:, self.cells :] = self.blank
            half = len(keys) // 2
            upper = helper.submit(_unpacked, keys[half:], grid[half:, : self.cells], self.bits)
            labels = np.concatenate(
                [_unpacked(keys[:half], grid[:half, : self.cells], self.bits), upper.result()]
            )
        if long is not None:
            tails = np.empty((len(long), self.tail_words * self.tail_cells), dtype=np.int16)
            for w in range(self.tail_words):
                part = slice(w * self.tail_cells, (w + 1) * self.tail_cells)
                _unpacked(long[:, 1 + w], tails[:, part], self.bits)
            grid[long_at, self.cells :] = tails[:, : self.width - self.cells]
        return grid, weights, (labels.astype(np.int16) if self.sections else None), names

    def _relabelled(self, keys: _Distinct, renumber: npt.NDArray[np.int64] | None) -> _Distinct:
        """Labels numbered in the sections' order; keys re-sorted if that moved any."""
        if renumber is None or np.array_equal(renumber, np.arange(len(renumber))):
            return keys
        relabelled = self._relabel(keys.rows, renumber)
        order = np.argsort(relabelled)
        assert keys.weights is not None
        return _Distinct(relabelled[order], keys.weights[order])

    def _relabel(self, keys: Keys, renumber: npt.NDArray[np.int64]) -> Keys:
        shift = self.cells * self.bits
        relabelled: Keys = (renumber[keys >> shift] << shift) | (keys & ((1 << shift) - 1))
        return relabelled

    def _long_grouped(self, renumber: npt.NDArray[np.int64] | None) -> _Distinct:
        """The long rows' words, distinct and in order, with summed weights."""
        words = np.concatenate([part.rows for part in self.long])
        if renumber is not None:
            words[:, 0] = self._relabel(words[:, 0], renumber)
        words, weights = _grouped_words(words, _concatenated_weights(self.long))
        self.long = []
        return _Distinct(words, weights)

    def _merged(
        self, keys: Keys, weights: npt.NDArray[np.int64], long_rows: _Distinct
    ) -> tuple[Keys, npt.NDArray[np.int64], npt.NDArray[np.intp], npt.NDArray[np.int64]]:
        """Long rows put in their places among the keyed rows: all keys with weights, where
        the long rows went, and their words.

        A long row and a keyed row with the same key differ past the key's cells, where the
        keyed row is blank: the long row comes first if its first mark there is a
        candidate (a candidate sorts before blank), after if it is an overvote."""
        words, long_weights = long_rows.rows, long_rows.weights
        assert long_weights is not None
        blank_word = np.empty(1, dtype=np.int64)
        _pack(blank_word, [np.full(1, self.blank)] * self.tail_cells, self.bits, None)
        tails = words[:, 1:]
        differs = tails != blank_word[0]
        first = tails[np.arange(len(tails)), np.argmax(differs, axis=1)]
        before = np.searchsorted(keys, words[:, 0], side="left")
        # Keys are distinct: a keyed row equal to the long row's key is the one at ``before``.
        equal = np.append(keys, -1).take(before) == words[:, 0]  # -1: no key past the end
        places = np.where(equal & (first > blank_word[0]), before + 1, before)
        long_at = places + np.arange(len(places))
        return (
            np.insert(keys, places, words[:, 0]),
            np.insert(weights, places, long_weights),
            long_at,
            words,
        )


def _pack(out: Keys, columns: Sequence[Codes], bits: int, labels: Codes | None) -> None:
    """Fold ``labels`` and the cells of ``columns`` into ``out``, first most significant."""
    if labels is None:
        out.fill(0)
    else:
        out[:] = labels
    for column in columns:
        np.left_shift(out, bits, out=out)
        np.bitwise_or(out, column, out=out, casting="unsafe")


def _unpacked(keys: Keys, cells: npt.NDArray[np.int16], bits: int) -> Keys:
    """Write the cells of ``keys`` into ``cells`` (one column each), a block of rows at a
    time (so the block stays in cache); returns what is left above them (the labels)."""
    rest = keys.copy()
    mask = (1 << bits) - 1
    for start in range(0, len(rest), BLOCK):
        block = rest[start : start + BLOCK]
        out = cells[start : start + BLOCK]
        for k in reversed(range(cells.shape[1])):
            np.bitwise_and(block, mask, out=out[:, k], casting="unsafe")
            block >>= bits
    return rest


def _grouped_words(
    words: npt.NDArray[np.int64], weights: npt.NDArray[np.int64] | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct rows of words in order, with summed weights (many rows: Polars sorts them
    on all cores)."""
    if len(words) < 2**17:
        order = np.lexsort(words.T[::-1])
    else:
        columns = {f"w{k}": words[:, k] for k in range(words.shape[1])}
        order = pl.DataFrame(columns).select(pl.arg_sort_by(list(columns))).to_series().to_numpy()
    words = words[order]
    starts = np.ones(len(words), dtype=np.bool_)
    starts[1:] = (words[1:] != words[:-1]).any(axis=1)
    at = np.flatnonzero(starts)
    if weights is None:
        summed = np.diff(np.append(at, len(words)))
    else:
        summed = np.add.reduceat(weights[order], at)
    return words[at], summed.astype(np.int64)


def _concatenated_weights(parts: list[_Distinct]) -> npt.NDArray[np.int64] | None:
    if all(part.weights is None for part in parts):
        return None
    return np.concatenate(
        [
            np.ones(len(part.rows), np.int64) if part.weights is None else part.weights
            for part in parts
        ]
    )


def _reduced_keys(parts: list[_Distinct]) -> _Distinct:
    """Distinct keys in order with summed weights. One ballot per row: a sort (a block is
    reduced so as it is packed). Weighted rows, such as blocks reduced already: a stable
    argsort, which merges sorted runs in passes over them."""
    keys = np.concatenate([np.zeros(0, dtype=np.int64), *(part.rows for part in parts)])
    if len(keys) == 0:
        return _Distinct(keys, np.zeros(0, dtype=np.int64))
    weights = _concatenated_weights(parts)
    if weights is None:
        keys.sort()  # a copy of our own already: sorted in place
    else:
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], weights[order]
    first = np.empty(len(keys), dtype=np.bool_)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    if weights is None:
        counts = np.diff(np.append(starts, len(keys)))
    else:
        counts = np.add.reduceat(weights, starts)
    return _Distinct(keys[starts], counts.astype(np.int64))


def cell_codes(
    dictionary: Sequence[str | None], candidates: Sequence[str], rows: CodedRows
) -> npt.NDArray[np.int16]:
    """Codes for a rank column's dictionary, one more (blank) for null cells.

    The same reading as the general path: trimmed, empty is blank, ``=`` joins the names
    of an overvote; a name outside ``candidates`` is irregular.
    """
    ids = {name: i for i, name in enumerate(candidates)}
    codes = []
    for value in dictionary:
        cell = (value or "").strip()
        if not cell:
            codes.append(rows.blank)
        elif "=" in cell:
            if not all(not p.strip() or p.strip() in ids for p in cell.split("=")):
                raise Irregular
            codes.append(rows.overvote)
        elif cell in ids:
            codes.append(ids[cell])
        else:
            raise Irregular
    return np.array([*codes, rows.blank], dtype=np.int16)
