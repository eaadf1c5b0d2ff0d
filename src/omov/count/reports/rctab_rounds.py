"""A count report's rounds as RCTab's detailed report has them, in exact figures.

RCTab (and RCVis, which draws its reports) reads a round as: the tally, then the events
decided at the end of the round, each a ``tallyResults`` entry (a candidate ``elected`` or
``eliminated``) with the votes that moved because of it, which show in the next round.
A candidate's tally falls only where one of its entries says where the votes went: an
``eliminated`` candidate leaves the tally for good, an ``elected`` one keeps the rest.

From a ``CountReport``:
- every ``Transfer`` of a round is an entry of that round: a surplus as ``elected``, an
  exclusion as ``eliminated``, with its destinations (candidates, ``exhausted``,
  ``residual surplus``);
- a winner whose surplus moves in a later round than its election (Scottish rule 48 takes
  one surplus a stage; ERS97 5.2.2 defers surpluses) is listed where its surplus moves, as
  RCTab lists a winner that waits its turn under one-winner-per-round; a winner whose
  surplus moves in several rounds (Meek lowers its keep factor every round) is listed in
  each; a winner whose surplus never moves is listed in the round it was elected;
- papers an exclusion leaves with the excluded candidate when the last place is filled
  (ERS97 5.5.2: no further transfers are made) count for nobody from then on: RCTab's
  format has no eliminated candidate holding votes, so they are reported as ``exhausted``
  and counted with the exhausted choices of the rounds after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from omov.count.policy import Inactive
from omov.count.report import EXHAUSTED, CountReport, Round

Kind = Literal["elected", "eliminated"]


@dataclass(frozen=True)
class TallyResult:
    kind: Kind
    name: str
    transfers: Mapping[str, Fraction]

    @property
    def total(self) -> Fraction:
        return sum(self.transfers.values(), Fraction(0))


@dataclass(frozen=True)
class RctabRound:
    number: int
    tally: Mapping[str, Fraction]
    inactive: Mapping[Inactive, Fraction]
    threshold: Fraction | None
    results: tuple[TallyResult, ...] = field(default=())


def rctab_rounds(report: CountReport) -> tuple[RctabRound, ...]:
    surplus_rounds: dict[str, list[int]] = {}
    for round_ in report.rounds:
        for transfer in round_.transfers:
            if transfer.kind == "surplus":
                surplus_rounds.setdefault(transfer.source, []).append(round_.number)
    gone: set[str] = set()
    """Excluded candidates still holding papers that never moved on (ERS97 5.5.2)."""
    rounds = []
    for i, round_ in enumerate(report.rounds):
        following = report.rounds[i + 1] if i + 1 < len(report.rounds) else None
        tally = {name: v for name, v in round_.tallies.items() if name not in gone}
        inactive = dict(round_.inactive)
        left = sum((round_.tallies.get(name, Fraction(0)) for name in gone), Fraction(0))
        if left:
            inactive[Inactive.EXHAUSTED] = inactive.get(Inactive.EXHAUSTED, Fraction(0)) + left
        results = _results(round_, surplus_rounds, following)
        rounds.append(RctabRound(round_.number, tally, inactive, round_.threshold, results))
        if following is not None:
            gone.update(name for name in round_.excluded if name in following.tallies)
    return tuple(rounds)


def _results(
    round_: Round, surplus_rounds: Mapping[str, list[int]], following: Round | None
) -> tuple[TallyResult, ...]:
    """Elected first, then eliminated, each in name order (as RCTab lists them)."""
    moved: dict[tuple[Kind, str], dict[str, Fraction]] = {}
    for transfer in round_.transfers:
        kind: Kind = "elected" if transfer.kind == "surplus" else "eliminated"
        into = moved.setdefault((kind, transfer.source), {})
        for dest, votes in transfer.to.items():
            into[dest] = into.get(dest, Fraction(0)) + votes
    for name in round_.elected:
        if not any(n >= round_.number for n in surplus_rounds.get(name, ())):
            moved.setdefault(("elected", name), {})
    for name in round_.excluded:
        into = moved.setdefault(("eliminated", name), {})
        still_held = following.tallies.get(name, Fraction(0)) if following else Fraction(0)
        if still_held:
            into[EXHAUSTED] = into.get(EXHAUSTED, Fraction(0)) + still_held
    order = sorted(moved, key=lambda key: (key[0] != "elected", key[1]))
    return tuple(TallyResult(kind, name, moved[kind, name]) for kind, name in order)
