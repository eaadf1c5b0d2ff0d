"""The timetable: when nominations close, and what follows when a date passes.

A contest's own timetable (dates set for it, ``omov.rules.dates``) comes first; where a
point was not set, the edition's timetable gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from omov.rules.contest import Contest
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.schema import MilestoneKind, NominationRule, Rulebook


@dataclass(frozen=True)
class Point:
    kind: MilestoneKind
    at: datetime
    description: str
    citation: str


def points(contest: Contest) -> list[Point]:
    """The contest's timetable in order: each milestone as set for it, else the edition's."""
    book = contest.book
    found = {m.kind: Point(m.kind, m.at, m.description, m.citation) for m in book.timetable}
    for kind, given in contest.timetable.items():
        shipped = found.get(kind)
        citation = shipped.citation if shipped else book.citation
        found[kind] = Point(kind, given.value, f"Set for this contest ({given.source}).", citation)
    return sorted(found.values(), key=lambda point: point.at)


def point(contest: Contest, kind: MilestoneKind) -> Point | None:
    return next((p for p in points(contest) if p.kind is kind), None)


def nominations_close(contest: Contest) -> tuple[datetime, str] | None:
    """When nominations close, and the clause that says so: the contest's own timetable,
    else the rule's window, else the edition's timetable."""
    rule = contest.rule
    own = MilestoneKind.NOMINATIONS_CLOSE in contest.timetable
    if not own and rule is not None and rule.window is not None:
        return rule.window.closes, rule.citation
    found = point(contest, MilestoneKind.NOMINATIONS_CLOSE)
    return (found.at, found.citation) if found else None


def supporting_close(contest: Contest) -> tuple[datetime, str] | None:
    found = point(contest, MilestoneKind.SUPPORTING_NOMINATIONS_CLOSE)
    return (found.at, found.citation) if found else None


def ballot_decided_at(contest: Contest) -> MilestoneKind:
    """The milestone after which the ballot is known: supporting nominations close last
    when they gate the ballot (Labour 2018+), otherwise nominations close."""
    if gating(contest.book, contest.rule) and supporting_close(contest) is not None:
        return MilestoneKind.SUPPORTING_NOMINATIONS_CLOSE
    return MilestoneKind.NOMINATIONS_CLOSE


def gating(book: Rulebook, rule: NominationRule | None) -> bool:
    return rule is not None and rule.supporting is not None and rule.supporting.gates_ballot


def pass_date(contest: Contest, at: datetime | None) -> None:
    """Report each milestone now passed; close nominations when their time has come."""
    from omov.rules.ballot import close_nominations

    if at is None:
        return
    for milestone in points(contest):
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
        if milestone.kind is ballot_decided_at(contest) and contest.open and not contest.closed:
            close_nominations(contest, milestone.at)
