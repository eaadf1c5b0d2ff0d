"""Turning a kernel's integer tallies into a report's exact figures."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from omov.count.ballots import N_STOPS, BallotSet, Inactive
from omov.count.report import EXHAUSTED, SectionFigures, Transfer

Counts = npt.NDArray[np.int64]


def candidate_figures(
    ballots: BallotSet, counts: Counts, ids: Iterable[int], scale: int = 1
) -> dict[str, Fraction]:
    """Votes of the candidates ``ids`` (in ballot-file order), divided by ``scale``."""
    held = counts.tolist()  # Python ints, read once
    return {ballots.candidates[i]: Fraction(held[i], scale) for i in sorted(ids)}


def inactive_figures(
    ballots: BallotSet, counts: Counts, scale: int = 1
) -> dict[Inactive, Fraction]:
    stops = counts[ballots.n_candidates : ballots.n_candidates + N_STOPS]
    return {reason: Fraction(int(stops[reason]), scale) for reason in Inactive}


def section_figures(
    ballots: BallotSet, per_section: Counts, ids: Iterable[int], scale: int = 1
) -> dict[str, SectionFigures]:
    """Per-section tallies; empty when the ballots carry no sections."""
    if not ballots.section_names:
        return {}
    ids = sorted(ids)
    figures = {}
    for s, name in enumerate(ballots.section_names):
        row = per_section[s]
        inactive = int(row[ballots.n_candidates : ballots.n_candidates + N_STOPS].sum())
        figures[name] = SectionFigures(
            candidate_figures(ballots, row, ids, scale), Fraction(inactive, scale)
        )
    return figures


def exclusion_transfers(
    ballots: BallotSet, moved: Counts, sources: Iterable[int]
) -> tuple[Transfer, ...]:
    """Where each excluded candidate's ballots went, from ``Preferences.move_on``'s
    source-by-destination counts: to candidates in ballot-file order, then exhausted."""
    n = ballots.n_candidates
    transfers = []
    for source in sources:
        row = moved[source]
        to = {ballots.candidates[d]: Fraction(int(row[d])) for d in np.flatnonzero(row[:n])}
        exhausted = int(row[n:].sum())
        if exhausted:
            to[EXHAUSTED] = Fraction(exhausted)
        transfers.append(Transfer(ballots.candidates[source], "exclusion", to))
    return tuple(transfers)
