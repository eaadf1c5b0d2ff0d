"""Trade Union Act 2016 thresholds on industrial-action ballots."""

from __future__ import annotations

from omov.rules import DecisionKind as K
from tests.rules.helpers import of_kind, replay

BOOK = "union/industrial-action-2016"


def verdict(decisions):
    return decisions[-1]


def test_pcs_july_2018_fails_the_50_percent_turnout():
    # PCS national ballot, July 2018: yes 50,726 (85.6%), no 8,528 (14.4%), turnout 41.6%.
    decisions = replay(
        BOOK,
        "[{type: industrial-action-ballot, opened: 2018-06-25, yes_votes: 50726, "
        "no_votes: 8528, turnout: '41.6%'}]",
    )
    turnout, majority, final = decisions
    assert turnout.kind is K.BALLOT_FAILS
    assert turnout.summary == "turnout 41.6% is below 50%"
    assert majority.kind is K.BALLOT_VALID
    assert majority.summary == "a majority voted yes (85.6%)"
    assert final.kind is K.BALLOT_FAILS
    assert final.summary == "No mandate for industrial action"


def test_before_march_2017_only_a_majority_is_needed():
    decisions = replay(
        BOOK,
        "[{type: industrial-action-ballot, opened: 2016-06-01, yes_votes: 50726, "
        "no_votes: 8528, turnout: '41.6%'}]",
    )
    assert [d.kind for d in decisions] == [K.BALLOT_VALID, K.BALLOT_VALID]
    assert "6 months" in verdict(decisions).explanation


def test_important_public_services_need_40_percent_of_all_entitled_voting_yes():
    template = (
        "[{{type: industrial-action-ballot, opened: 2018-01-10, entitled: 100000, "
        "yes_votes: {yes}, no_votes: {no}, important_public_services: true}}]"
    )
    short = replay(BOOK, template.format(yes=39999, no=12001))
    assert [d.kind for d in short] == [
        K.BALLOT_VALID,
        K.BALLOT_VALID,
        K.BALLOT_FAILS,
        K.BALLOT_FAILS,
    ]
    assert short[2].arithmetic == "39,999 yes of 100,000 entitled; 40000 needed"
    assert short[0].arithmetic == "52,000 voted of 100,000 entitled = 52.0%; 50% needed"
    enough = replay(BOOK, template.format(yes=40000, no=12000))
    assert verdict(enough).kind is K.BALLOT_VALID


def test_turnout_exactly_half_passes_and_just_under_fails():
    line = (
        "[{{type: industrial-action-ballot, opened: 2020-01-01, entitled: 1000, "
        "yes_votes: {y}, no_votes: 100}}]"
    )
    assert verdict(replay(BOOK, line.format(y=400))).kind is K.BALLOT_VALID
    under = replay(BOOK, line.format(y=399))
    assert of_kind(under, K.BALLOT_FAILS)[0].summary == "turnout 49.9% is below 50%"
