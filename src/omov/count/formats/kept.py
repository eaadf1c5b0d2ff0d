"""What the coded readers keep as rows come, besides their buffer of keys: the rows
counted in a histogram, the long rows folded into one sorted set, and the scratch arrays a
thread reuses. Each may be added to from several threads; see ``coded``."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from omov.count.formats.keys import KeyLayout, Keys, LongRows, Run, blanks, distinct_long

DENSE_BITS = 16
"""Bits of a key's top that may index a histogram (``DenseCounts``): 65,536 bins."""
LONG_FOLD = 2**12
"""Long rows kept unsorted at most before they are folded into the sorted ones."""


@dataclass(eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class DenseCounts:
    """Rows whose marks all lie in their first few cells, counted in a histogram of the
    top of their keys (the label and those cells) instead of being sorted: most ballots
    rank a few candidates, so most rows are counted here, and the bins come out in the
    order of the keys they stand for.

    Each thread counts into a histogram of its own."""

    shift: int
    """Bits of a key below the counted cells: all blank in a counted row."""
    blanks: int
    """Those bits in a counted row."""
    bins: int
    histograms: list[npt.NDArray[np.int64]] = field(default_factory=list)
    mine: threading.local = field(default_factory=threading.local)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, layout: KeyLayout) -> DenseCounts | None:
        """The histogram for keys of ``layout`` (``None`` if not even one cell fits)."""
        cells = min(layout.cells, (DENSE_BITS - layout.label_bits) // layout.bits)
        if cells < 1:
            return None
        below = layout.cells - cells
        return cls(
            below * layout.bits,
            blanks(below, layout.bits, layout.blank),
            1 << (layout.label_bits + cells * layout.bits),
        )

    def count(self, keys: Keys, rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Count those of ``rows`` that are dense; returns which they are."""
        dense: npt.NDArray[np.bool_] = (keys & ((1 << self.shift) - 1)) == self.blanks
        dense &= rows
        # np.compress: NumPy's boolean indexing costs four times as much on a random mask.
        found = np.bincount(np.compress(dense, keys) >> self.shift, minlength=self.bins)
        histogram = getattr(self.mine, "histogram", None)
        if histogram is None:
            with self.lock:
                self.mine.histogram = histogram = np.zeros(self.bins, dtype=np.int64)
                self.histograms.append(histogram)
        histogram += found
        return dense

    def run(self) -> Run:
        """The counted rows as distinct keys (in order) with their counts."""
        total = np.zeros(self.bins, dtype=np.int64)
        for histogram in self.histograms:
            total += histogram
        bins = np.flatnonzero(total)
        return Run((bins << self.shift) | self.blanks, total[bins])


@dataclass(eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class LongRowsKept:
    """Long rows as they come, folded into one sorted set of distinct rows whenever as
    many have come since the last fold as it holds (so the folds cost about twice one sort
    at the end, done while the file is still being read). The caller holds a lock."""

    tail_words: int
    folded: LongRows | None = None
    waiting: list[LongRows] = field(default_factory=list)
    waiting_rows: int = 0

    def add(self, rows: LongRows) -> None:
        self.waiting.append(rows)
        self.waiting_rows += len(rows)
        if self.waiting_rows >= max(LONG_FOLD, len(self.folded or ())):
            self.fold()

    def fold(self) -> LongRows:
        """Every row kept, sorted and distinct."""
        if self.waiting or self.folded is None:
            first = [] if self.folded is None else [self.folded]
            joined = LongRows.joined([*first, *self.waiting], self.tail_words)
            self.folded = distinct_long(joined, sorted_first=len(self.folded or ()))
            self.waiting, self.waiting_rows = [], 0
        return self.folded

    def parts(self) -> list[LongRows]:
        return [*([] if self.folded is None else [self.folded]), *self.waiting]


@dataclass(eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class Scratch:
    """Arrays a thread reuses from batch to batch (fresh memory costs more than writing)."""

    mine: threading.local = field(default_factory=threading.local)

    def keys(self, n: int) -> Keys:
        held = getattr(self.mine, "keys", None)
        if held is None or len(held) < n:
            self.mine.keys = held = np.empty(n, dtype=np.int64)
        keys: Keys = held[:n]
        return keys
