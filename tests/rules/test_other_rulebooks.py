"""Liberal Democrat triggers, Green co-leaders and RON, SNP 2023 nominations, union GS."""

from __future__ import annotations

import pytest

from omov.rules import DecisionKind as K
from omov.rules import count_setup, load_rulebook
from tests.rules.helpers import about, of_kind, only, replay


@pytest.mark.parametrize(
    ("motion", "triggered"),
    [
        ("{type: motion, body: mps, motion: no-confidence, for: 6, against: 5}", True),
        ("{type: motion, body: mps, motion: no-confidence, for: 5, against: 5}", False),
        ("{type: motion, body: local-parties, motion: request-election, count: 75}", True),
        ("{type: motion, body: local-parties, motion: request-election, count: 74}", False),
    ],
)
def test_libdem_motion_triggers(motion, triggered):
    decisions = replay(
        "libdem/2020",
        f"""
        contest: {{office: leader, incumbent: The Leader}}
        events:
          - {motion}
        """,
    )
    kinds = [d.kind for d in decisions]
    if triggered:
        assert kinds[0] is K.CONTEST_TRIGGERED
        assert decisions[0].citation == "Federal Constitution, election of the Leader"
    else:
        assert kinds == [K.NOT_TRIGGERED]
        assert (
            "needed" in decisions[0].arithmetic or "no simple majority" in decisions[0].arithmetic
        )


def test_a_second_trigger_does_not_restart_a_running_contest():
    decisions = replay(
        "libdem/2020",
        """
        contest: {office: leader, incumbent: The Leader}
        events:
          - {type: motion, at: 2020-01-01, body: mps, motion: no-confidence, for: 6, against: 5}
          - {type: motion, at: 2020-01-02, body: local-parties, motion: request-election, count: 80}
        """,
    )
    assert [d.kind for d in decisions[:2]] == [K.CONTEST_TRIGGERED, K.THRESHOLD]
    again = decisions[-1]
    assert again.kind is K.NOT_TRIGGERED
    assert again.summary == "A contest is already under way"


def test_libdem_nominations_ten_percent_of_other_mps_and_200_members_in_21_local_parties():
    decisions = replay(
        "libdem/2020",
        """
        contest: {office: leader}
        events:
          - {type: resignation, at: 2019-12-13, holder: Jo Swinson}
          - {type: declaration, candidate: Ed Davey, member_of: [mps]}
          - {type: nominations, candidate: Ed Davey, nominations: {mps: 1, members: 200},
             units: {members: 21}}
          - {type: declaration, candidate: Layla Moran, member_of: [mps]}
          - {type: nominations, candidate: Layla Moran, nominations: {mps: 1, members: 250},
             units: {members: 20}}
          - {type: declaration, candidate: Not An MP, member_of: [members]}
          - {type: close-nominations, at: 2020-07-09T17:00}
        """,
    )
    first, second = of_kind(decisions, K.THRESHOLD)
    assert first.arithmetic == "10% of 10 (MPs 11 less the candidate) = 1"
    assert second.summary == "Each candidate needs 200 nominations from members"
    assert about(decisions, "Ed Davey") == [K.ON_BALLOT, K.ELECTED]
    assert only(decisions, K.ELECTED).summary == "Ed Davey is elected unopposed"
    moran = next(d for d in decisions if d.subject == "Layla Moran")
    assert moran.kind is K.NOT_ON_BALLOT
    assert "from 20 units, at least 21 needed" in moran.explanation
    assert about(decisions, "Not An MP") == [K.INVALID_CANDIDACY]


def test_libdem_general_election_calls_a_contest_within_a_year():
    decisions = replay("libdem/2020", "[{type: general-election, at: 2019-12-12}]")
    assert "within 12 months" in only(decisions, K.CONTEST_TRIGGERED).explanation


