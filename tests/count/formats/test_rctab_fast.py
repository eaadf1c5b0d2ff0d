"""The RCTab CSV reader's fast path (``rctab_fast``, PyArrow) and its general path (the
``csv`` module, row by row) read every file alike: the same ballot set, or the same
error (which only the general path gives)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count import BallotFileError, BallotSet
from omov.count.ballots import BallotPolicy, OvervoteRule
from omov.count.formats import rctab_fast, read_ballots, runs

POLICIES = [BallotPolicy(), BallotPolicy(overvote=OvervoteRule.SKIP, max_skipped_ranks=0)]

# What a cell of a candidate's column may hold: mostly ranks, some not.
CELLS = st.one_of(
    st.integers(1, 4).map(str),
    st.just(""),
    st.sampled_from(["0", " 1", "1 ", "7", "1.0", "x", "-1", "01", '"2"']),
    st.sampled_from(["00", "000", "05", "010", "100", "1x", "x1", "x12", "12x", "11111"]),
)


@st.composite
def rctab_files(draw: st.DrawFn) -> str:
    n = draw(st.sampled_from([2, 3, 4, 12]))  # 12: ranks of two digits
    labels = draw(st.sampled_from([[], ["BallotID"], ["BallotID", "Precinct"]]))
    names = [f"C{i}" for i in range(n)]
    header = labels + draw(st.sampled_from([names, [*names[:-1], ""], [*names[:-1], "C0"]]))
    rows = []
    ids = draw(st.sampled_from(["b-{}", "b-{}", "{}", "1{}0"]))  # numbers too (of 3 digits)
    # A column no row ranks before ``late`` (a write-in's): the first rows guess without it.
    late_column, late = draw(st.integers(0, n)), draw(st.integers(0, 8))
    for number in range(draw(st.integers(1, 8))):
        label_cells = [
            ids.format(number),
            draw(st.sampled_from(["P1", "12", "", " 7 ", "\u0663", "Z\u00fcrich", "1-2"])),
        ][: len(labels)]
        ranks = draw(
            st.lists(st.sampled_from([*map(str, range(1, n + 1)), ""]), min_size=n, max_size=n)
        )
        if number < late and late_column < n:
            ranks[late_column] = ""
        if draw(st.integers(0, 3)) == 0:  # now and then an odd cell
            ranks[draw(st.integers(0, n - 1))] = draw(CELLS)
        if draw(st.integers(0, 19)) == 0:  # now and then a ragged row
            ranks = ranks[:-1]
        rows.append(label_cells + ranks)
    lines = [",".join(row) for row in [header, *rows]]
    if draw(st.integers(0, 19)) == 0:  # now and then an empty line, or a quoted cell
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(["", '"b",1'])))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    header_ending = draw(st.sampled_from([ending, "\n"]))  # rows "\r\n" after a header "\n"
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + lines[0] + header_ending + "".join(line + ending for line in lines[1:])


def read_both(text: str, policy: BallotPolicy, mapped: bool = False) -> tuple[object, object]:
    """What each path makes of ``text``: a ballot set, or the error's message; the fast
    path reads the file ``mapped`` or read."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cvr.csv"
        path.write_text(text, encoding="utf-8", newline="")
        outcomes = []
        for fast in (True, False):
            original, least = rctab_fast.coded_rctab, runs.MAP_AT_LEAST
            if not fast:
                rctab_fast.coded_rctab = lambda path: None  # type: ignore[assignment]
            runs.MAP_AT_LEAST = 0 if mapped else least
            try:
                outcomes.append(read_ballots(path, format="rctab-csv", policy=policy))
            except BallotFileError as error:
                outcomes.append(str(error).replace(str(path), "FILE"))
            finally:
                rctab_fast.coded_rctab, runs.MAP_AT_LEAST = original, least
    return outcomes[0], outcomes[1]


def same(a: BallotSet, b: BallotSet) -> bool:
    return (
        a.candidates == b.candidates
        and np.array_equal(a.rankings, b.rankings)
        and np.array_equal(a.weights, b.weights)
        and a.total == b.total
        and a.blank_ballots == b.blank_ballots
    )


@settings(max_examples=300, deadline=None)
@given(rctab_files(), st.sampled_from(POLICIES), st.booleans())
def test_the_fast_and_general_paths_read_alike(
    text: str, policy: BallotPolicy, mapped: bool
) -> None:
    fast, general = read_both(text, policy, mapped)
    if isinstance(general, str):
        assert fast == general
    else:
        assert isinstance(fast, BallotSet), fast
        assert same(fast, general)


