"""The plain CSV reader's fast path (``plain_csv_fast``, NumPy) and its general path
(``plain_csv``, Polars) read every file alike: the same ballot set, or the same error
(which only the general path gives)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count import BallotFileError, BallotSet
from omov.count.ballots import BallotPolicy, OvervoteRule
from omov.count.formats import plain_csv_fast, read_ballots, runs

POLICIES = [BallotPolicy(), BallotPolicy(overvote=OvervoteRule.SKIP, max_skipped_ranks=0)]
# Names that share their first bytes, run past one or two 64-bit words, or are not ASCII.
NAMES = ["Ann", "Anna", "Ann Lee", "Bob", "Candidate Q", "Candidate R", "Josée Dufresne-Lamb", "汉"]
ODD = ["", " Ann", "Ann ", "Ann=Bob", "=", "Zed", '"Ann"', "Anna Lee", "ann", "Bo"]


@st.composite
def csv_files(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    width = draw(st.integers(1, 4))
    header = [f"rank{k + 1}" for k in range(width)]
    if draw(st.booleans()):
        header.reverse()
    extra = draw(st.sampled_from([[], [], ["weight"], ["section"]]))
    rows = []
    for _ in range(draw(st.integers(1, 10))):
        cells = [draw(st.sampled_from([*names, "", ""])) for _ in range(width)]
        if draw(st.integers(0, 5)) == 0:
            cells[draw(st.integers(0, width - 1))] = draw(st.sampled_from(ODD))
        rows.append(",".join(cells + ["1"] * len(extra)))
    if draw(st.integers(0, 9)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), "")
    lines = [f"# candidates: {json.dumps(names, ensure_ascii=False)}", ",".join(header + extra)]
    ending = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    final = draw(st.sampled_from([ending, ending, ""]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + ending.join(lines + rows) + final


def read_both(
    text: str, policy: BallotPolicy, run: int, mapped: bool = False
) -> tuple[object, object]:
    """What each path makes of ``text``: a ballot set, or the error's message. The fast
    path reads ``run`` bytes of lines at a time, from the file ``mapped`` or read."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ballots.csv"
        path.write_text(text, encoding="utf-8", newline="")
        outcomes: list[object] = []
        for fast in (True, False):
            original, chunk, least = plain_csv_fast._read_regular, runs.RUN, runs.MAP_AT_LEAST
            if not fast:
                plain_csv_fast._read_regular = lambda path, policy: None  # type: ignore[assignment]
            runs.RUN, runs.MAP_AT_LEAST = run, 0 if mapped else least
            try:
                outcomes.append(read_ballots(path, policy=policy))
            except BallotFileError as error:
                outcomes.append(str(error).replace(str(path), "FILE"))
            finally:
                plain_csv_fast._read_regular, runs.RUN, runs.MAP_AT_LEAST = original, chunk, least
    return outcomes[0], outcomes[1]


def same(a: BallotSet, b: BallotSet) -> bool:
    return (
        a.candidates == b.candidates
        and np.array_equal(a.rankings, b.rankings)
        and np.array_equal(a.weights, b.weights)
        and a.total == b.total
        and a.blank_ballots == b.blank_ballots
        and (a.title, a.seats, a.withdrawn) == (b.title, b.seats, b.withdrawn)
    )


@settings(max_examples=300, deadline=None)
@given(csv_files(), st.sampled_from(POLICIES), st.sampled_from([1, 7, 40, 1 << 20]), st.booleans())
def test_the_fast_and_general_paths_read_alike(
    text: str, policy: BallotPolicy, run: int, mapped: bool
) -> None:
    fast, general = read_both(text, policy, run, mapped)
    if isinstance(general, str):
        assert fast == general
    else:
        assert isinstance(fast, BallotSet), fast
        assert same(fast, general)


