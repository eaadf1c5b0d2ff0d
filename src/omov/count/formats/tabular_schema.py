"""The schema of the ranking tables (plain CSV and Parquet), and their metadata: what a
header and a metadata record may hold, checked without Polars (``tabular`` says what the
schema means; ``plain_csv_fast`` reads a regular CSV file with NumPy alone).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omov.count.errors import BallotFileError

if TYPE_CHECKING:
    from omov.count.ballots import BallotSet

_RANK = re.compile(r"rank([1-9][0-9]*)$")
SECTION = "section"
WEIGHT = "weight"
METADATA_KEY = "omov"
_META_FIELDS = ("candidates", "sections", "title", "seats", "withdrawn")


@dataclass(frozen=True)
class Layout:
    """The columns of a ranking table, checked once from its header."""

    ranks: tuple[str, ...]
    section: bool
    weight: bool

    @property
    def categorical(self) -> tuple[str, ...]:
        return (*self.ranks, SECTION) if self.section else self.ranks


def layout_of(path: Path, columns: Sequence[str], line: int | None) -> Layout:
    """Check a header: rank1..rankN (no gaps), optional section and weight, nothing else."""
    seen: set[str] = set()
    ranks: dict[int, str] = {}
    for name in columns:
        if name in seen:
            raise BallotFileError(path, line, f"column {name!r} appears twice in the header")
        seen.add(name)
        rank = _RANK.match(name)
        if rank:
            ranks[int(rank.group(1))] = name
        elif name not in (SECTION, WEIGHT):
            raise BallotFileError(
                path, line, f"unknown column {_short(name)}; expected rank1..rankN, section, weight"
            )
    if not ranks:
        raise BallotFileError(path, line, "no rank columns (rank1, rank2, ...) in the header")
    missing = [k for k in range(1, max(ranks) + 1) if k not in ranks]
    if missing:
        raise BallotFileError(path, line, f"column rank{missing[0]} is missing")
    return Layout(
        tuple(ranks[k] for k in sorted(ranks)), section=SECTION in seen, weight=WEIGHT in seen
    )


@dataclass(frozen=True)
class Metadata:
    """A ranking table's metadata comments (``# key: JSON value``)."""

    candidates: tuple[str, ...] | None = None
    sections: tuple[str, ...] | None = None
    title: str = ""
    seats: int | None = None
    withdrawn: tuple[str, ...] = ()

    @classmethod
    def of(cls, ballots: BallotSet) -> Metadata:
        return cls(
            candidates=ballots.candidates,
            sections=ballots.section_names or None,
            title=ballots.title,
            seats=ballots.seats,
            withdrawn=tuple(ballots.candidates[i] for i in sorted(ballots.withdrawn)),
        )

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"candidates": list(self.candidates or ())}
        if self.sections:
            record["sections"] = list(self.sections)
        if self.title:
            record["title"] = self.title
        if self.seats is not None:
            record["seats"] = self.seats
        if self.withdrawn:
            record["withdrawn"] = list(self.withdrawn)
        return record


def metadata_from(path: Path, record: dict[str, Any], lines: dict[str, int]) -> Metadata:
    """Validate metadata values; ``lines`` says where each key was (CSV comments)."""
    for key in record:
        if key not in _META_FIELDS:
            raise BallotFileError(path, lines.get(key), f"unknown metadata {key!r}")

    def names(key: str) -> tuple[str, ...] | None:
        value = record.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise BallotFileError(path, lines.get(key), f"{key} must be a JSON list of names")
        if len(set(value)) < len(value):
            raise BallotFileError(path, lines.get(key), f"{key} lists a name twice")
        if key != "sections" and any("=" in v for v in value):
            raise BallotFileError(path, lines.get(key), "a name with '=' (that marks an overvote)")
        return tuple(v.strip() for v in value)

    seats = record.get("seats")
    if seats is not None and (not isinstance(seats, int) or isinstance(seats, bool) or seats < 1):
        raise BallotFileError(path, lines.get("seats"), "seats must be a whole number, 1 or more")
    candidates = names("candidates")
    withdrawn = names("withdrawn") or ()
    if candidates is not None and not set(withdrawn) <= set(candidates):
        raise BallotFileError(path, lines.get("withdrawn"), "a withdrawn name is not a candidate")
    return Metadata(candidates, names("sections"), str(record.get("title", "")), seats, withdrawn)


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")
