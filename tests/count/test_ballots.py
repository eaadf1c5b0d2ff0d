import numpy as np
import pytest

from omov.count import BallotError, BallotPolicy, BallotSet, DuplicateRule, Inactive, OvervoteRule
from omov.count.ballots import BLANK, OVERVOTE

CANDS = ["A", "B", "C", "D"]


def rows(ballots: BallotSet) -> dict[tuple[int, ...], int]:
    """Each clean ranking (with its stop code) -> weight."""
    out = {}
    for ranking, weight in zip(ballots.rankings.tolist(), ballots.weights.tolist(), strict=True):
        stop = next(c for c in ranking if c >= ballots.n_candidates)
        out[(*[c for c in ranking if c < ballots.n_candidates], stop)] = weight
    return out


def test_identical_ballots_compress_to_one_weighted_ranking():
    ballots = BallotSet.from_rankings(CANDS, [[0, 1], [0, 1], [2], [0, 1]])
    assert ballots.n_unique == 2
    assert ballots.total == 4
    assert rows(ballots) == {(0, 1, 4): 3, (2, 4): 1}


def test_blank_ballots_are_counted_apart():
    ballots = BallotSet.from_rankings(CANDS, [[], [1], []])
    assert ballots.blank_ballots == 2
    assert ballots.total == 1


@pytest.mark.parametrize(
    ("policy", "expected_stop", "expected_prefix"),
    [
        (BallotPolicy(overvote=OvervoteRule.EXHAUST), Inactive.OVERVOTE, (0,)),
        (BallotPolicy(overvote=OvervoteRule.SKIP), Inactive.EXHAUSTED, (0, 2)),
    ],
)
def test_overvote_rule(policy, expected_stop, expected_prefix):
    ballots = BallotSet.from_grid(CANDS, np.array([[0, OVERVOTE, 2]]), policy=policy)
    assert rows(ballots) == {(*expected_prefix, 4 + expected_stop): 1}


def test_skipped_ranks_beyond_the_limit_end_the_ballot():
    grid = np.array([[0, BLANK, 1], [0, BLANK, BLANK, 2]][1:])
    strict = BallotSet.from_grid(CANDS, grid, policy=BallotPolicy(max_skipped_ranks=1))
    assert rows(strict) == {(0, 4 + Inactive.SKIPPED): 1}
    lenient = BallotSet.from_grid(CANDS, grid, policy=BallotPolicy(max_skipped_ranks=2))
    assert rows(lenient) == {(0, 2, 4): 1}


def test_trailing_blanks_are_not_skips():
    ballots = BallotSet.from_grid(
        CANDS, np.array([[1, BLANK, BLANK]]), policy=BallotPolicy(max_skipped_ranks=0)
    )
    assert rows(ballots) == {(1, 4): 1}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [(DuplicateRule.SKIP, (0, 1, 2, 4)), (DuplicateRule.EXHAUST, (0, 1, 4 + Inactive.REPEATED))],
)
def test_repeated_candidate(rule, expected):
    ballots = BallotSet.from_grid(
        CANDS, np.array([[0, 1, 0, 2]]), policy=BallotPolicy(duplicates=rule)
    )
    assert rows(ballots) == {expected: 1}


def test_papers_that_read_the_same_merge():
    grid = np.array([[0, BLANK, 1], [0, 1, BLANK]])
    ballots = BallotSet.from_grid(CANDS, grid)
    assert rows(ballots) == {(0, 1, 4): 2}


def test_sections_keep_rankings_apart():
    ballots = BallotSet.from_rankings(CANDS, [[0], [0], [0]], sections=["m", "s", "m"])
    assert ballots.section_names == ("m", "s")
    assert sorted(zip(ballots.section_ids.tolist(), ballots.weights.tolist(), strict=False)) == [
        (0, 2),
        (1, 1),
    ]


def test_compression_ignores_ballot_order():
    rng = np.random.default_rng(7)
    grid = rng.integers(-1, 4, size=(500, 4))
    shuffled = grid[rng.permutation(500)]
    a, b = BallotSet.from_grid(CANDS, grid), BallotSet.from_grid(CANDS, shuffled)
    assert np.array_equal(a.rankings, b.rankings)
    assert np.array_equal(a.weights, b.weights)


def test_unknown_candidate_is_refused():
    with pytest.raises(BallotError, match=r"outside 1\.\.4"):
        BallotSet.from_grid(CANDS, np.array([[0, 4]]))


def test_max_rankings_ignores_later_ranks():
    ballots = BallotSet.from_rankings(CANDS, [[0, 1, 2]], policy=BallotPolicy(max_rankings=2))
    assert rows(ballots) == {(0, 1, 4): 1}


def test_row_order_is_canonical_whatever_the_grid_width():
    """The same ballots give the same arrays (the results bundle hashes them)."""
    narrow = BallotSet.from_grid(CANDS, np.array([[2, 0], [0, BLANK], [1, 3], [0, 1]]))
    wide = BallotSet.from_rankings(CANDS, [[0, 1], [1, 3], [0], [2, 0]])
    assert np.array_equal(narrow.rankings, wide.rankings)
    assert np.array_equal(narrow.weights, wide.weights)
    padded = BallotSet.from_grid(
        CANDS, np.array([[2, 0, BLANK], [0, BLANK, BLANK], [1, 3, BLANK], [0, 1, 2]])
    )
    clean_order = [tuple(r) for r in padded.rankings.tolist()]
    assert clean_order == sorted(clean_order)
