"""What the fixed-decimal STV rules (Scottish, ERS97) share: papers held at scaled values.

Papers with the same ranking always travel together under these rules (they reach the
same candidates at the same stages, so every transfer gives them the same value), so a
unique ranking of the ballot set is one *parcel*: ``weights[i]`` papers, each worth
``values[i]`` units of 10^-d votes, held by the candidate at ``pointers[i]``. Applying a
per-paper rule (such as truncating each paper's transfer value) to the parcel is then
exactly the per-paper arithmetic, and all sums are exact integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from omov.count import kernel
from omov.count.ballots import N_STOPS, BallotSet, Inactive
from omov.count.figures import Counts, candidate_figures, inactive_figures
from omov.count.report import EXHAUSTED, RESIDUAL_SURPLUS, SectionFigures, Transfer

Rows = npt.NDArray[np.intp]
Values = npt.NDArray[np.int64]
_EXACT_LIMIT = 2**53


def sum_by(keys: npt.NDArray[np.integer], amounts: Values, length: int) -> Counts:
    """Exact integer sums of ``amounts`` grouped by ``keys`` (0 <= key < length)."""
    if len(amounts) and int(np.abs(amounts).sum()) >= _EXACT_LIMIT:
        out = np.zeros(length, dtype=np.int64)
        np.add.at(out, keys, amounts)
        return out
    summed = np.bincount(keys, weights=amounts.astype(np.float64), minlength=length)
    return np.rint(summed).astype(np.int64)


@dataclass
class Parcels:
    """The papers of a count at scaled values, and which candidates still continue."""

    ballots: BallotSet
    scale: int
    continuing: set[int]
    pointers: Rows = field(init=False)
    values: Values = field(init=False)
    fixed: dict[int, int] = field(default_factory=dict)
    """Elected candidates whose papers have moved on, and the votes they keep (scaled)."""
    kept_by_section: dict[int, Counts] = field(default_factory=dict)
    """What those candidates keep, per section: each paper's value less what it passed on."""
    residual: int = 0
    """Votes lost to the truncation of transfer values so far (scaled)."""
    set_aside: int = 0
    """Surplus votes set aside as non-transferable without moving papers (ERS97), scaled;
    counted with the exhausted votes."""
    batches: Rows = field(init=False)
    """Per parcel, the transfer batch that brought it to its holder (0: first preferences)."""
    last_batch: int = 0

    def __post_init__(self) -> None:
        self.pointers = np.zeros(self.ballots.n_unique, dtype=np.intp)
        self.values = np.full(self.ballots.n_unique, self.scale, dtype=np.int64)
        self.batches = np.zeros(self.ballots.n_unique, dtype=np.intp)
        mask = kernel.continuing_mask(self.ballots, self.continuing)
        kernel.advance(self.ballots, self.pointers, mask)

    @property
    def n(self) -> int:
        return self.ballots.n_candidates

    def amounts(self, rows: Rows | None = None) -> Values:
        """Scaled votes of each parcel (papers times value per paper)."""
        if rows is None:
            return self.ballots.weights * self.values
        return self.ballots.weights[rows] * self.values[rows]

    def totals(self) -> Counts:
        """Scaled votes per candidate id and per stop code (inactive, by reason)."""
        counts = kernel.tally(self.ballots, self.pointers, self.amounts())
        for candidate, kept in self.fixed.items():
            counts[candidate] = kept
        counts[self.n + Inactive.EXHAUSTED] += self.set_aside
        return counts

    def section_totals(self) -> Counts:
        per_section = kernel.section_tally(self.ballots, self.pointers, self.amounts())
        for candidate, kept in self.kept_by_section.items():
            per_section[:, candidate] = kept
        return per_section

    def rows_of(self, candidate: int) -> Rows:
        return kernel.rows_preferring(self.ballots, self.pointers, [candidate])

    def move_on(self, rows: Rows) -> None:
        """Pass ``rows`` to their next continuing preference (or their stop), as one batch."""
        current = kernel.current_preferences(self.ballots, self.pointers)[rows]
        live = rows[current < self.n]
        self.pointers[live] += 1
        mask = kernel.continuing_mask(self.ballots, self.continuing)
        kernel.advance(self.ballots, self.pointers, mask, live)
        self.last_batch += 1
        self.batches[rows] = self.last_batch

    def next_holders(self, rows: Rows) -> npt.NDArray[np.int16]:
        """Where ``rows`` would go next (candidate id or stop code), without moving them."""
        pointers = self.pointers.copy()
        current = kernel.current_preferences(self.ballots, pointers)[rows]
        live = rows[current < self.n]
        pointers[live] += 1
        mask = kernel.continuing_mask(self.ballots, self.continuing)
        kernel.advance(self.ballots, pointers, mask, live)
        return kernel.current_preferences(self.ballots, pointers)[rows]

    def received(self, rows: Rows) -> Counts:
        """Scaled votes ``rows`` now give each candidate id and stop code."""
        current = kernel.current_preferences(self.ballots, self.pointers)[rows]
        return sum_by(current, self.amounts(rows), self.n + N_STOPS)

    def keep_at(self, candidate: int, kept: int, rows: Rows, passed_on: Values) -> None:
        """``candidate``'s papers ``rows`` have moved on; the candidate keeps ``kept``.
        ``passed_on`` is the new value per paper, so each paper kept the rest."""
        self.fixed[candidate] = kept
        if self.ballots.section_names:
            left = self.ballots.weights[rows] * (self.values[rows] - passed_on)
            sections = self.ballots.section_ids[rows].astype(np.intp)
            self.kept_by_section[candidate] = sum_by(sections, left, self.ballots.n_sections)


