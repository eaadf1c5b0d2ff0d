"""Local democracy as the rules engine (``omov.rules.local``) sees it: the web app records
what happened at a meeting (who came, how they voted, what each branch answered) and asks
here what the rules make of it. No rule is decided in ``omov.web``: notice, quorum, the
cut-off, the majority, what a carried motion does and whether a trigger ballot opens a
selection are the engine's answers, each a decision with its clause.

This is the one module of the web app that imports ``omov.rules.local`` (an import-linter
contract in ``pyproject.toml``), as ``omov.web.contests.engine`` is for contests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from omov.rules import RulesError
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.events import SupportingNomination
from omov.rules.local.meetings import (
    MotionVote,
    local_rules,
    meeting_rules,
    motion_outcome,
    notice_decision,
    quorum_decision,
    refusal_to_move,
)
from omov.rules.local.schema import LocalMotion, MeetingRules, TriggerBallot, UnitKind
from omov.rules.local.trigger_ballots import BranchAnswer, trigger_ballot_outcome
from omov.rules.schema import Rulebook
from omov.web.errors import ContestError

__all__ = [
    "BranchAnswer",
    "Decision",
    "DecisionKind",
    "MotionVote",
    "Ruling",
    "SupportingNomination",
]


def _asked(question: Any, *args: Any, **kwargs: Any) -> Any:
    """The engine's answer, or its refusal as the officer's message."""
    try:
        return question(*args, **kwargs)
    except RulesError as error:
        raise ContestError(str(error)) from None


def meetings_of(book: Rulebook) -> MeetingRules:
    rules: MeetingRules = _asked(meeting_rules, book)
    return rules


def unit_kinds(book: Rulebook) -> dict[str, UnitKind]:
    return dict(_asked(local_rules, book).units)


def motions_of(book: Rulebook) -> list[LocalMotion]:
    """The kinds of motion the rulebook knows, in its order."""
    return list(_asked(local_rules, book).motions)


def motion_rule(book: Rulebook, kind: str) -> LocalMotion:
    rule = _asked(local_rules, book).motion(kind)
    if rule is None:
        raise ContestError(
            gettext("the rules have no kind of motion called %(kind)s") % {"kind": repr(kind)}
        )
    assert isinstance(rule, LocalMotion)
    return rule


def cut_off(book: Rulebook, held_on: dt.date) -> dt.date:
    """The day on which a member must be in good standing (and have joined by) to take part:
    the rulebook's ``joined_days_before`` the meeting."""
    return held_on - dt.timedelta(days=meetings_of(book).joined_days_before)


def notice(book: Rulebook, *, notice_on: dt.date, held_on: dt.date) -> Decision:
    decision: Decision = _asked(notice_decision, book, notice_on=notice_on, meeting_on=held_on)
    return decision


def quorate(book: Rulebook, *, present: int, quorum: int | None) -> Decision:
    decision: Decision = _asked(quorum_decision, book, present=present, quorum=quorum)
    return decision


def may_move(book: Rulebook, *, kind: str, unit_kind: str) -> Decision | None:
    """Why a unit of ``unit_kind`` may not take a motion of ``kind``, or None."""
    refused: Decision | None = _asked(refusal_to_move, book, kind=kind, unit_kind=unit_kind)
    return refused


@dataclass(frozen=True)
class Ruling:
    """What the rules make of a motion's vote."""

    carried: bool
    fell: bool
    """The meeting was not quorate: the motion fell without a vote counting."""
    decisions: tuple[Decision, ...]
    effect: str
    supporting: SupportingNomination | None


def motion_ruling(book: Rulebook, vote: MotionVote) -> Ruling:
    outcome = _asked(motion_outcome, book, vote)
    fell = any(d.kind is DecisionKind.MOTION_FALLS for d in outcome.decisions)
    return Ruling(
        outcome.carried,
        fell,
        tuple(outcome.decisions),
        outcome.effect.value if outcome.effect is not None else "",
        outcome.supporting,
    )


def trigger_rules(book: Rulebook) -> TriggerBallot:
    rules = _asked(local_rules, book).trigger_ballot
    if rules is None:
        raise ContestError(gettext("%(id)s has no trigger ballot") % {"id": book.id})
    assert isinstance(rules, TriggerBallot)
    return rules


@dataclass(frozen=True)
class TriggerRuling:
    open_selection: bool
    decision: Decision
    method: str


def trigger_ruling(
    book: Rulebook, answers: Sequence[BranchAnswer], *, representative: str
) -> TriggerRuling:
    outcome = _asked(trigger_ballot_outcome, book, answers, representative=representative)
    return TriggerRuling(outcome.open_selection, outcome.decision, outcome.selection_method)
