"""The BLT reader's fast path (``blt_fast``) and its general path read every file alike:
the same ballot set, or the same error (which only the general path gives)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count import BallotFileError, BallotSet
from omov.count.ballots import BallotPolicy, DuplicateRule
from omov.count.formats import blt, read_ballots, runs
from omov.count.formats.blt_fast import coded_section

POLICIES = [
    BallotPolicy(),
    BallotPolicy(duplicates=DuplicateRule.EXHAUST),
    BallotPolicy(max_rankings=2),
]

# Each turns a regular file's ballot lines into one the fast path must leave alone (or,
# for the harmless ones, read the same): the general reader decides what they mean.
MUTATIONS = {
    "none": lambda lines: lines,
    "crlf": lambda lines: [line + "\r" for line in lines],
    "blank line": lambda lines: [*lines[:1], "", *lines[1:]],
    # A line "0" ends the ballots early: the lines after it are read as names.
    "early end": lambda lines: [*lines[:1], "0", *lines[1:]],
    "early end and names": lambda lines: [*lines[:1], "0", '"X"', *lines[1:]],
    "double space": lambda lines: [line.replace(" ", "  ", 1) for line in lines],
    "leading space": lambda lines: [" " + line for line in lines],
    "trailing space": lambda lines: [line + " " for line in lines],
    "tab": lambda lines: [line.replace(" ", "\t", 1) for line in lines],
    "dash": lambda lines: [line.replace(" ", " - ", 1) for line in lines],
    "equal": lambda lines: [line.replace(" 1 ", " 1=2 ", 1) for line in lines],
    "zero weight": lambda lines: ["0" + line[line.index(" ") :] for line in lines[:1]] + lines[1:],
    "zero inside": lambda lines: [line.replace(" ", " 0 ", 1) for line in lines],
    "no final zero": lambda lines: [line[:-2] for line in lines[:1]] + lines[1:],
    "id too big": lambda lines: [line.replace(" 0", " 99 0", 1) for line in lines[:1]] + lines[1:],
    "padded zero": lambda lines: [line + "0" for line in lines[:1]] + lines[1:],
    "padded id": lambda lines: [line.replace(" ", " 0", 1) for line in lines],
    "two ballots a line": lambda lines: [" ".join(lines[:2]), *lines[2:]],
    "long weight": lambda lines: ["1234567890123456" + line[line.index(" ") :] for line in lines],
}


@st.composite
def blt_files(draw: st.DrawFn) -> tuple[str, str]:
    n = draw(st.sampled_from([2, 3, 6, 12]))  # 12: ids of two digits
    ballots = draw(
        st.lists(
            st.tuples(
                st.sampled_from([1, 1, 2, 3, 10, 99, 100, 12345]),  # one digit to five
                st.lists(st.integers(1, n), max_size=n + 1),
            ),
            min_size=1,
            max_size=12,
        )
    )
    lines = [" ".join(str(v) for v in (weight, *ranks, 0)) for weight, ranks in ballots]
    mutation = draw(st.sampled_from(sorted(MUTATIONS)))
    withdrawn = draw(st.sampled_from(["", f"-{n}\n"]))
    names = "".join(f'"C{i}"\n' for i in range(n))
    body = "\n".join(MUTATIONS[mutation](lines))
    return mutation, f'{n} 1\n{withdrawn}{body}\n0\n{names}"T"\n'


def read_both(text: str, policy: BallotPolicy, mapped: bool = False) -> tuple[object, object]:
    """What each path makes of ``text``: a ballot set, or the error's message. The fast
    path reads the file ``mapped`` (as a large file is) or read."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.blt"
        path.write_text(text, encoding="utf-8", newline="")
        outcomes = []
        for fast in (True, False):
            original, least = blt.coded_section, runs.MAP_AT_LEAST
            if not fast:
                blt.coded_section = lambda *args: None  # type: ignore[assignment]
            runs.MAP_AT_LEAST = 0 if mapped and fast else least
            try:
                outcomes.append(read_ballots(path, policy=policy))
            except BallotFileError as error:
                outcomes.append(str(error).replace(str(path), "FILE"))
            finally:
                blt.coded_section, runs.MAP_AT_LEAST = original, least
    return outcomes[0], outcomes[1]


def same(a: BallotSet, b: BallotSet) -> bool:
    return (
        a.candidates == b.candidates
        and np.array_equal(a.rankings, b.rankings)
        and np.array_equal(a.weights, b.weights)
        and a.withdrawn == b.withdrawn
        and a.total == b.total
        and a.blank_ballots == b.blank_ballots
        and (a.title, a.seats) == (b.title, b.seats)
    )


@settings(max_examples=300, deadline=None)
@given(blt_files(), st.sampled_from(POLICIES), st.booleans())
def test_the_fast_and_general_paths_read_alike(
    case: tuple[str, str], policy: BallotPolicy, mapped: bool
):
    _, text = case
    fast, general = read_both(text, policy, mapped)
    if isinstance(general, str):
        assert fast == general
    else:
        assert isinstance(fast, BallotSet)
        assert same(fast, general)


