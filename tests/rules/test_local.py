"""Local party democracy under the shipped rulebooks: the scenarios of issue 22, and the
bad input the rules refuse. Facts: ../shared/domain/rules-and-results.md ("Labour trigger
ballots", "Conservatives")."""

from __future__ import annotations

from datetime import date

import pytest

from omov.rules import DecisionKind as K
from omov.rules import EventsError, load_rulebook, parse_events, parse_rulebook
from omov.rules.engine import run
from omov.rules.errors import RulebookError
from omov.rules.events import EventsFile
from omov.rules.local.meetings import (
    MotionVote,
    letters_outcome,
    motion_outcome,
    notice_decision,
    quorum_decision,
    refusal_to_move,
)
from omov.rules.local.trigger_ballots import BranchAnswer, trigger_ballot_outcome

LABOUR_2016 = load_rulebook("labour/2016")
LABOUR_2018 = load_rulebook("labour/2018")


def clp_vote(kind: str, yes: int, no: int, *, present: int, subject: str = "") -> MotionVote:
    return MotionVote(
        kind=kind,
        unit_kind="clp",
        unit="Islington North CLP",
        present=present,
        votes_for=yes,
        votes_against=no,
        subject=subject,
    )


def test_a_clp_confidence_motion_carried_40_0_has_no_effect_under_labour_2016():
    outcome = motion_outcome(LABOUR_2016, clp_vote("confidence", 40, 0, present=40))
    carried, effect = outcome.decisions
    assert outcome.carried
    assert carried.kind is K.MOTION_CARRIED
    assert carried.summary == (
        "Islington North CLP carries the motion of confidence in the leader 40–0"
    )
    assert carried.arithmetic == "40 for, 0 against: a simple majority"
    assert effect.kind is K.NO_STANDING
    assert effect.summary == (
        "Islington North CLP's motion of confidence in the leader (carried 40–0) has no standing"
    )
    assert "no say over the leadership" in effect.explanation
    assert effect.citation == "Ch4 Cl II.2.B.ii"
    assert outcome.supporting is None


def test_a_clp_supporting_nomination_counts_toward_5_percent_of_clps_under_labour_2018():
    outcome = motion_outcome(
        LABOUR_2018, clp_vote("supporting-nomination", 31, 12, present=50, subject="Keir Starmer")
    )
    assert outcome.carried
    counts = outcome.decisions[1]
    assert counts.kind is K.COUNTS_TOWARD
    assert (
        counts.summary == "Islington North CLP's nomination counts toward Keir Starmer's 5% of CLPs"
    )
    assert counts.arithmetic == "5% of 650 CLPs = 32.5, rounded up to 33"
    assert counts.citation == "Ch4 Cl II.2.B.ii.a"
    event = outcome.supporting
    assert event is not None
    assert (event.candidate, event.body, event.nominator, event.count) == (
        "Keir Starmer",
        "clps",
        "Islington North CLP",
        1,
    )


@pytest.mark.parametrize(("clps", "on_ballot"), [(33, True), (32, False)])
def test_clp_nominations_from_meetings_decide_the_2018_ballot(clps: int, on_ballot: bool):
    """The supporting nominations that meetings carry are the national contest's events:
    33 of 650 CLPs put a candidate with 10% of the PLP and EPLP on the ballot, 32 do not."""
    opening = parse_events(
        [
            {"type": "resignation", "at": "2020-01-06", "holder": "Jeremy Corbyn"},
            {
                "type": "nominations",
                "at": "2020-01-08",
                "candidate": "A",
                "nominations": {"plp": 22},
            },
        ],
        timezone=LABOUR_2018.timezone,
    )
    supports = []
    for n in range(clps):
        vote = MotionVote(
            kind="supporting-nomination",
            unit_kind="clp",
            unit=f"CLP {n}",
            present=30,
            votes_for=20,
            votes_against=10,
            subject="A",
        )
        event = motion_outcome(LABOUR_2018, vote).supporting
        assert event is not None
        supports.append(event)
    closing = parse_events([{"type": "close-nominations", "at": "2020-02-15"}], timezone="UTC")
    events = EventsFile(
        contest=opening.contest, events=[*opening.events, *supports, *closing.events]
    )
    contest = run(LABOUR_2018, events)
    decision = next(d for d in contest.decisions if d.summary.startswith("A is"))
    assert (decision.kind is K.ON_BALLOT) is on_ballot
    assert f"5% of CLPs: {clps} of 33 needed" in decision.explanation


def test_a_supporting_nomination_under_2016_is_recorded_and_decides_nothing():
    outcome = motion_outcome(
        LABOUR_2016, clp_vote("supporting-nomination", 30, 2, present=40, subject="Owen Smith")
    )
    assert outcome.decisions[1].summary == (
        "Islington North CLP nominates Owen Smith: recorded, deciding nothing"
    )
    assert outcome.decisions[1].citation == "Ch4 Cl II.2.B.iii"


def branches(yes: int, of: int, *, affiliated_yes: int = 0, affiliates: int = 0):
    party = [BranchAnswer(f"Ward {n}", False, n < yes) for n in range(of)]
    unions = [BranchAnswer(f"Union {n}", True, n < affiliated_yes) for n in range(affiliates)]
    return party + unions


