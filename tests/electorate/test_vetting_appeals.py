"""Vetting and appeal state machines: legal paths work, illegal transitions are refused."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta

import pytest

from omov.electorate import appeals, vetting
from omov.electorate.errors import TransitionError
from omov.electorate.events import subject_hash
from omov.electorate.vetting import EXAMPLE_GROUNDS, VettingState

KEY = b"contest-key"
T0 = datetime(2016, 7, 25, 10)


def _hour(n: int) -> datetime:
    return T0 + timedelta(hours=n)


def _opened() -> vetting.VettingCase:
    return vetting.open_case("V1", "registered-supporters", "RS1", key=KEY, at=T0, actor="ann")


def _proposed(second: bool = True) -> vetting.VettingCase:
    return vetting.propose_exclusion(
        _opened(),
        grounds=EXAMPLE_GROUNDS[0],
        evidence="tweet 2016-07-01 (archived)",
        at=_hour(1),
        actor="ann",
        second_officer_required=second,
    )


def _excluded() -> vetting.VettingCase:
    return vetting.confirm(_proposed(), at=_hour(2), actor="bob")


def test_exclusion_needs_a_second_officer_when_the_rulebook_asks() -> None:
    proposed = _proposed()
    assert proposed.state is VettingState.AWAITING_CONFIRMATION
    with pytest.raises(TransitionError, match="a different officer must confirm"):
        vetting.confirm(proposed, at=_hour(2), actor="ann")
    assert _excluded().state is VettingState.EXCLUDED
    assert _proposed(second=False).state is VettingState.EXCLUDED


def test_each_transition_emits_an_immutable_event_with_a_keyed_subject() -> None:
    case = _excluded()
    assert [e.kind for e in case.events] == [
        "vetting.opened",
        "vetting.propose_exclusion",
        "vetting.confirm",
    ]
    assert [e.detail("state") for e in case.events] == [
        "under_review",
        "awaiting_confirmation",
        "excluded",
    ]
    assert {e.subject for e in case.events} == {subject_hash(KEY, "registered-supporters", "RS1")}
    assert subject_hash(b"other key", "registered-supporters", "RS1") != case.subject
    assert "RS1" not in case.events[0].canonical().decode()
    with pytest.raises(FrozenInstanceError):
        case.events[0].actor = "mallory"  # type: ignore[misc]
    assert len({e.digest() for e in case.events}) == 3


@pytest.mark.parametrize(
    ("make", "step"),
    [
        (_opened, lambda c: vetting.confirm(c, at=_hour(5), actor="bob")),
        (_opened, lambda c: vetting.reinstate(c, at=_hour(5), actor="bob", appeal="A1")),
        (_excluded, lambda c: vetting.clear(c, at=_hour(5), actor="bob")),
        (
            _excluded,
            lambda c: vetting.propose_exclusion(
                c,
                grounds=EXAMPLE_GROUNDS[3],
                evidence="x",
                at=_hour(5),
                actor="cat",
                second_officer_required=True,
            ),
        ),
        (_proposed, lambda c: vetting.clear(c, at=_hour(5), actor="bob")),
    ],
)
def test_illegal_vetting_transitions_are_refused(make: object, step: object) -> None:
    case = make()  # type: ignore[operator]
    with pytest.raises(TransitionError, match=r"vetting decision V1 is \w+; cannot"):
        step(case)  # type: ignore[operator]


def test_rejected_proposal_returns_to_review_and_time_cannot_run_backwards() -> None:
    back = vetting.reject(_proposed(), at=_hour(2), actor="bob", reason="evidence is a parody")
    assert back.state is VettingState.UNDER_REVIEW
    assert back.grounds is None
    with pytest.raises(TransitionError, match="before the case's last step"):
        vetting.clear(back, at=_hour(1), actor="bob")
    with pytest.raises(TransitionError, match="needs evidence"):
        vetting.propose_exclusion(
            back,
            grounds=EXAMPLE_GROUNDS[2],
            evidence=" ",
            at=_hour(3),
            actor="ann",
            second_officer_required=True,
        )


def test_state_at_replays_the_case() -> None:
    case = _excluded()
    assert vetting.state_at(case, T0 - timedelta(1)) is None
    assert vetting.state_at(case, _hour(1)) is VettingState.AWAITING_CONFIRMATION
    assert vetting.state_at(case, _hour(9)) is VettingState.EXCLUDED
    assert vetting.exclusions_in_force([case], _hour(1)).height == 0
    in_force = vetting.exclusions_in_force([case], _hour(2)).rows()
    assert in_force == [("registered-supporters", "RS1", "V1")]


def _lodged() -> appeals.Appeal:
    return appeals.appeal_vetting(
        _excluded(), "A1", appeal_days=7, at=_hour(30), actor="appellant", statement="not me"
    )


def test_appeal_path_allowed_then_reinstated() -> None:
    appeal = appeals.start_review(_lodged(), at=_hour(40), actor="dee")
    appeal = appeals.decide(appeal, allowed=True, reasons="wrong person", at=_hour(50), actor="dee")
    assert appeal.overturned
    with pytest.raises(TransitionError, match="only an allowed appeal reinstates"):
        appeals.restore(_excluded(), _lodged(), at=_hour(51), actor="dee")
    other = vetting.confirm(
        vetting.propose_exclusion(
            vetting.open_case("V2", "members", "L2", key=KEY, at=T0, actor="ann"),
            grounds=EXAMPLE_GROUNDS[3],
            evidence="e",
            at=_hour(1),
            actor="ann",
            second_officer_required=True,
        ),
        at=_hour(2),
        actor="bob",
    )
    with pytest.raises(TransitionError, match="is against V1, not V2"):
        appeals.restore(other, appeal, at=_hour(51), actor="dee")
    restored = appeals.restore(_excluded(), appeal, at=_hour(51), actor="dee")
    assert restored.state is VettingState.REINSTATED
    assert vetting.exclusions_in_force([restored], _hour(60)).height == 0
    assert [e.kind for e in appeal.events] == [
        "appeal.lodged",
        "appeal.start_review",
        "appeal.decide",
    ]
    assert appeal.events[0].subject == _excluded().subject


def test_appeal_deadline_and_conflicts_are_enforced() -> None:
    late = _hour(2) + timedelta(days=7, seconds=1)
    with pytest.raises(TransitionError, match="after the deadline"):
        appeals.appeal_vetting(_excluded(), "A1", appeal_days=7, at=late, actor="p", statement="")
    with pytest.raises(TransitionError, match="only an exclusion can be appealed"):
        appeals.appeal_vetting(
            _proposed(), "A1", appeal_days=7, at=_hour(3), actor="p", statement=""
        )
    with pytest.raises(TransitionError, match="bob took part in V1"):
        appeals.start_review(_lodged(), at=_hour(40), actor="bob")


def test_illegal_appeal_transitions_are_refused() -> None:
    lodged = _lodged()
    reviewing = appeals.start_review(lodged, at=_hour(40), actor="dee")
    decided = appeals.decide(reviewing, allowed=False, reasons="stands", at=_hour(41), actor="dee")
    assert decided.state is appeals.AppealState.DISMISSED
    with pytest.raises(TransitionError, match="appeal A1 is lodged; cannot decide"):
        appeals.decide(lodged, allowed=True, reasons="", at=_hour(41), actor="dee")
    with pytest.raises(TransitionError, match="reviewed by dee; eve cannot decide"):
        appeals.decide(reviewing, allowed=True, reasons="", at=_hour(41), actor="eve")
    with pytest.raises(TransitionError, match="appeal A1 is under_review; cannot start review"):
        appeals.start_review(reviewing, at=_hour(41), actor="dee")
    with pytest.raises(TransitionError, match="appeal A1 is dismissed; cannot withdraw"):
        appeals.withdraw(decided, at=_hour(42), actor="appellant")
