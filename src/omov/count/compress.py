"""Compressing a rank grid into unique clean rankings under a ballot policy.

Two passes of ``unique_rows``: first over raw rows, so the policy is applied once per
distinct paper rather than once per ballot; then over clean rows, because different
papers can read the same (``A _ B`` and ``A B`` when skips are allowed). Rows whose marks
are already a clean prefix (the common case) are cleaned in bulk; only irregular rows
(gaps, overvotes, repeats) are read one by one (``papers``).

Under the exhaust-if-multiple-continuing rule, group cells (``OVERVOTE_GROUP_BASE - g``)
become group codes ``n_candidates + N_STOPS + g`` before anything else, so they sort and
compress like any mark; their papers are read one by one, and a group is never a repeat.
Under the other rules group cells are plain overvotes. Equal rankings (a reader's
``equal_groups``) become group codes under every rule: the count reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from omov.count.ballots import (
    N_STOPS,
    OVERVOTE,
    OVERVOTE_GROUP_BASE,
    BallotPolicy,
    Inactive,
    OvervoteRule,
)
from omov.count.errors import BallotError
from omov.count.papers import Checked, clean_codes, grid_as_codes

if TYPE_CHECKING:
    from omov.count.ballots import BallotSet


MAX_TOTAL = 2**53
"""The most ballots a ballot set may hold (their weights' sum)."""


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
    equal_groups: tuple[frozenset[int], ...] = (),
) -> BallotSet:
    n_candidates = len(candidates)
    if overvote_groups and equal_groups:
        raise BallotError("a rank grid has overvote groups or equal rankings, not both")
    grid = _checked_grid(grid, n_candidates, overvote_groups or equal_groups)
    if equal_groups:
        grid, groups = _codes_of(grid, n_candidates), _Groups(equal_groups, equal=True)
    else:
        grid, overvotes = _group_codes(grid, n_candidates, overvote_groups, policy)
        groups = _Groups(overvotes, equal=False)
    sections, w = _checked_rows(len(grid), section_ids, section_names, weights)
    rows = _Rows(sections, grid_as_codes(grid, n_candidates), w, grouped=False)
    return _compressed(
        cls, candidates, rows, section_names, withdrawn, policy, title, seats, groups
    )


def compress_codes(
    cls: type[BallotSet],
    candidates: tuple[str, ...],
    codes: npt.NDArray[np.int16],
    *,
    weights: npt.NDArray[np.int64],
    section_ids: npt.NDArray[np.integer] | None,
    section_names: tuple[str, ...],
    withdrawn: frozenset[int],
    policy: BallotPolicy,
    title: str,
    seats: int | None = None,
    checked: Checked | None = None,
) -> BallotSet:
    """Rows a reader has grouped itself: distinct, weighted, in the ballot set's order (by
    section, then ranking) and written as cell codes: a candidate's id, ``n_candidates``
    for a blank, ``n_candidates + 1`` for an overvote (so both sort after candidates).

    ``codes`` is taken over, not copied, where its rows are the rankings as they stand:
    regular papers, with a blank column past the longest (a reader gives one more column
    than there are ranks, so a ranking of every candidate has room for its stop), in either
    memory order. ``checked``: the papers checked already, as ``papers.irregular_rows``
    checks them (a reader may do it while the rows are in cache)."""
    n_candidates = len(candidates)
    if codes.ndim != 2 or (
        codes.size and not 0 <= int(codes.min()) <= int(codes.max()) <= n_candidates + 1
    ):
        raise BallotError("cell codes are candidate ids, then blank and overvote")
    if policy.overvote is OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING:
        _refuse_bare_overvotes(bool((codes == n_candidates + 1).any()))
    sections, w = _checked_rows(len(codes), section_ids, section_names, weights)
    rows = _Rows(sections, codes.astype(np.int16, copy=False), w, grouped=True, checked=checked)
    groups = _Groups((), equal=False)
    return _compressed(
        cls, candidates, rows, section_names, withdrawn, policy, title, seats, groups
    )


@dataclass(frozen=True)
class _Groups:
    """Group codes in the rows: overvote groups (exhaust-if-multiple-continuing) or equal
    rankings."""

    members: tuple[frozenset[int], ...]
    equal: bool


