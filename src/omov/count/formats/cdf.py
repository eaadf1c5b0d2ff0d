"""NIST SP 1500-103 cast vote records (the Common Data Format), JSON encoding.

A report lists the election's candidates and contests (``Election``), then one ``CVR``
per ballot. Each CVR's current snapshot marks contest selections at ranks
(``SelectionPosition.Rank``); two candidates marked at one rank are an overvote. We read
the whole document at once (``json.loads``), take one ranked contest, and build the rank
grid: one row per CVR, ``BLANK`` where a rank is unmarked.

``parse_cdf`` returns the file's candidate names and grid without a ballot policy, so an
RCTab config can map the names through its aliases and join several files first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from omov.count.ballots import BLANK, OVERVOTE, BallotPolicy, BallotSet
from omov.count.errors import BallotFileError
from omov.count.formats import Progress, register_reader

WRONG_TYPE = "a value has the wrong JSON type for a CDF cast vote record report"
MIN_RANKS = 10
"""Ballots may offer more rankings than there are candidates (a skipped one is a blank);
past this many and the candidates' number, a rank is an error, not a grid to allocate."""


@dataclass(frozen=True)
class CastVoteRecords:
    """Ballots as read, before any ballot policy: ``grid`` cells index ``names``."""

    names: tuple[str, ...]
    grid: npt.NDArray[np.int16]
    contest: str = ""
    weights: npt.NDArray[np.int64] | None = None
    """Ballots per row, where a file gives counts; None: one each."""
    sections: tuple[str, ...] | None = None
    """A label per row (RCTab's precinct or batch, to tally by), where one is wanted."""


@register_reader("cdf", ".json")
def read_cdf(path: Path, *, policy: BallotPolicy, progress: Progress | None = None) -> BallotSet:
    records = parse_cdf(path)
    if progress is not None:
        progress(1, 1)
    return BallotSet.from_grid(records.names, records.grid, policy=policy, title=records.contest)


def parse_cdf(path: Path, contest_id: str | None = None) -> CastVoteRecords:
    """The ballots of one contest (``contest_id``: its ``@id`` or ``Name``; by default the
    only contest with selections in the file). A regular report is read by the fast path
    (``cdf_fast``), any other by ``json`` and a walk through its CVRs."""
    from omov.count.formats.cdf_fast import cast_vote_records

    try:
        data = path.read_bytes()
    except OSError as error:
        raise BallotFileError(path, None, f"cannot read the file: {error}") from None
    fast = cast_vote_records(path, data, contest_id)
    if fast is not None:
        return fast
    document = _load(path, data)
    contest, selections = election_contest(path, _first(path, document, "Election"), contest_id)
    names = tuple(dict.fromkeys(selections.values()))
    index = {name: i for i, name in enumerate(names)}
    cvrs = document.get("CVR")
    if not isinstance(cvrs, list):
        raise BallotFileError(path, None, "no CVR list: not a CDF cast vote record report")
    rows = []
    for number, cvr in enumerate(cvrs, start=1):
        try:
            rows.append(_ranks(path, number, cvr, str(contest.get("@id", "")), selections, index))
        except (TypeError, AttributeError):
            raise BallotFileError(path, None, f"CVR {number}: {WRONG_TYPE}") from None
    return CastVoteRecords(names, _grid(rows), str(contest.get("Name", "")))