@settings(max_examples=100, deadline=None)
@given(blt_files(), st.integers(1, 40))
def test_a_section_read_in_short_runs_of_lines_reads_the_same(
    case: tuple[str, str], run: int
) -> None:
    """However the section is cut into runs of lines (a run's last line may need another
    width, or be the irregular one), the fast path reads it as in one run."""
    _, text = case
    section = text[text.index("\n", text.index("\n") + 1 if "\n-" in text else 0) + 1 :]
    data = section[: section.index("\n0\n") + 1].encode()
    n = int(text.split()[0])
    whole = coded_section(data, n)
    original = runs.RUN
    runs.RUN = run
    try:
        cut = coded_section(data, n)
    finally:
        runs.RUN = original
    assert (whole is None) == (cut is None)
    if whole is not None and cut is not None:
        assert np.array_equal(whole.codes, cut.codes)
        assert np.array_equal(whole.weights, cut.weights)


@settings(max_examples=100, deadline=None)
@given(blt_files())
def test_a_regular_section_takes_the_fast_path(case: tuple[str, str]) -> None:
    mutation, text = case
    section = text[text.index("\n", text.index("\n") + 1 if "\n-" in text else 0) + 1 :]
    section = section[: section.index("\n0\n") + 1]
    taken = coded_section(section.encode(), int(text.split()[0]))
    if mutation == "none":
        assert taken is not None
    elif mutation in ("crlf", "blank line", "tab", "dash", "trailing space"):  # always apply
        assert taken is None


@pytest.mark.parametrize(
    ("section", "why"),
    [
        (b"1 2 0\n1 0 3 0\n", "a zero before the end of a line"),
        (b"1 2 0 1 3 0\n1 0\n", "two zeros on one line"),
        (b"1 2 0\n 0\n", "a line with no weight"),
        (b"1 2 0\n1 4 0\n", "a candidate outside 1..3"),
        (b"1 2 0\n1 2 10\n", "a line that does not end in 0"),
    ],
)
def test_an_irregular_section_is_left_to_the_general_reader(section: bytes, why: str) -> None:
    assert coded_section(section, 3) is None, why


@pytest.mark.parametrize("odd", [b":", b"=", b"A", b"\xc3\xa9", b"-", b"\t", b"\r", b"\x00"])
def test_a_byte_no_regular_section_holds_is_left_to_the_general_reader(odd: bytes) -> None:
    """Bytes are checked a run of lines at a time as they are parsed: one in a token whose
    value, read as digits, would be a candidate's id (of 300) is refused all the same."""
    section = b"1 2 0\n1 1" + odd + b"1 0\n3 4 0\n"
    assert coded_section(section, 300) is None, odd
    assert coded_section(section.replace(b"1" + odd + b"1", b"111"), 300) is not None


@pytest.mark.parametrize(
    "text",
    [
        b'2 1\n1 1 0\n0\n"A"\n"B"\n',
        b'2 1\r\n1 1 0\r\n 0 \r\n"A"\r\n"B"\r\n',
        b'2 1\n1 1 0\n\t0\t\n"A"\n"B"',
        b"2 1\n0\n",
        b"2 1\n0",
        b"2 1\n1 1 0\n10\n",
        b"2 1\n1 1 0\n",
    ],
)
def test_the_end_of_the_ballots_is_found_as_the_line_regex_finds_it(text: bytes) -> None:
    start = text.index(b"\n") + 1
    line = blt._TERMINATOR.search(text, start)
    expected = None if line is None else (line.start(), line.end())
    assert blt._terminator(text, start) == expected


SECTIONS_ENDING = [
    b"1 1 0\n0\n",
    b"1 1 0\n 0\n1 2 0\n0\n",
    b"1 1 0\n0 \n0\n",
    b"1 1 0\n\t0\n0\n",
    b"1 1 0\n0\r\n0\n",
    b"1 1 0\n1 2 0 \n0\n",
    b"0\n1 1 0\n0\n",
    b"1 1 0\n0",
    b"1 1 0\n10\n0\n",
]
"""Ballot sections followed by lines "0" with and without spaces: the first is the end."""


@pytest.mark.parametrize("section", SECTIONS_ENDING)
def test_the_line_that_ends_the_ballots_is_found_as_the_pattern_finds_it(section: bytes) -> None:
    """The byte search for a plain "0" line agrees with the pattern it stands in for."""
    data = b"2 1\n" + section + b'\n"A"\n"B"\n'
    start = len(b"2 1\n")
    found = blt._TERMINATOR_AFTER_NEWLINE.search(data, start - 1)
    assert found is not None
    assert blt._terminator(data, start) == (found.start() + 1, found.end())


@pytest.mark.parametrize("section", SECTIONS_ENDING)
def test_the_ballots_end_where_the_general_reader_ends_them(section: bytes) -> None:
    """The fast path takes the first line "0" itself as the end only for a section it reads
    as regular: a line '0' with spaces around it before it is found as the pattern finds it."""
    text = (b"2 1\n" + section + b'\n"A"\n"B"\n').decode()
    fast, general = read_both(text, BallotPolicy())
    if isinstance(general, str):
        assert fast == general
    else:
        assert isinstance(fast, BallotSet)
        assert same(fast, general)
