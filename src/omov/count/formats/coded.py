"""The fast path of the ranking-table readers: cells as small integer codes, never strings.

When a file's candidates are known (its metadata lists them) a rank cell can be turned
into a code while it is parsed: a Parquet column's dictionary is mapped once and its
indices taken, a CSV column is parsed as an enum of the candidate names. Codes are a
candidate's id, ``blank`` (``n_candidates``) or ``overvote`` (``n_candidates + 1``), so a
row of codes compares as the ballot set orders its rows: by candidate, then blank, then
overvote.

Each row is packed into one 64-bit key (``keys``) as it comes, straight into one buffer of
keys shared by the reader's threads; a long row (a ballot ranking nearly every candidate)
is kept apart with its tail words, and a weighted batch is reduced to distinct keys with
their weights at once. Nothing is sorted while the file is read: at the end the buffer is
cut at its median key and its two halves sorted and reduced at once, in two threads, and
so is everything after: the long rows and weighted runs of each side merged in, and the
distinct rows unpacked straight into their place in one column-major grid. A buffer that
fills up (``REDUCE_EVERY``) is sorted and reduced to a weighted run, so memory stays
bounded however long the file.

Anything irregular (a name outside the list, a name with spaces around it, a bad weight,
a ballot with no section, ...) is not handled here: ``Irregular`` is raised and the
reader falls back to the general path, which reads the same rows and either accepts them
or names the row at fault. So the two paths can never disagree on what a file means.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import polars as pl

from omov.count.formats.keys import (
    Codes,
    Counts,
    Keys,
    LongRows,
    Run,
    distinct_long,
    distinct_sorted,
    distinct_weighted,
    marked_past,
    merged,
    merged_into,
    pack,
    places_among,
    sampled_pivot,
    sorted_halves,
    unpack,
)
from omov.count.papers import Checked, irregular_rows_into

REDUCE_EVERY = 2**24
"""Keys held unsorted at most (128 MB): memory stays bounded however long the file."""
KEY_BITS = 63
"""Bits of a key in use: keys stay non-negative ``int64``."""
LABEL_BITS = 8
"""Top bits of a key holding the section label: up to 255 labels take the fast path."""

Grid = npt.NDArray[np.int16]


class Irregular(Exception):  # noqa: N818  (a signal to fall back, not an error)
    """The rows need the general reader (which gives the exact message if they are bad)."""


@dataclass(frozen=True)
class DistinctRows:
    """Distinct rows as cell codes (column-major), with their weights, section ids (if the
    rows have sections) and names, and their check as papers: what
    ``BallotSet.from_codes`` takes."""

    codes: Grid
    weights: Counts
    section_ids: npt.NDArray[np.int16] | None
    section_names: tuple[str, ...]
    checked: Checked

    def part(self, start: int, stop: int) -> DistinctRows:
        """Rows ``start`` to ``stop`` (views, to write into)."""
        ids = None if self.section_ids is None else self.section_ids[start:stop]
        checked = Checked(self.checked.irregular[start:stop], 0)
        return DistinctRows(
            self.codes[start:stop], self.weights[start:stop], ids, self.section_names, checked
        )


@dataclass(frozen=True)
class _Side:
    """One side's distinct rows (see ``keys``): the short ones, and the long ones with
    their places among all of the side's rows."""

    short: Run
    long: LongRows
    places: npt.NDArray[np.intp]

    def __len__(self) -> int:
        return len(self.short) + len(self.long)


DENSE_BITS = 16
"""Bits of a key's top that may index a histogram (``_DenseCounts``): 65,536 bins."""


