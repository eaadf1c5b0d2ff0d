"""The board: small sections merged, no link from a tracker to an elector (or, in
inclusion mode, to a ballot), and exported ballots that other tabulators agree on."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from omov.count import BallotSet, count
from omov.ledger.board import (
    TrackerMode,
    merge_small_sections,
    new_tracker,
    normalise_tracker,
    relabel_sections,
)
from omov.ledger.bundle import write_bundle
from omov.ledger.demo import DemoContest
from omov.ledger.keys import SigningKey
from omov.ledger.verify import verify_bundle
from tests.ledger.conftest import build_demo


def _files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _bundle(tmp: Path, name: str, demo: DemoContest, officer: SigningKey) -> dict[str, bytes]:
    write_bundle(demo.publication, tmp / name, officer)
    return _files(tmp / name)


def test_small_sections_are_merged() -> None:
    counts = {"members": 500, "registered-supporters": 40, "overseas": 3, "youth": 4}
    mapping = merge_small_sections(counts, 10)
    assert mapping["members"] == "members"
    assert mapping["registered-supporters"] == "registered-supporters + overseas + youth"
    assert mapping["overseas"] == mapping["youth"] == mapping["registered-supporters"]
    pooled = merge_small_sections({"a": 100, "b": 6, "c": 7}, 10)
    assert pooled == {"a": "a", "b": "b + c", "c": "b + c"}
    assert merge_small_sections({"a": 100, "b": 10}, 10) == {"a": "a", "b": "b"}


def test_a_bundle_with_a_small_section_publishes_it_merged(
    tmp_path: Path, officer: SigningKey
) -> None:
    rankings = [[0, 1, 2]] * 30 + [[1, 0]] * 25 + [[2, 1]] * 4 + [[1, 2]] * 20
    sections = ["members"] * 30 + ["members"] * 5 + ["supporters"] * 20 + ["affiliates"] * 24
    ballots = BallotSet.from_rankings(["Ann", "Bo", "Cy"], rankings, sections=sections)
    small = BallotSet.from_rankings(["Ann", "Bo", "Cy"], rankings[:3], sections=["overseas"] * 3)
    both = BallotSet.from_rankings(
        ["Ann", "Bo", "Cy"],
        rankings + rankings[:3],
        sections=sections + ["overseas"] * 3,
    )
    assert small.total == 3
    from omov.ledger.demo import run_demo_contest
    from omov.rules.counting import count_setup
    from omov.rules.loading import load_rulebook
    from tests.ledger.conftest import RULEBOOK, rulebook_text

    method, seats, options = count_setup(load_rulebook(RULEBOOK))
    demo = run_demo_contest(
        both,
        rulebook_edition=RULEBOOK,
        rulebook_text=rulebook_text(),
        method=method,
        seats=seats,
        options=options,
        officer=officer,
    )
    board = demo.publication.board
    assert "overseas" not in board.section_names
    assert any("overseas" in label for label in board.section_names)
    write_bundle(demo.publication, tmp_path / "b", officer)
    checks = verify_bundle(tmp_path / "b")
    assert [c.line() for c in checks if not c.ok] == []
    assert any(c.file == "sections/" for c in checks)
    section_files = sorted(p.name for p in (tmp_path / "b" / "sections").iterdir())
    assert section_files == [f"section-{i + 1}.blt" for i in range(len(board.section_names))]
    report = demo.publication.report
    for rnd in report.rounds:
        assert all(label != "overseas" for label in rnd.sections)
    assert ballots.total + 3 == board.size


def test_nothing_links_a_tracker_to_an_elector(tmp_path: Path, officer: SigningKey) -> None:
    """Change who cast which ballot: every published byte stays the same."""
    one = build_demo(officer, elector_seed=1)
    two = build_demo(officer, elector_seed=2)
    assert dict(one.tracker_of_elector) != dict(two.tracker_of_elector)
    assert set(one.tracker_of_elector.values()) == set(two.tracker_of_elector.values())
    first, second = _bundle(tmp_path, "one", one, officer), _bundle(tmp_path, "two", two, officer)
    assert first == second
    text = b"".join(first.values())
    for elector in list(one.tracker_of_elector)[:50]:
        assert elector.encode() not in text
    entries = first["ledger/entries.jsonl"].decode()
    assert not any(t in entries for t in list(one.tracker_of_elector.values())[:200])


def test_in_inclusion_mode_nothing_links_a_tracker_to_a_ballot(
    tmp_path: Path, officer: SigningKey
) -> None:
    """Give the same trackers to different ballots: in inclusion mode nothing published
    changes; in content mode the board does (the test can tell a link when there is one)."""
    plain = build_demo(officer, mode=TrackerMode.INCLUSION)
    shuffled = build_demo(officer, mode=TrackerMode.INCLUSION, tracker_seed=9)
    assert plain.publication.board.trackers == shuffled.publication.board.trackers
    assert _bundle(tmp_path, "a", plain, officer) == _bundle(tmp_path, "b", shuffled, officer)

    content = build_demo(officer, mode=TrackerMode.CONTENT)
    content_shuffled = build_demo(officer, mode=TrackerMode.CONTENT, tracker_seed=9)
    a = _bundle(tmp_path, "c", content, officer)
    b = _bundle(tmp_path, "d", content_shuffled, officer)
    assert a["ballots.parquet"] != b["ballots.parquet"]
    assert a["trackers.txt"] == b["trackers.txt"]


def test_the_board_is_sorted_by_random_id_and_has_no_times(demo: DemoContest) -> None:
    board = demo.publication.board
    assert bool((board.ids[1:] > board.ids[:-1]).all())
    assert list(board.trackers) == sorted(board.trackers)


def test_trackers_are_random_and_read_generously() -> None:
    tracker = new_tracker()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", tracker)
    assert new_tracker() != tracker
    assert normalise_tracker(tracker.lower().replace("-", " ")) == tracker


def test_relabel_keeps_every_ballot() -> None:
    ballots = BallotSet.from_rankings(["A", "B"], [[0, 1], [1], [0]], sections=["x", "y", "x"])
    merged = relabel_sections(ballots, {"x": "x + y", "y": "x + y"})
    assert merged.section_names == ("x + y",)
    assert merged.total == 3


@pytest.mark.parametrize("mode", list(TrackerMode))
def test_both_tracker_modes_verify(tmp_path: Path, officer: SigningKey, mode: TrackerMode) -> None:
    demo = build_demo(officer, mode=mode)
    write_bundle(demo.publication, tmp_path / "b", officer)
    tracker = next(iter(demo.tracker_of_elector.values()))
    checks = verify_bundle(tmp_path / "b", tracker=tracker)
    assert [c.line() for c in checks if not c.ok] == []
    mine = checks[-1]
    assert ("ranking" in mine.message) is (mode is TrackerMode.CONTENT)


def test_a_board_from_stored_papers_counts_like_the_ballot_set() -> None:
    from omov.ledger.board import CastPaper, board_from_papers, random_ids

    rankings = [[0, 1, 2]] * 12 + [[1, 0]] * 11 + [[2]] * 9 + [[2, 1]] * 3
    sections = ["members"] * 23 + ["supporters"] * 9 + ["overseas"] * 3
    ids = random_ids(len(rankings)).view(np.uint8).reshape(len(rankings), -1)
    papers = [  # whole ids: bytes(ids[k]) of an S16 array would drop trailing zero bytes
        CastPaper(ids[k].tobytes(), sections[k], rankings[k], new_tracker())
        for k in range(len(rankings))
    ]
    board, mapping = board_from_papers(["Ann", "Bo", "Cy"], papers)
    assert mapping["overseas"] == mapping["supporters"] == "overseas + supporters"
    assert board.size == 35
    assert bool((board.ids[1:] > board.ids[:-1]).all())
    direct = BallotSet.from_rankings(["Ann", "Bo", "Cy"], rankings)
    ours, theirs = count(board.ballot_set(), method="irv"), count(direct, method="irv")
    assert [r.tallies for r in ours.rounds] == [r.tallies for r in theirs.rounds]
    assert ours.elected == theirs.elected
    with pytest.raises(Exception, match="not a ranking"):
        board_from_papers(["Ann"], [CastPaper(bytes(16), "m", [0, 0], new_tracker())])


def test_exported_ids_keep_their_trailing_zero_bytes(tmp_path: Path) -> None:
    """An id ending in zero bytes (one in 256 does) is still written whole."""
    import csv

    from omov.ledger.board import CastPaper, board_from_papers
    from omov.ledger.export import write_rctab_csv

    ids = [bytes(15) + b"\x00", b"\x01" * 15 + b"\x00", b"\xff" * 16]
    papers = [CastPaper(i, "members", [k % 2], new_tracker()) for k, i in enumerate(ids)]
    board, _ = board_from_papers(["Ann", "Bo"], papers)
    write_rctab_csv(board, tmp_path / "ballots.csv")
    with (tmp_path / "ballots.csv").open(newline="") as stream:
        written = [row["ballot_id"] for row in csv.DictReader(stream)]
    assert sorted(written) == sorted(i.hex() for i in ids)
