"""ERS97 on profiles worked by hand from the rule text (sections 5.1-5.6)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from omov.count import BallotSet, CountOptions, count
from omov.count.formats import read_ballots
from omov.count.methods.stv_ers97_steps import ers97_quota
from omov.count.report import EXHAUSTED
from tests.count.reports.rcvis import assert_rcvis_accepts

FOOD = ["Orange", "Pear", "Chocolate", "Strawberry", "Bonbon", "Hamburger"]


def F(text: str) -> Fraction:
    return Fraction(text)


@pytest.mark.parametrize(
    ("votes", "seats", "quota"),
    [(104, 1, "52"), (105, 1, "52.5"), (107, 2, "35.67"), (108, 2, "36"), (20, 3, "5")],
)
def test_quota_is_taken_to_two_decimals_plus_001_unless_exact(
    votes: int, seats: int, quota: str
) -> None:
    assert Fraction(ers97_quota(votes * 100, seats), 100) == F(quota)


def food_election() -> BallotSet:
    rankings = [[0], [1, 0], [2, 3], [2, 4], [3], [5]]
    return BallotSet.from_rankings(FOOD, rankings, weights=[4, 2, 8, 4, 1, 1])


def test_food_election_stage_by_stage() -> None:
    """Worked by hand. Quota 20/4 = 5.00 exactly.
    1: Chocolate 12 elected; surplus 7 from all 12 papers at 7/12 = 0.58 (5.3.7),
       non-transferable difference 7 - 6.96 = 0.04.
    2: Strawberry 5.64 elected. Surplus 0.64 is deferred (5.2.2a: 0.64 <= 2 - 1), and
       Hamburger (1) excluded: non-transferable.
    3: Strawberry's surplus: only the last batch (the 8 papers from Chocolate, 5.3.2),
       none transferable, so 0.64 becomes non-transferable.
    4: Pear (2) excluded (2 + 2.32 > 4, so not with Bonbon); Orange reaches 6."""
    report = count(food_election(), method="ers97", seats=3)
    assert_rcvis_accepts(report)
    assert report.quota == 5
    r1, r2, r3, r4, r5 = report.rounds
    assert r1.elected == ("Chocolate",)
    assert r1.transfers[0].transfer_value == F("0.58")
    assert r1.transfers[0].to == {
        "Strawberry": F("4.64"),
        "Bonbon": F("2.32"),
        EXHAUSTED: F("0.04"),
    }
    assert r2.tallies["Strawberry"] == F("5.64")
    assert r2.elected == ("Strawberry",)
    assert r2.excluded == ("Hamburger",)
    assert "deferred" in r2.note
    assert r3.transfers[0].source == "Strawberry"
    assert r3.transfers[0].to == {EXHAUSTED: F("0.64")}
    assert r4.inactive_total == F("1.68")
    assert r4.excluded == ("Pear",)
    assert r5.tallies == {"Orange": 6, "Chocolate": 5, "Strawberry": 5, "Bonbon": F("2.32")}
    assert report.elected == ("Chocolate", "Strawberry", "Orange")


def test_several_lowest_are_excluded_together() -> None:
    """5.2.5: C, D and E hold 3 between them, not more than B's 8: one stage."""
    ballots = BallotSet.from_rankings(
        ["A", "B", "C", "D", "E"], [[0], [1], [2, 1], [3, 1], [4, 1]], weights=[10, 8, 1, 1, 1]
    )
    report = count(ballots, method="ers97", seats=1)
    assert set(report.rounds[0].excluded) == {"C", "D", "E"}
    assert not report.tie_breaks
    assert report.rounds[1].tallies == {"A": 10, "B": 11}
    assert report.elected == ("B",)


def test_quota_falls_while_nobody_is_elected() -> None:
    """5.4.8: C's 2 papers become non-transferable before anyone is elected, so the quota
    is recalculated on 7 votes: 3.50, which A's 4 reaches."""
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[0], [1], [2]], weights=[4, 3, 2])
    report = count(ballots, method="ers97", seats=1)
    assert report.rounds[0].threshold == F("4.5")
    assert report.rounds[0].excluded == ("C",)
    assert report.rounds[1].threshold == F("3.5")
    assert report.rounds[1].elected == ("A",)


