"""Conservative two-stage contests: MPs' exhaustive ballots to two, then the members.

Figures: Commons Library SN01366 / politicsresources.net (2016); 1922 Committee results as
reported (2019: rounds 1, 2 and 5); Guardian (2022 rounds 1-2). See
../shared/domain/rules-and-results.md.
"""

from __future__ import annotations

from omov.rules import DecisionKind as K
from omov.rules import count_setup, load_rulebook
from tests.rules.helpers import of_kind, only, replay

NOMINATED_2016 = """
contest: {office: leader, incumbent: David Cameron}
events:
  - {type: resignation, at: 2016-06-24, holder: David Cameron}
  - {type: declaration, at: 2016-06-30, candidate: Theresa May, nominations: {mps: 2}}
  - {type: declaration, at: 2016-06-30, candidate: Andrea Leadsom, nominations: {mps: 2}}
  - {type: declaration, at: 2016-06-30, candidate: Michael Gove, nominations: {mps: 2}}
  - {type: declaration, at: 2016-06-30, candidate: Stephen Crabb, nominations: {mps: 2}}
  - {type: declaration, at: 2016-06-30, candidate: Liam Fox, nominations: {mps: 2}}
  - {type: date, at: 2016-06-30T12:00}
"""

ROUNDS_2016 = """
  - type: shortlist-round
    at: 2016-07-05
    round: 1
    votes: {Theresa May: 165, Andrea Leadsom: 66, Michael Gove: 48, Stephen Crabb: 34, Liam Fox: 16}
  - {type: withdrawal, at: 2016-07-05T20:00, candidate: Stephen Crabb}
  - type: shortlist-round
    at: 2016-07-07
    round: 2
    votes: {Theresa May: 199, Andrea Leadsom: 84, Michael Gove: 46}
  - {type: withdrawal, at: 2016-07-11, candidate: Andrea Leadsom}
"""


def eliminated(decisions):
    return [(d.subject, d.summary.rsplit(" ", 1)[-1]) for d in of_kind(decisions, K.ELIMINATED)]


def test_2016_fox_out_crabb_withdraws_gove_out_leadsom_withdraws_may_leader():
    decisions = replay("conservative/2016", NOMINATED_2016 + ROUNDS_2016)
    assert only(decisions, K.BALLOT).summary.startswith("MPs ballots begin: Theresa May")
    assert eliminated(decisions) == [("Liam Fox", "1"), ("Michael Gove", "2")]
    assert [d.subject for d in of_kind(decisions, K.WITHDRAWN)] == [
        "Stephen Crabb",
        "Andrea Leadsom",
    ]
    assert only(decisions, K.FINALISTS).summary == (
        "To the members' ballot: Theresa May and Andrea Leadsom"
    )
    elected = only(decisions, K.ELECTED)
    assert elected.subject == "Theresa May"
    assert elected.summary == "Theresa May is elected without a members' ballot"
    assert decisions[-1] is elected


def test_2016_rounds_under_the_2019_thresholds_give_the_same_eliminations():
    nominated = NOMINATED_2016.replace("{mps: 2}", "{mps: 8}")
    decisions = replay("conservative/2019", nominated + ROUNDS_2016)
    fox, gove = of_kind(decisions, K.ELIMINATED)
    assert fox.subject == "Liam Fox"
    assert "At most 16 votes after round 1" in fox.explanation
    assert gove.subject == "Michael Gove"
    assert "fewest votes" in gove.explanation
    assert only(decisions, K.ELECTED).subject == "Theresa May"


def test_2019_proposer_seconder_and_six_others():
    decisions = replay(
        "conservative/2019",
        """
        contest: {office: leader, incumbent: Theresa May}
        events:
          - {type: resignation, at: 2019-06-07, holder: Theresa May}
          - {type: declaration, at: 2019-06-10, candidate: Boris Johnson, nominations: {mps: 8}}
          - {type: declaration, at: 2019-06-10, candidate: Seven Short, nominations: {mps: 7}}
          - {type: declaration, at: 2019-06-10, candidate: Jeremy Hunt, nominations: {mps: 8}}
          - {type: close-nominations, at: 2019-06-10T17:00}
        """,
    )
    assert only(decisions, K.THRESHOLD).summary == "Each candidate needs 8 nominations from MPs"
    assert [d.subject for d in of_kind(decisions, K.NOT_ON_BALLOT)] == ["Seven Short"]


