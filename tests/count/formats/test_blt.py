from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from omov.count import BallotFileError, BallotSet, Inactive, count
from omov.count.ballots import BallotPolicy, OvervoteRule
from omov.count.formats import read_ballots, write_ballots

GOOD = """\
4 2
-4
3 1 2 0
2 2 1 3 0
1 3 0
1 1 2 0
0
"Ann Smith"
"Bob Jones"
"Cath O'Neill"
"Dee Withdrawn"
"Test, election"
"""


def write(tmp_path: Path, text: str, name: str = "ballots.blt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def as_lists(ballots: BallotSet) -> dict[tuple[int, ...], int]:
    n = ballots.n_candidates
    return {
        tuple(int(c) for c in row if c < n): int(w)
        for row, w in zip(ballots.rankings, ballots.weights, strict=True)
    }


def test_reads_header_withdrawn_weights_names_and_title(tmp_path: Path) -> None:
    ballots = read_ballots(write(tmp_path, GOOD))
    assert ballots.candidates == ("Ann Smith", "Bob Jones", "Cath O'Neill", "Dee Withdrawn")
    assert ballots.seats == 2
    assert ballots.title == "Test, election"
    assert ballots.withdrawn == frozenset({3})
    assert ballots.total == 7
    assert as_lists(ballots) == {(0, 1): 4, (1, 0, 2): 2, (2,): 1}


def test_equal_ranking_is_kept_and_dash_is_a_skipped_rank(tmp_path: Path) -> None:
    text = '3 1\n2 1 2=3 0\n1 2 - 3 0\n0\n"A"\n"B"\n"C"\n'
    path = write(tmp_path, text)
    ballots = read_ballots(path)
    assert ballots.equal_groups == (frozenset({1, 2}),)
    heads = {tuple(r[:2]): int(w) for r, w in zip(ballots.rankings, ballots.weights, strict=True)}
    assert heads[(0, ballots.group_code(0))] == 2
    assert as_lists(ballots)[(1, 2)] == 1
    # IRV reads an equal ranking as an overvote, under the policy the file was read with.
    first = write(tmp_path, '3 1\n2 2=3 1 0\n1 1 0\n0\n"A"\n"B"\n"C"\n', "first.blt")
    exhausting = count(read_ballots(first), method="irv").rounds[0]
    assert (exhausting.tallies["A"], exhausting.inactive[Inactive.OVERVOTE]) == (1, 2)
    skip = BallotPolicy(overvote=OvervoteRule.SKIP)
    skipping = count(read_ballots(first, policy=skip), method="irv").rounds[0]
    assert (skipping.tallies["A"], skipping.inactive[Inactive.OVERVOTE]) == (3, 0)


def test_blank_lines_and_windows_line_ends_are_accepted(tmp_path: Path) -> None:
    text = GOOD.replace("\n", "\r\n").replace("3 1 2 0", "\r\n3 1 2 0")
    assert as_lists(read_ballots(write(tmp_path, text))) == as_lists(
        read_ballots(write(tmp_path, GOOD, "plain.blt"))
    )


def test_round_trip_keeps_rankings_weights_names_seats(tmp_path: Path) -> None:
    ballots = read_ballots(write(tmp_path, GOOD))
    out = tmp_path / "out.blt"
    write_ballots(ballots, out, format="blt")
    again = read_ballots(out)
    assert again.candidates == ballots.candidates
    assert again.seats == ballots.seats
    assert again.title == ballots.title
    assert again.withdrawn == ballots.withdrawn
    assert np.array_equal(again.rankings, ballots.rankings)
    assert np.array_equal(again.weights, ballots.weights)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_round_trip_of_the_bundled_ward(tmp_path: Path) -> None:
    from omov.examples import WARD_BLT

    ballots = read_ballots(WARD_BLT)
    assert ballots.total == 2400
    out = tmp_path / "ward.blt"
    write_ballots(ballots, out, format="blt")
    again = read_ballots(out)
    assert as_lists(again) == as_lists(ballots)
    assert again.title == ballots.title


def test_progress_reports_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    seen: list[tuple[int, int]] = []
    read_ballots(path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


BAD = [
    ("empty", "", 1, "empty file"),
    ("blank", "\n\n  \n", 1, "empty file"),
    ("junk", "hello world\nthis is not a ballot file\n", 1, "first line"),
    ("truncated", "3 1\n2 1 2 0\n1 3", 3, "truncated"),
    ("truncated-line", '3 1\n2 1 2 0\n1 3\n0\n"A"\n"B"\n"C"\n', 3, "end with 0"),
    ("fewer-names", '3 1\n2 1 2 0\n0\n"A"\n"B"\n', 6, "2 candidate names for the 3"),
    (
        "non-numeric-rank",
        '3 1\n2 1 2 0\n1 1 x 0\n0\n"A"\n"B"\n"C"\n',
        3,
        "unexpected character 'x'",
    ),
    ("rank-too-high", '3 1\n2 1 2 0\n\n1 4 0\n0\n"A"\n"B"\n"C"\n', 4, "outside 1..3"),
    ("rank-zero-inside", '3 1\n1 1 0 2 0\n0\n"A"\n"B"\n"C"\n', 2, "outside 1..3"),
    ("bad-weight", '3 1\n0 1 2 0\n0\n"A"\n"B"\n"C"\n', 2, "weight must be at least 1"),
    ("bad-equal", '3 1\n1 1 2=9 0\n0\n"A"\n"B"\n"C"\n', 2, "equal ranking '2=9'"),
    ("bad-dash", '3 1\n1 1 -2 0\n0\n"A"\n"B"\n"C"\n', 2, "a rank must be"),
    ("unquoted-name", '3 1\n1 1 2 0\n0\n"A"\nB\n"C"\n', 5, "quoted name"),
    ("bad-withdrawn", '3 1\n-5\n1 1 2 0\n0\n"A"\n"B"\n"C"\n', 2, "outside 1..3"),
    ("header-one-number", '3\n1 1 2 0\n0\n"A"\n"B"\n"C"\n', 1, "first line"),
]


@pytest.mark.parametrize(("case", "text", "line", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_fails_with_one_line_naming_file_and_line(
    tmp_path: Path, case: str, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, text, f"{case}.blt")
    with pytest.raises(BallotFileError) as failure:
        read_ballots(path)
    error = failure.value
    assert (error.path, error.line) == (str(path), line)
    assert message in error.reason
    assert str(error).startswith(f"{path}:{line}: ")
    assert "\n" not in str(error)


def test_large_file_of_junk_fails_fast(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    junk = rng.integers(32, 127, size=2_000_000, dtype=np.uint8).tobytes()
    path = tmp_path / "junk.blt"
    path.write_bytes(b"5 2\n" + junk)
    with pytest.raises(BallotFileError) as failure:
        read_ballots(path)
    assert failure.value.line == 2


def test_writer_writes_a_quote_in_a_name_as_a_typographic_one(tmp_path: Path) -> None:
    ballots = BallotSet.from_rankings(['Say "hi"', "B"], [[0, 1]])
    out = tmp_path / "x.blt"
    write_ballots(ballots, out, format="blt")
    assert read_ballots(out).candidates == ("Say “hi”", "B")
