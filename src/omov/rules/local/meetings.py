"""A unit's meeting and its motions under the rulebook: notice, quorum, the majority, and
what a carried motion does, each answer a decision with its clause and its sums.

The web app records what happened at the meeting (who was present, the votes); these
functions say what the rules make of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.events import SupportingNomination
from omov.rules.local.schema import Effect, LocalMotion, LocalRules, Majority, MeetingRules
from omov.rules.nominations import format_number, round_share, threshold
from omov.rules.schema import Requirement, Rounding, Rulebook
from omov.rules.values import format_percent

K = DecisionKind


def local_rules(book: Rulebook) -> LocalRules:
    if book.local is None:
        raise EventsError(f"{book.id} has no rules for local units ([local])")
    return book.local


def _motion_rule(book: Rulebook, kind: str) -> LocalMotion:
    rule = local_rules(book).motion(kind)
    if rule is None:
        known = ", ".join(m.kind for m in local_rules(book).motions) or "none"
        raise EventsError(f"{book.id} has no local motion {kind!r} (known: {known})")
    return rule


def meeting_rules(book: Rulebook) -> MeetingRules:
    rules = local_rules(book).meetings
    if rules is None:
        raise EventsError(f"{book.id} has no rules for the meetings of units")
    return rules


def notice_decision(book: Rulebook, *, notice_on: date, meeting_on: date) -> Decision:
    """Whether notice went out early enough: ``NOTICE`` if so, ``REFUSED`` if not."""
    rules = meeting_rules(book)
    given = (meeting_on - notice_on).days
    arithmetic = f"notice on {notice_on:%d %B %Y}, meeting on {meeting_on:%d %B %Y}: {given} days"
    if given >= rules.notice_days:
        return Decision(
            K.NOTICE,
            f"{given} days' notice given; {rules.notice_days} needed",
            "Members entitled to attend were given the notice the rules require.",
            rules.notice_citation,
            arithmetic,
        )
    return Decision(
        K.REFUSED,
        f"Only {max(given, 0)} days' notice; the rules need {rules.notice_days}",
        f"Notice of a meeting goes to every member entitled to attend at least "
        f"{rules.notice_days} days before it.",
        rules.notice_citation,
        arithmetic,
    )


def quorum_decision(book: Rulebook, *, present: int, quorum: int | None = None) -> Decision:
    """Whether the meeting is quorate; ``quorum`` is the unit's own, where it has one."""
    rules = meeting_rules(book)
    needed = rules.quorum if quorum is None else quorum
    source = "the rulebook's" if quorum is None else "the unit's standing orders'"
    arithmetic = f"{present} present; quorum {needed} ({source})"
    if present >= needed:
        return Decision(K.QUORUM, "The meeting is quorate", arithmetic, rules.quorum_citation)
    return Decision(
        K.MOTION_FALLS,
        "The meeting is not quorate: no business can be done",
        f"Business needs {needed} members present; {present} were.",
        rules.quorum_citation,
        arithmetic,
    )


def refusal_to_move(book: Rulebook, *, kind: str, unit_kind: str) -> Decision | None:
    """Why a unit of ``unit_kind`` may not take a ``kind`` motion, or None if it may."""
    rule = _motion_rule(book, kind)
    local = local_rules(book)
    if unit_kind not in local.units:
        raise EventsError(f"{book.id} has no kind of unit {unit_kind!r}")
    if unit_kind in rule.units and rule.carried_by == "vote":
        return None
    movers = " or ".join(local.units[u].name for u in rule.units if u in local.units)
    return Decision(
        K.REFUSED,
        f"A {local.units[unit_kind].name} cannot pass a {rule.name.lower()}",
        f"Under the rules a {rule.name.lower()} comes from a {movers or 'body of people'}.",
        rule.citation,
        subject=unit_kind,
    )


@dataclass(frozen=True)
class MotionVote:
    """A motion put to a meeting: who was there, and how they voted."""

    kind: str
    unit_kind: str
    unit: str
    present: int
    votes_for: int
    votes_against: int
    abstentions: int = 0
    quorum: int | None = None
    """The unit's own quorum, where its standing orders set one."""
    subject: str = ""
    """The candidate nominated, or whoever the motion is about."""
    at: datetime | None = None


@dataclass(frozen=True)
class MotionOutcome:
    carried: bool
    decisions: tuple[Decision, ...]
    effect: Effect | None
    """What the carried motion does (None: it fell or was lost)."""
    supporting: SupportingNomination | None = None
    """For a carried supporting nomination: the event the national contest counts."""


def motion_outcome(book: Rulebook, vote: MotionVote) -> MotionOutcome:
    """Quorum, then the majority the rule asks, then what the carried motion does."""
    rule = _motion_rule(book, vote.kind)
    refused = refusal_to_move(book, kind=vote.kind, unit_kind=vote.unit_kind)
    if refused is not None:
        return MotionOutcome(False, (refused,), None)
    cast = vote.votes_for + vote.votes_against + vote.abstentions
    if min(vote.votes_for, vote.votes_against, vote.abstentions) < 0 or cast > vote.present:
        raise EventsError(
            f"{vote.unit}: {cast} votes and abstentions, but {vote.present} members present"
        )
    quorate = quorum_decision(book, present=vote.present, quorum=vote.quorum)
    if quorate.kind is K.MOTION_FALLS:
        falls = Decision(
            K.MOTION_FALLS,
            f"The {rule.name.lower()} falls: the meeting was not quorate",
            quorate.explanation,
            quorate.citation,
            quorate.arithmetic,
            vote.unit,
            vote.at,
        )
        return MotionOutcome(False, (falls,), None)
    carried, sums = _majority(rule.majority, vote.votes_for, vote.votes_against)
    tally = f"{vote.votes_for}–{vote.votes_against}"
    if vote.abstentions:
        tally += f", {vote.abstentions} abstaining"
    if not carried:
        lost = Decision(
            K.MOTION_LOST,
            f"The {rule.name.lower()} is lost ({tally})",
            f"It needed {_needs(rule.majority)}.",
            rule.citation,
            sums,
            vote.unit,
            vote.at,
        )
        return MotionOutcome(False, (lost,), None)
    carried_decision = Decision(
        K.MOTION_CARRIED,
        f"{vote.unit} carries the {rule.name.lower()} {tally}",
        f"It had {_needs(rule.majority)}.",
        rule.citation,
        sums,
        vote.unit,
        vote.at,
    )
    effect, supporting = _effect(book, rule, vote, tally)
    return MotionOutcome(True, (carried_decision, effect), rule.effect, supporting)