def test_2019_thresholds_16_then_32():
    candidates = [
        "Boris Johnson", "Jeremy Hunt", "Michael Gove", "Dominic Raab", "Sajid Javid",
        "Matt Hancock", "Rory Stewart", "Andrea Leadsom", "Mark Harper", "Esther McVey",
    ]  # fmt: skip
    declarations = "\n".join(
        f"  - {{type: declaration, at: 2019-06-10, candidate: {name}, nominations: {{mps: 8}}}}"
        for name in candidates
    )
    decisions = replay(
        "conservative/2019",
        f"""
contest: {{office: leader}}
events:
  - {{type: resignation, at: 2019-06-07, holder: Theresa May}}
{declarations}
  - {{type: close-nominations, at: 2019-06-10T17:00}}
  - type: shortlist-round
    round: 1
    votes: {{Boris Johnson: 114, Jeremy Hunt: 43, Michael Gove: 37, Dominic Raab: 27,
            Sajid Javid: 23, Matt Hancock: 20, Rory Stewart: 19, Andrea Leadsom: 11,
            Mark Harper: 10, Esther McVey: 9}}
  - {{type: withdrawal, candidate: Matt Hancock}}
  - type: shortlist-round
    round: 2
    votes: {{Boris Johnson: 126, Jeremy Hunt: 46, Michael Gove: 41, Rory Stewart: 37,
            Sajid Javid: 33, Dominic Raab: 30}}
""",
    )
    assert eliminated(decisions) == [
        ("Andrea Leadsom", "1"),
        ("Mark Harper", "1"),
        ("Esther McVey", "1"),
        ("Dominic Raab", "2"),
    ]
    assert not of_kind(decisions, K.FINALISTS)


def test_2019_final_mps_round_sends_johnson_and_hunt_to_the_members():
    decisions = replay(
        "conservative/2019",
        """
        contest: {office: leader}
        events:
          - {type: resignation, at: 2019-06-07}
          - {type: declaration, candidate: Boris Johnson, nominations: {mps: 8}}
          - {type: declaration, candidate: Jeremy Hunt, nominations: {mps: 8}}
          - {type: declaration, candidate: Michael Gove, nominations: {mps: 8}}
          - {type: close-nominations, at: 2019-06-10T17:00}
          - {type: shortlist-round, round: 5, votes: {Boris Johnson: 160, Jeremy Hunt: 77,
             Michael Gove: 75}}
          - {type: result, at: 2019-07-23, elected: Boris Johnson}
        """,
    )
    assert (
        only(decisions, K.FINALISTS).summary
        == "To the members' ballot: Boris Johnson and Jeremy Hunt"
    )
    assert only(decisions, K.ELECTED).subject == "Boris Johnson"
    assert count_setup(load_rulebook("conservative/2019"))[:2] == ("fptp", 1)
    method, _, options = count_setup(load_rulebook("conservative/2019"), stage="shortlist")
    assert method == "exhaustive"
    assert dict(options.minimum_votes) == {1: 16, 2: 32}


def test_2022_thirty_votes_in_round_one_then_the_lowest():
    names = ["Rishi Sunak", "Penny Mordaunt", "Liz Truss", "Kemi Badenoch", "Tom Tugendhat",
             "Suella Braverman", "Nadhim Zahawi", "Jeremy Hunt"]  # fmt: skip
    declarations = "\n".join(
        f"  - {{type: declaration, candidate: {n}, nominations: {{mps: 20}}}}" for n in names
    )
    decisions = replay(
        "conservative/2022",
        f"""
contest: {{office: leader}}
events:
  - {{type: resignation, at: 2022-07-07, holder: Boris Johnson}}
{declarations}
  - {{type: declaration, candidate: Nineteen Only, nominations: {{mps: 19}}}}
  - {{type: close-nominations, at: 2022-07-12T18:00}}
  - type: shortlist-round
    round: 1
    votes: {{Rishi Sunak: 88, Penny Mordaunt: 67, Liz Truss: 50, Kemi Badenoch: 40,
            Tom Tugendhat: 37, Suella Braverman: 32, Nadhim Zahawi: 25, Jeremy Hunt: 18}}
  - type: shortlist-round
    round: 2
    votes: {{Rishi Sunak: 101, Penny Mordaunt: 83, Liz Truss: 64, Kemi Badenoch: 49,
            Tom Tugendhat: 32, Suella Braverman: 27}}
""",
    )
    assert [d.subject for d in of_kind(decisions, K.NOT_ON_BALLOT)] == ["Nineteen Only"]
    assert eliminated(decisions) == [
        ("Nadhim Zahawi", "1"),
        ("Jeremy Hunt", "1"),
        ("Suella Braverman", "2"),
    ]


def test_finalist_withdrawing_after_the_final_round_elects_the_other():
    decisions = replay(
        "conservative/2022",
        """
        contest: {office: leader}
        events:
          - {type: resignation, at: 2022-07-07}
          - {type: declaration, candidate: A, nominations: {mps: 20}}
          - {type: declaration, candidate: B, nominations: {mps: 20}}
          - {type: declaration, candidate: C, nominations: {mps: 20}}
          - {type: close-nominations, at: 2022-07-12T18:00}
          - {type: shortlist-round, round: 1, votes: {A: 150, B: 120, C: 88}}
          - {type: withdrawal, at: 2022-07-21, candidate: B}
        """,
    )
    assert only(decisions, K.FINALISTS).summary == "To the members' ballot: A and B"
    assert only(decisions, K.ELECTED).summary == "A is elected without a members' ballot"
