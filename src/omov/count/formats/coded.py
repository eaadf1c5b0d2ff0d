"""The fast path of the ranking-table readers: cells as small integer codes, never strings.

When a file's candidates are known (its metadata lists them) a rank cell can be turned
into a code while it is parsed: a Parquet column's dictionary is mapped once and its
indices taken, a CSV column is parsed as an enum of the candidate names. Codes are a
candidate's id, ``blank`` (``n_candidates``) or ``overvote`` (``n_candidates + 1``), so a
row of codes compares as the ballot set orders its rows: by candidate, then blank, then
overvote.

Each row is packed into one 64-bit *key*: the section label (if any) in the top bits, then
as many cells as fit, first rank most significant, so sorting keys sorts rows; the cells
past the key go into *tail words* packed alike, all blank for most rows. Each block of
rows is sorted and reduced to distinct keys as it is packed (in the reader's threads); a
*long* row, one with a mark past the key (a ballot ranking nearly every candidate), keeps
its tail words and joins its block's rows as a second sorted run. At the end the runs are
cut at one key into two halves, each merged (one stable argsort of the keys, then the few
rows sharing a key with a long row put in order of their tails) and reduced in its own
thread: distinct rows in the order the ballot set keeps, so compressing them need not sort
them again.

Anything irregular (a name outside the list, a name with spaces around it, a bad weight,
a ballot with no section, ...) is not handled here: ``Irregular`` is raised and the
reader falls back to the general path, which reads the same rows and either accepts them
or names the row at fault. So the two paths can never disagree on what a file means.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from omov.count.formats.keys import (
    BLOCK,
    Codes,
    Keys,
    Packed,
    Words,
    halves,
    in_order,
    pack,
    reduced,
    reduced_keys,
    run_weights,
    unpack,
)

KEY = "key"
COUNT = "count"
REDUCE_EVERY = 2**24
"""Keys held unreduced at most (128 MB): memory stays bounded however long the file."""
KEY_BITS = 63
"""Bits of a key in use: keys stay non-negative ``int64``."""
LABEL_BITS = 8
"""Top bits of a key holding the section label: up to 255 labels take the fast path."""


class Irregular(Exception):  # noqa: N818  (a signal to fall back, not an error)
    """The rows need the general reader (which gives the exact message if they are bad)."""


@dataclass
class CodedRows:
    """Rows of cell codes, reduced to distinct rows (with summed weights) as they come.

    Section labels are numbered in order of first sight; ``rankings`` renumbers them.
    """

    n_candidates: int
    width: int
    sections: bool = False
    labels: dict[str, int] = field(default_factory=dict)
    parts: list[Packed] = field(default_factory=list)
    held: int = 0
    """Rows held since the last reduction (see ``REDUCE_EVERY``)."""

    def __bool__(self) -> bool:
        return bool(self.parts)

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
        """Cells each tail word holds."""
        return KEY_BITS // self.bits

    @property
    def tail_words(self) -> int:
        return -(-(self.width - self.cells) // self.tail_cells)

    @property
    def blank_word(self) -> int:
        """A tail word of blanks."""
        word = 0
        for _ in range(self.tail_cells):
            word = word << self.bits | self.blank
        return word

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
    ) -> list[Packed]:
        """Rows packed, not kept yet, as runs in order of key: the rows their keys hold
        whole, reduced to distinct keys, and the long rows (with marks past the key).
        Changes nothing here, so readers may pack blocks in several threads and ``keep``
        them in order; NumPy lets go of the GIL while it packs and sorts."""
        if self.cells == 0 or len(columns) != self.width:
            raise Irregular
        n = len(columns[0])
        keys = np.empty(n, dtype=np.int64)
        long = np.zeros(n, dtype=np.bool_)
        for start in range(0, n, BLOCK):
            part = slice(start, min(n, start + BLOCK))
            labels = None if section_codes is None else section_codes[part]
            pack(keys[part], [column[part] for column in columns[: self.cells]], self.bits, labels)
            for column in columns[self.cells :]:
                long[part] |= column[part] != self.blank
        if not long.any():
            keys, counts = reduced_keys(keys, weights)
            return [Packed(keys, self._blank_tails(len(keys)), counts)]
        picked = np.flatnonzero(long)
        long_keys = keys.take(picked)
        by_key = np.argsort(long_keys)
        picked = picked[by_key]
        long_rows = Packed(
            long_keys[by_key],
            self._tails(columns, picked),
            None if weights is None else weights[picked],
        )
        kept = ~long
        keys, counts = reduced_keys(keys[kept], None if weights is None else weights[kept])
        return [Packed(keys, self._blank_tails(len(keys)), counts), long_rows]

    def keep(self, runs: list[Packed]) -> None:
        """Keep packed rows (from ``packed``)."""
        self.parts += runs
        self.held += sum(map(len, runs))
        if self.held >= REDUCE_EVERY:
            self.parts = [reduced(self.parts, self.blank_word)]
            self.held = 0

    def _blank_tails(self, n: int) -> Words:
        return np.full((self.tail_words, n), self.blank_word, dtype=np.int64)

    def _tails(self, columns: Sequence[Codes], picked: npt.NDArray[np.intp]) -> Words:
        """The tail words of the rows ``picked``: the cells past the key, packed alike."""
        tails = np.empty((self.tail_words, len(picked)), dtype=np.int64)
        rest = columns[self.cells :]
        for w in range(self.tail_words):
            cells = [c.take(picked) for c in rest[w * self.tail_cells : (w + 1) * self.tail_cells]]
            cells += [np.full(len(picked), self.blank)] * (self.tail_cells - len(cells))  # padding
            pack(tails[w], cells, self.bits, None)
        return tails

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
        self, allowed_sections: tuple[str, ...] | None, *, stop_column: bool = False
    ) -> tuple[
        npt.NDArray[np.int16], npt.NDArray[np.int64], npt.NDArray[np.int16] | None, tuple[str, ...]
    ]:
        """The distinct rows as cell codes (in the ballot set's order, as
        ``BallotSet.from_codes`` takes them), their weights, section ids and names.

        ``stop_column``: one more column, blank, where a ranking of every candidate puts its
        stop, so ``from_codes`` can take the codes as the rankings without a wider copy."""
        names, parts = self._in_section_order(allowed_sections)
        self.parts, self.held = [], 0
        lower, upper = halves(parts)
        with ThreadPoolExecutor(1) as helper:  # the upper half meanwhile, in a thread
            upper_rows = helper.submit(reduced, upper, self.blank_word)
            rows = reduced(lower, self.blank_word), upper_rows.result()
            grid = np.empty((len(rows[0]) + len(rows[1]), self.width + stop_column), np.int16)
            grids = grid[: len(rows[0])], grid[len(rows[0]) :]
            upper_labels = helper.submit(self._unpacked, rows[1], grids[1])
            labels = np.concatenate([self._unpacked(rows[0], grids[0]), upper_labels.result()])
        weights = np.concatenate([run_weights(rows[0]), run_weights(rows[1])])
        return grid, weights, (labels.astype(np.int16) if self.sections else None), names

    def _in_section_order(
        self, allowed_sections: tuple[str, ...] | None
    ) -> tuple[tuple[str, ...], list[Packed]]:
        """The section names and the parts with their labels numbered in that order (a
        label outside ``allowed_sections`` is irregular)."""
        if not self.sections:
            return (), self.parts
        names = allowed_sections or tuple(sorted(self.labels))
        if not set(self.labels) <= set(names):
            raise Irregular
        position = {name: i for i, name in enumerate(names)}
        renumber = np.zeros(max(len(self.labels), 1), dtype=np.int64)
        for label, code in self.labels.items():
            renumber[code] = position[label]
        if np.array_equal(renumber, np.arange(len(renumber))):
            return names, self.parts
        return names, [in_order(self._relabel(p.keys, renumber), p) for p in self.parts]

    def _relabel(self, keys: Keys, renumber: npt.NDArray[np.int64]) -> Keys:
        shift = self.cells * self.bits
        relabelled: Keys = (renumber[keys >> shift] << shift) | (keys & ((1 << shift) - 1))
        return relabelled

    def _unpacked(self, rows: Packed, grid: npt.NDArray[np.int16]) -> Keys:
        """Write the cells of ``rows`` into ``grid``; returns their labels."""
        labels = np.empty(len(rows) if self.sections else 0, dtype=np.int64)
        unpack(rows.keys, grid[:, : self.cells], self.bits, labels=labels)
        for w, tail in enumerate(rows.tails):
            first = self.cells + w * self.tail_cells
            last = min(self.width, first + self.tail_cells)
            padding = (self.tail_cells - (last - first)) * self.bits
            unpack(tail, grid[:, first:last], self.bits, skip=padding)
        grid[:, self.width :] = self.blank  # the stop column (if any)
        return labels


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
