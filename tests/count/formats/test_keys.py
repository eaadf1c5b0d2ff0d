"""The key machinery of the coded readers (``formats/keys.py``) against plain NumPy and
Python readings of the same rows: distinct keys and their counts, the two sides of a
buffer, long rows in order among short ones, and unpacking into a column-major grid."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from omov.count.formats import kept, keys
from omov.count.formats.coded import CodedRows
from omov.count.papers import irregular_rows

EXAMPLES = settings(max_examples=60, deadline=None, derandomize=True)
key_lists = st.lists(st.integers(0, 12), max_size=80)


@EXAMPLES
@given(values=key_lists, threaded=st.booleans())
def test_the_sides_of_a_buffer_hold_every_key_once_with_its_count(
    values: list[int], threaded: bool
) -> None:
    """Every key is on exactly one side, below the pivot or not, with its count, however
    many copies of the pivot there are."""
    buffer = np.array(values, dtype=np.int64)
    wanted = Counter(values)
    with ThreadPoolExecutor(1) as helper:
        lower, upper, pivot = keys.sorted_halves(buffer, helper if threaded else None)
    found: Counter[int] = Counter()
    for side, below in [(lower, True), (upper, False)]:
        assert np.all(np.diff(side.keys) > 0)  # distinct, ascending
        assert all((k < pivot) == below for k in side.keys.tolist())
        found.update(dict(zip(side.keys.tolist(), side.counts.tolist(), strict=True)))
    assert found == wanted


@EXAMPLES
@given(values=key_lists, extra=key_lists)
def test_a_short_run_merged_into_a_long_one_sums_shared_keys(
    values: list[int], extra: list[int]
) -> None:
    run = keys.distinct_sorted(np.sort(np.array(values, np.int64)))
    more = keys.distinct_sorted(np.sort(np.array(extra, np.int64)))
    merged = keys.merged_into(run, more)
    assert np.all(np.diff(merged.keys) > 0)
    found = dict(zip(merged.keys.tolist(), merged.counts.tolist(), strict=True))
    assert found == dict(Counter(values) + Counter(extra))


@EXAMPLES
@given(values=key_lists, weights=st.lists(st.integers(0, 5), min_size=80, max_size=80))
def test_weighted_keys_and_merged_runs_sum_their_weights(
    values: list[int], weights: list[int]
) -> None:
    wanted: Counter[int] = Counter()
    for value, weight in zip(values, weights, strict=False):
        wanted[value] += weight
    array, weighted = np.array(values, np.int64), np.array(weights[: len(values)], np.int64)
    half = len(values) // 2
    runs = [
        keys.distinct_weighted(array[:half], weighted[:half]),
        keys.distinct_weighted(array[half:], weighted[half:]),
    ]
    for run in [keys.distinct_weighted(array, weighted), keys.merged(runs)]:
        assert np.all(np.diff(run.keys) > 0)
        assert dict(zip(run.keys.tolist(), run.counts.tolist(), strict=True)) == dict(wanted)


rows_3x = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 6), st.integers(0, 6), st.integers(1, 4)),
    max_size=40,
)


@EXAMPLES
@given(shorts=st.lists(st.integers(0, 3), max_size=20), longs=rows_3x)
def test_long_rows_find_their_places_among_the_short_ones(
    shorts: list[int], longs: list[tuple[int, int, int, int]]
) -> None:
    """Rows are (key, tail word, tail word) with a blank word of 5: a short row's tail is
    blank. Distinct long rows, placed among the distinct short ones, must give the order
    of the whole rows."""
    blank = 5
    longs = [row for row in longs if (row[1], row[2]) != (blank, blank)]  # a mark past the key
    long_rows = keys.LongRows(
        np.array([r[0] for r in longs], np.int64),
        np.array([[r[1] for r in longs], [r[2] for r in longs]], np.int64).reshape(2, -1),
        np.array([r[3] for r in longs], np.int64),
    )
    distinct = keys.distinct_long(long_rows)
    short = np.unique(np.array(shorts, np.int64))
    places = keys.places_among(short, distinct, blank)

    weights: Counter[tuple[int, int, int]] = Counter()
    for key, first, second, weight in longs:
        weights[(key, first, second)] += weight
    assert distinct.counts.tolist() == [weights[row] for row in sorted(weights)]
    whole = sorted([(int(k), blank, blank) for k in short] + list(weights))
    assert [whole[p] for p in places.tolist()] == sorted(weights)


@EXAMPLES
@given(
    codes=hnp.arrays(
        np.int16, st.tuples(st.integers(0, 50), st.just(5)), elements=st.integers(0, 6)
    )
)
def test_unpacking_gives_back_the_packed_cells_column_by_column(codes: np.ndarray) -> None:
    packed = np.empty(len(codes), np.int64)
    labels = (np.arange(len(codes)) % 3).astype(np.int64)
    keys.pack(packed, list(codes.T), 3, labels)
    grid = np.empty(codes.shape, np.int16, order="F")
    found = np.empty(len(codes), np.int64)
    keys.unpack(packed, grid, 3, labels=found)
    assert np.array_equal(grid, codes)
    assert np.array_equal(found, labels)


@pytest.mark.parametrize("capacity", [3, 64])
@pytest.mark.parametrize("dense_bits", [0, 3, 16])
def test_coded_rows_give_the_distinct_rows_in_order_whatever_the_buffer(
    monkeypatch: pytest.MonkeyPatch, capacity: int, dense_bits: int
) -> None:
    """Rows added in several batches, some weighted, with a buffer that fills up (and is
    sorted into runs) or not, keys too small for some rows, and rows counted in a
    histogram of their first cell, of both, or of none: the distinct rows in order,
    column-major, with their weights, checked as papers."""
    monkeypatch.setattr("omov.count.formats.coded.REDUCE_EVERY", capacity)
    monkeypatch.setattr(keys, "KEY_BITS", 6)  # two cells a key
    monkeypatch.setattr(kept, "DENSE_BITS", dense_bits)
    monkeypatch.setattr(kept, "LONG_FOLD", 2)  # long rows folded often
    rng = np.random.default_rng(7)
    rows = CodedRows(n_candidates=4, width=4)
    blank = rows.blank
    wanted: Counter[tuple[int, ...]] = Counter()
    for batch in range(6):
        grid = rng.integers(0, 6, size=(rng.integers(1, 12), 4)).astype(np.int16)
        grid[rng.random(grid.shape) < 0.4] = blank
        weights = rng.integers(0, 4, len(grid)) if batch % 2 else None
        rows.add(list(grid.T), None if weights is None else weights.astype(np.int64))
        counts = np.ones(len(grid), np.int64) if weights is None else weights
        for row, weight in zip(grid.tolist(), counts.tolist(), strict=True):
            wanted[tuple(row)] += weight
    distinct = rows.distinct(None, stop_column=True)
    assert distinct.codes.flags.f_contiguous
    assert [tuple(row[:4]) for row in distinct.codes.tolist()] == sorted(wanted)
    assert np.all(distinct.codes[:, 4] == blank)
    assert distinct.weights.tolist() == [wanted[row] for row in sorted(wanted)]
    irregular, longest = irregular_rows(np.ascontiguousarray(distinct.codes), 4)
    assert distinct.checked.irregular.tolist() == irregular.tolist()
    assert distinct.checked.longest == longest
    assert not rows  # handed over: nothing is kept
