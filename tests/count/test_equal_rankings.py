"""Equal rankings (BLT's ``b=c``): kept as the file gives them, and read by each method as
its rule says: shared equally (Meek), an overvote under ``--overvote`` (IRV, the Scottish
rules, ERS97, ...), or refused (the exhaustive ballot). The report says how many papers
that affected."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from omov.count import (
    METHODS,
    BallotFileError,
    BallotPolicy,
    BallotSet,
    Inactive,
    MethodError,
    OvervoteRule,
    count,
)
from omov.count.catalogue import EqualRankings
from omov.count.formats import read_ballots

# Two papers rank B and C equal after A; one ranks them equal first.
EQUAL = '3 1\n4 1 0\n2 1 2=3 0\n1 2=3 0\n2 2 0\n2 3 0\n0\n"A"\n"B"\n"C"\n'


def write(tmp_path: Path, text: str, name: str = "equal.blt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def equal(tmp_path: Path, overvote: OvervoteRule = OvervoteRule.EXHAUST) -> BallotSet:
    return read_ballots(write(tmp_path, EQUAL), policy=BallotPolicy(overvote=overvote))


def test_the_reader_keeps_equal_rankings_as_the_file_gives_them(tmp_path: Path) -> None:
    ballots = equal(tmp_path)
    assert ballots.equal_groups == (frozenset({1, 2}),)
    group = ballots.group_code(0)
    rows = {
        tuple(int(c) for c in r[:2]): int(w)
        for r, w in zip(ballots.rankings, ballots.weights, strict=True)
    }
    assert rows[(0, group)] == 2
    assert rows[(group, ballots.stop(Inactive.EXHAUSTED))] == 1


def test_a_withdrawn_candidate_leaves_an_equal_ranking(tmp_path: Path) -> None:
    text = EQUAL.replace("3 1\n", "3 1\n-3\n")
    ballots = read_ballots(write(tmp_path, text))
    assert ballots.equal_groups == ()  # B=C with C withdrawn is B alone
    n = ballots.n_candidates
    papers = {
        tuple(int(c) for c in r if c < n): int(w)
        for r, w in zip(ballots.rankings, ballots.weights, strict=True)
    }
    assert papers == {(0,): 4, (0, 1): 2, (1,): 3, (2,): 2}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("2==3", "equal ranking '2==3' must join candidate ids in 1..3"),
        ("2=", "equal ranking '2=' must join"),
        ("=3", "equal ranking '=3' must join"),
        ("2=4", "equal ranking '2=4' must join"),
        ("2=2", "equal ranking '2=2' names a candidate twice"),
    ],
)
def test_a_malformed_equal_ranking_names_its_line(tmp_path: Path, token: str, message: str) -> None:
    path = write(tmp_path, EQUAL.replace("\n1 2=3 0", f"\n1 {token} 0"))
    with pytest.raises(BallotFileError) as failure:
        read_ballots(path)
    assert failure.value.line == 4
    assert message in failure.value.reason


def test_each_method_says_what_an_equal_ranking_means() -> None:
    meanings = {name: method.equal_rankings for name, method in METHODS.items()}
    assert meanings["meek"] is EqualRankings.SPLIT
    assert meanings["exhaustive"] is EqualRankings.REFUSED
    for name in ("irv", "wigm", "scottish-stv", "ers97", "fptp", "college"):
        assert meanings[name] is EqualRankings.OVERVOTE, name


def test_meek_shares_an_equal_ranking_among_the_candidates_standing(tmp_path: Path) -> None:
    report = count(equal(tmp_path), method="meek", seats=1)
    first = report.rounds[0].tallies
    # A: 4 + 2; B: 1/2 + 2; C: 1/2 + 2 (the two A-first papers stay with hopeful A).
    assert first == {"A": 6, "B": Fraction(5, 2), "C": Fraction(5, 2)}
    assert report.notes == (
        "3 papers rank candidates equal: meek reads them as its rule does: the continuing "
        "candidates ranked equal share each such paper equally",
    )


def test_meek_passes_a_share_on_from_an_elected_candidate(tmp_path: Path) -> None:
    # Two seats: A's surplus flows on through B=C in equal shares, so B and C stay level.
    report = count(equal(tmp_path), method="meek", seats=2)
    assert report.elected[0] == "A"
    settled = report.rounds[1].tallies
    assert settled["B"] == settled["C"] > Fraction(5, 2)


@pytest.mark.parametrize("method", ["irv", "scottish-stv", "ers97", "wigm", "fptp"])
def test_an_overvote_method_exhausts_an_equal_ranking_by_default(
    tmp_path: Path, method: str
) -> None:
    report = count(equal(tmp_path), method=method, seats=1)
    # The paper ranking B=C first stops at once; the A-first ones stop when A leaves.
    assert report.rounds[0].inactive[Inactive.OVERVOTE] == 1
    assert report.notes[0] == (
        f"3 papers rank candidates equal: {method} reads an equal ranking as an overvote "
        "(exhaust): each stops counting at its equal ranking"
    )


def test_overvote_skip_passes_over_an_equal_ranking(tmp_path: Path) -> None:
    report = count(equal(tmp_path, OvervoteRule.SKIP), method="irv")
    assert report.rounds[0].tallies == {"A": 6, "B": 2, "C": 2}
    assert report.rounds[0].inactive[Inactive.OVERVOTE] == 0
    assert report.rounds[0].inactive[Inactive.EXHAUSTED] == 1
    assert "(skip): each passes over its equal ranking" in report.notes[0]


def test_overvote_exhaust_if_multiple_continuing_counts_the_one_left(tmp_path: Path) -> None:
    ballots = equal(tmp_path, OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING)
    report = count(ballots, method="irv")
    assert report.rounds[0].inactive[Inactive.OVERVOTE] == 1  # B and C both continue
    assert "(exhaust-if-multiple-continuing)" in report.notes[0]
    with pytest.raises(MethodError, match="does not support the exhaust-if-multiple"):
        count(ballots, method="scottish-stv")


def test_the_exhaustive_ballot_refuses_equal_rankings(tmp_path: Path) -> None:
    with pytest.raises(MethodError) as failure:
        count(equal(tmp_path), method="exhaustive")
    assert "exhaustive gives equal rankings no meaning, and 3 papers rank candidates equal" in str(
        failure.value
    )


def test_a_file_without_equal_rankings_counts_as_before(tmp_path: Path) -> None:
    plain = read_ballots(write(tmp_path, EQUAL.replace("2=3", "2")))
    assert plain.equal_groups == ()
    for method in ("meek", "irv", "exhaustive"):
        assert count(plain, method=method).notes == ()