@dataclass(frozen=True, eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class _Rows:
    """Rows of cell codes with their sections and weights; ``grouped``: distinct and in
    order already."""

    sections: npt.NDArray[np.int16]
    codes: npt.NDArray[np.int16]
    weights: npt.NDArray[np.int64] | None
    grouped: bool
    checked: Checked | None = None
    """The papers checked already (only for rows grouped already)."""


def _checked_rows(
    n: int,
    section_ids: npt.NDArray[np.integer] | None,
    section_names: tuple[str, ...],
    weights: npt.NDArray[np.integer] | None,
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64] | None]:
    sections = np.zeros(n, dtype=np.int16) if section_ids is None else section_ids.astype(np.int16)
    if len(sections) != n:
        raise BallotError(f"{len(sections)} section labels for {n} ballots")
    if section_names and n and int(sections.max()) >= len(section_names):
        raise BallotError("a section label has no section name")
    w = None if weights is None else np.asarray(weights, dtype=np.int64)
    if w is not None and (len(w) != n or (n and int(w.min()) < 0)):
        raise BallotError("ballot weights must be one non-negative integer per ballot")
    if w is not None and n and int(w.max()) > MAX_TOTAL // n and sum(w.tolist()) > MAX_TOTAL:
        # Weights are summed as float64 (exact to 2^53) and kept as int64: past this a count
        # would be silently wrong. The exact sum runs only when the bound cannot rule it out.
        raise BallotError(f"the ballots number more than {MAX_TOTAL}")
    return sections, w


def _distinct_papers(
    rows: _Rows, max_rankings: int | None
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16], npt.NDArray[np.int64], Checked | None]:
    """Sections, codes and weights of the distinct papers, ranks past ``max_rankings`` cut,
    and the check of them (if the rows are still the ones checked)."""
    sections, codes, weights = rows.sections, rows.codes, rows.weights
    cut = max_rankings is not None and max_rankings < codes.shape[1]
    if cut:
        codes = codes[:, :max_rankings]  # cut rows may coincide
    if cut or not rows.grouped or weights is None:
        keyed, weights = unique_rows(np.column_stack([sections, codes]), weights)
        return keyed[:, 0], keyed[:, 1:], weights, None
    return sections, codes, weights, rows.checked


def _compressed(
    cls: type[BallotSet],
    candidates: tuple[str, ...],
    rows: _Rows,
    section_names: tuple[str, ...],
    withdrawn: frozenset[int],
    policy: BallotPolicy,
    title: str,
    seats: int | None,
    groups: _Groups,
) -> BallotSet:
    """Rows grouped into distinct raw papers (unless they are already), then read under
    ``policy`` into a ballot set."""
    n_candidates = len(candidates)
    raw_sections, raw_codes, raw_weights, checked = _distinct_papers(rows, policy.max_rankings)
    blank = np.zeros(len(raw_codes), dtype=np.bool_)
    maybe = np.flatnonzero(raw_codes[:, 0] == n_candidates)  # a blank first: few rows
    blank[maybe] = (raw_codes[maybe] == n_candidates).all(axis=1)
    blank_ballots = int(raw_weights[blank].sum())
    if blank.any():
        raw_sections, raw_codes, raw_weights = (
            raw_sections[~blank],
            raw_codes[~blank],
            raw_weights[~blank],
        )
        checked = None if checked is None else checked.without(blank)
    clean, irregular = clean_codes(raw_codes, n_candidates, policy, checked)
    if groups.members and not groups.equal:
        # The sticky overvote: where a ballot goes that meets several continuing candidates.
        clean = np.column_stack([clean, np.full(len(clean), n_candidates + Inactive.OVERVOTE)])
    row_sections, row_weights = raw_sections, raw_weights
    if irregular:
        # Only a paper read under the policy (gaps, overvotes, repeats) can turn out
        # the same as another; distinct regular papers stay distinct and sorted.
        merged, row_weights = unique_rows(np.column_stack([row_sections, clean]), raw_weights)
        row_sections, clean = merged[:, 0], merged[:, 1:]
    if not (row_weights > 0).all():
        keep = row_weights > 0
        row_sections, clean, row_weights = row_sections[keep], clean[keep], row_weights[keep]
    return cls(
        candidates=candidates,
        rankings=clean,  # contiguous in either order (``BallotSet`` takes both)
        weights=row_weights,
        section_names=section_names,
        section_ids=row_sections.copy(),
        withdrawn=withdrawn,
        blank_ballots=blank_ballots,
        title=title,
        seats=seats,
        overvote_groups=() if groups.equal else groups.members,
        equal_groups=groups.members if groups.equal else (),
        policy=policy,
    )


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
    _refuse_bare_overvotes(bool(grid.size and (grid == OVERVOTE).any()))
    if not (grid <= OVERVOTE_GROUP_BASE).any():
        return grid, ()
    return _codes_of(grid, n_candidates), groups


def _codes_of(grid: npt.NDArray[np.int16], n_candidates: int) -> npt.NDArray[np.int16]:
    """Group cells as group codes ``n_candidates + N_STOPS + g``."""
    in_group = grid <= OVERVOTE_GROUP_BASE
    codes = n_candidates + N_STOPS + (OVERVOTE_GROUP_BASE - grid.astype(np.int32))
    return np.where(in_group, codes, grid).astype(np.int16)


def _refuse_bare_overvotes(found: bool) -> None:
    """Exhaust-if-multiple-continuing needs each overvote's candidates."""
    if found:
        raise BallotError(
            "an overvote without its candidates cannot be read under "
            "exhaust-if-multiple-continuing (this ballot file does not name them)"
        )
