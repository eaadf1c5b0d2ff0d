"""The weighted electoral college (Labour 1981-2014; Labour 2010: MPs and MEPs, members,
affiliates, a third each), counted by the alternative vote on the weighted shares.

Each section is worth a fixed share of the college (``CountOptions.section_weights``).
In every round a candidate's college score is the sum, over sections, of the section's
share times the candidate's fraction of the votes still counting in that section; an
exhausted paper leaves its section's denominator, as in Labour's published rounds
(each round's percentages add up to 100). Scores are exact Fractions and reported as
percentages of the college. A candidate with more than half the college wins; otherwise
the candidate with the lowest score is excluded and their papers move on, section by
section. Each round's ``sections`` give the raw votes per section.

A round's transfers are in the college's terms, as its tallies are: the excluded
candidate's score goes to each continuing candidate as the rise in its score (its papers
moving on, and the exhausted ones leaving their sections' denominators), and, where a
section is left with no paper counting, that section's part goes to ``exhausted``: the
round's inactive figure is then the share of the college with no paper counting.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from omov.count import kernel
from omov.count.ballots import BallotSet, Inactive
from omov.count.errors import MethodError
from omov.count.figures import section_figures
from omov.count.methods import register
from omov.count.methods.exhaustive import exclude
from omov.count.options import CountOptions
from omov.count.report import EXHAUSTED, CountReport, Round, Transfer
from omov.count.tiebreak import TieBreaker

HUNDRED = Fraction(100)


@register("college")
def count_college(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    shares = college_shares(ballots, options)
    continuing = ballots.standing()
    breaker = TieBreaker.for_count(ballots, options)
    preferences = kernel.Preferences.start(ballots, kernel.continuing_mask(ballots, continuing))
    history: list[dict[str, Fraction]] = []
    rounds: list[Round] = []
    while True:
        per_section = preferences.section_counts
        scores = college_scores(ballots, per_section, continuing, shares)
        history.append(scores)
        unheld = HUNDRED - sum(scores.values(), Fraction(0))
        figures = Round(
            number=len(rounds) + 1,
            tallies=scores,
            inactive={Inactive.EXHAUSTED: unheld} if unheld else {},
            sections=section_figures(ballots, per_section, continuing),
        )
        leader = max(scores, key=lambda name: scores[name])
        if len(scores) == 1 or 2 * scores[leader] > sum(scores.values(), Fraction(0)):
            note = f"{leader} has a majority of the college"
            rounds.append(replace(figures, elected=(leader,), note=note))
            break
        fewest = min(scores.values())
        tied = [name for name, score in scores.items() if score == fewest]
        out, record = breaker.pick(tied, history, purpose="exclusion")
        source = ballots.candidates.index(out)
        continuing.discard(source)
        exclude(preferences, continuing, [source])
        tie_breaks = (record,) if len(tied) > 1 else ()
        note = f"{out} excluded with the lowest college score"
        rounds.append(replace(figures, excluded=(out,), tie_breaks=tie_breaks, note=note))
    return CountReport.of_ballots(
        ballots,
        method="college",
        seats=seats,
        rounds=_with_transfers(rounds),
        elected=rounds[-1].elected,
        options=options.as_record(),
    )


def college_shares(ballots: BallotSet, options: CountOptions) -> list[Fraction]:
    """Each section's share of the college, in section-id order, adding up to one."""
    weights = options.section_weights
    missing = [name for name in ballots.section_names if name not in weights]
    if missing:
        raise MethodError(f"the college gives no share to section(s) {', '.join(missing)}")
    unknown = sorted(set(weights) - set(ballots.section_names))
    if unknown:
        raise MethodError(f"the college gives a share to unknown section(s) {', '.join(unknown)}")
    shares = [weights[name] for name in ballots.section_names]
    if any(share < 0 for share in shares) or sum(shares) != 1:
        raise MethodError("college shares must be non-negative and add up to one")
    return shares


def college_scores(
    ballots: BallotSet,
    per_section: npt.NDArray[np.int64],
    continuing: set[int],
    shares: list[Fraction],
) -> dict[str, Fraction]:
    """Percent of the college per continuing candidate: sum of share x votes / counting."""
    n = ballots.n_candidates
    scores = {ballots.candidates[c]: Fraction(0) for c in sorted(continuing)}
    for row, share in zip(per_section, shares, strict=True):
        counting = int(row[:n].sum())
        if counting == 0:
            continue
        for c in continuing:
            scores[ballots.candidates[c]] += HUNDRED * share * int(row[c]) / counting
    return scores


def _with_transfers(rounds: list[Round]) -> list[Round]:
    """Each exclusion round with where the excluded candidate's score went."""
    moved = [
        replace(this, transfers=tuple(_transfer(this, name, after) for name in this.excluded))
        for this, after in itertools.pairwise(rounds)
    ]
    return [*moved, rounds[-1]]


def _transfer(this: Round, source: str, after: Round) -> Transfer:
    to = {
        name: score - this.tallies[name]
        for name, score in after.tallies.items()
        if score != this.tallies[name]
    }
    unheld = this.tallies[source] - sum(to.values(), Fraction(0))
    if unheld:
        to[EXHAUSTED] = unheld
    return Transfer(source, "exclusion", to)