def test_a_regular_file_takes_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "cvr.csv"
    path.write_text("BallotID,A,B,C\nb1,1,2,\nb2,,1,1\nb3,,,\n", encoding="utf-8")
    taken = rctab_fast.coded_rctab(path)
    assert taken is not None
    names, rows = taken
    assert names == ("A", "B", "C")
    assert int(rows.weights.sum()) == 3


def test_an_odd_file_is_left_to_the_general_reader(tmp_path: Path) -> None:
    for body in ("b1,1,2\nb2,0,1\n", "b1,1,3\n", "b1,1.5,2\n", "b1,1,2\nb2,1\n", "b1,70000,1\n"):
        path = tmp_path / "cvr.csv"
        path.write_text("BallotID,A,B\n" + body, encoding="utf-8")
        assert rctab_fast.coded_rctab(path) is None, body


@settings(max_examples=100, deadline=None)
@given(rctab_files(), st.integers(1, 30))
def test_a_file_read_in_short_runs_of_lines_reads_the_same(text: str, run: int) -> None:
    """However the rows are cut into runs, the fast path reads them as in one run, or
    leaves them to the general reader: where the vote columns start is guessed from the
    first run, and a later row that would move it sends the file there."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cvr.csv"
        path.write_text(text, encoding="utf-8", newline="")
        whole = rctab_fast.coded_rctab(path)
        original = runs.RUN
        runs.RUN = run
        try:
            cut = rctab_fast.coded_rctab(path)
        finally:
            runs.RUN = original
    if cut is not None:
        assert whole is not None
        assert whole[0] == cut[0]
        assert np.array_equal(whole[1].codes, cut[1].codes)
        assert np.array_equal(whole[1].weights, cut[1].weights)


def test_ranks_of_three_digits_read_alike(tmp_path: Path) -> None:
    """Cells longer than two bytes are read digit by digit, the rest by their last two."""
    names = [f"C{i}" for i in range(120)]
    rows = []
    for first, second in [("100", "1"), ("010", "120"), ("2", "0099"), ("", "101")]:
        cells = [str(len(names) - j) for j in range(len(names))]  # every column marked
        cells[3], cells[110] = first, second
        rows.append(",".join(["b", *cells]))
    text = "\n".join([",".join(["BallotID", *names]), *rows]) + "\n"
    (tmp_path / "cvr.csv").write_text(text, encoding="utf-8")
    assert rctab_fast.coded_rctab(tmp_path / "cvr.csv") is not None
    fast, general = read_both(text, BallotPolicy())
    assert isinstance(fast, BallotSet), fast
    assert isinstance(general, BallotSet)
    assert same(fast, general)


def test_odd_bytes_in_a_row_read_as_the_general_reader_reads_them() -> None:
    """Quotes, control bytes and non-UTF-8 bytes are refused a run of rows at a time (not
    by searches of the whole file first): each file reads on either path alike."""
    head = "BallotID,A,B\nb1,1,2\n"
    for odd in ("b\t2,2,1", "b\x002,2,1", "b2,2,1\r", 'b"2",2,1', "Z\u00fcrich,2,1", "\u0663,1,"):
        for mapped in (False, True):
            fast, general = read_both(head + odd + "\nb3,,1\n", BallotPolicy(), mapped)
            assert same(fast, general) if isinstance(general, BallotSet) else fast == general
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cvr.csv"
        path.write_bytes(head.encode() + b"b\xff2,2,1\n")  # not UTF-8
        assert rctab_fast.coded_rctab(path) is None
        path.write_bytes(b'"BallotID",A,B\nb1,1,2\n')  # a quoted header
        assert rctab_fast.coded_rctab(path) is None
        path.write_text(head + "b\u00e92,2,1\n", encoding="utf-8")  # UTF-8: the fast path
        assert rctab_fast.coded_rctab(path) is not None


def test_rows_ending_crlf_after_a_header_ending_lf_take_the_fast_path(tmp_path: Path) -> None:
    """The general reader takes either line end on any line; the fast path reads a file
    whose header ends "\\n" and rows "\\r\\n" (or a few of them) again with "\\n" for each."""
    for rows in ("b1,1,2\r\nb2,,1\r\n", "b1,1,2\nb2,,1\r\nb3,2,1\n"):
        text = "BallotID,A,B\n" + rows
        path = tmp_path / "cvr.csv"
        path.write_text(text, encoding="utf-8", newline="")
        assert rctab_fast.coded_rctab(path) is not None, rows
        for mapped in (False, True):
            fast, general = read_both(text, BallotPolicy(), mapped)
            assert isinstance(fast, BallotSet)
            assert isinstance(general, BallotSet)
            assert same(fast, general)
