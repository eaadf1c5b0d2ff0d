"""The coded readers' distinct rows written out: one column-major grid of cell codes (one
contiguous array per rank, as the counting kernels read it), with weights and section
ids, checked as papers while the rows are in cache. Each side of the rows (see ``keys``)
is written into its own part of the grid, in a thread of its own."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from omov.count.formats.keys import Counts, KeyLayout, LongRows, Run, unpack
from omov.count.papers import Checked, irregular_rows_into

Grid = npt.NDArray[np.int16]


@dataclass(frozen=True, eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class DistinctRows:
    """Distinct rows as cell codes (column-major), with their weights, section ids (if the
    rows have sections) and names, and their check as papers: what
    ``BallotSet.from_codes`` takes."""

    codes: Grid
    weights: Counts
    section_ids: npt.NDArray[np.int16] | None
    section_names: tuple[str, ...]
    checked: Checked

    @classmethod
    def empty(cls, n: int, columns: int, *, sections: tuple[str, ...] | None) -> DistinctRows:
        """Room for ``n`` rows (``sections``: their names, or ``None`` without sections)."""
        return cls(
            codes=np.empty((n, columns), dtype=np.int16, order="F"),
            weights=np.empty(n, dtype=np.int64),
            section_ids=None if sections is None else np.zeros(n, dtype=np.int16),
            section_names=sections or (),
            checked=Checked(np.empty(n, dtype=np.bool_), 0),
        )

    def part(self, start: int, stop: int) -> DistinctRows:
        """Rows ``start`` to ``stop`` (views, to write into)."""
        ids = None if self.section_ids is None else self.section_ids[start:stop]
        checked = Checked(self.checked.irregular[start:stop], 0)
        return DistinctRows(
            self.codes[start:stop], self.weights[start:stop], ids, self.section_names, checked
        )


@dataclass(frozen=True, eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class Side:
    """One side's distinct rows: the short ones (their keys hold them whole), and the long
    ones with their places among all of the side's rows."""

    short: Run
    long: LongRows
    places: npt.NDArray[np.intp]

    def __len__(self) -> int:
        return len(self.short) + len(self.long)


def write_side(layout: KeyLayout, side: Side, rows: DistinctRows) -> int:
    """Write a side's rows into ``rows`` (a part of them) and check them as papers while
    they are in cache; returns the most marks on a regular paper."""
    keys, grid = side.short.keys, rows.codes
    shorts = None
    if len(side.long):
        shorts = np.ones(len(side), dtype=np.bool_)
        shorts[side.places] = False
        keys = np.empty(len(side), dtype=np.int64)
        keys[shorts], keys[side.places] = side.short.keys, side.long.keys
        rows.weights[shorts] = side.short.counts
        rows.weights[side.places] = side.long.counts
    else:
        rows.weights[:] = side.short.counts
    if rows.section_ids is None:
        unpack(keys, grid[:, : layout.cells], layout.bits)
    else:
        labels = np.empty(len(keys), dtype=np.int64)
        unpack(keys, grid[:, : layout.cells], layout.bits, labels=labels)
        rows.section_ids[:] = labels
    grid[:, layout.cells :] = layout.blank  # tails and stop column: blank but for long rows
    # Checked as papers: a short row's cells past its key are blank, so its key's cells
    # tell all; the long rows are unpacked whole on their own, checked, and put in place.
    irregular = rows.checked.irregular
    longest = irregular_rows_into(
        grid[:, : layout.cells],
        layout.n_candidates,
        irregular,
        highest=layout.overvote,
        counted=shorts,
    )
    if len(side.long):
        whole = long_grid(layout, side.long, grid.shape[1])
        checked = np.empty(len(side.long), dtype=np.bool_)
        longest = max(
            longest,
            irregular_rows_into(whole, layout.n_candidates, checked, highest=layout.overvote),
        )
        irregular[side.places] = checked
        grid[side.places] = whole
    return longest


def long_grid(layout: KeyLayout, long: LongRows, columns: int) -> Grid:
    """Long rows as a grid of their own (column-major), ``columns`` wide."""
    whole = np.full((len(long), columns), layout.blank, dtype=np.int16, order="F")
    unpack(long.keys, whole[:, : layout.cells], layout.bits)
    for w, tail in enumerate(long.tails):
        first = layout.cells + w * layout.tail_cells
        last = min(layout.width, first + layout.tail_cells)
        padding = (layout.tail_cells - (last - first)) * layout.bits
        unpack(tail, whole[:, first:last], layout.bits, skip=padding)
    return whole