def test_a_regular_file_takes_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "ballots.csv"
    names = ["Ann", "Candidate Q", "Josée Dufresne-Lamb"]
    path.write_text(
        f"# candidates: {json.dumps(names)}\n# seats: 1\nrank1,rank2,rank3\n"
        "Ann,Josée Dufresne-Lamb,\nCandidate Q,,\n,,\nAnn,Josée Dufresne-Lamb,\n",
        encoding="utf-8",
    )
    ballots = plain_csv_fast._read_regular(path, BallotPolicy())
    assert ballots is not None
    assert ballots.candidates == tuple(names)
    assert (ballots.total, ballots.blank_ballots, ballots.seats) == (3, 1, 1)  # 3 + 1 blank


def test_an_odd_file_is_left_to_the_general_reader(tmp_path: Path) -> None:
    head = '# candidates: ["Ann", "Bob"]\nrank1,rank2\n'
    for body in ("Ann,Bob\n Ann,\n", "Ann,Bob\nAnn=Bob,\n", '"Ann",Bob\n', "Ann\n", "Ann,Zed\n"):
        path = tmp_path / "ballots.csv"
        path.write_text(head + body, encoding="utf-8")
        assert plain_csv_fast._read_regular(path, BallotPolicy()) is None, body
    path.write_text("rank1,rank2\nAnn,Bob\n", encoding="utf-8")  # no candidate list
    assert plain_csv_fast._read_regular(path, BallotPolicy()) is None


def test_many_names_each_find_their_own_slot(tmp_path: Path) -> None:
    """Names hashed to a slot each, a cell then compared with its slot's name: 300 names
    alike but for their last bytes read as the general reader reads them, and a cell one
    byte off a name is left to it."""
    names = [f"Candidate {i}" for i in range(300)]
    rows = [",".join(names[(7 * r + k) % 300] for k in range(3)) for r in range(100)]
    text = f"# candidates: {json.dumps(names)}\nrank1,rank2,rank3\n" + "\n".join(rows) + "\n"
    path = tmp_path / "ballots.csv"
    path.write_text(text, encoding="utf-8")
    assert plain_csv_fast._read_regular(path, BallotPolicy()) is not None
    fast, general = read_both(text, BallotPolicy(), 1 << 20)
    assert isinstance(fast, BallotSet)
    assert isinstance(general, BallotSet)
    assert same(fast, general)
    for odd in ("Candidate 300", "Candidate 29 ", "Candidate 2X9", "Candidatf 1"):
        path.write_text(text + f"{odd},,\n", encoding="utf-8")
        assert plain_csv_fast._read_regular(path, BallotPolicy()) is None, odd


def test_odd_bytes_in_a_row_read_as_the_general_reader_reads_them() -> None:
    """Quotes, control bytes and non-UTF-8 bytes are refused a run of rows at a time (not
    by searches of the whole file first): each file reads on either path alike."""
    head = '# candidates: ["Ann", "Bob", "Jos\u00e9e"]\nrank1,rank2\nAnn,Bob\n'
    for odd in ("Ann\t,Bob", "Ann,\x00", "Ann,Bob\r", '"Ann",Bob', "Jos\u00e9e,Ann", "Jos\u00e9,"):
        for mapped in (False, True):
            fast, general = read_both(head + odd + "\nBob,\n", BallotPolicy(), 1 << 20, mapped)
            assert same(fast, general) if isinstance(general, BallotSet) else fast == general


def test_names_alike_but_for_one_byte_anywhere_are_told_apart(tmp_path: Path) -> None:
    """A cell is read in words that overlap when its length is not a multiple of eight:
    names (of 1 to 24 bytes) that differ in one byte only, at any place, each match only
    themselves, and a cell one byte off any of them is left to the general reader."""
    for length in (1, 7, 8, 9, 12, 16, 17, 23, 24):
        base = "".join(chr(ord("a") + i % 26) for i in range(length))
        names = [base] + [base[:i] + "Z" + base[i + 1 :] for i in range(length)]
        rows = [
            ",".join([names[r % len(names)], names[(3 * r + 1) % len(names)]]) for r in range(60)
        ]
        text = f"# candidates: {json.dumps(names)}\nrank1,rank2\n" + "\n".join(rows) + "\n"
        path = tmp_path / "ballots.csv"
        path.write_text(text, encoding="utf-8")
        assert plain_csv_fast._read_regular(path, BallotPolicy()) is not None, length
        fast, general = read_both(text, BallotPolicy(), 1 << 20)
        assert isinstance(fast, BallotSet)
        assert isinstance(general, BallotSet)
        assert same(fast, general)
        for i in range(length):
            odd = base[:i] + "Y" + base[i + 1 :]
            path.write_text(text + f"{odd},\n", encoding="utf-8")
            assert plain_csv_fast._read_regular(path, BallotPolicy()) is None, (length, i)


