"""Vetting: an officer's exclusion of a person, on the rulebook's grounds, with evidence,
confirmed by a second officer.

A vetting case is an explicit state machine. Each step is a function that takes the case and
returns a new case (cases are immutable) whose last event records the step::

    under_review --propose_exclusion--> awaiting_confirmation --confirm--> excluded
         |  ^                                  |                              |
         |  +------------reject----------------+                          reinstate
       clear                    (directly to excluded when the rulebook    (appeal allowed)
         v                       asks for no second officer)                  v
      cleared                                                             reinstated

The second officer who confirms or rejects must not be the officer who proposed. Because the
state after every event is recorded in the event, the case can be replayed to any moment:
:func:`state_at` is what the electorate snapshot at the ballot-issue date uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

import polars as pl

from omov.electorate.errors import TransitionError
from omov.electorate.events import Event, subject_hash


class VettingState(StrEnum):
    UNDER_REVIEW = "under_review"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    EXCLUDED = "excluded"
    CLEARED = "cleared"
    REINSTATED = "reinstated"


@dataclass(frozen=True, slots=True)
class Ground:
    """One ground on which a person may be excluded: a code, and the plain statement the
    person is given. The list is the rulebook's, fixed for the contest; the package takes
    the ground as given and never reads a rulebook."""

    code: str
    statement: str

    def __post_init__(self) -> None:
        if not self.code.strip() or not self.statement.strip():
            raise TransitionError("a vetting ground needs a code and a statement")


EXAMPLE_GROUNDS = (
    Ground("supports-another-party", "You have supported a candidate of another party."),
    Ground("member-of-another-party", "You are a member of another party."),
    Ground("abuse", "You have abused others, contrary to the party's code of conduct."),
    Ground("fraud", "Your application is fraudulent or made in another's name."),
)
"""Grounds for examples and tests; a contest's come from its rulebook."""


_ALLOWED: dict[str, tuple[VettingState, ...]] = {
    "propose_exclusion": (VettingState.UNDER_REVIEW,),
    "confirm": (VettingState.AWAITING_CONFIRMATION,),
    "reject": (VettingState.AWAITING_CONFIRMATION,),
    "clear": (VettingState.UNDER_REVIEW,),
    "reinstate": (VettingState.EXCLUDED,),
}


@dataclass(frozen=True, slots=True)
class VettingCase:
    """One person's vetting case; ``decision`` is its number, cited as "vetting decision N"."""

    decision: str
    section: str
    record_id: str
    state: VettingState
    events: tuple[Event, ...]
    grounds: Ground | None = None
    evidence: str | None = None
    proposed_by: str | None = None

    @property
    def subject(self) -> str:
        return self.events[0].subject

    @property
    def officers(self) -> frozenset[str]:
        """Everyone who acted on the case: none of them may hear its appeal."""
        return frozenset(event.actor for event in self.events)

    def excluded_at(self) -> datetime | None:
        """When the exclusion took effect (None if it never did)."""
        for event in self.events:
            if event.detail("state") == VettingState.EXCLUDED:
                return event.at
        return None


def open_case(
    decision: str, section: str, record_id: str, *, key: bytes, at: datetime, actor: str
) -> VettingCase:
    """Refer a person for vetting; the case starts under review."""
    subject = subject_hash(key, section, record_id)
    event = _event("opened", at, actor, subject, decision, VettingState.UNDER_REVIEW, {})
    return VettingCase(decision, section, record_id, VettingState.UNDER_REVIEW, (event,))


def propose_exclusion(
    case: VettingCase,
    *,
    grounds: Ground,
    evidence: str,
    at: datetime,
    actor: str,
    second_officer_required: bool,
) -> VettingCase:
    """An officer excludes on one of the rulebook's grounds with an evidence reference; a
    second officer confirms (unless the rules ask for none)."""
    if not evidence.strip():
        raise TransitionError(f"vetting decision {case.decision}: an exclusion needs evidence")
    target = (
        VettingState.AWAITING_CONFIRMATION if second_officer_required else VettingState.EXCLUDED
    )
    details = {"grounds": grounds.code, "evidence": evidence}
    proposed = _step(case, "propose_exclusion", target, at, actor, details)
    return replace(proposed, grounds=grounds, evidence=evidence, proposed_by=actor)


def confirm(case: VettingCase, *, at: datetime, actor: str) -> VettingCase:
    """A second officer confirms the proposed exclusion."""
    _second_officer(case, actor)
    return _step(case, "confirm", VettingState.EXCLUDED, at, actor, {})


def reject(case: VettingCase, *, at: datetime, actor: str, reason: str) -> VettingCase:
    """A second officer does not confirm: the case goes back under review."""
    _second_officer(case, actor)
    return replace(
        _step(case, "reject", VettingState.UNDER_REVIEW, at, actor, {"reason": reason}),
        grounds=None,
        evidence=None,
        proposed_by=None,
    )


def clear(case: VettingCase, *, at: datetime, actor: str) -> VettingCase:
    """The review finds no grounds: the person stays on the electorate."""
    return _step(case, "clear", VettingState.CLEARED, at, actor, {})


def reinstate(case: VettingCase, *, at: datetime, actor: str, appeal: str) -> VettingCase:
    """An appeal against the exclusion was allowed: the person is restored."""
    return _step(case, "reinstate", VettingState.REINSTATED, at, actor, {"appeal": appeal})


def state_at(case: VettingCase, moment: datetime) -> VettingState | None:
    """The case's state as it stood at ``moment`` (None if not yet opened)."""
    state: VettingState | None = None
    for event in case.events:
        if event.at > moment:
            break
        state = VettingState(event.detail("state"))
    return state


def exclusions_in_force(cases: Iterable[VettingCase], moment: datetime) -> pl.DataFrame:
    """Records excluded by vetting at ``moment``: section, record_id, decision."""
    rows = [
        (case.section, case.record_id, case.decision)
        for case in cases
        if state_at(case, moment) is VettingState.EXCLUDED
    ]
    return pl.DataFrame(
        rows,
        schema={"section": pl.String, "record_id": pl.String, "decision": pl.String},
        orient="row",
    )


def _second_officer(case: VettingCase, actor: str) -> None:
    if actor == case.proposed_by:
        raise TransitionError(
            f"vetting decision {case.decision}: {actor} proposed this exclusion; "
            "a different officer must confirm or reject it"
        )


def _step(
    case: VettingCase,
    action: str,
    target: VettingState,
    at: datetime,
    actor: str,
    details: dict[str, str],
) -> VettingCase:
    allowed = _ALLOWED[action]
    if case.state not in allowed:
        doing = action.replace("_", " ")
        raise TransitionError(
            f"vetting decision {case.decision} is {case.state.value}; cannot {doing}"
            f" (only from {', '.join(s.value for s in allowed)})"
        )
    if at < case.events[-1].at:
        raise TransitionError(
            f"vetting decision {case.decision}: {action} at {at.isoformat()} is before the "
            f"case's last step at {case.events[-1].at.isoformat()}"
        )
    event = _event(action, at, actor, case.subject, case.decision, target, details)
    return replace(case, state=target, events=(*case.events, event))


def _event(
    action: str,
    at: datetime,
    actor: str,
    subject: str,
    decision: str,
    state: VettingState,
    details: dict[str, str],
) -> Event:
    payload = {"decision": decision, "state": state.value, **details}
    return Event.of(f"vetting.{action}", at, actor, subject, payload)