GREEN = """
contest: {office: leader}
events:
  - {type: resignation, at: 2021-05-01, holder: Jonathan Bartley}
  - type: declaration
    candidate: Carla Denyer and Adrian Ramsay
    membership_years: 10
    ticket: [{name: Carla Denyer, gender: woman}, {name: Adrian Ramsay, gender: man}]
    nominations: {members: 20}
  - type: declaration
    candidate: Same Gender Ticket
    ticket: [{name: A, gender: woman}, {name: B, gender: woman}]
    nominations: {members: 40}
  - type: declaration
    candidate: Three Together
    ticket: [{name: A, gender: woman}, {name: B, gender: man}, {name: C, gender: man}]
  - {type: declaration, candidate: New Member, membership_years: 1.5, nominations: {members: 20}}
  - {type: declaration, candidate: Tamsin Omond, membership_years: 5, nominations: {members: 19}}
  - {type: declaration, candidate: Shahrar Ali, membership_years: 5, nominations: {members: 20}}
  - {type: close-nominations, at: 2021-07-01}
"""


def test_green_co_leader_tickets_must_be_gender_balanced_and_ron_is_on_the_ballot():
    decisions = replay("green/2021", GREEN)
    invalid = {d.subject: d.explanation for d in of_kind(decisions, K.INVALID_CANDIDACY)}
    assert invalid == {
        "Same Gender Ticket": "co-leaders on one ticket must be of differing genders",
        "Three Together": "a ticket of 3; at most 2 may stand",
        "New Member": "1.5 years a member; 2 needed",
    }
    assert about(decisions, "Tamsin Omond") == [K.NOT_ON_BALLOT]
    assert only(decisions, K.BALLOT).summary == (
        "On the ballot: Carla Denyer and Adrian Ramsay, Shahrar Ali, Re-open nominations (RON)"
    )


def test_green_ron_winning_reopens_nominations():
    decisions = replay("green/2021", GREEN + "  - {type: result, at: 2021-09-24, elected: RON}\n")
    assert only(decisions, K.NOMINATIONS_REOPEN).citation.startswith("GPEW Standing Orders")
    assert not of_kind(decisions, K.ELECTED)


def test_snp_2023_needs_100_nominations_from_20_branches():
    decisions = replay(
        "snp/2023",
        """
        contest: {office: leader}
        events:
          - {type: resignation, at: 2023-02-15, holder: Nicola Sturgeon}
          - {type: declaration, candidate: Humza Yousaf}
          - {type: nominations, candidate: Humza Yousaf, nominations: {members: 100},
             units: {members: 20}}
          - {type: declaration, candidate: Nineteen Branches}
          - {type: nominations, candidate: Nineteen Branches, nominations: {members: 150},
             units: {members: 19}}
          - {type: declaration, candidate: Ninety Nine}
          - {type: nominations, candidate: Ninety Nine, nominations: {members: 99},
             units: {members: 25}}
          - {type: declaration, candidate: Kate Forbes}
          - {type: nominations, candidate: Kate Forbes, nominations: {members: 100},
             units: {members: 30}}
          - {type: close-nominations, at: 2023-02-24T12:00}
        """,
    )
    threshold = only(decisions, K.THRESHOLD)
    assert threshold.summary == "Each candidate needs 100 nominations from members"
    assert [d.subject for d in of_kind(decisions, K.ON_BALLOT)] == ["Humza Yousaf", "Kate Forbes"]
    assert [d.subject for d in of_kind(decisions, K.NOT_ON_BALLOT)] == [
        "Nineteen Branches",
        "Ninety Nine",
    ]
    assert count_setup(load_rulebook("snp/2023"))[0] == "irv"


def test_union_general_secretary_election_is_postal_with_a_scrutineer_every_five_years():
    book = load_rulebook("union/general-secretary-1992")
    assert book.offices["general-secretary"].term_years == 5
    assert book.voting is not None
    assert [c.value for c in book.voting.channels] == ["postal"]
    assert book.voting.independent_scrutineer
    assert "s.49" in book.voting.citation