def _majority(majority: Majority, yes: int, no: int) -> tuple[bool, str]:
    if majority is Majority.SIMPLE:
        carried = yes > no
        return carried, f"{yes} for, {no} against: {'a' if carried else 'no'} simple majority"
    cast = yes + no
    needed = Fraction(2, 3) * cast
    carried = cast > 0 and yes >= needed
    return carried, (
        f"{yes} for of {cast} votes cast; two thirds of {cast} = {format_number(needed)}: "
        f"{'met' if carried else 'not met'}"
    )


def _needs(majority: Majority) -> str:
    if majority is Majority.SIMPLE:
        return "more votes for than against (abstentions are not votes)"
    return "two thirds of the votes cast"


def _effect(
    book: Rulebook, rule: LocalMotion, vote: MotionVote, tally: str
) -> tuple[Decision, SupportingNomination | None]:
    if rule.effect is Effect.SUPPORTING_NOMINATION:
        return _supporting(book, rule, vote)
    kinds = {
        Effect.NONE: K.NO_STANDING,
        Effect.RESOLUTION: K.MOTION_CARRIED,
        Effect.TRIGGER_BALLOT: K.COUNTS_TOWARD,
    }
    summaries = {
        Effect.NONE: f"{vote.unit}'s {rule.name.lower()} (carried {tally}) has no standing",
        Effect.RESOLUTION: f"Recorded as the resolution of {vote.unit}",
        Effect.TRIGGER_BALLOT: f"{vote.unit} says yes to an open selection",
    }
    decision = Decision(
        kinds[rule.effect],
        summaries[rule.effect],
        rule.explanation,
        rule.citation,
        subject=vote.subject or vote.unit,
        at=vote.at,
    )
    return decision, None


def _supporting(
    book: Rulebook, rule: LocalMotion, vote: MotionVote
) -> tuple[Decision, SupportingNomination | None]:
    """A supporting nomination counts toward the route of its body, where one gates the
    ballot; where none does, it is recorded and decides nothing."""
    if not vote.subject:
        raise EventsError(f"{vote.unit}: a supporting nomination names its candidate")
    assert rule.body is not None
    event = SupportingNomination(
        type="supporting-nomination",
        at=vote.at,
        candidate=vote.subject,
        body=rule.body,
        nominator=vote.unit,
        kind=vote.unit_kind,
    )
    route = _route(book, rule.body)
    if route is None:
        decision = Decision(
            K.COUNTS_TOWARD,
            f"{vote.unit} nominates {vote.subject}: recorded, deciding nothing",
            f"{rule.explanation} Supporting nominations do not decide who is on the ballot "
            "under this edition.",
            rule.citation,
            subject=vote.subject,
            at=vote.at,
        )
        return decision, event
    needed = threshold(book, route)
    decision = Decision(
        K.COUNTS_TOWARD,
        f"{vote.unit}'s nomination counts toward {vote.subject}'s "
        f"{route.description or book.short(rule.body)}",
        f"{rule.explanation} {vote.subject} needs {needed.required} "
        f"{book.short(rule.body)} by this route.",
        route.citation,
        needed.arithmetic,
        vote.subject,
        vote.at,
    )
    return decision, event


def _route(book: Rulebook, body: str) -> Requirement | None:
    for rule in book.nominations.values():
        supporting = rule.supporting
        if supporting is None or not supporting.gates_ballot:
            continue
        for route in supporting.routes:
            if body in route.bodies:
                return route
    return None


def letters_outcome(
    book: Rulebook, *, kind: str, letters: int, body_size: int | None = None
) -> Decision:
    """Letters (one per member of the body) toward the share that starts something, with
    the sum; ``body_size``: the body's size now, where the edition's is out of date."""
    rule = _motion_rule(book, kind)
    if rule.effect is not Effect.COUNTS_TOWARD or rule.threshold is None or rule.body is None:
        raise EventsError(f"a {kind} is not counted toward a threshold in {book.id}")
    size = body_size if body_size is not None else book.bodies[rule.body].size or 0
    exact = rule.threshold * size
    needed = round_share(exact, Rounding.UP)
    who = book.short(rule.body)
    arithmetic = f"{format_percent(rule.threshold)} of {size} {who} = {format_number(exact)}"
    if exact != needed:
        arithmetic += f", rounded up to {needed}"
    arithmetic = f"{letters} received; {arithmetic}"
    if letters >= needed:
        return Decision(
            K.THRESHOLD_REACHED,
            f"{rule.name}: {letters}, {needed} needed: {rule.then}",
            rule.explanation,
            rule.citation,
            arithmetic,
        )
    return Decision(
        K.COUNTS_TOWARD,
        f"{rule.name}: {letters} of the {needed} needed",
        rule.explanation,
        rule.citation,
        arithmetic,
    )
