"""Dominion cast vote record exports (JSON), as RCTab reads them.

An export is a folder of manifests and one or more ``CvrExport*.json`` files. Each session
(a ballot) has its scan as read (``Original``) and, after adjudication, a ``Modified``
version: the current one counts, and a session with no current version is skipped. Each
card lists contests with marks (candidate id, rank); ambiguous marks are ignored, and so is a
contest the scanner flagged "InvalidContest" (an outstack condition in the manifest: the
contest was not valid on that ballot). Ranked
candidates are given by their Dominion id ("code"), which an RCTab config maps to names
with its aliases; two candidates at one rank are an overvote.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from omov.count.ballots import BLANK, OVERVOTE
from omov.count.errors import BallotFileError
from omov.count.formats.cdf import CastVoteRecords

MOST_RANKS = 1000  # far above any ballot's; a rank of 2**31 would allocate gigabytes


def parse_dominion(folder: Path, contest_id: str) -> CastVoteRecords:
    """The ballots of contest ``contest_id`` in the export ``folder``."""
    exports = sorted(folder.glob("CvrExport*.json")) if folder.is_dir() else []
    if not exports:
        raise BallotFileError(folder, None, "no CvrExport*.json files in the export folder")
    rows: list[dict[int, set[str]]] = []
    invalid = _invalid_contest_conditions(folder)
    for path in exports:
        for number, session in enumerate(_sessions(path), start=1):
            try:
                rows.extend(_ballots(path, number, session, contest_id, invalid))
            except (TypeError, AttributeError, ValueError, KeyError):  # a value of a wrong type
                raise BallotFileError(path, None, f"session {number}: wrong JSON type") from None
    if not rows:
        raise BallotFileError(folder, None, f"no ballots for contest {contest_id!r}")
    codes = tuple(sorted({code for marks in rows for codes in marks.values() for code in codes}))
    index = {code: i for i, code in enumerate(codes)}
    width = max((max(marks) for marks in rows if marks), default=1)
    grid = np.full((len(rows), width), BLANK, dtype=np.int16)
    for r, marks in enumerate(rows):
        for rank, marked in marks.items():
            grid[r, rank - 1] = index[next(iter(marked))] if len(marked) == 1 else OVERVOTE
    return CastVoteRecords(codes, grid, contest_id)


def _invalid_contest_conditions(folder: Path) -> set[int]:
    """Outstack condition ids that mean "this contest is not valid on this ballot"."""
    path = folder / "OutstackConditionManifest.json"
    if not path.is_file():
        return set()
    try:
        entries = _json(path).get("List", [])
        return {int(e["Id"]) for e in entries if e.get("Description") == "InvalidContest"}
    except (TypeError, AttributeError, ValueError, KeyError, OverflowError):
        raise BallotFileError(path, None, "cannot read the manifest: wrong JSON type") from None


def _json(path: Path) -> Any:
    """The file's JSON; every way it cannot be read is one line naming the file."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        raise BallotFileError(path, None, f"cannot read the file: {error}") from None
    except json.JSONDecodeError as error:
        raise BallotFileError(path, error.lineno, f"not valid JSON: {error.msg}") from None
    except RecursionError:  # json recurses into nested arrays and objects
        raise BallotFileError(path, None, "not valid JSON: nested too deeply") from None


def _sessions(path: Path) -> Iterator[Mapping[str, Any]]:
    document = _json(path)
    sessions = document.get("Sessions") if isinstance(document, dict) else None
    if not isinstance(sessions, list):
        raise BallotFileError(path, None, "no Sessions list: not a Dominion CVR export")
    yield from sessions


def _ballots(
    path: Path, number: int, session: Mapping[str, Any], contest_id: str, invalid: set[int]
) -> Iterator[dict[int, set[str]]]:
    """Rank -> candidate codes, for each of the session's contests that is ``contest_id``."""
    current = session.get("Original") or {}
    if not current.get("IsCurrent", True):
        current = session.get("Modified") or {}
        if not current:
            return
    cards = current.get("Cards")
    contests = [c for card in cards for c in card.get("Contests", [])] if cards else []
    for contest in contests or current.get("Contests", []):
        if str(contest.get("Id")) != contest_id:
            continue
        if invalid & set(contest.get("OutstackConditionIds") or []):
            continue
        marks: dict[int, set[str]] = {}
        for mark in contest.get("Marks", []):
            if mark.get("IsAmbiguous"):
                continue
            rank = mark.get("Rank")
            if (
                not isinstance(rank, int)
                or not 1 <= rank <= MOST_RANKS
                or "CandidateId" not in mark
            ):
                raise BallotFileError(
                    path, None, f"session {number}: a mark without a rank from 1 to {MOST_RANKS}"
                )
            marks.setdefault(rank, set()).add(str(mark["CandidateId"]))
        yield marks
