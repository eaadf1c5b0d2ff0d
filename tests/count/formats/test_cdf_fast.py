"""The CDF reader's fast path (``cdf_fast``, PyArrow's JSON reader) and its general path
(``json`` and a walk through the CVRs) read every report alike: whenever the fast path
gives ballots, the general path gives the same; where it gives none, the general path
reads the file (and names any fault)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count import BallotFileError
from omov.count.formats import cdf, cdf_fast
from omov.count.formats.cdf import CastVoteRecords

N = 4
ODD_RANKS = st.sampled_from([0, -1, 11, 12, 99, 1.0, 1.5, True, "1", None, 10**20, "missing"])


def now_and_then(
    draw: st.DrawFn, usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]
) -> Any:
    """Mostly a value of ``usual``; one time in twenty, one of ``odd``."""
    return draw(odd) if draw(st.integers(0, 19)) == 0 else draw(usual)


@st.composite
def positions(draw: st.DrawFn) -> list[Any]:
    found = []
    for _ in range(draw(st.sampled_from([1, 1, 1, 0, 2]))):
        position: dict[str, Any] = {"@type": "CVR.SelectionPosition", "NumberVotes": 1}
        shown = now_and_then(
            draw, st.sampled_from(["yes", "yes", "no"]), st.sampled_from([None, "missing", False])
        )
        if shown != "missing":
            position["HasIndication"] = shown
        rank = now_and_then(draw, st.integers(1, N), ODD_RANKS)
        if rank != "missing":
            position["Rank"] = rank
        found.append(position)
    return found


@st.composite
def cvrs(draw: st.DrawFn, number: int) -> dict[str, Any]:
    ids = st.sampled_from([f"cs-{c}" for c in range(N)])
    selections = []
    for _ in range(draw(st.integers(0, 5))):
        selection_id = now_and_then(draw, ids, st.sampled_from(["cs-x", None, 7]))
        selection: dict[str, Any] = {"ContestSelectionId": selection_id}
        if draw(st.integers(0, 19)):
            selection["SelectionPosition"] = draw(positions())
        selections.append(selection)
    contest: dict[str, Any] = {"ContestId": "contest-1", "CVRContestSelection": selections}
    contests = [contest]
    if draw(st.integers(0, 5)) == 0:  # another contest, whose marks are not counted
        other = draw(st.sampled_from(["other", 5]))
        marks = [{"ContestSelectionId": "cs-q", "SelectionPosition": [{}]}]
        contests.append({"ContestId": other, "CVRContestSelection": marks})
    snapshot = {"@id": f"b-{number}", "CVRContest": contests}
    snapshots: list[Any] = [snapshot]
    if draw(st.integers(0, 19)) == 0:
        snapshots = draw(st.sampled_from([[], [snapshot, {"@id": "x", "CVRContest": []}]]))
    return {"@type": "CVR.CVR", "CVRSnapshot": snapshots, "CurrentSnapshotId": f"b-{number}"}


def plain_election() -> dict[str, Any]:
    return {
        "@id": "e-1",
        "Candidate": [{"@id": f"c-{c}", "Name": f"Cand\u00e9 {c}"} for c in range(N)],
        "Contest": [
            {
                "@id": "contest-1",
                "Name": "Ward 1",
                "ContestSelection": [
                    {"@id": f"cs-{c}", "@type": "CandidateSelection", "CandidateIds": [f"c-{c}"]}
                    for c in range(N)
                ],
            }
        ],
    }


@st.composite
def elections(draw: st.DrawFn) -> dict[str, Any]:
    found = plain_election()
    if draw(st.integers(0, 9)) == 0:
        found["Candidate"][0]["Name"] = draw(st.sampled_from([5, 2.5, "2020-01-01", ""]))
    if draw(st.integers(0, 9)) == 0:
        choice = found["Contest"][0]["ContestSelection"][1]
        choice["CandidateIds"] = draw(st.sampled_from([["c-0"], [], ["c-9"]]))
    return found


@st.composite
def reports(draw: st.DrawFn) -> bytes:
    document: dict[str, Any] = {
        "@type": "CVR.CastVoteRecordReport",
        "CVR": [draw(cvrs(number)) for number in range(draw(st.integers(0, 6)))],
        "Election": [draw(elections())],
        "Version": "1.0.0",
    }
    if draw(st.integers(0, 9)) == 0:
        document["Election"] = document["Election"][0]
    indent = draw(st.sampled_from([None, 2]))
    text = json.dumps(document, indent=indent, ensure_ascii=draw(st.booleans()))
    data = text.encode("utf-8")
    edit = draw(st.integers(0, 19))
    if edit == 0 and data:  # a truncated or damaged file
        cut = draw(st.integers(0, len(data) - 1))
        data = data[:cut] + draw(st.sampled_from([b"", b",", b"}", b"\xff", b"\x01"]))
    elif edit == 1:  # a key given twice: json reads the last
        data = data.replace(b'"Rank": ', b'"Rank": 1, "Rank": ', 1)
    elif edit == 2:  # JSON's forms that are not plain
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"[", b" "])) + data
    elif edit == 3:  # nesting past json's depth, where nothing is read
        data = data.replace(b'"Version": ', b'"Deep": ' + b"[" * 1200 + b"]" * 1200 + b', "V": ')
    elif edit == 4:
        data = data.replace(b'"cs-1"', b'"cs-\\u0031"')
    return data


def outcome(path: Path, fast: bool) -> CastVoteRecords | str:
    original = cdf_fast.cast_vote_records
    if not fast:
        cdf_fast.cast_vote_records = lambda *args: None  # type: ignore[assignment]
    try:
        return cdf.parse_cdf(path)
    except BallotFileError as error:
        return str(error)
    finally:
        cdf_fast.cast_vote_records = original


def same(a: CastVoteRecords | str, b: CastVoteRecords | str) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return (
        a.names == b.names
        and a.contest == b.contest
        and a.grid.dtype == b.grid.dtype
        and np.array_equal(a.grid, b.grid)
    )


@settings(max_examples=400, deadline=None)
@given(reports())
def test_the_fast_path_reads_as_the_general_reader(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cvr.json"
        path.write_bytes(data)
        general = outcome(path, fast=False)
        fast = cdf_fast.cast_vote_records(path, data, None)
        if fast is not None:
            assert same(fast, general)
        assert same(outcome(path, fast=True), general)


def regular(ranks: list[list[int]]) -> bytes:
    """A report as RCTab writes it: one selection a mark, one position each."""
    document = {
        "CVR": [
            {
                "CVRSnapshot": [
                    {
                        "@id": f"b-{i}",
                        "CVRContest": [
                            {
                                "ContestId": "contest-1",
                                "CVRContestSelection": [
                                    {
                                        "ContestSelectionId": f"cs-{c}",
                                        "SelectionPosition": [
                                            {"HasIndication": "yes", "Rank": rank}
                                        ],
                                    }
                                    for rank, c in enumerate(row, start=1)
                                    if c >= 0
                                ],
                            }
                        ],
                    }
                ],
                "CurrentSnapshotId": f"b-{i}",
            }
            for i, row in enumerate(ranks)
        ],
        "Election": plain_election(),
    }
    return json.dumps(document, indent=2).encode()


def test_a_regular_report_takes_the_fast_path(tmp_path: Path) -> None:
    data = regular([[0, 1, 2], [3, -1, 0], [2, 2, 1]])
    path = tmp_path / "cvr.json"
    path.write_bytes(data)
    fast = cdf_fast.cast_vote_records(path, data, None)
    assert fast is not None
    assert fast.grid.tolist() == [[0, 1, 2], [3, -1, 0], [2, 2, 1]]
    assert same(fast, outcome(path, fast=False))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'"Rank": 2', b'"Rank": null'),  # json's null: the general reader refuses it
        (b'"Rank": 2', b'"Rank": 2.0'),
        (b'"cs-1"', b'"cs-9"'),  # an unknown selection: the general reader names the CVR
        (b'"Rank": 2', b'"Rank": 2, "Rank": 3'),
    ],
)
def test_an_irregular_report_is_left_to_the_general_reader(
    tmp_path: Path, old: bytes, new: bytes
) -> None:
    data = regular([[0, 1, 2], [3, 1, 0]]).replace(old, new, 1)
    assert cdf_fast.cast_vote_records(tmp_path / "cvr.json", data, None) is None
