"""Meek STV against an independent implementation's published figures.

The reference is Droop (Jonathan Lundell's STV tabulator) counting by the Proportional
Representation Foundation's Meek reference rule (fixed point, 9 decimals, omega 10^-6),
the rule our ``meek`` implements: its reference dumps for its test elections ``SC.blt``
(the Green Party of the United States' 2005 steering committee election: 13 candidates,
4 seats, 94 ballots), ``513.blt`` and ``42u.blt``. We compare every round's quota and
the standing candidates' votes to the last of 9 decimals.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from omov.count import (
    BallotSet,
    CountOptions,
    Inactive,
    MethodError,
    Quota,
    TieBreakMode,
    count,
)
from omov.count.ballots import BLANK, OVERVOTE
from tests.count.reports.rcvis import assert_rcvis_accepts

SC_CANDIDATES = (
    "Budd Dickinson", "Kirit Mookerjee", "Tom Sevigny", "Pat LaMarche", "Michael Piacsek",
    "Write-In 2", "Rebecca Rotzler", "Kristen Olsen", "Jason Jones", "Write-In 1",
    "Steve Greenfield", "Jimmy Leas", "Steve Kramer",
)  # fmt: skip

# One ballot per "/"-separated group; candidates numbered from 1 as in the BLT file.
SC_BALLOTS = """
7 8 9 11 12 / 7 8 9 11 12 / 13 7 5 4 2 1 / 5 13 2 7 4 1 / 13 4 1 2 / 4 2 13 1 3
4 13 2 7 / 7 8 12 1 13 9 2 4 11 5 / 1 13 3 4 7 5 2 / 4 1 13 7 3 5 2
4 1 13 7 3 5 2 / 1 4 13 2 7 5 3 9 8 12 11 / 7 1 8 9 13 3 2 4 12 5 11
7 8 9 11 12 / 7 1 8 9 13 3 2 4 12 5 11 / 7 8 9 11 12 / 7 8 9 11 12 / 7 8 9 11 12
5 1 13 3 2 4 7 / 7 8 9 3 12 2 13 5 1 4 / 3 13 1 2 / 3 13 1 2 / 4 7 13 5
4 5 13 3 2 1 / 7 8 9 11 12 / 7 9 8 12 11 2 13 / 7 8 9 11 12 / 7 8 9 11 12
4 3 13 1 / 4 3 13 1 / 13 3 4 1 7 2 5 / 3 13 4 1 7 2 5 / 13 3 4 1 2 5 7
13 1 4 2 5 3 7 / 13 4 3 1 2 5 / 3 13 1 4 2 7 5 / 4 3 13 8 / 4 3 13 1 / 1 4 13 7
1 4 13 7 / 7 3 4 13 1 5 / 9 11 8 7 / 7 8 9 11 12 / 13 3 5 2 / 4 5 2 3 13
13 5 2 4 1 3 7 / 13 5 2 1 7 3 8 / 7 8 9 12 11 / 7 8 4 9 12 / 13 4 7 2 8
4 13 2 7 1 8 / 7 8 11 9 12 / 8 4 7 11 13 9 / 7 4 2 13 / 13 1 7 4 / 4 1 2 13 9 5
1 4 13 5 3 2 / 7 5 4 8 11 2 13 1 3 9 12 / 4 8 7 5 13 2 1 3 9
3 4 7 2 12 13 8 1 5 / 7 8 9 11 12 / 7 8 11 9 / 7 8 11 9 / 7 8 9 11 12
7 8 9 11 12 / 7 8 9 11 12 / 13 2 4 7 5 1 / 7 8 9 11 12 / 7 8 9 11 / 7 8 9 11 12
2 7 8 12 13 11 1 5 9 / 4 7 8 2 / 4 13 5 2 1 3 / 13 4 7 3 1 5 8 2 9 / 4 3 13 1 7
13 4 1 3 / 4 1 13 3 2 7 8 / 2 4 13 5 / 2 3 4 1 13 7 / 3 1 4 13 / 4 3 1 2 11
3 1 4 13 2 7 / 4 1 2 8 3 / 4 1 5 13 2 3 / 4 1 5 13 2 3 / 7 8 9 11 12
7 8 9 11 12 / 13 7 3 2 5 4 1 / 13 5 7 2 4 1 / 7 8 9 11 12 / 1 13 3 7 2 4 5
13 1 2 7 4 5 3 / 13 1 2 7 4 5 3 / 3 1 4 2 13 7 9 5 8
"""


def _sc() -> BallotSet:
    papers = [group.split() for group in SC_BALLOTS.replace("\n", " / ").split("/")]
    rankings = [[int(c) - 1 for c in paper] for paper in papers if paper]
    return BallotSet.from_rankings(SC_CANDIDATES, rankings)


# Droop's meek-prf dump for SC.blt: per round, the quota and the votes of the candidates
# the round ends on (the reference's rounds 2-5 defeat the four candidates with no votes,
# one a round, and leave every figure unchanged, so they are checked once).
SC_REFERENCE = {
    1: ("18.800000001", {"Pat LaMarche": "22", "Rebecca Rotzler": "33", "Steve Kramer": "18",
                         "Tom Sevigny": "8", "Budd Dickinson": "6"}),
    2: ("18.800000001", {"Budd Dickinson": "8.006073598", "Kirit Mookerjee": "3.232685848",
                         "Tom Sevigny": "9.408174589", "Pat LaMarche": "18.800000609",
                         "Michael Piacsek": "2.759954125", "Rebecca Rotzler": "18.800000299",
                         "Kristen Olsen": "13.000470959", "Jason Jones": "1.435843893",
                         "Steve Kramer": "18.556796080"}),
    7: ("18.800000001", {"Kristen Olsen": "14.436314852", "Michael Piacsek": "2.759954125"}),
    8: ("18.800000001", {"Budd Dickinson": "9.006073598", "Kirit Mookerjee": "3.394740964",
                         "Pat LaMarche": "19.165213770", "Kristen Olsen": "14.506945584",
                         "Steve Kramer": "19.718851196"}),
    9: ("18.799133306", {"Budd Dickinson": "9.427381450", "Kirit Mookerjee": "3.730149807",
                         "Tom Sevigny": "9.774255128", "Pat LaMarche": "18.799133460",
                         "Rebecca Rotzler": "18.799133416", "Kristen Olsen": "14.666479770",
                         "Steve Kramer": "18.799133497"}),
    10: ("18.789719295", {"Budd Dickinson": "10.204118384", "Tom Sevigny": "11.498644230",
                          "Pat LaMarche": "18.789719457", "Rebecca Rotzler": "18.789719396",
                          "Kristen Olsen": "15.876675538", "Steve Kramer": "18.789719467"}),
    11: ("18.586296861", {"Tom Sevigny": "16.482212783", "Pat LaMarche": "19.087429756",
                          "Rebecca Rotzler": "19.073682122", "Kristen Olsen": "19.085721549",
                          "Steve Kramer": "19.202438090"}),
}  # fmt: skip


def test_sc_rounds_match_the_reference_to_nine_decimals() -> None:
    report = count(_sc(), method="meek", seats=4)
    assert_rcvis_accepts(report)
    assert report.valid_ballots == 94
    for number, (quota, votes) in SC_REFERENCE.items():
        round_ = report.rounds[number - 1]
        assert round_.threshold == Fraction(quota), number
        for name, expected in votes.items():
            assert round_.tallies[name] == Fraction(expected), (number, name)


def test_sc_elected_and_excluded_as_the_reference() -> None:
    report = count(_sc(), method="meek", seats=4)
    assert set(report.elected) == {
        "Rebecca Rotzler",
        "Pat LaMarche",
        "Steve Kramer",
        "Kristen Olsen",
    }
    assert report.elected[2:] == ("Steve Kramer", "Kristen Olsen")
    excluded = [name for r in report.rounds for name in r.excluded]
    no_votes = {"Write-In 2", "Write-In 1", "Steve Greenfield", "Jimmy Leas"}
    assert set(excluded[:4]) == no_votes  # the order among them is a tie-break
    assert excluded[4:] == [
        "Jason Jones", "Michael Piacsek", "Kirit Mookerjee", "Budd Dickinson",
    ]  # fmt: skip
    assert len(report.rounds) == 11
    # The reference defeats Tom Sevigny once the seats are filled; nothing moves then, so
    # the last round says so rather than excluding anyone (an exclusion is followed by
    # the round its votes move to).
    assert report.rounds[-1].excluded == ()
    assert "every seat is filled (Tom Sevigny not elected)" in report.rounds[-1].note


def test_keep_factors_and_conservation_in_each_round() -> None:
    report = count(_sc(), method="meek", seats=4)
    assert "Pat LaMarche 0.602321356" in report.rounds[-1].note
    for round_ in report.rounds:
        held = sum(round_.tallies.values(), Fraction(0))
        assert held + round_.inactive_total == 94
        assert round_.residual_surplus == 0
        assert all((v * 10**9).denominator == 1 for v in round_.tallies.values())


@pytest.mark.parametrize(
    ("ballots", "weights", "quota", "castor", "kf", "pollux"),
    [
        # 513.blt: 5 Castor>Pollux, 1 Pollux, 3 Helen; 2 seats.
        ([[0, 1], [1], [2]], [5, 1, 3], "3.000000001", "3.000000005", "0.600000001",
         "2.999999995"),
        # 42u.blt: 4 Castor>Pollux, 2 Helen; 2 seats.
        ([[0, 1], [2]], [4, 2], "2.000000001", "2.000000004", "0.500000001", "1.999999996"),
    ],
)  # fmt: skip
def test_pollux_and_helen_do_not_quite_tie(
    ballots: list[list[int]], weights: list[int], quota: str, castor: str, kf: str, pollux: str
) -> None:
    """Pollux and Helen "should tie" (the file's title), but fixed-point rounding leaves
    Pollux 5 units of 10^-9 short of Helen, more than the 4-unit surplus: no tie."""
    candidates = ("Castor", "Pollux", "Helen")
    ballot_set = BallotSet.from_rankings(candidates, ballots, weights=weights)
    options = CountOptions(tie_break=TieBreakMode.CANDIDATE_ORDER)
    report = count(ballot_set, method="meek", seats=2, options=options)
    assert_rcvis_accepts(report)
    second = report.rounds[1]
    assert second.threshold == Fraction(quota)
    assert second.tallies["Castor"] == Fraction(castor)
    assert second.tallies["Pollux"] == Fraction(pollux)
    assert f"Castor {kf}" in second.note
    assert second.excluded == ("Pollux",)
    assert second.tie_breaks == ()
    assert report.elected == ("Castor", "Helen")


def test_hare_quota_divides_by_seats() -> None:
    ballots = BallotSet.from_rankings(("A", "B", "C"), [[0, 1], [1], [2]], weights=[6, 2, 2])
    report = count(ballots, method="meek", seats=2, options=CountOptions(quota=Quota.HARE))
    assert report.rounds[0].threshold == Fraction(5) + Fraction(1, 10**9)
    assert report.rounds[0].elected == ("A",)


def test_excess_is_kept_by_the_reason_each_paper_stops() -> None:
    """A surplus on papers that end in an overvote leaves the count as overvotes."""
    grid = np.array([[0, OVERVOTE, 1], [0, 1, BLANK], [1, BLANK, BLANK], [2, BLANK, BLANK]])
    ballots = BallotSet.from_grid(["A", "B", "C"], grid, weights=np.array([5, 1, 1, 1]))
    second = count(ballots, method="meek", seats=2).rounds[1]
    assert second.inactive[Inactive.OVERVOTE] > 3
    assert second.inactive[Inactive.EXHAUSTED] == 0
    assert sum(second.tallies.values()) + second.inactive_total == 8


def test_precision_beyond_nine_decimals_is_refused() -> None:
    ballots = BallotSet.from_rankings(("A", "B"), [[0], [1]])
    with pytest.raises(MethodError, match=r"1\.\.9 decimal places"):
        count(ballots, method="meek", options=CountOptions(decimals=12))
    six = count(ballots, method="meek", seats=1, options=CountOptions(decimals=6))
    assert six.rounds[0].threshold == Fraction(1) + Fraction(1, 10**6)
