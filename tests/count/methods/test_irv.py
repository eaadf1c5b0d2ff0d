"""AV/IRV edge cases: thresholds, batch exclusion, tie-breaks, write-ins, counting on."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from omov.count import BallotSet, CountOptions, TieBreakMode, count
from omov.count.methods.irv import UNDECLARED_WRITE_INS, batch_exclusion
from omov.count.report import EXHAUSTED


def _ballots(names: str, papers: dict[str, int], sections: list[str] | None = None) -> BallotSet:
    """``papers``: ranking written as letters ("AB" = A then B) -> number of ballots."""
    rankings = [[names.index(c) for c in paper] for paper in papers]
    return BallotSet.from_rankings(
        list(names), rankings, weights=list(papers.values()), sections=sections
    )


def test_a_majority_of_first_preferences_wins_in_round_one() -> None:
    report = count(_ballots("ABC", {"A": 6, "B": 3, "C": 2}), method="irv")
    assert report.elected == ("A",)
    assert len(report.rounds) == 1
    assert report.rounds[0].threshold == 6  # floor(11 / 2) + 1


def test_the_threshold_follows_the_continuing_votes_of_each_round() -> None:
    report = count(_ballots("ABC", {"A": 4, "B": 3, "CB": 1, "C": 1}), method="irv")
    first, second = report.rounds
    assert first.threshold == 5
    assert first.excluded == ("C",)
    assert second.tallies == {"A": 4, "B": 4}
    assert second.threshold == 5  # 8 continuing votes: floor(8 / 2) + 1
    assert second.inactive_total == 1


def test_transfers_move_every_vote_of_the_excluded_candidate() -> None:
    report = count(_ballots("ABCD", {"A": 5, "B": 4, "CA": 2, "C": 1, "DB": 1}), method="irv")
    round_one = report.rounds[0]
    (transfer,) = round_one.transfers
    assert transfer.source == "D"
    assert dict(transfer.to) == {"B": 1}
    round_two = report.rounds[1]
    (transfer,) = round_two.transfers
    assert dict(transfer.to) == {"A": 2, EXHAUSTED: 1}
    assert transfer.total == round_two.tallies["C"]


def test_batch_exclusion_takes_out_everyone_who_cannot_catch_up() -> None:
    # 1 < 2, 1 + 2 < 4, 1 + 2 + 4 < 9: E, D and C cannot overtake B even together.
    papers = {"A": 10, "B": 9, "CB": 4, "DA": 2, "E": 1}
    options = CountOptions(batch_elimination=True)
    batch = count(_ballots("ABCDE", papers), method="irv", options=options)
    assert batch.rounds[0].excluded == ("C", "D", "E")
    assert len(batch.rounds) == 2
    single = count(_ballots("ABCDE", papers), method="irv")
    assert [r.excluded for r in single.rounds] == [("E",), ("D",), ("C",), ()]
    assert single.elected == batch.elected == ("B",)
    assert single.final_round.tallies == batch.final_round.tallies


def test_batch_exclusion_rule() -> None:
    tallies = {name: Fraction(v) for name, v in {"A": 10, "B": 9, "C": 3, "D": 2, "E": 1}.items()}
    batch, previous = batch_exclusion(tallies)
    assert sorted(batch) == ["C", "D", "E"]
    assert previous == ["E"]
    tied = {name: Fraction(v) for name, v in {"A": 10, "B": 2, "C": 2}.items()}
    assert sorted(batch_exclusion(tied)[0]) == ["B", "C"]


def test_a_tie_for_last_is_broken_by_candidate_order_and_recorded() -> None:
    options = CountOptions(tie_break=TieBreakMode.CANDIDATE_ORDER)
    papers = {"A": 3, "B": 3, "CA": 1, "DB": 1}
    report = count(_ballots("ABCD", papers), method="irv", options=options)
    assert report.rounds[0].excluded == ("D",)  # listed later, so it loses
    tie = report.tie_breaks[0]
    assert tie.tied == ("C", "D")
    assert tie.chosen == "D"
    assert tie.resolved_by == "candidate order"


def test_a_tie_is_broken_by_the_previous_round_first() -> None:
    # Round 1: D out. Round 2: B and C tie on 3; in round 1 B had fewer, so B goes.
    report = count(
        _ballots("ABCD", {"A": 5, "B": 2, "C": 3, "DB": 1}),
        method="irv",
        options=CountOptions(tie_break=TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT),
    )
    assert report.rounds[1].excluded == ("B",)
    assert report.tie_breaks[0].resolved_by == "fewest votes at round 1"


def test_lot_is_reproducible_with_the_seed() -> None:
    ballots = _ballots("ABCD", {"A": 2, "B": 2, "C": 1, "D": 1})
    options = CountOptions(tie_break=TieBreakMode.LOT, seed=7)
    first = count(ballots, method="irv", options=options)
    again = count(ballots, method="irv", options=options)
    assert first.rounds[0].excluded == again.rounds[0].excluded
    assert first.tie_breaks[0].resolved_by == "lot (seed 7)"


def test_a_two_way_tie_at_the_end_is_decided_by_the_tie_break() -> None:
    options = CountOptions(tie_break=TieBreakMode.CANDIDATE_ORDER)
    report = count(_ballots("AB", {"A": 2, "B": 2}), method="irv", options=options)
    assert report.elected == ("A",)
    assert report.tie_breaks[0].purpose == "election"


def test_undeclared_write_ins_go_first_and_cannot_win() -> None:
    names = ("A", "B", UNDECLARED_WRITE_INS)
    ballots = BallotSet.from_rankings(names, [[0], [1], [2, 0]], weights=[4, 1, 6])
    report = count(ballots, method="irv")
    assert report.rounds[0].excluded == (UNDECLARED_WRITE_INS,)
    assert report.rounds[0].elected == ()
    assert report.elected == ("A",)


def test_counting_on_until_two_remain_keeps_the_winner_in_the_tallies() -> None:
    papers = {"A": 6, "B": 2, "C": 2, "D": 1}
    options = CountOptions(continue_until_two=True, tie_break=TieBreakMode.CANDIDATE_ORDER)
    report = count(_ballots("ABCD", papers), method="irv", options=options)
    assert report.rounds[0].elected == ("A",)
    assert set(report.final_round.tallies) == {"A", "B"}
    assert report.elected == ("A",)


def test_every_round_conserves_votes_and_sections_add_up() -> None:
    ballots = _ballots(
        "ABC", {"A": 1, "B": 1, "CA": 1, "CB": 1, "C": 1}, sections=["m", "s", "m", "s", "s"]
    )
    report = count(ballots, method="irv")
    for round_ in report.rounds:
        assert round_.continuing_total + round_.inactive_total == ballots.total
        assert set(round_.sections) == {"m", "s"}
        for name, votes in round_.tallies.items():
            assert sum(s.tallies[name] for s in round_.sections.values()) == votes


def test_a_withdrawn_candidates_ballots_count_for_their_next_preference() -> None:
    """Withdrawn before the count: every ranking reads as if the name were struck out."""
    ballots = _ballots("ABC", {"CA": 3, "CBA": 2, "C": 1, "AC": 4, "B": 4, "BC": 2})
    ballots = dataclasses.replace(ballots, withdrawn=frozenset({2}))
    report = count(ballots, method="irv")
    (first,) = report.rounds
    assert first.tallies == {"A": 3 + 4, "B": 2 + 4 + 2}  # C's papers at their next name
    assert first.inactive_total == 1  # "C" alone: no next name
    assert report.elected == ("B",)  # 8 of 15 continuing votes
