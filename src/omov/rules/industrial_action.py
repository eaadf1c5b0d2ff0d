"""Industrial-action ballots: the Trade Union Act 2016 thresholds, arithmetic shown.

TULRCA 1992 s.226(2A): at least 50% of those entitled to vote must vote, and a majority
of those voting must vote yes. s.226(2B): where those entitled are normally engaged in
important public services, at least 40% of all those entitled must vote yes. Both apply to
ballots opening on or after 1 March 2017.
"""

from __future__ import annotations

from fractions import Fraction

from omov.rules.contest import Contest
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.events import IndustrialActionBallot
from omov.rules.nominations import format_number
from omov.rules.values import format_percent

K = DecisionKind


def on_ballot(contest: Contest, event: IndustrialActionBallot) -> None:
    rules = contest.book.industrial_action
    if rules is None:
        raise EventsError(f"{contest.book.id} has no industrial-action rules")
    voted = event.yes_votes + event.no_votes + event.spoilt
    checks = [_majority(event, rules.citation)]
    if event.opened >= rules.applies_to_ballots_opening_from:
        checks.insert(0, _turnout(event, voted, rules.turnout_threshold, rules.turnout_citation))
        if event.important_public_services:
            checks.append(
                _yes_share(
                    event,
                    rules.important_public_services_yes_threshold,
                    rules.important_public_services_citation,
                )
            )
    contest.decisions.extend(checks)
    failed = [d for d in checks if d.kind is K.BALLOT_FAILS]
    if failed:
        summary = "No mandate for industrial action"
        why = "The ballot fails: " + "; ".join(d.summary for d in failed) + "."
    else:
        summary = "Mandate for industrial action"
        why = (
            f"Action may be called on {rules.notice_days} days' notice "
            f"({rules.notice_days_by_agreement} if the employer agrees); the mandate lasts "
            f"{rules.mandate_months} months ({rules.mandate_months_by_agreement} by agreement)."
        )
    kind = K.BALLOT_FAILS if failed else K.BALLOT_VALID
    contest.add(Decision(kind, summary, why, rules.citation, at=event.at))


def _turnout(event: IndustrialActionBallot, voted: int, needed: Fraction, cite: str) -> Decision:
    if event.entitled is not None:
        turnout = Fraction(voted, event.entitled)
        arithmetic = (
            f"{voted:,} voted of {event.entitled:,} entitled = {_percent(turnout)}; "
            f"{format_percent(needed)} needed"
        )
    elif event.turnout is not None:
        turnout = event.turnout
        arithmetic = f"turnout {_percent(turnout)} as published; {format_percent(needed)} needed"
    else:
        raise EventsError("an industrial-action ballot needs 'entitled' or a published 'turnout'")
    met = turnout >= needed
    return Decision(
        K.BALLOT_VALID if met else K.BALLOT_FAILS,
        f"turnout {_percent(turnout)} {'meets' if met else 'is below'} {format_percent(needed)}",
        "At least half of those entitled to vote must vote.",
        cite,
        arithmetic,
    )


def _majority(event: IndustrialActionBallot, cite: str) -> Decision:
    yes, no = event.yes_votes, event.no_votes
    met = yes > no
    share = Fraction(yes, yes + no) if yes + no else Fraction(0)
    return Decision(
        K.BALLOT_VALID if met else K.BALLOT_FAILS,
        f"{'a' if met else 'no'} majority voted yes ({_percent(share)})",
        "A majority of those voting must answer yes.",
        cite,
        f"yes {yes:,}, no {no:,}",
    )


def _yes_share(event: IndustrialActionBallot, needed: Fraction, cite: str) -> Decision:
    if event.entitled is None:
        raise EventsError("the important-public-services test needs 'entitled'")
    share = Fraction(event.yes_votes, event.entitled)
    met = share >= needed
    least = needed * event.entitled
    return Decision(
        K.BALLOT_VALID if met else K.BALLOT_FAILS,
        f"yes votes are {_percent(share)} of those entitled, "
        f"{'meeting' if met else 'below'} {format_percent(needed)}",
        "In important public services, 40% of all those entitled must vote yes.",
        cite,
        f"{event.yes_votes:,} yes of {event.entitled:,} entitled; {format_number(least)} needed",
    )


def _percent(share: Fraction) -> str:
    """One decimal, truncated, so 49.96% never shows as a passing '50.0%'."""
    tenths = share * 1000
    whole = tenths.numerator // tenths.denominator
    return f"{whole // 10}.{whole % 10}%"
