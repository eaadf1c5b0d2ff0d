"""BLT as omov writes it: what Droop and OpenSTV read (UTF-8 without a byte-order mark,
withdrawn candidates on the negative-id line both read, equal rankings as ``a=b``), and
read back by omov as the same ballot set, equal rankings and withdrawn candidates too
(papers with no mark are not part of the poll, and are not written)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count import BallotFileError, BallotSet
from omov.count.ballots import BLANK, OVERVOTE_GROUP_BASE
from omov.count.formats import read_ballots, write_ballots

NAMES = ("Ann Smith", "Bob Jones", "Cath Brown", "Dee Green", "Ed Black")


def papers(ballots: BallotSet) -> dict[tuple[tuple[int, ...], ...], int]:
    """Each distinct paper as its ranks (a candidate, or several ranked equal), with its
    weight: the ballot set as a reader of the file sees it."""
    n = ballots.n_candidates
    first_group = ballots.group_code(0)
    found: dict[tuple[tuple[int, ...], ...], int] = {}
    for row, weight in zip(ballots.rankings.tolist(), ballots.weights.tolist(), strict=True):
        ranks = []
        for cell in row:
            if n <= cell < first_group:
                break
            group = ballots.equal_groups[cell - first_group] if cell >= first_group else {cell}
            ranks.append(tuple(sorted(group)))
        found[tuple(ranks)] = found.get(tuple(ranks), 0) + weight
    return found


@st.composite
def ballot_sets(draw: st.DrawFn) -> BallotSet:
    n = draw(st.integers(2, len(NAMES)))
    withdrawn = frozenset(draw(st.sets(st.integers(0, n - 1), max_size=n - 1)))
    standing = sorted(set(range(n)) - withdrawn)
    groups: list[frozenset[int]] = []
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        order = draw(st.permutations(range(n)))[: draw(st.integers(0, n))]
        cells, at = [], 0
        while at < len(order):
            size = draw(st.integers(1, 3))
            members = frozenset(c for c in order[at : at + size] if c not in withdrawn)
            at += size
            if len(members) > 1:  # an equal ranking of candidates standing
                if members not in groups:
                    groups.append(members)
                cells.append(OVERVOTE_GROUP_BASE - groups.index(members))
            elif members or draw(st.booleans()):
                cells.append(min(members) if members else BLANK)
        if all(cell == BLANK for cell in cells):  # a blank paper is not part of the poll
            cells.append(standing[0])  # and is not written: every paper here has a mark
        rows.append(cells)
    width = max(len(r) for r in rows)
    grid = np.full((len(rows), width), BLANK, dtype=np.int16)
    for i, cells in enumerate(rows):
        grid[i, : len(cells)] = cells
    weights = np.array(draw(st.lists(st.integers(1, 50), min_size=len(rows), max_size=len(rows))))
    assert standing
    return BallotSet.from_grid(
        NAMES[:n],
        grid,
        weights=weights,
        withdrawn=withdrawn,
        title="Prop  erty",
        seats=draw(st.integers(1, n - len(withdrawn))),
        equal_groups=groups,
    )


@settings(max_examples=150, deadline=None)
@given(ballots=ballot_sets())
def test_a_file_omov_writes_reads_back_as_the_same_ballot_set(
    tmp_path_factory: pytest.TempPathFactory, ballots: BallotSet
) -> None:
    path = tmp_path_factory.mktemp("blt") / "written.blt"
    write_ballots(ballots, path, format="blt")
    again = read_ballots(path)
    assert papers(again) == papers(ballots)
    assert set(again.equal_groups) == set(ballots.equal_groups)
    assert again.withdrawn == ballots.withdrawn
    assert (again.candidates, again.seats, again.title) == (
        ballots.candidates,
        ballots.seats,
        "Prop erty",
    )
    assert again.blank_ballots == ballots.blank_ballots == 0
    assert again.total == ballots.total


def test_what_droop_and_openstv_read(tmp_path: Path) -> None:
    source = tmp_path / "source.blt"
    source.write_bytes(
        b'\xef\xbb\xbf4 2\n[withdrawn 4]\n3 1 2=3 0\n2 2 0\n1 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n"S"\n'
    )
    path = tmp_path / "written.blt"
    write_ballots(read_ballots(source), path, format="blt")
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8").splitlines()
    assert lines[:2] == ["4 2", "-4"]  # the withdrawn line both Droop and OpenSTV read
    assert "3 1 2=3 0" in lines
    assert "1 0" not in lines  # a paper with no mark is not part of the poll
    assert lines[-3:] == ['"D"', '"T"', '"S"']
    # Every ballot line is what OpenSTV's reader takes: weight, ranks of ids, '-' or a=b, 0.
    ballot_line = re.compile(r"^\d+(?: [\d=-]+)* 0$")
    assert all(ballot_line.match(line) for line in lines[2 : lines.index("0")])


def test_an_empty_title_is_written_so_that_openstv_reads_it(tmp_path: Path) -> None:
    ballots = BallotSet.from_rankings(["A", "B"], [[0, 1], [1]])
    path = tmp_path / "untitled.blt"
    write_ballots(ballots, path, format="blt")
    title = path.read_text(encoding="utf-8").splitlines()[-1]
    assert re.fullmatch(r'"[^"]+"', title)  # OpenSTV reads a quoted line so
    assert read_ballots(path).title == ""


def test_other_formats_refuse_equal_rankings_rather_than_drop_them(tmp_path: Path) -> None:
    source = tmp_path / "source.blt"
    source.write_text('3 1\n2 1 2=3 0\n0\n"A"\n"B"\n"C"\n', encoding="utf-8")
    ballots = read_ballots(source)
    with pytest.raises(BallotFileError, match="csv cannot record equal rankings"):
        write_ballots(ballots, tmp_path / "out.csv", format="csv")
    assert not (tmp_path / "out.csv").exists()
