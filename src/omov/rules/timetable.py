"""The timetable: when nominations close, and what follows when a date passes."""

from __future__ import annotations

from datetime import datetime

from omov.rules.contest import Contest
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.schema import MilestoneKind, NominationRule, Rulebook


def nominations_close(book: Rulebook, rule: NominationRule | None) -> tuple[datetime, str] | None:
    """When nominations close, and the clause that says so (the rule's window first)."""
    if rule is not None and rule.window is not None:
        return rule.window.closes, rule.citation
    milestone = book.milestone(MilestoneKind.NOMINATIONS_CLOSE)
    return (milestone.at, milestone.citation) if milestone else None


def supporting_close(book: Rulebook) -> tuple[datetime, str] | None:
    milestone = book.milestone(MilestoneKind.SUPPORTING_NOMINATIONS_CLOSE)
    return (milestone.at, milestone.citation) if milestone else None


def ballot_decided_at(book: Rulebook, rule: NominationRule | None) -> MilestoneKind:
    """The milestone after which the ballot is known: supporting nominations close last
    when they gate the ballot (Labour 2018+), otherwise nominations close."""
    gating = rule is not None and rule.supporting is not None and rule.supporting.gates_ballot
    if gating and book.milestone(MilestoneKind.SUPPORTING_NOMINATIONS_CLOSE) is not None:
        return MilestoneKind.SUPPORTING_NOMINATIONS_CLOSE
    return MilestoneKind.NOMINATIONS_CLOSE


def pass_date(contest: Contest, at: datetime | None) -> None:
    """Report each milestone now passed; close nominations when their time has come."""
    from omov.rules.ballot import close_nominations

    if at is None:
        return
    book = contest.book
    for milestone in sorted(book.timetable, key=lambda m: m.at):
        if milestone.at > at or milestone.kind in contest.passed:
            continue
        contest.passed.add(milestone.kind)
        contest.add(
            Decision(
                DecisionKind.MILESTONE,
                f"{milestone.kind.value.replace('-', ' ').capitalize()}: "
                f"{milestone.at:%H:%M on %d %B %Y}",
                milestone.description or "This point of the timetable has passed.",
                milestone.citation,
                subject=milestone.kind.value,
                at=milestone.at,
            )
        )
        decisive = ballot_decided_at(book, contest.rule)
        if milestone.kind is decisive and contest.open and not contest.closed:
            close_nominations(contest, milestone.at)
