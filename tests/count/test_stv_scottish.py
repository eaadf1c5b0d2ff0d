"""Scottish STV on small profiles worked by hand from rules 45-52 (the 84 official wards
are in tests/golden/test_scotland_2017.py)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from pref_voting.profiles import Profile
from pref_voting.voting_methods import instant_runoff_put

from omov.count import BallotSet, count
from omov.count.report import EXHAUSTED, RESIDUAL_SURPLUS


def F(text: str) -> Fraction:
    return Fraction(text)


def test_quota_is_whole_votes_over_seats_plus_one_plus_one() -> None:
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[0], [1], [2]], weights=[10, 7, 3])
    assert count(ballots, method="scottish-stv", seats=2).quota == 20 // 3 + 1


def test_each_paper_moves_at_its_own_truncated_value() -> None:
    """Rule 48(3): A's surplus gives B papers worth 0.375; B's surplus then moves its own
    papers at 2x1/7 = 0.28571 and A's at 2x0.375/7 = 0.10714 (not 0.375 x 0.28571)."""
    candidates = ["A", "B", "C", "D", "E"]
    rankings = [[0, 1, 2], [1, 2], [2], [3], [4]]
    ballots = BallotSet.from_rankings(candidates, rankings, weights=[8, 4, 3, 1, 2])
    report = count(ballots, method="scottish-stv", seats=3)
    assert report.quota == 5  # 18 // 4 + 1
    first, second, third = report.rounds[:3]
    assert first.elected == ("A",)
    assert first.transfers[0].transfer_value == F("0.375")
    assert second.tallies["B"] == 7
    assert second.elected == ("B",)
    b_surplus = second.transfers[0]
    assert b_surplus.source == "B"
    assert b_surplus.to["C"] == 4 * F("0.28571") + 8 * F("0.10714")  # 1.99996
    assert b_surplus.to[RESIDUAL_SURPLUS] == F("0.00004")
    assert third.tallies == {"A": 5, "B": 5, "C": F("4.99996"), "D": 1, "E": 2}
    assert report.elected == ("A", "B", "C")
    assert [r.excluded for r in report.rounds] == [(), (), ("D",), ("E",), ()]


def test_a_candidate_at_exactly_the_quota_has_no_transfer_stage() -> None:
    ballots = BallotSet.from_rankings(
        ["A", "B", "C"], [[0, 2], [1], [2, 1]], weights=[4, 3, 2]
    )  # quota 9 // 3 + 1 = 4: A has it exactly
    report = count(ballots, method="scottish-stv", seats=2)
    assert report.rounds[0].elected == ("A",)
    assert [t.kind for r in report.rounds for t in r.transfers] == ["exclusion"]
    assert report.rounds[0].excluded == ("C",)
    assert report.rounds[1].tallies == {"A": 4, "B": 5}
    assert report.elected == ("A", "B")


def test_largest_surplus_goes_first() -> None:
    ballots = BallotSet.from_rankings(
        ["A", "B", "C", "D"], [[0, 2], [1, 3], [2], [3]], weights=[6, 9, 1, 1]
    )  # quota 17 // 4 + 1 = 5
    report = count(ballots, method="scottish-stv", seats=3)
    assert report.rounds[0].elected == ("B", "A")
    assert [t.source for r in report.rounds for t in r.transfers][:2] == ["B", "A"]


def test_exclusion_tie_looks_back_to_the_most_recent_stage_that_differs() -> None:
    """Rule 51: B and C are level at 4 after A's surplus, but C had fewer at stage 1,
    so C is excluded (candidate order, which lists C first, would have chosen B)."""
    ballots = BallotSet.from_rankings(
        ["A", "C", "B", "D"], [[0, 1], [1], [2], [3]], weights=[10, 2, 4, 6]
    )
    report = count(ballots, method="scottish-stv", seats=2)
    assert report.quota == 8  # 22 // 3 + 1
    assert report.rounds[0].transfers[0].transfer_value == F("0.2")
    assert report.rounds[1].tallies["B"] == report.rounds[1].tallies["C"] == 4
    assert report.rounds[1].excluded == ("C",)
    tie = report.rounds[1].tie_breaks[0]
    assert tie.chosen == "C"
    assert tie.resolved_by == "fewest votes at round 1"


