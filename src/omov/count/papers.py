"""Reading papers under a ballot policy: which papers are regular (their marks a clean
prefix: candidates, each once, then blanks), and the reading of the others one by one.

Papers are rows of cell codes (``grid_as_codes``): candidate ids, then blank and overvote
as the two codes after the candidates, then group codes. A regular paper's codes are its
clean ranking already, so the check for irregular papers is the hot loop of compression:
it runs a cache-sized block at a time, as bits of one word per paper where the codes
allow, and in two threads on large sets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from omov.count.ballots import (
    BLANK,
    OVERVOTE,
    BallotPolicy,
    DuplicateRule,
    Inactive,
    OvervoteRule,
)
from omov.count.helper import Later


def read_papers(
    grid: npt.NDArray[np.int16], n_candidates: int, policy: BallotPolicy
) -> npt.NDArray[np.int16]:
    """Clean rankings, one per row of ``grid``: candidate ids, then stop codes."""
    return clean_codes(grid_as_codes(grid, n_candidates), n_candidates, policy)[0]


def grid_as_codes(grid: npt.NDArray[np.integer], n_candidates: int) -> npt.NDArray[np.int16]:
    """A rank grid as cell codes: blank and overvote as the codes after the candidates, so
    they sort after every candidate (group cells are group codes already)."""
    codes = grid.astype(np.int16)  # a copy
    codes[grid == BLANK] = n_candidates
    codes[grid == OVERVOTE] = n_candidates + 1
    return codes


def codes_as_grid(codes: npt.NDArray[np.int16], n_candidates: int) -> npt.NDArray[np.int16]:
    """Cell codes as a rank grid: the inverse of ``grid_as_codes``."""
    grid = codes.copy()
    grid[codes == n_candidates] = BLANK
    grid[codes == n_candidates + 1] = OVERVOTE
    return grid


@dataclass(frozen=True, eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class Checked:
    """Papers a reader has checked already (as ``irregular_rows`` checks them): those that
    need reading under the policy, and the most marks on any other."""

    irregular: npt.NDArray[np.bool_]
    longest: int

    def without(self, dropped: npt.NDArray[np.bool_]) -> Checked:
        return Checked(self.irregular[~dropped], self.longest)


def clean_codes(
    codes: npt.NDArray[np.int16],
    n_candidates: int,
    policy: BallotPolicy,
    checked: Checked | None = None,
) -> tuple[npt.NDArray[np.int16], bool]:
    """Clean rankings of rows of cell codes, and whether any paper needed reading under
    the policy. A regular paper's codes are its clean ranking already (a blank's code is
    the exhausted stop); the rest (gaps, overvotes, group codes, repeats) are read one by
    one. ``checked``: the rows checked already (by the reader that made them)."""
    n, width = codes.shape
    end = n_candidates + Inactive.EXHAUSTED
    if n == 0:
        return np.full((0, 1), end, dtype=np.int16), False
    if checked is None:
        checked = Checked(*irregular_rows(codes, n_candidates))
    irregular, longest = checked.irregular, checked.longest
    rows = np.flatnonzero(irregular)
    readings = [
        _read_paper(codes_as_grid(codes[row], n_candidates), n_candidates, policy) for row in rows
    ]
    # Columns up to and including the first stop of the longest ranking.
    used = 1 + max([longest, *(len(reading) - 1 for reading in readings)])
    by_rank = codes.flags.f_contiguous and not codes.flags.c_contiguous  # column-major
    if used > width:
        clean = np.full((n, used), end, dtype=np.int16, order="F" if by_rank else "C")
        clean[:, :width] = codes
    elif readings or not (by_rank or used == width):
        # A copy to write the readings into, or to hold the columns used contiguously.
        clean = np.array(codes[:, :used], order="F" if by_rank else "C")
    else:
        # The rankings as they stand, no copy (see ``compress_codes``): the first columns
        # of a column-major grid are contiguous too.
        clean = codes[:, :used]
    for row, reading in zip(rows, readings, strict=True):
        clean[row] = end
        clean[row, : len(reading)] = reading
    return clean, len(rows) > 0


BLOCK = 2**16
"""Rows checked at a time: a block's columns stay in cache. Not fewer: two threads checking
at once (NumPy lets go of the GIL for each step) pass the GIL back and forth at every step,
which costs more than a step on a few thousand rows (measured on 2 cores)."""
WORD_BITS = 63
"""Codes (and candidates) below this are checked as bits of one ``int64`` per row."""


def irregular_rows(
    codes: npt.NDArray[np.int16], n_candidates: int
) -> tuple[npt.NDArray[np.bool_], int]:
    """Rows that need reading under the policy (a mark after a blank, an overvote or group,
    or a candidate marked twice), and the most marks on any other row. Large sets are
    checked in two halves at once (NumPy lets go of the GIL as it works)."""
    irregular = np.empty(len(codes), dtype=np.bool_)
    highest = max(int(codes.max()), n_candidates) if len(codes) else n_candidates

    def check(part: slice) -> int:
        return irregular_rows_into(codes[part], n_candidates, irregular[part], highest=highest)

    if len(codes) < 4 * BLOCK:
        return irregular, check(slice(0, len(codes)))
    half = len(codes) // 2 // BLOCK * BLOCK
    upper = Later(lambda: check(slice(half, len(codes))))
    try:
        longest = check(slice(0, half))
    finally:
        upper_longest = upper.result()
    return irregular, max(longest, upper_longest)


def irregular_rows_into(
    codes: npt.NDArray[np.int16],
    n_candidates: int,
    irregular: npt.NDArray[np.bool_],
    *,
    highest: int,
    counted: npt.NDArray[np.bool_] | None = None,
) -> int:
    """``irregular_rows`` in this thread, into ``irregular``, for codes no higher than
    ``highest``; returns the most marks on a regular row (of the ``counted`` rows only,
    if given)."""
    if highest < WORD_BITS:
        word = np.int32 if highest < 31 else np.int64
        check = _BitCheck(min(len(codes), BLOCK), n_candidates, word)
        return _check_blocks(codes, irregular, check, counted)
    return _check_blocks(
        codes, irregular, lambda block: _odd_by_sorting(block, n_candidates), counted
    )


OddRows = Callable[[npt.NDArray[np.int16]], tuple[npt.NDArray[np.bool_], npt.NDArray[np.integer]]]
"""Irregular rows of a block and the marks on each row."""


def _check_blocks(
    codes: npt.NDArray[np.int16],
    irregular: npt.NDArray[np.bool_],
    odd_rows: OddRows,
    counted: npt.NDArray[np.bool_] | None,
) -> int:
    """``irregular_rows`` for some rows, a block at a time (its temporaries stay in cache)."""
    longest = 0
    for start in range(0, len(codes), BLOCK):
        odd, marks = odd_rows(codes[start : start + BLOCK])
        irregular[start : start + BLOCK] = odd
        regular = ~odd if counted is None else ~odd & counted[start : start + BLOCK]
        if regular.any():
            longest = max(longest, int(marks[regular].max()))
    return longest


class _BitCheck:
    """Rank by rank over contiguous columns (codes and candidates below ``WORD_BITS``): each
    row's codes as bits of one word (an overvote or group sets a bit past the candidates';
    a repeat sets fewer bits than there are marks), its marks counted, and a mark after a
    rank without one noted (the marks are not a prefix).

    Every step works on arrays of one type (NumPy's mixed-type loops cast through a
    buffer, at several times the cost), and the work arrays are made once and reused by
    every block: fresh memory costs more than the work done in it."""

    def __init__(self, rows: int, n_candidates: int, word: type[np.signedinteger[Any]]) -> None:
        self.n_candidates = n_candidates
        self.seen = np.empty(rows, dtype=word)
        self.bit = np.empty(rows, dtype=word)
        self.code = np.empty(rows, dtype=word)
        self.one = np.ones(rows, dtype=word)
        self.marked = np.empty(rows, dtype=np.bool_)
        self.before = np.empty(rows, dtype=np.bool_)
        self.odd = np.empty(rows, dtype=np.bool_)
        self.also = np.empty(rows, dtype=np.bool_)
        self.marks = np.empty(rows, dtype=np.int8)
        self.wide_marks = np.empty(rows, dtype=np.int32)

    def __call__(
        self, block: npt.NDArray[np.int16]
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.integer[Any]]]:
        rows, width = block.shape
        n = self.n_candidates
        seen, bit, code, one = self.seen[:rows], self.bit[:rows], self.code[:rows], self.one[:rows]
        marked, before, odd, also = (
            self.marked[:rows],
            self.before[:rows],
            self.odd[:rows],
            self.also[:rows],
        )
        # Marks counted as bytes (a bool is one) while a row can hold no more than 127.
        marks = self.marks[:rows] if width < 128 else self.wide_marks[:rows]
        counted = marked.view(np.int8) if width < 128 else marked
        seen.fill(0)
        marks.fill(0)
        odd.fill(False)
        before.fill(True)
        # One contiguous array per rank: a column-major block's ranks are already.
        by_rank = block.T if block.strides[0] == block.itemsize else block.T.copy()
        for cells in by_rank:
            np.less(cells, n, out=marked)
            np.greater(marked, before, out=also)  # a mark after a rank without one
            odd |= also
            np.add(marks, counted, out=marks, casting="unsafe")
            np.copyto(code, cells, casting="unsafe")
            np.left_shift(one, code, out=bit)
            seen |= bit
            np.copyto(before, marked)
        np.right_shift(seen, n + 1, out=bit)  # a bit past the candidates': overvote or group
        np.not_equal(bit, 0, out=also)
        odd |= also
        np.bitwise_and(seen, (1 << n) - 1, out=bit)
        np.not_equal(np.bitwise_count(bit), marks, out=also)  # a candidate marked twice
        odd |= also
        return odd, marks


def _odd_by_sorting(
    block: npt.NDArray[np.int16], n_candidates: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Any codes: repeats found by sorting each row's marks."""
    width = block.shape[1]
    marked = block < n_candidates
    marks = marked.sum(axis=1)
    odd = (block > n_candidates).any(axis=1)
    odd |= (marked[:, 1:] & ~marked[:, :-1]).any(axis=1)
    spread = np.where(marked, block, -1 - np.arange(width, dtype=np.int16))
    ordered = np.sort(spread, axis=1)
    odd |= (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
    return odd, marks


def _read_paper(paper: npt.NDArray[np.int16], n_candidates: int, policy: BallotPolicy) -> list[int]:
    """One irregular paper read under the policy, ending in its stop code."""
    ranking: list[int] = []
    seen: set[int] = set()
    skipped = 0
    for cell in paper.tolist():
        if cell == BLANK:
            skipped += 1
            continue
        if policy.max_skipped_ranks is not None and skipped > policy.max_skipped_ranks:
            return [*ranking, n_candidates + Inactive.SKIPPED]
        skipped = 0
        if cell == OVERVOTE:
            if policy.overvote is OvervoteRule.EXHAUST:
                return [*ranking, n_candidates + Inactive.OVERVOTE]
            continue
        if cell >= n_candidates:  # a group code: the kernel resolves it round by round
            ranking.append(cell)
            continue
        if cell in seen:
            if policy.duplicates is DuplicateRule.EXHAUST:
                return [*ranking, n_candidates + Inactive.REPEATED]
            continue
        seen.add(cell)
        ranking.append(cell)
    return [*ranking, n_candidates + Inactive.EXHAUSTED]