def election_contest(
    path: Path, election: Mapping[str, Any], contest_id: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The contest to count, and its selections' candidate names by selection id."""
    try:
        contest = _contest(path, election, contest_id)
        return contest, _selection_names(path, election, contest)
    except (TypeError, AttributeError):  # a list where an object belongs, and so on
        raise BallotFileError(path, None, f"Election: {WRONG_TYPE}") from None


def _load(path: Path, data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except UnicodeDecodeError as error:
        raise BallotFileError(path, None, f"cannot read the file: {error}") from None
    except json.JSONDecodeError as error:
        raise BallotFileError(path, error.lineno, f"not valid JSON: {error.msg}") from None
    except RecursionError:  # json recurses into nested arrays and objects
        raise BallotFileError(path, None, "not valid JSON: nested too deeply") from None
    if not isinstance(document, dict):
        raise BallotFileError(path, None, "not a CDF cast vote record report (no JSON object)")
    return document


def _first(path: Path, document: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    if isinstance(value, dict):
        return value
    raise BallotFileError(path, None, f"no {key} in the report: not a CDF cast vote record file")


def _contest(path: Path, election: Mapping[str, Any], contest_id: str | None) -> dict[str, Any]:
    contests = [c for c in election.get("Contest", []) if isinstance(c, dict)]
    if contest_id:
        for contest in contests:
            if contest_id in (contest.get("@id"), contest.get("Name")):
                return contest
        raise BallotFileError(path, None, f"no contest {contest_id!r} in the file")
    ranked = [c for c in contests if c.get("ContestSelection")]
    if len(ranked) != 1:
        raise BallotFileError(
            path, None, f"{len(ranked)} contests in the file; name the one to count"
        )
    return ranked[0]


def _selection_names(
    path: Path, election: Mapping[str, Any], contest: Mapping[str, Any]
) -> dict[str, str]:
    """Contest selection id -> candidate name."""
    candidates = {
        c.get("@id"): str(c.get("Name", c.get("@id")))
        for c in election.get("Candidate", [])
        if isinstance(c, dict)
    }
    names: dict[str, str] = {}
    for selection in contest.get("ContestSelection", []):
        ids = selection.get("CandidateIds") or []
        if len(ids) != 1 or ids[0] not in candidates:
            raise BallotFileError(
                path, None, f"contest selection {selection.get('@id')!r} names no known candidate"
            )
        names[str(selection.get("@id"))] = candidates[ids[0]]
    return names


def _ranks(
    path: Path,
    number: int,
    cvr: Any,
    contest_id: str,
    selections: Mapping[str, str],
    index: Mapping[str, int],
) -> dict[int, set[int]]:
    """Rank -> candidate ids marked at it, for one CVR."""
    marks: dict[int, set[int]] = {}
    for contest in _snapshot_contests(path, number, cvr):
        if contest.get("ContestId") != contest_id:
            continue
        for selection in contest.get("CVRContestSelection", []):
            selection_id = selection.get("ContestSelectionId")
            if selection_id not in selections:
                raise BallotFileError(
                    path, None, f"CVR {number}: unknown candidate selection {selection_id!r}"
                )
            candidate = index[selections[selection_id]]
            for position in selection.get("SelectionPosition", []):
                if position.get("HasIndication", "yes") == "no":
                    continue
                rank = position.get("Rank")
                if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
                    raise BallotFileError(path, None, f"CVR {number}: bad rank {rank!r}")
                if rank > max(len(index), MIN_RANKS):  # the grid is as wide as the top rank
                    raise BallotFileError(
                        path, None, f"CVR {number}: rank {rank} is above the candidates' number"
                    )
                marks.setdefault(rank, set()).add(candidate)
    return marks


def _snapshot_contests(path: Path, number: int, cvr: Any) -> Sequence[Mapping[str, Any]]:
    if not isinstance(cvr, dict):
        raise BallotFileError(path, None, f"CVR {number}: not a JSON object")
    snapshots = [s for s in cvr.get("CVRSnapshot", []) if isinstance(s, dict)]
    current = cvr.get("CurrentSnapshotId")
    chosen = [s for s in snapshots if s.get("@id") == current] or snapshots[:1]
    if not chosen:
        raise BallotFileError(path, None, f"CVR {number}: no CVRSnapshot")
    contests: list[Mapping[str, Any]] = chosen[0].get("CVRContest", [])
    return contests


def _grid(rows: list[dict[int, set[int]]]) -> npt.NDArray[np.int16]:
    width = max((max(marks) for marks in rows if marks), default=1)
    grid = np.full((len(rows), width), BLANK, dtype=np.int16)
    for r, marks in enumerate(rows):
        for rank, marked in marks.items():
            grid[r, rank - 1] = next(iter(marked)) if len(marked) == 1 else OVERVOTE
    return grid
