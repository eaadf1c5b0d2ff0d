"""First past the post: one seat, or block voting for several.

Each ballot is a vote for its first ``seats`` candidates still standing (so a ranked
ballot reads as an X against each of its top choices); the ``seats`` candidates with the
most votes are elected, ties broken by the tie-break rule.
"""

from __future__ import annotations

import numpy as np

from omov.count import kernel
from omov.count.ballots import BallotSet
from omov.count.figures import Counts, candidate_figures, inactive_figures, section_figures
from omov.count.methods import register
from omov.count.options import CountOptions
from omov.count.report import CountReport, Round, TieBreak
from omov.count.tiebreak import TieBreaker


@register("fptp")
def count_fptp(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    standing = frozenset(ballots.standing())
    totals, per_section = _block_votes(ballots, standing, seats)
    elected, tie_breaks = _top(ballots, totals, standing, seats, options)
    round_ = Round(
        number=1,
        tallies=candidate_figures(ballots, totals, standing),
        inactive=inactive_figures(ballots, totals),
        elected=tuple(elected),
        tie_breaks=tuple(tie_breaks),
        sections=section_figures(ballots, per_section, standing),
        note=f"{', '.join(elected)} elected with the most votes",
    )
    return CountReport.of_ballots(
        ballots,
        method="fptp",
        seats=seats,
        rounds=[round_],
        elected=elected,
        options=options.as_record(),
    )


def _block_votes(ballots: BallotSet, standing: frozenset[int], seats: int) -> tuple[Counts, Counts]:
    """Votes for each of every ballot's first ``seats`` standing choices."""
    pointers = np.zeros(ballots.n_unique, dtype=np.intp)
    mask = kernel.continuing_mask(ballots, standing)
    kernel.advance(ballots, pointers, mask)
    totals = kernel.tally(ballots, pointers)
    per_section = kernel.section_tally(ballots, pointers)
    n = ballots.n_candidates
    for _ in range(seats - 1):
        live = np.flatnonzero(kernel.current_preferences(ballots, pointers) < n)
        pointers[live] += 1
        kernel.advance(ballots, pointers, mask, live)
        totals[:n] += kernel.tally(ballots, pointers)[:n]
        per_section[:, :n] += kernel.section_tally(ballots, pointers)[:, :n]
    return totals, per_section


def _top(
    ballots: BallotSet, totals: Counts, standing: frozenset[int], seats: int, options: CountOptions
) -> tuple[list[str], list[TieBreak]]:
    breaker = TieBreaker.for_count(ballots, options)
    history = [candidate_figures(ballots, totals, standing)]
    remaining = dict(history[0])
    elected: list[str] = []
    tie_breaks: list[TieBreak] = []
    while len(elected) < seats:
        best = max(remaining.values())
        tied = [name for name, votes in remaining.items() if votes == best]
        chosen, record = breaker.pick(tied, history, purpose="election", lowest=False)
        if len(tied) > 1:
            tie_breaks.append(record)
        elected.append(chosen)
        del remaining[chosen]
    return elected, tie_breaks