def test_3_of_9_branches_trigger_an_open_selection_under_2018_but_not_before():
    answers = branches(3, 9)
    after = trigger_ballot_outcome(LABOUR_2018, answers, representative="the sitting MP")
    before = trigger_ballot_outcome(LABOUR_2016, answers, representative="the sitting MP")
    assert after.open_selection
    assert after.decision.kind is K.OPEN_SELECTION
    assert after.decision.citation == "Ch5 Cl IV.5.A–B"
    assert after.decision.arithmetic == (
        "party branches: 3 yes of 9 that voted; 33.3333% of 9 = 3: 3 ≥ 3, met; "
        "affiliated branches: none that voted, so no share of them: either share met"
    )
    assert not before.open_selection
    assert before.decision.kind is K.RESELECTED
    assert before.decision.summary == "the sitting MP is reselected, subject to NEC endorsement"
    assert before.decision.arithmetic == (
        "all branches together (9 party, 0 affiliated): 3 yes of 9 in all; a majority is "
        "more than 50% of 9 = 4.5: 3 ≤ 4.5, not met"
    )


def test_2018_a_third_of_affiliated_branches_alone_triggers_and_2_of_9_does_not():
    assert trigger_ballot_outcome(
        LABOUR_2018, branches(0, 9, affiliated_yes=1, affiliates=3)
    ).open_selection
    outcome = trigger_ballot_outcome(LABOUR_2018, branches(2, 9, affiliated_yes=1, affiliates=4))
    assert not outcome.open_selection
    assert "2 < 3, not met" in outcome.decision.arithmetic
    assert "≈1.33" in outcome.decision.arithmetic


def test_2018_counts_the_third_on_branches_that_voted():
    answers = [
        *branches(2, 5),
        BranchAnswer("Silent 1", False, None),
        BranchAnswer("Silent 2", False, None),
    ]
    outcome = trigger_ballot_outcome(LABOUR_2018, answers)
    assert outcome.open_selection
    assert "2 yes of 5 that voted" in outcome.decision.arithmetic


def test_pre_2018_majority_of_all_branches_together():
    assert trigger_ballot_outcome(
        LABOUR_2016, branches(4, 6, affiliated_yes=2, affiliates=3)
    ).open_selection


def test_a_branch_answers_a_trigger_ballot_once():
    with pytest.raises(EventsError, match="once"):
        trigger_ballot_outcome(LABOUR_2018, [BranchAnswer("W", False, True)] * 2)


def test_a_motion_falls_when_the_meeting_is_not_quorate():
    vote = MotionVote(
        kind="emergency-resolution",
        unit_kind="branch",
        unit="Highbury West branch",
        present=4,
        votes_for=4,
        votes_against=0,
    )
    outcome = motion_outcome(LABOUR_2016, vote)
    assert not outcome.carried
    (falls,) = outcome.decisions
    assert falls.kind is K.MOTION_FALLS
    assert falls.summary == "The emergency resolution falls: the meeting was not quorate"
    assert falls.explanation == "Business needs 5 members present; 4 were."
    assert falls.arithmetic == "4 present; quorum 5 (the rulebook's)"
    unit_quorum = motion_outcome(LABOUR_2016, vote.__class__(**{**vote.__dict__, "quorum": 3}))
    assert unit_quorum.carried


def test_a_motion_without_a_majority_is_lost_and_more_votes_than_present_refused():
    lost = motion_outcome(LABOUR_2016, clp_vote("ordinary", 10, 10, present=25))
    assert lost.decisions[0].kind is K.MOTION_LOST
    assert lost.decisions[0].summary == "The motion is lost (10–10)"
    with pytest.raises(EventsError, match="41 votes and abstentions, but 40 members present"):
        motion_outcome(LABOUR_2016, clp_vote("ordinary", 41, 0, present=40))


def test_a_branch_cannot_pass_a_supporting_nomination():
    refusal = refusal_to_move(LABOUR_2018, kind="supporting-nomination", unit_kind="branch")
    assert refusal is not None
    assert refusal.summary == "A Branch Labour Party cannot pass a supporting nomination"
    assert refusal_to_move(LABOUR_2018, kind="ordinary", unit_kind="branch") is None
    with pytest.raises(EventsError, match="no local motion 'recall'"):
        refusal_to_move(LABOUR_2018, kind="recall", unit_kind="clp")


def test_notice_and_quorum_decisions_cite_the_standing_orders():
    short = notice_decision(LABOUR_2018, notice_on=date(2019, 9, 1), meeting_on=date(2019, 9, 5))
    assert short.kind is K.REFUSED
    assert short.summary == "Only 4 days' notice; the rules need 7"
    assert short.citation.startswith("Model standing orders for Party units, B.ii")
    enough = notice_decision(LABOUR_2018, notice_on=date(2019, 9, 1), meeting_on=date(2019, 9, 8))
    assert enough.kind is K.NOTICE
    assert quorum_decision(LABOUR_2018, present=5).kind is K.QUORUM


def test_conservative_letters_to_the_1922_chairman_count_toward_15_percent():
    book = load_rulebook("conservative/2019")
    short = letters_outcome(book, kind="letter-no-confidence", letters=47, body_size=317)
    assert short.kind is K.COUNTS_TOWARD
    assert short.summary == "Letter of no confidence: 47 of the 48 needed"
    assert short.arithmetic == "47 received; 15% of 317 MPs = 47.55, rounded up to 48"
    reached = letters_outcome(book, kind="letter-no-confidence", letters=48, body_size=317)
    assert reached.kind is K.THRESHOLD_REACHED
    assert "calls a confidence vote" in reached.summary


def test_a_rulebook_naming_an_unknown_unit_kind_is_refused():
    import tomllib
    from importlib import resources

    text = resources.files("omov.rules.rulebooks").joinpath("labour", "2018.toml").read_text()
    data = tomllib.loads(text)
    data["local"]["units"]["branch"]["within"] = "district"
    with pytest.raises(RulebookError, match=r"local.units.branch.within: 'district'"):
        parse_rulebook(data)
