"""The exhaustive ballot against the Conservative MPs' ballots of 2016 and 2022
(../shared/domain/rules-and-results.md: published round figures)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from omov.count import BallotSet, CountOptions, MethodError, count

CANDIDATES_2022 = (
    "Sunak",
    "Mordaunt",
    "Truss",
    "Badenoch",
    "Tugendhat",
    "Braverman",
    "Zahawi",
    "Hunt",
)
FIRST_BALLOT_2022 = (88, 67, 50, 40, 37, 32, 25, 18)


def _first_preferences(candidates: tuple[str, ...], votes: tuple[int, ...]) -> BallotSet:
    return BallotSet.from_rankings(candidates, [[i] for i in range(len(votes))], weights=votes)


def test_conservative_2022_first_ballot_minimum_of_30() -> None:
    """Round 1 needed 30 MPs: Hunt (18) and Zahawi (25) out together, Braverman (32) stays."""
    ballots = _first_preferences(CANDIDATES_2022, FIRST_BALLOT_2022)
    options = CountOptions(minimum_votes={1: 29}, stop_at=2)
    first = count(ballots, method="exhaustive", options=options).rounds[0]
    assert first.tallies == dict(
        zip(CANDIDATES_2022, map(Fraction, FIRST_BALLOT_2022), strict=True)
    )
    assert set(first.excluded) == {"Zahawi", "Hunt"}


def test_conservative_2022_second_ballot_lowest_out() -> None:
    """Zahawi's and Hunt's MPs move on; the second ballot has no minimum, so the lowest
    (Braverman, 27 in the real second ballot) goes. A fresh ballot can also take votes
    away; transfers only add, so we reproduce the top three's real second-ballot figures."""
    sunak, mordaunt, truss, zahawi, hunt = 0, 1, 2, 6, 7
    moves = {(zahawi, sunak): 13, (zahawi, mordaunt): 12, (hunt, mordaunt): 4, (hunt, truss): 14}
    rankings = [[i] for i in range(6)] + [list(pair) for pair in moves]
    weights = list(FIRST_BALLOT_2022[:6]) + list(moves.values())
    ballots = BallotSet.from_rankings(CANDIDATES_2022, rankings, weights=weights)
    report = count(
        ballots, method="exhaustive", options=CountOptions(minimum_votes={1: 29}, stop_at=2)
    )
    second = report.rounds[1]
    assert second.tallies["Sunak"] == 101
    assert second.tallies["Mordaunt"] == 83
    assert second.tallies["Truss"] == 64
    assert second.excluded == ("Braverman",)
    from_hunt = next(t for t in report.rounds[0].transfers if t.source == "Hunt")
    assert from_hunt.to == {"Mordaunt": 4, "Truss": 14}
    assert report.elected == ("Sunak", "Mordaunt")  # these ballots only ever add to R1
    assert len(report.rounds) == 6


def test_conservative_2016_majority_does_not_end_the_mps_stage() -> None:
    """May had 165 of 329 (50.15%) in round 1, yet the MPs' ballots went on to two."""
    names = ("May", "Leadsom", "Gove", "Crabb", "Fox")
    ballots = _first_preferences(names, (165, 66, 48, 34, 16))
    report = count(ballots, method="exhaustive", options=CountOptions(stop_at=2))
    assert report.rounds[0].excluded == ("Fox",)
    assert report.elected == ("May", "Leadsom")
    without_stage = count(ballots, method="exhaustive")
    assert without_stage.elected == ("May",)
    assert len(without_stage.rounds) == 1


def test_conservative_2019_minimums_after_rounds_one_and_two() -> None:
    """2019 rules: at most 16 votes out after round 1, at most 32 after round 2."""
    names = ("A", "B", "C", "D", "E", "F")
    ballots = BallotSet.from_rankings(
        names, [[0], [1], [2], [3], [4, 1], [5, 0]], weights=[90, 50, 31, 28, 16, 12]
    )
    options = CountOptions(minimum_votes={1: 16, 2: 32})
    report = count(ballots, method="exhaustive", options=options)
    assert set(report.rounds[0].excluded) == {"E", "F"}
    assert report.rounds[1].tallies == {"A": 102, "B": 66, "C": 31, "D": 28}
    assert set(report.rounds[1].excluded) == {"C", "D"}
    assert report.rounds[2].elected == ("A",)


def test_minimum_that_would_remove_everyone_falls_back_to_the_lowest() -> None:
    ballots = _first_preferences(("A", "B", "C"), (5, 4, 3))
    report = count(ballots, method="exhaustive", options=CountOptions(minimum_votes={1: 10}))
    assert report.rounds[0].excluded == ("C",)


def test_exhaustive_fills_one_seat() -> None:
    ballots = _first_preferences(("A", "B"), (2, 1))
    with pytest.raises(MethodError, match="fills one seat"):
        count(ballots, method="exhaustive", seats=2)
