"""WIGM (RCTab's multi-seat STV) edge cases.

RCTab modes and what is left out:
- multiWinnerAllowMultipleWinnersPerRound: "wigm"; multiWinnerAllowOnlyOneWinnerPerRound:
  "wigm-one-per-round"; bottomsUp: "wigm-bottoms-up"; multiPassIrv: repeated "irv" passes in
  ``omov.count.rctab_config`` (RCTab's expected reports: tests/golden/test_rctab.py).
- Left out: bottomsUpUsingPercentageThreshold (no rulebook of ours uses it and no RCTab case
  we can read exercises it), minimumVoteThreshold, doesFirstRoundDetermineThreshold and
  stopTabulationEarlyAfterRound (the config runner refuses them with a message).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from omov.count import BallotSet, CountOptions, Quota, TieBreakMode, count
from omov.count.report import RESIDUAL_SURPLUS

ORDER = CountOptions(tie_break=TieBreakMode.CANDIDATE_ORDER)


def _ballots(names: str, papers: dict[str, int]) -> BallotSet:
    rankings = [[names.index(c) for c in paper] for paper in papers]
    return BallotSet.from_rankings(list(names), rankings, weights=list(papers.values()))


@pytest.mark.parametrize(
    ("options", "threshold"),
    [
        (CountOptions(), Fraction(8)),  # floor(29 / 4) + 1
        (CountOptions(whole_threshold=False), Fraction(72501, 10000)),  # 7.25 + 0.0001
        (CountOptions(quota=Quota.HARE), Fraction(10)),  # ceil(29 / 3)
        (CountOptions(quota=Quota.HARE, whole_threshold=False), Fraction(96667, 10000)),
    ],
)
def test_thresholds(options: CountOptions, threshold: Fraction) -> None:
    ballots = _ballots("ABCD", {"A": 9, "B": 8, "C": 7, "D": 5})
    report = count(ballots, method="wigm", seats=3, options=options)
    assert report.rounds[0].threshold == threshold
    assert report.quota == threshold


def test_surplus_moves_at_a_truncated_fraction_and_the_loss_is_residual() -> None:
    # 24 ballots, 2 seats: threshold floor(24 / 3) + 1 = 9; A has 10.
    ballots = _ballots("ABCD", {"AB": 7, "AC": 3, "B": 4, "C": 5, "D": 5})
    report = count(ballots, method="wigm", seats=2, options=ORDER)
    first = report.rounds[0]
    assert first.threshold == 9
    assert first.elected == ("A",)
    (surplus,) = first.transfers
    # fraction = (10 - 9) / 10 = 0.1; each of the 7 + 3 papers carries 0.1 on.
    assert dict(surplus.to) == {"B": Fraction(7, 10), "C": Fraction(3, 10)}
    assert report.rounds[1].tallies["A"] == 9


def test_truncation_loss_is_reported_as_residual_surplus() -> None:
    # Threshold 8 of 29 with 3 seats; A has 9: fraction 1/9 -> 0.1111, 9 x 0.1111 = 0.9999.
    ballots = _ballots("ABCDE", {"AB": 9, "B": 6, "C": 6, "D": 5, "E": 3})
    report = count(ballots, method="wigm", seats=3, options=ORDER)
    (surplus,) = report.rounds[0].transfers
    assert surplus.to[RESIDUAL_SURPLUS] == Fraction(1, 10000)
    assert surplus.to["B"] == Fraction(9999, 10000)
    assert report.rounds[1].residual_surplus == Fraction(1, 10000)


def test_votes_are_conserved_every_round_including_the_final_surplus() -> None:
    ballots = _ballots("ABCDEF", {"ACE": 9, "BD": 7, "CB": 5, "D": 3, "EF": 4, "FA": 2})
    report = count(ballots, method="wigm", seats=3, options=ORDER)
    assert len(report.elected) == 3
    for round_ in report.rounds:
        total = round_.continuing_total + round_.inactive_total + round_.residual_surplus
        assert total == ballots.total


def test_only_one_winner_per_round_when_asked() -> None:
    ballots = _ballots("ABCD", {"A": 12, "B": 10, "C": 4, "D": 3})
    many = count(ballots, method="wigm", seats=2, options=ORDER)
    one = count(ballots, method="wigm-one-per-round", seats=2, options=ORDER)
    assert many.rounds[0].elected == ("A", "B")
    assert one.rounds[0].elected == ("A",)
    assert one.rounds[1].elected == ("B",)
    assert one.elected == many.elected


def test_bottoms_up_excludes_until_the_seats_are_left_and_moves_no_surplus() -> None:
    ballots = _ballots("ABCD", {"AC": 12, "B": 5, "C": 4, "DB": 3})
    report = count(ballots, method="wigm-bottoms-up", seats=2, options=ORDER)
    assert [r.excluded for r in report.rounds[:-1]] == [("D",), ("C",)]
    assert report.final_round.elected == ("A", "B")
    assert all(t.kind == "exclusion" for r in report.rounds for t in r.transfers)
    assert report.options["rctab"] == {"fixed": {}}


def test_when_as_many_remain_as_seats_they_are_all_elected() -> None:
    ballots = _ballots("ABC", {"A": 4, "B": 3, "C": 2})
    report = count(ballots, method="wigm", seats=2, options=ORDER)
    # A reaches the threshold (4) exactly: elected, nothing to transfer. C goes out; then
    # B is the only continuing candidate for the one seat left, below the threshold.
    assert [r.elected for r in report.rounds] == [("A",), (), ("B",), ()]
    assert report.rounds[1].excluded == ("C",)
    assert report.rounds[0].transfers == ()
    assert report.rounds[2].tallies["B"] == 3


def test_each_sections_ballots_are_accounted_for_in_every_round() -> None:
    names = "ABCD"
    papers = ["AB", "AB", "AC", "B", "C", "CD", "D", "AD", "A"]
    sections = ["m", "s", "m", "s", "m", "s", "m", "s", "m"]
    ballots = BallotSet.from_rankings(
        list(names), [[names.index(c) for c in p] for p in papers], sections=sections
    )
    report = count(ballots, method="wigm", seats=2, options=ORDER)
    assert report.rounds[0].elected == ("A",)
    for round_ in report.rounds:
        cast = {
            s: sum(f.tallies.values(), Fraction(0)) + f.inactive for s, f in round_.sections.items()
        }
        assert set(round_.sections["m"].tallies) >= set(round_.tallies)
        assert cast["m"] + cast["s"] <= ballots.total
        assert cast["m"] + cast["s"] >= ballots.total - round_.residual_surplus
        assert cast["m"] <= sections.count("m")
        assert cast["s"] <= sections.count("s")