def test_names_with_a_quote_comma_or_control_byte_are_left_to_the_general_reader(
    tmp_path: Path,
) -> None:
    for name in ('Ann "A"', "Ann\tA", "Ann,A"):
        head = f"# candidates: {json.dumps(['Bob', name])}\nrank1,rank2\n"
        path = tmp_path / "ballots.csv"
        path.write_text(head + "Bob,\n", encoding="utf-8")
        assert plain_csv_fast._read_regular(path, BallotPolicy()) is None, name


@st.composite
def regular_csv_files(draw: st.DrawFn) -> str:
    """Files the fast path takes: names from the list or empty cells, rank columns in any
    order, ``\\n`` line ends."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    width = draw(st.integers(1, 5))
    header = draw(st.permutations([f"rank{k + 1}" for k in range(width)]))
    rows = [
        ",".join(draw(st.sampled_from([*names, ""])) for _ in range(width))
        for _ in range(draw(st.integers(1, 12)))
    ]
    if width == 1:  # a row of one empty cell is an empty line, which the fast path refuses
        rows = [row or names[0] for row in rows]
    head = f"# candidates: {json.dumps(names, ensure_ascii=False)}\n{','.join(header)}\n"
    return head + "".join(row + "\n" for row in rows)


@settings(max_examples=200, deadline=None)
@given(regular_csv_files(), st.sampled_from([1, 7, 40, 1 << 20]))
def test_a_regular_file_in_any_column_order_takes_the_fast_path(text: str, run: int) -> None:
    """Names of one, two or three words, rank columns in any order, runs of any size: the
    fast path reads each such file, as the general path does."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ballots.csv"
        path.write_text(text, encoding="utf-8", newline="")
        original = runs.RUN
        runs.RUN = run
        try:
            assert plain_csv_fast._read_regular(path, POLICIES[0]) is not None
        finally:
            runs.RUN = original
    fast, general = read_both(text, POLICIES[0], run)
    assert isinstance(fast, BallotSet)
    assert isinstance(general, BallotSet)
    assert same(fast, general)


def test_names_told_apart_by_one_word_are_hashed_by_it_alone(tmp_path: Path) -> None:
    """Names alike in their first eight bytes are hashed by their last word alone (fewer
    steps a cell); names no one word tells apart, by all their words and their length.
    Either way each file reads as the general path reads it."""
    alike = [f"Candidate {chr(ord('A') + i)}" for i in range(16)]
    no_one_word = ["AAAAAAAAB", "BAAAAAAAA", "AAAAAAAAA"]
    for names, word in ((alike, 1), (no_one_word, None)):
        matcher = plain_csv_fast._Matcher.of(tuple(names))
        assert matcher is not None
        assert matcher.hashing.word == word
        rows = [",".join([names[r % len(names)], names[(r + 1) % len(names)]]) for r in range(9)]
        text = f"# candidates: {json.dumps(names)}\nrank1,rank2\n" + "\n".join(rows) + "\n"
        path = tmp_path / "ballots.csv"
        path.write_text(text, encoding="utf-8")
        assert plain_csv_fast._read_regular(path, POLICIES[0]) is not None
        fast, general = read_both(text, POLICIES[0], 1 << 20)
        assert isinstance(fast, BallotSet)
        assert isinstance(general, BallotSet)
        assert same(fast, general)
