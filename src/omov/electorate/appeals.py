"""Appeals: the person lodges an appeal before a deadline; an independent reviewer decides.

An appeal is an explicit state machine, immutable like a vetting case::

    lodged --start_review--> under_review --decide--> allowed | dismissed
       \\__________________________\\_____withdraw____> withdrawn

An appeal may be lodged against any decision that names a person: a vetting exclusion
(:func:`appeal_vetting`) or an automatic one such as "not on the register" (:func:`lodge`
with the decision's reference). It must be lodged within the rulebook's number of days of the
decision. The reviewer must not be an officer who took part in the decision appealed, and
only the reviewer who took the appeal may decide it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from omov.electorate.errors import TransitionError
from omov.electorate.events import Event
from omov.electorate.vetting import VettingCase, VettingState, reinstate


class AppealState(StrEnum):
    LODGED = "lodged"
    UNDER_REVIEW = "under_review"
    ALLOWED = "allowed"  # the decision is overturned
    DISMISSED = "dismissed"  # the decision stands
    WITHDRAWN = "withdrawn"


_ALLOWED: dict[str, tuple[AppealState, ...]] = {
    "start_review": (AppealState.LODGED,),
    "decide": (AppealState.UNDER_REVIEW,),
    "withdraw": (AppealState.LODGED, AppealState.UNDER_REVIEW),
}


@dataclass(frozen=True, slots=True)
class Appeal:
    """One appeal against one decision (``decision`` is that decision's reference)."""

    appeal_id: str
    decision: str
    subject: str
    deadline: datetime
    state: AppealState
    events: tuple[Event, ...]
    conflicted: frozenset[str] = frozenset()
    reviewer: str | None = None

    @property
    def overturned(self) -> bool:
        return self.state is AppealState.ALLOWED


def appeal_deadline(decided_at: datetime, appeal_days: int) -> datetime:
    """The last moment an appeal may be lodged."""
    return decided_at + timedelta(days=appeal_days)


def lodge(
    appeal_id: str,
    *,
    decision: str,
    subject: str,
    decided_at: datetime,
    appeal_days: int,
    conflicted: Iterable[str] = (),
    at: datetime,
    actor: str,
    statement: str,
) -> Appeal:
    """Lodge an appeal against ``decision``; refused after the deadline."""
    deadline = appeal_deadline(decided_at, appeal_days)
    if at > deadline:
        raise TransitionError(
            f"appeal against {decision} lodged {at.isoformat()}, after the deadline "
            f"{deadline.isoformat()}"
        )
    if at < decided_at:
        raise TransitionError(f"appeal against {decision} lodged before the decision was made")
    event = _event("lodged", at, actor, subject, appeal_id, decision, AppealState.LODGED, statement)
    return Appeal(
        appeal_id, decision, subject, deadline, AppealState.LODGED, (event,), frozenset(conflicted)
    )


def appeal_vetting(
    case: VettingCase, appeal_id: str, *, appeal_days: int, at: datetime, actor: str, statement: str
) -> Appeal:
    """Lodge an appeal against a vetting exclusion (the case must stand excluded)."""
    excluded_at = case.excluded_at()
    if case.state is not VettingState.EXCLUDED or excluded_at is None:
        raise TransitionError(
            f"vetting decision {case.decision} is {case.state.value}; only an exclusion "
            "can be appealed"
        )
    return lodge(
        appeal_id,
        decision=case.decision,
        subject=case.subject,
        decided_at=excluded_at,
        appeal_days=appeal_days,
        conflicted=case.officers,
        at=at,
        actor=actor,
        statement=statement,
    )


def start_review(appeal: Appeal, *, at: datetime, actor: str) -> Appeal:
    """A reviewer takes the appeal; no officer who took part in the decision may."""
    if actor in appeal.conflicted:
        raise TransitionError(
            f"appeal {appeal.appeal_id}: {actor} took part in {appeal.decision} and cannot "
            "review the appeal against it"
        )
    reviewed = _step(appeal, "start_review", AppealState.UNDER_REVIEW, at, actor, "")
    return replace(reviewed, reviewer=actor)


def decide(appeal: Appeal, *, allowed: bool, reasons: str, at: datetime, actor: str) -> Appeal:
    """The reviewer allows the appeal (decision overturned) or dismisses it (decision stands)."""
    if appeal.state is AppealState.UNDER_REVIEW and actor != appeal.reviewer:
        raise TransitionError(
            f"appeal {appeal.appeal_id} is reviewed by {appeal.reviewer}; {actor} cannot decide it"
        )
    target = AppealState.ALLOWED if allowed else AppealState.DISMISSED
    return _step(appeal, "decide", target, at, actor, reasons)


def restore(case: VettingCase, appeal: Appeal, *, at: datetime, actor: str) -> VettingCase:
    """Carry out an allowed appeal: the vetting exclusion it overturned is reinstated."""
    if appeal.decision != case.decision:
        raise TransitionError(
            f"appeal {appeal.appeal_id} is against {appeal.decision}, not {case.decision}"
        )
    if not appeal.overturned:
        raise TransitionError(
            f"appeal {appeal.appeal_id} is {appeal.state.value}; only an allowed appeal reinstates"
        )
    return reinstate(case, at=at, actor=actor, appeal=appeal.appeal_id)


def withdraw(appeal: Appeal, *, at: datetime, actor: str) -> Appeal:
    """The person withdraws the appeal before it is decided."""
    return _step(appeal, "withdraw", AppealState.WITHDRAWN, at, actor, "")


def _step(
    appeal: Appeal, action: str, target: AppealState, at: datetime, actor: str, text: str
) -> Appeal:
    allowed = _ALLOWED[action]
    if appeal.state not in allowed:
        raise TransitionError(
            f"appeal {appeal.appeal_id} is {appeal.state.value}; cannot {action.replace('_', ' ')}"
            f" (only from {', '.join(s.value for s in allowed)})"
        )
    if at < appeal.events[-1].at:
        raise TransitionError(
            f"appeal {appeal.appeal_id}: {action} at {at.isoformat()} is before its last step"
        )
    event = _event(
        action, at, actor, appeal.subject, appeal.appeal_id, appeal.decision, target, text
    )
    return replace(appeal, state=target, events=(*appeal.events, event))


def _event(
    action: str,
    at: datetime,
    actor: str,
    subject: str,
    appeal_id: str,
    decision: str,
    state: AppealState,
    text: str,
) -> Event:
    payload = {"appeal": appeal_id, "decision": decision, "state": state.value}
    if text:
        payload["text"] = text
    return Event.of(f"appeal.{action}", at, actor, subject, payload)
