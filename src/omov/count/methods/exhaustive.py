"""The exhaustive ballot, as parties run it for their MPs' rounds.

In reality each round is a fresh ballot; from one set of ranked ballots we simulate it by
moving each paper of an eliminated candidate to its next continuing preference. After
each round either a candidate has a majority of the votes cast in it (elected), or the
count has come down to ``CountOptions.stop_at`` finalists (a two-stage contest's first
stage: the finalists go on to the members' ballot, and a majority does not end it), or
candidates are eliminated:

- ``CountOptions.minimum_votes[r]``: after round ``r``, everyone with at most that many
  votes is out (Conservative 2019: 16 after round 1, 32 after round 2; 2022 needed 30 in
  round 1, so ``{1: 29}``);
- otherwise the one candidate with the fewest votes, ties broken by the tie-break rule.

With ``stop_at`` the report's ``elected`` lists the finalists, most votes first.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from omov.count import kernel
from omov.count.ballots import BallotSet
from omov.count.figures import (
    candidate_figures,
    exclusion_transfers,
    inactive_figures,
    section_figures,
)
from omov.count.methods import register
from omov.count.options import CountOptions
from omov.count.report import CountReport, Round, TieBreak, Transfer
from omov.count.tiebreak import History, TieBreaker


@register("exhaustive")
def count_exhaustive(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    continuing = ballots.standing()
    breaker = TieBreaker.for_count(ballots, options)
    preferences = kernel.Preferences.start(ballots, kernel.continuing_mask(ballots, continuing))
    history: list[dict[str, Fraction]] = []
    rounds: list[Round] = []
    elected: tuple[str, ...] = ()
    while not elected:
        counts = preferences.counts
        tallies = candidate_figures(ballots, counts, continuing)
        history.append(tallies)
        figures = Round(
            number=len(rounds) + 1,
            tallies=tallies,
            inactive=inactive_figures(ballots, counts),
            sections=section_figures(ballots, preferences.section_counts, continuing),
        )
        elected, note = _result(tallies, options)
        if elected:
            rounds.append(replace(figures, elected=elected, note=note))
            break
        out, tie_breaks, note = _eliminated(len(rounds) + 1, tallies, history, options, breaker)
        ids = [ballots.candidates.index(name) for name in out]
        continuing -= set(ids)
        transfers = exclude(preferences, continuing, ids)
        rounds.append(
            replace(figures, excluded=out, transfers=transfers, tie_breaks=tie_breaks, note=note)
        )
    return CountReport.of_ballots(
        ballots,
        method="exhaustive",
        seats=seats,
        rounds=rounds,
        elected=elected,
        options=options.as_record(),
    )


def _result(tallies: dict[str, Fraction], options: CountOptions) -> tuple[tuple[str, ...], str]:
    """The elected candidate or the finalists, if this round ends the count."""
    ranked = sorted(tallies, key=lambda name: -tallies[name])
    if options.stop_at is not None:
        if len(ranked) <= options.stop_at:
            return tuple(ranked), f"{' and '.join(ranked)} go through as finalists"
        return (), ""
    cast = sum(tallies.values(), Fraction(0))
    if len(ranked) == 1 or 2 * tallies[ranked[0]] > cast:
        return (ranked[0],), f"{ranked[0]} has a majority of the votes cast"
    return (), ""


def _eliminated(
    number: int,
    tallies: dict[str, Fraction],
    history: History,
    options: CountOptions,
    breaker: TieBreaker,
) -> tuple[tuple[str, ...], tuple[TieBreak, ...], str]:
    """Who is out after round ``number``: everyone under the minimum, else the lowest."""
    keep = max(options.stop_at or 1, 1)
    minimum = options.minimum_votes.get(number)
    if minimum is not None:
        below = tuple(name for name, votes in tallies.items() if votes <= minimum)
        if below and len(tallies) - len(below) >= keep:
            return below, (), f"{', '.join(below)} out with {minimum} votes or fewer"
    fewest = min(tallies.values())
    tied = [name for name, votes in tallies.items() if votes == fewest]
    chosen, record = breaker.pick(tied, history, purpose="exclusion")
    tie_breaks = (record,) if len(tied) > 1 else ()
    return (chosen,), tie_breaks, f"{chosen} out with the fewest votes"


def exclude(
    preferences: kernel.Preferences, continuing: set[int], out: list[int]
) -> tuple[Transfer, ...]:
    """Move the papers of ``out`` (no longer in ``continuing``) on to their next continuing
    preference, and say where each candidate's papers went."""
    ballots = preferences.ballots
    moved = preferences.move_on(out, kernel.continuing_mask(ballots, continuing))
    return exclusion_transfers(ballots, moved, out)
