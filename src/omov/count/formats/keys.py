"""Rows of cell codes as sortable 64-bit keys: packing, unpacking, and merging sorted runs.

A row's key holds its section label (if any) in the top bits, then as many cells as fit,
first rank most significant, so sorting keys sorts rows; the cells past the key go into
*tail words* packed alike. ``formats/coded.py`` packs and reduces blocks of rows into
sorted runs with these, then merges the runs in two halves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

BLOCK = 2**16
"""Rows packed at a time: a block's key stays in cache while every column is folded in."""
SAMPLE = 2**10
"""One key in this many picks where the distinct rows are cut in halves."""

Codes = npt.NDArray[np.integer[Any]]
Keys = npt.NDArray[np.int64]
Words = npt.NDArray[np.int64]
"""Tail words: one row per word, one column per ballot row."""


@dataclass(frozen=True)
class Packed:
    """A run of rows in order of key: each row's key and tail words (the cells past the
    key, packed alike and padded with blanks, so every word is blank for a row its key
    holds whole), with weights (``None``: one ballot each)."""

    keys: Keys
    tails: Words
    """One row per tail word, one column per row (so each word is contiguous)."""
    weights: npt.NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return len(self.keys)


def pack(out: Keys, columns: Sequence[Codes], bits: int, labels: Codes | None) -> None:
    """Fold ``labels`` and the cells of ``columns`` into ``out``, first most significant.

    Cells are folded a few at a time into a 32-bit word first, then the word into ``out``:
    half the memory traffic of folding each cell into the 64-bit key."""
    if labels is None:
        out.fill(0)
    else:
        out[:] = labels
    per_word = max(1, 31 // bits)
    word = np.empty(len(out), dtype=np.int32)
    for first in range(0, len(columns), per_word):
        group = columns[first : first + per_word]
        np.copyto(word, group[0], casting="unsafe")
        for column in group[1:]:
            np.left_shift(word, bits, out=word)
            np.bitwise_or(word, column, out=word, casting="unsafe")
        np.left_shift(out, bits * len(group), out=out)
        np.bitwise_or(out, word, out=out, casting="unsafe")


def unpack(
    keys: Keys,
    cells: npt.NDArray[np.int16],
    bits: int,
    *,
    skip: int = 0,
    labels: Keys | None = None,
) -> None:
    """Write the cells of ``keys`` (past the lowest ``skip`` bits) into ``cells`` (one column
    each), a block of rows at a time (so the block stays in cache), and what is left above
    them into ``labels`` (unless it is empty)."""
    mask = (1 << bits) - 1
    for start in range(0, len(keys), BLOCK):
        block = keys[start : start + BLOCK] >> skip  # a copy of our own
        out = cells[start : start + BLOCK]
        for k in reversed(range(cells.shape[1])):
            np.bitwise_and(block, mask, out=out[:, k], casting="unsafe")
            block >>= bits
        if labels is not None and len(labels):
            labels[start : start + BLOCK] = block


def reduced_keys(
    keys: Keys, weights: npt.NDArray[np.int64] | None
) -> tuple[Keys, npt.NDArray[np.int64]]:
    """Distinct keys in order with summed weights (``keys`` is ours to sort in place)."""
    if len(keys) == 0:
        return keys, np.zeros(0, dtype=np.int64)
    if weights is None:
        keys.sort()
    else:
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], weights[order]
    first = np.empty(len(keys), dtype=np.bool_)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    if weights is None:
        counts = np.diff(np.append(starts, len(keys)))
    else:
        counts = np.add.reduceat(weights, starts)
    return keys[starts], counts.astype(np.int64)


def halves(runs: list[Packed]) -> tuple[list[Packed], list[Packed]]:
    """Runs cut at one key (about the median), so the two halves are reduced apart: every
    row of a key lies in one half, and the lower half's keys all come first."""
    sample = np.concatenate([np.zeros(0, np.int64), *(run.keys[::SAMPLE] for run in runs)])
    if len(sample) == 0:
        return runs, []
    pivot = np.partition(sample, len(sample) // 2)[len(sample) // 2]
    lower, upper = [], []
    for run in runs:
        cut = int(np.searchsorted(run.keys, pivot))
        weights = run.weights
        lower.append(
            Packed(run.keys[:cut], run.tails[:, :cut], None if weights is None else weights[:cut])
        )
        upper.append(
            Packed(run.keys[cut:], run.tails[:, cut:], None if weights is None else weights[cut:])
        )
    return lower, upper


def in_order(keys: Keys, run: Packed) -> Packed:
    """A run with new keys (relabelled), sorted by them again."""
    order = np.argsort(keys, kind="stable")
    weights = None if run.weights is None else run.weights.take(order)
    return Packed(keys.take(order), run.tails.take(order, axis=1), weights)


def run_weights(rows: Packed) -> npt.NDArray[np.int64]:
    return np.ones(len(rows), np.int64) if rows.weights is None else rows.weights


def reduced(parts: list[Packed], blank_word: int) -> Packed:
    """Distinct rows in order with summed weights: one stable argsort of the keys (which
    merges the parts' sorted runs in passes over them), then the few rows that share a key
    with a long row put in order of their tails."""
    keys = np.concatenate([np.zeros(0, dtype=np.int64), *(part.keys for part in parts)])
    n_words = parts[0].tails.shape[0] if parts else 0
    tails = np.concatenate([np.zeros((n_words, 0), np.int64), *(p.tails for p in parts)], axis=1)
    weights = np.concatenate([np.zeros(0, dtype=np.int64), *map(run_weights, parts)])
    if len(keys) == 0:
        return Packed(keys, tails, weights)
    order = np.argsort(keys, kind="stable")
    keys, tails, weights = keys[order], tails[:, order], weights[order]
    _order_tails(keys, tails, weights, blank_word)
    first = np.empty(len(keys), dtype=np.bool_)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    for tail in tails:
        first[1:] |= tail[1:] != tail[:-1]
    starts = np.flatnonzero(first)
    return Packed(keys[starts], tails[:, starts], np.add.reduceat(weights, starts))


def _order_tails(keys: Keys, tails: Words, weights: npt.NDArray[np.int64], blank: int) -> None:
    """Rows sorted by key put in order of their tails (in place) where that matters: in
    runs of one key holding a long row (another long row, or the row its key holds whole)."""
    if tails.shape[0] == 0:
        return
    long = tails[0] != blank
    for tail in tails[1:]:
        long |= tail != blank
    same = keys[1:] == keys[:-1]
    shared = np.zeros(len(keys), dtype=np.bool_)
    shared[1:] = same
    shared[:-1] |= same
    shared &= long
    if not shared.any():
        return
    run = np.cumsum(np.concatenate([[True], ~same]))
    mixed = np.zeros(int(run[-1]) + 1, dtype=np.bool_)
    mixed[run[shared]] = True
    rows = np.flatnonzero(mixed[run])
    ordered = rows[np.lexsort([*tails[::-1, rows], keys[rows]])]
    tails[:, rows] = tails[:, ordered]
    weights[rows] = weights[ordered]
