"""The fast paths of compression agree with plain, obviously correct ones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from omov.count import BallotPolicy, BallotSet, DuplicateRule, Inactive, papers
from omov.count.ballots import BLANK, OVERVOTE
from omov.count.compress import unique_rows
from omov.count.papers import read_papers


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    keys=hnp.arrays(
        np.int16,
        st.tuples(st.integers(1, 40), st.integers(1, 20)),
        elements=st.integers(-2, 40),
    ),
    data=st.data(),
)
def test_unique_rows_matches_numpy_unique(keys: np.ndarray, data: st.DataObject) -> None:
    weights = data.draw(hnp.arrays(np.int64, len(keys), elements=st.integers(0, 10**6)))
    rows, summed = unique_rows(keys, weights)
    expected, inverse = np.unique(keys, axis=0, return_inverse=True)
    assert np.array_equal(rows, expected)  # lexicographic order of signed values
    assert np.array_equal(summed, np.bincount(inverse.ravel(), weights=weights).astype(np.int64))


def test_unique_rows_with_wide_values_spans_several_words() -> None:
    keys = np.array([[300, -2, 7] * 8, [300, -2, 6] * 8, [300, -2, 7] * 8], dtype=np.int16)
    rows, summed = unique_rows(keys, None)
    assert rows.tolist() == [[300, -2, 6] * 8, [300, -2, 7] * 8]
    assert summed.tolist() == [1, 2]


def test_repeated_marks_are_found_with_more_candidates_than_bits() -> None:
    """Past 64 candidates the bitmask gives way to sorting each row."""
    grid = np.array([[69, 3, 69, BLANK], [68, 67, BLANK, BLANK]], dtype=np.int16)
    policy = BallotPolicy(duplicates=DuplicateRule.EXHAUST)
    clean = read_papers(grid, 70, policy)
    assert clean[0, :3].tolist() == [69, 3, 70 + Inactive.REPEATED]
    assert clean[1, :3].tolist() == [68, 67, 70 + Inactive.EXHAUSTED]


def test_regular_and_irregular_papers_merge_when_they_read_the_same() -> None:
    """``A _ B`` (skips allowed) and ``A B`` are one ranking; ``A =`` exhausts apart."""
    grid = np.array([[0, BLANK, 1], [0, 1, BLANK], [0, OVERVOTE, BLANK]], dtype=np.int16)
    ballots = BallotSet.from_grid(["A", "B", "C"], grid)
    assert ballots.n_unique == 2
    assert sorted(ballots.weights.tolist()) == [1, 2]


def plainly_irregular(row: list[int], n: int) -> bool:
    """A mark after a non-mark, an overvote or group code, or a candidate twice."""
    marks = [c for c in row if c < n]
    prefix = row[: len(marks)]
    return any(c > n for c in row) or prefix != marks or len(set(marks)) != len(marks)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    n=st.sampled_from([1, 3, 16, 62, 63, 70]),
    shape=st.tuples(st.integers(1, 300), st.integers(1, 19)),
    data=st.data(),
)
def test_irregular_rows_are_found_as_a_plain_reading_finds_them(
    n: int, shape: tuple[int, int], data: st.DataObject
) -> None:
    """The word-at-a-time check (and its sorting fallback past 62 candidates), over
    several blocks, against a row-by-row reading of the definition."""
    codes = data.draw(hnp.arrays(np.int16, shape, elements=st.integers(0, n + 4)))
    original = papers.BLOCK
    papers.BLOCK = 64  # several blocks, and both halves in threads
    try:
        irregular, longest = papers.irregular_rows(codes, n)
    finally:
        papers.BLOCK = original
    expected = [plainly_irregular(row, n) for row in codes.tolist()]
    assert irregular.tolist() == expected
    rows = zip(codes.tolist(), expected, strict=True)
    regular = [sum(c < n for c in row) for row, odd in rows if not odd]
    assert longest == max(regular, default=0)
