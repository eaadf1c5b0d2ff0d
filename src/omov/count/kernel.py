"""Vectorised building blocks the counting methods share.

A count keeps, per unique ranking, a pointer to its current preference. After candidates
stop continuing (elected or excluded), ``advance`` moves only the affected rows past
them; a tally is one weighted ``bincount`` over the current preferences, whose last
``N_STOPS`` bins are the inactive ballots by reason. Rows never move past a stop code.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from omov.count.ballots import N_STOPS, BallotSet

Pointers = npt.NDArray[np.intp]
Mask = npt.NDArray[np.bool_]


def continuing_mask(ballots: BallotSet, continuing: set[int] | frozenset[int]) -> Mask:
    """Lookup over candidate ids and stop codes: True where a preference counts now."""
    mask = np.zeros(ballots.n_candidates + N_STOPS, dtype=np.bool_)
    mask[list(continuing)] = True
    return mask


def advance(
    ballots: BallotSet, pointers: Pointers, mask: Mask, rows: npt.NDArray[np.intp] | None = None
) -> None:
    """Move each row's pointer (in place) to its first continuing candidate or its stop.

    ``rows`` limits the work to rows that may need to move (those whose current
    preference just stopped continuing); by default every row is checked.
    """
    rankings = ballots.rankings
    n_candidates = ballots.n_candidates
    todo = np.arange(len(pointers)) if rows is None else rows
    while len(todo):
        current = rankings[todo, pointers[todo]]
        moving = (current < n_candidates) & ~mask[current]
        todo = todo[moving]
        pointers[todo] += 1


def current_preferences(ballots: BallotSet, pointers: Pointers) -> npt.NDArray[np.int16]:
    # One gather from the flat rankings: much cheaper than 2-D fancy indexing.
    rankings = ballots.rankings
    flat = np.arange(len(pointers), dtype=np.intp)
    flat *= rankings.shape[1]
    flat += pointers
    current: npt.NDArray[np.int16] = rankings.reshape(-1).take(flat)
    return current


def tally(
    ballots: BallotSet, pointers: Pointers, values: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int64]:
    """Votes per candidate id and per stop code (the last N_STOPS bins).

    ``values`` are the integer vote values of each row (weights by default; STV passes
    scaled transfer values). The result is exact: integer bincount via ``np.add.at``
    would be slower, and float64 bincount is exact below 2**53, which ``check_exact``
    guards.
    """
    weights = ballots.weights if values is None else values
    current = current_preferences(ballots, pointers)
    return _exact_bincount(current, weights, ballots.n_candidates + N_STOPS)


def section_tally(
    ballots: BallotSet, pointers: Pointers, values: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int64]:
    """Like ``tally``, with one row per electorate section."""
    weights = ballots.weights if values is None else values
    width = ballots.n_candidates + N_STOPS
    keys = ballots.section_ids.astype(np.intp) * width + current_preferences(ballots, pointers)
    flat = _exact_bincount(keys, weights, ballots.n_sections * width)
    return flat.reshape(ballots.n_sections, width)


def rows_preferring(
    ballots: BallotSet, pointers: Pointers, candidates: list[int]
) -> npt.NDArray[np.intp]:
    """Rows whose current preference is one of ``candidates``."""
    current = current_preferences(ballots, pointers)
    return np.flatnonzero(np.isin(current, candidates))


_EXACT_LIMIT = 2**53


def exact_bincount(
    keys: npt.NDArray[np.integer], weights: npt.NDArray[np.int64], length: int
) -> npt.NDArray[np.int64]:
    """Integer sums of ``weights`` per key, exact at any size (methods with scaled values)."""
    return _exact_bincount(keys, weights, length)


def _exact_bincount(
    keys: npt.NDArray[np.integer], weights: npt.NDArray[np.int64], length: int
) -> npt.NDArray[np.int64]:
    """Vote values are never negative, so every partial sum of a float64 bincount is at
    most the grand total: below 2**53 the float sums are exact, and checking the total
    afterwards costs nothing. Past it, fall back to integer ``np.add.at``."""
    sums = np.bincount(keys, weights=weights.astype(np.float64), minlength=length)
    if float(sums.sum()) < _EXACT_LIMIT:
        return sums.astype(np.int64)
    out = np.zeros(length, dtype=np.int64)
    np.add.at(out, keys, weights)
    return out
