"""BLT as other tabulators write it: each dialect feature read from a file that has it,
and a file that gets it wrong refused with one line naming the line at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from omov.count import BallotFileError, BallotSet, CountOptions, TieBreakMode, count
from omov.count.formats import read_ballots

PLAIN = '3 1\n4 1 2 0\n2 2 3 0\n1 3 0\n0\n"Ann Smith"\n"Bob Jones"\n"Cath Brown"\n"Title"\n'


def write(tmp_path: Path, data: str | bytes, name: str = "dialect.blt") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def papers(ballots: BallotSet) -> dict[tuple[int, ...], int]:
    n = ballots.n_candidates
    return {
        tuple(int(c) for c in row if c < n): int(w)
        for row, w in zip(ballots.rankings, ballots.weights, strict=True)
    }


def refused(path: Path) -> BallotFileError:
    with pytest.raises(BallotFileError) as failure:
        read_ballots(path)
    error = failure.value
    assert error.path == str(path)
    assert "\n" not in str(error)
    return error


# -- byte-order mark ---------------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_passed_over(tmp_path: Path) -> None:
    plain = read_ballots(write(tmp_path, PLAIN, "plain.blt"))
    marked = read_ballots(write(tmp_path, b"\xef\xbb\xbf" + PLAIN.encode(), "bom.blt"))
    assert marked.candidates == plain.candidates
    assert papers(marked) == papers(plain)
    assert (marked.seats, marked.title) == (1, "Title")


def test_a_utf16_file_is_refused_on_its_first_line(tmp_path: Path) -> None:
    error = refused(write(tmp_path, PLAIN.encode("utf-16")))
    assert error.line == 1
    assert "UTF-16" in error.reason


def test_a_byte_order_mark_past_the_start_names_its_line(tmp_path: Path) -> None:
    text = PLAIN.replace("2 2 3 0", "\ufeff2 2 3 0")
    error = refused(write(tmp_path, text))
    assert error.line == 3
    assert "unexpected character" in error.reason


# -- option lines ------------------------------------------------------------------------


def test_withdrawn_option_line_withdraws_as_a_negative_id_does(tmp_path: Path) -> None:
    negative = read_ballots(write(tmp_path, PLAIN.replace("3 1\n", "3 1\n-2\n"), "neg.blt"))
    option = read_ballots(write(tmp_path, PLAIN.replace("3 1\n", "3 1\n[withdrawn 2]\n")))
    assert option.withdrawn == negative.withdrawn == {1}
    assert count(option, method="irv").elected == count(negative, method="irv").elected


def test_tie_option_decides_a_lot(tmp_path: Path) -> None:
    # Three candidates level at every stage: the Scottish rules exclude one by lot.
    level = '3 1\n{tie}2 1 0\n2 2 0\n2 3 0\n0\n"A"\n"B"\n"C"\n'
    for order, first_out in (("1 2 3", "A"), ("3 1 2", "C"), ("2 3 1", "B")):
        ballots = read_ballots(write(tmp_path, level.format(tie=f"[tie {order}]\n")))
        report = count(ballots, method="scottish-stv", seats=1)
        assert report.rounds[0].excluded == (first_out,)
        assert report.rounds[0].tie_breaks[0].resolved_by == "lot, as the file's [tie] order"
    seeded = read_ballots(write(tmp_path, level.format(tie="")))
    assert seeded.tie_order == ()
    by_seed = count(seeded, method="scottish-stv", seats=1, options=CountOptions(seed=3))
    assert by_seed.rounds[0].tie_breaks[0].resolved_by == "lot (seed 3)"


def test_nick_option_names_candidates_in_ballot_and_option_lines(tmp_path: Path) -> None:
    text = PLAIN.replace("3 1\n", "3 1\n[tie bob 1 cath]\n[nick ann bob cath]\n").replace(
        "4 1 2 0", "4 ann bob 0"
    )
    ballots = read_ballots(write(tmp_path, text))
    assert papers(ballots) == {(0, 1): 4, (1, 2): 2, (2,): 1}
    assert ballots.tie_order == (1, 0, 2)


def test_options_of_another_tabulator_are_reported_not_applied(tmp_path: Path) -> None:
    text = PLAIN.replace("3 1\n", "3 1\n[droop meek arithmetic=fixed]\n")
    ballots = read_ballots(write(tmp_path, text))
    assert ballots.notes == (
        "line 2: [droop ...] gives Droop's own counting options; omov counts by --method "
        "and its options: not applied",
    )
    report = count(ballots, method="meek", options=CountOptions(tie_break=TieBreakMode.LOT))
    assert report.notes == ballots.notes


BAD_OPTIONS = [
    ("unknown", "[stop now]", 2, "unknown option [stop]"),
    ("unclosed", "[tie 1 2 3", 2, "one '[name ...]' on a line of its own"),
    ("empty", "[]", 2, "empty option line"),
    ("tie-short", "[tie 1 2]", 2, "[tie] must list each of the 3 candidates once"),
    ("tie-twice", "[tie 1 2 2]", 2, "[tie] must list each of the 3 candidates once"),
    ("withdrawn-outside", "[withdrawn 4]", 2, "candidate 4 is outside 1..3"),
    ("withdrawn-twice", "-2\n[withdrawn 2]", 3, "candidate 2 is withdrawn twice"),
    ("withdrawn-none", "[withdrawn]", 2, "[withdrawn] names no candidate"),
    ("nick-short", "[nick a b]", 2, "3 different nicknames"),
    ("nick-number", "[nick a 7 c]", 2, "would read as an id"),
    ("unknown-nick", "[tie a b zed]\n[nick a b c]", 2, "'zed' is neither a candidate id"),
]


@pytest.mark.parametrize(("case", "option", "line", "message"), BAD_OPTIONS)
def test_a_bad_option_line_is_refused_naming_it(
    tmp_path: Path, case: str, option: str, line: int, message: str
) -> None:
    error = refused(write(tmp_path, PLAIN.replace("3 1\n", f"3 1\n{option}\n"), f"{case}.blt"))
    assert (error.line, message in error.reason) == (line, True), error.reason


def test_a_ballot_line_with_an_unknown_nickname_names_its_line(tmp_path: Path) -> None:
    text = PLAIN.replace("3 1\n", "3 1\n[nick a b c]\n").replace("2 2 3 0", "2 b zed 0")
    error = refused(write(tmp_path, text))
    assert error.line == 4
    assert "'zed' is neither a candidate id nor a [nick] nickname" in error.reason


def test_an_option_line_among_the_ballots_is_refused(tmp_path: Path) -> None:
    text = PLAIN.replace("2 2 3 0", "[tie 1 2 3]\n2 2 3 0")
    error = refused(write(tmp_path, text))
    assert error.line == 3
    assert "unexpected character '['" in error.reason


# -- annotations after the title -----------------------------------------------------------


def test_lines_after_the_title_are_kept_as_annotations(tmp_path: Path) -> None:
    text = PLAIN + '"Source:  the   returning officer"\nFirst Prefs\n  4  2  1\n# a comment\n'
    ballots = read_ballots(write(tmp_path, text))
    assert ballots.title == "Title"
    assert ballots.annotations == ("Source: the returning officer", "First Prefs", "4  2  1")
    assert count(ballots, method="irv").annotations == ballots.annotations


def test_an_unquoted_line_before_the_title_is_still_refused(tmp_path: Path) -> None:
    text = PLAIN.replace('"Bob Jones"', "Bob Jones")
    error = refused(write(tmp_path, text))
    assert error.line == 7
    assert "expected a quoted name" in error.reason


# -- spaces in names -----------------------------------------------------------------------


def test_runs_of_spaces_in_names_read_as_one(tmp_path: Path) -> None:
    text = PLAIN.replace('"Ann Smith"', '"  Ann    Smith "').replace('"Title"', '"The\t Title"')
    ballots = read_ballots(write(tmp_path, text))
    assert ballots.candidates[0] == "Ann Smith"
    assert ballots.title == "The Title"


def test_a_name_without_its_closing_quote_is_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, PLAIN.replace('"Bob Jones"', '"Bob  Jones')))
    assert error.line == 7
    assert "expected a quoted name" in error.reason
