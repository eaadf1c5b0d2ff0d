"""Options every counting method accepts. A method reads the ones that apply to it.

One flat, frozen record rather than a class per method, so that a rulebook, the CLI and
RCTab's config can all fill the same thing, and a report can record exactly what a
count ran with (``CountOptions.as_record``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any


class TieBreakMode(StrEnum):
    PREVIOUS_ROUNDS_THEN_LOT = "previous-rounds-then-lot"
    """Fewest votes at the most recent round where the tied candidates differ; then lot."""
    EARLIEST_ROUND_THEN_LOT = "earliest-round-then-lot"
    """Fewest votes at the earliest round where they differ (as some statutory rules say)."""
    CANDIDATE_ORDER = "candidate-order"
    """The candidate listed later in the ballot file loses (RCTab's useCandidateOrder)."""
    LOT = "lot"
    """Drawn by lot from a seeded generator, so a recount repeats the draw."""


class Quota(StrEnum):
    DROOP = "droop"
    HARE = "hare"


@dataclass(frozen=True)
class CountOptions:
    """The options of a count, every method's in one record (see the module)."""

    tie_break: TieBreakMode = TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT
    seed: int = 0
    """Seed for any drawing of lots."""

    # AV / IRV (RCTab's options)
    batch_elimination: bool = False
    """Exclude at once every candidate whose combined votes cannot reach the next one up."""
    continue_until_two: bool = False
    """Keep counting after a majority until two candidates remain."""

    # STV and thresholds
    quota: Quota = Quota.DROOP
    whole_threshold: bool = True
    """Droop as floor(V/(S+1))+1 (whole); False: V/(S+1) plus one unit of the last decimal."""
    decimals: int | None = None
    """Decimal places of vote arithmetic where the rule fixes them (RCTab default 4)."""
    meek_omega: Fraction = Fraction(1, 10**6)
    """Meek: stop iterating when every elected candidate is within omega of the quota."""

    # Exhaustive ballots
    minimum_votes: Mapping[int, int] = field(default_factory=dict)
    """After round r, candidates with at most ``minimum_votes[r]`` votes are out
    (Conservative 2019: {1: 16, 2: 32})."""
    stop_at: int | None = None
    """Stop when this many candidates remain, majority or not: the finalists of a two-stage
    contest's first stage (Conservative MPs' ballots: 2). None: stop at a majority."""

    # Electoral college
    section_weights: Mapping[str, Fraction] = field(default_factory=dict)
    """Each section's share of the college (Labour 2010: a third each)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "minimum_votes", MappingProxyType(dict(self.minimum_votes)))
        object.__setattr__(
            self,
            "section_weights",
            MappingProxyType({k: Fraction(v) for k, v in self.section_weights.items()}),
        )

    def as_record(self) -> dict[str, Any]:
        """Plain JSON-ready values, for the report and the results bundle."""
        record = {f.name: getattr(self, f.name) for f in fields(self)}
        record["tie_break"] = self.tie_break.value
        record["quota"] = self.quota.value
        record["meek_omega"] = str(self.meek_omega)
        record["minimum_votes"] = {str(k): v for k, v in self.minimum_votes.items()}
        record["section_weights"] = {k: str(v) for k, v in self.section_weights.items()}
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> CountOptions:
        """The inverse of ``as_record`` (a field the record lacks takes its default)."""
        values = dict(record)
        values["tie_break"] = TieBreakMode(
            values.get("tie_break", TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT)
        )
        values["quota"] = Quota(values.get("quota", Quota.DROOP))
        values["meek_omega"] = Fraction(values.get("meek_omega", "1/1000000"))
        values["minimum_votes"] = {
            int(k): int(v) for k, v in values.get("minimum_votes", {}).items()
        }
        values["section_weights"] = {
            k: Fraction(v) for k, v in values.get("section_weights", {}).items()
        }
        return cls(**values)
