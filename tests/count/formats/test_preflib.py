from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from omov.count import BallotFileError, BallotSet, Inactive
from omov.count.ballots import BallotPolicy, OvervoteRule
from omov.count.formats import read_ballots

HEADER = """\
# TITLE: Ward 7
# NUMBER ALTERNATIVES: 3
# ALTERNATIVE NAME 1: Alice
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Carol
"""


def write(tmp_path: Path, text: str, name: str = "ballots.toi") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rankings(ballots: BallotSet) -> dict[tuple[int, ...], int]:
    """Each clean ranking with its stop code (as an Inactive) -> weight."""
    n = ballots.n_candidates
    out = {}
    for row, weight in zip(ballots.rankings.tolist(), ballots.weights.tolist(), strict=True):
        stop = next(c for c in row if c >= n)
        out[(*[c for c in row if c < n], Inactive(stop - n))] = weight
    return out


def official_first_round(report: Path) -> dict[str, int]:
    """Round 1 totals from the city's detail report, as published."""
    text = report.read_text(encoding="utf-8")
    round1 = text.split("ROUND 1")[1].split("ROUND 2")[0]
    rows = re.findall(r"^(\S.*?)\s+\+([\d,]+)\s+([\d,]+)\s+\S", round1, re.MULTILINE)
    return {name.strip(): int(total.replace(",", "")) for name, _, total in rows}


def test_burlington_first_preferences_match_the_official_report(data_dir):
    folder = data_dir / "burlington-2009"
    ballots = read_ballots(folder / "ballots.toi")
    official = official_first_round(folder / "official-detail-report.md")
    assert ballots.total == 8980
    assert ballots.title == "2009 Burlington Mayoral Election"
    firsts = dict(zip(ballots.candidates, ballots.first_preferences().tolist(), strict=True))
    exhausted = official.pop("EXHAUSTED PILE:")
    official["Write-In"] = official.pop("Write-in")
    assert firsts == official
    # The city's exhausted pile after round 1: ballots overvoted at their first rank.
    overvoted_first = ballots.weights[ballots.rankings[:, 0] == ballots.stop(Inactive.OVERVOTE)]
    assert int(overvoted_first.sum()) == exhausted == 4


def test_a_tie_is_an_overvote_at_its_rank(tmp_path):
    path = write(tmp_path, HEADER + "3: 1,{2,3},1\n2: {3},2\n1: 2,3\n")
    exhaust = read_ballots(path)
    assert rankings(exhaust) == {
        (0, Inactive.OVERVOTE): 3,
        (2, 1, Inactive.EXHAUSTED): 2,
        (1, 2, Inactive.EXHAUSTED): 1,
    }
    skip = read_ballots(path, policy=BallotPolicy(overvote=OvervoteRule.SKIP))
    assert rankings(skip)[(0, Inactive.EXHAUSTED)] == 3
    assert exhaust.candidates == ("Alice", "Bob", "Carol")
    assert exhaust.title == "Ward 7"


def test_soi_reads_strict_orders_and_refuses_ties(tmp_path):
    good = write(tmp_path, HEADER + "5: 3, 1\n1: 2\n", "ballots.soi")
    assert rankings(read_ballots(good)) == {
        (2, 0, Inactive.EXHAUSTED): 5,
        (1, Inactive.EXHAUSTED): 1,
    }
    bad = write(tmp_path, HEADER + "5: 3,{1,2}\n", "bad.soi")
    with pytest.raises(BallotFileError, match=r"bad\.soi:6: a tie"):
        read_ballots(bad)


def test_checked_totals_pass_and_unnamed_alternatives_get_a_name(tmp_path):
    text = "# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 3\n# NUMBER UNIQUE ORDERS: 2\n2: 1\n1: 2,1\n"
    ballots = read_ballots(write(tmp_path, text))
    assert ballots.candidates == ("Alternative 1", "Alternative 2")
    assert ballots.total == 3
    assert np.array_equal(ballots.first_preferences(), [2, 1])


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("3: 1,4\n", 6, "alternative 4 is outside 1..3"),
        ("3: 1,x\n", 6, "'x' is not an alternative number"),
        ("2: 1\n-3: 1,2\n", 7, "expected 'count: order'"),
        ("2: 1\n3: 1,,2\n", 7, "'' is not an alternative number"),
        ("1: 1\nthree: 1,2\n", 7, "expected 'count: order'"),
        ("3: 1,{2,3\n", 6, "unbalanced braces"),
        ("3: 1,{}\n", 6, "an empty tie"),
        ("3: 1\n# NUMBER VOTERS: 3\n", 7, "a header line after the first order"),
        ("", 5, "no orders after the header"),
    ],
)
def test_malformed_lines_are_named(tmp_path, body, line, message):
    path = write(tmp_path, HEADER + body)
    with pytest.raises(BallotFileError) as caught:
        read_ballots(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_truncated_file_fails_on_its_declared_total(tmp_path):
    text = HEADER + "# NUMBER VOTERS: 10\n6: 1\n"
    with pytest.raises(BallotFileError, match=r":6: NUMBER VOTERS says 10, but the orders hold 6"):
        read_ballots(write(tmp_path, text))


def test_empty_binary_and_undecodable_files_fail_with_a_line(tmp_path):
    empty = write(tmp_path, "", "empty.toi")
    with pytest.raises(BallotFileError, match=r"empty\.toi:1: empty file"):
        read_ballots(empty)
    binary = tmp_path / "junk.toi"
    binary.write_bytes(b"# x\n\x00\x01\x02" * 1000)
    with pytest.raises(BallotFileError, match=r"junk\.toi:2: binary data"):
        read_ballots(binary)
    latin = tmp_path / "latin.toi"
    latin.write_bytes(HEADER.encode() + "# ALTERNATIVE NAME 3: Zoë\n".encode("latin-1"))
    with pytest.raises(BallotFileError, match=r"latin\.toi:6: not UTF-8"):
        read_ballots(latin)


def test_the_whole_buffer_reading_agrees_with_the_careful_one(tmp_path, data_dir, monkeypatch):
    from omov.count.formats import preflib

    made = write(tmp_path, HEADER + "4: 1, 2,3\n2: {1,2},3\n1: \n3: 3\n5: 2,{3}\n")
    files = [made, data_dir / "burlington-2009" / "ballots.toi"]
    fast = [read_ballots(path) for path in files]
    monkeypatch.setattr(preflib, "_whole_body", lambda *args: None)
    careful = [read_ballots(path) for path in files]
    for one, other in zip(fast, careful, strict=True):
        assert one.rankings.tolist() == other.rankings.tolist()
        assert one.weights.tolist() == other.weights.tolist()
        assert one.blank_ballots == other.blank_ballots
    assert fast[0].blank_ballots == 1
    assert rankings(fast[0])[(1, 2, Inactive.EXHAUSTED)] == 5
