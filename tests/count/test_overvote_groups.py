"""RCTab's exhaust-if-multiple-continuing overvote rule, on overvote groups.

An overvoted rank counts for its one continuing candidate; with several continuing the
ballot is exhausted as an overvote and stays so (RCTab skips exhausted records in every
later round); with none continuing the ballot reads on. Expected figures are worked by hand
from that rule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from omov.count import BallotError, BallotPolicy, BallotSet, CountOptions, Inactive, count, kernel
from omov.count import OvervoteRule as Rule
from omov.count.ballots import N_STOPS, OVERVOTE, OVERVOTE_GROUP_BASE
from omov.count.errors import BallotFileError, MethodError
from omov.count.formats import read_ballots
from omov.count.report import EXHAUSTED

CANDS = ["A", "B", "C"]
A, B, C = 0, 1, 2
AB = OVERVOTE_GROUP_BASE  # group 0: {A, B}
BC = OVERVOTE_GROUP_BASE - 1  # group 1: {B, C}
GROUPS = (frozenset({A, B}), frozenset({B, C}))
MULTIPLE = BallotPolicy(overvote=Rule.EXHAUST_IF_MULTIPLE_CONTINUING)


def _ballots(rankings: list[list[int]], policy: BallotPolicy = MULTIPLE) -> BallotSet:
    return BallotSet.from_rankings(CANDS, rankings, policy=policy, overvote_groups=GROUPS)


@pytest.mark.parametrize("rule", [Rule.EXHAUST, Rule.SKIP])
def test_under_the_other_rules_a_group_is_a_plain_overvote(rule: Rule) -> None:
    policy = BallotPolicy(overvote=rule)
    grouped = _ballots([[A, BC, C], [AB, C], [B]], policy)
    plain = BallotSet.from_rankings(CANDS, [[A, OVERVOTE, C], [OVERVOTE, C], [B]], policy=policy)
    assert grouped.overvote_groups == ()
    assert np.array_equal(grouped.rankings, plain.rankings)
    assert np.array_equal(grouped.weights, plain.weights)


def test_group_codes_stay_in_the_rankings_with_a_last_overvote_column() -> None:
    ballots = _ballots([[C, AB], [C, AB], [A]])
    assert ballots.overvote_groups == GROUPS
    stop = ballots.stop
    assert ballots.rankings.tolist() == [
        [A, stop(Inactive.EXHAUSTED), stop(Inactive.EXHAUSTED), stop(Inactive.OVERVOTE)],
        [C, ballots.group_code(0), stop(Inactive.EXHAUSTED), stop(Inactive.OVERVOTE)],
    ]
    assert ballots.weights.tolist() == [1, 2]
    assert ballots.group_code(1) == len(CANDS) + N_STOPS + 1


def test_a_bare_overvote_cannot_be_read_under_the_rule() -> None:
    with pytest.raises(BallotError, match="exhaust-if-multiple-continuing"):
        BallotSet.from_rankings(CANDS, [[A, OVERVOTE]], policy=MULTIPLE)


def test_a_cell_naming_a_group_not_given_is_refused() -> None:
    with pytest.raises(BallotError, match="overvote group"):
        BallotSet.from_rankings(CANDS, [[AB - 2]], policy=MULTIPLE, overvote_groups=GROUPS)


def test_a_group_outside_the_candidates_is_refused() -> None:
    with pytest.raises(BallotError, match="overvote group"):
        BallotSet.from_rankings(
            CANDS, [[AB]], policy=MULTIPLE, overvote_groups=(frozenset({A, 5}),)
        )


def _round(ballots: BallotSet, pointers: kernel.Pointers, continuing: set[int]) -> list[int]:
    """Advance every row against ``continuing`` and tally: candidates, then stop bins."""
    mask = kernel.continuing_mask(ballots, continuing)
    kernel.advance(ballots, pointers, mask)
    counts = kernel.tally(ballots, pointers, mask=mask)
    assert np.array_equal(kernel.section_tally(ballots, pointers, mask=mask)[0], counts)
    return counts.tolist()


def test_kernel_reads_a_group_as_its_one_continuing_candidate_then_reads_on() -> None:
    ballots = _ballots([[C, AB, C]])  # (the repeated C is skipped by the policy)
    pointers = np.zeros(ballots.n_unique, dtype=np.intp)
    assert _round(ballots, pointers, {A, B, C}) == [0, 0, 1, 0, 0, 0, 0]
    assert _round(ballots, pointers, {A, B}) == [0, 0, 0, 0, 1, 0, 0]  # several: overvote
    ballots = _ballots([[C, AB]])
    pointers = np.zeros(ballots.n_unique, dtype=np.intp)
    assert _round(ballots, pointers, {A, C}) == [0, 0, 1, 0, 0, 0, 0]
    assert _round(ballots, pointers, {A}) == [1, 0, 0, 0, 0, 0, 0]  # one: counts for A
    assert _round(ballots, pointers, set()) == [0, 0, 0, 1, 0, 0, 0]  # none: reads on


def test_kernel_passes_a_group_with_no_continuing_candidate() -> None:
    ballots = _ballots([[AB, C]])
    pointers = np.zeros(ballots.n_unique, dtype=np.intp)
    assert _round(ballots, pointers, {C}) == [0, 0, 1, 0, 0, 0, 0]


def test_kernel_keeps_an_overvoted_ballot_exhausted_when_one_candidate_is_left() -> None:
    ballots = _ballots([[AB, C]])
    pointers = np.zeros(ballots.n_unique, dtype=np.intp)
    assert _round(ballots, pointers, {A, B, C}) == [0, 0, 0, 0, 1, 0, 0]
    assert _round(ballots, pointers, {A, C}) == [0, 0, 0, 0, 1, 0, 0]


def test_kernel_needs_the_mask_to_read_groups() -> None:
    ballots = _ballots([[AB]])
    with pytest.raises(MethodError, match="mask"):
        kernel.tally(ballots, np.zeros(1, dtype=np.intp))


def test_irv_by_hand() -> None:
    """A 6, B 4, C 3 (2 of them C then {A,B}, 1 of them C then {B,C}), and one {B,C} paper.

    Round 1: A 6, B 4, C 3, 1 overvote; C is excluded. Its 2 papers reach {A,B} with both
    continuing: overvotes; its C-then-{B,C} paper goes to B, the one continuing. The {B,C}
    paper stays an overvote although only B is left of it. Round 2: A 6, B 5, 3 overvotes;
    A has a majority of the 11 continuing votes."""
    ballots = _ballots([[A]] * 6 + [[B]] * 4 + [[C, AB]] * 2 + [[C, BC]] + [[BC]])
    report = count(ballots, method="irv")
    first, second = report.rounds
    assert first.tallies == {"A": 6, "B": 4, "C": 3}
    assert first.inactive[Inactive.OVERVOTE] == 1
    assert first.excluded == ("C",)
    (transfer,) = first.transfers
    assert transfer.to == {"B": 1, EXHAUSTED: 2}
    assert second.tallies == {"A": 6, "B": 5}
    assert second.inactive[Inactive.OVERVOTE] == 3
    assert report.elected == ("A",)


def test_irv_by_hand_with_sections_and_batch_elimination() -> None:
    rankings = [[A]] * 5 + [[B]] * 4 + [[C, BC, A]] * 2
    ballots = BallotSet.from_rankings(
        CANDS,
        rankings,
        sections=["north"] * 5 + ["south"] * 6,
        policy=MULTIPLE,
        overvote_groups=GROUPS,
    )
    report = count(ballots, method="irv", options=CountOptions(batch_elimination=True))
    # C's 2 papers reach {B,C} with only B continuing: B 6 against A 5.
    assert report.rounds[1].tallies == {"A": 5, "B": 6}
    assert report.rounds[1].sections["south"].tallies == {"A": 0, "B": 6}


def test_methods_that_cannot_read_groups_refuse_them() -> None:
    ballots = _ballots([[A], [AB, C]])
    with pytest.raises(MethodError, match="exhaust-if-multiple-continuing"):
        count(ballots, method="fptp")
    plain = _ballots([[A], [AB, C]], BallotPolicy(overvote=Rule.EXHAUST))
    assert count(plain, method="fptp").elected == ("A",)


def test_toi_ties_become_shared_overvote_groups(tmp_path: Path) -> None:
    path = tmp_path / "ties.toi"
    path.write_text(
        "# NUMBER ALTERNATIVES: 3\n"
        "# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n# ALTERNATIVE NAME 3: C\n"
        "5: 1\n4: 3\n2: 2,{2,3}\n1: {1,2},3\n1: {2,1}\n",
        encoding="utf-8",
    )
    ballots = read_ballots(path, format="toi", policy=MULTIPLE)
    assert ballots.overvote_groups == (frozenset({B, C}), frozenset({A, B}))
    assert ballots.total == 13
    report = count(ballots, method="irv")
    # Round 1: A 5, B 2, C 4, and the 2 {A,B} papers are overvotes. B is out: its 2 papers
    # reach {B,C}, where only C is left. Round 2: C 6 of 11 continuing votes wins; the
    # {A,B} papers stay overvotes although only A is left of them.
    assert report.rounds[0].tallies == {"A": 5, "B": 2, "C": 4}
    assert report.rounds[0].inactive[Inactive.OVERVOTE] == 2
    assert report.rounds[1].tallies == {"A": 5, "C": 6}
    assert report.rounds[1].inactive[Inactive.OVERVOTE] == 2
    assert report.elected == ("C",)


@pytest.mark.parametrize("format", ["blt", "csv", "parquet"])
def test_writers_refuse_overvote_groups_rather_than_drop_them(tmp_path: Path, format: str) -> None:
    from omov.count.formats import write_ballots

    grid = np.array([[0, OVERVOTE_GROUP_BASE, 1]])
    ballots = BallotSet.from_grid(
        ["A", "B", "C"],
        grid,
        overvote_groups=(frozenset({1, 2}),),
        policy=BallotPolicy(overvote=Rule.EXHAUST_IF_MULTIPLE_CONTINUING),
    )
    target = tmp_path / f"out.{format}"
    with pytest.raises(BallotFileError, match="nothing written"):
        write_ballots(ballots, target, format=format)
    assert not target.exists()
