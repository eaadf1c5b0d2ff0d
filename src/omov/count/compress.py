"""Compressing a rank grid into unique clean rankings under a ballot policy.

Two passes of ``unique_rows``: first over raw rows, so the policy is applied once per
distinct paper rather than once per ballot; then over clean rows, because different
papers can read the same (``A _ B`` and ``A B`` when skips are allowed). Rows whose marks
are already a clean prefix (the common case) are cleaned in bulk; only irregular rows
(gaps, overvotes, repeats) go through the per-row reading in ``_read_paper``.

Under the exhaust-if-multiple-continuing rule, group cells (``OVERVOTE_GROUP_BASE - g``)
become group codes ``n_candidates + N_STOPS + g`` before anything else, so they sort and
compress like any mark; their papers are read one by one, and a group is never a repeat.
Under the other rules group cells are plain overvotes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from omov.count.ballots import (
    BLANK,
    N_STOPS,
    OVERVOTE,
    OVERVOTE_GROUP_BASE,
    BallotPolicy,
    DuplicateRule,
    Inactive,
    OvervoteRule,
)
from omov.count.errors import BallotError

if TYPE_CHECKING:
    from omov.count.ballots import BallotSet


def unique_rows(
    keys: npt.NDArray[np.int16], weights: npt.NDArray[np.int64] | None
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64]]:
    """Distinct rows of ``keys`` (sorted, so independent of input order) with summed weights.

    Each row is packed into as few unsigned 64-bit words as its values need (a ranking of
    16 candidates fits in two), most significant column first, so sorting the words sorts
    the rows lexicographically: far cheaper than comparing rows byte by byte.
    """
    if len(keys) == 0:
        return keys.reshape(0, keys.shape[1]), np.zeros(0, dtype=np.int64)
    keys = np.ascontiguousarray(keys, dtype=np.int16)
    packed = _packed(keys)
    if _non_decreasing(packed):  # a reader may hand over rows in order already
        order, ordered = np.arange(len(keys)), packed
    else:
        order = np.argsort(packed[0]) if len(packed) == 1 else np.lexsort(packed[::-1])
        ordered = packed[:, order]
    starts = np.ones(len(keys), dtype=np.bool_)
    starts[1:] = (ordered[:, 1:] != ordered[:, :-1]).any(axis=0)
    group = np.cumsum(starts) - 1
    n_groups = int(group[-1]) + 1
    if weights is None:
        summed = np.bincount(group, minlength=n_groups).astype(np.int64)
    else:
        w = np.asarray(weights)[order].astype(np.float64)
        summed = np.rint(np.bincount(group, weights=w, minlength=n_groups)).astype(np.int64)
    return keys[order[starts]], summed


def _non_decreasing(packed: npt.NDArray[np.uint64]) -> bool:
    """Whether the packed rows are sorted already: one cheap pass, most significant first."""
    later, earlier = packed[:, 1:], packed[:, :-1]
    ties = np.ones(later.shape[1], dtype=np.bool_)
    for newer, older in zip(later, earlier, strict=True):
        if (ties & (newer < older)).any():
            return False
        ties &= newer == older
    return True


def _packed(keys: npt.NDArray[np.int16]) -> npt.NDArray[np.uint64]:
    """Rows as big-endian mixed-radix numbers in 64-bit words (order preserving), one
    word per row of the result (so each word is contiguous for the sort)."""
    low = int(keys.min())
    bits = max(1, (int(keys.max()) - low).bit_length())
    per_word = 64 // bits
    n_rows, n_columns = keys.shape
    n_words = -(-n_columns // per_word)
    packed = np.zeros((n_words, n_rows), dtype=np.uint64)
    shift = np.uint64(bits)
    for column in range(n_words * per_word):
        word = packed[column // per_word]
        word <<= shift
        if column < n_columns:
            word |= (keys[:, column].astype(np.int64) - low).astype(np.uint64)
    return packed


def compress_grid(
    cls: type[BallotSet],
    candidates: tuple[str, ...],
    grid: npt.NDArray[np.integer],
    *,
    weights: npt.NDArray[np.integer] | None,
    section_ids: npt.NDArray[np.integer] | None,
    section_names: tuple[str, ...],
    withdrawn: frozenset[int],
    policy: BallotPolicy,
    title: str,
    seats: int | None = None,
    overvote_groups: tuple[frozenset[int], ...] = (),
) -> BallotSet:
    n_candidates = len(candidates)
    grid = _checked_grid(grid, n_candidates, overvote_groups)
    grid, groups = _group_codes(grid, n_candidates, overvote_groups, policy)
    if policy.max_rankings is not None:
        grid = grid[:, : policy.max_rankings]
    n = len(grid)
    sections = np.zeros(n, dtype=np.int16) if section_ids is None else section_ids.astype(np.int16)
    if len(sections) != n:
        raise BallotError(f"{len(sections)} section labels for {n} ballots")
    if section_names and n and int(sections.max()) >= len(section_names):
        raise BallotError("a section label has no section name")
    w = None if weights is None else np.asarray(weights, dtype=np.int64)
    if w is not None and (len(w) != n or (n and int(w.min()) < 0)):
        raise BallotError("ballot weights must be one non-negative integer per ballot")

    raw, raw_weights = unique_rows(_sortable(sections, grid, n_candidates), w)
    raw_sections, raw_grid = raw[:, 0], _unsortable(raw[:, 1:], n_candidates)
    blank = (raw_grid == BLANK).all(axis=1)
    blank_ballots = int(raw_weights[blank].sum())
    raw_sections, raw_grid, raw_weights = (
        raw_sections[~blank],
        raw_grid[~blank],
        raw_weights[~blank],
    )

    clean, irregular = _clean_papers(raw_grid, n_candidates, policy, grouped=bool(groups))
    if groups:
        # The sticky overvote: where a ballot goes that meets several continuing candidates.
        clean = np.column_stack([clean, np.full(len(clean), n_candidates + Inactive.OVERVOTE)])
    rows = np.column_stack([raw_sections, clean]).astype(np.int16)
    row_weights = raw_weights
    if irregular:
        # Only a paper read under the policy (gaps, overvotes, repeats) can turn out
        # the same as another; distinct regular papers stay distinct and sorted.
        rows, row_weights = unique_rows(rows, raw_weights)
    keep = row_weights > 0
    return cls(
        candidates=candidates,
        rankings=np.ascontiguousarray(rows[keep, 1:]),
        weights=row_weights[keep],
        section_names=section_names,
        section_ids=rows[keep, 0].copy(),
        withdrawn=withdrawn,
        blank_ballots=blank_ballots,
        title=title,
        seats=seats,
        overvote_groups=groups,
    )


def _sortable(
    sections: npt.NDArray[np.int16], grid: npt.NDArray[np.int16], n_candidates: int
) -> npt.NDArray[np.int16]:
    """Raw rows keyed so that blanks and overvotes sort after every candidate, as the
    stop codes that replace them do in a clean ranking. Distinct regular papers then come
    out in the order of their clean rankings, so a ballot set's row order is canonical
    (the same ballots give the same arrays) without a second sort."""
    keys = np.column_stack([sections, grid]).astype(np.int16)
    body = keys[:, 1:]
    body[body == BLANK] = n_candidates
    body[body == OVERVOTE] = n_candidates + 1
    return keys


def _unsortable(body: npt.NDArray[np.int16], n_candidates: int) -> npt.NDArray[np.int16]:
    grid = body.copy()
    grid[body == n_candidates] = BLANK
    grid[body == n_candidates + 1] = OVERVOTE
    return grid


def _checked_grid(
    grid: npt.NDArray[np.integer], n_candidates: int, groups: tuple[frozenset[int], ...]
) -> npt.NDArray[np.int16]:
    if grid.ndim != 2:
        raise BallotError("a rank grid has one row per ballot and one column per rank")
    if n_candidates == 0:
        raise BallotError("a contest needs at least one candidate")
    if n_candidates + N_STOPS + len(groups) > np.iinfo(np.int16).max:
        raise BallotError(f"too many candidates ({n_candidates}) or overvote groups")
    if any(not group or min(group) < 0 or max(group) >= n_candidates for group in groups):
        raise BallotError(f"an overvote group names a candidate outside 1..{n_candidates}")
    lowest = OVERVOTE_GROUP_BASE - len(groups) + 1 if groups else OVERVOTE
    if grid.size and int(grid.min()) < lowest:
        raise BallotError("a rank grid cell names an overvote group that is not given")
    if grid.size and int(grid.max()) >= n_candidates:
        raise BallotError(f"a ranking names a candidate outside 1..{n_candidates}")
    return grid.astype(np.int16, copy=False)


def _group_codes(
    grid: npt.NDArray[np.int16],
    n_candidates: int,
    groups: tuple[frozenset[int], ...],
    policy: BallotPolicy,
) -> tuple[npt.NDArray[np.int16], tuple[frozenset[int], ...]]:
    """Group cells as group codes (exhaust-if-multiple-continuing) or as plain overvotes."""
    if policy.overvote is not OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING:
        if not groups:
            return grid, ()
        return np.where(grid < OVERVOTE, OVERVOTE, grid).astype(np.int16), ()
    if grid.size and (grid == OVERVOTE).any():
        raise BallotError(
            "an overvote without its candidates cannot be read under "
            "exhaust-if-multiple-continuing (this ballot file does not name them)"
        )
    in_group = grid <= OVERVOTE_GROUP_BASE
    if not in_group.any():
        return grid, ()
    codes = n_candidates + N_STOPS + (OVERVOTE_GROUP_BASE - grid.astype(np.int32))
    return np.where(in_group, codes, grid).astype(np.int16), groups


def read_papers(
    grid: npt.NDArray[np.int16], n_candidates: int, policy: BallotPolicy
) -> npt.NDArray[np.int16]:
    """Clean rankings, one per row of ``grid``: candidate ids, then stop codes."""
    return _clean_papers(grid, n_candidates, policy)[0]


def _clean_papers(
    grid: npt.NDArray[np.int16], n_candidates: int, policy: BallotPolicy, *, grouped: bool = False
) -> tuple[npt.NDArray[np.int16], bool]:
    """Clean rankings, and whether any paper needed reading under the policy. ``grouped``:
    the grid holds group codes, whose (rare) papers are read one by one."""
    n, width = grid.shape
    end = n_candidates + Inactive.EXHAUSTED
    clean = np.full((n, width + 1), end, dtype=np.int16)
    if n == 0:
        return clean, False
    if grouped:  # a group code is irregular as an overvote is, and never a repeat
        irregular = _irregular(np.where(grid >= n_candidates, OVERVOTE, grid), n_candidates)
    else:
        irregular = _irregular(grid, n_candidates)
    clean[:, :width] = np.where(grid >= 0, grid, end)
    rows = np.flatnonzero(irregular)
    for row in rows:
        ranking = _read_paper(grid[row], n_candidates, policy)
        clean[row] = end
        clean[row, : len(ranking)] = ranking
    return clean[:, : _used_width(clean, end, grouped)], len(rows) > 0


def _irregular(grid: npt.NDArray[np.int16], n_candidates: int) -> npt.NDArray[np.bool_]:
    """Rows that need reading under the policy: a mark after a blank, an overvote, or a
    candidate marked twice. One pass over the columns (of a transposed copy, so each is
    contiguous), with one bit per candidate to spot repeats (sorting each row instead
    when there are more candidates than bits in a word)."""
    columns = np.ascontiguousarray(grid.T)
    irregular = np.zeros(len(grid), dtype=np.bool_)
    after_blank = np.zeros(len(grid), dtype=np.bool_)
    for cells in columns:
        irregular |= after_blank & (cells != BLANK)
        irregular |= cells == OVERVOTE
        after_blank |= cells == BLANK
    if n_candidates > 64:
        marked = grid >= 0
        width = grid.shape[1]
        ordered = np.sort(np.where(marked, grid, -1 - np.arange(width, dtype=np.int16)), axis=1)
        repeated: npt.NDArray[np.bool_] = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        return irregular | repeated
    # bit[cell - OVERVOTE]: no bit for an overvote or a blank, one bit per candidate.
    bit = np.zeros(n_candidates - OVERVOTE, dtype=np.uint64)
    bit[-OVERVOTE:] = np.left_shift(np.uint64(1), np.arange(n_candidates, dtype=np.uint64))
    seen = np.zeros(len(grid), dtype=np.uint64)
    offset = np.int16(-OVERVOTE)
    for cells in columns:
        marks: npt.NDArray[np.uint64] = bit[cells + offset]
        irregular |= (seen & marks) != 0
        seen |= marks
    return irregular


def _used_width(clean: npt.NDArray[np.int16], end: int, grouped: bool) -> int:
    """Columns up to and including the first stop of the longest ranking."""
    is_candidate = clean < end
    if grouped:
        is_candidate |= clean >= end + N_STOPS
    longest = int(is_candidate.sum(axis=1).max()) if len(clean) else 0
    return longest + 1


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
