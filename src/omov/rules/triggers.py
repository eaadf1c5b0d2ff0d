"""What starts a contest: a vacancy, a motion with standing, a challenger with the support
the rules ask, a general election. And what a motion without standing does: nothing."""

from __future__ import annotations

from typing import Any

from omov.rules.contest import Contest
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.events import (
    Declaration,
    ElectionDue,
    GeneralElection,
    MotionCarried,
    Nominations,
    Resignation,
)
from omov.rules.nominations import assess, threshold
from omov.rules.schema import Motion, MotionEffect, Rulebook, TriggerKind

K = DecisionKind


def on_resignation(contest: Contest, event: Resignation) -> None:
    trigger = contest.book.trigger(TriggerKind.VACANCY)
    holder = event.holder or contest.incumbent or "the holder"
    if not _vacates(contest, event):
        contest.add(_not_this_office(contest, event, holder))
        return
    if trigger is None:
        contest.add(
            Decision(
                K.NOT_TRIGGERED,
                "No vacancy rule",
                f"{contest.book.id} has no rule for a vacancy.",
                contest.book.citation,
                at=event.at,
            )
        )
        return
    contest.incumbent = None
    open_contest(
        contest,
        trigger.kind,
        trigger.nominations,
        trigger.citation,
        event,
        f"{holder} has resigned: the office of {_office_name(contest)} is vacant. "
        f"{trigger.explanation}".strip(),
    )


def _office_name(contest: Contest) -> str:
    office = contest.book.offices.get(contest.office)
    return office.name if office else "the office"


def _vacates(contest: Contest, event: Resignation) -> bool:
    """Only a resignation from the contest's office vacates it: with the office named, it
    must be this one; without, the one resigning must be its holder (when known)."""
    if event.office is not None:
        return event.office == contest.office
    return not (event.holder and contest.incumbent and event.holder != contest.incumbent)


def _not_this_office(contest: Contest, event: Resignation, holder: str) -> Decision:
    book = contest.book
    office = book.offices.get(contest.office)
    if event.office is not None:
        other = book.offices[event.office].name if event.office in book.offices else event.office
        summary = f"{holder} resigns as {other}: no contest"
        why = f"A resignation from {other} does not vacate the office of {_office_name(contest)}."
    else:
        summary = f"{holder}'s resignation starts no contest"
        why = f"{holder} does not hold the office of {_office_name(contest)}."
    return Decision(
        K.NOT_TRIGGERED,
        summary,
        f"{why} Only a vacancy in that office, or a challenge, starts a contest.",
        office.citation if office else book.citation,
        subject=holder,
        at=event.at,
    )


def open_contest(
    contest: Contest,
    kind: TriggerKind,
    rule: str | None,
    citation: str,
    event: Any,
    explanation: str,
) -> None:
    if contest.open and not contest.decided:
        contest.add(
            Decision(
                K.NOT_TRIGGERED,
                "A contest is already under way",
                f"{explanation} But a {contest.trigger} contest is already running; "
                "it is not started twice.",
                citation,
                at=event.at,
            )
        )
        return
    contest.trigger, contest.rule_name = kind, rule
    contest.closed, contest.decided, contest.ballot = False, False, []
    if kind is TriggerKind.CHALLENGE and contest.incumbent:
        contest.candidate(contest.incumbent)  # the incumbent defends the office
    contest.add(
        Decision(
            K.CONTEST_TRIGGERED,
            f"Contest triggered ({kind.value})",
            explanation,
            citation,
            at=event.at,
        )
    )
    if contest.rule is not None:
        for requirement in contest.rule.requirements:
            needed = threshold(contest.book, requirement)
            contest.add(
                Decision(
                    K.THRESHOLD,
                    f"Each candidate needs {needed.required} nominations"
                    f" from {'+'.join(contest.book.short(b) for b in requirement.bodies)}",
                    requirement.description or contest.rule.explanation or "Nomination threshold.",
                    requirement.citation,
                    needed.arithmetic,
                    at=event.at,
                )
            )


def on_motion(contest: Contest, event: MotionCarried) -> None:
    book = contest.book
    rule = next((m for m in book.motions if m.body == event.body and m.kind == event.motion), None)
    if rule is None or rule.effect is MotionEffect.NONE:
        contest.add(_no_standing(contest, event, rule))
        return
    carried, arithmetic = _carried(rule, event)
    if not carried:
        contest.add(
            Decision(
                K.NOT_TRIGGERED,
                f"The {event.motion} motion does not carry",
                rule.explanation,
                rule.citation,
                arithmetic,
                event.body,
                event.at,
            )
        )
        return
    kind = TriggerKind.CHALLENGE if contest.incumbent else TriggerKind.VACANCY
    nominations = rule.nominations or _rule_for(book, kind)
    open_contest(
        contest,
        kind,
        nominations,
        rule.citation,
        event,
        f"{rule.explanation} ({arithmetic})".strip(),
    )


def _carried(rule: Motion, event: MotionCarried) -> tuple[bool, str]:
    if rule.carries_by == "count":
        asked, needed = event.count or 0, rule.count or 0
        return asked >= needed, f"{asked} asked; {needed} needed"
    if event.votes_for is None or event.votes_against is None:
        raise EventsError(f"the {event.motion} motion of {event.body} needs 'for' and 'against'")
    yes, no = event.votes_for, event.votes_against
    return yes > no, f"{yes} for, {no} against: {'a' if yes > no else 'no'} simple majority"


