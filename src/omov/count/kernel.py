"""Vectorised building blocks the counting methods share.

A count keeps, per unique ranking, a pointer to its current preference. After candidates
stop continuing (elected or excluded), ``advance`` moves only the affected rows past
them; a tally is one weighted ``bincount`` over the current preferences, whose last
``N_STOPS`` bins are the inactive ballots by reason. Rows never move past a stop code.

Overvote groups (the exhaust-if-multiple-continuing rule; ``BallotSet.overvote_groups``)
take three more steps, all skipped when a ballot set has none: the mask says a group is
continuing while any member is; ``advance`` passes groups with no continuing member and
sends a row that lands on a group with several to its last column (the OVERVOTE stop, for
good); and the preference functions, given the mask, read a group as its one continuing
member. A row resting on a group had exactly one continuing member when it landed, and the
continuing set only shrinks, so that member is the one until it leaves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from omov.count.ballots import N_STOPS, BallotSet, Inactive
from omov.count.errors import MethodError

Pointers = npt.NDArray[np.intp]
Mask = npt.NDArray[np.bool_]


def continuing_mask(ballots: BallotSet, continuing: set[int] | frozenset[int]) -> Mask:
    """Lookup over candidate ids and stop codes: True where a preference counts now."""
    n_groups = len(ballots.overvote_groups)
    mask = np.zeros(ballots.n_candidates + N_STOPS + n_groups, dtype=np.bool_)
    mask[list(continuing)] = True
    if n_groups:
        mask[-n_groups:] = _live_members(ballots, mask) > 0
    return mask


def advance(
    ballots: BallotSet, pointers: Pointers, mask: Mask, rows: npt.NDArray[np.intp] | None = None
) -> None:
    """Move each row's pointer (in place) to its first continuing candidate or its stop.

    ``rows`` limits the work to rows that may need to move (those whose current
    preference just stopped continuing); by default every row is checked.
    """
    todo = np.arange(len(pointers)) if rows is None else rows
    _advanced(ballots, pointers, mask, todo)
    if ballots.overvote_groups:
        _exhaust_overvotes(ballots, pointers, mask, todo)


def _advanced(
    ballots: BallotSet, pointers: Pointers, mask: Mask, rows: npt.NDArray[np.intp]
) -> npt.NDArray[np.int16]:
    """``advance`` for ``rows`` (groups not resolved); returns the cells they now point at."""
    rankings = ballots.rankings
    moves = _moves_on(ballots, mask)
    cells = _cells_at(rankings, pointers, rows)
    moving = np.flatnonzero(moves[cells])
    while len(moving):
        todo = rows[moving]
        pointers[todo] += 1
        now = _cells_at(rankings, pointers, todo)
        cells[moving] = now
        moving = moving[moves[now]]
    return cells


def _moves_on(ballots: BallotSet, mask: Mask) -> Mask:
    """Lookup over codes: True where a row moves on from its cell, one that is not
    continuing (a candidate or group), never a stop (one lookup per row and step)."""
    moves = ~mask
    moves[ballots.n_candidates : ballots.n_candidates + N_STOPS] = False
    return moves


def _live_members(ballots: BallotSet, mask: Mask) -> npt.NDArray[np.intp]:
    """Continuing members of each overvote group."""
    n_candidates = ballots.n_candidates
    members = np.zeros((len(ballots.overvote_groups), n_candidates), dtype=np.intp)
    for g, group in enumerate(ballots.overvote_groups):
        members[g, list(group)] = 1
    live: npt.NDArray[np.intp] = members @ mask[:n_candidates].astype(np.intp)
    return live


def _exhaust_overvotes(
    ballots: BallotSet, pointers: Pointers, mask: Mask, rows: npt.NDArray[np.intp]
) -> None:
    """Rows that landed on a group with several continuing members: exhausted for good, on
    the OVERVOTE stop in the last column (RCTab never reads such a ballot again)."""
    several = np.zeros(len(mask), dtype=np.bool_)
    several[ballots.n_candidates + N_STOPS :] = _live_members(ballots, mask) > 1
    current = ballots.rankings[rows, pointers[rows]]
    pointers[rows[several[current]]] = ballots.rankings.shape[1] - 1


def _resolved(
    ballots: BallotSet, codes: npt.NDArray[np.int16], mask: Mask | None
) -> npt.NDArray[np.int16]:
    """Group codes read as their one continuing member (the OVERVOTE stop otherwise, which
    only a row not yet advanced against ``mask`` can show)."""
    if mask is None:
        raise MethodError("ballots with overvote groups need the continuing mask to be read")
    n_candidates = ballots.n_candidates
    lookup = np.arange(len(mask), dtype=np.int16)
    overvote = n_candidates + int(Inactive.OVERVOTE)
    for g, group in enumerate(ballots.overvote_groups):
        live = [c for c in group if mask[c]]
        lookup[n_candidates + N_STOPS + g] = live[0] if len(live) == 1 else overvote
    resolved: npt.NDArray[np.int16] = lookup[codes]
    return resolved


def current_preferences(
    ballots: BallotSet, pointers: Pointers, mask: Mask | None = None
) -> npt.NDArray[np.int16]:
    """Each row's current candidate or stop code. With overvote groups, ``mask`` (the one
    the rows were advanced against) is required: a group reads as its continuing member."""
    current = _cells_at(ballots.rankings, pointers)
    if ballots.overvote_groups:
        return _resolved(ballots, current, mask)
    return current


def _cells_at(
    rankings: npt.NDArray[np.int16], pointers: Pointers, rows: npt.NDArray[np.intp] | None = None
) -> npt.NDArray[np.int16]:
    """The cell each of ``rows`` (every row by default) points at: one gather from the flat
    rankings (row-major or column-major, as the ballot set holds them), much cheaper than
    2-D fancy indexing."""
    n_rows, width = rankings.shape
    if rankings.flags.c_contiguous:
        cells, row_step, rank_step = rankings.reshape(-1), width, 1
    else:  # column-major: one contiguous array per rank
        cells, row_step, rank_step = rankings.T.reshape(-1), 1, n_rows
    if rows is None:
        flat = np.arange(len(pointers), dtype=np.intp)
        if row_step != 1:
            flat *= row_step
    else:
        flat = rows * row_step if row_step != 1 else rows.copy()
        pointers = pointers[rows]
    flat += pointers if rank_step == 1 else pointers * rank_step
    taken: npt.NDArray[np.int16] = cells.take(flat)
    return taken


def tally(
    ballots: BallotSet,
    pointers: Pointers,
    values: npt.NDArray[np.int64] | None = None,
    mask: Mask | None = None,
) -> npt.NDArray[np.int64]:
    """Votes per candidate id and per stop code (the last N_STOPS bins).

    ``values`` are the integer vote values of each row (weights by default; STV passes
    scaled transfer values). The result is exact: integer bincount via ``np.add.at``
    would be slower, and float64 bincount is exact below 2**53, which ``check_exact``
    guards. ``mask``: as for ``current_preferences``.
    """
    weights = ballots.weights if values is None else values
    current = current_preferences(ballots, pointers, mask)
    return _exact_bincount(current, weights, ballots.n_candidates + N_STOPS)


def section_tally(
    ballots: BallotSet,
    pointers: Pointers,
    values: npt.NDArray[np.int64] | None = None,
    mask: Mask | None = None,
) -> npt.NDArray[np.int64]:
    """Like ``tally``, with one row per electorate section."""
    weights = ballots.weights if values is None else values
    width = ballots.n_candidates + N_STOPS
    current = current_preferences(ballots, pointers, mask)
    keys = ballots.section_ids.astype(np.intp) * width + current
    flat = _exact_bincount(keys, weights, ballots.n_sections * width)
    return flat.reshape(ballots.n_sections, width)


def rows_preferring(
    ballots: BallotSet, pointers: Pointers, candidates: list[int], mask: Mask | None = None
) -> npt.NDArray[np.intp]:
    """Rows whose current preference is one of ``candidates`` (``mask``: as for
    ``current_preferences``, the mask before they stopped continuing)."""
    current = current_preferences(ballots, pointers, mask)
    return np.flatnonzero(np.isin(current, candidates))


_EXACT_LIMIT = 2**53


def exact_bincount(
    keys: npt.NDArray[np.integer], weights: npt.NDArray[np.int64], length: int
) -> npt.NDArray[np.int64]:
    """Integer sums of ``weights`` per key, exact at any size (methods with scaled values)."""
    return _exact_bincount(keys, weights, length)


def _exact_bincount(
    keys: npt.NDArray[np.integer],
    weights: npt.NDArray[np.int64],
    length: int,
    values: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.int64]:
    """Vote values are never negative, so every partial sum of a float64 bincount is at
    most the grand total: below 2**53 the float sums are exact, and checking the total
    afterwards costs nothing. Past it, fall back to integer ``np.add.at``. ``values``:
    the weights as floats already."""
    floats = weights.astype(np.float64) if values is None else values
    sums = np.bincount(keys, weights=floats, minlength=length)
    if float(sums.sum()) < _EXACT_LIMIT:
        return sums.astype(np.int64)
    out = np.zeros(length, dtype=np.int64)
    np.add.at(out, keys, weights)
    return out


@dataclass(eq=False, repr=False)  # holds arrays: no == and no repr, made at start-up
class Preferences:
    """Each row's current preference kept up to date as candidates leave the count, with
    the tallies that follow from it (whole ballots: the methods that move whole ballots).

    Only rows whose preference leaves are touched, so a round costs one pass to find them
    plus work in proportion to the ballots that move, not to every unique ranking.
    """

    ballots: BallotSet
    pointers: Pointers
    current: npt.NDArray[np.int16]
    """Each row's current candidate (an overvote group read as its one continuing member)
    or stop code."""
    counts: npt.NDArray[np.int64]
    """Ballots per candidate id and stop code, as ``tally``."""
    section_counts: npt.NDArray[np.int64]
    """The same per section, as ``section_tally``."""
    values: npt.NDArray[np.float64]
    """The weights as floats, made once for every ``bincount`` of the count (whose sums
    ``_exact_bincount`` checks, falling back to integers past 2**53)."""

    @classmethod
    def start(cls, ballots: BallotSet, mask: Mask) -> Preferences:
        pointers = np.zeros(ballots.n_unique, dtype=np.intp)
        current = _first_preferences(ballots, pointers, mask)
        values = ballots.weights.astype(np.float64)
        counts = _first_counts(ballots, current, values)
        if ballots.n_sections == 1:
            section_counts = counts.reshape(1, -1).copy()
        else:
            section_counts = _section_bincount(ballots, np.arange(len(current)), current)
        return cls(ballots, pointers, current, counts, section_counts, values)

    def move_on(self, leaving: list[int], mask: Mask) -> npt.NDArray[np.int64]:
        """Move the ballots of the ``leaving`` candidates to their next preference under
        ``mask`` (which no longer holds them); returns ballots moved, leaving candidate by
        destination (candidate ids and stop codes)."""
        ballots = self.ballots
        width = ballots.n_candidates + N_STOPS
        if len(leaving) == 1:
            rows = np.flatnonzero(self.current == leaving[0])
        else:
            rows = np.flatnonzero(np.isin(self.current, leaving))
        before = self.current[rows]
        if ballots.overvote_groups:
            advance(ballots, self.pointers, mask, rows)
            after = _preferences_of(ballots, self.pointers, rows, mask)
        else:
            after = _advanced(ballots, self.pointers, mask, rows)
        self.current[rows] = after
        flat = before.astype(np.intp) * width + after
        moved = _exact_bincount(
            flat, ballots.weights[rows], ballots.n_candidates * width, self.values[rows]
        )
        moved = moved.reshape(ballots.n_candidates, width)
        self.counts[: ballots.n_candidates] -= moved.sum(axis=1)
        self.counts += moved.sum(axis=0)
        if ballots.n_sections == 1:  # one section: its tally is the whole tally
            self.section_counts[0] = self.counts
        else:
            self.section_counts -= _section_bincount(ballots, rows, before)
            self.section_counts += _section_bincount(ballots, rows, after)
        return moved


def _first_counts(
    ballots: BallotSet, current: npt.NDArray[np.int16], values: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """Ballots per candidate id and stop code at their first preferences. A ballot set's
    rows are sorted by ranking (within each section), so with one section (and no
    withdrawn candidate) the preferences come in order: their runs are summed in one pass,
    where a weighted ``bincount`` costs several times as much. Out of order, they are
    bincounted."""
    width = ballots.n_candidates + N_STOPS
    if ballots.n_sections == 1 and len(current) and bool(np.all(current[1:] >= current[:-1])):
        starts = np.searchsorted(current, np.arange(width + 1))
        sums = np.add.reduceat(np.append(ballots.weights, 0), starts)[:width]
        sums[starts[:-1] == starts[1:]] = 0  # reduceat gives an empty run's next value
        return sums.astype(np.int64)
    return _exact_bincount(current, ballots.weights, width, values)


def _first_preferences(ballots: BallotSet, pointers: Pointers, mask: Mask) -> npt.NDArray[np.int16]:
    """Each row's first continuing preference, its pointer (at the first rank) moved there:
    the first rank read once, and only rows whose first mark is not continuing (a withdrawn
    candidate's) advanced. With overvote groups, every row is advanced as ``advance`` does."""
    if ballots.overvote_groups:
        advance(ballots, pointers, mask)
        return current_preferences(ballots, pointers, mask)
    current = ballots.rankings[:, 0].copy()
    rows = np.flatnonzero(_moves_on(ballots, mask)[current])  # a withdrawn candidate's
    if len(rows):
        current[rows] = _advanced(ballots, pointers, mask, rows)
    return current


def _preferences_of(
    ballots: BallotSet, pointers: Pointers, rows: npt.NDArray[np.intp], mask: Mask
) -> npt.NDArray[np.int16]:
    """``current_preferences`` for ``rows`` only."""
    current = _cells_at(ballots.rankings, pointers, rows)
    if ballots.overvote_groups:
        return _resolved(ballots, current, mask)
    return current


def _section_bincount(
    ballots: BallotSet, rows: npt.NDArray[np.intp], preferences: npt.NDArray[np.int16]
) -> npt.NDArray[np.int64]:
    width = ballots.n_candidates + N_STOPS
    if ballots.n_sections == 1:  # one section: its tally is the whole tally
        counts = _exact_bincount(preferences, ballots.weights[rows], width)
        return counts.reshape(1, width)
    keys = ballots.section_ids[rows].astype(np.intp) * width + preferences
    flat = _exact_bincount(keys, ballots.weights[rows], ballots.n_sections * width)
    return flat.reshape(ballots.n_sections, width)
