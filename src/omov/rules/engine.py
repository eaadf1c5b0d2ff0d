"""The engine: replay events under a rulebook and say what the rules decide, clause cited.

book = load_rulebook("labour/2016")
decisions = explain(book, load_events(path, timezone=book.timezone))
contest = run(book, events)       # the state too: who is on the ballot, the dates set
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omov.rules import ballot, dates, industrial_action, intake, timetable, triggers
from omov.rules.contest import Contest
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.events import (
    BodySize,
    CloseNominations,
    ContestFacts,
    DatePasses,
    DateSet,
    Declaration,
    ElectionDue,
    EventsFile,
    GeneralElection,
    IndustrialActionBallot,
    MotionCarried,
    Nominations,
    Resignation,
    Result,
    ShortlistRound,
    SupportingNomination,
    Withdrawal,
)
from omov.rules.schema import Rulebook

K = DecisionKind


def explain(book: Rulebook, events: EventsFile) -> list[Decision]:
    """Every decision the rules take on ``events``, in order."""
    return run(book, events).decisions


def run(book: Rulebook, events: EventsFile) -> Contest:
    """The contest as the rules leave it after ``events``: its decisions, candidates and
    their nominations, the ballot, the dates set for it."""
    contest = start(book, events.contest)
    for event in events.events:
        HANDLERS[type(event)](contest, event)
    return contest


def start(book: Rulebook, facts: ContestFacts) -> Contest:
    office = facts.office or next(iter(book.offices), "")
    if office and office not in book.offices:
        raise EventsError(f"contest.office {office!r} is not an office of {book.id}")
    if facts.reading is not None:
        readings = book.incumbent.readings if book.incumbent else {}
        if facts.reading not in readings:
            known = ", ".join(sorted(readings)) or "none"
            raise EventsError(
                f"contest.reading {facts.reading!r} is not a reading of {book.id} (known: {known})"
            )
    return Contest(book, office, facts.incumbent, facts.reading)


def on_close(contest: Contest, event: CloseNominations) -> None:
    ballot.close_nominations(contest, event.at)


def on_date(contest: Contest, event: DatePasses) -> None:
    timetable.pass_date(contest, event.at)


HANDLERS: dict[type, Callable[[Contest, Any], None]] = {
    Resignation: triggers.on_resignation,
    MotionCarried: triggers.on_motion,
    Declaration: intake.on_declaration,
    Nominations: intake.on_nominations,
    SupportingNomination: intake.on_supporting,
    Withdrawal: intake.on_withdrawal,
    DateSet: dates.on_date_set,
    BodySize: dates.on_body_size,
    ElectionDue: triggers.on_election_due,
    CloseNominations: on_close,
    DatePasses: on_date,
    ShortlistRound: ballot.on_shortlist_round,
    Result: ballot.on_result,
    GeneralElection: triggers.on_general_election,
    IndustrialActionBallot: industrial_action.on_ballot,
}
