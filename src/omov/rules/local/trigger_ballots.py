"""Trigger ballots: does a sitting representative who wishes to stand again face an open
selection? The arithmetic is shown whichever way it goes.

- Labour 2018+ (Rule Book Ch5 Cl IV.5.A–B): each party branch and each affiliated branch
  says yes or no to an open selection; if at least one third of party branches, or at least
  one third of affiliated branches, say yes, a full selection follows with the MP on the
  shortlist; otherwise the MP is reselected, subject to NEC endorsement. The General
  Secretary's FAQ of July 2019 counts the third on the branches that cast a vote.
- Before 2018: a majority of all branches, party and affiliated together.

Sources, cited in the rulebooks: Skwawkbox, 1 October 2018 (the NEC's rule change);
LabourList, August 2019 ("How Labour's trigger ballot system works").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.local.meetings import local_rules
from omov.rules.local.schema import TriggerBallot, TriggerRule
from omov.rules.nominations import format_number
from omov.rules.schema import Rulebook
from omov.rules.values import format_percent

K = DecisionKind


@dataclass(frozen=True)
class BranchAnswer:
    unit: str
    affiliated: bool
    yes: bool | None
    """True: yes to an open selection; False: no; None: the branch did not vote."""


@dataclass(frozen=True)
class TriggerOutcome:
    open_selection: bool
    decision: Decision
    selection_method: str


@dataclass(frozen=True)
class _Side:
    name: str
    yes: int
    voted: int
    total: int

    def base(self, counted_on: str) -> int:
        return self.voted if counted_on == "voting" else self.total


def _side(name: str, answers: Sequence[BranchAnswer]) -> _Side:
    return _Side(
        name,
        sum(1 for a in answers if a.yes is True),
        sum(1 for a in answers if a.yes is not None),
        len(answers),
    )


def trigger_ballot_outcome(
    book: Rulebook, answers: Sequence[BranchAnswer], *, representative: str = "the MP"
) -> TriggerOutcome:
    rules = local_rules(book).trigger_ballot
    if rules is None:
        raise EventsError(f"{book.id} has no trigger ballot")
    names = [a.unit for a in answers]
    if len(set(names)) != len(names):
        raise EventsError("a branch answers a trigger ballot once")
    party = _side("party branches", [a for a in answers if not a.affiliated])
    affiliated = _side("affiliated branches", [a for a in answers if a.affiliated])
    if rules.rule is TriggerRule.ONE_THIRD_OF_EITHER:
        triggered, sums = _either(rules, party, affiliated)
    else:
        triggered, sums = _of_all(rules, party, affiliated)
    if triggered:
        decision = Decision(
            K.OPEN_SELECTION,
            f"Open selection: {representative} faces a full selection",
            f"{rules.explanation} {representative} is on the shortlist; members of the unit "
            "choose by one member, one vote.",
            rules.citation,
            sums,
            representative,
        )
    else:
        decision = Decision(
            K.RESELECTED,
            f"{representative} is reselected, subject to NEC endorsement",
            f"{rules.explanation} The share needed for an open selection was not reached.",
            rules.citation,
            sums,
            representative,
        )
    return TriggerOutcome(triggered, decision, rules.selection_method)


def _share(rules: TriggerBallot, side: _Side) -> tuple[bool, str]:
    base = side.base(rules.counted_on)
    of_what = "that voted" if rules.counted_on == "voting" else "in all"
    if base == 0:
        return False, f"{side.name}: none {of_what}, so no share of them"
    needed = rules.fraction * base
    met = side.yes >= needed
    return met, (
        f"{side.name}: {side.yes} yes of {base} {of_what}; "
        f"{format_percent(rules.fraction)} of {base} = {format_number(needed)}: "
        f"{side.yes} {'≥' if met else '<'} {format_number(needed)}, {'met' if met else 'not met'}"
    )


def _either(rules: TriggerBallot, party: _Side, affiliated: _Side) -> tuple[bool, str]:
    party_met, party_sum = _share(rules, party)
    affiliated_met, affiliated_sum = _share(rules, affiliated)
    verdict = "either share met" if party_met or affiliated_met else "neither share met"
    return party_met or affiliated_met, f"{party_sum}; {affiliated_sum}: {verdict}"


def _of_all(rules: TriggerBallot, party: _Side, affiliated: _Side) -> tuple[bool, str]:
    together = _Side(
        "all branches together",
        party.yes + affiliated.yes,
        party.voted + affiliated.voted,
        party.total + affiliated.total,
    )
    base = together.base(rules.counted_on)
    needed = rules.fraction * base
    met = base > 0 and together.yes > needed
    of_what = "that voted" if rules.counted_on == "voting" else "in all"
    return met, (
        f"{together.name} ({party.total} party, {affiliated.total} affiliated): "
        f"{together.yes} yes of {base} {of_what}; a majority is more than "
        f"{format_percent(rules.fraction)} of {base} = {format_number(needed)}: "
        f"{together.yes} {'>' if met else '≤'} {format_number(needed)}, "
        f"{'met' if met else 'not met'}"
    )


def yes_share(answers: Sequence[BranchAnswer]) -> Fraction:
    """The share of the branches that voted which said yes (for tables)."""
    voted = [a for a in answers if a.yes is not None]
    return Fraction(sum(1 for a in voted if a.yes), len(voted)) if voted else Fraction(0)