def test_a_later_surplus_moves_only_the_last_batch() -> None:
    """Quota 21/4 = 5.25. A's surplus 6.75 moves its 12 papers at 0.56 to B (11.72,
    difference 0.03). B's surplus 6.47 then comes only from that last batch (5.3.2):
    12 papers at 6.47/12 = 0.53 to C. Had B's own 5 first preferences (B>D) been
    examined too, D would have received some."""
    ballots = BallotSet.from_rankings(
        ["A", "B", "C", "D"], [[0, 1, 2], [1, 3], [2], [3]], weights=[12, 5, 3, 1]
    )
    report = count(ballots, method="ers97", seats=3)
    assert_rcvis_accepts(report)
    assert report.quota == F("5.25")
    a_surplus = report.rounds[0].transfers[0]
    assert a_surplus.to == {"B": F("6.72"), EXHAUSTED: F("0.03")}
    assert report.rounds[1].tallies["B"] == F("11.72")
    b_surplus = report.rounds[1].transfers[0]
    assert b_surplus.source == "B"
    assert b_surplus.transfer_value == F("0.53")
    assert b_surplus.to == {"C": F("6.36"), EXHAUSTED: F("0.11")}
    assert report.elected == ("A", "B", "C")


def test_votes_are_conserved_on_real_wards(data_dir: Path) -> None:
    folder = data_dir / "scotland-2017" / "blt"
    for ward in ["aberdeen_2017_ward2", "glasgow_2017_ward19", "highland_2017_ward3"]:
        ballots = read_ballots(folder / f"{ward}.blt")
        report = count(ballots, method="ers97", seats=ballots.seats or 1)
        assert_rcvis_accepts(report)
        assert len(report.elected) == ballots.seats
        for round_ in report.rounds:
            held = round_.continuing_total + round_.inactive_total + round_.residual_surplus
            assert held == ballots.total, (ward, round_.number)


def test_exclusion_tie_is_broken_at_the_earliest_point_of_difference() -> None:
    """5.2.5. Quota 54/3 = 18. X 2, Y 3 at the first stage; A's surplus (2 over 20 papers
    at 0.10) lifts X to 4; Z is excluded alone (2 + 3 > 4) and gives Y one paper: X and Y
    level at 4. At the earliest point they differ, the first stage, X had fewer, so X is
    excluded (the most recent difference, after A's surplus, would have chosen Y)."""
    candidates = ["A", "X", "Y", "Z", "W1", "W2", "W3", "W4"]
    rankings = [[0, 1], [1], [2], [3, 2], [3], [4], [5], [6], [7]]
    weights = [20, 2, 3, 1, 1, 7, 7, 7, 6]
    report = count(
        BallotSet.from_rankings(candidates, rankings, weights=weights), method="ers97", seats=2
    )
    assert report.quota == 18
    assert report.rounds[0].transfers[0].to == {"X": 2}
    assert report.rounds[1].excluded == ("Z",)
    assert report.rounds[2].tallies["X"] == report.rounds[2].tallies["Y"] == 4
    assert report.rounds[2].excluded == ("X",)
    tie = report.rounds[2].tie_breaks[0]
    assert tie.resolved_by == "fewest votes at the first stage (5.2.3, 5.2.5)"


def test_a_tie_equal_at_every_point_is_decided_by_lot() -> None:
    tied = BallotSet.from_rankings(["A", "C", "D"], [[0], [1], [2]], weights=[3, 2, 2])
    report = count(tied, method="ers97", seats=1, options=CountOptions(seed=3))
    tie = report.rounds[0].tie_breaks[0]
    assert set(tie.tied) == {"C", "D"}
    assert tie.resolved_by == "lot (seed 3)"
