from fractions import Fraction

from omov.count import BallotSet, CountOptions, TieBreakMode, count


def test_single_seat_counts_first_preferences():
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[0, 1], [1], [1, 0], [2]])
    report = count(ballots, method="fptp")
    assert report.elected == ("B",)
    assert report.rounds[0].tallies == {"A": 1, "B": 2, "C": 1}


def test_block_vote_counts_each_ballots_top_choices():
    ballots = BallotSet.from_rankings(["A", "B", "C"], [[0, 1, 2], [1, 2], [2], [0, 2]])
    report = count(ballots, method="fptp", seats=2)
    assert report.rounds[0].tallies == {"A": Fraction(2), "B": Fraction(2), "C": Fraction(3)}
    assert report.elected[0] == "C"
    assert len(report.elected) == 2


def test_tie_is_broken_by_candidate_order_and_recorded():
    ballots = BallotSet.from_rankings(["A", "B"], [[0], [1]])
    report = count(
        ballots, method="fptp", options=CountOptions(tie_break=TieBreakMode.CANDIDATE_ORDER)
    )
    assert report.elected == ("A",)
    assert report.tie_breaks[0].tied == ("A", "B")
    assert report.tie_breaks[0].resolved_by == "candidate order"


def test_sections_are_tallied_separately():
    ballots = BallotSet.from_rankings(["A", "B"], [[0], [1], [0]], sections=["m", "s", "s"])
    report = count(ballots, method="fptp")
    assert report.rounds[0].sections["m"].tallies == {"A": 1, "B": 0}
    assert report.rounds[0].sections["s"].tallies == {"A": 1, "B": 1}
