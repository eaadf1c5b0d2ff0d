"""Events every contest records: its own timetable, an election falling due, a question
ballot called, a lone candidate; and the engine's state after them."""

from __future__ import annotations

from omov.rules import DecisionKind as K
from omov.rules.schema import MilestoneKind
from tests.rules.helpers import of_kind, only, replay, replay_contest


def test_the_contests_own_timetable_decides_what_is_late():
    """The edition's timetable is the contest it describes; a contest run now sets its own,
    and nominations after that close are late."""
    contest = replay_contest(
        "labour/2018",
        """
        contest: {office: leader}
        events:
          - {type: date-set, at: 2026-01-05, what: nominations-close, value: 2026-01-20T12:00}
          - {type: resignation, at: 2026-01-06, holder: The Leader}
          - {type: declaration, at: 2026-01-10, candidate: A, nominations: {plp: 30}}
          - {type: nominations, at: 2026-01-21, candidate: A, nominations: {plp: 1}}
        """,
    )
    assert contest.timetable[MilestoneKind.NOMINATIONS_CLOSE].value.isoformat() == (
        "2026-01-20T12:00:00+00:00"
    )
    assert (
        only(contest.decisions, K.DATE_SET).summary == "Nominations close: 12:00 on 20 January 2026"
    )
    late = only(contest.decisions, K.LATE)
    assert late.subject == "A"
    assert "20 January 2026" in late.explanation
    assert contest.candidates["A"].counts["plp"] == 30


def test_a_lone_qualifier_is_elected_unopposed():
    contest = replay_contest(
        "snp/2023",
        """
        events:
          - {type: resignation, at: 2023-02-15, holder: Nicola Sturgeon}
          - {type: declaration, at: 2023-02-20, candidate: A, nominations: {members: 100}}
          - {type: nominations, at: 2023-02-20, candidate: A, units: {members: 20}}
          - {type: declaration, at: 2023-02-20, candidate: B, nominations: {members: 99}}
          - {type: close-nominations, at: 2023-02-24}
        """,
    )
    elected = only(contest.decisions, K.ELECTED)
    assert elected.summary == "A is elected unopposed"
    assert contest.decided
    assert contest.elected == "A"
    assert contest.ballot == ["A"]


def test_a_withdrawal_after_the_close_leaving_one_elects_them():
    contest = replay_contest(
        "snp/2023",
        """
        events:
          - {type: resignation, at: 2023-02-15}
          - {type: declaration, at: 2023-02-20, candidate: A, nominations: {members: 100}}
          - {type: nominations, at: 2023-02-20, candidate: A, units: {members: 20}}
          - {type: declaration, at: 2023-02-20, candidate: B, nominations: {members: 100}}
          - {type: nominations, at: 2023-02-20, candidate: B, units: {members: 20}}
          - {type: close-nominations, at: 2023-02-24}
          - {type: withdrawal, at: 2023-02-25, candidate: B}
        """,
    )
    assert contest.elected == "A"
    assert only(contest.decisions, K.ELECTED).explanation.startswith("B withdrew")


def test_a_periodic_election_falls_due():
    decisions = replay("green/2021", "[{type: election-due, at: 2021-06-01}]")
    triggered = only(decisions, K.CONTEST_TRIGGERED)
    assert triggered.summary == "Contest triggered (periodic)"
    assert triggered.explanation.startswith("The office is elected every 2 years.")
    assert (
        only(decisions, K.THRESHOLD).summary == "Each candidate needs 20 nominations from members"
    )


def test_an_industrial_action_ballot_puts_its_question():
    contest = replay_contest(
        "union/industrial-action-2016",
        """
        events:
          - {type: election-due, at: 2026-02-01}
          - {type: industrial-action-ballot, at: 2026-03-01, opened: 2026-02-10,
             yes_votes: 600, no_votes: 300, entitled: 1500}
        """,
    )
    assert contest.ballot == ["Yes", "No"]
    assert [d.kind for d in contest.decisions][:2] == [K.CONTEST_TRIGGERED, K.BALLOT]
    assert of_kind(contest.decisions, K.BALLOT_VALID)