def _no_standing(contest: Contest, event: MotionCarried, rule: Motion | None) -> Decision:
    book = contest.book
    why = (
        rule.explanation
        if rule
        else (
            f"The rulebook gives a {event.motion} motion of the {book.short(event.body)} no effect."
        )
    )
    summary = f"The {book.short(event.body)} {event.motion} motion has no standing"
    if event.votes_for is not None:
        summary += f" (carried {event.votes_for}–{event.votes_against})"
    arithmetic = ""
    challenge = book.trigger(TriggerKind.CHALLENGE)
    if challenge is not None and challenge.nominations in book.nominations:
        requirement = book.nominations[challenge.nominations].requirements[0]
        needed = threshold(book, requirement)
        why += f" A challenge needs {needed.required} nominations."
        arithmetic = needed.arithmetic
    citation = rule.citation if rule else book.citation
    return Decision(K.NO_STANDING, summary, why, citation, arithmetic, event.body, event.at)


def _rule_for(book: Rulebook, kind: TriggerKind) -> str | None:
    trigger = book.trigger(kind) or book.trigger(TriggerKind.VACANCY)
    return trigger.nominations if trigger else None


def has_challenge(contest: Contest, event: Nominations) -> bool:
    """Nominations received for a would-be challenger, no contest open: do they now give
    the support a challenge needs? (Nominations are handed in one by one; the challenge
    starts when they reach the threshold, as Angela Eagle's 51 did in 2016.)"""
    book = contest.book
    trigger = book.trigger(TriggerKind.CHALLENGE)
    if trigger is None or trigger.nominations is None or contest.incumbent is None:
        return False
    candidate = contest.candidates[event.candidate]
    rule = book.nominations[trigger.nominations]
    return all(assess(book, r, candidate.counts, candidate.units).met for r in rule.requirements)


def challenge(contest: Contest, event: Declaration | Nominations) -> None:
    """No contest is open: a challenger's declaration starts one if it has the support."""
    book = contest.book
    trigger = book.trigger(TriggerKind.CHALLENGE)
    if trigger is None or trigger.nominations is None or contest.incumbent is None:
        contest.add(
            Decision(
                K.NOT_TRIGGERED,
                f"{event.candidate}'s declaration starts no contest",
                "No contest is open and the rulebook provides no challenge to an incumbent.",
                book.citation,
                subject=event.candidate,
                at=event.at,
            )
        )
        return
    candidate = contest.candidates[event.candidate]
    rule = book.nominations[trigger.nominations]
    results = [assess(book, r, candidate.counts, candidate.units) for r in rule.requirements]
    detail = "; ".join(r.detail for r in results)
    if all(r.met for r in results):
        open_contest(
            contest,
            trigger.kind,
            trigger.nominations,
            trigger.citation,
            event,
            f"{event.candidate} challenges {contest.incumbent} with the support the "
            f"rules require: {detail}. {trigger.explanation}".strip(),
        )
    else:
        contest.add(
            Decision(
                K.NOT_TRIGGERED,
                f"{event.candidate} lacks the support to challenge",
                f"A challenge needs: {detail}.",
                rule.citation,
                subject=event.candidate,
                at=event.at,
            )
        )


def on_election_due(contest: Contest, event: ElectionDue) -> None:
    """An election held at intervals falls due; or a question ballot is called."""
    book = contest.book
    trigger = book.trigger(TriggerKind.PERIODIC)
    if trigger is not None:
        every = f" every {trigger.every_years} years" if trigger.every_years else ""
        explanation = f"The office is elected{every}. {trigger.explanation}".strip()
        open_contest(
            contest, trigger.kind, trigger.nominations, trigger.citation, event, explanation
        )
        return
    if book.voting is not None and book.voting.options:
        open_contest(
            contest,
            TriggerKind.CALLED,
            None,
            book.voting.citation,
            event,
            "A ballot the rules provide for is called.",
        )
        contest.closed, contest.ballot = True, list(book.voting.options)
        contest.add(
            Decision(
                K.BALLOT,
                "On the ballot: " + ", ".join(contest.ballot),
                "The question the rules put; there are no nominations.",
                book.voting.citation,
                at=event.at,
            )
        )
        return
    contest.add(
        Decision(
            K.NOT_TRIGGERED,
            "No election falls due",
            f"{book.id} holds no election at intervals and puts no question to a ballot.",
            book.citation,
            at=event.at,
        )
    )


def on_general_election(contest: Contest, event: GeneralElection) -> None:
    trigger = contest.book.trigger(TriggerKind.POST_ELECTION)
    if trigger is None:
        contest.add(
            Decision(
                K.NOT_TRIGGERED,
                "A general election starts no contest",
                "The rulebook has no post-election contest.",
                contest.book.citation,
                at=event.at,
            )
        )
        return
    months = f" within {trigger.within_months} months" if trigger.within_months else ""
    open_contest(
        contest,
        trigger.kind,
        trigger.nominations,
        trigger.citation,
        event,
        f"After a general election a leadership election is held{months}. "
        f"{trigger.explanation}".strip(),
    )
