"""The fast path of the ranking-table readers: cells as small integer codes, never strings.

When a file's candidates are known (its metadata lists them) a rank cell can be turned
into a code while it is parsed: a Parquet column's dictionary is mapped once and its
indices taken, a CSV column is parsed as an enum of the candidate names. Codes are a
candidate's id, ``blank`` (``n_candidates``) or ``overvote`` (``n_candidates + 1``), so a
row of codes compares as the ballot set orders its rows: by candidate, then blank, then
overvote.

Each row is packed into one 64-bit key (``keys``) as it comes. A row whose marks all lie in
its first few cells is counted in a histogram; a long row (a ballot ranking nearly every
candidate) is kept apart with its tail words and folded into one sorted set (both in
``kept``); a weighted batch is reduced to distinct keys with their weights at once; every
other key goes into one buffer shared by the reader's threads. The buffer is not sorted
while the file is read: at the end it is cut at its median key and its two sides sorted
and reduced at once, in two threads, and so is everything after: the histogram's keys,
the weighted runs and the long rows of each side merged in, and the distinct rows written
straight into their place in one column-major grid and checked as papers (``grid``). A
buffer that fills up (``REDUCE_EVERY``) is sorted and reduced to a weighted run, so memory
stays bounded however long the file.

Anything irregular (a name outside the list, a name with spaces around it, a bad weight,
a ballot with no section, ...) is not handled here: ``Irregular`` is raised and the
reader falls back to the general path, which reads the same rows and either accepts them
or names the row at fault. So the two paths can never disagree on what a file means.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from omov.count.formats.grid import DistinctRows, Side, write_side
from omov.count.formats.kept import DenseCounts, LongRowsKept, Scratch
from omov.count.formats.keys import (
    LABEL_BITS,
    Codes,
    KeyLayout,
    Keys,
    LongRows,
    Run,
    distinct_sorted,
    distinct_weighted,
    marked_past,
    merged,
    merged_into,
    pack,
    places_among,
    sampled_pivot,
    sorted_halves,
)
from omov.count.helper import Helper, Submits
from omov.count.papers import Checked

if TYPE_CHECKING:
    import polars as pl

REDUCE_EVERY = 2**24
"""Keys held unsorted at most (128 MB): memory stays bounded however long the file."""


class Irregular(Exception):  # noqa: N818  (a signal to fall back, not an error)
    """The rows need the general reader (which gives the exact message if they are bad)."""


@dataclass(eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
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
    layout: KeyLayout = field(init=False)
    # What is kept so far, guarded by ``_room`` (``add`` runs in several threads):
    _buffer: Keys | None = field(default=None, init=False, repr=False)
    _filled: int = field(default=0, init=False)
    _writing: int = field(default=0, init=False)
    """Batches being packed into the buffer: it is sorted only when none is."""
    _runs: list[Run] = field(default_factory=list, init=False, repr=False)
    _long: LongRowsKept = field(init=False, repr=False)
    _dense: DenseCounts | None = field(init=False, repr=False)
    _added: int = field(default=0, init=False)
    _scratch: Scratch = field(default_factory=Scratch, init=False, repr=False)
    _room: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)
    _long_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.layout = KeyLayout(self.n_candidates, self.width, self.sections)
        self._start_afresh()

    def _start_afresh(self) -> None:
        self._buffer, self._filled, self._runs, self._added = None, 0, [], 0
        self._long = LongRowsKept(self.layout.tail_words)
        self._dense = DenseCounts.of(self.layout)

    def __bool__(self) -> bool:
        return self._added > 0

    @property
    def blank(self) -> int:
        return self.layout.blank

    @property
    def overvote(self) -> int:
        return self.layout.overvote

    # -- adding rows -------------------------------------------------------------------
    def add(
        self,
        columns: Sequence[Codes],
        weights: npt.NDArray[np.int64] | None = None,
        section_codes: npt.NDArray[np.int32] | None = None,
    ) -> None:
        """Keep the rows whose cell codes are ``columns`` (one array per rank). NumPy lets
        go of the GIL as it packs, so readers call this in several threads at once."""
        layout = self.layout
        if layout.cells == 0 or len(columns) != self.width:
            raise Irregular
        n = len(columns[0])
        if n == 0:
            return
        long = marked_past(columns[layout.cells :], layout.blank, n)
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
        few cells counted (``kept.DenseCounts``), and the rest moved into the buffer."""
        layout = self.layout
        keys = self._scratch.keys(len(long))
        pack(keys, columns[: layout.cells], layout.bits, labels)
        rest = ~long
        if long.any():
            picked = np.flatnonzero(long)
            ones = np.ones(len(picked), dtype=np.int64)
            self._keep_long(LongRows(keys[picked], layout.tails(columns, picked), ones))
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
        layout = self.layout
        keys = np.empty(len(long), dtype=np.int64)
        pack(keys, columns[: layout.cells], layout.bits, labels)
        if long.any():
            picked = np.flatnonzero(long)
            tails = layout.tails(columns, picked)
            self._keep_long(LongRows(keys[picked], tails, weights[picked]))
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
        with self._long_lock:  # not ``_room``: a fold sorts, and others need the buffer
            self._long.add(rows)

    def add_frame(self, frame: pl.DataFrame, ranks: Sequence[str], weight: str | None) -> None:
        """Keep the rows of a frame whose rank columns are enums of the candidates (codes
        are their physical values, a null cell blank)."""
        import polars as pl  # here: the BLT reader's fast path needs no Polars

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
        helper = Helper()  # the upper side meanwhile, in a thread
        try:
            lower, upper = self._sides(helper)
            # What was kept is in the sides now: its memory goes back before the grid's is
            # taken, which may then be the same pages (fresh pages cost far more).
            self._start_afresh()
            n = len(lower) + len(upper)
            sections = names if self.sections else None
            rows = DistinctRows.empty(n, self.width + stop_column, sections=sections)
            upper_longest = helper.submit(write_side, self.layout, upper, rows.part(len(lower), n))
            longest = write_side(self.layout, lower, rows.part(0, len(lower)))
            longest = max(longest, upper_longest.result())
        finally:
            helper.join()  # as an executor's ``with`` does, whatever was raised
        return replace(rows, checked=Checked(rows.checked.irregular, longest))

    def _sides(self, helper: Submits) -> tuple[Side, Side]:
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

    def _side(self, short: Run, long: LongRows, pivot: int, *, above: bool, dense: Run) -> Side:
        """One side's distinct rows: the buffer's, with the weighted runs' and the counted
        rows' on this side of ``pivot`` merged in, and its long rows placed among them."""
        runs = [run.cut(pivot)[above] for run in self._runs]
        if runs:
            short = merged([short, *runs])
        short = merged_into(short, dense.cut(pivot)[above])  # counted rows: few and in order
        return Side(short, long, places_among(short.keys, long, self.layout.blank_word))

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
        shift = self.layout.cells * self.layout.bits
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
        relabelled_long = LongRowsKept(self.layout.tail_words)
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