def test_exact_tie_throughout_is_decided_by_a_recorded_lot() -> None:
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[0], [1], [2]], weights=[4, 2, 2])
    report = count(ballots, method="scottish-stv", seats=1)
    tie = report.rounds[0].tie_breaks[0]
    assert set(tie.tied) == {"B", "C"}
    assert tie.resolved_by.startswith("lot")
    assert report.rounds[0].excluded == (tie.chosen,)


def test_rule_52_elects_the_last_continuing_candidates_without_transfers() -> None:
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[0], [1], [2]], weights=[5, 4, 3])
    report = count(ballots, method="scottish-stv", seats=3)
    assert len(report.rounds) == 1
    assert set(report.elected) == {"A", "B", "C"}


def test_non_transferable_papers_are_recorded_as_exhausted() -> None:
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[0], [1], [2, 0]], weights=[5, 4, 1])
    report = count(ballots, method="scottish-stv", seats=1)
    assert report.rounds[0].excluded == ("C",)
    assert report.rounds[0].transfers[0].to == {"A": 1}
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[0], [1], [2]], weights=[5, 4, 1])
    report = count(ballots, method="scottish-stv", seats=1)
    assert report.rounds[0].transfers[0].to == {EXHAUSTED: 1}
    assert report.rounds[1].inactive_total == 1


def test_sections_ride_along_and_add_up() -> None:
    ballots = BallotSet.from_rankings(
        ["A", "B", "C"],
        [[0, 1], [0, 2], [1], [2]],
        weights=[4, 3, 2, 2],
        sections=["members", "supporters", "members", "supporters"],
    )
    report = count(ballots, method="scottish-stv", seats=2)
    for round_ in report.rounds:
        for name, votes in round_.tallies.items():
            by_section = sum(s.tallies.get(name, 0) for s in round_.sections.values())
            # an elected candidate keeps the quota; sections show what each paper kept,
            # which can exceed the quota only by the truncation loss
            assert 0 <= by_section - votes <= round_.residual_surplus


def random_profile(rng: np.random.Generator, n: int) -> tuple[list[list[int]], list[int]]:
    orders = [list(rng.permutation(n)) for _ in range(rng.integers(3, 9))]
    weights = [int(w) for w in rng.integers(1, 40, len(orders))]
    return [[int(c) for c in o] for o in orders], weights


@pytest.mark.parametrize("method", ["scottish-stv", "ers97"])
def test_one_seat_agrees_with_pref_voting_instant_runoff(method: str) -> None:
    """With one seat both STV rules are the alternative vote. pref_voting's IRV with
    parallel-universe tie-breaking lists every winner some order of exclusion could give;
    where that is one candidate, ties cannot matter and ours must agree. (ERS97 excludes
    several together, which can only differ from one-by-one exclusion through a tie.)"""
    rng = np.random.default_rng(2017)
    compared = 0
    for _ in range(150):
        n = int(rng.integers(3, 6))
        orders, weights = random_profile(rng, n)
        winners = instant_runoff_put(Profile(orders, rcounts=weights))
        if len(winners) != 1:
            continue
        names = [f"c{i}" for i in range(n)]
        ballots = BallotSet.from_rankings(names, orders, weights=weights)
        report = count(ballots, method=method, seats=1)
        if report.tie_breaks:
            continue
        assert report.elected == (names[winners[0]],), (orders, weights)
        compared += 1
    assert compared > 100


def test_withdrawn_candidates_are_passed_over_from_the_first_stage() -> None:
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[1, 0], [0], [2]], weights=[3, 2, 4])
    withdrawn = BallotSet(
        ballots.candidates, ballots.rankings, ballots.weights, withdrawn=frozenset({1})
    )
    report = count(withdrawn, method="scottish-stv", seats=1)
    assert report.rounds[0].tallies == {"A": 5, "C": 4}
    assert report.elected == ("A",)