def transfer_record(
    ballots: BallotSet,
    source: int,
    kind: str,
    received: Counts,
    scale: int,
    *,
    residual: int = 0,
    transfer_value: Fraction | None = None,
) -> Transfer:
    """A report ``Transfer`` from the scaled votes each destination received."""
    n = ballots.n_candidates
    to: dict[str, Fraction] = {
        ballots.candidates[c]: Fraction(int(received[c]), scale)
        for c in np.flatnonzero(received[:n]).tolist()
    }
    inactive = int(received[n : n + N_STOPS].sum())
    if inactive:
        to[EXHAUSTED] = Fraction(inactive, scale)
    if residual:
        to[RESIDUAL_SURPLUS] = Fraction(residual, scale)
    return Transfer(ballots.candidates[source], kind, to, transfer_value)


def round_figures(
    parcels: Parcels, shown: Iterable[int], counts: Counts
) -> tuple[dict[str, Fraction], dict[Inactive, Fraction], dict[str, SectionFigures]]:
    """Tallies of the candidates ``shown``, cumulative inactive votes, and section figures,
    from ``counts`` (``parcels.totals()``)."""
    ballots, scale = parcels.ballots, parcels.scale
    shown = sorted(shown)
    sections: dict[str, SectionFigures] = {}
    if ballots.section_names:
        per_section = parcels.section_totals()
        n = ballots.n_candidates
        for s, name in enumerate(ballots.section_names):
            row = per_section[s]
            sections[name] = SectionFigures(
                candidate_figures(ballots, row, shown, scale),
                Fraction(int(row[n : n + N_STOPS].sum()), scale),
            )
    return (
        candidate_figures(ballots, counts, shown, scale),
        inactive_figures(ballots, counts, scale),
        sections,
    )


def names(ballots: BallotSet, ids: Iterable[int]) -> tuple[str, ...]:
    return tuple(ballots.candidates[c] for c in ids)


def by_votes(ids: Iterable[int], votes: Mapping[int, int] | Counts) -> list[int]:
    """Candidates in order of votes, most first (ties in ballot-file order)."""
    return sorted(ids, key=lambda c: (-int(votes[c]), c))
