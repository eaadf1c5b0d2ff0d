"""The fast path of the ranking-table readers: cells as small integer codes, never strings.

When a file's candidates are known (its metadata lists them) a rank cell can be turned
into a code while it is parsed: a Parquet column's dictionary is mapped once and its
indices taken, a CSV column is parsed as an enum of the candidate names. A ballot is then
a row of one-byte codes (two bytes past 253 candidates), padded to whole 64-bit words, so
a row is one or a few machine words, cheap for Polars to hash and group (on all cores).
Only the distinct rows are turned back into a rank grid, in the order the ballot set
keeps, so compressing them need not sort them again.

Anything irregular (a name outside the list, a name with spaces around it, a bad weight,
a ballot with no section, ...) is not handled here: ``Irregular`` is raised and the
reader falls back to the general path, which reads the same rows and either accepts them
or names the row at fault. So the two paths can never disagree on what a file means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from omov.count.ballots import BLANK, OVERVOTE

WORD = "word"
COUNT = "count"
LABEL = "label"
GROUP_EVERY = 2**22
"""Rows held ungrouped at most (about 100 MB): memory stays bounded however long the file."""


class Irregular(Exception):  # noqa: N818  (a signal to fall back, not an error)
    """The rows need the general reader (which gives the exact message if they are bad)."""


@dataclass
class CodedRows:
    """Rows of cell codes, reduced to distinct rows (with summed weights) as they come.

    Codes: a candidate's id, ``blank`` for an empty cell, ``overvote`` for an overvote.
    Section labels are numbered in order of first sight; ``rankings`` renumbers them.
    """

    n_candidates: int
    width: int
    sections: bool = False
    labels: dict[str, int] = field(default_factory=dict)
    parts: list[pl.DataFrame] = field(default_factory=list)
    pending: list[pl.DataFrame] = field(default_factory=list)
    """Blocks not grouped yet: one grouping of many rows costs less than one per block."""

    def __bool__(self) -> bool:
        return bool(self.parts or self.pending)

    @property
    def blank(self) -> int:
        return self.n_candidates

    @property
    def overvote(self) -> int:
        return self.n_candidates + 1

    @property
    def dtype(self) -> np.dtype[Any]:
        """Little-endian whatever the machine: column ``j`` of a word is its bits from
        ``j * bits``, so words packed in numpy and in Polars agree."""
        return np.dtype("<u1" if self.overvote <= np.iinfo(np.uint8).max else "<u2")

    @property
    def per_word(self) -> int:
        return 8 // self.dtype.itemsize

    def empty_block(self, n_rows: int) -> npt.NDArray[Any]:
        """A row-major block to fill column by column; padding columns stay blank."""
        padded = -(-self.width // self.per_word) * self.per_word
        return np.full((n_rows, padded), self.blank, dtype=self.dtype)

    def add(
        self,
        block: npt.NDArray[Any],
        weights: npt.NDArray[np.int64] | None,
        section_codes: npt.NDArray[np.int32] | None = None,
    ) -> None:
        """Keep the distinct rows of ``block`` (from ``empty_block``) with their weights."""
        words = block.view("<u8").astype(np.uint64, copy=False)
        columns: dict[str, Any] = {f"{WORD}{k}": words[:, k] for k in range(words.shape[1])}
        if section_codes is not None:
            columns[LABEL] = section_codes
        columns[COUNT] = np.ones(len(block), np.int64) if weights is None else weights
        self.pending.append(pl.DataFrame(columns))
        if sum(part.height for part in self.pending) >= GROUP_EVERY:
            self.parts.append(_grouped(self.pending))
            self.pending = []

    def add_frame(self, frame: pl.DataFrame, ranks: Sequence[str], weight: str | None) -> None:
        """Keep the distinct rows of a frame whose rank columns are enums of the candidates
        (codes are their physical values): the words are packed and grouped in one Polars
        query, without a copy of the cells in numpy."""
        bits = 8 * self.dtype.itemsize
        columns = [*ranks]
        columns += [""] * (-len(columns) % self.per_word)  # padding: blank

        def cell(name: str, j: int) -> pl.Expr:
            code = pl.col(name).to_physical().fill_null(self.blank) if name else pl.lit(self.blank)
            return code.cast(pl.UInt64) * (1 << (bits * j))

        words = [
            pl.sum_horizontal(
                cell(name, j) for j, name in enumerate(columns[k : k + self.per_word])
            )
            .cast(pl.UInt64)
            .alias(f"{WORD}{k // self.per_word}")
            for k in range(0, len(columns), self.per_word)
        ]
        count = pl.col(weight).cast(pl.Int64) if weight else pl.lit(1, pl.Int64)
        keys = [f"{WORD}{k}" for k in range(len(words))]
        grouped = frame.lazy().select(*words, count.alias(COUNT)).group_by(keys)
        self.parts.append(grouped.agg(pl.col(COUNT).sum()).collect())

    def section_codes(self, dictionary: Sequence[str | None]) -> npt.NDArray[np.int32]:
        """Codes for a section column's dictionary; a missing label is irregular."""
        codes = []
        for value in dictionary:
            label = (value or "").strip()
            if not label:
                raise Irregular
            codes.append(self.labels.setdefault(label, len(self.labels)))
        return np.array(codes, dtype=np.int32)

    def rankings(
        self, allowed_sections: tuple[str, ...] | None
    ) -> tuple[
        npt.NDArray[np.int16], npt.NDArray[np.int64], npt.NDArray[np.int16] | None, tuple[str, ...]
    ]:
        """The distinct rows as a rank grid, their weights, section ids and section names."""
        table = _grouped(self.parts + self.pending)
        self.parts, self.pending = [], []
        keys = [c for c in table.columns if c != COUNT]
        words = np.column_stack([table[c].to_numpy() for c in keys if c.startswith(WORD)])
        words = np.ascontiguousarray(words, dtype=np.uint64)
        names: tuple[str, ...] = ()
        section_ids = None
        if self.sections:
            names = allowed_sections or tuple(sorted(self.labels))
            if not set(self.labels) <= set(names):
                raise Irregular
            position = {name: i for i, name in enumerate(names)}
            renumber = np.array([position[label] for label in self.labels], dtype=np.int16)
            section_ids = renumber[table[LABEL].to_numpy()]
        order = self._canonical_order(words, section_ids)
        codes = words[order].astype("<u8", copy=False).view(self.dtype)[:, : self.width]
        grid = codes.astype(np.int16)
        grid[codes == self.blank] = BLANK
        grid[codes == self.overvote] = OVERVOTE
        weights = table[COUNT].to_numpy().astype(np.int64, copy=False)[order]
        return grid, weights, None if section_ids is None else section_ids[order], names

    def _canonical_order(
        self, words: npt.NDArray[np.uint64], section_ids: npt.NDArray[np.int16] | None
    ) -> npt.NDArray[Any]:
        """Rows by section, then ranking, blank and overvote after every candidate: the
        order the ballot set keeps, so compressing finds them sorted (and skips its sort).
        With one-byte codes, the words read big-endian compare as the rows do."""
        if self.dtype.itemsize != 1:
            return np.arange(len(words))
        keys: dict[str, Any] = {} if section_ids is None else {LABEL: section_ids}
        ordered = words.byteswap()
        keys |= {f"{WORD}{k}": ordered[:, k] for k in range(ordered.shape[1])}
        return pl.DataFrame(keys).select(pl.arg_sort_by(list(keys)))[:, 0].to_numpy()


def _grouped(parts: list[pl.DataFrame]) -> pl.DataFrame:
    keys = [c for c in parts[0].columns if c != COUNT]
    return pl.concat(parts).group_by(keys).agg(pl.col(COUNT).sum())


def cell_codes(
    dictionary: Sequence[str | None], candidates: Sequence[str], rows: CodedRows
) -> npt.NDArray[Any]:
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
    return np.array([*codes, rows.blank], dtype=rows.dtype)