@dataclass
class _DenseCounts:
    """Rows whose marks all lie in their first few cells (``cells``), counted in a
    histogram of the top of their keys (the label and those cells) instead of being
    sorted: most ballots rank a few candidates, so most rows are counted here, and the
    bins come out in the order of the keys they stand for.

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
    def of(cls, rows: CodedRows) -> _DenseCounts | None:
        label_bits = LABEL_BITS if rows.sections else 0
        cells = min(rows.cells, (DENSE_BITS - label_bits) // rows.bits)
        if cells < 1:
            return None
        below = rows.cells - cells
        blanks = 0
        for _ in range(below):
            blanks = blanks << rows.bits | rows.blank
        return cls(below * rows.bits, blanks, 1 << (label_bits + cells * rows.bits))

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


LONG_FOLD = 2**12
"""Long rows kept unsorted at most before they are folded into the sorted ones."""


@dataclass
class _LongRowsKept:
    """Long rows as they come, folded into one sorted set of distinct rows whenever as
    many have come since the last fold as it holds (so the folds cost about twice one sort
    at the end, done while the file is still being read)."""

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


@dataclass
class _Scratch:
    """Arrays a thread reuses from batch to batch (fresh memory costs more than writing)."""

    mine: threading.local = field(default_factory=threading.local)

    def keys(self, n: int) -> Keys:
        held = getattr(self.mine, "keys", None)
        if held is None or len(held) < n:
            self.mine.keys = held = np.empty(n, dtype=np.int64)
        keys: Keys = held[:n]
        return keys


@dataclass
class CodedRows:
    """Rows of cell codes, collected as keys and reduced to distinct rows at the end.

    ``add`` may be called from several threads at once. Section labels are numbered in
    order of first sight; ``distinct`` renumbers them. ``expected_rows`` (if the reader
    knows) sizes the buffer of keys.
    """

    n_candidates: int
    width: int
    sections: bool = False
    expected_rows: int | None = None
    labels: dict[str, int] = field(default_factory=dict)
    # What is kept so far, guarded by ``_room`` (``add`` runs in several threads):
    _buffer: Keys | None = field(default=None, init=False, repr=False)
    _filled: int = field(default=0, init=False)
    _writing: int = field(default=0, init=False)
    """Batches being packed into the buffer: it is sorted only when none is."""
    _runs: list[Run] = field(default_factory=list, init=False, repr=False)
    _long: _LongRowsKept = field(init=False, repr=False)
    _added: int = field(default=0, init=False)
    _dense: _DenseCounts | None = field(default=None, init=False, repr=False)
    _scratch: _Scratch = field(default_factory=lambda: _Scratch(), init=False, repr=False)

    def __post_init__(self) -> None:
        self._dense = _DenseCounts.of(self)
        self._long = _LongRowsKept(self.tail_words)

    _room: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)

    def __bool__(self) -> bool:
        return self._added > 0

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
        """Keep the rows whose cell codes are ``columns`` (one array per rank). NumPy lets
        go of the GIL as it packs, so readers call this in several threads at once."""
        if self.cells == 0 or len(columns) != self.width:
            raise Irregular
        n = len(columns[0])
        if n == 0:
            return
        long = marked_past(columns[self.cells :], self.blank, n)
        if weights is None:
            self._add_unweighted(columns, section_codes, long)
        else:
            self._add_weighted(columns, weights, section_codes, long)
        with self._room:
            self._added += n

    def _add_unweighted(
        self, columns: Sequence[Codes], labels: Codes | None, long: npt.NDArray[np.bool_]
    ) -> None:
        """One ballot a row: long rows kept apart, the rows whose marks lie in their first
        few cells counted (``_DenseCounts``), and the rest moved into the buffer."""
        keys = self._scratch.keys(len(long))
        pack(keys, columns[: self.cells], self.bits, labels)
        rest = ~long
        if long.any():
            picked = np.flatnonzero(long)
            ones = np.ones(len(picked), dtype=np.int64)
            self._keep_long(LongRows(keys[picked], self._tails(columns, picked), ones))
        if self._dense is not None:
            rest &= ~self._dense.count(keys, rest)
        slot = self._reserve(int(np.count_nonzero(rest)))
        try:
            np.compress(rest, keys, out=slot)
        finally:
            with self._room:
                self._writing -= 1
                self._room.notify_all()

    def _add_weighted(
        self,
        columns: Sequence[Codes],
        weights: npt.NDArray[np.int64],
        labels: Codes | None,
        long: npt.NDArray[np.bool_],
    ) -> None:
        """Weighted rows: reduced to distinct keys with their weights at once."""
        keys = np.empty(len(long), dtype=np.int64)
        pack(keys, columns[: self.cells], self.bits, labels)
        if long.any():
            picked = np.flatnonzero(long)
            self._keep_long(LongRows(keys[picked], self._tails(columns, picked), weights[picked]))
            keys, weights = keys[~long], weights[~long]
        run = distinct_weighted(keys, weights)
        with self._room:
            self._runs.append(run)

    def _reserve(self, n: int) -> Keys:
        """Room for ``n`` keys in the buffer (sorting it into a run first if it is full)."""
        with self._room:
            while True:
                if self._buffer is None:
                    wanted = self.expected_rows or REDUCE_EVERY
                    self._buffer = np.empty(max(n, min(wanted, REDUCE_EVERY)), dtype=np.int64)
                if self._filled + n <= len(self._buffer):
                    break
                if self._writing == 0:
                    self._flush()
                    if n > len(self._buffer):
                        self._buffer = np.empty(n, dtype=np.int64)
                    continue
                self._room.wait()  # batches still being packed into the buffer
            keys = self._buffer[self._filled : self._filled + n]
            self._filled += n
            self._writing += 1
            return keys

    def _flush(self) -> None:
        """The buffer sorted and reduced to a weighted run (the caller holds ``_room``)."""
        keys = self._held()
        keys.sort()
        self._runs.append(distinct_sorted(keys))
        self._filled = 0

    def _held(self) -> Keys:
        return np.zeros(0, np.int64) if self._buffer is None else self._buffer[: self._filled]

    def _keep_long(self, rows: LongRows) -> None:
        with self._room:
            self._long.add(rows)

    def _tails(self, columns: Sequence[Codes], picked: npt.NDArray[np.intp]) -> Keys:
        """The tail words of the rows ``picked``: the cells past the key, packed alike."""
        tails = np.empty((self.tail_words, len(picked)), dtype=np.int64)
        rest = columns[self.cells :]
        for w in range(self.tail_words):
            cells = [c.take(picked) for c in rest[w * self.tail_cells : (w + 1) * self.tail_cells]]
            pack(tails[w], cells, self.bits, None)
            padding = self.tail_cells - len(cells)  # blank cells after the last rank
            if padding:
                tails[w] <<= padding * self.bits
                tails[w] |= self.blank_word & ((1 << padding * self.bits) - 1)
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
    ) -> DistinctRows:
        """The distinct rows (in the ballot set's order, as ``BallotSet.from_codes`` takes
        them), checked as papers. Everything kept is handed over: the rows are collected
        afresh after this.

        ``stop_column``: one more column, blank, where a ranking of every candidate puts its
        stop, so ``from_codes`` can take the codes as the rankings without a wider copy."""
        names = self._in_section_order(allowed_sections)
        with ThreadPoolExecutor(1) as helper:  # the upper side meanwhile, in a thread
            lower, upper = self._sides(helper)
            # What was kept is in the sides now: its memory goes back before the grid's is
            # taken, which may then be the same pages (fresh pages cost far more).
            self._buffer, self._filled, self._runs, self._added = None, 0, [], 0
            self._long = _LongRowsKept(self.tail_words)
            self._dense = _DenseCounts.of(self)
            n = len(lower) + len(upper)
            rows = DistinctRows(
                codes=np.empty((n, self.width + stop_column), dtype=np.int16, order="F"),
                weights=np.empty(n, dtype=np.int64),
                section_ids=np.zeros(n, dtype=np.int16) if self.sections else None,
                section_names=names,
                checked=Checked(np.empty(n, dtype=np.bool_), 0),
            )
            upper_longest = helper.submit(self._unpacked, upper, rows.part(len(lower), n))
            longest = self._unpacked(lower, rows.part(0, len(lower)))
            longest = max(longest, upper_longest.result())
        return replace(rows, checked=Checked(rows.checked.irregular, longest))

    def _sides(self, helper: Executor) -> tuple[_Side, _Side]:
        """Every row kept, as the distinct rows of two sides, each side's found at once.
        The long rows are sorted in the helper while this thread cuts the buffer."""
        long = helper.submit(self._long.fold)  # the last few, folded in meanwhile
        lower, upper, pivot = sorted_halves(self._held(), helper)
        if self._runs and self._filled == 0:
            pivot = sampled_pivot(self._runs)
        dense = self._dense.run() if self._dense is not None else Run.empty()
        below, above = long.result().cut(pivot)
        upper_side = helper.submit(self._side, upper, above, pivot, above=True, dense=dense)
        return self._side(lower, below, pivot, above=False, dense=dense), upper_side.result()

    def _side(self, short: Run, long: LongRows, pivot: int, *, above: bool, dense: Run) -> _Side:
        """One side's distinct rows: the buffer's, with the weighted runs' and the counted
        rows' on this side of ``pivot`` merged in, and its long rows placed among them."""
        runs = [run.cut(pivot)[above] for run in self._runs]
        if runs:
            short = merged([short, *runs])
        short = merged_into(short, dense.cut(pivot)[above])  # counted rows: few and in order
        return _Side(short, long, places_among(short.keys, long, self.blank_word))

    def _unpacked(self, side: _Side, rows: DistinctRows) -> int:
        """Write a side's rows into ``rows`` (a part of them) and check them as papers
        while they are in cache; returns the most marks on a regular paper."""
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
            unpack(keys, grid[:, : self.cells], self.bits)
        else:
            labels = np.empty(len(keys), dtype=np.int64)
            unpack(keys, grid[:, : self.cells], self.bits, labels=labels)
            rows.section_ids[:] = labels
        grid[:, self.cells :] = self.blank  # tails and the stop column: blank but for long rows
        # Checked as papers: a short row's cells past its key are blank, so its key's cells
        # tell all; the long rows are unpacked whole on their own, checked, and put in place.
        irregular = rows.checked.irregular
        longest = irregular_rows_into(
            grid[:, : self.cells],
            self.n_candidates,
            irregular,
            highest=self.overvote,
            counted=shorts,
        )
        if len(side.long):
            whole = self._long_grid(side.long, grid.shape[1])
            checked = np.empty(len(side.long), dtype=np.bool_)
            longest = max(
                longest,
                irregular_rows_into(whole, self.n_candidates, checked, highest=self.overvote),
            )
            irregular[side.places] = checked
            grid[side.places] = whole
        return longest

    def _long_grid(self, long: LongRows, columns: int) -> Grid:
        """Long rows as a grid of their own (column-major), ``columns`` wide."""
        whole = np.full((len(long), columns), self.blank, dtype=np.int16, order="F")
        unpack(long.keys, whole[:, : self.cells], self.bits)
        for w, tail in enumerate(long.tails):
            first = self.cells + w * self.tail_cells
            last = min(self.width, first + self.tail_cells)
            padding = (self.tail_cells - (last - first)) * self.bits
            unpack(tail, whole[:, first:last], self.bits, skip=padding)
        return whole

    def _in_section_order(self, allowed_sections: tuple[str, ...] | None) -> tuple[str, ...]:
        """The section names, with every kept key's label renumbered in their order (a
        label outside ``allowed_sections`` is irregular)."""
        if not self.sections:
            return ()
        names = allowed_sections or tuple(sorted(self.labels))
        if not set(self.labels) <= set(names):
            raise Irregular
        position = {name: i for i, name in enumerate(names)}
        renumber = np.zeros(max(len(self.labels), 1), dtype=np.int64)
        for label, code in self.labels.items():
            renumber[code] = position[label]
        if not np.array_equal(renumber, np.arange(len(renumber))):
            self._relabel(renumber)
        return names

    def _relabel(self, renumber: npt.NDArray[np.int64]) -> None:
        """Every kept key's label renumbered; weighted runs sorted again by their new keys."""
        shift = self.cells * self.bits
        low = (1 << shift) - 1

        def relabelled(keys: Keys) -> Keys:
            new: Keys = (renumber[keys >> shift] << shift) | (keys & low)
            return new

        held = self._held()
        held[:] = relabelled(held)
        if self._dense is not None:  # its rows become a run, sorted again
            self._runs.append(self._dense.run())
            self._dense = None
        self._runs = [distinct_weighted(relabelled(r.keys), r.counts) for r in self._runs]
        relabelled_long = _LongRowsKept(self.tail_words)
        for part in self._long.parts():
            relabelled_long.add(LongRows(relabelled(part.keys), part.tails, part.counts))
        self._long = relabelled_long


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
