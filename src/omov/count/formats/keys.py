"""Rows of cell codes as sortable 64-bit keys: packing, sorting into distinct rows, unpacking.

A row's key holds its section label (if any) in the top bits, then as many cells as fit,
first rank most significant, so sorting keys sorts rows; the cells past the key go into
*tail words* packed alike. Most rows fit their key whole (a ballot seldom ranks more than
a dozen candidates); a *long* row, one with a mark past its key, is kept apart with its
tail words. ``formats/coded.py`` collects rows with these functions; every function here
works on whole arrays with NumPy and none keeps state.

The distinct rows are found in two *sides*, cut at one key (the *pivot*): every row whose
key is below it on the lower side, the rest on the upper, so the two sides are sorted,
reduced and unpacked apart, in two threads, and the lower side's rows all come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from omov.count.helper import Submits

KEY_BITS = 63
"""Bits of a key in use: keys stay non-negative ``int64``."""
LABEL_BITS = 8
"""Top bits of a key holding the section label: up to 255 labels."""
BLOCK = 2**16
"""Rows packed or unpacked at a time: a block's key stays in cache while every cell of it
is folded in or taken out."""
SAMPLE = 2**10
"""One key in this many picks the pivot of runs that were not sorted here."""

Codes = npt.NDArray[np.integer[Any]]
Keys = npt.NDArray[np.int64]
Counts = npt.NDArray[np.int64]
Words = npt.NDArray[np.int64]
"""Tail words: one row per word, one column per ballot row (so each word is contiguous)."""


@dataclass(frozen=True)
class KeyLayout:
    """How rows of ``width`` cell codes are packed: a candidate's id, ``blank``
    (``n_candidates``) or ``overvote`` (``n_candidates + 1``), ``bits`` a cell; a key holds
    the section label (if ``sections``) and the first ``cells`` cells, each tail word
    ``tail_cells`` more."""

    n_candidates: int
    width: int
    sections: bool = False

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
    def label_bits(self) -> int:
        return LABEL_BITS if self.sections else 0

    @property
    def cells(self) -> int:
        """Cells a key holds: as many as fit beside the label."""
        return min(self.width, (KEY_BITS - self.label_bits) // self.bits)

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
        return blanks(self.tail_cells, self.bits, self.blank)

    def tails(self, columns: Sequence[Codes], picked: npt.NDArray[np.intp]) -> Words:
        """The tail words of the rows ``picked``: the cells past the key, packed alike and
        padded with blanks."""
        tails = np.empty((self.tail_words, len(picked)), dtype=np.int64)
        rest = columns[self.cells :]
        for w in range(self.tail_words):
            cells = [c.take(picked) for c in rest[w * self.tail_cells : (w + 1) * self.tail_cells]]
            pack(tails[w], cells, self.bits, None)
            padding = self.tail_cells - len(cells)  # blank cells after the last rank
            if padding:
                tails[w] <<= padding * self.bits
                tails[w] |= blanks(padding, self.bits, self.blank)
        return tails


def blanks(cells: int, bits: int, blank: int) -> int:
    """``cells`` blank cells packed."""
    word = 0
    for _ in range(cells):
        word = word << bits | blank
    return word


@dataclass(frozen=True, eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class Run:
    """Distinct keys in ascending order, with the ballots holding each."""

    keys: Keys
    counts: Counts

    def __len__(self) -> int:
        return len(self.keys)

    @staticmethod
    def empty() -> Run:
        return Run(np.zeros(0, np.int64), np.zeros(0, np.int64))

    def cut(self, pivot: int) -> tuple[Run, Run]:
        """The keys below ``pivot`` and the rest."""
        at = int(np.searchsorted(self.keys, pivot))
        return Run(self.keys[:at], self.counts[:at]), Run(self.keys[at:], self.counts[at:])


@dataclass(frozen=True, eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class LongRows:
    """Rows with marks past their key, in any order: keys, tail words and weights."""

    keys: Keys
    tails: Words
    counts: Counts

    def __len__(self) -> int:
        return len(self.keys)

    def take(self, picked: npt.NDArray[Any] | slice) -> LongRows:
        return LongRows(self.keys[picked], self.tails[:, picked], self.counts[picked])

    def cut(self, pivot: int) -> tuple[LongRows, LongRows]:
        """Rows sorted by key (``distinct_long``) cut into those below ``pivot`` and the rest."""
        at = int(np.searchsorted(self.keys, pivot))
        return self.take(slice(0, at)), self.take(slice(at, None))

    @staticmethod
    def joined(parts: Sequence[LongRows], n_words: int) -> LongRows:
        return LongRows(
            np.concatenate([np.zeros(0, np.int64), *(p.keys for p in parts)]),
            np.concatenate([np.zeros((n_words, 0), np.int64), *(p.tails for p in parts)], 1),
            np.concatenate([np.zeros(0, np.int64), *(p.counts for p in parts)]),
        )


# -- packing -----------------------------------------------------------------------------
def pack(out: Keys, columns: Sequence[Codes], bits: int, labels: Codes | None) -> None:
    """Fold ``labels`` and the cells of ``columns`` into ``out``, first most significant,
    a block of rows at a time.

    Cells are folded a few at a time into a 32-bit word first, then the word into ``out``:
    half the memory traffic of folding each cell into the 64-bit key."""
    per_word = max(1, 31 // bits)
    word = np.empty(min(len(out), BLOCK), dtype=np.int32)
    for start in range(0, len(out), BLOCK):
        stop = min(len(out), start + BLOCK)
        key, part = out[start:stop], word[: stop - start]
        if labels is None:
            key.fill(0)
        else:
            np.copyto(key, labels[start:stop], casting="unsafe")
        for first in range(0, len(columns), per_word):
            group = columns[first : first + per_word]
            np.copyto(part, group[0][start:stop], casting="unsafe")
            for column in group[1:]:
                np.left_shift(part, bits, out=part)
                np.bitwise_or(part, column[start:stop], out=part, casting="unsafe")
            np.left_shift(key, bits * len(group), out=key)
            np.bitwise_or(key, part, out=key, casting="unsafe")


def marked_past(columns: Sequence[Codes], blank: int, n: int) -> npt.NDArray[np.bool_]:
    """Which of ``n`` rows have a mark (any code but ``blank``) in any of ``columns``."""
    marked = np.zeros(n, dtype=np.bool_)
    cell = np.empty(n, dtype=np.bool_)
    for column in columns:
        np.not_equal(column, blank, out=cell)
        marked |= cell
    return marked


# -- sorting into distinct rows -------------------------------------------------------------
def distinct_sorted(keys: Keys) -> Run:
    """The distinct keys of sorted ``keys``, each with how many times it occurs."""
    if len(keys) == 0:
        return Run(keys, np.zeros(0, dtype=np.int64))
    starts = _run_starts(keys)
    return Run(keys[starts], np.diff(starts, append=len(keys)))


def distinct_weighted(keys: Keys, weights: Counts) -> Run:
    """The distinct keys of ``keys`` (in any order) with their summed ``weights``."""
    order = np.argsort(keys, kind="stable")
    return _reduced(keys[order], weights[order])


def merged(runs: Sequence[Run]) -> Run:
    """Several runs as one: a stable argsort of their keys (which merges the runs' sorted
    stretches in passes over them), then equal keys summed."""
    if len(runs) == 1:
        return runs[0]
    keys = np.concatenate([np.zeros(0, dtype=np.int64), *(run.keys for run in runs)])
    counts = np.concatenate([np.zeros(0, dtype=np.int64), *(run.counts for run in runs)])
    return distinct_weighted(keys, counts)


def _reduced(keys: Keys, weights: Counts) -> Run:
    """Sorted keys with weights: each distinct key once, its weights summed."""
    if len(keys) == 0:
        return Run(keys, weights)
    starts = _run_starts(keys)
    return Run(keys[starts], np.add.reduceat(weights, starts))


def _run_starts(keys: Keys) -> npt.NDArray[np.intp]:
    """Where each run of equal keys starts, in sorted ``keys`` (not empty)."""
    first = np.empty(len(keys), dtype=np.bool_)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    return np.flatnonzero(first)


def sorted_halves(keys: Keys, helper: Submits | None) -> tuple[Run, Run, int]:
    """A buffer of keys as the distinct keys of its two sides, and the pivot between them.

    The buffer is cut at its median key (NumPy's partition, in place) and each half sorted
    and reduced, the upper one by ``helper`` (NumPy lets go of the GIL as it sorts) while
    the lower one is done here. Copies of the pivot key left at the top of the lower half
    are counted on the upper side, which starts with that key."""
    if len(keys) == 0:
        return Run.empty(), Run.empty(), 0
    middle = len(keys) // 2
    keys.partition(middle)
    pivot = int(keys[middle])
    lower, upper = keys[:middle], keys[middle:]
    upper_run = None if helper is None else helper.submit(_sorted_run, upper)
    lower.sort()
    cut = int(np.searchsorted(lower, pivot))
    lower_run = distinct_sorted(lower[:cut])
    upper_side = _sorted_run(upper) if upper_run is None else upper_run.result()
    upper_side.counts[0] += len(lower) - cut
    return lower_run, upper_side, pivot


def _sorted_run(keys: Keys) -> Run:
    keys.sort()
    return distinct_sorted(keys)


def merged_into(run: Run, extra: Run) -> Run:
    """A run with the keys of a much shorter one merged in: each found by binary search
    and added to its key's count, or inserted, rather than both sorted together."""
    if len(extra) == 0 or len(run) == 0:
        return run if len(extra) == 0 else extra
    at = np.searchsorted(run.keys, extra.keys)
    found = at < len(run)
    found[found] = run.keys[at[found]] == extra.keys[found]
    counts = run.counts.copy()
    np.add.at(counts, at[found], extra.counts[found])
    new = ~found
    return Run(
        np.insert(run.keys, at[new], extra.keys[new]), np.insert(counts, at[new], extra.counts[new])
    )


def sampled_pivot(runs: Sequence[Run]) -> int:
    """About the median key of ``runs`` (each sorted), from one key in ``SAMPLE``."""
    sample = np.concatenate([np.zeros(0, np.int64), *(run.keys[::SAMPLE] for run in runs)])
    if len(sample) == 0:
        return 0
    return int(np.partition(sample, len(sample) // 2)[len(sample) // 2])


# -- long rows ---------------------------------------------------------------------------------
def distinct_long(rows: LongRows, *, sorted_first: int = 0) -> LongRows:
    """Long rows sorted by key and then tail words, each distinct row once with its weights
    summed. Sorted by key alone first, then the few runs of rows sharing a key put in order
    of their tails: a full ``lexsort`` costs five times as much. ``sorted_first``: how many
    rows at the start are in order already (a stable sort merges the rest in)."""
    if len(rows) == 0:
        return rows
    order = np.argsort(rows.keys, kind="stable" if sorted_first else "quicksort")
    ordered = rows.take(order)
    same = ordered.keys[1:] == ordered.keys[:-1]
    if same.any():
        shared = np.zeros(len(ordered), dtype=np.bool_)
        shared[1:] = same
        shared[:-1] |= same
        tied = np.flatnonzero(shared)
        by_tails = tied[np.lexsort([*ordered.tails[::-1, tied], ordered.keys[tied]])]
        ordered.keys[tied] = ordered.keys[by_tails]
        ordered.tails[:, tied] = ordered.tails[:, by_tails]
        ordered.counts[tied] = ordered.counts[by_tails]
    first = np.empty(len(ordered), dtype=np.bool_)
    first[0] = True
    np.not_equal(ordered.keys[1:], ordered.keys[:-1], out=first[1:])
    for tail in ordered.tails:
        first[1:] |= tail[1:] != tail[:-1]
    starts = np.flatnonzero(first)
    return LongRows(
        ordered.keys[starts],
        ordered.tails[:, starts],
        np.add.reduceat(ordered.counts, starts),
    )


def places_among(short: Keys, rows: LongRows, blank_word: int) -> npt.NDArray[np.intp]:
    """Where distinct long rows (sorted, see ``distinct_long``) go among the distinct short
    rows ``short`` in the order of whole rows: a long row and a short row of one key are
    ordered by the long row's tail words against the short row's, which are all blank."""
    before = np.zeros(len(rows), dtype=np.bool_)  # tails below the blank words
    decided = np.zeros(len(rows), dtype=np.bool_)
    for tail in rows.tails:
        before |= ~decided & (tail < blank_word)
        decided |= tail != blank_word
    places = np.searchsorted(short, rows.keys)
    if len(short):  # after a short row of its key unless its tails come first
        places += ~before & (short.take(places, mode="clip") == rows.keys)
    places += np.arange(len(rows))  # each long row already placed pushes the next one on
    return places


# -- unpacking ---------------------------------------------------------------------------------
def unpack(
    keys: Keys,
    cells: npt.NDArray[np.int16],
    bits: int,
    *,
    skip: int = 0,
    labels: Keys | None = None,
) -> None:
    """Write the cells of ``keys`` (past the lowest ``skip`` bits) into the columns of
    ``cells`` (column-major, so each column is written whole), a block of rows at a time,
    and what is left above them into ``labels`` (if given)."""
    mask = (1 << bits) - 1
    for start in range(0, len(keys), BLOCK):
        block = keys[start : start + BLOCK] >> skip  # a copy of our own
        out = cells[start : start + BLOCK]
        for k in reversed(range(cells.shape[1])):
            np.bitwise_and(block, mask, out=out[:, k], casting="unsafe")
            block >>= bits
        if labels is not None:
            labels[start : start + BLOCK] = block
